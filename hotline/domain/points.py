"""Points (SPEC §5): entries, award arithmetic, scores, competition ranks, warnings — pure.

No printing, no git, no file reading: the callers hand over the cases, the ledger
entries (read by `storage/ledger.py`; `queries.py` holds `score_month` / `score_year`
for the CLI and the monthly bulletin), the roster and the rules.

Entries come from two places:
- cases, derived every time and never stored: +`points.resolved_case` to the owner
  for a case closed as resolved (dated at the closure), `points.late_closure` to the
  owner once per case whose `close` clock ran out (dated on its due date);
- the ledger (`ledger/YYYY-MM.yaml`): awards and penalties.

A period's score is `points.start` + the entries dated in it, for each person and,
through the person's group, for each group; ranks are competition ranks (1, 2, 2, 4).
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Iterable, Sequence

from ..i18n import N_, _
from ..errors import BookError, UsageError
from . import dates
from .cases import clear_text
from . import labels
from .labels import CASE_ITEMS
from .model import Case, LedgerEntry, Roster
from .numbers import MAX_AMOUNT, MAX_COUNT, MAX_POINTS, parse_whole

MAX_NOTE = 500
WARNING_DEFAULTS = {"group_last_months": 2, "person_bottom": 3, "person_bottom_months": 3}


@dataclass
class Entry:
    """One points entry, from a case or from the ledger."""

    date: date
    person: str
    item: str          # an award/penalty id from rules.yaml, or resolved_case / late_closure
    points: int
    source: str        # "case <id>" or "ledger/2026-11.yaml:<line>"
    note: str = ""
    count: int = 1
    amount: int | None = None   # donation, in yuan
    by: str = ""


@dataclass
class PersonScore:
    id: str
    name: str
    group: str | None
    score: int
    rank: int
    points: int        # the period's entries summed (score = start + points)
    entries: int = 0   # how many entries


@dataclass
class GroupScore:
    id: str
    name: str
    score: int
    rank: int
    points: int
    entries: int = 0


@dataclass
class Alert:
    """A warning from consecutive months, as data (render.words.alert_text says it in words)."""

    kind: str                  # group_last | person_bottom | tie_for_first
    id: str                    # tie_for_first: the tied groups' ids, comma-separated
    name: str                  # tie_for_first: "id name" of each tied group, comma-separated
    months: int                # the months running (0 for a tie)
    places: int = 0            # person_bottom: among the last `places`
    score: int | None = None   # tie_for_first: the score they share

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "name": self.name, "months": self.months, "places": self.places,
                "score": self.score}


@dataclass
class Scores:
    period: str                 # "2026-11" or "2026"
    start: date                 # first day of the period
    end: date                   # last day of the period
    base: int                   # points.start
    people: list[PersonScore]
    groups: list[GroupScore]
    entries: list[Entry]        # the period's entries, sorted by date
    alerts: list[Alert] = field(default_factory=list)
    recommended: GroupScore | None = None   # year view: the top group, when there is exactly one
    problems: list[str] = field(default_factory=list)  # what could not be counted (e.g. calendar gaps)

    def person(self, pid: str) -> PersonScore | None:
        return next((p for p in self.people if p.id == pid), None)

    def group(self, gid: str) -> GroupScore | None:
        return next((g for g in self.groups if g.id == gid), None)

    def entries_of(self, pid: str) -> list[Entry]:
        return [e for e in self.entries if e.person == pid]

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of `hotline score` (SPEC §8) plus a few more keys."""
        d: dict[str, Any] = {
            "period": self.period,
            "start": self.base,
            "people": [{"id": p.id, "name": p.name, "group": p.group, "score": p.score, "rank": p.rank,
                        "points": p.points} for p in self.people],
            "groups": [{"id": g.id, "name": g.name, "score": g.score, "rank": g.rank, "points": g.points}
                       for g in self.groups],
            "alerts": [a.to_dict() for a in self.alerts],   # render.words.score_words says them as "warnings"
        }
        if len(self.period) == 4:  # the year view
            r = self.recommended
            d["recommended"] = {"id": r.id, "name": r.name, "score": r.score} if r else None
        if self.problems:
            d["problems"] = list(self.problems)
        return d


