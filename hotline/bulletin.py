"""The monthly bulletin (SPEC §6): the data behind `hotline report --month`.

Pure computation: cases, rules, calendar and roster in, one plain dict out (no
printing, no templates, no files).  Everything is as it stood at the last second
of the month in the book's time zone (or `now`, if earlier); events after that are
ignored, so the bulletin of a past month can be regenerated and comes out the same.

Confidentiality (SPEC §7): the personal block is never read except for the
keyed caller pseudonym, which is only *counted* (repeat callers) and never
copied out.  Typical cases are only those the caller consented to publish, with
a coarse region and a summary from which phone numbers, e-mail addresses and
account ids are blanked (`scrub`); they carry no case id.

Counting conventions (where the spec is silent):
- a case is "in the month" when its received time, in the book's time zone,
  falls in that month;
- a case with several categories (or needs) counts once for each; a case counts
  once per category group however many of the group's categories it has; so
  those distributions can add up to more than `received` (percentages are of
  `received`);
- a month still in progress is reported as of `now` (the CLI passes the clock);
- regions are free text: they are counted (and shown) by `coarse_region`, city level;
- every vocabulary id appears in its `by_*` mapping, zeros included, followed by
  any id found in cases but no longer in rules.yaml.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from typing import Any, Iterable

from .calendar import Calendar, CalendarError
from .clocks import Clock, case_clocks
from .errors import UsageError
from .model import Case, Roster

STATUS_LABELS = {"open": "处理中", "referred": "已转介", "closed": "已结案"}
STATE_LABELS = {"running": "进行中", "overdue": "已超时", "met": "按时", "late": "超时完成", "none": "无时限"}
KIND_LABELS = {"close": "结案", "respond": "首次响应", "refer": "转介", "follow_up": "转介跟进", "revisit": "回访"}
NO_REGION = "未填写"

DISTRIBUTIONS = (
    # key in `dist` / `by_<key>`, and the vocabulary of its labels (None: free text)
    ("channel", "channel"),
    ("grade", "grade"),
    ("role", "role"),
    ("category_group", "category_group"),
    ("category", "category"),
    ("region", None),
    ("gender", "gender"),
    ("age_group", "age_group"),
    ("need", "need"),
)
HOT_TOPICS = 5
RISING_TOPICS = 5
TREND_MONTHS = 12


# ---------------------------------------------------------------- months

def month_bounds(cal: Calendar, year: int, month: int) -> tuple[datetime, datetime]:
    """First and last second of the month in the book's time zone."""
    if not 1 <= month <= 12:
        raise UsageError(f"month {month} is not 1–12")
    start = datetime(year, month, 1, tzinfo=cal.tz)
    ny, nm = (year + 1, 1) if month == 12 else (year, month + 1)
    end = datetime(ny, nm, 1, tzinfo=cal.tz) - timedelta(seconds=1)
    return start, end


def shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    n = year * 12 + (month - 1) + delta
    return n // 12, n % 12 + 1


def ym_text(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


# ---------------------------------------------------------------- anonymising

_DIGITS = re.compile(r"(?:\+?\d[\d\s\-]{5,}\d)")
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_WECHAT = re.compile(r"(?i)(微信号?|wechat|wx|qq)\s*[:：]?\s*[A-Za-z0-9_\-]{5,}")
REDACTED = "〔已隐去〕"


def scrub(text: str) -> str:
    """Blank what looks like a phone number, an e-mail address or an account id.

    The summary should never hold them (intake asks for none), but a typical case
    is published: a slip must not leak.  Names cannot be recognised; they stay
    the volunteer's responsibility.
    """
    text = _EMAIL.sub(REDACTED, text)
    text = _WECHAT.sub(lambda m: m.group(1) + REDACTED, text)
    return _DIGITS.sub(lambda m: REDACTED if sum(ch.isdigit() for ch in m.group(0)) >= 7 else m.group(0), text)


_REGION_SPLIT = re.compile(r"[\s,，、/·\-;；|]+")


def coarse_region(region: str) -> str:
    """A region kept coarse (city level at most), for counting and for publication.

    Free text is normalised so spellings of one place count together and no
    district, town or street is shown: "广东省东莞市长安镇" → "东莞"; "东莞市" → "东莞";
    "东莞 长安" → "东莞"; "广东省" → "广东"; "北京市朝阳区" → "北京".
    """
    text = (region or "").strip()
    if not text:
        return ""
    first = _REGION_SPLIT.split(text)[0]
    for mark in ("特别行政区", "自治区", "省"):
        i = first.find(mark)
        if i > 0:
            rest = first[i + len(mark):]
            first = rest if rest else first[:i]
            break
    j = first.find("市")
    if j > 0:
        return first[:j][:8]
    m = re.search(r"[县区镇乡]", first[1:])  # no city named: keep a county/town, never a village or street
    if m:
        return first[: m.end() + 1][:8]
    return first[:8]


# ---------------------------------------------------------------- helpers

def _pct(n: int, total: int) -> float:
    return round(100.0 * n / total, 1) if total else 0.0


def _ordered_counts(counter: Counter, ids: Iterable[str]) -> dict[str, int]:
    out = {k: counter.get(k, 0) for k in ids}
    for k, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])):
        out.setdefault(k, n)
    return out


