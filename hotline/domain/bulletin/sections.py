"""The monthly bulletin's sections (SPEC §6): one small function each, over a `Month`.

Pure computation: each returns plain data (dicts, lists, numbers), never text for a
template and never anything read from a file.  Everything is as it stood at `m.end`;
events after it are ignored, so a past month's bulletin comes out the same every time.

Confidentiality (SPEC §7): the personal block is never read except for the keyed caller
pseudonym, which is only *counted* (repeat callers) and never copied out.  Typical cases
are only those the caller consented to publish, with a coarse region and a summary from
which phone numbers, e-mail addresses and account ids are blanked; they carry no case id.

Counting conventions (where the spec is silent):
- a case is "in the month" when its received time, in the book's time zone, falls in it;
- a case with several categories (or needs) counts once for each; a case counts once per
  category group however many of the group's categories it has; so those distributions
  can add up to more than `received` (percentages are of `received`);
- regions are free text: they are counted (and shown) by `coarse_region`, city level;
- every vocabulary id appears in its `by_*` mapping, zeros included, followed by any id
  found in cases but no longer in rules.yaml.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from typing import Any, Iterable

from .. import dates, labels
from ..anonymise import coarse_region, scrub
from ..clocks import first_ran_out, open_kinds
from ..model import Case
from .context import Month

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


def pct(n: int, total: int) -> float:
    return round(100.0 * n / total, 1) if total else 0.0


def ordered_counts(counter: Counter, ids: Iterable[str]) -> dict[str, int]:
    """Counts in vocabulary order, zeros included, then ids no longer in the vocabulary."""
    out = {k: counter.get(k, 0) for k in ids}
    for k, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])):
        out.setdefault(k, n)
    return out


def case_values(case: Case, key: str, rules: Any) -> list[str]:
    """The values a case counts for in the distribution `key`."""
    if key == "category_group":
        groups = rules.vocab["category"].groups
        return list(dict.fromkeys(groups.get(c, "other") for c in case.categories))
    if key in ("channel", "grade", "role"):
        return [getattr(case, key)]
    if key in ("gender", "age_group"):
        return [getattr(case, key) or "unknown"]
    if key == "region":
        return [coarse_region(case.region)]
    if key == "category":
        return list(dict.fromkeys(case.categories))
    if key == "need":
        return list(dict.fromkeys(case.needs))
    raise KeyError(key)


# ---------------------------------------------------------------- cases received

def distributions(m: Month) -> tuple[dict[str, dict[str, int]], dict[str, list[dict[str, Any]]]]:
    """The month's cases by each distribution: ({key: {id: n}}, {key: [{id, label, count, pct}]})."""
    received = len(m.this)
    by: dict[str, dict[str, int]] = {}
    dist: dict[str, list[dict[str, Any]]] = {}
    for key, vocab in DISTRIBUTIONS:
        counter: Counter = Counter()
        for c in m.this:
            counter.update(case_values(c, key, m.rules))
        if vocab is None:  # region: free text, most frequent first
            counts = dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0] == "", kv[0])))
            rows = [{"id": k, "count": n, "pct": pct(n, received)} for k, n in counts.items()]
        else:
            counts = ordered_counts(counter, m.vocab[vocab].labels)
            rows = [{"id": k, "count": n, "pct": pct(n, received)} for k, n in counts.items()]
            if key == "category":
                for r in rows:
                    r["group"] = m.vocab["category"].groups.get(r["id"], "other")
        by[key] = counts
        dist[key] = rows
    return by, dist


def topics(m: Month, categories: list[dict[str, Any]]) -> tuple[list[dict], list[dict]]:
    """Hot topics (the month's top categories) and rising ones (up on the previous month)."""
    prev_cat: Counter = Counter()
    for c in m.previous:
        prev_cat.update(case_values(c, "category", m.rules))
    order = {r["id"]: i for i, r in enumerate(categories)}
    hot = [dict(r, previous=prev_cat.get(r["id"], 0), delta=r["count"] - prev_cat.get(r["id"], 0))
           for r in sorted(categories, key=lambda r: (-r["count"], order[r["id"]])) if r["count"] > 0][:HOT_TOPICS]
    rising = []
    for r in categories:
        before = prev_cat.get(r["id"], 0)
        if r["count"] > before:
            rising.append({"id": r["id"], "count": r["count"], "previous": before,
                           "delta": r["count"] - before, "new": before == 0})
    rising.sort(key=lambda r: (-r["delta"], -r["count"], order[r["id"]]))
    return hot, rising[:RISING_TOPICS]


