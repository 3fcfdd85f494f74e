"""The caller's file (来电者档案, 12355: 为调用者建立文件): every case of one caller, oldest first,
how many were threats and whether the caller is flagged for repeated threats — recognised by
the keyed pseudonym of the contact, never showing it or any personal data.  Pure."""
from __future__ import annotations

from typing import Any, Iterable

from .calendar import Calendar
from .model import Case
from .safety import is_threat, threat_flagged


def caller_file(cases: Iterable[Case], rules: Any, cal: Calendar) -> dict[str, Any]:
    """{cases: [{id, received, grade, status, categories}], threats, flagged, reported_police}."""
    ordered = sorted(cases, key=lambda c: (c.received, c.id))
    threats = [c for c in ordered if is_threat(rules, c.categories)]
    return {
        "cases": [{"id": c.id, "received": cal.local(c.received), "grade": c.grade, "status": c.status(),
                   "categories": list(c.categories), "risk": c.risk,
                   "threat": is_threat(rules, c.categories)} for c in ordered],
        "threats": len(threats),
        "flagged": threat_flagged(rules, len(threats)),
        "reported_police": any(e.reported_police for c in threats for e in c.events),
    }