def _case_values(case: Case, key: str, rules: Any) -> list[str]:
    if key == "channel":
        return [case.channel]
    if key == "grade":
        return [case.grade]
    if key == "role":
        return [case.role]
    if key == "gender":
        return [case.gender or "unknown"]
    if key == "age_group":
        return [case.age_group or "unknown"]
    if key == "region":
        return [coarse_region(case.region)]
    if key == "category":
        return list(dict.fromkeys(case.categories))
    if key == "need":
        return list(dict.fromkeys(case.needs))
    if key == "category_group":
        groups = rules.vocab["category"].groups
        return list(dict.fromkeys(groups.get(c, "other") for c in case.categories))
    raise KeyError(key)


class _Clocks:
    """case_clocks as of month end, computed once per case; calendar gaps become warnings."""

    def __init__(self, rules: Any, cal: Calendar, as_of: datetime):
        self.rules, self.cal, self.as_of = rules, cal, as_of
        self._cache: dict[int, list[Clock]] = {}
        self.missing_years: set[int] = set()
        self.other: Counter = Counter()   # other rule problems: message -> cases
        self.failed: set[str] = set()

    def of(self, case: Case) -> list[Clock]:
        key = id(case)
        if key not in self._cache:
            try:
                self._cache[key] = case_clocks(case, self.rules, self.cal, self.as_of)
            except CalendarError as e:  # a year without calendar data: named, never guessed
                self.missing_years.add(e.year)
                self.failed.add(case.id)
                self._cache[key] = []
            except UsageError as e:  # e.g. no service hours at all: still list what can be listed
                self.other[str(e)] += 1
                self.failed.add(case.id)
                self._cache[key] = []
        return self._cache[key]


def _may_have_open_clock(case: Case, rules: Any, end: datetime) -> bool:
    """False when every clock of the case has surely stopped by `end` (skip the work)."""
    from .clocks import open_kinds

    return open_kinds(case, rules, end) != ()


# ---------------------------------------------------------------- the bulletin

