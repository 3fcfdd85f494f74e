"""Deadline clocks (SPEC §4): each starts at an event and stops at another.

Computed from a case's event list by pure functions; events after `as_of` are
ignored, so a past `as_of` replays history.

| kind      | rules key          | starts               | stops at                                      |
|-----------|--------------------|----------------------|-----------------------------------------------|
| close     | close.<grade>      | intake               | close, or a referral                          |
| close     | close.referred     | each referral        | close, or the next referral                   |
| respond   | respond.<grade>    | intake               | first followup, refer or close                |
| refer     | refer.<grade>      | intake               | first refer or close                          |
| follow_up | follow_up.referred | each referral        | a followup after it, the next referral, close |
| revisit   | revisit.<grade>    | close                | a revisit after the close                     |
| mandatory_report | mandatory_report.due | intake (强制报告 rule) | a follow-up `--reported-police`      |
| threat_report | threats.due        | escalation of a repeated-threat caller | a follow-up `--reported-police` |

The last two are the police reports of `domain.safety` (their rules are sections of rules.yaml).

A kind/grade absent from rules.deadlines has no clock.  A clock whose due time needed the
working days of a provisional year (domain.calendar: no official data yet) is `provisional`.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from typing import Any, Iterable

from .calendar import Calendar, Duration, parse_duration
from .model import Case, Event
from .safety import police_segments

CLOCK_KINDS = ("close", "respond", "refer", "follow_up", "revisit", "mandatory_report", "threat_report")


@dataclass
class Clock:
    case: str            # case id
    kind: str            # close | respond | refer | follow_up | revisit
    start: datetime
    due: datetime
    stopped: datetime | None  # time of the event that stopped it (only events <= as_of)
    state: str           # running | overdue | met | late
    basis: str = ""      # the rules.deadlines key used: a grade, or "referred"
    provisional: bool = False  # the due time used a provisional year's working days (暂定)

    @property
    def ran_out(self) -> bool:
        return self.state in ("overdue", "late")


@lru_cache(maxsize=256)
def _duration(text: str) -> Duration:
    return parse_duration(text)


def _rule(rules: Any, kind: str, key: str) -> Duration | None:
    table = rules.deadlines.get(kind) or {}
    text = table.get(key)
    return _duration(text) if text else None


def _state(due: datetime, stopped: datetime | None, now: datetime) -> str:
    if stopped is not None:
        return "met" if stopped <= due else "late"
    return "overdue" if due < now else "running"


def case_clocks(case: Case, rules: Any, cal: Calendar, as_of: datetime,
                kinds: tuple[str, ...] | None = None) -> list[Clock]:
    """Every clock of one case as it stood at `as_of` (events after it are ignored);
    with `kinds`, only the clocks of those kinds (the others are not computed)."""
    now = cal.local(as_of)
    received = cal.local(case.received)
    if received > now:
        return []
    order = sorted(enumerate(case.events_until(now)), key=lambda p: (p[1].at, p[0]))
    events: list[Event] = [e for _, e in order]
    grade = case.grade
    clocks: list[Clock] = []

    def add(kind: str, basis: str, dur: Duration | None, start: datetime, stop: Event | None) -> None:
        if dur is None or (kinds is not None and kind not in kinds):
            return
        due, provisional = cal.due_and_provisional(start, dur)
        stopped = cal.local(stop.at) if stop is not None else None
        clocks.append(Clock(case.id, kind, start, due, stopped, _state(due, stopped, now), basis, provisional))

    def first(types: tuple[str, ...], after: int = -1) -> tuple[int, Event] | tuple[None, None]:
        for i in range(after + 1, len(events)):
            if events[i].type in types:
                return i, events[i]
        return None, None

    close_i, close_ev = first(("close",))
    # events that matter for the open life of the case: up to and including the first close
    open_end = close_i if close_i is not None else len(events) - 1
    referrals = [i for i in range(open_end + 1) if events[i].type == "refer"]

    # close: intake segment, then one segment per referral
    starts: list[tuple[str, datetime, int]] = [(grade, received, -1)]
    starts += [("referred", cal.local(events[i].at), i) for i in referrals]
    for n, (basis, start, _idx) in enumerate(starts):
        if n + 1 < len(starts):
            stop: Event | None = events[starts[n + 1][2]]
        else:
            stop = close_ev
        add("close", basis, _rule(rules, "close", basis), start, stop)

    # respond: intake -> first followup, refer or close
    _, ev = first(("followup", "refer", "close"))
    add("respond", grade, _rule(rules, "respond", grade), received, ev)

    # refer: intake -> first refer or close
    _, ev = first(("refer", "close"))
    add("refer", grade, _rule(rules, "refer", grade), received, ev)

    # follow_up: each referral -> a followup after it, the next referral, or close
    fu = _rule(rules, "follow_up", "referred")
    if fu is not None:
        for i in referrals:
            _, ev = first(("followup", "refer", "close"), after=i)
            add("follow_up", "referred", fu, cal.local(events[i].at), ev)

    # revisit: close -> a revisit after it
    if close_ev is not None:
        rv = _rule(rules, "revisit", grade)
        if rv is not None:
            _, ev = first(("revisit",), after=close_i)  # type: ignore[arg-type]
            add("revisit", grade, rv, cal.local(close_ev.at), ev)

    for kind, basis, text, start, stop in police_segments(case, rules, events, received):
        add(kind, basis, _duration(text), cal.local(start), stop)
    return clocks


def restate(clock: Clock, as_of: datetime) -> Clock:
    """The clock as it stands at `as_of`, given that no event of its case falls between the time it
    was computed at and `as_of`: only a running clock's state can differ (overdue once due)."""
    if clock.stopped is not None:
        return clock
    state = _state(clock.due, None, as_of)
    return clock if state == clock.state else replace(clock, state=state)


