"""Dates and times as people type them, and month arithmetic: the one home for both.

Typed times: ISO 8601 or `YYYY-MM-DD HH:MM`; a naive time is in the book's time zone.
Months: `relativedelta` (python-dateutil) does the arithmetic, so "three months later",
"the month before" and "the last day of February" are never written by hand.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, tzinfo

from dateutil.relativedelta import relativedelta

from ..i18n import _
from ..errors import UsageError


def forms_text() -> str:
    """How a time may be typed, in the reader's language."""
    return _("'YYYY-MM-DD HH:MM', 'YYYY-MM-DD' or ISO 8601 (2026-11-20T15:00+08:00)")


# The years a book holds: case ids and folders carry the year as two digits (YYMMDD, cases/20YY),
# so 2000–2099.  Every date typed, and every date read from a file, must lie in them.
FIRST_YEAR, LAST_YEAR = 2000, 2099


def range_text() -> str:
    """The dates a book holds, in the reader's language."""
    return _("{first}-01-01 to {last}-12-31").format(first=FIRST_YEAR, last=LAST_YEAR)


def in_range(d: date | datetime) -> bool:
    return FIRST_YEAR <= d.year <= LAST_YEAR


def last_date() -> date:
    """The last date a book holds: no deadline may fall after it (it could never be listed or reported)."""
    return date(LAST_YEAR, 12, 31)


# A write records what has happened: its time may run ahead of the clock by this much at most
# (two clocks that disagree by a few minutes), never into the future.  Reads may look ahead
# (`overdue --as-of`, `duty --at` plan for a time to come); writes may not.
FUTURE_TOLERANCE = timedelta(minutes=10)


def is_future(t: datetime, now: datetime) -> bool:
    """Whether a time to be recorded lies ahead of `now` by more than the tolerance (the one rule:
    typed times, and the cells of an imported sheet)."""
    return t > now + FUTURE_TOLERANCE


def not_future(t: datetime, now: datetime, option: str = "--at") -> datetime:
    """`t`, a time a write records, refused when it lies in the future (`is_future`)."""
    if is_future(t, now):
        raise UsageError(_("{option} {value} is in the future (now is {now}); a record says what has happened — "
                           "give a time up to now").format(option=option, value=f"{t.astimezone(now.tzinfo):%Y-%m-%d %H:%M}",
                                                           now=f"{now:%Y-%m-%d %H:%M}"))
    return t


def day_not_future(d: date, today: date, option: str = "--date") -> date:
    """`d`, a day a write records, refused when it is after `today`."""
    if d > today:
        raise UsageError(_("{option} {value} is in the future (today is {today}); a record says what has happened — "
                           "give a day up to today").format(option=option, value=d.isoformat(), today=today.isoformat()))
    return d


def _outside(option: str, text: str) -> UsageError:
    return UsageError(_("{option} '{text}' is outside the dates a book holds ({RANGE_TEXT})").format(option=option, text=text, RANGE_TEXT=range_text()))


# ---------------------------------------------------------------- typed input

def _typed(text: str) -> str:
    """Full-width digits and punctuation (typed with a Chinese input method) as ASCII."""
    import unicodedata

    return unicodedata.normalize("NFKC", text).strip()


def parse_time(text: str, tz: tzinfo, option: str = "--at") -> datetime:
    t = _typed(text)
    m = re.fullmatch(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?", t)
    try:
        if m:  # what people type: 2026-11-20 9:00, 2026/11/20 15:00, 2026-11-20
            y, mo, d, h, mi, sec = (int(x) if x else 0 for x in m.groups())
            dt = datetime(y, mo, d, h, mi, sec, tzinfo=tz)
        else:
            dt = datetime.fromisoformat(t)
            dt = (dt.replace(tzinfo=tz) if dt.tzinfo is None else dt).astimezone(tz).replace(microsecond=0)
    except ValueError:
        msg = (_("{option} '{text}' is not a real date and time; use {FORMS}") if m
               else _("{option} '{text}' is not a time; use {FORMS}"))
        raise UsageError(msg.format(option=option, text=text, FORMS=forms_text())) from None
    except OverflowError:  # 9999-12-31T23:59-12:00 is past the end of what a clock can hold
        raise _outside(option, text) from None
    if not in_range(dt):
        raise _outside(option, text)
    return dt


def parse_date(text: str, option: str = "--date") -> date:
    try:
        d = date.fromisoformat(_typed(text))
    except ValueError:
        raise UsageError(_("{option} '{text}' is not a date; use YYYY-MM-DD").format(option=option, text=text)) from None
    if not in_range(d):
        raise _outside(option, text)
    return d


def parse_month(text: str, option: str = "--month") -> tuple[int, int]:
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", _typed(text))
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise UsageError(_("{option} '{text}' is not a month; use YYYY-MM, e.g. 2026-11").format(option=option, text=text))
    if not FIRST_YEAR <= int(m.group(1)) <= LAST_YEAR:
        raise _outside(option, text)
    return int(m.group(1)), int(m.group(2))


def parse_year(text: str, option: str = "--year") -> int:
    t = _typed(text)
    if not re.fullmatch(r"\d{4}", t):
        raise UsageError(_("{option} '{text}' is not a year; use YYYY, e.g. 2026").format(option=option, text=text))
    if not FIRST_YEAR <= int(t) <= LAST_YEAR:
        raise _outside(option, text)
    return int(t)


# ---------------------------------------------------------------- months

def shift(year: int, month: int, delta: int) -> tuple[int, int]:
    """The month `delta` months after (or, negative, before) year-month."""
    d = date(year, month, 1) + relativedelta(months=delta)
    return d.year, d.month


def add_months(d: date, n: int) -> date:
    """The same day `n` months later (the month's last day when it has no such day)."""
    return d + relativedelta(months=n)


def first_day(year: int, month: int) -> date:
    return date(year, month, 1)


def last_day(year: int, month: int) -> date:
    return date(year, month, 1) + relativedelta(months=1, days=-1)


def days(year: int, month: int) -> tuple[date, date]:
    """First and last day of the month."""
    return first_day(year, month), last_day(year, month)


def bounds(tz: tzinfo, year: int, month: int) -> tuple[datetime, datetime]:
    """First and last second of the month in the time zone `tz`."""
    if not 1 <= month <= 12:
        raise UsageError(_("month {month} is not 1–12").format(month=month))
    start = datetime(year, month, 1, tzinfo=tz)
    nxt = start.replace(tzinfo=None) + relativedelta(months=1)
    return start, nxt.replace(tzinfo=tz) - timedelta(seconds=1)


def months_between(start: date, end: date) -> list[tuple[int, int]]:
    """Every (year, month) from start's month to end's month, inclusive."""
    out = []
    d = date(start.year, start.month, 1)
    while (d.year, d.month) <= (end.year, end.month):
        out.append((d.year, d.month))
        d += relativedelta(months=1)
    return out


def text(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def start_of_day(d: date, tz: tzinfo) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=tz)