def bulletin(
    cases: Iterable[Case],
    rules: Any,
    cal: Calendar,
    roster: Roster,
    year: int,
    month: int,
    scores: Any = None,
    now: datetime | None = None,
    trend_counts: dict[tuple[int, int], dict[str, int]] | None = None,
) -> dict[str, Any]:
    """The monthly bulletin's data as a plain dict (see the module docstring).

    `now`: for a month still in progress, the bulletin is as of `now` rather than
    the month's end (nothing is called overdue before it is); None: the month's end.
    """
    cases = list(cases)
    start, month_end = month_bounds(cal, year, month)
    end = month_end if now is None else min(month_end, cal.local(now).replace(microsecond=0))
    in_progress = end < month_end
    py, pm = shift_month(year, month, -1)
    pstart, pend = month_bounds(cal, py, pm)
    V = rules.vocab
    clocks = _Clocks(rules, cal, end)

    def local(t: datetime) -> datetime:
        return cal.local(t)

    def in_month(t: datetime) -> bool:
        return start <= local(t) <= end

    this = [c for c in cases if in_month(c.received)]
    this.sort(key=lambda c: (local(c.received), c.id))
    prev = [c for c in cases if pstart <= local(c.received) <= pend]
    received = len(this)

    # ---- distributions
    by: dict[str, dict[str, int]] = {}
    dist: dict[str, list[dict[str, Any]]] = {}
    for key, vocab in DISTRIBUTIONS:
        counter: Counter = Counter()
        for c in this:
            counter.update(_case_values(c, key, rules))
        if vocab is None:  # region: free text, most frequent first
            counts = dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0] == "", kv[0])))
            rows = [{"id": k, "label": k or NO_REGION, "count": n, "pct": _pct(n, received)} for k, n in counts.items()]
        else:
            counts = _ordered_counts(counter, V[vocab].labels)
            rows = [{"id": k, "label": V[vocab].label(k), "count": n, "pct": _pct(n, received)} for k, n in counts.items()]
            if key == "category":
                for r in rows:
                    g = V["category"].groups.get(r["id"], "other")
                    r["group"], r["group_label"] = g, V["category_group"].label(g)
        by[key] = counts
        dist[key] = rows

    # ---- hot and rising topics (categories) against the previous month
    prev_cat: Counter = Counter()
    for c in prev:
        prev_cat.update(_case_values(c, "category", rules))
    cat_rows = {r["id"]: r for r in dist["category"]}
    order = {k: i for i, k in enumerate(cat_rows)}
    hot = [dict(r, previous=prev_cat.get(r["id"], 0), delta=r["count"] - prev_cat.get(r["id"], 0))
           for r in sorted(dist["category"], key=lambda r: (-r["count"], order[r["id"]])) if r["count"] > 0][:HOT_TOPICS]
    rising = []
    for r in dist["category"]:
        before = prev_cat.get(r["id"], 0)
        if r["count"] > before:
            rising.append({"id": r["id"], "label": r["label"], "count": r["count"], "previous": before,
                           "delta": r["count"] - before, "new": before == 0})
    rising.sort(key=lambda r: (-r["delta"], -r["count"], order[r["id"]]))
    rising = rising[:RISING_TOPICS]

    # ---- red cases and how they were handled
    red_rows = []
    for c in this:
        if c.grade != "red":
            continue
        evs = sorted(c.events_until(end), key=lambda e: e.at)
        first = next((e for e in evs if e.type in ("followup", "refer", "close")), None)
        respond = next((k for k in clocks.of(c) if k.kind == "respond"), None)
        close_ev = c.closed_event(end)
        status = c.status(end)
        red_rows.append({
            "id": c.id,
            "received": local(c.received),
            "channel": c.channel,
            "channel_label": V["channel"].label(c.channel),
            "categories": [{"id": x, "label": V["category"].label(x)} for x in c.categories],
            "escalated": any(e.type == "escalate" for e in evs),
            "first_response": local(first.at) if first else None,
            "response_minutes": int((first.at - c.received).total_seconds() // 60) if first else None,
            "respond_due": respond.due if respond else None,
            "respond_state": respond.state if respond else "none",
            "respond_state_label": STATE_LABELS[respond.state if respond else "none"],
            "referred": any(e.type == "refer" for e in evs),
            "status": status,
            "status_label": STATUS_LABELS.get(status, status),
            "outcome": close_ev.outcome if close_ev else None,
            "outcome_label": V["outcome"].label(close_ev.outcome) if close_ev and close_ev.outcome else "",
        })
    red = {
        "count": len(red_rows),
        "escalated": sum(r["escalated"] for r in red_rows),
        "responded_in_time": sum(r["respond_state"] == "met" for r in red_rows),
        "responded_late": sum(r["respond_state"] == "late" for r in red_rows),
        "not_responded": sum(r["first_response"] is None for r in red_rows),
        "closed": sum(r["status"] == "closed" for r in red_rows),
        "cases": red_rows,
    }

    # ---- referrals made in the month, by partner, with the partner's feedback (close clock)
    partners: dict[str, dict[str, Any]] = {}
    for c in cases:
        refs = [e for e in c.events if e.type == "refer" and in_month(e.at)]
        if not refs:
            continue
        ks = [k for k in clocks.of(c) if k.kind == "close" and k.basis == "referred"]
        for e in refs:
            pid = str(e.to)
            p = roster.partner(pid)
            row = partners.setdefault(pid, {
                "id": pid, "name": p.name if p else pid, "kind": p.kind if p else "",
                "count": 0, "met": 0, "late": 0, "running": 0, "overdue": 0, "none": 0,
            })
            row["count"] += 1
            k = next((k for k in ks if k.start == local(e.at)), None)
            row[k.state if k else "none"] += 1
    partner_rows = sorted(partners.values(), key=lambda r: (-r["count"], r["name"]))
    referrals = {
        "count": sum(r["count"] for r in partner_rows),
        **{s: sum(r[s] for r in partner_rows) for s in ("met", "late", "running", "overdue", "none")},
        "partners": partner_rows,
    }

    # ---- closures in the month: on time or late (the close clock the closure stopped)
    closures = {"count": 0, "on_time": 0, "late": 0, "no_deadline": 0}
    for o in V["outcome"].labels:
        closures[o] = 0
    for c in cases:
        ev = c.closed_event(end)
        if ev is None or not in_month(ev.at):
            continue
        closures["count"] += 1
        if ev.outcome:
            closures[ev.outcome] = closures.get(ev.outcome, 0) + 1
        k = next((k for k in clocks.of(c) if k.kind == "close" and k.stopped is not None and k.stopped == local(ev.at)), None)
        if k is None:
            closures["no_deadline"] += 1
        elif k.state == "met":
            closures["on_time"] += 1
        else:
            closures["late"] += 1
    closures["outcomes"] = [{"id": o, "label": V["outcome"].label(o), "count": closures.get(o, 0)} for o in V["outcome"].labels]

    # ---- open and overdue cases at month end
    open_counts = {"count": 0, "open": 0, "referred": 0, "by_grade": {g: 0 for g in V["grade"].labels}}
    overdue_rows = []
    overdue_kinds: Counter = Counter()
    for c in cases:
        if local(c.received) > end:
            continue
        st = c.status(end)
        if st != "closed":
            open_counts["count"] += 1
            open_counts[st] += 1
            open_counts["by_grade"][c.grade] = open_counts["by_grade"].get(c.grade, 0) + 1
        if not _may_have_open_clock(c, rules, end):
            continue
        late = [k for k in clocks.of(c) if k.state == "overdue"]
        if late:
            overdue_kinds.update(k.kind for k in late)
            owner = c.current_owner(end)
            p = roster.person(owner)
            overdue_rows.append({
                "id": c.id,
                "grade": c.grade,
                "grade_label": V["grade"].label(c.grade),
                "status": st,
                "status_label": STATUS_LABELS.get(st, st),
                "owner": owner,
                "owner_name": p.name if p else owner,
                "kinds": [k.kind for k in late],
                "kind_labels": [KIND_LABELS.get(k.kind, k.kind) for k in late],
                "due": min(k.due for k in late),
                "urges": c.urges(end),
            })
    overdue_rows.sort(key=lambda r: (r["due"], r["id"]))
    overdue = {
        "count": len(overdue_rows),
        "open": sum(r["status"] != "closed" for r in overdue_rows),
        "by_kind": {k: overdue_kinds.get(k, 0) for k in KIND_LABELS},
        "kinds": [{"id": k, "label": lab, "count": overdue_kinds.get(k, 0)} for k, lab in KIND_LABELS.items()],
        "cases": overdue_rows,
    }

    # ---- repeat callers: counts only, never the pseudonym or ids
    seen_before: dict[str, datetime] = {}
    for c in cases:
        tag = c.personal.caller if c.personal else None
        if tag:
            t = local(c.received)
            if tag not in seen_before or t < seen_before[tag]:
                seen_before[tag] = t
    repeat_tags: set[str] = set()
    repeat_cases = 0
    for c in this:
        tag = c.personal.caller if c.personal else None
        if tag and seen_before.get(tag, local(c.received)) < local(c.received):
            repeat_cases += 1
            repeat_tags.add(tag)
    with_tag = sum(1 for c in this if c.personal and c.personal.caller)
    repeat = {"callers": len(repeat_tags), "cases": repeat_cases, "cases_with_contact": with_tag}

    # ---- volunteer activity: who did what in the month (by the acting person)
    act: dict[str, Counter] = defaultdict(Counter)
    names = {"intake": "intakes", "followup": "followups", "revisit": "followups", "refer": "referrals",
             "close": "closures", "urge": "urges"}
    for c in cases:
        for e in c.events:
            if e.type in names and in_month(e.at):
                act[e.by][names[e.type]] += 1
    roster_order = {p.id: i for i, p in enumerate(roster.people)}
    volunteers = []
    for pid, cnt in act.items():
        p = roster.person(pid)
        g = roster.group(p.group) if p and p.group else None
        row = {"id": pid, "name": p.name if p else pid, "group": p.group if p else None,
               "group_name": g.name if g else "",
               **{k: cnt.get(k, 0) for k in ("intakes", "followups", "referrals", "closures", "urges")}}
        row["total"] = row["intakes"] + row["followups"] + row["referrals"] + row["closures"] + row["urges"]
        volunteers.append(row)
    volunteers.sort(key=lambda r: (-r["total"], roster_order.get(r["id"], 10**9), r["id"]))

    # ---- typical cases: consented, anonymised, no id
    typical = []
    for c in this:
        if not c.consent_publish:
            continue
        close_ev = c.closed_event(end)
        st = c.status(end)
        typical.append({
            "grade": c.grade,
            "grade_label": V["grade"].label(c.grade),
            "channel_label": V["channel"].label(c.channel),
            "role_label": V["role"].label(c.role),
            "categories": [{"id": x, "label": V["category"].label(x)} for x in c.categories],
            "region": coarse_region(c.region),
            "summary": scrub(c.summary),
            "status_label": STATUS_LABELS.get(st, st),
            "outcome_label": V["outcome"].label(close_ev.outcome) if close_ev and close_ev.outcome else "",
        })

    # ---- 12-month trend by grade
    months = [shift_month(year, month, -i) for i in range(TREND_MONTHS - 1, -1, -1)]
    first_start, _ = month_bounds(cal, *months[0])
    per: dict[tuple[int, int], Counter] = defaultdict(Counter)
    if trend_counts is not None:  # counted by the caller (from the index), month -> grade -> n
        for ym, counts in trend_counts.items():
            per[ym].update(counts)
    else:
        for c in cases:
            t = local(c.received)
            if first_start <= t <= end:
                per[(t.year, t.month)][c.grade] += 1
    trend = []
    for y, m in months:
        cnt = per.get((y, m), Counter())
        trend.append({"month": ym_text(y, m), "received": sum(cnt.values()),
                      "by_grade": _ordered_counts(cnt, V["grade"].labels)})

    # ---- the points ranking (from hotline's scoring, passed in)
    ranking = _ranking(scores)

    warnings = []
    if end < start:
        warnings.append(f"{ym_text(year, month)} 尚未开始：本报告没有数据")
    if clocks.missing_years:
        years = ", ".join(str(y) for y in sorted(clocks.missing_years))
        warnings.append(
            f"日历缺少 {years} 年的数据：{len(clocks.failed)} 个个案的时限未能计算"
            f"（请在 rules.yaml 的 calendar 中补充该年节假日与调休）"
        )
    for msg, n in clocks.other.items():
        warnings.append(f"{n} 个个案的时限未能计算：{msg}")

    return {
        "month": ym_text(year, month),
        "year": year,
        "month_number": month,
        "period": {"start": start, "end": month_end},
        "as_of": end,
        "in_progress": in_progress,
        "timezone": str(cal.tz),
        "received": received,
        "previous_month": ym_text(py, pm),
        "previous_received": len(prev),
        "by_channel": by["channel"],
        "by_grade": by["grade"],
        "by_role": by["role"],
        "by_category_group": by["category_group"],
        "by_category": by["category"],
        "by_region": by["region"],
        "by_gender": by["gender"],
        "by_age_group": by["age_group"],
        "by_need": by["need"],
        "dist": dist,
        "hot_topics": hot,
        "rising_topics": rising,
        "red_cases": red,
        "referrals": referrals,
        "closures": closures,
        "open_at_month_end": open_counts,
        "overdue_at_month_end": overdue,
        "repeat_callers": repeat,
        "volunteers": volunteers,
        "ranking": ranking,
        "typical_cases": typical,
        "trend": trend,
        "grades": [{"id": g, "label": V["grade"].label(g)} for g in V["grade"].labels],
        "warnings": warnings,
    }


def _plain_row(x: Any, keys: tuple[str, ...]) -> dict[str, Any]:
    if isinstance(x, dict):
        return {k: x.get(k) for k in keys}
    return {k: getattr(x, k, None) for k in keys}


def _ranking(scores: Any) -> dict[str, Any] | None:
    """The Scores object (hotline.ledger.score_month) as plain lists; None when not given."""
    if scores is None:
        return None
    people = [_plain_row(p, ("id", "name", "group", "score", "rank", "points")) for p in (getattr(scores, "people", None) or [])]
    groups = [_plain_row(g, ("id", "name", "score", "rank", "points")) for g in (getattr(scores, "groups", None) or [])]
    people.sort(key=lambda r: (r.get("rank") or 0, str(r.get("id"))))
    groups.sort(key=lambda r: (r.get("rank") or 0, str(r.get("id"))))
    return {
        "people": people,
        "groups": groups,
        "warnings": [str(w) for w in (getattr(scores, "warnings", None) or [])],
        "problems": [str(w) for w in (getattr(scores, "problems", None) or [])],
    }
