"""The indicators a line reports upward (上报指标: the 心理援助热线工作报表, 12355 summaries): service,
regions, special calls, crisis and key cases, problem types by sex and age group, referrals, people
and training, each headline against the month before (环比) and the same month last year (同比).

Pure: plain data (ids, numbers, dates), never sentences; `render/` picks the words.  Every figure
comes from coded fields only — channel, grade, crisis level, the difficult/key marks, region,
categories, sex, age group, events, the caller's keyed pseudonym — never from the encrypted
personal block, so statistics do not change when personal data is erased.

Conventions:
- 来电总数 (calls reaching the line) = the month's cases from the call channels (rules.yaml
  `calls: channels`, default phone) + the calls that did not become cases (`calls/`); 接通率 =
  (来电总数 − missed − abandoned) / 来电总数.  A month without any call-count entry has neither:
  both are None ("not recorded"), never 100 %.
- 受理数 = every case received in the month, whatever its channel.
- 高度危机 = cases whose crisis level is one of `crisis: escalate_levels`; 困难 and 重点 = the marks;
  反复来电 = cases from a caller with an earlier case (the bulletin's repeat callers).
- Volunteer hours: for each day of the month, each active member of the group on duty who is not
  on leave that day serves the day's service hours.
- Training: ledger entries whose item is in `training: items`; a session is one item on one day,
  person-times the entries' counts.
- Referrals: those made in the month, per partner: accepted, declined, or no answer recorded (a
  follow-up, revisit or close with --accepted/--declined answers the latest referral before it),
  as the book stood at the month's end like the feedback clocks.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from .. import dates
from .. import duty as dutymod
from ..leave import Leave, on_leave
from ..model import LedgerEntry
from ..regions import KINDS as REGION_KINDS
from ..regions import Place, Places, kind as region_kind
from .context import Month
from .sections import pct, repeat_callers

HEADLINES = ("calls_total", "received", "answer_rate", "high_crisis", "difficult", "repeat_cases", "key_cases",
             "other_province", "referrals", "volunteer_hours", "training_person_times")


@dataclass
class Inputs:
    """What the indicators need beyond the month's cases (read by the service)."""

    calls: dict[str, Any] | None = None         # domain.calls.month_totals of the month
    places: Places | None = None
    home: Place | None = None
    leaves: list[Leave] = field(default_factory=list)
    training: list[LedgerEntry] = field(default_factory=list)   # the month's ledger entries (any item)


def service(m: Month, inp: Inputs) -> dict[str, Any]:
    lines = m.rules.lines
    call_cases = sum(1 for c in m.this if c.channel in lines.call_channels)
    out: dict[str, Any] = {"received": len(m.this), "call_cases": call_cases, "calls_recorded": inp.calls is not None,
                           "not_cases": None, "not_cases_by_kind": None, "calls_total": None, "answered": None,
                           "unanswered": None, "answer_rate": None, "call_days": None, "whole_month": None}
    if inp.calls is not None:
        total = call_cases + inp.calls["total"]
        answered = total - inp.calls["unanswered"]
        out.update(not_cases=inp.calls["total"], not_cases_by_kind=dict(inp.calls["by_kind"]), calls_total=total,
                   answered=answered, unanswered=inp.calls["unanswered"],
                   answer_rate=round(100.0 * answered / total, 1) if total else None,
                   call_days=inp.calls["days"], whole_month=inp.calls["whole_month"])
    return out


def regions(m: Month, inp: Inputs) -> dict[str, Any]:
    counts: Counter = Counter()
    unplaced: Counter = Counter()
    for c in m.this:
        k = region_kind(c.region, inp.home, inp.places) if inp.places is not None else "unknown"
        counts[k] += 1
        if k == "unknown" and inp.home is not None and c.region.strip():
            unplaced[c.region.strip()] += 1
    n = len(m.this)
    return {"home": {"province": inp.home.province, "city": inp.home.city} if inp.home else None,
            "counts": {k: counts.get(k, 0) for k in REGION_KINDS},
            "rows": [{"id": k, "count": counts.get(k, 0), "pct": pct(counts.get(k, 0), n)} for k in REGION_KINDS],
            "not_given": sum(1 for c in m.this if not c.region.strip()),
            "unplaced": sum(unplaced.values())}


def special(m: Month) -> dict[str, Any]:
    levels = set(m.rules.lines.crisis.escalate_levels)
    rep = repeat_callers(m)
    high = [c for c in m.this if c.risk in levels]
    key = [c for c in m.this if c.key_case]
    return {"high_crisis": len(high), "difficult": sum(1 for c in m.this if c.difficult),
            "repeat_cases": rep["cases"], "repeat_callers": rep["callers"],
            "crisis_and_key": {"crisis": len(high), "key": len(key),
                               "either": len({c.id for c in high} | {c.id for c in key}),
                               "red": sum(1 for c in m.this if c.grade == "red")}}


