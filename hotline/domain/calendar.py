"""Working days, service hours and durations: when a deadline falls due (SPEC §4).

Pure: no printing, no files.  The official Chinese calendar (public holidays and
调休 make-up working days) comes from the `chinesecalendar` package, imported
lazily; rules.yaml can add or override days and declare whole years.  Official data
always wins.

A year with no official data (after chinesecalendar's last year, before the State Council
notice is typed into rules.yaml) is *provisional* (暂定): its days off are computed from the
statutory rules (`statutory_days_off`) — weekends, the festivals of the 2024 revision of
《全国年节及纪念日放假办法》 and their 补假, but no make-up working days (调休), which only
the notice can say.  `Calendar` tells which years were provisional, so every deadline that
used one can say so.  A strict calendar (`strict=True`), or a year the statutory rules
cannot cover (before 2025, or beyond the lunar tables of the `holidays` package), raises a
`CalendarError` naming the year to add.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Iterable, Mapping
from zoneinfo import ZoneInfo

from ..i18n import N_, _, ngettext
from ..errors import UsageError

__all__ = [
    "CalendarError",
    "Duration",
    "parse_duration",
    "Calendar",
    "statutory_days_off",
    "provisional_yaml",
    "DAY_KEYS",
    "WEEKDAY_KEYS",
]


class CalendarError(UsageError):
    """A deadline needs a day in a year no calendar source covers."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(_("the calendar has no data for {year}: add that year's public holidays and make-up working "
                           "days to rules.yaml under calendar: holidays/workdays (or list {year} under calendar: years)")
                         .format(year=year))


# --------------------------------------------------------------------------- durations

DURATION_KINDS = ("same_day", "minutes", "days", "working_days")
MAX_N = 100_000  # beyond this a duration is a typo, and date arithmetic would overflow

_ALLOWED = N_("same day, N hours, N minutes, N days, N working days (当天, N小时, N分钟, N天, N个工作日)")

_UNITS: dict[str, tuple[str, int]] = {}
for _words, _kind, _mult in (
    (("minute", "minutes", "min", "mins"), "minutes", 1),
    (("hour", "hours", "h", "hr", "hrs"), "minutes", 60),
    (("day", "days"), "days", 1),
    (("working day", "working days", "workday", "workdays"), "working_days", 1),
    (("分钟",), "minutes", 1),
    (("小时", "个小时"), "minutes", 60),
    (("天",), "days", 1),
    (("工作日", "个工作日"), "working_days", 1),
):
    for _w in _words:
        _UNITS[_w] = (_kind, _mult)



@lru_cache(maxsize=None)
def _duration_re() -> re.Pattern[str]:
    # compiled on first use: the CJK ranges cost milliseconds, and start-up must stay fast
    return re.compile(r"^([0-9]+)\s*([a-z\u4e00-\u9fff][a-z\u4e00-\u9fff ]*?)$")


@dataclass(frozen=True)
class Duration:
    kind: str  # same_day | minutes | days | working_days
    n: int = 0

    def __post_init__(self) -> None:
        if self.kind not in DURATION_KINDS:
            raise ValueError(f"unknown duration kind {self.kind!r}")

    def __str__(self) -> str:
        """In the book's language, in a form `parse_duration` reads back."""
        n = self.n
        if self.kind == "same_day":
            return _("same day")
        if self.kind == "minutes":
            if n % 60 == 0:
                return ngettext("{n} hour", "{n} hours", n // 60).format(n=n // 60)
            return ngettext("{n} minute", "{n} minutes", n).format(n=n)
        if self.kind == "days":
            return ngettext("{n} day", "{n} days", n).format(n=n)
        return ngettext("{n} working day", "{n} working days", n).format(n=n)


def parse_duration(text: str) -> Duration:
    """'same day', 'N hours', 'N minutes', 'N days', 'N working days' or the Chinese forms."""
    if not isinstance(text, str):
        raise UsageError(_("unknown duration {text!r}; use: {allowed}").format(text=text, allowed=_(_ALLOWED)))
    norm = " ".join(unicodedata.normalize("NFKC", text).strip().lower().split())
    if norm in ("same day", "same-day", "当天", "当日"):
        return Duration("same_day", 0)
    m = _duration_re().match(norm)
    if m:
        unit = _UNITS.get(m.group(2).strip())
        if unit is not None:
            n = int(m.group(1))
            if n < 1 or n > MAX_N:
                raise UsageError(
                    _("bad duration '{text}': N must be a whole number from 1 to {MAX_N}; use: {allowed}").format(text=text, MAX_N=MAX_N, allowed=_(_ALLOWED))
                )
            kind, mult = unit
            return Duration(kind, n * mult)
    raise UsageError(_("unknown duration '{text}'; use: {allowed}").format(text=text, allowed=_(_ALLOWED)))


# --------------------------------------------------------------------------- service hours

WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_KEYS = ("working_day", "other_day") + WEEKDAY_KEYS
DEFAULT_HOURS: dict[str, list[str]] = {"working_day": ["10:00-17:00"], "other_day": ["14:00-17:00"]}

Interval = tuple[time, time]
_END_OF_DAY = time(23, 59, 59, 999999)
_HOURS_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–~]\s*(\d{1,2}):(\d{2})\s*$")


