"""The people of the line, callable from Python: the duty rota (`hotline duty`), leave requests
(`hotline leave`: a write, one file and one commit), the roster with trial periods
(`hotline roster`), and their checks for `hotline check`."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from .book import Book
from .domain import dates, duty
from .domain.leave import Leave, leave_problems, make_leave, row
from .domain.trial import roster_rows
from .errors import BookError
from .i18n import _


def leaves(book: Book, first: date, last: date) -> list[Leave]:
    """Every leave request that overlaps first..last."""
    from .storage import leave as store

    return store.read(book.root, first, last)


def _lines(book: Book) -> Any:
    """The line's rules, with the rota's groups checked against the roster (a BookError names
    the rules.yaml line of a group the roster lacks)."""
    lines = book.rules.lines
    bad = duty.rota_problems(lines.duty, book.roster)
    if bad:
        from .storage import yamlio

        keys, msg = bad[0]
        path = book.root / "rules.yaml"
        raise BookError(msg, path, yamlio.line_of(yamlio.read_text(path), keys))
    return lines


def duty_at(book: Book, at: datetime) -> dict[str, Any]:
    """Who is on duty at `at` (domain.duty.day)."""
    d = book.calendar.local(at).date()
    return duty.day(_lines(book), book.calendar, book.roster, leaves(book, d, d), d, at)


def duty_days(book: Book, monday: date, weeks: int = 1) -> list[dict[str, Any]]:
    """Duty day by day for `weeks` weeks from `monday`."""
    last = monday + timedelta(days=7 * weeks - 1)
    return duty.days(_lines(book), book.calendar, book.roster, leaves(book, monday, last), monday, weeks)


@dataclass
class LeaveResult:
    leave: Leave
    path: Path
    commit: str
    message: str


def record_leave(book: Book, person: str, start: date, end: date, reason: str = "",
                 at: datetime | None = None) -> LeaveResult:
    """Record a leave request made at `at` (default now), late when it came with less notice
    than the rule; checked first (UsageError, nothing written), then one file and one commit."""
    from .domain.cases import MAX_SHORT, clear_text
    from .storage import ids
    from .storage import leave as store

    actor = book.actor()
    requested = book.calendar.local(book.record_time(at))
    why = clear_text(reason, "--reason", limit=MAX_SHORT)
    leave = make_leave(book.rules.lines, book.roster, ids.new_id(requested), person, start, end, requested,
                       actor.id, why)
    late = " (late)" if leave.late else ""
    message = f"leave {leave.person} {start.isoformat()}..{end.isoformat()}{late}"
    with book.lock():
        path = store.append(book.root, leave)
        commit = book.commit([path], message, actor)
    return LeaveResult(leave, path, commit, message)


def leave_list(book: Book, month: tuple[int, int] | None = None, person: str | None = None) -> list[dict[str, Any]]:
    """Leave requests ({id, person, from, to, requested, late, reason, by}) overlapping the month
    (default: every one), oldest first."""
    if person is not None:
        person = book.person(person, "PERSON").id
    if month is not None:
        first, last = dates.days(*month)
    else:
        first, last = date(dates.FIRST_YEAR, 1, 1), date(dates.LAST_YEAR, 12, 31)
    return [row(x) for x in leaves(book, first, last) if person is None or x.person == person]


def roster_list(book: Book) -> list[dict[str, Any]]:
    """The roster's people with their trial periods (domain.trial)."""
    return roster_rows(book.roster, book.rules.lines.trial_months, book.now.date())


def check_problems(book: Book) -> list[tuple[Path, int | None, str]]:
    """The rota's groups and every leave file, as (path, line, message) for `hotline check`."""
    from .storage import leave as store
    from .storage import yamlio

    out: list[tuple[Path, int | None, str]] = []
    rules_path = book.root / "rules.yaml"
    for keys, msg in duty.rota_problems(book.rules.lines.duty, book.roster):
        out.append((rules_path, yamlio.line_of(yamlio.read_text(rules_path), keys), msg))
    seen: dict[str, Path] = {}
    for path, text, line, problem, found in store.scan(book.root):
        if problem is not None:
            out.append((path, line, problem))
        for i, x in enumerate(found):
            where = yamlio.line_of(text or "", ["entries", i])
            out += [(path, yamlio.line_of(text or "", ["entries", i, key]), f"entries[{i}]: {msg}")
                    for key, msg in leave_problems(x, book.roster)]
            if x.id in seen:
                out.append((path, where, _("duplicate leave id '{id}', also in {other}").format(
                    id=x.id, other=book.rel(seen[x.id]))))
            seen.setdefault(x.id, path)
    return out
