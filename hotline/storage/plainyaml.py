"""The YAML hotline writes, read without a YAML parser: a fast path for the files of a book.

hotline's own files are block-style YAML in a small shape (`yamlio.dump`): mappings of plain
keys, sequences of scalars or mappings, scalars plain or single-quoted on one line, `[]`, `{}`,
and literal blocks (`|`, `|-`) for text with several lines.  `load` reads exactly that shape
and answers what the YAML parser would answer; for anything else — a comment, a blank line,
double quotes, a flow collection, a tag, an anchor, a plain scalar over several lines, a number
that is not a plain integer, a duplicate key, anything it is not sure of — it answers `None`
and the caller parses the text with the YAML parser (which also names the line of a mistake).
So the fast path never changes what a file means; `tests/test_plainyaml.py` holds it to that
against PyYAML on generated files and on hostile ones.
"""
from __future__ import annotations

import re
from typing import Any

# YAML 1.1's implicit types, as PyYAML's resolver has them (yaml/resolver.py), for plain scalars
_BOOL = re.compile(r"""^(?:yes|Yes|YES|no|No|NO
                    |true|True|TRUE|false|False|FALSE
                    |on|On|ON|off|Off|OFF)$""", re.X)
_NULL = re.compile(r"""^(?: ~
                    |null|Null|NULL
                    | )$""", re.X)
