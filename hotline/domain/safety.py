"""Safety rules around a call (rules.yaml `crisis`, `threats`, `mandatory_report`):

- a crisis level in `escalate_levels` (default high, 心理援助热线技术指南) is reported at once to
  the director(s) and the duty leader (12355: 遇到心理危机时…及时向班主任报告);
- a caller with `repeat` or more cases in the threat categories is reported to the secretary and
  the police (12355: 如果遇到多种威胁，应将其报告给行政秘书…并联系公安部门): intake records an
  escalation to the secretary, which starts a `threat_report` clock;
- a case of domestic violence or sexual abuse with a child or teen caller or victim is reported
  to the police (反家庭暴力法 §14): a `mandatory_report` clock from intake.

Both police clocks stop at the first follow-up (or revisit) recorded `--reported-police`;
`clocks.case_clocks` asks `police_segments` for them.  Pure.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from ..i18n import N_, _
from .model import Case, Event, Person, Roster

ESCALATE_HIGH = "high_risk"            # Event.reason of the escalation for a high crisis level
ESCALATE_THREATS = "repeated_threats"  # Event.reason of the escalation of a repeated-threat caller
POLICE_KINDS = ("mandatory_report", "threat_report")
# the escalation events' notes, in the book's language when written (like the red case's)
NOTE_RED = N_("red case, reported to the director")
NOTE_HIGH = N_("high crisis level, reported to the director and the duty leader")
NOTE_THREATS = N_("repeated threats: report to the secretary and the police")


def lines_of(rules: Any) -> Any:
    """The line's rules (domain.linerules.LineRules), or None for rules without them."""
    return getattr(rules, "lines", None)


def directors(roster: Roster) -> list[Person]:
    return roster.with_role("director") or roster.with_role("deputy_director")


def crisis_escalates(rules: Any, risk: str | None) -> bool:
    lines = lines_of(rules)
    return bool(risk and lines is not None and risk in lines.crisis.escalate_levels)


def escalation(rules: Any, roster: Roster, grade: str, risk: str | None,
               duty_contact: Person | None) -> tuple[list[Person], str, str | None]:
    """Whom an intake reports to at once, the event's note and reason: the director(s) for a
    grade in `escalate_grades`; the director(s) and the duty leader (`duty_contact`) for a
    crisis level in `escalate_levels`; ([], "", None) when neither."""
    if not crisis_escalates(rules, risk):
        from .cases import escalation_targets  # only intake needs it (clocks import this module)

        people = escalation_targets(rules, roster, grade)
        return people, (_(NOTE_RED) if people else ""), None
    people = list(directors(roster))
    if duty_contact is not None and duty_contact.id not in {p.id for p in people}:
        people.append(duty_contact)
    return people, _(NOTE_HIGH), ESCALATE_HIGH


def asks_risk(rules: Any, grade: str | None) -> bool:
    lines = lines_of(rules)
    return bool(grade and lines is not None and grade in lines.crisis.ask_grades)


def is_threat(rules: Any, categories: list[str]) -> bool:
    lines = lines_of(rules)
    return lines is not None and bool(set(categories) & set(lines.threats.categories))


def threat_flagged(rules: Any, threat_cases: int) -> bool:
    """A caller with this many threat cases is to be reported to the secretary and the police."""
    lines = lines_of(rules)
    return lines is not None and threat_cases >= lines.threats.repeat


def threat_targets(roster: Roster) -> list[Person]:
    """The secretary (行政秘书), else the director(s)."""
    return roster.with_role("secretary") or directors(roster)


def mandatory_applies(rules: Any, case: Case) -> bool:
    """The rule of the mandatory report: its categories, with a caller or victim of its age groups."""
    lines = lines_of(rules)
    if lines is None or not lines.mandatory.enabled:
        return False
    m = lines.mandatory
    if case.age_group not in m.age_groups and case.victim_age_group not in m.age_groups:
        return False  # asked first: most callers are adults, and this is asked for every case's clocks
    return any(c in m.categories for c in case.categories)


def asks_victim_age(rules: Any, categories: list[str], role: str | None) -> bool:
    """Whether intake asks the age group of the person harmed: the mandatory report's
    categories, and a caller who is not that person."""
    lines = lines_of(rules)
    if lines is None or not lines.mandatory.enabled or not role:
        return False
    return bool(set(categories) & set(lines.mandatory.categories)) and role not in lines.mandatory.victim_roles


def police_segments(case: Case, rules: Any, events: list[Event],
                    received: datetime) -> list[tuple[str, str, str, datetime, Event | None]]:
    """The police clocks of a case: (kind, basis, duration text, start, the event that stopped
    it or None), over `events` in time order (those up to the clock's as-of)."""
    lines = lines_of(rules)
    if lines is None:
        return []
    out: list[tuple[str, str, str, datetime, Event | None]] = []
    if mandatory_applies(rules, case):
        out.append(("mandatory_report", "mandatory_report", lines.mandatory.due, received, _reported(events, -1)))
    for i, e in enumerate(events):
        if e.reason == ESCALATE_THREATS and e.type == "escalate":
            out.append(("threat_report", "threats", lines.threats.due, e.at, _reported(events, i)))
    return out


def _reported(events: list[Event], after: int) -> Event | None:
    """The first event after index `after` recorded as reported to the police."""
    return next((e for e in events[after + 1:] if e.reported_police), None)


def case_problems(case: Case, rules: Any) -> list[tuple[list, str]]:
    """The case's crisis level and victim age group against the vocabularies (for `check`)."""
    out: list[tuple[list, str]] = []
    risk = rules.vocab.get("risk")
    if case.risk is not None and risk is not None and case.risk not in risk.labels:
        out.append((["risk"], _("unknown crisis level '{level}'; allowed: {allowed}").format(
            level=case.risk, allowed=", ".join(risk.labels))))
    ages = rules.vocab["age_group"].labels
    if case.victim_age_group is not None and case.victim_age_group not in ages:
        out.append((["victim_age_group"], _("unknown age_group '{value}'; allowed: {allowed}").format(
            value=case.victim_age_group, allowed=", ".join(ages))))
    return out