def problem_types(m: Month) -> dict[str, Any]:
    """The month's cases by category (the line's own), with each category by sex and by age group;
    categories without a case are left out.  A case with several categories counts in each."""
    V = m.vocab
    sexes, ages = list(V["gender"].labels), list(V["age_group"].labels)
    rows: dict[str, dict[str, Any]] = {}
    for c in m.this:
        for cat in dict.fromkeys(c.categories):
            r = rows.setdefault(cat, {"id": cat, "count": 0, "by_sex": {s: 0 for s in sexes},
                                      "by_age": {a: 0 for a in ages}})
            r["count"] += 1
            r["by_sex"][c.gender or "unknown"] = r["by_sex"].get(c.gender or "unknown", 0) + 1
            r["by_age"][c.age_group or "unknown"] = r["by_age"].get(c.age_group or "unknown", 0) + 1
    order = {k: i for i, k in enumerate(V["category"].labels)}
    out = sorted(rows.values(), key=lambda r: (order.get(r["id"], 10**6), r["id"]))
    totals_sex = {s: sum(r["by_sex"].get(s, 0) for r in out) for s in sexes}
    totals_age = {a: sum(r["by_age"].get(a, 0) for r in out) for a in ages}
    return {"sexes": sexes, "age_groups": ages, "rows": out, "total": sum(r["count"] for r in out),
            "total_by_sex": totals_sex, "total_by_age": totals_age}


def referrals(bulletin_referrals: dict[str, Any]) -> dict[str, Any]:
    """The bulletin's referrals (sections.referrals) as the report asks them: per partner and in
    total, whether the partner accepted the referral (accepted, declined, `no_answer`: none
    recorded by the month's end — never counted as accepted), and the partner's feedback in time
    (met), late, still awaited (running), overdue; `feedback` = met + late."""
    keys = ("count", "accepted", "declined", "no_answer", "met", "late", "running", "overdue", "none")
    rows = [{"id": r["id"], "kind": r["kind"], **{k: r[k] for k in keys}, "feedback": r["met"] + r["late"]}
            for r in bulletin_referrals["partners"]]
    total = {k: bulletin_referrals[k] for k in keys}
    total["feedback"] = total["met"] + total["late"]
    return {"partners": rows, **total}


def volunteer_hours(m: Month, leaves: list[Leave], first: date | None = None, last: date | None = None) -> dict[str, Any]:
    """Hours on the line from the duty rota and the service hours, less leave (see the module)."""
    lines, roster = m.rules.lines, m.roster
    first = first or date(m.year, m.month, 1)
    last = min(last or dates.last_day(m.year, m.month), m.end.date())   # a month in progress: up to now
    per: Counter = Counter()
    leave_hours = 0.0
    leave_days: Counter = Counter()
    d = first
    while d <= last:
        gid, _swapped = dutymod.group_on(lines.duty, roster, d)
        hours = sum((e - s).total_seconds() for s, e in dutymod.service_periods(m.cal, d)) / 3600
        if gid and hours:
            members = [p.id for p in roster.people if p.group == gid and p.active]
            away = set(on_leave(leaves, d, members))
            for pid in members:
                if pid in away:
                    leave_hours += hours
                    leave_days[pid] += 1
                else:
                    per[pid] += hours
        d += timedelta(days=1)
    return {"people": len(per), "hours": round(sum(per.values()), 1), "leave_hours": round(leave_hours, 1),
            "leave_person_days": sum(leave_days.values()), "people_on_leave": len(leave_days),
            "by_person": [{"id": pid, "hours": round(h, 1), "leave_days": leave_days.get(pid, 0)}
                          for pid, h in sorted(per.items(), key=lambda kv: (-kv[1], kv[0]))]}


def training(m: Month, entries: list[LedgerEntry]) -> dict[str, Any]:
    items = set(m.rules.lines.training_items)
    mine = [e for e in entries if e.item in items and (e.date.year, e.date.month) == (m.year, m.month)]
    sessions = sorted({(e.date, e.item) for e in mine})
    by_item = Counter()
    for e in mine:
        by_item[e.item] += e.count
    return {"items": sorted(items), "sessions": len(sessions), "person_times": sum(e.count for e in mine),
            "people": len({e.person for e in mine}),
            "by_item": [{"id": k, "sessions": sum(1 for _d, i in sessions if i == k), "person_times": n}
                        for k, n in sorted(by_item.items())]}


