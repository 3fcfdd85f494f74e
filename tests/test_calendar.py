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

from hotline.domain.calendar import Calendar, CalendarError, Duration, parse_duration
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
    ("Chinese duration 3个工作日", at(2026, 2, 13, 11), "3个工作日", eod(2026, 2, 25)),
    ("Chinese duration 当天", at(2026, 2, 14, 18), "当天", eod(2026, 2, 15)),
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
    with pytest.raises(UsageError, match="no service hours"):
        cal.due(at(2026, 10, 9), D("same day"))


# --------------------------------------------------------------------------- years not covered


def test_2027_without_data_raises_naming_the_year(gender):
    with pytest.raises(CalendarError, match="2027") as ei:
        gender.due(at(2027, 3, 1, 10), D("3 working days"))
    assert isinstance(ei.value, UsageError)
    assert ei.value.year == 2027
    msg = str(ei.value)
    assert "\n" not in msg and "calendar: holidays/workdays" in msg and "years" in msg


def test_deadline_running_into_2027_raises(gender):
    # received on the last working day of 2026: the deadline needs January 2027
    with pytest.raises(CalendarError, match="2027"):
        gender.due(at(2026, 12, 31, 10), D("3 working days"))
    # same day is fine: Thu 12-31 has service
    assert gender.due(at(2026, 12, 31, 10), D("same day")) == eod(2026, 12, 31)
    with pytest.raises(CalendarError, match="2027"):  # 12-31 after closing -> 2027-01-01 day type
        gender.due(at(2026, 12, 31, 18), D("same day"))


def test_before_2004_raises():
    with pytest.raises(CalendarError, match="2003"):
        Calendar().is_working_day(date(2003, 6, 2))


def test_2027_with_overrides_works():
    cal = Calendar(holidays={date(2027, 1, 1)}, workdays=set(), hours=GENDER_HOURS)
    assert not cal.is_working_day(date(2027, 1, 1))     # Fri, listed holiday
    assert not cal.is_working_day(date(2027, 1, 2))     # Sat
    assert cal.is_working_day(date(2027, 1, 4))         # Mon, plain weekday
    assert cal.due(at(2026, 12, 31, 10), D("3 working days")) == eod(2027, 1, 6)
    assert cal.due(at(2026, 12, 31, 18), D("same day")) == eod(2027, 1, 1)
    with pytest.raises(CalendarError, match="2028"):
        cal.is_working_day(date(2028, 1, 3))


def test_2027_make_up_workday_override():
    cal = Calendar(workdays={date(2027, 2, 20)}, hours=GENDER_HOURS)  # a Saturday
    assert cal.is_working_day(date(2027, 2, 20))
    assert cal.due(at(2027, 2, 19, 10), D("1 working day")) == eod(2027, 2, 20)


def test_2027_declared_by_years():
    cal = Calendar(years={2027})
    assert cal.is_working_day(date(2027, 3, 1))
    assert cal.due(at(2027, 3, 5, 10), D("1 working day")) == eod(2027, 3, 8)


def test_overrides_beat_chinesecalendar():
    cal = Calendar(holidays={date(2026, 10, 9)}, workdays={date(2026, 10, 3)})
    assert not cal.is_working_day(date(2026, 10, 9))
    assert cal.is_working_day(date(2026, 10, 3))
    assert cal.due(at(2026, 9, 30, 10), D("2 working days")) == eod(2026, 10, 8)


def test_12355_mon_tue_need_no_calendar_lookup(line12355):
    # 12355's hours never depend on the day type, so 'same day' works in 2027 unaided
    assert line12355.due(at(2027, 3, 1, 10), D("same day")) == eod(2027, 3, 3)


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
