"""The people of the line, as writes: a leave request (`hotline leave`: checked first, then one
file and one commit). Who is on duty, the leave list and the roster are reads: `reads/staff.py`."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from ..book import Book
from ..domain.leave import Leave, make_leave


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
    from ..domain.cases import MAX_SHORT, clear_text
    from ..storage import ids
    from ..storage import leave as store

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
