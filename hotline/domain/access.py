"""Need to know (SPEC §7): who may open a case's personal data, and why.

By default a case's caller data opens for its owner and whoever it was assigned to, the leaders
of those people's groups, the directors and the secretary; rules.yaml's `access:` changes the
roles (`linerules.Access`).  People who left (`active: false`) read nothing.  Pure: the reasons
are ids (`owner`, `assigned`, `group:<role>`, `role:<role>`); words are chosen where they are shown.
"""
from __future__ import annotations

from datetime import datetime

from .linerules import Access
from .model import Case, Roster


def holders(case: Case, as_of: datetime | None = None) -> list[str]:
    """The case's owner and everyone it was assigned to (in order, once each)."""
    out = [case.owner]
    for e in case.events_until(as_of):
        if e.type == "assign" and isinstance(e.to, str) and e.to not in out:
            out.append(e.to)
    return out


def readers(case: Case, roster: Roster, access: Access, as_of: datetime | None = None) -> dict[str, list[str]]:
    """Person id → the reasons they may open the case's personal data (empty: nobody may)."""
    out: dict[str, list[str]] = {}
    owners = holders(case, as_of)
    groups = {p.group for pid in owners if (p := roster.person(pid)) is not None and p.group}
    for p in roster.people:
        if not p.active:
            continue
        why: list[str] = []
        if access.owner and p.id in owners:
            why.append("owner" if p.id == case.owner else "assigned")
        if p.group in groups:
            why += [f"group:{r}" for r in p.roles if r in access.group_roles]
        why += [f"role:{r}" for r in p.roles if r in access.all_roles]
        if why:
            out[p.id] = why
    return out


def may_read(case: Case, roster: Roster, access: Access, person_id: str) -> bool:
    return person_id in readers(case, roster, access)
