"""The people of the line, as reads: the duty rota (`hotline duty`), leave requests
(`hotline leave --list`), the roster with trial periods (`hotline roster`), and their checks for
`hotline check`. Recording a leave request is a write: `writes/staff.py`."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from ..book import Book
from ..domain import dates, duty
from ..domain.leave import Leave, leave_problems, row
from ..domain.trial import roster_rows
from ..errors import BookError
from ..i18n import _


def leaves(book: Book, first: date, last: date) -> list[Leave]:
    """Every leave request that overlaps first..last."""
    from ..storage import leave as store

    return store.read(book.root, first, last)


def _lines(book: Book) -> Any:
    """The line's rules, with the rota's groups checked against the roster (a BookError names
    the rules.yaml line of a group the roster lacks)."""
    lines = book.rules.lines
    bad = duty.rota_problems(lines.duty, book.roster)
    if bad:
        from ..storage import yamlio

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
    from ..storage import leave as store
    from ..storage import yamlio

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
