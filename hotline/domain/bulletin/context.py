"""The month a bulletin speaks of: its bounds, its cases, and each case's clocks, computed once.

Every section of the bulletin is a small function over this context (see `sections.py`).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable

from ...errors import UsageError
from .. import dates
from ..calendar import Calendar, CalendarError
from ..clocks import Clock, ClockMemo
from ..model import Case, Roster


class ClockCache:
    """case_clocks as of the bulletin's end, computed once per case; calendar gaps become warnings,
    and the cases whose deadlines used provisional working days (暂定) are remembered."""

    def __init__(self, rules: Any, cal: Calendar, as_of: datetime, memo: ClockMemo | None = None):
        self.rules, self.cal, self.as_of = rules, cal, as_of
        self.memo = memo if memo is not None else ClockMemo(rules, cal)  # shared with the points
        self._cache: dict[int, list[Clock]] = {}
        self.missing_years: set[int] = set()
        self.other: Counter = Counter()   # other rule problems: message -> cases
        self.failed: set[str] = set()
        self.provisional: set[str] = set()           # cases with a provisional clock
        self.provisional_years: set[int] = set()     # the provisional years those clocks used

    def of(self, case: Case) -> list[Clock]:
        key = id(case)
        if key not in self._cache:
            try:
                self._cache[key] = clocks = self.memo.clocks(case, self.as_of)
                for k in clocks:
                    if k.provisional:
                        self.provisional.add(case.id)
                        self.provisional_years.update(self.cal.provisional_years_in(k.start.date(), k.due.date()))
            except CalendarError as e:  # a year no calendar source or rule covers: named, never guessed
                self.missing_years.add(e.year)
                self.failed.add(case.id)
                self._cache[key] = []
            except UsageError as e:  # e.g. no service hours at all: still list what can be listed
                self.other[str(e)] += 1
                self.failed.add(case.id)
                self._cache[key] = []
        return self._cache[key]


@dataclass
class Month:
    """One month of a book, as it stood at `end` (the month's last second, or `now` if earlier)."""

    cases: list[Case]            # every case that can matter (the month's and older open ones)
    rules: Any
    cal: Calendar
    roster: Roster
    year: int
    month: int
    start: datetime              # first second of the month
    month_end: datetime          # last second of the month
    end: datetime                # what the bulletin is as of
    this: list[Case] = field(default_factory=list)       # received in the month, by time
    previous: list[Case] = field(default_factory=list)   # received in the month before
    clocks: ClockCache | None = None

    @classmethod
    def of(cls, cases: Iterable[Case], rules: Any, cal: Calendar, roster: Roster, year: int, month: int,
           now: datetime | None = None, memo: ClockMemo | None = None) -> "Month":
        """`now`: for a month still in progress, the bulletin is as of `now` rather than the
        month's end (nothing is called overdue before it is); None: the month's end.  `memo`: the
        clocks already computed for another part of the same report (the points)."""
        cases = list(cases)
        start, month_end = dates.bounds(cal.tz, year, month)
        end = month_end if now is None else min(month_end, cal.local(now).replace(microsecond=0))
        m = cls(cases, rules, cal, roster, year, month, start, month_end, end)
        pstart, pend = dates.bounds(cal.tz, *m.previous_ym)
        m.this = sorted((c for c in cases if m.in_month(c.received)), key=lambda c: (m.local(c.received), c.id))
        m.previous = [c for c in cases if pstart <= m.local(c.received) <= pend]
        m.clocks = ClockCache(rules, cal, end, memo)
        return m

    @property
    def previous_ym(self) -> tuple[int, int]:
        return dates.shift(self.year, self.month, -1)

    @property
    def in_progress(self) -> bool:
        return self.end < self.month_end

    @property
    def vocab(self):
        return self.rules.vocab

    def local(self, t: datetime) -> datetime:
        return self.cal.local(t)

    def in_month(self, t: datetime) -> bool:
        return self.start <= self.local(t) <= self.end

    def clocks_of(self, case: Case) -> list[Clock]:
        assert self.clocks is not None
        return self.clocks.of(case)