class ClockMemo:
    """Each case's clocks computed once, for a read that asks for them at several times close to
    each other (a report: the bulletin as of the month's last second, its points as of the next
    day's first).  Clocks computed at one time hold at another when neither the intake nor any event
    of the case falls between the two (events after `as_of` are ignored, nothing else depends on
    it): then each running clock is only stated anew (`restate`); otherwise they are computed again.
    Clocks of every kind answer a question about some kinds (the same clocks, in the same order).
    Errors are not kept: asking again raises again."""

    def __init__(self, rules: Any, cal: Calendar):
        self.rules, self.cal = rules, cal
        self._memo: dict[int, tuple[Case, datetime, tuple[str, ...] | None, list[Clock]]] = {}

    def clocks(self, case: Case, as_of: datetime, kinds: tuple[str, ...] | None = None) -> list[Clock]:
        """case_clocks(case, rules, cal, as_of, kinds), computed once for nearby times."""
        now = self.cal.local(as_of)
        got = self._memo.get(id(case))
        if got is not None and got[0] is case and (got[2] is None or got[2] == kinds):
            at, clocks = got[1], got[3]
            if at != now:
                lo, hi = (at, now) if at < now else (now, at)
                if lo < case.received <= hi or any(lo < e.at <= hi for e in case.events):
                    clocks = None
                else:
                    clocks = [restate(k, now) for k in clocks]
            if clocks is not None:
                return clocks if kinds is None or got[2] == kinds else [k for k in clocks if k.kind in kinds]
        clocks = case_clocks(case, self.rules, self.cal, now, kinds)
        if got is None or got[0] is not case or kinds is None or got[2] is not None:
            self._memo[id(case)] = (case, now, kinds, clocks)
        return clocks


def started_at(case: Case, rules: Any, cal: Calendar, at: datetime) -> list[Clock]:
    """The clocks an event at `at` has just started (running ones whose start is `at`)."""
    return [c for c in case_clocks(case, rules, cal, as_of=at) if c.start == at and c.state == "running"]


def past_the_book(case: Case, rules: Any, cal: Calendar, at: datetime) -> None:
    """Refuse an event at `at` (the case's last) that would start a clock due after the last
    date a book holds (`dates.last_day`): no `overdue`, list or bulletin could ever show it.
    A year the calendar cannot compute is left to the deadlines' own message after the write."""
    from ..errors import UsageError
    from ..i18n import _
    from . import dates, labels
    from .calendar import CalendarError

    try:
        started = started_at(case, rules, cal, at)
    except CalendarError:
        return
    for c in started:
        if cal.local(c.due).date() > dates.last_date():
            raise UsageError(_("{time}: its {deadline} deadline would be {due}, after {last}, the last date a book "
                               "holds ({range}); it could never be listed or reported, so nothing was written")
                             .format(time=f"{cal.local(at):%Y-%m-%d %H:%M}", deadline=labels.deadline(c.kind),
                                     due=f"{cal.local(c.due):%Y-%m-%d %H:%M}", last=dates.last_date().isoformat(),
                                     range=dates.range_text()))


