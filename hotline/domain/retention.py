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


def ended_at(case: Case) -> datetime | None:
    """When the retention period starts: the case's first close (a withdrawn case: its withdrawal);
    None while it is open."""
    ended = case.closed_event() or next((e for e in case.events if e.type == "void"), None)
    return ended.at if ended is not None else None


def counting_from(case: Case) -> datetime | None:
    """`ended_at` for a case whose data retention can erase (it holds data, no hold stands); else None
    (what the index keeps, so `report` and `check` find what is due without reading every case)."""
    return ended_at(case) if has_data(case) and not case.on_hold else None


def due_at(case: Case, years: int) -> datetime | None:
    """When the case's personal data is due to be erased: `years` after `ended_at`."""
    ended = ended_at(case)
    return ended + relativedelta(years=years) if ended is not None else None


def threshold(years: int, as_of: datetime) -> datetime:
    """Cases that ended at or before this are past the retention period at `as_of`."""
    return as_of - relativedelta(years=years)


def erase_due(case: Case, years: int, as_of: datetime) -> bool:
    """Its retention period has passed, it still holds personal data, and no legal hold stands."""
    if not has_data(case) or case.on_hold:
        return False
    due = due_at(case, years)
    return due is not None and due <= as_of
