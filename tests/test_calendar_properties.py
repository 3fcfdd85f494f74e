"""Properties of due times, over the years chinesecalendar covers (2005–2026)."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.domain.calendar import Calendar, Duration, parse_duration

SH = ZoneInfo("Asia/Shanghai")
HOURS_12355 = {
    "working_day": [], "other_day": [],
    "wed": ["14:30-18:00"], "thu": ["14:30-18:00"], "fri": ["14:30-18:00"],
    "sat": ["08:00-21:00"], "sun": ["08:00-21:00"],
}

# shared calendars: their per-date caches make the properties cheap
GENDER = Calendar()
LINE = Calendar(hours=HOURS_12355)

# starts end by 2026-11-30 so that up to 20 working days stay inside 2026
starts = st.datetimes(
    min_value=datetime(2005, 1, 1), max_value=datetime(2026, 11, 30, 23, 59, 59), timezones=st.just(SH)
)
durations = st.one_of(
    st.just(Duration("same_day", 0)),
    st.builds(Duration, st.just("minutes"), st.integers(1, 10_000)),
    st.builds(Duration, st.just("days"), st.integers(1, 60)),
    st.builds(Duration, st.just("working_days"), st.integers(1, 20)),
)
working = st.builds(Duration, st.just("working_days"), st.integers(1, 20))
near = st.integers(0, 40)  # a day offset after the start

SETTINGS = settings(max_examples=200, deadline=None)


@SETTINGS
@given(starts, durations, st.sampled_from([GENDER, LINE]))
def test_due_never_before_start(start, dur, cal):
    assert cal.due(start, dur) >= start


@SETTINGS
@given(starts, working)
def test_working_days_land_on_a_working_day_at_end_of_day(start, dur):
    due = GENDER.due(start, dur)
    assert due.tzinfo is not None and due.utcoffset() == timedelta(hours=8)
    assert due.time() == time(23, 59, 59)
    assert GENDER.is_working_day(due.date())
    assert due.date() > start.date()
    # exactly n working days in (start's date, due's date]
    d, count = start.date(), 0
    while d < due.date():
        d += timedelta(days=1)
        count += GENDER.is_working_day(d)
    assert count == dur.n


@SETTINGS
@given(starts)
def test_same_day_is_a_service_day(start):
    due = LINE.due(start, Duration("same_day", 0))
    assert LINE.has_service(due.date()) and due.time() == time(23, 59, 59)


@SETTINGS
@given(starts, durations, near)
def test_adding_a_make_up_workday_never_makes_a_deadline_later(start, dur, offset):
    extra = start.date() + timedelta(days=offset)
    base = Calendar()
    more = Calendar(workdays={extra})
    assert more.due(start, dur) <= base.due(start, dur)


@SETTINGS
@given(starts, durations, near, st.sets(near, max_size=5))
def test_removing_a_holiday_never_makes_a_deadline_later(start, dur, offset, others):
    day0 = start.date()
    removed = day0 + timedelta(days=offset)
    kept = {day0 + timedelta(days=o) for o in others} - {removed}
    with_it = Calendar(holidays=kept | {removed})
    without = Calendar(holidays=kept)
    assert without.due(start, dur) <= with_it.due(start, dur)


@SETTINGS
@given(durations)
def test_duration_text_round_trips(dur):
    assert parse_duration(str(dur)) == dur
