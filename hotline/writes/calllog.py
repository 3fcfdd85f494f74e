"""Calls that did not become cases (`hotline calls add|import|list`), callable from Python: a write is
checked first (UsageError, nothing written), then the month's file(s) under the lock and one commit.
The counts are the phone system's; the rules are in `domain/calls.py`, the files in `storage/calls.py`."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..book import Book
from ..domain import dates
from ..domain.calls import CallCount, LogRead, by_day, make_count, read_log
from ..domain.cases import MAX_SHORT, clear_text
from ..i18n import _


@dataclass
class CallsResult:
    entries: list[CallCount]
    paths: list[Path]
    commit: str
    message: str


def _write(book: Book, entries: list[CallCount], message: str, actor: Any) -> CallsResult:
    from ..storage import calls as store

    with book.lock():
        paths = store.append(book.root, entries)
        commit = book.commit(paths, message, actor)
    return CallsResult(entries, paths, commit, message)


def record(book: Book, counts: dict[str, Any], day: date | None = None, month: tuple[int, int] | None = None,
           note: str = "") -> CallsResult:
    """Record the calls of `day`, or of the whole `month` (one of them)."""
    from ..storage import ids

    actor = book.actor()
    if (day is None) == (month is None):
        from ..errors import UsageError

        raise UsageError(_("give the day (--date YYYY-MM-DD) or the whole month (--month YYYY-MM), one of them"))
    y, m = (day.year, day.month) if day is not None else month  # type: ignore[misc]
    entry = make_count(ids.new_entry_id(), y, m, day, counts, actor.id, clear_text(note, "--note", limit=MAX_SHORT))
    when = day.isoformat() if day else dates.text(y, m)
    what = ", ".join(f"{k} {n}" for k, n in entry.counts.items())
    return _write(book, [entry], f"calls {when}: {what}", actor)


@dataclass
class CallsPlan:
    file: Path
    log: LogRead
    new: list[CallCount] = field(default_factory=list)
    known: int = 0                      # days already imported from this log
    changed: list[date] = field(default_factory=list)  # days imported before from other rows: left as they are
    encoding: str | None = None


def plan_import(book: Book, path: Path, sheet: str | None = None) -> CallsPlan:
    """Read and check the phone system's call log; nothing written.  One entry per day (the rows
    of a day added up); a day already imported from the same rows is skipped."""
    from ..domain.importing import Context
    from ..storage import calls as store
    from ..storage import ids, sheets

    actor = book.actor()
    wb = sheets.read(path, sheet)
    ctx = Context(book.rules, book.roster, book.tz, book.now, actor.id)
    log = read_log(ctx, wb.main)
    p = CallsPlan(Path(path), log, encoding=wb.encoding)
    days = by_day(log.rows)
    months = sorted({(d.year, d.month) for d in days})
    seen: dict[date, set[str]] = {}
    for x in store.read_months(book.root, months):
        if x.source and x.day is not None:
            seen.setdefault(x.day, set()).add(x.source)
    for d, (counts, fps) in days.items():
        source = hashlib.sha256("\x00".join(sorted(fps)).encode()).hexdigest()[:16]
        if source in seen.get(d, ()):
            p.known += 1
            continue
        if d in seen:  # imported before from other rows (an export made mid-day): never counted twice
            p.changed.append(d)
            continue
        p.new.append(make_count(ids.new_entry_id(), d.year, d.month, d, counts, actor.id, "", source))
    return p


def write_import(book: Book, p: CallsPlan) -> CallsResult:
    total = sum(x.total() for x in p.new)
    return _write(book, p.new, f"calls: import {len(p.new)} day(s), {total} call(s) from {p.file.name}", book.actor())
