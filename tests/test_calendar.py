"""Working days, service hours and due times against the real chinesecalendar data.

2026 facts used below (from chinese_calendar.get_holiday_detail / is_workday):
  Spring Festival: Sat 02-14 is a make-up working day, 02-15..02-23 off,
                   Sat 02-28 is a make-up working day.
  National Day:    Sun 09-20 make-up working day, Fri 09-25 Mid-autumn off,
                   10-01..10-07 off, Sat 10-10 make-up working day, Sun 10-11 off.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hotline.domain.calendar import (Calendar, CalendarError, Duration, parse_duration, provisional_yaml,
                                     statutory_days_off)
from hotline.errors import UsageError
from hotline.storage import config

SH = ZoneInfo("Asia/Shanghai")

GENDER_HOURS = {"working_day": ["10:00-17:00"], "other_day": ["14:00-17:00"]}
LINE_12355 = {
    "working_day": [],
    "other_day": [],
    "wed": ["14:30-18:00"],
    "thu": ["14:30-18:00"],
    "fri": ["14:30-18:00"],
    "sat": ["08:00-21:00"],
    "sun": ["08:00-21:00"],
}


def at(y, mo, d, h=12, mi=0, s=0, tz=SH):
    return datetime(y, mo, d, h, mi, s, tzinfo=tz)


def eod(y, mo, d):
    return datetime(y, mo, d, 23, 59, 59, tzinfo=SH)


@pytest.fixture(scope="module")
def gender():
    return Calendar(tz="Asia/Shanghai", hours=GENDER_HOURS)


@pytest.fixture(scope="module")
def line12355():
    return Calendar(tz="Asia/Shanghai", hours=LINE_12355)


# --------------------------------------------------------------------------- working days


@pytest.mark.parametrize(
    "day, working",
    [
        (date(2026, 2, 13), True),    # Fri before Spring Festival
        (date(2026, 2, 14), True),    # Sat, 调休 make-up working day
        (date(2026, 2, 15), False),   # Sun, holiday
        (date(2026, 2, 16), False),   # Mon, holiday
        (date(2026, 2, 23), False),   # Mon, holiday
        (date(2026, 2, 24), True),    # Tue, back to work
        (date(2026, 2, 28), True),    # Sat, 调休
        (date(2026, 3, 1), False),    # Sun
        (date(2026, 9, 20), True),    # Sun, 调休 for National Day
        (date(2026, 9, 25), False),   # Fri, Mid-autumn
        (date(2026, 9, 30), True),
        (date(2026, 10, 1), False),
        (date(2026, 10, 7), False),   # Wed, still National Day
        (date(2026, 10, 8), True),
        (date(2026, 10, 10), True),   # Sat, 调休
        (date(2026, 10, 11), False),  # Sun
    ],
)
def test_working_days_2026(gender, day, working):
    assert gender.is_working_day(day) is working


def test_datetime_accepted_as_day(gender):
    assert gender.is_working_day(datetime(2026, 10, 10, 9, 0)) is True


# --------------------------------------------------------------------------- due times

D = parse_duration

GENDER_CASES = [
    # --- National Day 2026 ---
    ("3 working days from Wed 09-30", at(2026, 9, 30, 10), "3 working days", eod(2026, 10, 10)),
    ("3 working days from Mon 09-28", at(2026, 9, 28, 10), "3 working days", eod(2026, 10, 8)),
    ("7 working days from 09-30", at(2026, 9, 30, 16), "7 working days", eod(2026, 10, 15)),
    ("1 working day from holiday 10-03", at(2026, 10, 3, 15), "1 working day", eod(2026, 10, 8)),
    ("1 working day from Fri 10-09 lands on make-up Sat", at(2026, 10, 9, 15), "1 working day", eod(2026, 10, 10)),
    ("2 working days from Fri 10-09 skip Sun", at(2026, 10, 9, 15), "2 working days", eod(2026, 10, 12)),
    ("working days count from the date, not the time", at(2026, 9, 30, 23, 59), "1 working day", eod(2026, 10, 8)),
    ("1 working day from Sat 09-19 is the make-up Sun", at(2026, 9, 19, 15), "1 working day", eod(2026, 9, 20)),
    ("7 days from 09-30 ignores holidays", at(2026, 9, 30, 10), "7 days", eod(2026, 10, 7)),
    ("1 day", at(2026, 10, 7, 23, 30), "1 day", eod(2026, 10, 8)),
    ("1 hour crosses midnight", at(2026, 9, 30, 23, 30), "1 hour", at(2026, 10, 1, 0, 30)),
    ("90 minutes exact", at(2026, 10, 1, 16, 45), "90 minutes", at(2026, 10, 1, 18, 15)),
    ("same day on a holiday, in other-day hours", at(2026, 10, 1, 15), "same day", eod(2026, 10, 1)),
    ("same day on a holiday, before opening", at(2026, 10, 1, 9), "same day", eod(2026, 10, 1)),
    ("same day on a holiday, after closing", at(2026, 10, 1, 17, 30), "same day", eod(2026, 10, 2)),
    ("same day at closing time exactly", at(2026, 10, 1, 17, 0), "same day", eod(2026, 10, 2)),
    ("same day on a working day, before closing", at(2026, 9, 30, 16, 59), "same day", eod(2026, 9, 30)),
    ("same day on a working day, after closing", at(2026, 9, 30, 18), "same day", eod(2026, 10, 1)),
    ("same day, night before make-up Sat", at(2026, 10, 9, 20), "same day", eod(2026, 10, 10)),
    # --- Spring Festival 2026 ---
    ("3 working days from Fri 02-13 use make-up Sat 02-14", at(2026, 2, 13, 11), "3 working days", eod(2026, 2, 25)),
    ("1 working day from Fri 02-13", at(2026, 2, 13, 11), "1 working day", eod(2026, 2, 14)),
    ("2 working days from make-up Sat 02-14", at(2026, 2, 14, 11), "2 working days", eod(2026, 2, 25)),
    ("3 working days from Sun 02-15 (holiday)", at(2026, 2, 15, 15), "3 working days", eod(2026, 2, 26)),
    ("4 working days from Tue 02-24 land on make-up Sat 02-28", at(2026, 2, 24, 11), "4 working days", eod(2026, 2, 28)),
    ("5 working days from Tue 02-24", at(2026, 2, 24, 11), "5 working days", eod(2026, 3, 2)),
    ("7 working days from Tue 02-10", at(2026, 2, 10, 11), "7 working days", eod(2026, 2, 26)),
    ("same day on make-up Sat, working-day hours", at(2026, 2, 14, 16), "same day", eod(2026, 2, 14)),
    ("same day on New Year's Eve of the festival, after closing", at(2026, 2, 16, 22), "same day", eod(2026, 2, 17)),
    # ids in ASCII: mutmut collects twice in one process, and pytest escapes a non-ASCII id again the second time
    ("Chinese duration: 3 working days", at(2026, 2, 13, 11), "3个工作日", eod(2026, 2, 25)),
    ("Chinese duration: same day", at(2026, 2, 14, 18), "当天", eod(2026, 2, 15)),
]


@pytest.mark.parametrize("name, start, dur, expected", GENDER_CASES, ids=[c[0] for c in GENDER_CASES])
def test_due_gender_line(gender, name, start, dur, expected):
    got = gender.due(start, D(dur))
    assert got == expected
    assert got.tzinfo is not None and got.utcoffset() == timedelta(hours=8)


LINE_12355_CASES = [
    ("Mon has no service: same day is Wed", at(2026, 10, 12, 10), "same day", eod(2026, 10, 14)),
    ("Tue has no service: same day is Wed", at(2026, 10, 13, 23), "same day", eod(2026, 10, 14)),
    ("Wed before opening counts", at(2026, 10, 14, 9), "same day", eod(2026, 10, 14)),
    ("Wed after 18:00 is Thu", at(2026, 10, 14, 18, 0), "same day", eod(2026, 10, 15)),
    ("Fri evening is Sat", at(2026, 10, 16, 18, 30), "same day", eod(2026, 10, 17)),
    ("Sat until 21:00", at(2026, 10, 17, 20, 59), "same day", eod(2026, 10, 17)),
    ("Sun after 21:00 skips Mon/Tue", at(2026, 10, 18, 21), "same day", eod(2026, 10, 21)),
    ("holiday Thu 10-01 keeps Thu hours", at(2026, 10, 1, 17), "same day", eod(2026, 10, 1)),
    ("holiday Thu 10-01 after 18:00 is Fri 10-02", at(2026, 10, 1, 19), "same day", eod(2026, 10, 2)),
    ("holiday Mon 10-05 (no Mon service) is Wed 10-07", at(2026, 10, 5, 10), "same day", eod(2026, 10, 7)),
    ("Spring Festival Sun 02-22 late is Wed 02-25", at(2026, 2, 22, 22), "same day", eod(2026, 2, 25)),
    ("make-up Sat 02-14 keeps Sat hours", at(2026, 2, 14, 20), "same day", eod(2026, 2, 14)),
    ("working days are the same calendar", at(2026, 9, 30, 10), "3 working days", eod(2026, 10, 10)),
]


@pytest.mark.parametrize("name, start, dur, expected", LINE_12355_CASES, ids=[c[0] for c in LINE_12355_CASES])
def test_due_12355_line(line12355, name, start, dur, expected):
    assert line12355.due(start, D(dur)) == expected


def test_start_in_another_timezone_is_converted(gender):
    # 2026-09-30T16:30Z is 2026-10-01 00:30 in Shanghai: a holiday, before closing
    start = datetime(2026, 9, 30, 16, 30, tzinfo=timezone.utc)
    assert gender.due(start, D("same day")) == eod(2026, 10, 1)
    assert gender.due(start, D("1 working day")) == eod(2026, 10, 8)
    due = gender.due(start, D("1 hour"))
    assert due == datetime(2026, 9, 30, 17, 30, tzinfo=timezone.utc)
    assert due.tzinfo == SH


def test_naive_start_is_book_local(gender):
    assert gender.due(datetime(2026, 10, 1, 18, 0), D("same day")) == eod(2026, 10, 2)
    assert gender.local(datetime(2026, 10, 1, 18, 0)) == at(2026, 10, 1, 18)      # aware, in the book's zone
    assert gender.due(datetime(2026, 10, 1, 18, 0), D("1 hour")) == at(2026, 10, 1, 19)


def test_a_start_in_a_named_zone_is_converted_not_relabelled(gender):
    # ZoneInfo answers utcoffset(None) with None: only the time itself tells its offset
    start = datetime(2026, 9, 30, 18, 30, tzinfo=ZoneInfo("Europe/Berlin"))        # 16:30Z, 00:30 in Shanghai
    assert gender.local(start) == start and gender.local(start).hour == 0
    assert gender.due(start, D("same day")) == eod(2026, 10, 1)


# --------------------------------------------------------------------------- service hours


def test_service_hours_lookup(gender, line12355):
    assert gender.service_hours(date(2026, 10, 10)) == [(time(10), time(17))]  # make-up Sat
    assert gender.service_hours(date(2026, 10, 11)) == [(time(14), time(17))]
    assert line12355.service_hours(date(2026, 10, 12)) == []
    assert not line12355.has_service(date(2026, 10, 13))
    assert line12355.service_hours(date(2026, 10, 14)) == [(time(14, 30), time(18))]
    assert line12355.has_service(date(2026, 10, 18))


def test_several_intervals_close_at_the_last():
    cal = Calendar(hours={"working_day": ["14:00-17:00", "09:00-12:00"], "other_day": []})
    assert cal.service_hours(date(2026, 10, 9)) == [(time(9), time(12)), (time(14), time(17))]
    assert cal.due(at(2026, 10, 9, 13), D("same day")) == eod(2026, 10, 9)
    # Fri evening -> Sat 10-10 is a make-up working day, so it has service
    assert cal.due(at(2026, 10, 9, 17), D("same day")) == eod(2026, 10, 10)
    # Sat 10-10 evening -> Sun off, Mon 10-12
    assert cal.due(at(2026, 10, 10, 18), D("same day")) == eod(2026, 10, 12)


def test_24_hour_service():
    cal = Calendar(hours={"working_day": ["00:00-24:00"], "other_day": ["00:00-24:00"]})
    assert cal.due(at(2026, 10, 9, 23, 59, 58), D("same day")) == eod(2026, 10, 9)


def test_no_service_at_all_is_an_error():
    cal = Calendar(hours={})
    with pytest.raises(UsageError) as ei:
        cal.due(at(2026, 10, 9), D("same day"))
    assert str(ei.value) == ("no service hours are configured in the 366 days after 2026-10-09, so 'same day' has no "
                             "end; set service_hours in rules.yaml")


# --------------------------------------------------------------------------- years not covered: provisional
#
# 2027 by hand (the statutory rules of 2024; lunar dates: 春节 Sat 02-06, 清明 Mon 04-05,
# 端午 Wed 06-09, 中秋 Wed 09-15):
#   元旦 Fri 01-01; 除夕 Fri 02-05 + 初一..初三 Sat 02-06..Mon 02-08, 补假 for Sat/Sun → Tue 02-09,
#   Wed 02-10; 清明 Mon 04-05; 劳动节 Sat 05-01, Sun 05-02 → 补假 Mon 05-03, Tue 05-04;
#   端午 Wed 06-09; 中秋 Wed 09-15; 国庆 Fri 10-01..Sun 10-03 → 补假 Mon 10-04, Tue 10-05.
#   No 调休: every Saturday and Sunday is off.

DAYS_OFF_2027 = {
    date(2027, 1, 1),
    *(date(2027, 2, d) for d in range(5, 11)),
    date(2027, 4, 5),
    *(date(2027, 5, d) for d in range(1, 5)),
    date(2027, 6, 9),
    date(2027, 9, 15),
    *(date(2027, 10, d) for d in range(1, 6)),
}


def test_2027_provisional_days_off_by_hand():
    assert statutory_days_off(2027) == DAYS_OFF_2027


def test_the_holidays_package_gives_the_2027_lunar_dates():
    import holidays

    found = holidays.China(years=2027, observed=False, language="zh_CN")
    assert {found.get(date(2027, 2, 5)), found.get(date(2027, 2, 6)), found.get(date(2027, 4, 5)),
            found.get(date(2027, 6, 9)), found.get(date(2027, 9, 15))} == {"农历除夕", "春节", "清明节", "端午节", "中秋节"}


def test_2028_new_year_on_saturday_and_mid_autumn_on_national_day():
    off = statutory_days_off(2028)
    assert date(2028, 1, 3) in off                         # 元旦 Sat → 补假 Mon
    assert {date(2028, 1, d) for d in range(25, 29)} <= off  # 除夕 Tue 01-25, 初一..初三
    assert date(2028, 5, 29) in off                        # 端午 Sun 05-28 → 补假 Mon
    # 中秋 falls on 10-03 with 国庆 and counts once; 国庆 Sun 10-01 → 补假 Wed 10-04
    assert {d for d in off if d.month in (9, 10)} == {date(2028, 10, d) for d in range(1, 5)}


@pytest.mark.parametrize("year", [2003, 2024, 2101])
def test_the_statutory_rules_cover_2025_to_2100_only(year):
    assert statutory_days_off(year) is None


@pytest.mark.parametrize(
    "day, working",
    [
        (date(2026, 12, 31), True),   # Thu, chinesecalendar
        (date(2027, 1, 1), False),    # Fri, 元旦
        (date(2027, 1, 4), True),     # Mon
        (date(2027, 2, 4), True),     # Thu
        (date(2027, 2, 5), False),    # Fri, 除夕
        (date(2027, 2, 10), False),   # Wed, 补假
        (date(2027, 2, 11), True),    # Thu
        (date(2027, 2, 20), False),   # Sat: no 调休 is guessed
        (date(2027, 5, 4), False),    # Tue, 补假 for 劳动节
        (date(2027, 5, 6), True),
        (date(2027, 10, 6), True),    # Wed after 国庆
    ],
)
def test_working_days_2027_provisional(gender, day, working):
    assert gender.is_working_day(day) is working


def test_2027_without_data_is_provisional_and_strict_raises_naming_the_year(gender):
    assert gender.is_provisional_year(2027) and not gender.is_provisional_year(2026)
    assert gender.due_and_provisional(at(2027, 3, 1, 10), D("3 working days")) == (eod(2027, 3, 4), True)
    assert 2027 in gender.provisional_used
    strict = Calendar(hours=GENDER_HOURS, strict=True)
    assert not strict.is_provisional_year(2027)
    with pytest.raises(CalendarError, match="2027") as ei:
        strict.due(at(2027, 3, 1, 10), D("3 working days"))
    assert isinstance(ei.value, UsageError)
    assert ei.value.year == 2027
    msg = str(ei.value)
    assert "\n" not in msg and "calendar: holidays/workdays" in msg and "years" in msg


def test_deadline_crossing_new_year_2027_is_provisional(gender):
    # Wed 12-30 + 3 working days: Thu 12-31, (元旦 Fri 01-01, Sat, Sun), Mon 01-04, Tue 01-05
    assert gender.due_and_provisional(at(2026, 12, 30, 15), D("3 working days")) == (eod(2027, 1, 5), True)
    assert gender.due_and_provisional(at(2026, 12, 31, 10), D("3 working days")) == (eod(2027, 1, 6), True)
    # within 2026, nothing provisional: Mon 12-28 + 3 = Thu 12-31
    assert gender.due_and_provisional(at(2026, 12, 28, 10), D("3 working days")) == (eod(2026, 12, 31), False)
    # same day: Thu 12-31 has service; after closing, 元旦 2027 (a day off, 14:00-17:00) is provisional
    assert gender.due_and_provisional(at(2026, 12, 31, 10), D("same day")) == (eod(2026, 12, 31), False)
    assert gender.due_and_provisional(at(2026, 12, 31, 18), D("same day")) == (eod(2027, 1, 1), True)
    # calendar days and hours never need a working day
    assert gender.due_and_provisional(at(2026, 12, 30, 15), D("7 days")) == (eod(2027, 1, 6), False)
    strict = Calendar(hours=GENDER_HOURS, strict=True)
    with pytest.raises(CalendarError, match="2027"):
        strict.due(at(2026, 12, 31, 10), D("3 working days"))
    with pytest.raises(CalendarError, match="2027"):  # 12-31 after closing -> 2027-01-01 day type
        strict.due(at(2026, 12, 31, 18), D("same day"))


@pytest.mark.parametrize(
    "start, dur, expected",
    [
        (at(2027, 2, 4, 10), "3 working days", eod(2027, 2, 15)),   # Thu; 02-05..02-10 off; Thu, Fri, Mon
        (at(2027, 2, 5, 10), "1 working day", eod(2027, 2, 11)),    # from 除夕 itself
        (at(2027, 2, 1, 10), "7 working days", eod(2027, 2, 16)),   # Tue, Wed, Thu, then 02-11, 12, 15, 16
        (at(2027, 2, 9, 22), "same day", eod(2027, 2, 10)),         # a 补假 evening: next day, other-day hours
    ],
)
def test_deadline_over_spring_festival_2027(gender, start, dur, expected):
    assert gender.due_and_provisional(start, D(dur)) == (expected, True)


def test_before_2004_and_after_2100_raise():
    with pytest.raises(CalendarError, match="2003"):
        Calendar().is_working_day(date(2003, 6, 2))
    with pytest.raises(CalendarError, match="2101"):
        Calendar().is_working_day(date(2101, 6, 2))
    assert not Calendar().is_provisional_year(2003)


def test_2027_with_overrides_works():
    # listing any day of 2027 makes the year official: rules.yaml's days, else Mon–Fri
    cal = Calendar(holidays={date(2027, 1, 1)}, workdays=set(), hours=GENDER_HOURS)
    assert not cal.is_provisional_year(2027)
    assert not cal.is_working_day(date(2027, 1, 1))     # Fri, listed holiday
    assert not cal.is_working_day(date(2027, 1, 2))     # Sat
    assert cal.is_working_day(date(2027, 1, 4))         # Mon, plain weekday
    assert cal.is_working_day(date(2027, 2, 5))         # 除夕, not listed: rules.yaml wins
    assert cal.due_and_provisional(at(2026, 12, 31, 10), D("3 working days")) == (eod(2027, 1, 6), False)
    assert cal.due_and_provisional(at(2026, 12, 31, 18), D("same day")) == (eod(2027, 1, 1), False)
    assert cal.is_provisional_year(2028) and not cal.is_working_day(date(2028, 1, 3))  # provisional 补假
    with pytest.raises(CalendarError, match="2028"):
        Calendar(holidays={date(2027, 1, 1)}, strict=True).is_working_day(date(2028, 1, 3))


def test_rules_yaml_overrides_win_over_the_provisional_days():
    # the notice typed in: Spring Festival 02-05..02-11 off, Sat 02-20 worked
    cal = Calendar(holidays={"2027-02-05..2027-02-11"}, workdays={date(2027, 2, 20)}, hours=GENDER_HOURS)
    assert not cal.is_provisional_year(2027)
    assert not cal.is_working_day(date(2027, 2, 11))
    assert cal.is_working_day(date(2027, 2, 20))
    assert cal.due_and_provisional(at(2027, 2, 4, 10), D("3 working days")) == (eod(2027, 2, 16), False)
    assert cal.provisional_used == frozenset()


def test_2027_make_up_workday_override():
    cal = Calendar(workdays={date(2027, 2, 20)}, hours=GENDER_HOURS)  # a Saturday
    assert cal.is_working_day(date(2027, 2, 20))
    assert cal.due(at(2027, 2, 19, 10), D("1 working day")) == eod(2027, 2, 20)


def test_2027_declared_by_years():
    cal = Calendar(years={2027})
    assert not cal.is_provisional_year(2027)
    assert cal.is_working_day(date(2027, 3, 1))
    assert cal.is_working_day(date(2027, 2, 8))  # 初三: the year is rules.yaml's, and it lists no holiday
    assert cal.due_and_provisional(at(2027, 3, 5, 10), D("1 working day")) == (eod(2027, 3, 8), False)
    assert cal.due_and_provisional(at(2027, 2, 4, 10), D("3 working days")) == (eod(2027, 2, 9), False)


def test_a_newer_chinesecalendar_wins(monkeypatch):
    from hotline.domain import calendar as calmod

    real = calmod._official_workday

    def newer(d):  # a release that covers 2027 and makes Sat 02-20 a working day
        return d == date(2027, 2, 20) or (d.weekday() < 5 and d != date(2027, 2, 5)) if d.year == 2027 else real(d)

    monkeypatch.setattr(calmod, "_official_workday", newer)
    cal = Calendar(hours=GENDER_HOURS)
    assert not cal.is_provisional_year(2027)
    assert cal.is_working_day(date(2027, 2, 20)) and not cal.is_working_day(date(2027, 2, 5))
    # Thu 02-04: 除夕 Fri off, then Mon 02-08, Tue 02-09, Wed 02-10 (its 初三 is a working day)
    assert cal.due_and_provisional(at(2027, 2, 4, 10), D("3 working days")) == (eod(2027, 2, 10), False)


def test_the_rules_yaml_lines_for_2027_make_it_official():
    lines = provisional_yaml([2027])
    assert lines == (
        "calendar:\n"
        "  holidays: [2027-01-01, '2027-02-05..2027-02-10', 2027-04-05, '2027-05-01..2027-05-04', "
        "2027-06-09, 2027-09-15, '2027-10-01..2027-10-05']\n"
        "  workdays: []   # make-up working days: from the State Council's notice\n"
    )
    text = config.default_rules_text().replace("calendar:\n  holidays: []\n  workdays: []\n", lines)
    official = Calendar.from_rules(config.parse_rules(text, Path("rules.yaml")))
    provisional = Calendar()
    assert not official.is_provisional_year(2027) and provisional.is_provisional_year(2027)
    days = [date(2027, 1, 1) + timedelta(days=i) for i in range(365)]
    assert [official.is_working_day(d) for d in days] == [provisional.is_working_day(d) for d in days]


def test_overrides_beat_chinesecalendar():
    cal = Calendar(holidays={date(2026, 10, 9)}, workdays={date(2026, 10, 3)})
    assert not cal.is_working_day(date(2026, 10, 9))
    assert cal.is_working_day(date(2026, 10, 3))
    assert cal.due(at(2026, 9, 30, 10), D("2 working days")) == eod(2026, 10, 8)


def test_12355_mon_tue_need_no_calendar_lookup(line12355):
    # 12355's hours never depend on the day type, so 'same day' in 2027 is not even provisional
    assert line12355.due_and_provisional(at(2027, 3, 1, 10), D("same day")) == (eod(2027, 3, 3), False)
    strict = Calendar(hours=LINE_12355, strict=True)
    assert strict.due(at(2027, 3, 1, 10), D("same day")) == eod(2027, 3, 3)


# --------------------------------------------------------------------------- from_rules


@dataclass
class FakeRules:
    timezone: str = "Asia/Shanghai"
    calendar: dict | None = None
    service_hours: dict | None = None


def test_from_rules_default_file():
    rules = config.parse_rules(config.default_rules_text(), Path("rules.yaml"))
    cal = Calendar.from_rules(rules)
    assert str(cal.tz) == "Asia/Shanghai"
    assert cal.service_hours(date(2026, 10, 1)) == [(time(14), time(17))]
    assert cal.due(at(2026, 9, 30, 10), D("3 working days")) == eod(2026, 10, 10)


def test_from_rules_yaml_with_2027_and_12355():
    text = config.default_rules_text()
    text = text.replace(
        "calendar:\n  holidays: []\n  workdays: []\n",
        "calendar:\n  holidays: [2027-01-01, '2027-02-06..2027-02-12']\n  workdays: ['2027-02-20']\n  years: [2028]\n",
    )
    text = text.replace(
        'service_hours:\n  working_day: ["10:00-17:00"]\n  other_day: ["14:00-17:00"]\n',
        "service_hours:\n  working_day: []\n  other_day: []\n"
        "  wed: [14:30-18:00]\n  thu: [14:30-18:00]\n  fri: [14:30-18:00]\n"
        "  sat: [08:00-21:00]\n  sun: [08:00-21:00]\n",
    )
    rules = config.parse_rules(text, Path("rules.yaml"))
    cal = Calendar.from_rules(rules)
    assert cal.holidays >= {date(2027, 1, 1), date(2027, 2, 6), date(2027, 2, 12)}
    assert cal.is_working_day(date(2027, 2, 20))
    assert not cal.is_working_day(date(2027, 2, 8))
    assert cal.is_working_day(date(2028, 1, 3))
    assert cal.due(at(2027, 2, 5, 10), D("1 working day")) == eod(2027, 2, 15)
    assert cal.service_hours(date(2027, 2, 10)) == [(time(14, 30), time(18))]


@pytest.mark.parametrize(
    "calendar, hours, bad",
    [
        ({"holidays": ["2027-13-01"]}, None, "2027-13-01"),
        ({"holidays": ["next friday"]}, None, "next friday"),
        ({"workdays": [datetime(2027, 1, 1, 9)]}, None, "2027-01-01 09:00"),
        ({"holidays": ["2027-01-01"], "workdays": ["2027-01-01"]}, None, "2027-01-01"),
        ({"holiday": ["2027-01-01"]}, None, "holiday"),
        ({"years": ["twenty"]}, None, "twenty"),
        ({"holidays": "oops"}, None, "oops"),
        ({"holidays": ["2027-02-12..2027-02-06"]}, None, "2027-02-12..2027-02-06"),
        ({}, {"monday": ["10:00-17:00"]}, "monday"),
        ({}, {"mon": ["10-17"]}, "10-17"),
        ({}, {"mon": ["17:00-10:00"]}, "17:00-10:00"),
        ({}, {"mon": ["10:00-25:00"]}, "10:00-25:00"),
        ({}, {"mon": [600]}, "600"),
        ({}, {"mon": {"from": "10:00"}}, "from"),
    ],
)
def test_from_rules_bad_data(calendar, hours, bad):
    rules = FakeRules(calendar=calendar, service_hours=hours if hours is not None else GENDER_HOURS)
    with pytest.raises(UsageError) as ei:
        Calendar.from_rules(rules)
    msg = str(ei.value)
    assert bad in msg and "\n" not in msg


ALLOWED = "same day, N hours, N minutes, N days, N working days (当天, N小时, N分钟, N天, N个工作日)"


@pytest.mark.parametrize("calendar, hours, message", [
    (["2027-01-01"], None, "calendar must be a mapping with holidays: [...], workdays: [...], years: [...]"),
    ({"holiday": []}, None, "calendar: unknown key 'holiday'; use: holidays, workdays, years"),
    ({"holidays": [datetime(2027, 1, 1, 9)]}, None,
     "calendar: holidays: 2027-01-01 09:00:00 is a time, not a date; use YYYY-MM-DD"),
    ({"workdays": ["next friday"]}, None, "calendar: workdays: 'next friday' is not a date; use YYYY-MM-DD"),
    ({"holidays": ["2027-13-01"]}, None, "calendar: holidays: '2027-13-01' is not a date; use YYYY-MM-DD"),
    ({"workdays": {"day": "2027-02-20"}}, None,
     "calendar: workdays must be a list of dates (YYYY-MM-DD), not {'day': '2027-02-20'}"),
    ({"holidays": ["2027-02-12..2027-02-06"]}, None,
     "calendar: holidays: bad range '2027-02-12..2027-02-06'; use FIRST..LAST within one year"),
    ({"holidays": ["2027-01-01"], "workdays": ["2027-01-01"]}, None,
     "calendar: 2027-01-01 is listed both under holidays and under workdays"),
    ({"years": {"next": 2027}}, None, "calendar: years must be a list of years like [2027], not {'next': 2027}"),
    ({"years": ["twenty"]}, None, "calendar: years: 'twenty' is not a year; use e.g. 2027"),
    ({"years": [1800]}, None, "calendar: years: '1800' is not a year; use e.g. 2027"),
    ({}, ["10:00-17:00"], "service_hours must be a mapping of day keys to lists of HH:MM-HH:MM, not ['10:00-17:00']"),
    ({}, {"monday": []}, "service_hours: unknown key 'monday'; use: working_day, other_day, mon, tue, wed, thu, fri, "
                         "sat, sun"),
    ({}, {"mon": {"from": "10:00"}}, 'service_hours: mon: {\'from\': \'10:00\'} must be a list like ["10:00-17:00"]'),
    ({}, {"mon": ["10-17"]}, "service_hours: mon: bad hours '10-17'; use HH:MM-HH:MM, e.g. 10:00-17:00"),
    ({}, {"sat": ["10:00-25:00"]}, "service_hours: sat: bad hours '10:00-25:00'; times run from 00:00 to 24:00"),
    ({}, {"sun": ["17:00-10:00"]}, "service_hours: sun: bad hours '17:00-10:00'; the end must be after the start"),
])
def test_a_bad_calendar_or_hours_value_is_named_with_what_is_allowed(calendar, hours, message):
    """The whole message is the contract (SPEC: one line naming the bad value and what is allowed)."""
    rules = FakeRules(calendar=calendar, service_hours=hours if hours is not None else GENDER_HOURS)
    with pytest.raises(UsageError) as ei:
        Calendar.from_rules(rules)
    assert str(ei.value) == message


@pytest.mark.parametrize("text, message", [
    (3, f"unknown duration 3; use: {ALLOWED}"),
    ("0 days", f"bad duration '0 days': N must be a whole number from 1 to 100000; use: {ALLOWED}"),
    ("3 weeks", f"unknown duration '3 weeks'; use: {ALLOWED}"),
])
def test_a_bad_duration_is_named_with_what_is_allowed(text, message):
    with pytest.raises(UsageError) as ei:
        parse_duration(text)
    assert str(ei.value) == message


@pytest.mark.parametrize("kwargs, message", [
    ({"tz": "Mars/Base"}, "unknown timezone 'Mars/Base' (e.g. Asia/Shanghai)"),
    ({"holidays": ["next friday"]}, "calendar: holidays: 'next friday' is not a date; use YYYY-MM-DD"),
    ({"workdays": ["2027-02-30"]}, "calendar: workdays: '2027-02-30' is not a date; use YYYY-MM-DD"),
    ({"years": [9999]}, "calendar: years: '9999' is not a year; use e.g. 2027"),
])
def test_a_bad_calendar_argument_is_named_with_what_is_allowed(kwargs, message):
    with pytest.raises(UsageError) as ei:
        Calendar(hours=GENDER_HOURS, **kwargs)
    assert str(ei.value) == message


def test_the_short_forms_rules_yaml_allows():
    # a single year, a single text of hours, and null hours (no service that day)
    cal = Calendar.from_rules(FakeRules(calendar={"years": 2031},
                                        service_hours={"mon": "09:00-12:00", "tue": None, **GENDER_HOURS}))
    assert cal.years == {2031}
    assert cal.service_hours(date(2026, 9, 28)) == [(time(9), time(12))] and cal.service_hours(date(2026, 9, 29)) == []
    assert Calendar.from_rules(FakeRules(calendar={"years": "2031"}, service_hours=GENDER_HOURS)).years == {2031}
    assert Calendar(years=[1900, 9998]).years == {1900, 9998}       # the edges allowed


@pytest.mark.parametrize("holidays, message", [
    (["2027-02-06..next friday"], "calendar: holidays: 'next friday' is not a date; use YYYY-MM-DD"),
    (["soon..2027-02-06"], "calendar: holidays: 'soon' is not a date; use YYYY-MM-DD"),
    (["2027-02-06..2027-02-08..2027-02-12"], "calendar: holidays: '2027-02-08..2027-02-12' is not a date; use YYYY-MM-DD"),
    (["2027-01-01..2028-01-03"], "calendar: holidays: bad range '2027-01-01..2028-01-03'; use FIRST..LAST within one year"),
])
def test_a_bad_range_is_named(holidays, message):
    with pytest.raises(UsageError) as ei:
        Calendar(hours=GENDER_HOURS, holidays=holidays)
    assert str(ei.value) == message


def test_ranges_at_the_edges():
    assert Calendar(holidays=["2027-02-06..2027-02-06"]).holidays == {date(2027, 2, 6)}          # one day
    assert len(Calendar(holidays=["2027-01-01..2028-01-02"]).holidays) == 367                    # 366 days after


def test_an_unknown_duration_kind_is_a_programming_error():
    with pytest.raises(ValueError) as ei:
        Duration("weeks", 2)
    assert str(ei.value) == "unknown duration kind 'weeks'"


def test_the_day_type_is_looked_up_only_when_the_hours_depend_on_it():
    # strict: a day of 2031 (no data) raises only when the calendar must know if it is a working day
    same_every_day = Calendar(hours={"working_day": ["10:00-17:00"], "other_day": ["10:00-17:00"]}, strict=True)
    assert same_every_day.service_hours(date(2031, 3, 3)) == [(time(10), time(17))]
    weekdays_only = Calendar(hours={"sat": ["08:00-21:00"]}, strict=True)
    assert weekdays_only.service_hours(date(2031, 3, 3)) == [] and weekdays_only.service_hours(date(2031, 3, 1))
    with pytest.raises(CalendarError, match="2031"):
        Calendar(hours=GENDER_HOURS, strict=True).service_hours(date(2031, 3, 3))


def test_service_hours_of_a_time_and_without_other_day_hours():
    cal = Calendar(hours={"working_day": ["10:00-17:00"]})
    assert cal.service_hours(at(2026, 9, 30, 9)) == [(time(10), time(17))]      # a datetime: its date
    assert cal.service_hours(date(2026, 10, 1)) == []                           # a holiday, no other-day hours


def test_the_calendar_error_names_the_year_and_where_to_add_it():
    assert str(CalendarError(2031)) == (
        "the calendar has no data for 2031: add that year's public holidays and make-up working days to rules.yaml "
        "under calendar: holidays/workdays (or list 2031 under calendar: years)")


def test_from_rules_passes_strict_on():
    rules = FakeRules(calendar={}, service_hours=GENDER_HOURS)
    assert Calendar.from_rules(rules).is_working_day(date(2027, 3, 1))          # provisional: computed
    with pytest.raises(CalendarError, match="2027"):
        Calendar.from_rules(rules, strict=True).is_working_day(date(2027, 3, 1))


@pytest.mark.parametrize("text, interval", [
    ("23:00-24:00", (time(23), time(23, 59, 59, 999999))),   # 24:00 is the end of the day
    ("10:59-16:59", (time(10, 59), time(16, 59))),
    ("00:00-10:30", (time(0), time(10, 30))),
])
def test_hours_at_the_edges(text, interval):
    assert Calendar(hours={"mon": [text]}).service_hours(date(2026, 9, 28)) == [interval]


@pytest.mark.parametrize("text, why", [
    ("10:60-17:00", "times run from 00:00 to 24:00"),
    ("10:00-16:60", "times run from 00:00 to 24:00"),
    ("10:00-24:30", "times run from 00:00 to 24:00"),
    ("10:00-10:00", "the end must be after the start"),
])
def test_hours_just_past_the_edges(text, why):
    with pytest.raises(UsageError) as ei:
        Calendar(hours={"mon": [text]})
    assert str(ei.value) == f"service_hours: mon: bad hours '{text}'; {why}"


def test_service_hours_given_as_pairs_of_times():
    cal = Calendar(hours={"working_day": [(time(10), time(17))], "other_day": [[time(14), time(17)]]})
    assert cal.service_hours(date(2026, 9, 30)) == [(time(10), time(17))]
    assert cal.service_hours(date(2026, 10, 1)) == [(time(14), time(17))]


def test_the_lunar_festivals_come_from_the_holidays_package():
    """Asked directly: `statutory_days_off` keeps its answers (lru_cache), so a test through it may
    be answered from a cache filled before."""
    from hotline.domain.calendar import _lunar_festivals

    # 2027: 正月初一 Sat 02-06 (the package names 02-06 and 02-07 春节), 清明 04-05, 端午 06-09, 中秋 09-15
    assert _lunar_festivals(2027) == {"春节": date(2027, 2, 6), "清明": date(2027, 4, 5), "端午": date(2027, 6, 9),
                                      "中秋": date(2027, 9, 15)}
    assert _lunar_festivals(2101) is None            # beyond the package's lunar tables


def test_bad_rules_file_names_the_value():
    text = config.default_rules_text().replace('other_day: ["14:00-17:00"]', 'other_day: ["2pm-5pm"]')
    with pytest.raises(Exception, match="2pm-5pm"):
        config.parse_rules(text, Path("rules.yaml"))


def test_unknown_timezone():
    with pytest.raises(UsageError, match="Mars/Base"):
        Calendar.from_rules(FakeRules(timezone="Mars/Base", calendar={}, service_hours=GENDER_HOURS))


# --------------------------------------------------------------------------- durations


@pytest.mark.parametrize(
    "text, kind, n",
    [
        ("same day", "same_day", 0),
        ("Same  Day", "same_day", 0),
        ("当天", "same_day", 0),
        ("1 hour", "minutes", 60),
        ("2 hours", "minutes", 120),
        ("3h", "minutes", 180),
        ("3 h", "minutes", 180),
        ("45 minutes", "minutes", 45),
        ("1 minute", "minutes", 1),
        ("30 min", "minutes", 30),
        ("1 day", "days", 1),
        ("7 days", "days", 7),
        ("1 working day", "working_days", 1),
        ("3 working days", "working_days", 3),
        ("  3   Working Days ", "working_days", 3),
        ("1小时", "minutes", 60),
        ("2 小时", "minutes", 120),
        ("30分钟", "minutes", 30),
        ("7天", "days", 7),
        ("3个工作日", "working_days", 3),
        ("3工作日", "working_days", 3),
        ("７天", "days", 7),  # full-width digit
        ("same-day", "same_day", 0),
        ("当日", "same_day", 0),
        ("100000 days", "days", 100000),  # the largest N allowed
    ],
)
def test_parse_duration_good(text, kind, n):
    assert parse_duration(text) == Duration(kind, n)


@pytest.mark.parametrize(
    "text",
    ["soon", "", "3", "days", "0 days", "-1 days", "0 hours", "1.5 hours", "3 weeks", "three days",
     "3 working", "3 工作", "零天", "same", "100001 days"],
)
def test_parse_duration_bad(text):
    with pytest.raises(UsageError) as ei:
        parse_duration(text)
    msg = str(ei.value)
    assert f"'{text}'" in msg
    assert "same day, N hours, N minutes, N days, N working days" in msg
    assert "\n" not in msg


def test_parse_duration_message_exact():
    with pytest.raises(UsageError) as ei:
        parse_duration("soon")
    assert str(ei.value) == (
        "unknown duration 'soon'; use: same day, N hours, N minutes, N days, N working days "
        "(当天, N小时, N分钟, N天, N个工作日)"
    )


@pytest.mark.parametrize(
    "dur, text",
    [
        (Duration("same_day", 0), "same day"),
        (Duration("minutes", 60), "1 hour"),
        (Duration("minutes", 120), "2 hours"),
        (Duration("minutes", 90), "90 minutes"),
        (Duration("minutes", 1), "1 minute"),
        (Duration("days", 1), "1 day"),
        (Duration("days", 7), "7 days"),
        (Duration("working_days", 1), "1 working day"),
        (Duration("working_days", 3), "3 working days"),
    ],
)
def test_duration_str_round_trips(dur, text):
    assert str(dur) == text
    assert parse_duration(text) == dur