def _parse_interval(key: str, value: Any) -> Interval:
    if isinstance(value, (tuple, list)) and len(value) == 2 and all(isinstance(v, time) for v in value):
        start, end = value
    else:
        m = _HOURS_RE.match(value) if isinstance(value, str) else None
        if not m:
            raise UsageError(_("service_hours: {key}: bad hours {value!r}; use HH:MM-HH:MM, e.g. 10:00-17:00").format(key=key, value=value))
        h1, m1, h2, m2 = (int(g) for g in m.groups())
        if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2):
            raise UsageError(_("service_hours: {key}: bad hours {value!r}; times run from 00:00 to 24:00").format(key=key, value=value))
        start = time(h1, m1)
        end = _END_OF_DAY if h2 == 24 else time(h2, m2)
    if not start < end:
        raise UsageError(_("service_hours: {key}: bad hours {value!r}; the end must be after the start").format(key=key, value=value))
    return (start, end)


def _parse_hours(hours: Mapping[str, Any] | None) -> dict[str, tuple[Interval, ...]]:
    if hours is None:
        hours = DEFAULT_HOURS
    if not isinstance(hours, Mapping):
        raise UsageError(_("service_hours must be a mapping of day keys to lists of HH:MM-HH:MM, not {hours!r}").format(hours=hours))
    out: dict[str, tuple[Interval, ...]] = {}
    for key, val in hours.items():
        if key not in DAY_KEYS:
            raise UsageError(_("service_hours: unknown key '{key}'; use: {items}").format(key=key, items=', '.join(DAY_KEYS)))
        if val is None:
            val = []
        elif isinstance(val, str):
            val = [val]
        if not isinstance(val, (list, tuple)):
            raise UsageError(_('service_hours: {key}: {val!r} must be a list like ["10:00-17:00"]').format(key=key, val=val))
        out[key] = tuple(sorted(_parse_interval(key, v) for v in val))
    return out


# --------------------------------------------------------------------------- calendar data

_DATE_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def _to_date(section: str, value: Any) -> date:
    if isinstance(value, datetime):
        raise UsageError(_("calendar: {section}: {value!s} is a time, not a date; use YYYY-MM-DD").format(section=section, value=value))
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        m = _DATE_RE.match(value.strip())
        if m:
            try:
                return date(*(int(g) for g in m.groups()))
            except ValueError:
                pass
    raise UsageError(_("calendar: {section}: '{value}' is not a date; use YYYY-MM-DD").format(section=section, value=value))


def _dates(section: str, values: Any) -> set[date]:
    """A list of dates; a text item 'YYYY-MM-DD..YYYY-MM-DD' is an inclusive range."""
    if values is None:
        return set()
    if isinstance(values, (str, date)):
        values = [values]
    if not isinstance(values, (list, tuple, set, frozenset)):
        raise UsageError(_("calendar: {section} must be a list of dates (YYYY-MM-DD), not {values!r}").format(section=section, values=values))
    out: set[date] = set()
    for v in values:
        if isinstance(v, str) and ".." in v:
            a, _sep, b = v.partition("..")
            first, last = _to_date(section, a), _to_date(section, b)
            if last < first or (last - first).days > 366:
                raise UsageError(_("calendar: {section}: bad range '{v}'; use FIRST..LAST within one year").format(section=section, v=v))
            out.update(first + timedelta(days=i) for i in range((last - first).days + 1))
        else:
            out.add(_to_date(section, v))
    return out