def revisit_grades(rules: Any) -> tuple[str, ...]:
    """The grades that have a revisit clock after closing."""
    return tuple(g for g, d in (rules.deadlines.get("revisit") or {}).items() if d)


def settled_at(case: Case, rules: Any) -> datetime | None:
    """The moment from which no clock of the case can run any more, or None while one still
    can: a closed case is settled at its close, or — for the grades with a revisit clock — at
    the first revisit after the close.  This is the one definition of "which clocks run after
    closing"; the index stores it so a read asks only for cases not settled by then."""
    closed = case.closed_event()
    if closed is None:
        return None
    if case.grade not in revisit_grades(rules):
        return closed.at
    return next((e.at for e in case.events if e.type == "revisit" and closed.at <= e.at), None)


def settle_fingerprint(rules: Any) -> str:
    """What `settled_at` depends on in the rules: when it changes, stored answers are stale."""
    return "revisit:" + ",".join(sorted(revisit_grades(rules)))


def open_kinds(case: Case, rules: Any, as_of: datetime) -> tuple[str, ...] | None:
    """Which clocks of the case can still be running at `as_of`: None (any, the case is open),
    ("revisit",) (closed, awaiting its revisit) or () (closed and settled)."""
    closed = case.closed_event(as_of)
    if closed is None:
        return None
    settled = settled_at(case, rules)
    if settled is not None and settled <= as_of:
        return ()
    return ("revisit",)


def needs_committee(case: Case, rules: Any, as_of: datetime) -> bool:
    """Urged more than `urge_limit` times and still open at `as_of`: report to the committee."""
    return case.urges(as_of) > rules.urge_limit and case.status(as_of) != "closed"


def late_close_clock(case: Case, rules: Any, cal: Calendar, as_of: datetime,
                     memo: ClockMemo | None = None) -> Clock | None:
    """The case's first close clock that ran out (overdue or late), if any: its due time is the
    late closure's, and `provisional` says whether that due time is 暂定.  `memo`: clocks the same
    read computed already."""
    if memo is not None:
        return first_ran_out(memo.clocks(case, as_of, kinds=("close",)))
    return first_ran_out(case_clocks(case, rules, cal, as_of, kinds=("close",)))


def first_ran_out(clocks: Iterable[Clock]) -> Clock | None:
    """The rule of a late closure (SPEC §5, §6): the first close clock that ran out while the
    case was open — overdue, or stopped after its due time.  None: no close clock ran out."""
    return next((c for c in clocks if c.kind == "close" and c.ran_out), None)


def due_horizon(cal: Calendar, as_of: datetime, soon: Duration | None) -> datetime | None:
    """Until when `due_clocks` lists a clock as due soon (None: only overdue ones)."""
    return cal.due(cal.local(as_of), soon) if soon is not None else None


def next_due(case: Case, rules: Any, cal: Calendar) -> datetime | None:
    """The earliest due time of the clocks still running once every event of the case has
    happened (None: none runs).  At any `as_of` from the case's last event on, `due_clocks`
    lists a clock of the case only if this is before `as_of` or within its horizon — the index
    keeps it, so `overdue` reads only those cases.  Raises CalendarError like `case_clocks`."""
    last = max([case.received, *(e.at for e in case.events)])
    kinds = open_kinds(case, rules, last)
    if kinds == ():
        return None
    return min((c.due for c in case_clocks(case, rules, cal, last, kinds) if c.stopped is None), default=None)


def due_clocks(
    cases: Iterable[Case],
    rules: Any,
    cal: Calendar,
    as_of: datetime,
    soon: Duration | None = None,
) -> list[tuple[Clock, bool]]:
    """Clocks not stopped by `as_of`: due before it (True, overdue) or, with `soon`,
    due within `soon` after it (False, due soon).  Sorted by due time."""
    now = cal.local(as_of)
    horizon = due_horizon(cal, now, soon)
    out: list[tuple[Clock, bool]] = []
    for case in cases:
        kinds = open_kinds(case, rules, now)
        if kinds == ():
            continue
        for c in case_clocks(case, rules, cal, now, kinds):
            if c.stopped is not None:
                continue
            if c.due < now:
                out.append((c, True))
            elif horizon is not None and c.due <= horizon:
                out.append((c, False))
    out.sort(key=lambda p: (p[0].due, p[0].case, CLOCK_KINDS.index(p[0].kind) if p[0].kind in CLOCK_KINDS else 99))
    return out
