"""What the read commands ask of a book, callable from Python (the CLI renders the answers).

Each query picks from the store only the cases its question can concern (through the
index), hands them to the pure domain functions, and returns plain data.  Broken files
go to `problems` and never hide the rest.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..i18n import _
from ..book import Book
from ..domain import dates
from ..domain.calendar import Duration
from ..domain.model import STATUSES
from ..errors import HotlineError, UsageError
from ..storage.store import LoadProblem, Period

if TYPE_CHECKING:
    from ..domain import points as pts


def problem_lines(book: Book, problems: list[LoadProblem]) -> list[str]:
    """Unreadable case files as `path:line: message` lines."""
    out = []
    for p in problems:
        e = p.error
        where = book.rel(e.path or p.path)
        out.append(f"{where}:{e.line}: {e.message}" if e.line else f"{where}: {e.message}")
    return out


# ---------------------------------------------------------------- list

def list_cases(book: Book, status: str | None = None, month: tuple[int, int] | None = None,
               owner: str | None = None, problems: list[LoadProblem] | None = None,
               include_void: bool = False) -> list[dict[str, Any]]:
    """Rows {id, received (local), status, grade, owner (current), channel, categories, void}, by id;
    cases withdrawn as entered by mistake only with `include_void`."""
    return [{"id": c.id, "received": c.received.astimezone(book.tz), "status": c.status(), "grade": c.grade,
             "owner": c.current_owner(), "channel": c.channel, "categories": list(c.categories), "void": c.voided}
            for c in listed_cases(book, status, month, owner, problems, include_void)]


def listed_cases(book: Book, status: str | None = None, month: tuple[int, int] | None = None,
                 owner: str | None = None, problems: list[LoadProblem] | None = None,
                 include_void: bool = False) -> list:
    """The cases `list` lists (by id), whole: what the register export writes."""
    if status is not None:
        from ..domain import labels

        key = labels.status_key(status)
        if key is None:
            items = ", ".join(_("{id} ({label})").format(id=s, label=labels.status(s)) for s in STATUSES)
            raise UsageError(_("--status '{status}' is not known; use one of: {items}").format(status=status, items=items))
        status = key
    if owner is not None:
        owner = book.person(owner, "--owner").id  # an id or a name (段文), like every option naming a person
    book.roster  # validated even when no filter needs it: a broken roster is reported
    from ..storage.casefile import utc_text

    where, params = ["1"], []
    if status:
        where.append("status = ?")
        params.append(status)
    if owner:
        where.append("owner = ?")
        params.append(owner)
    if month:
        start, end = dates.bounds(book.tz, *month)
        where.append("received >= ? AND received <= ?")
        params += [utc_text(start), utc_text(end)]
    cases = []
    for c in book.store.query(" AND ".join(where), params, problems, include_void=include_void):
        st = c.status()
        local = c.received.astimezone(book.tz)
        if status and st != status or month and (local.year, local.month) != month or owner and c.current_owner() != owner:
            continue
        cases.append(c)
    return cases


# ---------------------------------------------------------------- overdue

def overdue(book: Book, as_of: datetime, soon: Duration | None = None, group: str | None = None,
            problems: list[LoadProblem] | None = None) -> tuple[list[dict], list[str]]:
    """The rows of `hotline overdue` (domain.overdue.overdue_rows) and calendar warnings."""
    from ..domain.clocks import due_horizon
    from ..domain.overdue import overdue_rows

    gid = book.roster.one("group", group, "--group").id if group is not None else None
    until = max(as_of, due_horizon(book.calendar, as_of, soon) or as_of)
    cases = book.store.due_by(as_of, until, problems)  # only cases with a clock due by then
    return overdue_rows(cases, book.rules, book.calendar, book.roster, as_of, soon, gid)


# ---------------------------------------------------------------- points

def load_entries(book: Book, start: date, end: date, problems: list[str] | None = None,
                 cases: list | None = None, memo: Any = None) -> list[pts.Entry]:
    """Every points entry dated start..end: derived from the cases as they stood at the end of
    `end` (or now, if earlier), plus the ledger's.  Broken files raise BookError, or with
    `problems` are named there and left out (never hiding the rest)."""
    from ..domain import points as pts  # not imported by list and overdue

    from ..storage import ledger

    until = min(dates.start_of_day(end + timedelta(days=1), book.tz), book.now)
    since = dates.start_of_day(start, book.tz)
    if cases is None:
        loaded: list = []
        cases = book.store.for_period(since, until, loaded if problems is not None else None)
        if problems is not None:
            problems.extend(f"{line} (this case is not counted)" for line in problem_lines(book, loaded))
    found = pts.case_entries(cases, book.rules, book.calendar, until, since=since, problems=problems, memo=memo)
    entries = [e for e in found if start <= e.date <= end]
    entries += ledger.read_entries(book.root, start, end, problems)
    entries.sort(key=lambda e: (e.date, e.source))
    return entries


def score_month(book: Book, year: int, month: int, problems: list[str] | None = None,
                cases: list | None = None, memo: Any = None) -> pts.Scores:
    """The month's scores and ranks, with warnings from the consecutive months before it.

    Pass `cases` when already loaded to avoid reading them again (and a `clocks.ClockMemo` to
    compute their clocks once with the bulletin's).  Problems (broken files,
    calendar gaps) end up in `Scores.problems` as well as in `problems`.
    """
    from ..domain import points as pts  # not imported by list and overdue

    first = dates.shift(year, month, -(pts.lookback(book.rules) - 1))
    probs: list[str] = [] if problems is None else problems
    entries = load_entries(book, dates.first_day(*first), dates.last_day(year, month), probs, cases, memo)
    s = pts.month_scores(entries, book.roster, book.rules, year, month)
    s.problems = list(probs)
    return s


def score_year(book: Book, year: int, problems: list[str] | None = None, cases: list | None = None) -> pts.Scores:
    """The year's scores (start + the year's entries) and the top group to recommend."""
    from ..domain import points as pts  # not imported by list and overdue

    probs: list[str] = [] if problems is None else problems
    entries = load_entries(book, date(year, 1, 1), date(year, 12, 31), probs, cases)
    s = pts.year_scores(entries, book.roster, book.rules, year)
    s.problems = list(probs)
    return s


# ---------------------------------------------------------------- the monthly bulletin

def report(book: Book, year: int, month: int, problems: list[LoadProblem] | None = None) -> dict[str, Any]:
    """The bulletin's data (domain.bulletin), with the month's points ranking.

    One read serves the bulletin and the points (whose warnings look back a few months): the
    cases that can matter from the first month the warnings need, plus the previous month's
    (for rising topics) and the earlier cases of the month's callers (repeat callers).
    """
    from ..domain import points as pts  # not imported by list and overdue

    from ..domain.bulletin import bulletin, trend_months
    from ..domain.bulletin.sections import ranking
    from ..domain.clocks import ClockMemo
    from ..render.words import bulletin_words

    problems = [] if problems is None else problems
    start, end = dates.bounds(book.tz, year, month)
    prev_start = dates.bounds(book.tz, *dates.shift(year, month, -1))[0]
    since = dates.bounds(book.tz, *dates.shift(year, month, -(pts.lookback(book.rules) - 1)))[0]
    others = [dates.shift(year, month, -1), (year - 1, month)]  # 环比 and 同比: their headlines
    cases, *other_cases = _read_months(book, Period(since, end, prev_start, True), others, problems)
    trend = book.store.grade_counts({ym: dates.bounds(book.tz, *ym) for ym in trend_months(year, month)})
    notes: list[str] = []
    inputs = upward_inputs(book, year, month, notes)
    compare = tuple(_headline(book, *ym, notes, of) for ym, of in zip(others, other_cases))
    memo = ClockMemo(book.rules, book.calendar)  # each case's clocks once: the bulletin's, then the points'
    data = bulletin(cases, book.rules, book.calendar, book.roster, year, month, None, now=book.now,
                    trend_counts=trend, upward_inputs=inputs, compare=compare, memo=memo)
    try:
        scores, why = score_month(book, year, month, cases=cases, memo=memo), ""
    except HotlineError as e:
        scores, why = None, str(e)
    data["ranking"] = ranking(scores)
    bulletin_words(data, book.rules)  # the words for the ids, in the reader's language
    data["warnings"] += list(dict.fromkeys(notes))
    if problems:
        data["warnings"].append(_("{n} case file(s) could not be read and are not counted (`hotline check` names them)")
                                .format(n=len(problems)))
    data["ranking_note"] = why
    return data


# ---------------------------------------------------------------- the upward report (上报指标)

def upward_inputs(book: Book, year: int, month: int, notes: list[str] | None = None) -> Any:
    """What the upward indicators need beyond the cases: the month's calls that did not become
    cases, the place table and the home, leave, the ledger (for training).  Broken files are named
    in `notes` and left out."""
    from ..domain.bulletin.upward import Inputs
    from ..domain.calls import month_totals
    from ..errors import BookError
    from ..storage import calls, ledger
    from ..storage import places as placestore

    notes = [] if notes is None else notes
    places, home, bad = placestore.for_rules(book.rules.lines.home_region)
    if book.rules.lines.home_region is None:
        notes.append(_("rules.yaml has no home_region (city, province): callers' regions are not counted as local or "
                       "out of area"))
    notes += [msg for _keys, msg in bad]
    problems: list[str] = []
    found = calls.read_months(book.root, [(year, month)], problems)
    first, last = dates.days(year, month)
    try:
        from . import staff

        leaves = staff.leaves(book, first, last)
    except BookError as e:
        problems.append(str(e))
        leaves = []
    path = ledger.path_for(book.root, first)
    entries = []
    if path.exists():
        try:
            entries = [le for le, _line in ledger.read_file(path)]
        except BookError as e:
            problems.append(str(e))
    notes += [_("{problem} (not counted)").format(problem=p) for p in problems]
    return Inputs(calls=month_totals(found, year, month), places=places, home=home, leaves=leaves, training=entries)


def _read_months(book: Book, first: Period, months: list[tuple[int, int]],
                 problems: list[LoadProblem]) -> list[list]:
    """The cases of `first` (broken files named in `problems`) and, for each of `months` a book can
    hold, the cases of the month as `_headline` reads them (None for the others): one read."""
    held = [ym for ym in months if dates.in_range(date(*ym, 1))]
    periods = [first] + [Period(*dates.bounds(book.tz, *ym), dates.bounds(book.tz, *ym)[0], True) for ym in held]
    found = iter(book.store.for_periods(periods, problems))
    first_cases = next(found)
    return [first_cases] + [next(found) if ym in held else None for ym in months]


def _headline(book: Book, year: int, month: int, notes: list[str], cases: list | None) -> dict[str, Any] | None:
    """The headline numbers of another month (for 环比 and 同比) from its cases as `_read_months`
    read them; None before the book's dates."""
    from ..domain.bulletin import Month
    from ..domain.bulletin.upward import headline

    if cases is None:
        return None
    m = Month.of(cases, book.rules, book.calendar, book.roster, year, month, book.now)
    if m.end < m.start:
        return None
    return headline(m, upward_inputs(book, year, month, notes))