def _years(values: Any) -> set[int]:
    if values is None:
        return set()
    if isinstance(values, (int, str)):
        values = [values]
    if not isinstance(values, (list, tuple, set, frozenset)):
        raise UsageError(_("calendar: years must be a list of years like [2027], not {values!r}").format(values=values))
    out: set[int] = set()
    for v in values:
        if isinstance(v, bool) or not (isinstance(v, int) or (isinstance(v, str) and v.strip().isdigit())):
            raise UsageError(_("calendar: years: '{v}' is not a year; use e.g. 2027").format(v=v))
        y = int(v)
        if not 1900 <= y <= 9998:
            raise UsageError(_("calendar: years: '{v}' is not a year; use e.g. 2027").format(v=v))
        out.add(y)
    return out


# --------------------------------------------------------------------------- provisional years

STATUTORY_SINCE = 2025  # the 2024 revision of 《全国年节及纪念日放假办法》 is in force from 2025
_LUNAR = ("春节", "清明", "端午", "中秋")  # as the `holidays` package names them (zh_CN)


def _lunar_festivals(year: int) -> dict[str, date] | None:
    """正月初一 (the first day named 春节), 清明, 端午 and 中秋 of `year`, from the `holidays`
    package's China class (its 调休 days, named 休息日, are left out); None when it has no
    dates for the year (it knows the lunar calendar up to 2100)."""
    try:
        import holidays  # lazy: it takes a fifth of a second, and only a provisional year needs it

        found = holidays.China(years=year, observed=False, language="zh_CN")
        named = {word: sorted(d for d, name in found.items() if word in name) for word in _LUNAR}
    except Exception:  # not installed, or a version that cannot say: the year stays uncovered
        return None
    if not all(named.values()):
        return None
    return {word: days[0] for word, days in named.items()}


@lru_cache(maxsize=None)
def statutory_days_off(year: int) -> frozenset[date] | None:
    """The days off besides weekends that the statutory rules alone give `year` (2025 on), or
    None when they cannot be computed.  From 《全国年节及纪念日放假办法》 as revised in 2024:

    元旦 1-1; 春节 农历除夕 and 正月初一至初三 (4 days); 清明节; 劳动节 5-1 and 5-2; 端午节;
    中秋节; 国庆节 10-1 to 10-3 — and, by its 补假 article, a festival day falling on a Saturday
    or Sunday gives a day off on the next working day.  The lunar dates come from the `holidays`
    package; 除夕 is the day before 正月初一 (computed here, so older versions of the package
    that lack the 2025 rule still give the right days).  No make-up working days: 调休 is only
    known from the State Council's notice.  A festival that coincides with another (中秋 on
    10-3 in 2028) counts once.
    """
    if year < STATUTORY_SINCE:
        return None
    lunar = _lunar_festivals(year)
    if lunar is None:
        return None
    first = lunar["春节"]
    festivals = {date(year, 1, 1), date(year, 5, 1), date(year, 5, 2),
                 date(year, 10, 1), date(year, 10, 2), date(year, 10, 3),
                 lunar["清明"], lunar["端午"], lunar["中秋"]}
    festivals |= {first + timedelta(days=i) for i in (-1, 0, 1, 2)}
    off = set(festivals)
    for d in sorted(festivals):
        if d.weekday() >= 5:  # 补假 on the next working day
            sub = d + timedelta(days=1)
            while sub.weekday() >= 5 or sub in off:
                sub += timedelta(days=1)
            off.add(sub)
    return frozenset(off)


def _runs(days: Iterable[date]) -> list[str]:
    """Sorted days as YAML list items, consecutive ones as a quoted 'FIRST..LAST' range."""
    out: list[list[date]] = []
    for d in sorted(set(days)):
        if out and d - out[-1][-1] == timedelta(days=1):
            out[-1].append(d)
        else:
            out.append([d])
    return [r[0].isoformat() if len(r) == 1 else f"'{r[0].isoformat()}..{r[-1].isoformat()}'" for r in out]


