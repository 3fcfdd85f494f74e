"""Deadline clocks of SPEC §4, on the default rules and the real 2026 calendar.

Calendar facts used: National Day 2026 is 10-01..10-07 off, Sat 10-10 is a make-up
working day, Sun 10-11 off; Spring Festival 02-15..02-23 off, Sat 02-14 and Sat 02-28
are make-up working days.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hotline.domain.calendar import Calendar, parse_duration
from hotline.domain.clocks import Clock, case_clocks, due_clocks, late_close_clock
from hotline.domain.model import Case, Event
from hotline.storage import config

SH = ZoneInfo("Asia/Shanghai")


def at(y, mo, d, h=12, mi=0):
    return datetime(y, mo, d, h, mi, tzinfo=SH)


def eod(y, mo, d):
    return datetime(y, mo, d, 23, 59, 59, tzinfo=SH)


@pytest.fixture(scope="module")
def rules():
    return config.parse_rules(config.default_rules_text(), Path("rules.yaml"))


@pytest.fixture(scope="module")
def cal(rules):
    return Calendar.from_rules(rules)


def make_case(grade: str, received: datetime, *events: tuple, cid: str = "2026-0001") -> Case:
    """events: (type, at) or (type, at, to)"""
    evs = [Event("intake", received, "p1")]
    if grade == "red":
        evs.append(Event("escalate", received, "p1", to=["dir"]))
    for e in events:
        evs.append(Event(e[0], e[1], "p1", to=e[2] if len(e) > 2 else None,
                         outcome="resolved" if e[0] == "close" else None))
    return Case(id=cid, received=received, channel="phone", grade=grade, owner="p1", role="survivor", events=evs)


def only(clocks: list[Clock], kind: str) -> list[Clock]:
    return [c for c in clocks if c.kind == kind]


# --------------------------------------------------------------------------- close, green


def test_green_closed_same_day_is_met(rules, cal):
    case = make_case("green", at(2026, 10, 9, 11), ("close", at(2026, 10, 9, 16)))
    clocks = case_clocks(case, rules, cal, at(2026, 12, 1))
    assert [c.kind for c in clocks] == ["close"]  # green has no respond/refer/revisit clock
    (c,) = clocks
    assert (c.case, c.start, c.due, c.stopped, c.state, c.basis) == (
        "2026-0001", at(2026, 10, 9, 11), eod(2026, 10, 9), at(2026, 10, 9, 16), "met", "green")
    assert not c.ran_out


def test_green_closed_next_day_is_late(rules, cal):
    case = make_case("green", at(2026, 10, 9, 11), ("close", at(2026, 10, 10, 9)))
    (c,) = case_clocks(case, rules, cal, at(2026, 12, 1))
    assert c.state == "late" and c.ran_out


def test_green_after_hours_is_due_next_service_day(rules, cal):
    # Fri 18:00, after 17:00 closing: the service day is Sat 10-10 (a make-up working day)
    case = make_case("green", at(2026, 10, 9, 18))
    (c,) = case_clocks(case, rules, cal, at(2026, 10, 10, 23))
    assert c.due == eod(2026, 10, 10) and c.state == "running" and c.stopped is None
    (c,) = case_clocks(case, rules, cal, at(2026, 10, 11, 0))
    assert c.state == "overdue"


# --------------------------------------------------------------------------- respond, red


def test_red_respond_one_hour(rules, cal):
    rec = at(2026, 9, 30, 10)
    case = make_case("red", rec, ("urge", at(2026, 9, 30, 10, 20)), ("assign", at(2026, 9, 30, 10, 25), "p2"),
                     ("followup", at(2026, 9, 30, 10, 30)))
    clocks = case_clocks(case, rules, cal, at(2026, 9, 30, 12))
    (r,) = only(clocks, "respond")
    assert r.due == at(2026, 9, 30, 11) and r.stopped == at(2026, 9, 30, 10, 30) and r.state == "met"
    (c,) = only(clocks, "close")
    assert c.due == eod(2026, 10, 10) and c.state == "running"  # 3 working days over National Day
    assert only(clocks, "refer") == [] and only(clocks, "revisit") == []


def test_red_respond_late_and_overdue(rules, cal):
    rec = at(2026, 9, 30, 10)
    late = make_case("red", rec, ("followup", at(2026, 9, 30, 11, 30)))
    (r,) = only(case_clocks(late, rules, cal, at(2026, 9, 30, 12)), "respond")
    assert r.state == "late"
    silent = make_case("red", rec, ("urge", at(2026, 9, 30, 10, 50)))  # escalate/urge never stop it
    (r,) = only(case_clocks(silent, rules, cal, at(2026, 9, 30, 10, 59)), "respond")
    assert r.state == "running"
    (r,) = only(case_clocks(silent, rules, cal, at(2026, 9, 30, 11, 1)), "respond")
    assert r.state == "overdue" and r.stopped is None


def test_red_respond_stopped_by_refer_or_close(rules, cal):
    rec = at(2026, 9, 30, 10)
    for kind in ("refer", "close"):
        case = make_case("red", rec, (kind, at(2026, 9, 30, 10, 45), "partner" if kind == "refer" else None))
        (r,) = only(case_clocks(case, rules, cal, at(2026, 9, 30, 12)), "respond")
        assert r.stopped == at(2026, 9, 30, 10, 45) and r.state == "met"


# --------------------------------------------------------------------------- gray: refer, referral chain


def test_gray_refer_clock_and_referral_over_spring_festival(rules, cal):
    rec = at(2026, 2, 13, 11)
    case = make_case("gray", rec, ("refer", at(2026, 2, 24, 10), "partner"))
    clocks = case_clocks(case, rules, cal, at(2026, 2, 26))
    (ref,) = only(clocks, "refer")
    # 3 working days after Fri 02-13: Sat 02-14 (调休), Tue 02-24, Wed 02-25
    assert ref.due == eod(2026, 2, 25) and ref.state == "met"
    first, second = only(clocks, "close")
    assert (first.basis, first.due, first.stopped, first.state) == ("gray", eod(2026, 2, 25), at(2026, 2, 24, 10), "met")
    # 7 working days after 02-24: 25, 26, 27, Sat 28 (调休), 03-02, 03, 04
    assert (second.basis, second.start, second.due, second.state) == ("referred", at(2026, 2, 24, 10), eod(2026, 3, 4), "running")
    (fu,) = only(clocks, "follow_up")
    assert fu.start == at(2026, 2, 24, 10) and fu.due == eod(2026, 3, 3) and fu.state == "running"


def test_gray_refer_overdue_then_closed(rules, cal):
    case = make_case("gray", at(2026, 2, 13, 11), ("close", at(2026, 2, 27, 10)))
    (ref,) = only(case_clocks(case, rules, cal, at(2026, 2, 26)), "refer")
    assert ref.state == "overdue"
    (ref,) = only(case_clocks(case, rules, cal, at(2026, 3, 1)), "refer")
    assert ref.state == "late" and ref.stopped == at(2026, 2, 27, 10)


def test_referral_restarts_close_clock(rules, cal):
    rec = at(2026, 9, 28, 10)   # red: close due 3 working days -> 09-29, 09-30, 10-08
    case = make_case(
        "red", rec,
        ("followup", at(2026, 9, 28, 10, 30)),
        ("refer", at(2026, 10, 9, 15), "partner_a"),     # after the first close clock ran out
        ("followup", at(2026, 10, 12, 10)),
        ("refer", at(2026, 10, 20, 9), "partner_b"),     # after the second ran out (due 10-19)
        ("close", at(2026, 10, 22, 16)),
    )
    closes = only(case_clocks(case, rules, cal, at(2026, 10, 23)), "close")
    assert [(c.basis, c.start, c.due, c.stopped, c.state) for c in closes] == [
        ("red", rec, eod(2026, 10, 8), at(2026, 10, 9, 15), "late"),
        # 7 working days after Fri 10-09: Sat 10-10 (调休), 12, 13, 14, 15, 16, 19
        ("referred", at(2026, 10, 9, 15), eod(2026, 10, 19), at(2026, 10, 20, 9), "late"),
        ("referred", at(2026, 10, 20, 9), eod(2026, 10, 29), at(2026, 10, 22, 16), "met"),
    ]


def test_referral_before_due_replaces_clock_as_met(rules, cal):
    rec = at(2026, 9, 28, 10)
    case = make_case("red", rec, ("refer", at(2026, 9, 30, 9), "partner_a"))
    old, new = only(case_clocks(case, rules, cal, at(2026, 10, 9)), "close")
    assert old.state == "met" and not old.ran_out
    # 7 working days after 09-30: 10-08, 09, Sat 10 (调休), 12, 13, 14, 15
    assert new.due == eod(2026, 10, 15) and new.state == "running"


def test_follow_up_per_referral(rules, cal):
    rec = at(2026, 2, 2, 10)
    case = make_case(
        "gray", rec,
        ("refer", at(2026, 2, 3, 10), "a"),
        ("followup", at(2026, 2, 9, 10)),      # within 7 days: met
        ("refer", at(2026, 2, 10, 10), "b"),
        ("urge", at(2026, 2, 16, 10)),
        ("refer", at(2026, 2, 20, 10), "c"),   # replaces the second follow-up clock after its due
    )
    fus = only(case_clocks(case, rules, cal, at(2026, 3, 1)), "follow_up")
    assert [(c.start, c.due, c.stopped, c.state) for c in fus] == [
        (at(2026, 2, 3, 10), eod(2026, 2, 10), at(2026, 2, 9, 10), "met"),
        (at(2026, 2, 10, 10), eod(2026, 2, 17), at(2026, 2, 20, 10), "late"),
        (at(2026, 2, 20, 10), eod(2026, 2, 27), None, "overdue"),
    ]


def test_follow_up_stopped_by_close(rules, cal):
    case = make_case("gray", at(2026, 2, 2, 10), ("refer", at(2026, 2, 3, 10), "a"), ("close", at(2026, 2, 5, 10)))
    (fu,) = only(case_clocks(case, rules, cal, at(2026, 3, 1)), "follow_up")
    assert fu.stopped == at(2026, 2, 5, 10) and fu.state == "met"


# --------------------------------------------------------------------------- revisit


def test_revisit_after_close(rules, cal):
    case = make_case("red", at(2026, 9, 28, 10), ("followup", at(2026, 9, 28, 10, 30)),
                     ("close", at(2026, 10, 8, 12)), ("revisit", at(2026, 11, 1, 10)))
    (rv,) = only(case_clocks(case, rules, cal, at(2026, 12, 1)), "revisit")
    assert (rv.start, rv.due, rv.stopped, rv.state) == (at(2026, 10, 8, 12), eod(2026, 11, 7), at(2026, 11, 1, 10), "met")
    (rv,) = only(case_clocks(case, rules, cal, at(2026, 10, 31)), "revisit")
    assert rv.state == "running" and rv.stopped is None
    (c,) = only(case_clocks(case, rules, cal, at(2026, 12, 1)), "close")
    assert c.state == "met"


def test_revisit_overdue_and_green_has_none(rules, cal):
    gray = make_case("gray", at(2026, 9, 28, 10), ("close", at(2026, 9, 29, 12)))
    (rv,) = only(case_clocks(gray, rules, cal, at(2026, 11, 10)), "revisit")
    assert rv.due == eod(2026, 10, 29) and rv.state == "overdue"
    green = make_case("green", at(2026, 9, 28, 10), ("close", at(2026, 9, 28, 12)), ("revisit", at(2026, 10, 2)))
    assert only(case_clocks(green, rules, cal, at(2026, 11, 10)), "revisit") == []


# --------------------------------------------------------------------------- as_of replay


def test_as_of_ignores_later_events(rules, cal):
    case = make_case("red", at(2026, 9, 28, 10), ("followup", at(2026, 9, 28, 10, 30)),
                     ("close", at(2026, 10, 9, 12)), ("revisit", at(2026, 10, 20)))
    (c,) = only(case_clocks(case, rules, cal, at(2026, 10, 9, 11)), "close")
    assert c.stopped is None and c.state == "overdue"
    assert only(case_clocks(case, rules, cal, at(2026, 10, 9, 11)), "revisit") == []
    (c,) = only(case_clocks(case, rules, cal, at(2026, 10, 8, 11)), "close")
    assert c.state == "running"
    (r,) = only(case_clocks(case, rules, cal, at(2026, 9, 28, 10, 15)), "respond")
    assert r.state == "running" and r.stopped is None
    # before the case was received there is nothing
    assert case_clocks(case, rules, cal, at(2026, 9, 27)) == []
    # a time after the last event: every event counts ("now" is always passed in)
    (c,) = only(case_clocks(case, rules, cal, at(2026, 12, 1)), "close")
    assert c.state == "late" and c.stopped == at(2026, 10, 9, 12)


def test_as_of_in_another_timezone(rules, cal):
    from datetime import timezone

    case = make_case("green", at(2026, 10, 9, 11))
    # 2026-10-09T15:59:59Z == 23:59:59 in Shanghai: still running
    (c,) = case_clocks(case, rules, cal, datetime(2026, 10, 9, 15, 59, 59, tzinfo=timezone.utc))
    assert c.state == "running"
    (c,) = case_clocks(case, rules, cal, datetime(2026, 10, 9, 16, 0, 0, tzinfo=timezone.utc))
    assert c.state == "overdue"


# --------------------------------------------------------------------------- late closure


def late_closure(case, rules, cal, as_of):
    clock = late_close_clock(case, rules, cal, as_of)
    return clock.due if clock is not None else None


def test_late_closure(rules, cal):
    chain = make_case("red", at(2026, 9, 28, 10), ("refer", at(2026, 10, 9, 15), "a"), ("close", at(2026, 10, 12)))
    assert late_closure(chain, rules, cal, at(2026, 12, 1)) == eod(2026, 10, 8)
    on_time = make_case("green", at(2026, 10, 9, 11), ("close", at(2026, 10, 9, 16)))
    assert late_closure(on_time, rules, cal, at(2026, 12, 1)) is None
    open_case = make_case("gray", at(2026, 2, 13, 11))
    assert late_closure(open_case, rules, cal, at(2026, 2, 25, 23)) is None
    assert late_closure(open_case, rules, cal, at(2026, 2, 26)) == eod(2026, 2, 25)
    # second clock ran out only: its due date counts
    second = make_case("gray", at(2026, 2, 2, 10), ("refer", at(2026, 2, 3, 10), "a"))
    assert late_closure(second, rules, cal, at(2026, 2, 12)) is None
    # 7 working days after 02-03: 04, 05, 06, 09, 10, 11, 12
    assert late_closure(second, rules, cal, at(2026, 2, 20)) == eod(2026, 2, 12)


# --------------------------------------------------------------------------- provisional 2027
#
# 2027 has no official data (chinesecalendar ends with 2026): its days off are provisional —
# 元旦 Fri 01-01; 除夕..初三 Fri 02-05..Mon 02-08 with 补假 Tue 02-09, Wed 02-10; weekends.


def test_clocks_into_2027_are_provisional(rules, cal):
    rec = at(2026, 12, 30, 15)
    case = make_case("red", rec, ("followup", at(2026, 12, 30, 15, 30)), ("refer", at(2027, 1, 4, 10), "a"),
                     ("close", at(2027, 1, 8, 10)))
    got = {(c.kind, c.basis): (c.due, c.state, c.provisional) for c in case_clocks(case, rules, cal, at(2027, 3, 1))}
    assert got == {
        ("respond", "red"): (at(2026, 12, 30, 16), "met", False),           # an hour needs no calendar
        # Thu 12-31, (元旦 Fri, Sat, Sun), Mon 01-04, Tue 01-05: the referral came in time
        ("close", "red"): (eod(2027, 1, 5), "met", True),
        # 7 working days after Mon 01-04: 05, 06, 07, 08, 11, 12, 13
        ("close", "referred"): (eod(2027, 1, 13), "met", True),
        ("follow_up", "referred"): (eod(2027, 1, 11), "met", False),        # 7 calendar days; the close
        ("revisit", "red"): (eod(2027, 2, 7), "overdue", False),            # 30 calendar days
    }


def test_clocks_over_spring_festival_2027(rules, cal):
    case = make_case("gray", at(2027, 2, 4, 10), cid="sf")
    # 3 working days after Thu 02-04: 02-05..02-10 off, Thu 02-11, Fri 02-12, Mon 02-15
    assert [(c.kind, c.due, c.state, c.provisional) for c in case_clocks(case, rules, cal, at(2027, 2, 16))] == [
        ("close", eod(2027, 2, 15), "overdue", True),
        ("refer", eod(2027, 2, 15), "overdue", True),
    ]
    assert [(c.kind, late, c.provisional) for c, late in due_clocks([case], rules, cal, at(2027, 2, 16))] == [
        ("close", True, True), ("refer", True, True)]


def test_clocks_within_2026_are_not_provisional(rules, cal):
    case = make_case("gray", at(2026, 2, 13, 11), ("refer", at(2026, 2, 24, 10), "partner"))
    assert not any(c.provisional for c in case_clocks(case, rules, cal, at(2026, 3, 10)))


def test_late_closure_on_a_provisional_due_date(rules, cal):
    case = make_case("gray", at(2026, 12, 30, 15), ("close", at(2027, 1, 7, 10)))
    clock = late_close_clock(case, rules, cal, at(2027, 2, 1))
    assert (clock.due, clock.state, clock.provisional) == (eod(2027, 1, 5), "late", True)
    assert late_closure(case, rules, cal, at(2027, 2, 1)) == eod(2027, 1, 5)
    # the notice typed into rules.yaml as a whole year (no holidays listed): 元旦 is worked
    official = Calendar(years={2027})
    clock = late_close_clock(case, rules, official, at(2027, 2, 1))
    assert (clock.due, clock.provisional) == (eod(2027, 1, 4), False)   # Thu 12-31, Fri 01-01, Mon 01-04


# --------------------------------------------------------------------------- due_clocks


def test_due_clocks_with_and_without_soon(rules, cal):
    cases = [
        make_case("green", at(2026, 10, 9, 11), cid="g-open"),                                      # due 10-09
        make_case("green", at(2026, 10, 9, 11), ("close", at(2026, 10, 9, 12)), cid="g-closed"),    # stopped
        make_case("red", at(2026, 10, 12, 9), cid="r-open"),              # respond 10:00 (12th), close 10-15
        make_case("gray", at(2026, 10, 12, 9), ("close", at(2026, 10, 12, 10)), cid="gray-closed"),  # revisit 11-11
        make_case("red", at(2026, 10, 20, 9), cid="future"),              # received after as_of
    ]
    as_of = at(2026, 10, 13, 9)
    got = due_clocks(cases, rules, cal, as_of)
    assert [(c.case, c.kind, c.due, overdue) for c, overdue in got] == [
        ("g-open", "close", eod(2026, 10, 9), True),
        ("r-open", "respond", at(2026, 10, 12, 10), True),
    ]
    got = due_clocks(cases, rules, cal, as_of, soon=parse_duration("2 working days"))  # horizon 10-15 23:59:59
    assert [(c.case, c.kind, overdue) for c, overdue in got] == [
        ("g-open", "close", True),
        ("r-open", "respond", True),
        ("r-open", "close", False),
    ]
    got = due_clocks(cases, rules, cal, as_of, soon=parse_duration("30 days"))
    assert [(c.case, c.kind, overdue) for c, overdue in got][-1] == ("gray-closed", "revisit", False)
    assert all(a[0].due <= b[0].due for a, b in zip(got, got[1:]))
    # replaying later: the 'future' case exists and its clocks count
    later = due_clocks(cases, rules, cal, at(2026, 10, 20, 11))
    assert ("future", "respond") in [(c.case, c.kind) for c, _ in later]


def test_kind_absent_from_rules_has_no_clock(rules, cal):
    import copy

    lean = copy.copy(rules)
    lean.deadlines = {"close": {"red": "1 day"}}
    case = make_case("red", at(2026, 10, 12, 9), ("refer", at(2026, 10, 12, 10), "a"), ("close", at(2026, 10, 14, 9)))
    clocks = case_clocks(case, rules, cal, at(2026, 12, 1))
    assert {c.kind for c in clocks} == {"close", "respond", "follow_up", "revisit"}
    clocks = case_clocks(case, lean, cal, at(2026, 12, 1))
    assert [(c.kind, c.basis, c.state) for c in clocks] == [("close", "red", "met")]
