"""The call counts' files (`calls/YYYY-MM.yaml`): calls that did not become cases, for a day or the
whole month (`domain/calls.py`).  Entries carry stable ids, so two offices' files merge by id
(`storage.merge`), like the ledger's.

    entries:
    - id: 7Q2M4K9D
      date: '2026-11-03'     # absent: the whole month
      missed: 3
      abandoned: 1
      silent: 2
      by: li
      note: 系统导出
      source: 3f2a...        # an imported day's fingerprint (re-importing the same log adds nothing)
"""
from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterator

from ..domain import dates
from ..domain.calls import KINDS, MAX_COUNT, CallCount
from ..errors import BookError
from ..i18n import _
from . import yamlio

CALLS = "calls"
FILE_RE = re.compile(r"^(\d{4})-(\d{2})\.yaml$")
KEYS = ("id", "date", *KINDS, "by", "note", "source")


def path_for(root: Path, year: int, month: int) -> Path:
    return root / CALLS / f"{year:04d}-{month:02d}.yaml"


def month_of(path: Path) -> tuple[int, int] | None:
    m = FILE_RE.match(path.name)
    if not m or not 1 <= int(m.group(2)) <= 12 or not dates.FIRST_YEAR <= int(m.group(1)) <= dates.LAST_YEAR:
        return None
    return int(m.group(1)), int(m.group(2))


def _entry(text: str, path: Path, i: int, e: Any, ym: tuple[int, int] | None) -> CallCount:
    def fail(msg: str, key: str | None = None) -> BookError:
        return BookError(f"entries[{i}]: {msg}", path, yamlio.line_of(text, ["entries", i] + ([key] if key else [])))

    if not isinstance(e, dict):
        raise fail(_("must be a mapping (id, date, missed, abandoned, silent, prank, wrong_number, by)"))
    for k in e:
        if k not in KEYS:
            raise fail(_("unknown key '{key}'; allowed: {allowed}").format(key=k, allowed=", ".join(KEYS)), str(k))
    for k in ("id", "by"):
        if not isinstance(e.get(k), str) or not e[k].strip():
            raise fail(_("'{key}' must be an id (text), not {value}").format(key=k, value=repr(e.get(k))), k)
    day = e.get("date")
    if day is not None:
        if isinstance(day, str):
            try:
                day = date.fromisoformat(day.strip())
            except ValueError:
                pass
        if not isinstance(day, date) or isinstance(day, datetime) or ym is not None and (day.year, day.month) != ym \
                or not dates.in_range(day):
            raise fail(_("'date' must be a day of {month} (YYYY-MM-DD), not {value}").format(
                month=dates.text(*ym) if ym else "YYYY-MM", value=repr(e.get("date"))), "date")
    counts = {}
    for k in KINDS:
        if k in e:
            v = e[k]
            if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= MAX_COUNT:
                raise fail(_("'{key}' must be a whole number of calls (0 to {limit}), not {value}").format(
                    key=k, limit=MAX_COUNT, value=repr(v)), k)
            counts[k] = v
    for k in ("note", "source"):
        if not isinstance(e.get(k, "") or "", str):
            raise fail(_("'{key}' must be text").format(key=k), k)
    y, m = ym or ((day.year, day.month) if day else (0, 0))  # a merge's temporary file has no month in its name
    return CallCount(e["id"], y, m, day, counts, e["by"], e.get("note") or "", e.get("source") or "")


def parse(text: str, path: Path) -> list[CallCount]:
    """The entries of one file; a structure error is a BookError with its path and line.  Dates are
    checked against the month of the file's name (a merge's temporary file: not checked)."""
    ym = month_of(path)
    data = yamlio.load_text(text, path)
    if data is None:
        return []
    if not isinstance(data, dict) or set(data) - {"entries"}:
        raise BookError(_("a call count file must be a mapping with one key, 'entries:'"), path, 1)
    raw = data.get("entries") or []
    if not isinstance(raw, list):
        raise BookError(_("'entries' must be a list of call counts"), path, yamlio.line_of(text, ["entries"]))
    return [_entry(text, path, i, e, ym) for i, e in enumerate(raw)]


def read(root: Path, year: int, month: int) -> list[CallCount]:
    """The month's entries (none when it has no file)."""
    path = path_for(root, year, month)
    if not (path.exists() or path.is_symlink()):
        return []
    return parse(yamlio.read_text(path), path)


def read_months(root: Path, months: list[tuple[int, int]], problems: list[str] | None = None) -> list[CallCount]:
    """The entries of several months; with `problems`, a broken file is named there and left out."""
    out: list[CallCount] = []
    for y, m in months:
        try:
            out += read(root, y, m)
        except BookError as e:
            if problems is None:
                raise
            problems.append(str(e))
    return out


def scan(root: Path) -> Iterator[tuple[Path, int | None, str | None, list[CallCount]]]:
    """Every file in calls/: (path, line, problem, entries)."""
    folder = root / CALLS
    if not folder.is_dir():
        return
    for path in sorted(p for p in folder.iterdir() if not p.name.startswith(".")):
        if path.is_dir() or month_of(path) is None:
            yield path, None, _("not a call count file: calls/ holds only YYYY-MM.yaml files"), []
            continue
        try:
            found = parse(yamlio.read_text(path), path)
        except BookError as e:
            yield e.path or path, e.line, e.message, []
            continue
        yield path, None, None, found


def to_dict(x: CallCount) -> dict[str, Any]:
    d: dict[str, Any] = {"id": x.id}
    if x.day is not None:
        d["date"] = x.day.isoformat()
    for k in KINDS:
        if k in x.counts:
            d[k] = x.counts[k]
    d["by"] = x.by
    if x.note:
        d["note"] = x.note
    if x.source:
        d["source"] = x.source
    return d


def order(x: CallCount) -> tuple:
    """Entries in a file: the whole month's first, then by day (ties by id, in the merge)."""
    return (x.day is not None, x.day or date.min)


def append(root: Path, entries: list[CallCount]) -> list[Path]:
    """Add entries to their months' files, atomically each (call under the book's write lock)."""
    by_month: dict[tuple[int, int], list[CallCount]] = {}
    for x in entries:
        by_month.setdefault((x.year, x.month), []).append(x)
    paths = []
    for (y, m), new in sorted(by_month.items()):
        path = path_for(root, y, m)
        yamlio.clear_leftovers(path.parent)
        before = read(root, y, m)   # a broken file is named, never overwritten
        allx = sorted([*before, *new], key=lambda x: (order(x), x.id))
        yamlio.atomic_write(path, yamlio.dump({"entries": [to_dict(x) for x in allx]}))
        paths.append(path)
    return paths
