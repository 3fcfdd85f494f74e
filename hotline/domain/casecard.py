"""A case as a person reads it (`hotline show`): the registration form, its events and its
deadlines, as plain data with labels — the CLI lays it out, `--format json` prints it."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from ..errors import UsageError
from . import labels
from .calendar import Calendar
from .clocks import case_clocks, needs_committee
from .model import Case, Event, Roster


def _person(roster: Roster, pid: str) -> dict[str, str | None]:
    """{id, name}; name is None for someone not in the roster."""
    p = roster.person(pid)
    return {"id": pid, "name": p.name if p else None}


def _event(e: Event, rules: Any, cal: Calendar, roster: Roster) -> dict[str, Any]:
    row: dict[str, Any] = {"at": cal.local(e.at), "type": e.type, "type_label": labels.event(e.type),
                           "by": _person(roster, e.by), "note": e.note}
    if e.type == "refer":
        p = roster.partner(e.to)
        row["to"] = {"id": e.to, "name": p.name if p else e.to}
    elif e.type == "assign":
        row["to"] = _person(roster, e.to)
    elif e.type == "escalate":
        row["to"] = [_person(roster, x) for x in (e.to or [])]
    elif e.type == "close":
        row["outcome"] = e.outcome
        row["outcome_label"] = rules.label("outcome", e.outcome or "")
        row["reason"] = e.reason
    elif e.type in ("void", "hold", "release", "erase"):
        row["reason"] = e.reason
    elif e.type == "amend":
        row["fields"] = list(e.changes or {})
    if e.type == "escalate" and e.reason:
        row["reason"] = e.reason
        row["type_label"] = labels.escalation(e.reason)
    if e.reported_police:
        row["reported_police"] = True
    if e.partner_answer:
        row["partner_answer"] = e.partner_answer
        row["partner_answer_label"] = labels.answer(e.partner_answer)
    return row


def _risk_label(case: Case, rules: Any) -> str | None:
    """The crisis level's label; "not assessed" for a grade that asks it; None otherwise."""
    from .safety import asks_risk

    if case.risk:
        return rules.label("risk", case.risk) if "risk" in rules.vocab else case.risk
    return labels.not_assessed() if asks_risk(rules, case.grade) else None


def case_card(case: Case, rules: Any, cal: Calendar, roster: Roster, now: datetime) -> dict[str, Any]:
    """Everything `show` shows, as of `now` (or the case's last event, if later)."""
    L = rules.label
    status = case.status()
    as_of = max(now, case.events[-1].at)
    card: dict[str, Any] = {
        "id": case.id,
        "status": status,
        "status_label": labels.status(status),
        "received": cal.local(case.received),
        "channel": case.channel, "channel_label": L("channel", case.channel),
        "grade": case.grade, "grade_label": L("grade", case.grade),
        "risk": case.risk, "risk_label": _risk_label(case, rules),
        "victim_age_group": case.victim_age_group,
        "owner": _person(roster, case.owner),
        "current_owner": _person(roster, case.current_owner()),
        "caller": {
            "role": case.role, "role_label": L("role", case.role),
            "gender": case.gender, "gender_label": L("gender", case.gender),
            "age_group": case.age_group, "age_group_label": L("age_group", case.age_group),
            "region": case.region, "occupation": case.occupation,
        },
        "categories": [{"id": x, "label": L("category", x)} for x in case.categories],
        "needs": [{"id": x, "label": L("need", x)} for x in case.needs],
        "consent_publish": case.consent_publish,
        "summary": case.summary,
        "response": case.response,
        "void": next((e.reason or "" for e in case.events if e.type == "void"), None),
        "void_label": labels.event("void"),
        "personal": ({"recipients": case.personal.recipients, **({"erased": True} if case.erased else {})}
                     if case.personal is not None else None),
        # fields two offices changed differently (every value kept until `hotline resolve`)
        "conflicts": {name: ([] if name == "personal" else list(rec.get("values", [])))
                      for name, rec in (case.conflicts or {}).items()},
        "events": [_event(e, rules, cal, roster) for e in case.events],
        # closed more than once (two offices, before they synced): the first close counts, the
        # others stay in the history only
        "closes": [_event(e, rules, cal, roster) for e in case.closes()] if len(case.closes()) > 1 else [],
        "deadlines": [],
        "deadline_error": None,
        "urges": case.urges() if status != "closed" else 0,
        "committee": needs_committee(case, rules, as_of),
    }
    try:
        clocks = case_clocks(case, rules, cal, as_of=as_of)
    except UsageError as e:  # a calendar gap (CalendarError) or a rule that cannot be computed
        card["deadline_error"] = str(e)
        clocks = []
    card["deadlines"] = [{"kind": k.kind, "kind_label": labels.deadline(k.kind), "due": cal.local(k.due),
                          "state": k.state, "state_label": labels.state(k.state), "provisional": k.provisional}
                         for k in clocks]
    # the years whose provisional working days (暂定) the deadlines used
    card["provisional_years"] = sorted({y for k in clocks if k.provisional
                                        for y in cal.provisional_years_in(k.start.date(), k.due.date())})
    return card


def referral_context(case: Case, rules: Any, cal: Calendar, roster: Roster, personal: dict) -> dict[str, Any]:
    """What the referral / task-assignment form shows for the case's latest referral: the
    partner, who referred, when feedback is due (the close clock the referral started; 暂定
    when it used provisional working days), and
    the caller's personal data only when given (the caller agreed)."""
    event = case.events[-1]
    due = [c for c in case_clocks(case, rules, cal, as_of=event.at) if c.kind == "close" and c.start == event.at]
    return {
        "case": case, "event": event, "partner": roster.partner(event.to), "by": roster.person(event.by),
        "feedback_due": f"{due[0].due.astimezone(cal.tz):%Y-%m-%d %H:%M}" + (" " + labels.provisional() if due[0].provisional else "")
                        if due else "—",
        "personal": personal, "label": rules.label,
    }
