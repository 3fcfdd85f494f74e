"""Gaps mutation testing found (issue #24): each test kills mutants that survived the suite.
Expectations worked out by hand from SPEC §4–§6."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hotline.domain import points
from hotline.domain.calendar import Calendar, parse_duration
from hotline.domain.model import Group, Person, Roster
from hotline.errors import UsageError

SH = ZoneInfo("Asia/Shanghai")
HOURS = {"working_day": ["10:00-17:00"], "other_day": ["14:00-17:00"]}


def at(y, mo, d, h=12):
    return datetime(y, mo, d, h, tzinfo=SH)


def eod(y, mo, d):
    return datetime(y, mo, d, 23, 59, 59, tzinfo=SH)


# ---------------------------------------------------------------- calendar

@pytest.mark.parametrize("hours", ["24:00-24:00", "24:30-24:00", "25:00-26:00"])
def test_a_start_hour_of_24_or_more_is_a_usage_error_not_a_traceback(hours):
    with pytest.raises(UsageError, match="times run from 00:00 to 24:00"):
        Calendar(hours={"working_day": [hours], "other_day": []})


def test_a_deadline_starting_on_1_january_after_a_provisional_year_is_not_provisional():
    # 2027 has no official data (provisional), 2028 is declared in rules.yaml (plain weekdays)
    cal = Calendar(hours=HOURS, years=[2028])
    assert cal.is_provisional_year(2027) and not cal.is_provisional_year(2028)
    # a deadline inside 2027 makes the calendar use a provisional year
    assert cal.due_and_provisional(at(2027, 6, 1, 10), parse_duration("1 working day")) == (eod(2027, 6, 2), True)
    # Sat 2028-01-01: other-day hours, 10:00 is before closing: its own date, nothing of 2027 used
    assert cal.due_and_provisional(at(2028, 1, 1, 10), parse_duration("same day")) == (eod(2028, 1, 1), False)
    # Fri 2027-12-31 + 1 working day: the days after the start's date only — Mon 2028-01-03
    assert cal.due_and_provisional(at(2027, 12, 31, 10), parse_duration("1 working day")) == (eod(2028, 1, 3), False)
    # Thu 2027-12-30 + 1 working day: Fri 12-31, a provisional day
    assert cal.due_and_provisional(at(2027, 12, 30, 10), parse_duration("1 working day")) == (eod(2027, 12, 31), True)
    # ... but a same-day deadline after closing on 12-31 looks at 2027's day type, then 2028's
    assert cal.due_and_provisional(at(2027, 12, 30, 18), parse_duration("same day"))[1] is True


# ---------------------------------------------------------------- points: the year

def test_the_year_s_scores_run_from_1_january_to_31_december():
    roster = Roster(groups=[Group("g1", "一组")], people=[Person("wang", "王芳", "g1", ["volunteer"])], partners=[])

    class Rules:
        points = {"start": 100}

    entries = [points.Entry(date(2026, 1, 1), "wang", "lecture_centre", 5, "ledger"),
               points.Entry(date(2026, 12, 31), "wang", "hygiene", -3, "ledger"),
               points.Entry(date(2025, 12, 31), "wang", "hygiene", -3, "ledger"),
               points.Entry(date(2027, 1, 1), "wang", "hygiene", -3, "ledger")]
    s = points.year_scores(entries, roster, Rules, 2026)
    assert (s.start, s.end) == (date(2026, 1, 1), date(2026, 12, 31))
    assert [(p.id, p.score) for p in s.people] == [("wang", 102)]
    assert [(g.id, g.score) for g in s.groups] == [("g1", 102)]


# ---------------------------------------------------------------- the bulletin's month-end backlog

def _intake(book, grade: str, at: str) -> str:
    return book.run("intake", "--no-input", "-q", "--channel", "phone", "--grade", grade, "--role", "survivor",
                    "--category", "divorce", "--need", "legal", "--summary", "咨询", "--at", at
                    ).stdout.strip().splitlines()[-1]


def test_the_month_end_overdue_table_counts_a_closed_case_only_for_its_revisit(book):
    closed = _intake(book, "red", "2026-10-05 10:00")
    book.run("followup", closed, "--note", "回电", "--at", "2026-10-05 10:30")
    book.run("close", closed, "--outcome", "resolved", "--at", "2026-10-06 10:00")   # revisit due 11-05: overdue
    late = _intake(book, "gray", "2026-11-02 10:00")
    book.run("close", late, "--outcome", "resolved", "--at", "2026-11-20 10:00")      # closed late: not overdue now
    done = _intake(book, "gray", "2026-11-03 10:00")
    book.run("close", done, "--outcome", "resolved", "--at", "2026-11-04 10:00")      # on time; its revisit is due 12-04
    still = _intake(book, "green", "2026-11-16 10:00")                                  # open, close due 11-16
    also = _intake(book, "green", "2026-11-17 10:00")                                   # open, close due 11-17
    d = json.loads(book.run("report", "--month", "2026-11", "--format", "json").stdout)
    od = d["overdue_at_month_end"]
    got = {r["id"]: (r["status"], r["kinds"]) for r in od["cases"]}
    assert got[closed] == ("closed", ["revisit"]) and got[still] == ("open", ["close"])
    assert got[also] == ("open", ["close"]) and late not in got and done not in got
    assert (od["count"], od["open"]) == (3, 2)                # the closed case is in the table, not among the open
    assert [k["count"] for k in od["kinds"] if k["id"] in ("close", "revisit")] == [2, 1]
    assert d["open_at_month_end"]["count"] == 2                                        # only the green cases are open


# ---------------------------------------------------------------- clocks (mutmut over domain/clocks.py)

from hotline.domain.clocks import case_clocks, due_clocks  # noqa: E402
from hotline.domain.model import Case, Event  # noqa: E402
from hotline.storage import config  # noqa: E402

RULES = config.parse_rules(config.default_rules_text(), Path("rules.yaml"))
CAL = Calendar.from_rules(RULES)


def case_of(grade: str, received: datetime, *events: Event) -> Case:
    return Case(id="261005-AAAAA", received=received, channel="phone", grade=grade, owner="p1", role="survivor",
                events=[Event("intake", received, "p1"), *events])


def ev(kind: str, when: datetime, **kw) -> Event:
    if kind == "close":
        kw.setdefault("outcome", "resolved")
    return Event(kind, when, "p1", **kw)


def test_a_clock_stopped_at_its_due_second_is_met_and_one_due_now_is_not_yet_overdue():
    # green: close same day, due Mon 2026-10-12 23:59:59
    rec = at(2026, 10, 12, 10)
    (c,) = case_clocks(case_of("green", rec, ev("close", eod(2026, 10, 12))), RULES, CAL, at(2026, 10, 20))
    assert (c.kind, c.due, c.state) == ("close", eod(2026, 10, 12), "met")
    assert due_clocks([case_of("green", rec)], RULES, CAL, eod(2026, 10, 12)) == []
    (row,) = due_clocks([case_of("green", rec)], RULES, CAL, eod(2026, 10, 12) + timedelta(seconds=1))
    assert row[0].kind == "close" and row[1] is True


def test_a_case_has_its_clocks_from_the_second_it_was_received():
    rec = at(2026, 10, 12, 10)
    assert [c.kind for c in case_clocks(case_of("green", rec), RULES, CAL, rec)] == ["close"]
    assert case_clocks(case_of("green", rec), RULES, CAL, rec - timedelta(seconds=1)) == []


def test_clocks_read_the_events_in_time_order_whatever_their_order_in_the_file():
    rec = at(2026, 10, 12, 10)                                           # red: respond due 11:00
    merged = case_of("red", rec, ev("close", at(2026, 10, 12, 12)), ev("followup", at(2026, 10, 12, 10, ) +
                                                                        timedelta(minutes=30)))
    respond = [c for c in case_clocks(merged, RULES, CAL, at(2026, 10, 20)) if c.kind == "respond"]
    assert [(c.stopped, c.state) for c in respond] == [(at(2026, 10, 12, 10) + timedelta(minutes=30), "met")]


def test_the_refer_clock_is_based_on_the_grade_and_a_referral_after_the_close_starts_no_close_clock():
    rec = at(2026, 10, 12, 10)
    gray = case_of("gray", rec, ev("close", at(2026, 10, 13, 10)), ev("refer", at(2026, 10, 14, 10), to="legal-aid"))
    clocks = case_clocks(gray, RULES, CAL, at(2026, 10, 30))
    assert [(c.kind, c.basis) for c in clocks if c.kind in ("close", "refer")] == [("close", "gray"), ("refer", "gray")]


def test_a_revisit_before_the_close_does_not_stop_the_revisit_clock():
    rec = at(2026, 10, 12, 10)                                           # a hand edit or a merge put it there
    odd = case_of("gray", rec, ev("revisit", at(2026, 10, 12, 11)), ev("close", at(2026, 10, 13, 10)))
    (rv,) = [c for c in case_clocks(odd, RULES, CAL, at(2026, 12, 1)) if c.kind == "revisit"]
    assert (rv.stopped, rv.state) == (None, "overdue")


def test_a_stopped_clock_does_not_hide_the_case_s_other_overdue_clocks():
    rec = at(2026, 10, 12, 10)                                           # gray, referred the next day
    gray = case_of("gray", rec, ev("refer", at(2026, 10, 13, 10), to="legal-aid"))
    got = [(c.kind, c.basis, late) for c, late in due_clocks([gray], RULES, CAL, at(2026, 11, 30))]
    # the intake's close and refer clocks stopped at the referral; the referral's close (7 working days)
    # and follow-up (7 days) ran out
    assert sorted(got) == [("close", "referred", True), ("follow_up", "referred", True)]