# ---------------------------------------------------------------- rules access

def _int_rule(rules: Any, section: dict, key: str, where: str, minimum: int, default: int | None = None) -> int:
    v = section.get(key, default)
    if not isinstance(v, int) or isinstance(v, bool) or v < minimum:
        raise BookError(_("{where}.{key} must be a whole number{more}, not {v!r}").format(
            where=where, key=key, more=f" ≥ {minimum}", v=v), getattr(rules, "path", None))
    return v


def warning_rules(rules: Any) -> dict[str, int]:
    w = rules.points.get("warnings") or {}
    if not isinstance(w, dict):
        raise BookError(_("points.warnings must be a mapping (group_last_months, person_bottom, person_bottom_months)"),
                        getattr(rules, "path", None))
    return {k: _int_rule(rules, w, k, "points.warnings", 1, d) for k, d in WARNING_DEFAULTS.items()}


def per_yuan(rules: Any, item: str) -> int | None:
    """Yuan per point for an amount-based item (donation), else None."""
    spec = (rules.points.get("awards") or {}).get(item) or (rules.points.get("penalties") or {}).get(item) or {}
    if "per_yuan" not in spec:
        return None
    return _int_rule(rules, spec, "per_yuan", f"points.awards.{item}", 1)


def item_label(rules: Any, item: str) -> str:
    if item in CASE_ITEMS:
        return labels.case_item(item)
    for sect in ("awards", "penalties"):
        spec = (rules.points.get(sect) or {}).get(item)
        if isinstance(spec, dict) and isinstance(spec.get("label"), str):
            return spec["label"]
    return item


# ---------------------------------------------------------------- entries from cases

def case_entries(
    cases: Iterable[Case],
    rules: Any,
    cal: Any,
    until: datetime,
    since: datetime | None = None,
    problems: list[str] | None = None,
    memo: Any = None,
) -> list[Entry]:
    """Points entries derived from the cases, as they stood at `until`.

    `since` only prunes: cases closed before it cannot give an entry dated at or
    after it (a close clock that ran out was due before its closure).  The owner
    credited is the owner at the entry's time: at the closure for `resolved_case`,
    at the due time for `late_closure` — so a past month's score never changes
    when a case is reassigned later.  A case whose deadline the calendar cannot
    compute is skipped and named in `problems` (raised when `problems` is None).
    A late closure whose due date used provisional working days (暂定) counts, with
    the note 暂定, and is named in `problems` too: it may move with the official calendar.
    `memo`: a `clocks.ClockMemo` shared with the bulletin of the same report.
    """
    from .calendar import CalendarError
    from .clocks import late_close_clock

    resolved_pts = rules.points["resolved_case"]
    late_pts = rules.points["late_closure"]
    until = cal.local(until)
    since = cal.local(since) if since is not None else None
    out: list[Entry] = []
    gaps: dict[str, list[str]] = {}
    provisional: list[str] = []
    for case in cases:
        if case.received > until:
            continue
        close = case.closed_event(until)
        if since is not None and close is not None and close.at < since:
            continue
        if close is not None and close.outcome == "resolved":
            out.append(Entry(cal.local(close.at).date(), case.current_owner(close.at), "resolved_case",
                             resolved_pts, f"case {case.id}"))
        try:
            late = late_close_clock(case, rules, cal, as_of=until, memo=memo)
        except CalendarError as e:
            if problems is None:
                raise
            gaps.setdefault(str(e), []).append(case.id)
            continue
        if late is not None:
            if late.provisional:
                provisional.append(case.id)
            out.append(Entry(cal.local(late.due).date(), case.current_owner(late.due), "late_closure", late_pts,
                             f"case {case.id}", note=labels.provisional() if late.provisional else ""))
    if problems is not None:
        for msg, ids in gaps.items():
            problems.append(_("late closures not counted for {cases}: {why}").format(
                cases=", ".join(ids[:5]) + ("…" if len(ids) > 5 else ""), why=msg))
        if provisional:
            ids = f"{', '.join(provisional[:5])}{'…' if len(provisional) > 5 else ''}"
            problems.append(_("late closures counted on provisional working days for {ids}: their due dates "
                              "may move when the State Council's notice is added to rules.yaml").format(ids=ids))
    out.sort(key=lambda e: (e.date, e.source))
    return out


