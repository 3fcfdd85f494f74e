"""What an intake must set in motion at once, beyond the case itself (domain.safety's rules):
whom to report to now — the director(s) for a red case; the director(s) and the leader of
the group on duty for a high crisis level, with the emergency numbers; the secretary (and
the police) for a caller's repeated threats — and the escalation events that record it."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..book import Book
from ..domain import safety
from ..domain.cases import IntakeInput
from ..domain.model import Event, Person
from ..i18n import _


@dataclass
class Alerts:
    people: list[Person] = field(default_factory=list)   # reported to at once (escalation)
    note: str = ""
    reason: str | None = None
    high_risk: bool = False
    duty: dict | None = None                              # duty at the moment of a high-risk intake
    duty_problem: str = ""                                # why the rota could not say (never blocks an intake)
    emergency: dict[str, str] = field(default_factory=dict)
    threat_cases: list[str] = field(default_factory=list)  # the caller's earlier threat cases (flagged caller)
    threat_to: list[Person] = field(default_factory=list)

    def events(self, actor: str, at: datetime) -> list[Event]:
        out = []
        if self.people:
            out.append(Event(type="escalate", at=at, by=actor, to=[p.id for p in self.people], note=self.note,
                             reason=self.reason))
        if self.threat_to:
            out.append(Event(type="escalate", at=at, by=actor, to=[p.id for p in self.threat_to],
                             note=_(safety.NOTE_THREATS), reason=safety.ESCALATE_THREATS))
        return out

    def message(self) -> str:
        """For the commit message: ids only, no personal data."""
        msg = f"; escalated to {', '.join(p.id for p in self.people)}" if self.people else ""
        if self.high_risk:
            msg += " (high risk)"
        if self.threat_to:
            msg += f"; repeated threats reported to {', '.join(p.id for p in self.threat_to)}"
        return msg


def at_intake(book: Book, data: IntakeInput, received: datetime) -> Alerts:
    """Whom a new case is reported to at once (before anything is written)."""
    from ..errors import HotlineError
    from ..reads.staff import duty_at

    high = safety.crisis_escalates(book.rules, data.risk)
    duty, problem = None, ""
    if high:
        try:
            duty = duty_at(book, received)
        except HotlineError as e:  # a broken rota or leave file: the call is still taken and escalated
            problem = str(e)
    contact = book.roster.person(duty["contact"]["id"]) if duty and duty["contact"] else None
    people, note, reason = safety.escalation(book.rules, book.roster, data.grade, data.risk, contact)
    emergency = dict(book.rules.lines.crisis.emergency) if high else {}
    return Alerts(people=people, note=note, reason=reason, high_risk=high, duty=duty, duty_problem=problem,
                  emergency=emergency)


def add_threats(book: Book, alerts: Alerts, data: IntakeInput, callers: list[str] | None) -> None:
    """A threat case from a caller whose threat cases (this one included) reach the rule's
    number: report to the secretary (and the police).  Needs the caller's ids."""
    if not callers or not safety.is_threat(book.rules, data.categories):
        return
    from ..reads.callers import cases_of

    earlier = [c.id for c in cases_of(book, callers) if safety.is_threat(book.rules, c.categories)]
    if safety.threat_flagged(book.rules, len(earlier) + 1):
        alerts.threat_cases = earlier
        alerts.threat_to = safety.threat_targets(book.roster)


def police_due(book: Book, case: Any, at: datetime) -> list[Any]:
    """The case's police reports (mandatory report, repeated threats) not yet recorded at `at`."""
    from ..domain.clocks import case_clocks

    return [k for k in case_clocks(case, book.rules, book.calendar, at, kinds=safety.POLICE_KINDS)
            if k.stopped is None]
