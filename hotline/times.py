"""Times typed on the command line: ISO 8601 or `YYYY-MM-DD HH:MM`; naive = book time zone."""
from __future__ import annotations

import re
from datetime import date, datetime, tzinfo

from .errors import UsageError

_FORMS = "ISO 8601 (2026-11-20T15:00+08:00) or 'YYYY-MM-DD HH:MM' or 'YYYY-MM-DD'"


def parse_time(text: str, tz: tzinfo, option: str = "--at") -> datetime:
    t = text.strip()
    m = re.fullmatch(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?", t)
    if m:  # what people type: 2026-11-20 9:00, 2026/11/20 15:00, 2026-11-20
        y, mo, d, h, mi, sec = (int(x) if x else 0 for x in m.groups())
        try:
            return datetime(y, mo, d, h, mi, sec, tzinfo=tz)
        except ValueError:
            raise UsageError(f"{option} '{text}' is not a real date and time; use {_FORMS}") from None
    try:
        dt = datetime.fromisoformat(t)
    except ValueError:
        raise UsageError(f"{option} '{text}' is not a time; use {_FORMS}") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=tz)
    return dt.astimezone(tz).replace(microsecond=0)


def parse_date(text: str, option: str = "--date") -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{option} '{text}' is not a date; use YYYY-MM-DD") from None


def parse_month(text: str, option: str = "--month") -> tuple[int, int]:
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", text.strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise UsageError(f"{option} '{text}' is not a month; use YYYY-MM, e.g. 2026-11")
    return int(m.group(1)), int(m.group(2))


def now(tz: tzinfo) -> datetime:
    return datetime.now(tz).replace(microsecond=0)
