"""`--help` pages in the book's language, laid out for wide (Chinese) characters.

The framework's own layout has English headings and counts a Chinese character as one
column; this renders the same information — usage, description, arguments, options,
commands — with every word through the message catalog and columns measured by display
width.  Option names (`--note`) and command names stay as they are in every language.
"""
from __future__ import annotations

from typing import Any

from ..i18n import _

WIDTH = 100


def width(text: str) -> int:
    """Display columns: wide (Chinese, full-width) characters count two, combining marks and
    zero-width characters none (the standard library's East Asian Width data, no import cost)."""
    import unicodedata

    n = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        n += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return n


def wrap(text: str, room: int) -> list[str]:
    """Lines of at most `room` columns, breaking at spaces, or anywhere in Chinese text."""
    out, line = [], ""
    for word in _words(text):
        if line and width(line + word) > room:
            out.append(line.rstrip())
            line = word.lstrip()
        else:
            line += word
    if line.strip():
        out.append(line.rstrip())
    return out or [""]


def _words(text: str) -> list[str]:
    words, cur = [], ""
    for ch in text:
        if ch == " " or width(ch) > 1:  # a space ends a word; a wide character is a word of its own
            if cur:
                words.append(cur)
            words.append(ch if ch != " " else " ")
            cur = ""
        else:
            cur += ch
    if cur:
        words.append(cur)
    merged: list[str] = []
    for w in words:  # keep the space with the word before it
        if w == " " and merged:
            merged[-1] += " "
        else:
            merged.append(w)
    return merged


def table(rows: list[tuple[str, str]], indent: int = 2) -> list[str]:
    """Two columns: the first padded to its widest (capped), the second wrapped beside it."""
    if not rows:
        return []
    first = min(max(width(a) for a, _b in rows), 32)
    lines = []
    for a, b in rows:
        room = WIDTH - indent - first - 2
        wrapped = wrap(b, max(room, 20)) if b else [""]
        if width(a) > first:
            lines.append(" " * indent + a)
            lines += [" " * (indent + first + 2) + w for w in wrapped if w]
            continue
        lines.append(" " * indent + a + " " * (first - width(a) + 2) + wrapped[0])
        lines += [" " * (indent + first + 2) + w for w in wrapped[1:]]
    return [ln.rstrip() for ln in lines]


def metavar(param: Any) -> str:
    """What a value looks like: the param's own metavar (translated), else a plain word."""
    mv = getattr(param, "metavar", None)
    if mv:
        return _(mv)
    return _("TEXT")


def _option(param: Any) -> tuple[str, str]:
    names = ", ".join([*param.opts, *getattr(param, "secondary_opts", [])])
    if not getattr(param, "is_flag", False) and not getattr(param, "count", False):
        names += " " + metavar(param)
    help_text = _(param.help) if param.help else ""
    if getattr(param, "multiple", False):
        help_text += (" " if help_text else "") + _("(may be given several times)")
    if param.required:
        help_text += (" " if help_text else "") + "[" + _("required") + "]"
    return names, help_text


def render(ctx: Any) -> str:
    """The whole help page of the command of `ctx`."""
    cmd = ctx.command
    params = [p for p in cmd.get_params(ctx) if not getattr(p, "hidden", False)]
    args = [p for p in params if p.param_type_name == "argument"]
    opts = [p for p in params if p.param_type_name == "option"]
    options = _("OPTIONS")
    pieces = [f"[{options}]"] + [(metavar(a) if a.required else f"[{metavar(a)}]") + ("..." if a.nargs == -1 else "")
                                 for a in args]  # an optional argument in brackets, like an option
    if hasattr(cmd, "list_commands"):
        pieces += [_("COMMAND"), "..."]
    lines = [_("Usage:") + f" {ctx.command_path} " + " ".join(pieces), ""]
    if cmd.help:
        lines += ["  " + ln for ln in wrap(_(cmd.help), WIDTH - 2)] + [""]
    if args:
        lines += [_("Arguments:")] + table([(metavar(a), (_(a.help) if getattr(a, "help", None) else "")
                                             + (" [" + _("required") + "]" if a.required else "")) for a in args]) + [""]
    if opts:
        rows = [_option(p) for p in opts if p.name != "help"] + [("--help", _("Show this help and exit."))]
        lines += [_("Options:")] + table(rows) + [""]
    if hasattr(cmd, "list_commands"):
        rows = []
        for name in cmd.list_commands(ctx):
            sub = cmd.get_command(ctx, name)
            if sub is not None and not getattr(sub, "hidden", False):
                rows.append((name, (_(sub.help) if sub.help else "").split("\n")[0]))
        lines += [_("Commands:")] + table(rows) + [""]
    return "\n".join(lines).rstrip() + "\n"