def provisional_yaml(years: Iterable[int]) -> str:
    """The rules.yaml lines that make provisional `years` official: the computed days off, for
    the secretary to paste and correct from the State Council's notice (with its 调休 days)."""
    days = [d for y in sorted(set(years)) for d in (statutory_days_off(y) or ())]
    return (
        "calendar:\n"
        f"  holidays: [{', '.join(_runs(days))}]\n"
        "  workdays: []   # " + _("make-up working days: from the State Council's notice") + "\n"
    )


def _official_workday(d: date) -> bool | None:
    """chinesecalendar's verdict, or None when it has no data for that year."""
    import chinese_calendar  # lazy: keeps CLI start-up fast

    try:
        return bool(chinese_calendar.is_workday(d))
    except NotImplementedError:
        return None


class Calendar:
    """Working days and service hours of one book, in its timezone."""

    SERVICE_SEARCH_DAYS = 366

    def __init__(
        self,
        tz: str = "Asia/Shanghai",
        holidays: Iterable[date] = (),
        workdays: Iterable[date] = (),
        hours: Mapping[str, Any] | None = None,
        years: Iterable[int] = (),
        strict: bool = False,
    ):
        """`strict`: a year without official data raises CalendarError instead of being
        computed provisionally from the statutory rules."""
        try:
            self.tz = ZoneInfo(tz)
        except Exception:
            raise UsageError(_("unknown timezone '{tz}' (e.g. Asia/Shanghai)").format(tz=tz)) from None
        self.holidays = frozenset(_dates("holidays", list(holidays)))
        self.workdays = frozenset(_dates("workdays", list(workdays)))
        both = sorted(self.holidays & self.workdays)
        if both:
            raise UsageError(_("calendar: {isoformat} is listed both under holidays and under workdays").format(isoformat=both[0].isoformat()))
        self.years = frozenset(_years(list(years)))
        self.hours = _parse_hours(hours)
        self._declared_years = self.years | {d.year for d in self.holidays | self.workdays}
        self.strict = strict
        self._working: dict[date, bool] = {}
        self._nth: dict[tuple[date, int], date] = {}
        self._provisional: dict[int, bool] = {}
        self._used: set[int] = set()

    @classmethod
    def from_rules(cls, rules: Any, strict: bool = False) -> Calendar:
        cal = rules.calendar or {}
        if not isinstance(cal, Mapping):
            raise UsageError(_("calendar must be a mapping with holidays: [...], workdays: [...], years: [...]"))
        for key in cal:
            if key not in ("holidays", "workdays", "years"):
                raise UsageError(_("calendar: unknown key '{key}'; use: holidays, workdays, years").format(key=key))
        return cls(
            tz=rules.timezone,
            holidays=_dates("holidays", cal.get("holidays")),
            workdays=_dates("workdays", cal.get("workdays")),
            hours=rules.service_hours if rules.service_hours is not None else {},
            years=_years(cal.get("years")),
            strict=strict,
        )

    # ---- days

    def is_working_day(self, d: date) -> bool:
        if isinstance(d, datetime):
            d = d.date()
        hit = self._working.get(d)
        if hit is not None:
            return hit
        if d in self.workdays:
            val = True
        elif d in self.holidays:
            val = False
        else:
            official = _official_workday(d)
            if official is not None:
                val = official
            elif d.year in self._declared_years:
                val = d.weekday() < 5
            else:
                val = d.weekday() < 5 and d not in self._provisional_days_off(d.year)
        self._working[d] = val
        return val

    # ---- provisional years

    def _provisional_days_off(self, year: int) -> frozenset[date]:
        off = None if self.strict else statutory_days_off(year)
        if off is None:
            raise CalendarError(year)
        self._used.add(year)
        return off

    def is_provisional_year(self, year: int) -> bool:
        """Whether `year`'s working days are provisional: no official data (chinesecalendar does
        not cover it, rules.yaml does not declare it), and the statutory rules can compute them.
        (A year with neither raises CalendarError when one of its days is asked for.)"""
        hit = self._provisional.get(year)
        if hit is None:
            hit = (not self.strict and year not in self._declared_years
                   and _official_workday(date(year, 1, 1)) is None and statutory_days_off(year) is not None)
            self._provisional[year] = hit
        return hit

    def provisional_years_in(self, first: date, last: date) -> list[int]:
        """The provisional years among those of the dates first..last."""
        return [y for y in range(first.year, last.year + 1) if self.is_provisional_year(y)]

    def provisional_between(self, first: date, last: date) -> bool:
        """Whether any date first..last lies in a provisional year."""
        return bool(self.provisional_years_in(first, last))

    @property
    def provisional_used(self) -> frozenset[int]:
        """The provisional years this calendar has computed working days for so far."""
        return frozenset(self._used)

    def nth_working_day_after(self, d: date, n: int) -> date:
        """The nth working day strictly after date d (n >= 1)."""
        key = (d, n)
        hit = self._nth.get(key)
        if hit is not None:
            return hit
        day, left = d, n
        while left > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        self._nth[key] = day
        return day

    # ---- service hours

    def _day_type_matters(self, d: date) -> bool:
        """Whether d's service hours depend on it being a working day (no weekday key, and
        different hours for working and other days)."""
        return (WEEKDAY_KEYS[d.weekday()] not in self.hours
                and self.hours.get("working_day", ()) != self.hours.get("other_day", ()))

    def service_hours(self, d: date) -> list[Interval]:
        if isinstance(d, datetime):
            d = d.date()
        wk = WEEKDAY_KEYS[d.weekday()]
        if wk in self.hours:
            return list(self.hours[wk])
        work = self.hours.get("working_day", ())
        if not self._day_type_matters(d):  # no calendar lookup needed
            return list(work)
        return list(work if self.is_working_day(d) else self.hours.get("other_day", ()))

    def has_service(self, d: date) -> bool:
        return bool(self.service_hours(d))

    def service_day(self, at: datetime) -> date:
        """The start's date if before that date's closing time, else the next date with service."""
        at = self.local(at)
        d = at.date()
        hours = self.service_hours(d)
        if hours and at.time() < max(end for _, end in hours):
            return d
        for _day in range(self.SERVICE_SEARCH_DAYS):
            d += timedelta(days=1)
            if self.has_service(d):
                return d
        raise UsageError(
            _("no service hours are configured in the {SERVICE_SEARCH_DAYS} days after {isoformat}, so 'same day' has no end; set service_hours in rules.yaml").format(SERVICE_SEARCH_DAYS=self.SERVICE_SEARCH_DAYS, isoformat=at.date().isoformat())
        )

    # ---- times

    def local(self, at: datetime) -> datetime:
        """An aware time in the book's timezone; a naive time is taken as already local."""
        tz = at.tzinfo
        if tz is self.tz:
            return at
        if tz is None or tz.utcoffset(at) is None:
            return at.replace(tzinfo=self.tz)
        return at.astimezone(self.tz)

    def end_of(self, d: date) -> datetime:
        return datetime.combine(d, time(23, 59, 59), tzinfo=self.tz)

    def due(self, start: datetime, dur: Duration) -> datetime:
        start = self.local(start)
        if dur.kind == "minutes":
            return (start.astimezone(timezone.utc) + timedelta(minutes=dur.n)).astimezone(self.tz)
        if dur.kind == "days":
            return self.end_of(start.date() + timedelta(days=dur.n))
        if dur.kind == "working_days":
            return self.end_of(self.nth_working_day_after(start.date(), dur.n))
        if dur.kind == "same_day":
            return self.end_of(self.service_day(start))
        raise ValueError(f"unknown duration kind {dur.kind!r}")

    def due_and_provisional(self, start: datetime, dur: Duration) -> tuple[datetime, bool]:
        """When `dur` after `start` ends, and whether that used a provisional year's working
        days (exact and calendar-day durations never do)."""
        due = self.due(start, dur)
        if not self._used or dur.kind not in ("working_days", "same_day"):
            return due, False  # no provisional year asked for yet: this due did not use one
        first = self.local(start).date()
        if dur.kind == "working_days":  # the days after the start's date, up to the due date
            return due, self.provisional_between(first + timedelta(days=1), due.date())
        days = (first + timedelta(days=i) for i in range((due.date() - first).days + 1))
        return due, any(self._day_type_matters(d) and self.is_provisional_year(d.year) for d in days)
