"""What is late or due soon (SPEC §4, `hotline overdue`): one row per clock, grouped so each
leader sees their own people."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

from .calendar import Calendar, CalendarError, Duration
from .clocks import due_clocks, needs_committee
from .model import Case, Roster


def overdue_rows(cases: Iterable[Case], rules: Any, cal: Calendar, roster: Roster, as_of: datetime,
                 soon: Duration | None = None, group: str | None = None) -> tuple[list[dict], list[str]]:
    """Rows for every clock due before `as_of` and not stopped (plus, with `soon`, those due
    within it); and warnings for cases whose deadlines the calendar cannot compute (named,
    never guessed).  A row's `provisional` says its due time used a provisional year's working
    days (暂定; `cal.provisional_used` names the years).  Rows are ordered by group (roster
    order), then due time."""
    rows: list[dict] = []
    warnings: dict[str, list[str]] = {}
    for case in cases:
        try:
            found = due_clocks([case], rules, cal, as_of, soon)
        except CalendarError as e:
            warnings.setdefault(str(e), []).append(case.id)
            continue
        for clock, late in found:
            owner = case.current_owner(as_of)
            person = roster.person(owner)
            gid = person.group if person else None
            if group and gid != group:
                continue
            rows.append({
                "case": case.id, "kind": clock.kind, "due": clock.due, "provisional": clock.provisional,
                "owner": owner,
                "owner_name": person.name if person else owner, "group": gid, "overdue": late,
                "urges": case.urges(as_of), "committee": needs_committee(case, rules, as_of),
                "grade": case.grade, "status": case.status(as_of),
            })
    order = {g.id: i for i, g in enumerate(roster.groups)}
    rows.sort(key=lambda r: (order.get(r["group"], len(order)), r["due"], r["case"]))
    msgs = [f"{msg} (cases: {', '.join(ids[:5])}{'…' if len(ids) > 5 else ''})" for msg, ids in warnings.items()]
    return rows, msgs


def leaders_of(roster: Roster, gid: str | None) -> list[str]:
    """The names of a group's leaders, for the heading of its part of the list."""
    return [p.name for p in roster.people if gid and p.group == gid and "leader" in p.roles]