_FLOAT = re.compile(r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
                    |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
                    |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
                    |[-+]?\.(?:inf|Inf|INF)
                    |\.(?:nan|NaN|NAN))$""", re.X)
_INT = re.compile(r"""^(?:[-+]?0b[0-1_]+
                    |[-+]?0[0-7_]+
                    |[-+]?(?:0|[1-9][0-9_]*)
                    |[-+]?0x[0-9a-fA-F_]+
                    |[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$""", re.X)
_TIMESTAMP = re.compile(r"""^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
                    |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
                     (?:[Tt]|[ \t]+)[0-9][0-9]?
                     :[0-9][0-9] :[0-9][0-9] (?:\.[0-9]*)?
                     (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$""", re.X)
_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z")
_BOOLS = {"yes": True, "no": False, "true": True, "false": False, "on": True, "off": False}

# anything outside printable text, or a line break YAML knows and hotline never writes (\r, NEL,
# LS, PS), or a byte-order mark, or a tab: the YAML parser decides
_UNSURE = re.compile("[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_QUOTED = re.compile(r"'((?:[^']|'')*)'\Z")


class _Unsure(Exception):
    """Not the shape hotline writes: let the YAML parser read it."""


def load(text: str) -> Any:
    """The data of `text` when it is in the shape hotline writes, else None (parse it with YAML)."""
    if not text.endswith("\n") or _UNSURE.search(text):
        return None
    lines = []
    for raw in text[:-1].split("\n"):
        body = raw.lstrip(" ")
        if not body or raw.endswith(" "):
            return None   # blank lines and trailing blanks: rare, and YAML has rules for them
        lines.append([len(raw) - len(body), body])
    try:
        value, end = _block(lines, 0, 0)
    except _Unsure:
        return None
    # a line no block took (a scalar going on over several lines, an odd indentation) ends them all
    return value if end == len(lines) and isinstance(value, dict) else None


def _block(lines: list, pos: int, indent: int) -> tuple[Any, int]:
    ind, body = lines[pos]
    if ind != indent:
        raise _Unsure
    if body.startswith("- "):
        return _sequence(lines, pos, indent)
    return _mapping(lines, pos, indent)


def _mapping(lines: list, pos: int, indent: int) -> tuple[dict, int]:
    out: dict = {}
    while pos < len(lines) and lines[pos][0] == indent:
        body = lines[pos][1]
        if body.endswith(":"):
            key, rest = body[:-1], None
        else:
            key, sep, rest = body.partition(": ")
            if not sep:
                raise _Unsure
        if key in out or (key not in _KEYS and not _new_key(key)):
            raise _Unsure
        pos += 1
        if rest is None:                       # `key:` then a nested block, or nothing (null)
            if pos < len(lines) and (lines[pos][0] > indent
                                     or (lines[pos][0] == indent and lines[pos][1].startswith("- "))):
                out[key], pos = _block(lines, pos, lines[pos][0])
            else:
                out[key] = None
        elif rest in ("|", "|-"):
            out[key], pos = _literal(lines, pos, indent, keep_last=rest == "|")
        else:
            out[key] = _inline(rest)   # a scalar over several lines: its next line ends every block (None)
    return out, pos


_KEYS: set[str] = set()


def _new_key(key: str) -> bool:
    """A plain key that reads as text (not `on`, `null`, a number...); remembered."""
    if not _KEY.match(key) or _scalar_type(key) is not str:
        return False
    if len(_KEYS) < 10_000:
        _KEYS.add(key)
    return True


def _sequence(lines: list, pos: int, indent: int) -> tuple[list, int]:
    out: list = []
    while pos < len(lines) and lines[pos][0] == indent and lines[pos][1].startswith("- "):
        item = lines[pos][1][2:]
        if item[:1] == " " or item.startswith("- ") or item in ("-", "|", "|-"):
            raise _Unsure
        if _starts_mapping(item):
            lines[pos] = [indent + 2, item]      # `- key: value` opens a mapping two columns in
            value, pos = _mapping(lines, pos, indent + 2)
            out.append(value)
            continue
        out.append(_inline(item))
        pos += 1
    return out, pos


def _starts_mapping(item: str) -> bool:
    if item[:1] == "'":
        return False
    return item.endswith(":") or ": " in item


def _literal(lines: list, pos: int, indent: int, keep_last: bool) -> tuple[str, int]:
    """A literal block (`|` keeps one final line break, `|-` none), its lines indented alike."""
    if pos >= len(lines) or lines[pos][0] <= indent:
        raise _Unsure
    inner = lines[pos][0]
    parts = []
    while pos < len(lines) and lines[pos][0] > indent:
        ind, body = lines[pos]
        if ind < inner:
            raise _Unsure
        parts.append(" " * (ind - inner) + body)
        pos += 1
    text = "\n".join(parts)
    return (text + "\n" if keep_last else text), pos


_SEEN: dict[str, Any] = {}   # scalars repeat from file to file (ids, words, keys): each is read once


def _inline(rest: str) -> Any:
    value = _SEEN.get(rest, _SEEN)
    if value is not _SEEN:
        return value
    value = _inline_new(rest)
    if len(rest) < 48 and len(_SEEN) < 100_000 and not isinstance(value, (list, dict)):
        _SEEN[rest] = value
    return value


def _inline_new(rest: str) -> Any:
    if rest == "[]":
        return []
    if rest == "{}":
        return {}
    if rest[:1] == "'":
        m = _QUOTED.match(rest)
        if m is None:
            raise _Unsure
        return m.group(1).replace("''", "'")
    if rest[0] in _INDICATORS or ": " in rest or " #" in rest or rest.endswith(":"):
        raise _Unsure
    kind = _scalar_type(rest)
    if kind is str:
        return rest
    if kind is bool:
        return _BOOLS[rest.lower()]
    if kind is None:
        return None
    if _DECIMAL.match(rest):
        return int(rest)
    raise _Unsure   # floats, times, octal, hexadecimal, sexagesimal: the YAML parser's business


def _scalar_type(value: str) -> Any:
    """What a plain scalar resolves to: str, bool, None (null) or int (any other type raises)."""
    first = value[:1]
    if first in "yYnNtTfFoO" and _BOOL.match(value):
        return bool
    if first in "~nN" and _NULL.match(value):
        return None
    if first in "-+0123456789.":
        if _FLOAT.match(value) or _TIMESTAMP.match(value):
            raise _Unsure
        if _INT.match(value):
            return int
    if first in "<=":
        raise _Unsure
    return str
