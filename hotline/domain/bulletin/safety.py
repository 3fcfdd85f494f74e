"""The bulletin's sections on safety and duty (issue #16): cases by crisis level, callers with
repeated threats (case ids only, never a pseudonym), mandatory reports made and late, and the
month's duty groups.  Each is a small function over a `Month`, like `sections.py`."""
from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from ..duty import month_weeks
from ..safety import asks_risk, is_threat, lines_of, mandatory_applies, threat_flagged
from .context import Month

UNASSESSED = "unassessed"


def crisis_levels(m: Month) -> dict[str, Any]:
    """The month's cases with a crisis level, or of a grade that asks one (未评估 when missing)."""
    V = m.vocab.get("risk")
    asked = [c for c in m.this if c.risk or asks_risk(m.rules, c.grade)]
    counts = Counter(c.risk or UNASSESSED for c in asked)
    ids = list(V.labels) if V is not None else []
    rows = [{"id": k, "count": counts.get(k, 0)} for k in ids]
    rows += [{"id": k, "count": n} for k, n in counts.items() if k not in ids and k != UNASSESSED]
    rows.append({"id": UNASSESSED, "count": counts.get(UNASSESSED, 0)})
    lines = lines_of(m.rules)
    escalating = set(lines.crisis.escalate_levels) if lines is not None else set()
    return {"count": len(asked), "by_level": {r["id"]: r["count"] for r in rows}, "levels": rows,
            "escalated_cases": [c.id for c in asked if c.risk in escalating]}


def threat_callers(m: Month) -> list[dict[str, Any]]:
    """Callers whose threat cases reached the rule's number by the bulletin's end, with one of
    them in the month: their case ids (to report to the secretary and the police) and whether
    a report to the police is recorded."""
    by_caller: dict[str, list] = defaultdict(list)
    for c in m.cases:
        tag = c.personal.caller if c.personal else None
        if tag and is_threat(m.rules, c.categories) and m.local(c.received) <= m.end:
            by_caller[tag].append(c)
    out = []
    for cases in by_caller.values():
        if not threat_flagged(m.rules, len(cases)) or not any(m.in_month(c.received) for c in cases):
            continue
        cases.sort(key=lambda c: (c.received, c.id))
        out.append({"cases": [c.id for c in cases],
                    "reported": any(e.reported_police for c in cases for e in c.events_until(m.end))})
    return sorted(out, key=lambda r: r["cases"][0])


def mandatory_reports(m: Month) -> dict[str, Any]:
    """The mandatory reports (强制报告) due or made in the month: made on time, late, and still
    due (overdue or running) at the bulletin's end."""
    rows = []
    for c in m.cases:
        if not mandatory_applies(m.rules, c):  # the clock exists exactly then; the others' clocks are not computed here
            continue
        for k in m.clocks_of(c):
            if k.kind == "mandatory_report" and (m.in_month(k.start) or (k.stopped and m.in_month(k.stopped))):
                rows.append({"id": c.id, "due": k.due, "reported": k.stopped, "state": k.state,
                             "provisional": k.provisional})
    rows.sort(key=lambda r: (r["due"], r["id"]))
    states = Counter(r["state"] for r in rows)
    return {"count": len(rows), "made": states["met"] + states["late"], "on_time": states["met"],
            "late": states["late"], "overdue": states["overdue"], "running": states["running"], "cases": rows}


def duty_weeks(m: Month) -> list[dict[str, Any]]:
    """The weeks of duty that touch the month, with the group and its leader."""
    lines = lines_of(m.rules)
    if lines is None:
        return []
    return month_weeks(lines, m.roster, m.start.date(), m.month_end.date())
