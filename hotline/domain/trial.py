"""The trial period (试用期, 12355: 三个月后将替换那些不胜任这份工作的人): from a person's
`joined:` date, `trial: months` long (rules.yaml); after it the committee writes
`trial: passed` or `trial: ended` on the roster entry.  Pure."""
from __future__ import annotations

from datetime import date
from typing import Any

from .dates import add_months
from .model import Person, Roster


def trial_until(person: Person, months: int) -> date | None:
    """The day the trial is over (joined + months), None without a `joined:` date."""
    return add_months(person.joined, months) if person.joined is not None else None


def person_row(person: Person, months: int, today: date) -> dict[str, Any]:
    """{id, name, group, roles, active, joined, trial_until, in_trial, trial, decision_due}:
    `in_trial` from joining until the trial is over or decided; `decision_due` when it is over
    and the committee has not decided (an active person without `trial:`)."""
    until = trial_until(person, months)
    undecided = person.trial is None and person.active and until is not None
    return {
        "id": person.id, "name": person.name, "group": person.group, "roles": list(person.roles),
        "active": person.active, "joined": person.joined, "trial_until": until,
        "in_trial": bool(undecided and person.joined <= today < until),
        "trial": person.trial,
        "decision_due": bool(undecided and today >= until),
    }


def roster_rows(roster: Roster, months: int, today: date) -> list[dict[str, Any]]:
    return [person_row(p, months, today) for p in roster.people]
