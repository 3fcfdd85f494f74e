"""Retention and erasure (SPEC §7): when a case's personal data is due to be erased.

The line's retention period (`retention: years:` in rules.yaml, default 3 — the national hotline
guideline's minimum record keeping) runs from the case's first close; a case on legal hold
(`hold` not followed by `release`) is kept.  Pure: "now" is passed in.
"""
from __future__ import annotations

from datetime import datetime

from dateutil.relativedelta import relativedelta

from .model import Case


def has_data(case: Case) -> bool:
    """The case still holds a caller's personal data that could be erased."""
    return case.personal is not None and case.personal.armor is not None and not case.erased


def due_at(case: Case, years: int) -> datetime | None:
    """When the case's personal data is due to be erased: `years` after its first close (a withdrawn
    case: after it was withdrawn); None while it is open."""
    ended = case.closed_event() or next((e for e in case.events if e.type == "void"), None)
    return ended.at + relativedelta(years=years) if ended is not None else None


def erase_due(case: Case, years: int, as_of: datetime) -> bool:
    """Its retention period has passed, it still holds personal data, and no legal hold stands."""
    if not has_data(case) or case.on_hold:
        return False
    due = due_at(case, years)
    return due is not None and due <= as_of
