"""The monthly bulletin (SPEC §6): the data behind `hotline report --month`, as one plain dict.

`bulletin()` builds the month's context (`context.Month`) and asks each section
(`sections.py`) for its part; the templates in `templates/` turn the dict into Markdown or
HTML, and `--format json` prints it.  No printing, no templates, no files here.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

from .. import dates
from ..calendar import Calendar
from ..model import Case, Roster
from . import safety, sections, upward
from .context import Month
from .sections import TREND_MONTHS, trend_months

__all__ = ["bulletin", "Month", "TREND_MONTHS", "trend_months"]


def bulletin(
    cases: Iterable[Case],
    rules: Any,
    cal: Calendar,
    roster: Roster,
    year: int,
    month: int,
    scores: Any = None,
    now: datetime | None = None,
    trend_counts: dict[tuple[int, int], dict[str, int]] | None = None,
    upward_inputs: Any = None,
    compare: tuple[dict | None, dict | None] = (None, None),
    memo: Any = None,
) -> dict[str, Any]:
    """The monthly bulletin's data as a plain dict (see `sections.py` for what each part counts).

    `now`: for a month still in progress, the bulletin is as of `now` rather than the
    month's end; None: the month's end.  `scores`: the month's points (points.Scores).
    `trend_counts`: month -> grade -> cases, when counted already (from the index).
    `upward_inputs`: what the upward indicators need beyond the cases (`upward.Inputs`; None: none
    are computed); `compare`: the headline numbers of the month before and of the same month last
    year (`upward.headline`).  `memo`: a `clocks.ClockMemo` the points of the same report filled
    (each case's clocks computed once).
    """
    m = Month.of(cases, rules, cal, roster, year, month, now, memo)
    by, dist = sections.distributions(m)
    hot, rising = sections.topics(m, dist["category"])
    open_counts, overdue = sections.backlog(m)
    data: dict[str, Any] = {
        "month": dates.text(year, month),
        "year": year,
        "month_number": month,
        "period": {"start": m.start, "end": m.month_end},
        "as_of": m.end,
        "in_progress": m.in_progress,
        "timezone": str(cal.tz),
        "received": len(m.this),
        "previous_month": dates.text(*m.previous_ym),
        "previous_received": len(m.previous),
        **{f"by_{key}": by[key] for key, _ in sections.DISTRIBUTIONS},
        "dist": dist,
        "hot_topics": hot,
        "rising_topics": rising,
        "red_cases": sections.red_cases(m),
        "referrals": sections.referrals(m),
        "closures": sections.closures(m),
        "open_at_month_end": open_counts,
        "overdue_at_month_end": overdue,
        "repeat_callers": sections.repeat_callers(m),
        "volunteers": sections.volunteers(m),
        "ranking": sections.ranking(scores),
        "typical_cases": sections.typical_cases(m),
        "trend": sections.trend(m, trend_counts),
        "grades": [{"id": g} for g in rules.vocab["grade"].labels],
        "crisis_levels": safety.crisis_levels(m),
        "threat_callers": safety.threat_callers(m),
        "mandatory_reports": safety.mandatory_reports(m),
        "duty_weeks": safety.duty_weeks(m),
    }
    if upward_inputs is not None:
        data["upward"] = upward.upward(m, upward_inputs, data["referrals"], *compare)
    data["provisional"] = sections.provisional(m)  # last: the sections above fill the clock cache
    data["notices"] = sections.notices(m)
    return data