# ---------------------------------------------------------------- ranking and scores

def rank(values: Sequence[int]) -> list[int]:
    """Competition ranks, highest value first: [10, 8, 8, 5] -> [1, 2, 2, 4]."""
    ordered = sorted(values, reverse=True)
    first: dict[int, int] = {}
    for i, v in enumerate(ordered, 1):
        first.setdefault(v, i)
    return [first[v] for v in values]


def scores(entries: Iterable[Entry], roster: Roster, rules: Any, start: date, end: date,
           period: str | None = None) -> Scores:
    """Scores of every person and every group for the entries dated start..end (inclusive).

    Every roster group and every active person is listed; an inactive person only
    when they have entries in the period, as is anyone not (or no longer) in the
    roster who has entries (listed by id, without a group).  A person's entries
    count for the person's current group; people without a group count only for
    themselves.
    """
    base = rules.points["start"]
    mine = sorted((e for e in entries if start <= e.date <= end), key=lambda e: (e.date, e.source))
    per_person: dict[str, list[int]] = {}
    for e in mine:
        per_person.setdefault(e.person, []).append(e.points)

    listed: list[tuple[str, str, str | None]] = []
    for p in roster.people:
        if p.active or p.id in per_person:
            listed.append((p.id, p.name, p.group if p.group and roster.group(p.group) else None))
    known = {p.id for p in roster.people}
    for pid in per_person:
        if pid not in known:
            listed.append((pid, pid, None))

    p_points = [sum(per_person.get(pid, [])) for pid, _, _ in listed]
    p_ranks = rank([base + x for x in p_points])
    people = [PersonScore(pid, name, gid, base + pts, r, pts, len(per_person.get(pid, [])))
              for (pid, name, gid), pts, r in zip(listed, p_points, p_ranks)]

    g_points = {g.id: 0 for g in roster.groups}
    g_entries = {g.id: 0 for g in roster.groups}
    for p in people:
        if p.group in g_points:
            g_points[p.group] += p.points
            g_entries[p.group] += p.entries
    g_ranks = rank([base + g_points[g.id] for g in roster.groups])
    groups = [GroupScore(g.id, g.name, base + g_points[g.id], r, g_points[g.id], g_entries[g.id])
              for g, r in zip(roster.groups, g_ranks)]

    order = {pid: i for i, (pid, _, _) in enumerate(listed)}
    people.sort(key=lambda p: (p.rank, order[p.id]))
    g_order = {g.id: i for i, g in enumerate(roster.groups)}
    groups.sort(key=lambda g: (g.rank, g_order[g.id]))
    label = period or (f"{start:%Y-%m}" if (start.day == 1 and end == dates.last_day(start.year, start.month))
                       else f"{start.isoformat()}..{end.isoformat()}")
    return Scores(label, start, end, base, people, groups, mine)


def last_groups(s: Scores) -> set[str]:
    """Groups in the last place: competition rank equal to the number of groups ranked (SPEC §5,
    the same place rule as people's).  A group tied at the bottom with others shares a better
    rank, so it is not last; with fewer than two groups nobody is."""
    count = len(s.groups)
    if count < 2:
        return set()
    return {g.id for g in s.groups if g.rank == count}