def headline(m: Month, inp: Inputs) -> dict[str, Any]:
    """The headline numbers of a month (compared with other months)."""
    s = service(m, inp)
    sp = special(m)
    return {"calls_total": s["calls_total"], "answered": s["answered"], "received": s["received"],
            "answer_rate": s["answer_rate"],
            "high_crisis": sp["high_crisis"], "difficult": sp["difficult"], "repeat_cases": sp["repeat_cases"],
            "key_cases": sp["crisis_and_key"]["key"],
            "other_province": regions(m, inp)["counts"]["other_province"] if inp.home else None,
            "referrals": sum(1 for c in m.cases for e in c.events if e.type == "refer" and m.in_month(e.at)),
            "volunteer_hours": volunteer_hours(m, inp.leaves)["hours"],
            "training_person_times": training(m, inp.training)["person_times"]}


def change(now: Any, before: Any) -> dict[str, Any]:
    """A number against an earlier one: the difference and the growth in % (None when either is
    missing, or the growth when the earlier is 0)."""
    if now is None or before is None:
        return {"previous": before, "delta": None, "pct": None}
    delta = round(now - before, 1) if isinstance(now, float) or isinstance(before, float) else now - before
    return {"previous": before, "delta": delta, "pct": round(100.0 * (now - before) / before, 1) if before else None}


def comparisons(now: dict[str, Any], mom: dict[str, Any] | None, yoy: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Each headline with its 环比 (the month before) and 同比 (the same month last year)."""
    out = []
    for k in HEADLINES:
        v = now.get(k)
        out.append({"id": k, "value": v, "mom": change(v, (mom or {}).get(k)), "yoy": change(v, (yoy or {}).get(k))})
    return out


def upward(m: Month, inp: Inputs, bulletin_referrals: dict[str, Any], mom: dict[str, Any] | None = None,
           yoy: dict[str, Any] | None = None) -> dict[str, Any]:
    """The month's upward indicators; `mom` and `yoy`: the headline() of the month before and of the
    same month last year (None: not computed)."""
    now = headline(m, inp)
    return {
        "service": service(m, inp),
        "regions": regions(m, inp),
        "special": special(m),
        "problem_types": problem_types(m),
        "referrals": referrals(bulletin_referrals),
        "staff": volunteer_hours(m, inp.leaves),
        "training": training(m, inp.training),
        "headline": now,
        "comparisons": comparisons(now, mom, yoy),
        "previous_month": dates.text(*dates.shift(m.year, m.month, -1)),
        "same_month_last_year": dates.text(m.year - 1, m.month),
    }


TOP_TOPICS = 5


def topic_counts(m: Month) -> Counter:
    """The month's cases by category (a case counts once in each of its categories)."""
    out: Counter = Counter()
    for c in m.this:
        out.update(list(dict.fromkeys(c.categories)))
    return out


def year_totals(months: list[dict[str, Any] | None]) -> dict[str, Any]:
    """A year's headline numbers from its months' (None: a month not begun): counts added up; the
    answer rate from the months with call counts (None when none has them), like 来电总数."""
    got = [h for h in months if h is not None]
    out: dict[str, Any] = {}
    for k in HEADLINES:
        if k == "answer_rate":
            continue
        vals = [h[k] for h in got if h.get(k) is not None]
        out[k] = (round(sum(vals), 1) if any(isinstance(v, float) for v in vals) else sum(vals)) if vals else None
    with_calls = [h for h in got if h.get("calls_total")]
    total = sum(h["calls_total"] for h in with_calls)
    out["answered"] = sum(h["answered"] for h in with_calls) if with_calls else None
    out["answer_rate"] = round(100.0 * out["answered"] / total, 1) if with_calls and total else None
    out["months_with_calls"] = len(with_calls)
    return out


def year_report(year: int, months: list[tuple[tuple[int, int], dict[str, Any] | None]],
                before: list[dict[str, Any] | None], topics: Counter, topics_before: Counter) -> dict[str, Any]:
    """The year's totals, month by month, the top five topics, and growth on the year before.
    `months`: ((year, month), headline or None) for January..December; `before`: the year before's
    headlines; `topics`: the year's cases by category."""
    totals = year_totals([h for _ym, h in months])
    prev = year_totals(before)
    rows = [{"month": dates.text(*ym), **{k: (h or {}).get(k) for k in HEADLINES}, "begun": h is not None}
            for ym, h in months]
    top = sorted(((k, n) for k, n in topics.items() if n), key=lambda kv: (-kv[1], kv[0]))[:TOP_TOPICS]
    return {
        "year": year, "previous_year": year - 1, "months": rows, "totals": totals, "previous_totals": prev,
        "growth": [{"id": k, "value": totals.get(k), **change(totals.get(k), prev.get(k))} for k in HEADLINES],
        "top_topics": [{"id": k, "count": n, **change(n, topics_before.get(k, 0))} for k, n in top],
        "months_with_calls": totals["months_with_calls"],
    }
