"""The duty rota as an iCalendar file (RFC 5545) for phone calendars: one event per service
period, the group and its leader (with the phone) in the summary.  `icalendar` is imported
here, when a calendar is asked for, never at start-up."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Iterable

from .text import safe


def _who(p: dict | None) -> str:
    if not p:
        return ""
    return f"{p['name']} {p['phone']}" if p.get("phone") else p["name"]


def duty_calendar(periods: Iterable[tuple[dict[str, Any], datetime, datetime]], stamp: datetime,
                  title: str, words: dict[str, str]) -> bytes:
    """`periods`: (duty day, start, end) per service period; `stamp`: DTSTAMP (the command's
    "now"); `words`: the labels in the reader's language (duty, leader, deputies, on_leave).
    UIDs name the period, not the group, so a re-import after a swap updates the event."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//hotline//duty rota//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", safe(title))
    for day, start, end in periods:
        group = (day.get("group") or {}).get("name") or "—"
        ev = Event()
        ev.add("uid", f"hotline-duty-{start.astimezone(timezone.utc):%Y%m%dT%H%M%SZ}@hotline.invalid")
        ev.add("dtstamp", stamp.astimezone(timezone.utc))
        ev.add("dtstart", start)
        ev.add("dtend", end)
        lead = _who(day.get("leader"))
        ev.add("summary", safe(f"{words['duty']} {group}" + (f" · {words['leader']} {lead}" if lead else "")))
        lines = []
        if day.get("deputies"):
            lines.append(f"{words['deputies']}: " + ", ".join(_who(p) for p in day["deputies"]))
        if day.get("on_leave"):
            lines.append(f"{words['on_leave']}: " + ", ".join(day["on_leave"]))
        if lines:
            ev.add("description", safe("\n".join(lines)))
        cal.add_component(ev)
    cal.add_missing_timezones()
    return cal.to_ical()