def bottom_people(s: Scores, n: int) -> set[str]:
    """People whose rank places them among the last n places (rank > count − n).

    With competition ranks a tie is placed at its best position, so a crowd tied at
    the bottom (e.g. everyone at the start score in a quiet month) is not 'among the
    last n' unless their shared rank is; with n people or fewer, nobody is.
    """
    count = len(s.people)
    if count <= n:
        return set()
    return {p.id for p in s.people if p.rank > count - n}


def warnings_for(history: Sequence[Scores], rules: Any) -> list[Alert]:
    """Warnings for the last Scores in `history` (consecutive months, oldest first)."""
    if not history:
        return []
    w = warning_rules(rules)
    cur = history[-1]
    alerts: list[Alert] = []

    gm = w["group_last_months"]
    if len(history) >= gm:
        run = [last_groups(s) for s in history[-gm:]]
        for g in cur.groups:
            if all(g.id in r for r in run):
                alerts.append(Alert("group_last", g.id, g.name, gm))

    pm, pn = w["person_bottom_months"], w["person_bottom"]
    if len(history) >= pm:
        run = [bottom_people(s, pn) for s in history[-pm:]]
        for p in cur.people:
            if all(p.id in r for r in run):
                alerts.append(Alert("person_bottom", p.id, p.name, pm, places=pn))
    return alerts


def lookback(rules: Any) -> int:
    """How many months (the current one included) the month view's warnings need."""
    w = warning_rules(rules)
    return max(w["group_last_months"], w["person_bottom_months"])


def month_scores(entries: Sequence[Entry], roster: Roster, rules: Any, year: int, month: int) -> Scores:
    """The month's scores with the warnings from consecutive months.

    `entries` must cover the `lookback(rules)` months ending with this one.
    """
    history = []
    for back in range(lookback(rules) - 1, -1, -1):
        y, m = dates.shift(year, month, -back)
        start, end = dates.days(y, m)
        history.append(scores(entries, roster, rules, start, end, dates.text(y, m)))
    cur = history[-1]
    cur.alerts = warnings_for(history, rules)
    return cur


def year_scores(entries: Sequence[Entry], roster: Roster, rules: Any, year: int) -> Scores:
    """The year's scores (start + the year's entries); names the top group to recommend."""
    s = scores(entries, roster, rules, date(year, 1, 1), date(year, 12, 31), f"{year:04d}")
    top = [g for g in s.groups if g.rank == 1]
    if len(top) == 1:
        s.recommended = top[0]
    elif len(top) > 1:
        names = ", ".join(f"{g.id} {g.name}" for g in top)
        s.alerts.append(Alert("tie_for_first", ",".join(g.id for g in top), names, 0, score=top[0].score))
    return s


# ---------------------------------------------------------------- the ledger's items

def items(rules: Any, kind: str) -> dict[str, dict]:
    """The award (kind "award") or penalty items of the rules: id -> {label, points, ...}."""
    return rules.points.get("awards" if kind == "award" else "penalties") or {}


def resolve_item(rules: Any, kind: str, value: str) -> str:
    """An award/penalty item by id or Chinese label (exact, then case-insensitive id)."""
    table = items(rules, kind)
    v = unicodedata.normalize("NFKC", str(value)).strip()
    if v in table:
        return v
    for k, spec in table.items():
        if v == spec.get("label") or v.lower() == k.lower():
            return k
    # a label without its parenthesised part, e.g. 中心讲座 for 中心讲座(20人以上)
    short = [k for k, spec in table.items() if v and str(spec.get("label", "")).split("(")[0].split("（")[0] == v]
    if len(short) == 1:
        return short[0]
    allowed = ", ".join(f"{k} ({spec.get('label', k)})" for k, spec in table.items())
    hint = ""
    if v in CASE_ITEMS:
        hint = " " + _("('{value}' comes from the cases automatically)").format(value=v)
    else:
        other = "penalize" if kind == "award" else "award"
        other_items = items(rules, "penalty" if kind == "award" else "award")
        if v in other_items or any(v == s.get("label") for s in other_items.values()):
            hint = " " + _("('{value}' is used with `hotline {command}`)").format(value=v, command=other)
    msg = (_("unknown award item '{value}'{hint}; allowed: {allowed}") if kind == "award"
           else _("unknown penalty item '{value}'{hint}; allowed: {allowed}"))
    raise UsageError(msg.format(value=value, hint=hint, allowed=allowed))


