"""Leave (请假): a request is checked against the roster, and judged late when it was made fewer
days before the leave starts than rules.yaml's `leave: notice_days` (12355: 如果需要请假，必须
提前三天提交申请).  Pure: storage keeps the requests in `leave/YYYY.yaml`."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ..errors import UsageError
from ..i18n import N_, _
from .model import Roster

MAX_DAYS = 366  # a longer leave is a typo (and a year's file must find it from the next year)


@dataclass
class Leave:
    id: str
    person: str
    start: date          # `from`, the first day away
    end: date            # `to`, the last day away
    requested: datetime  # when the request was made (aware)
    by: str              # who recorded it
    late: bool = False   # made less than the notice before `start`
    reason: str = ""

    def covers(self, d: date) -> bool:
        return self.start <= d <= self.end

    def overlaps(self, first: date, last: date) -> bool:
        return self.start <= last and first <= self.end


def is_late(notice_days: int, start: date, requested: datetime) -> bool:
    """Fewer than `notice_days` calendar days from the request's date to the first day away
    (requested on the 20th for the 23rd: 3 days, on time; for the 22nd: late)."""
    return (start - requested.date()).days < notice_days


def make_leave(lines: Any, roster: Roster, lid: str, person: str, start: date, end: date, requested: datetime,
               by: str, reason: str = "") -> Leave:
    """A leave request checked before anything is written (UsageError names the bad value)."""
    p = roster.one("person", person, N_("PERSON"))  # an id or a name (王聪), as every command takes a person
    if not p.active:
        raise UsageError(_("'{person}' is not active in roster.yaml (active: false)").format(person=person))
    if end < start:
        raise UsageError(_("--to {end} is before --from {start}").format(end=end.isoformat(), start=start.isoformat()))
    if (end - start).days + 1 > MAX_DAYS:
        raise UsageError(_("a leave of {days} days is too long; at most {limit} days are allowed").format(
            days=(end - start).days + 1, limit=MAX_DAYS))
    return Leave(id=lid, person=p.id, start=start, end=end, requested=requested, by=by,
                 late=is_late(lines.leave_notice_days, start, requested), reason=reason)


def leave_problems(leave: Leave, roster: Roster) -> list[tuple[str, str]]:
    """What the roster refuses in a stored request: (key, message)."""
    out = []
    for key in ("person", "by"):
        if roster.person(getattr(leave, key)) is None:
            out.append((key, _("'{person}' is not in roster.yaml").format(person=getattr(leave, key))))
    if leave.end < leave.start:
        out.append(("to", _("'to' {end} is before 'from' {start}").format(end=leave.end.isoformat(),
                                                                            start=leave.start.isoformat())))
    return out


def on_leave(leaves: list[Leave], d: date, people: list[str]) -> list[str]:
    """The ids among `people` (in their order) away on day `d`."""
    away = {x.person for x in leaves if x.covers(d)}
    return [pid for pid in people if pid in away]


def row(leave: Leave) -> dict[str, Any]:
    """A request as `leave --list` shows it."""
    return {"id": leave.id, "person": leave.person, "from": leave.start, "to": leave.end,
            "requested": leave.requested, "late": leave.late, "reason": leave.reason, "by": leave.by}
