"""Property tests: the one definition of "which clocks can still run after closing"
(`clocks.settled_at`) agrees with the clocks themselves at every moment."""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.domain.calendar import Calendar
from hotline.domain.clocks import case_clocks, needs_committee, open_kinds, settled_at
from hotline.domain.model import Case, Event
from hotline.storage import config

SH = ZoneInfo("Asia/Shanghai")
RULES = config.parse_rules(config.default_rules_text(), Path("rules.yaml"))
CAL = Calendar.from_rules(RULES)
START = datetime(2026, 3, 2, 9, 0, tzinfo=SH)

steps = st.lists(st.tuples(st.sampled_from(["followup", "refer", "urge", "close", "revisit"]),
                           st.integers(min_value=0, max_value=5 * 24 * 60)), max_size=8)


def build(grade: str, seq) -> Case:
    t = START
    events = [Event("intake", START, "p1")]
    closed = False
    for typ, minutes in seq:
        t = t + timedelta(minutes=minutes)
        if typ == "revisit" and not closed or typ != "revisit" and closed:
            continue  # the commands refuse these
        closed = closed or typ == "close"
        events.append(Event(typ, t, "p1", to="legal-aid" if typ == "refer" else None,
                            outcome="resolved" if typ == "close" else None))
    return Case(id="260302-00000", received=START, channel="phone", grade=grade, owner="p1", role="other",
                events=events)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["green", "red", "gray"]), steps, st.integers(min_value=0, max_value=60 * 24 * 60))
def test_settled_at_says_when_no_clock_can_run(grade, seq, minutes):
    case = build(grade, seq)
    as_of = START + timedelta(minutes=minutes)
    settled = settled_at(case, RULES)
    kinds = open_kinds(case, RULES, as_of)
    assert (kinds == ()) == (settled is not None and settled <= as_of)
    running = [c for c in case_clocks(case, RULES, CAL, as_of) if c.stopped is None]
    if settled is not None and settled <= as_of:
        assert running == []  # what the index leaves out can never have a running clock
    elif kinds is not None:
        assert {c.kind for c in running} <= set(kinds)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["green", "red", "gray"]), steps)
def test_settled_at_is_when_the_last_clock_stopped(grade, seq):
    # the other side: a case whose clocks have all stopped is settled, at the last stop, and a
    # case with a clock still running is not (a settled_at that always said None fails here)
    case = build(grade, seq)
    later = START + timedelta(days=400)  # after every event the strategy can make
    clocks = case_clocks(case, RULES, CAL, later)
    closed = any(e.type == "close" for e in case.events)
    expected = (max(c.stopped for c in clocks)
                if closed and clocks and all(c.stopped is not None for c in clocks) else None)
    assert settled_at(case, RULES) == expected


def test_committee_after_the_fourth_urge_and_only_while_open():
    urges = [("urge", 60)] * 4
    case = build("gray", urges + [("close", 60)])
    third, fourth, closed = (START + timedelta(minutes=60 * n) for n in (3, 4, 5))
    assert not needs_committee(case, RULES, third)          # 3 urges: not more than 3
    assert needs_committee(case, RULES, fourth)             # 4 urges, open
    assert not needs_committee(case, RULES, closed)         # closed: never flagged


# ClockMemo (a report's clocks computed once): asked at one time after another, it answers as
# case_clocks does at that time — whether an event, or the intake, falls between the two times
# (then the clocks are computed again) or not (then only running clocks are stated anew: one due
# between the two times is overdue at the later one and running at the earlier one).
moments = st.integers(min_value=-60, max_value=30 * 24 * 60)  # minutes from START (before the intake too)


def _event_times(case):
    return [case.received, *(e.at for e in case.events)]


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(["green", "red", "gray"]), steps, moments, moments,
       st.sampled_from([None, ("close",), ("respond", "refer")]), st.sampled_from([None, ("close",)]),
       st.sampled_from([-1, 0, 1]), st.booleans())
def test_clock_memo_answers_as_case_clocks(grade, seq, first, second, kinds1, kinds2, nudge, at_event):
    from hotline.domain.clocks import ClockMemo

    case = build(grade, seq)
    t1 = START + timedelta(minutes=first)
    t2 = START + timedelta(minutes=second)
    if at_event:  # right at (or a second either side of) an event or a due time: where the two can part
        marks = _event_times(case) + [k.due for k in case_clocks(case, RULES, CAL, t1)]
        t2 = marks[second % len(marks)] + timedelta(seconds=nudge)
    memo = ClockMemo(RULES, CAL)
    assert memo.clocks(case, t1, kinds1) == case_clocks(case, RULES, CAL, t1, kinds1)
    assert memo.clocks(case, t2, kinds2) == case_clocks(case, RULES, CAL, t2, kinds2)
    assert memo.clocks(case, t1, kinds1) == case_clocks(case, RULES, CAL, t1, kinds1)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["green", "red", "gray"]), steps, moments)
def test_status_and_closed_event_as_of_agree_with_the_events_until_then(grade, seq, minutes):
    from hotline.domain.model import first_close

    case = build(grade, seq)
    case.events.reverse()  # the list's order is not the time order (two offices' events)
    as_of = START + timedelta(minutes=minutes)
    until = [e for e in case.events if e.at <= as_of]
    assert case.closed_event(as_of) is first_close(until)
    closed = any(e.type == "close" for e in until)
    assert case.status(as_of) == ("closed" if closed else "referred" if any(e.type == "refer" for e in until)
                                  else "open")
