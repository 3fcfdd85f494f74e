"""The duty rota (值班, 12355: 四个团队轮班工作): which group is on duty on a day, its leader and
deputies with their phones, the day's service hours, and who of the group is on leave.

A week of duty runs Monday to Sunday (ISO weeks).  Groups take turns in the order of
rules.yaml's `duty: groups` (default: roster order), `weeks` weeks each, from `duty: start`;
`duty: swaps` hands a week to another group.  Pure: the leave requests are passed in.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from ..i18n import _
from .calendar import Calendar
from .leave import Leave, on_leave
from .model import Person, Roster


def week_text(d: date) -> str:
    y, w, _d = d.isocalendar()
    return f"{y}-W{w:02d}"


def monday_of(d: date) -> date:
    return d - timedelta(days=d.weekday())


def rotation(duty: Any, roster: Roster) -> list[str]:
    """The groups in their turn (rules.yaml's order, else the roster's)."""
    return list(duty.groups) or [g.id for g in roster.groups]


def group_on(duty: Any, roster: Roster, d: date) -> tuple[str | None, bool]:
    """(the group on duty on day `d`, whether its week was swapped); None when there are no groups."""
    y, w, _d = d.isocalendar()
    if (y, w) in duty.swaps:
        return duty.swaps[(y, w)], True
    order = rotation(duty, roster)
    if not order:
        return None, False
    turn = ((monday_of(d) - duty.start).days // 7) // duty.weeks
    return order[turn % len(order)], False


def rota_problems(duty: Any, roster: Roster) -> list[tuple[list, str]]:
    """Groups the rota names that the roster does not hold: (key path in rules.yaml, message)."""
    known = {g.id for g in roster.groups}
    names = ", ".join(sorted(known)) or _("none")
    out: list[tuple[list, str]] = []
    for i, gid in enumerate(duty.groups):
        if gid not in known:
            out.append((["duty", "groups", i], _("duty.groups: unknown group '{group}'; groups in roster.yaml: {known}")
                         .format(group=gid, known=names)))
        elif gid in duty.groups[:i]:
            out.append((["duty", "groups", i], _("duty.groups: group '{group}' is listed twice").format(group=gid)))
    for (y, w), gid in duty.swaps.items():
        if gid not in known:
            week = f"{y}-W{w:02d}"
            out.append((["duty", "swaps", week], _("duty.swaps.{week}: unknown group '{group}'; groups in roster.yaml: "
                                                   "{known}").format(week=week, group=gid, known=names)))
    return out


def leaders(roster: Roster, gid: str | None) -> tuple[Person | None, list[Person]]:
    """A group's (active) leader and deputy leaders, in roster order."""
    members = [p for p in roster.people if gid and p.group == gid and p.active]
    leader = next((p for p in members if "leader" in p.roles), None)
    return leader, [p for p in members if "deputy_leader" in p.roles and p is not leader]


def person_row(p: Person | None) -> dict[str, Any] | None:
    return {"id": p.id, "name": p.name, "phone": p.phone} if p is not None else None


def hours_text(start: time, end: time) -> str:
    last = "24:00" if end >= time(23, 59, 59) else f"{end:%H:%M}"
    return f"{start:%H:%M}-{last}"


def service_periods(cal: Calendar, d: date) -> list[tuple[datetime, datetime]]:
    """The day's service periods as aware times (an end at 24:00 is the next midnight)."""
    out = []
    for start, end in cal.service_hours(d):
        s = datetime.combine(d, start, tzinfo=cal.tz)
        e = datetime.combine(d + timedelta(days=1), time(0), tzinfo=cal.tz) if end >= time(23, 59, 59) \
            else datetime.combine(d, end, tzinfo=cal.tz)
        out.append((s, e))
    return out


def day(lines: Any, cal: Calendar, roster: Roster, leaves: list[Leave], d: date,
        at: datetime | None = None) -> dict[str, Any]:
    """Duty on day `d` (at time `at`, when given): the group, its leader and deputies, whom to
    call (`contact`: the leader, or the first deputy not on leave when the leader is), the
    service hours, whether there is service (at `at`, or that day at all), who is on leave."""
    gid, swapped = group_on(lines.duty, roster, d)
    g = roster.group(gid) if gid else None
    leader, deputies = leaders(roster, gid)
    away = on_leave(leaves, d, [p.id for p in roster.people if gid and p.group == gid])
    contact = next((p for p in ([leader] if leader else []) + deputies if p.id not in away), leader)
    periods = service_periods(cal, d)
    if at is None:
        in_service = bool(periods)
    else:
        t = cal.local(at)
        in_service = any(s <= t < e for s, e in periods)
    return {
        "at": cal.local(at) if at is not None else d, "date": d, "week": week_text(d),
        "group": {"id": gid, "name": g.name if g else gid} if gid else None, "swapped": swapped,
        "leader": person_row(leader), "deputies": [person_row(p) for p in deputies],
        "contact": person_row(contact),
        "service_hours": [hours_text(s, e) for s, e in cal.service_hours(d)], "in_service": in_service,
        "on_leave": away,
    }


def days(lines: Any, cal: Calendar, roster: Roster, leaves: list[Leave], monday: date, weeks: int = 1) -> list[dict]:
    """Duty day by day for `weeks` weeks from `monday`."""
    return [day(lines, cal, roster, leaves, monday + timedelta(days=i)) for i in range(7 * weeks)]


def month_weeks(lines: Any, roster: Roster, first: date, last: date) -> list[dict[str, Any]]:
    """The weeks of duty that touch first..last: {week, start, end, group, leader, swapped}."""
    out = []
    monday = monday_of(first)
    while monday <= last:
        gid, swapped = group_on(lines.duty, roster, monday)
        g = roster.group(gid) if gid else None
        leader, _deputies = leaders(roster, gid)
        out.append({"week": week_text(monday), "start": monday, "end": monday + timedelta(days=6),
                    "group": {"id": gid, "name": g.name if g else gid} if gid else None,
                    "leader": {"id": leader.id, "name": leader.name} if leader else None, "swapped": swapped})
        monday += timedelta(days=7)
    return out
