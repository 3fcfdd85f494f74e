"""The tests of 2027 in both worlds: chinesecalendar as released up to 2026 (2027 provisional,
from the statutory rules) and its next release with 2027's notice (conftest.NOTICE_2027, a
stand-in).  Each expectation is worked out by hand for each world; a fresh install with either
release passes, because conftest pins the data the suite sees."""
from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from hotline.domain.calendar import Calendar, CalendarError, parse_duration

SH = ZoneInfo("Asia/Shanghai")
HOURS = {"working_day": ["10:00-17:00"], "other_day": ["14:00-17:00"]}


def at(y, mo, d, h=12):
    return datetime(y, mo, d, h, tzinfo=SH)


def eod(y, mo, d):
    return datetime(y, mo, d, 23, 59, 59, tzinfo=SH)


@pytest.fixture(params=["released until 2026", "released with 2027"])
def world(request):
    """Which release of chinesecalendar the test runs against: True when 2027 is official."""
    if request.param == "released with 2027":
        request.getfixturevalue("release_2027")
        return True
    return False


def test_the_installed_release_is_pinned_and_the_stand_in_adds_2027(world):
    import chinese_calendar

    assert chinese_calendar.is_workday(date(2026, 10, 10))           # the real 2026 data, 调休 Sat
    if world:
        assert chinese_calendar.is_workday(date(2027, 2, 20)) and not chinese_calendar.is_workday(date(2027, 2, 11))
    else:
        with pytest.raises(NotImplementedError):
            chinese_calendar.is_workday(date(2027, 3, 1))


# day: (working without 2027 data = statutory days off, no 调休; working with the notice)
DAYS_2027 = {
    date(2026, 12, 31): (True, True),     # Thu, the official 2026 data in both
    date(2027, 1, 1): (False, False),     # Fri, 元旦
    date(2027, 1, 4): (True, True),       # Mon
    date(2027, 2, 5): (False, False),     # Fri, 除夕
    date(2027, 2, 11): (True, False),     # Thu: statutory 补假 ends 02-10; the notice gives 02-05..02-12
    date(2027, 2, 12): (True, False),     # Fri
    date(2027, 2, 20): (False, True),     # Sat: no 调休 is guessed; the notice makes it a working day
    date(2027, 4, 25): (False, True),     # Sun, worked for 劳动节
    date(2027, 5, 4): (False, False),     # Tue, 补假 / in the break
    date(2027, 5, 5): (True, False),      # Wed
    date(2027, 10, 6): (True, False),     # Wed after 国庆's 补假 / inside the notice's week
    date(2027, 10, 9): (False, True),     # Sat, worked
}


@pytest.mark.parametrize("day", sorted(DAYS_2027))
def test_working_days_of_2027(world, day):
    assert Calendar(hours=HOURS).is_working_day(day) is DAYS_2027[day][world]


def test_2027_is_provisional_only_without_its_data(world):
    cal = Calendar(hours=HOURS)
    assert cal.is_provisional_year(2027) is (not world)
    assert not cal.is_provisional_year(2026)
    cal.due(at(2027, 3, 1, 10), parse_duration("3 working days"))
    assert cal.provisional_used == (frozenset() if world else frozenset({2027}))


def test_a_strict_calendar_needs_2027_only_without_its_data(world):
    strict = Calendar(hours=HOURS, strict=True)
    if world:   # Mon 03-01 + 3 working days: Tue, Wed, Thu
        assert strict.due(at(2027, 3, 1, 10), parse_duration("3 working days")) == eod(2027, 3, 4)
    else:
        with pytest.raises(CalendarError, match="2027"):
            strict.due(at(2027, 3, 1, 10), parse_duration("3 working days"))


# start, duration: (due without 2027 data, due with the notice) — provisional exactly without it
DUES = [
    # Wed 12-30 + 3: Thu 12-31, (元旦 Fri .. Sun 01-03 in both), Mon 01-04, Tue 01-05
    (at(2026, 12, 30, 15), "3 working days", eod(2027, 1, 5), eod(2027, 1, 5)),
    # Thu 02-04 + 3: without: (02-05..02-10 off) Thu 11, Fri 12, Mon 15; with: (..02-14 off) Mon 15, Tue 16, Wed 17
    (at(2027, 2, 4, 10), "3 working days", eod(2027, 2, 15), eod(2027, 2, 17)),
    # Wed 02-17 + 3: Thu 18, Fri 19, then Mon 22 / the worked Sat 20
    (at(2027, 2, 17, 10), "3 working days", eod(2027, 2, 22), eod(2027, 2, 20)),
    # Fri 02-12 evening, same day: a working day without data (service ends 17:00 → next service day Sat
    # 02-13, other-day hours); with the notice 02-12 is off (14:00-17:00), so also Sat 02-13
    (at(2027, 2, 12, 18), "same day", eod(2027, 2, 13), eod(2027, 2, 13)),
]


@pytest.mark.parametrize("start, dur, without, with_notice", DUES)
def test_due_times_into_2027(world, start, dur, without, with_notice):
    got = Calendar(hours=HOURS).due_and_provisional(start, parse_duration(dur))
    assert got == ((with_notice, False) if world else (without, True))


def test_overdue_and_intake_say_provisional_only_without_2027_data(world, book, monkeypatch):
    monkeypatch.setenv("HOTLINE_NOW", "2027-02-04 10:00")  # the writes below are dated up to then
    r = book.run("intake", "--no-input", "--channel", "phone", "--grade", "gray", "--role", "survivor",
                 "--category", "divorce", "--need", "legal", "--summary", "x", "--at", "2027-02-04 10:00")
    due = "2027-02-17 23:59" if world else "2027-02-15 23:59"
    assert f"deadline closing: {due}" + ("\n" if world else " provisional") in r.stdout
    assert ("2027 are provisional:" in r.stderr) is (not world)
    rows = json.loads(book.run("overdue", "--format", "json", "--as-of", "2027-03-01 12:00").stdout)
    assert {(x["kind"], x["due"], x["provisional"]) for x in rows} == {
        (kind, due.replace(" ", "T") + ":59+08:00", not world) for kind in ("close", "refer")}