def _month_of(book: Book, year: int, month: int) -> Any:
    from ..domain.bulletin import Month

    if not dates.in_range(date(year, month, 1)):
        return None
    start, end = dates.bounds(book.tz, year, month)
    if start > book.now:
        return None
    cases = book.store.for_period(start, end, [], received_since=start, with_earlier_callers=True)
    return Month.of(cases, book.rules, book.calendar, book.roster, year, month, book.now)


def year_report(book: Book, year: int) -> dict[str, Any]:
    """`report --year`: the year's upward totals, month by month, the top five topics and growth on
    the year before (domain.bulletin.upward.year_report), with the notes of what is missing."""
    from collections import Counter

    from ..domain.bulletin.upward import headline, topic_counts
    from ..domain.bulletin.upward import year_report as build

    notes: list[str] = []
    rows, before = [], []
    topics: Counter = Counter()
    topics_before: Counter = Counter()
    for mo in range(1, 13):
        m = _month_of(book, year, mo)
        rows.append(((year, mo), headline(m, upward_inputs(book, year, mo, notes)) if m is not None else None))
        if m is not None:
            topics.update(topic_counts(m))
        p = _month_of(book, year - 1, mo)
        before.append(headline(p, upward_inputs(book, year - 1, mo, notes)) if p is not None else None)
        if p is not None:
            topics_before.update(topic_counts(p))
    data = build(year, rows, before, topics, topics_before)
    data["warnings"] = list(dict.fromkeys(notes))
    data["grades"] = [{"id": g, "label": book.rules.vocab["grade"].label(g)} for g in book.rules.vocab["grade"].labels]
    trend = book.store.grade_counts({(year, mo): dates.bounds(book.tz, year, mo) for mo in range(1, 13)})
    data["trend"] = [{"month": dates.text(year, mo), "received": sum(trend.get((year, mo), {}).values()),
                      "by_grade": dict(trend.get((year, mo), {}))} for mo in range(1, 13)]
    return data