# ---------------------------------------------------------------- how cases were handled

def _red_row(m: Month, c: Case) -> dict[str, Any]:
    evs = sorted(c.events_until(m.end), key=lambda e: e.at)
    first = next((e for e in evs if e.type in ("followup", "refer", "close")), None)
    respond = next((k for k in m.clocks_of(c) if k.kind == "respond"), None)
    close_ev = c.closed_event(m.end)
    status = c.status(m.end)
    return {
        "id": c.id,
        "received": m.local(c.received),
        "channel": c.channel,
        "categories": [{"id": x} for x in c.categories],
        "escalated": any(e.type == "escalate" for e in evs),
        "first_response": m.local(first.at) if first else None,
        "response_minutes": int((first.at - c.received).total_seconds() // 60) if first else None,
        "respond_due": respond.due if respond else None,
        "respond_state": respond.state if respond else "none",
        "respond_provisional": bool(respond and respond.provisional),
        "referred": any(e.type == "refer" for e in evs),
        "status": status,
        "outcome": close_ev.outcome if close_ev else None,
    }


def red_cases(m: Month) -> dict[str, Any]:
    """The month's red cases: escalated, first response against its deadline, status."""
    rows = [_red_row(m, c) for c in m.this if c.grade == "red"]
    return {
        "count": len(rows),
        "escalated": sum(r["escalated"] for r in rows),
        "responded_in_time": sum(r["respond_state"] == "met" for r in rows),
        "responded_late": sum(r["respond_state"] == "late" for r in rows),
        "not_responded": sum(r["first_response"] is None for r in rows),
        "closed": sum(r["status"] == "closed" for r in rows),
        "provisional": sum(r["respond_provisional"] for r in rows),
        "cases": rows,
    }


REFERRAL_COUNTS = ("met", "late", "running", "overdue", "none", "provisional", "accepted", "declined", "no_answer")


def referrals(m: Month) -> dict[str, Any]:
    """Referrals made in the month, by partner, with the partner's feedback (the close clock) and
    its answer as the book stood at the month's end (`Case.referral_answers`): accepted,
    declined, or `no_answer` while none is recorded — never counted as accepted."""
    partners: dict[str, dict[str, Any]] = {}
    for c in m.cases:
        refs = [e for e in c.events if e.type == "refer" and m.in_month(e.at)]
        if not refs:
            continue
        ks = [k for k in m.clocks_of(c) if k.kind == "close" and k.basis == "referred"]
        answers = {id(e): a for e, a in c.referral_answers(m.end)}
        for e in refs:
            pid = str(e.to)
            p = m.roster.partner(pid)
            row = partners.setdefault(pid, {
                "id": pid, "name": p.name if p else pid, "kind": p.kind if p else "",
                "count": 0, "met": 0, "late": 0, "running": 0, "overdue": 0, "none": 0, "provisional": 0,
                "accepted": 0, "declined": 0, "no_answer": 0,
            })
            row["count"] += 1
            k = next((k for k in ks if k.start == m.local(e.at)), None)
            row[k.state if k else "none"] += 1
            row["provisional"] += bool(k and k.provisional)
            row[answers.get(id(e)) or "no_answer"] += 1
    rows = sorted(partners.values(), key=lambda r: (-r["count"], r["name"]))
    return {
        "count": sum(r["count"] for r in rows),
        **{s: sum(r[s] for r in rows) for s in REFERRAL_COUNTS},
        "partners": rows,
    }


def closures(m: Month) -> dict[str, Any]:
    """Closures in the month, by outcome, on time or late.  A closure is late when any close
    clock of the case ran out while it was open (SPEC §6) — the cases that lose 5 points;
    `no_deadline` when the case had no close clock at all."""
    V = m.vocab
    out: dict[str, Any] = {"count": 0, "on_time": 0, "late": 0, "no_deadline": 0, "provisional": 0}
    for o in V["outcome"].labels:
        out[o] = 0
    for c in m.cases:
        ev = c.closed_event(m.end)
        if ev is None or not m.in_month(ev.at):
            continue
        out["count"] += 1
        if ev.outcome:
            out[ev.outcome] = out.get(ev.outcome, 0) + 1
        close_clocks = [k for k in m.clocks_of(c) if k.kind == "close"]
        ran_out = first_ran_out(close_clocks)
        judged = ran_out or (close_clocks[-1] if close_clocks else None)
        out["provisional"] += bool(judged and judged.provisional)  # judged against a provisional due time
        if not close_clocks:
            out["no_deadline"] += 1
        elif ran_out is None:
            out["on_time"] += 1
        else:
            out["late"] += 1
    out["outcomes"] = [{"id": o, "count": out.get(o, 0)} for o in V["outcome"].labels]
    return out


def backlog(m: Month) -> tuple[dict[str, Any], dict[str, Any]]:
    """Open cases and overdue cases at the bulletin's end."""
    V = m.vocab
    open_counts: dict[str, Any] = {"count": 0, "open": 0, "referred": 0, "by_grade": {g: 0 for g in V["grade"].labels}}
    rows = []
    kinds: Counter = Counter()
    for c in m.cases:
        if m.local(c.received) > m.end:
            continue
        st = c.status(m.end)
        if st != "closed":
            open_counts["count"] += 1
            open_counts[st] += 1
            open_counts["by_grade"][c.grade] = open_counts["by_grade"].get(c.grade, 0) + 1
        if open_kinds(c, m.rules, m.end) == ():
            continue  # every clock has surely stopped: skip the work
        late = [k for k in m.clocks_of(c) if k.state == "overdue"]
        if not late:
            continue
        kinds.update(k.kind for k in late)
        owner = c.current_owner(m.end)
        p = m.roster.person(owner)
        rows.append({
            "id": c.id, "grade": c.grade, "status": st,
            "owner": owner, "owner_name": p.name if p else owner,
            "kinds": [k.kind for k in late],
            "due": min(k.due for k in late), "urges": c.urges(m.end),
            "provisional": any(k.provisional for k in late),
        })
    rows.sort(key=lambda r: (r["due"], r["id"]))
    overdue = {
        "count": len(rows),
        "open": sum(r["status"] != "closed" for r in rows),
        "provisional": sum(r["provisional"] for r in rows),
        "by_kind": {k: kinds.get(k, 0) for k in labels.DEADLINE},
        "kinds": [{"id": k, "count": kinds.get(k, 0)} for k in labels.DEADLINE],
        "cases": rows,
    }
    return open_counts, overdue


# ---------------------------------------------------------------- callers and people

def repeat_callers(m: Month) -> dict[str, int]:
    """Counts only — never the pseudonym or case ids."""
    seen_before: dict[str, datetime] = {}
    for c in m.cases:
        tag = c.personal.caller if c.personal else None
        if tag:
            t = m.local(c.received)
            if tag not in seen_before or t < seen_before[tag]:
                seen_before[tag] = t
    tags: set[str] = set()
    repeat = 0
    for c in m.this:
        tag = c.personal.caller if c.personal else None
        if tag and seen_before.get(tag, m.local(c.received)) < m.local(c.received):
            repeat += 1
            tags.add(tag)
    with_tag = sum(1 for c in m.this if c.personal and c.personal.caller)
    return {"callers": len(tags), "cases": repeat, "cases_with_contact": with_tag}


VOLUNTEER_WORK = {"intake": "intakes", "followup": "followups", "revisit": "followups", "refer": "referrals",
                  "close": "closures", "urge": "urges"}


def volunteers(m: Month) -> list[dict[str, Any]]:
    """Who did what in the month (by the acting person), busiest first."""
    act: dict[str, Counter] = defaultdict(Counter)
    for c in m.cases:
        for e in c.events:
            if e.type in VOLUNTEER_WORK and m.in_month(e.at):
                act[e.by][VOLUNTEER_WORK[e.type]] += 1
    order = {p.id: i for i, p in enumerate(m.roster.people)}
    out = []
    for pid, cnt in act.items():
        p = m.roster.person(pid)
        g = m.roster.group(p.group) if p and p.group else None
        row = {"id": pid, "name": p.name if p else pid, "group": p.group if p else None,
               "group_name": g.name if g else "",
               **{k: cnt.get(k, 0) for k in ("intakes", "followups", "referrals", "closures", "urges")}}
        row["total"] = row["intakes"] + row["followups"] + row["referrals"] + row["closures"] + row["urges"]
        out.append(row)
    out.sort(key=lambda r: (-r["total"], order.get(r["id"], 10**9), r["id"]))
    return out


def typical_cases(m: Month) -> list[dict[str, Any]]:
    """Cases the callers consented to publish: anonymised, without their id."""
    out = []
    for c in m.this:
        if not c.consent_publish:
            continue
        close_ev = c.closed_event(m.end)
        st = c.status(m.end)
        out.append({
            "grade": c.grade,
            "channel": c.channel,
            "role": c.role,
            "categories": [{"id": x} for x in c.categories],
            "region": coarse_region(c.region),
            "summary": scrub(c.summary),
            "response": scrub(c.response),
            "status": st,
            "outcome": close_ev.outcome if close_ev else None,
        })
    return out


def trend_months(year: int, month: int) -> list[tuple[int, int]]:
    """The months the trend shows, oldest first, ending with `year-month`."""
    return [dates.shift(year, month, -i) for i in range(TREND_MONTHS - 1, -1, -1)]


def trend(m: Month, counts: dict[tuple[int, int], dict[str, int]] | None = None) -> list[dict[str, Any]]:
    """Cases received per month by grade over the last 12 months; `counts` when counted already
    (from the index: month -> grade -> n), else counted from the cases."""
    months = trend_months(m.year, m.month)
    per: dict[tuple[int, int], Counter] = defaultdict(Counter)
    if counts is not None:
        for ym, grades in counts.items():
            per[ym].update(grades)
    else:
        first_start = dates.bounds(m.cal.tz, *months[0])[0]
        for c in m.cases:
            t = m.local(c.received)
            if first_start <= t <= m.end:
                per[(t.year, t.month)][c.grade] += 1
    out = []
    for y, mo in months:
        cnt = per.get((y, mo), Counter())
        out.append({"month": dates.text(y, mo), "received": sum(cnt.values()),
                    "by_grade": ordered_counts(cnt, m.vocab["grade"].labels)})
    return out


def _plain_row(x: Any, keys: tuple[str, ...]) -> dict[str, Any]:
    if isinstance(x, dict):
        return {k: x.get(k) for k in keys}
    return {k: getattr(x, k, None) for k in keys}


def ranking(scores: Any) -> dict[str, Any] | None:
    """The month's Scores (points.month_scores) as plain lists; None when not given."""
    if scores is None:
        return None
    people = [_plain_row(p, ("id", "name", "group", "score", "rank", "points")) for p in (getattr(scores, "people", None) or [])]
    groups = [_plain_row(g, ("id", "name", "score", "rank", "points")) for g in (getattr(scores, "groups", None) or [])]
    people.sort(key=lambda r: (r.get("rank") or 0, str(r.get("id"))))
    groups.sort(key=lambda r: (r.get("rank") or 0, str(r.get("id"))))
    return {
        "people": people,
        "groups": groups,
        "warnings": [a.to_dict() for a in (getattr(scores, "alerts", None) or [])],   # words: render.words
        "problems": [str(w) for w in (getattr(scores, "problems", None) or [])],
    }


def provisional(m: Month) -> dict[str, Any]:
    """The provisional years (暂定: no official calendar yet) the month's deadlines used, and how
    many cases they concern; computed after the sections (they fill the clock cache)."""
    assert m.clocks is not None
    return {"years": sorted(m.clocks.provisional_years), "cases": len(m.clocks.provisional)}


def notices(m: Month) -> list[dict[str, Any]]:
    """What could not be counted, or only provisionally, as data (render.words says it): a month
    not begun, calendar years missing, years whose working days are provisional, other rule
    problems (`why`: the rule's own message)."""
    out: list[dict[str, Any]] = []
    if m.end < m.start:
        out.append({"kind": "not_begun", "month": dates.text(m.year, m.month)})
    assert m.clocks is not None
    if m.clocks.missing_years:
        out.append({"kind": "missing_years", "years": sorted(m.clocks.missing_years), "cases": len(m.clocks.failed)})
    p = provisional(m)
    if p["cases"]:
        out.append({"kind": "provisional", **p})
    for msg, n in m.clocks.other.items():
        out.append({"kind": "clock_error", "why": msg, "cases": n})
    return out