def make_entry(rules: Any, roster: Roster, kind: str, person: str, item: str, on: date, by: str,
               count: int | str | None = None, amount: int | str | None = None, note: str = "") -> LedgerEntry:
    """Validate an award/penalty and compute its points; UsageError names the bad value.
    `count` and `amount` may be typed text (`numbers.parse_whole` bounds them)."""
    p = roster.one("person", person, N_("PERSON"))
    item_id = resolve_item(rules, kind, item)
    spec = items(rules, kind)[item_id]
    label = spec.get("label", item_id)
    yuan = per_yuan(rules, item_id)
    if count is not None:
        count = parse_whole(count, "--count", 1, MAX_COUNT)
    if amount is not None:
        amount = parse_whole(amount, "--amount", 1, MAX_AMOUNT)
    if yuan is not None:
        if amount is None:
            raise UsageError(_("'{item_id}' ({label}) needs --amount YUAN (one point per whole {yuan} yuan)").format(item_id=item_id, label=label, yuan=yuan))
        if count is not None and count != 1:
            raise UsageError(_("--count does not apply to '{item_id}' ({label}); give the total with --amount").format(item_id=item_id, label=label))
        total = spec["points"] * (amount // yuan)
        n = 1
    else:
        if amount is not None:
            raise UsageError(_("--amount applies only to donations, not to '{item_id}' ({label})").format(item_id=item_id, label=label))
        n = count or 1
        total = spec["points"] * n
    return LedgerEntry(date=on, person=p.id, item=item_id, points=total, count=n, amount=amount,
                       note=clear_text(note, "--note", limit=MAX_NOTE), by=by)


def entry_problems(le: LedgerEntry, rules: Any, roster: Roster) -> list[str]:
    """What is wrong with a ledger entry as the rules and roster stand (for `hotline check`)."""
    out: list[str] = []
    awards, penalties = items(rules, "award"), items(rules, "penalty")
    if roster.person(le.person) is None:
        out.append(_("person '{person}' is not in roster.yaml").format(person=le.person))
    if roster.person(le.by) is None:
        out.append(_("by '{by}' is not in roster.yaml").format(by=le.by))
    if le.item in CASE_ITEMS:
        out.append(_("item '{item}' comes from the cases automatically; it must not be in the ledger").format(item=le.item))
        return out
    if le.item not in awards and le.item not in penalties:
        out.append(_("unknown item '{item}'; allowed: {items}").format(item=le.item, items=', '.join([*awards, *penalties])))
        return out
    try:
        yuan = per_yuan(rules, le.item)
    except BookError:
        yuan = None
    if yuan is not None and le.amount is None:
        out.append(_("'{item}' needs 'amount' (in yuan)").format(item=le.item))
    if yuan is None and le.amount is not None:
        out.append(_("'amount' applies only to donations, not to '{item}'").format(item=le.item))
    sign = 1 if le.item in awards else -1
    if le.points * sign < 0:
        out.append((_("'{item}' is an award, but points is {points}") if sign > 0 else
                    _("'{item}' is a penalty, but points is {points}")).format(item=le.item, points=le.points))
    for key, value, top in (("points", abs(le.points), MAX_POINTS), ("count", le.count, MAX_COUNT),
                            ("amount", le.amount or 0, MAX_AMOUNT)):
        if value > top:
            out.append(_("'{key}' {value} is beyond what one entry can hold (at most {top}); a typo?").format(key=key, value=value, top=top))
    return out


def from_ledger(le: LedgerEntry, source: str) -> Entry:
    return Entry(le.date, le.person, le.item, le.points, source, le.note, le.count, le.amount, le.by)
