"""The readings SPEC §5/§6 settle, and one test for each one-line mutation the suite once let
through (issue: hardening, 24 and 26).  Expected values are computed by hand in the comments.

Calendar facts: 2026-10-01..07 holidays, Sat 10-10 a make-up working day; November 2026 has no
holiday.  Roster (conftest): wang g1, li g1, zhao g2, chen g2, xu (no group).
"""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from hotline.domain import points
from hotline.domain.model import Group, Person, Roster
from hotline.storage import config

RULES = config.parse_rules(config.default_rules_text(), Path("rules.yaml"))


def entry(d, person, pts):
    return points.Entry(d, person, "article_special", pts, "ledger/x.yaml:1")


def roster(groups: dict[str, list[str]]) -> Roster:
    return Roster([Group(g, g.upper()) for g in groups],
                  [Person(p, p.upper(), group=g) for g, people in groups.items() for p in people], [])


def month(entries, r, m):
    return points.scores(entries, r, RULES, date(2026, m, 1), date(2026, m, 28), f"2026-{m:02d}")


# ---------------------------------------------------------------- §5: the place rule, groups like people

def test_a_group_tied_at_the_bottom_is_not_last_a_group_alone_there_is():
    r = roster({"a": ["a1"], "b": ["b1"], "c": ["c1"]})
    # September and October: a +5 → a 105 (rank 1); b and c 100, tied: ranks 2, 2 of 3 → nobody has rank 3
    tied = [entry(date(2026, m, 5), "a1", 5) for m in (9, 10)]
    hist = [month(tied, r, 9), month(tied, r, 10)]
    assert [(g.id, g.rank) for g in hist[-1].groups] == [("a", 1), ("b", 2), ("c", 2)]
    assert points.last_groups(hist[-1]) == set()
    assert [a.kind for a in points.warnings_for(hist, RULES)] == []
    # b +1 in both months: c alone at the bottom (rank 3 of 3) two months running → its leader is warned
    alone = tied + [entry(date(2026, m, 6), "b1", 1) for m in (9, 10)]
    hist = [month(alone, r, 9), month(alone, r, 10)]
    assert points.last_groups(hist[-1]) == {"c"}
    assert [(a.kind, a.id) for a in points.warnings_for(hist, RULES)] == [("group_last", "c")]


def test_among_the_last_three_is_rank_greater_than_count_minus_three():
    r = roster({"g": ["p1", "p2", "p3", "p4", "p5"]})
    # distinct scores 105, 104, 103, 102, 101 → ranks 1..5; last three = ranks 3, 4, 5 (rank > 5 − 3)
    s = month([entry(date(2026, 9, 5), f"p{i}", 6 - i) for i in range(1, 6)], r, 9)
    assert points.bottom_people(s, 3) == {"p3", "p4", "p5"}
    # p2 and p3 tie at 104 (rank 2): rank 2 is not > 2, so only p4 and p5 are among the last three
    s = month([entry(date(2026, 9, 5), p, n) for p, n in (("p1", 5), ("p2", 4), ("p3", 4), ("p4", 2), ("p5", 1))], r, 9)
    assert [(p.id, p.rank) for p in s.people] == [("p1", 1), ("p2", 2), ("p3", 2), ("p4", 4), ("p5", 5)]
    assert points.bottom_people(s, 3) == {"p4", "p5"}


# ---------------------------------------------------------------- §6: a closure is late when any close clock ran out

def test_a_referral_after_the_first_close_deadline_makes_the_closure_late_in_bulletin_and_points(book):
    # gray, intake Mon 11-02 10:00: close due 3 working days → Thu 11-05 23:59:59
    cid = book.intake(grade="gray", at="2026-11-02 10:00", user="li")
    # referred Fri 11-06 (after that close clock ran out); partner's close clock → 7 working days → 11-17
    book.run("refer", cid, "--to", "legal-aid", "--at", "2026-11-06 10:00", user="li")
    # closed 11-10: within the partner's clock, but the first close clock had run out while open
    book.run("close", cid, "--outcome", "resolved", "--at", "2026-11-10 10:00", user="li")
    d = json.loads(book.run("report", "--month", "2026-11", "--format", "json").stdout)
    assert (d["closures"]["count"], d["closures"]["on_time"], d["closures"]["late"]) == (1, 0, 1)
    s = json.loads(book.run("score", "--month", "2026-11", "--person", "li", "--format", "json").stdout)
    assert [(e["date"], e["item"], e["points"]) for e in s["entries"]] == [
        ("2026-11-05", "late_closure", -5), ("2026-11-10", "resolved_case", 2)]


def test_the_late_closure_is_dated_on_the_first_close_deadline_that_ran_out(book):
    # gray 10-28 (Wed) 10:00: close due 3 working days → Mon 11-02 23:59:59 (runs out)
    cid = book.intake(grade="gray", at="2026-10-28 10:00", user="li")
    # referred 11-20 (late): the partner's close clock, 7 working days → 12-01, runs out too
    book.run("refer", cid, "--to", "legal-aid", "--at", "2026-11-20 10:00", user="li")
    later = {"HOTLINE_NOW": "2026-12-20 12:00"}
    nov = json.loads(book.run("score", "--month", "2026-11", "--person", "li", "--format", "json", env=later).stdout)
    dec = json.loads(book.run("score", "--month", "2026-12", "--person", "li", "--format", "json", env=later).stdout)
    assert [(e["date"], e["points"]) for e in nov["entries"]] == [("2026-11-02", -5)]
    assert dec["entries"] == []


def test_case_points_go_to_the_owner_at_that_moment_not_to_todays(book):
    # green 10-13 10:00 owned by wang: close due same day 23:59:59 → ran out → −5 to wang (owner then)
    cid = book.intake(at="2026-10-13 10:00")
    book.run("assign", cid, "--to", "li", "--at", "2026-10-14 09:00")
    # resolved 10-15 by li, the owner at the closure → +2 to li
    book.run("close", cid, "--outcome", "resolved", "--at", "2026-10-15 10:00", user="li")
    s = json.loads(book.run("score", "--month", "2026-10", "--format", "json").stdout)
    pts = {p["id"]: p["points"] for p in s["people"]}
    assert (pts["wang"], pts["li"]) == (-5, 2)


# ---------------------------------------------------------------- the index never forgets an edit

def test_an_edit_by_hand_right_after_a_read_and_again_is_seen_each_time(book):
    cid = book.intake("--consent-publish")
    path = book.case_file(cid)
    text = path.read_text(encoding="utf-8")
    for summary in ("询问离婚程序", "询问抚养程序", "询问探望程序"):   # same length: same size each time
        path.write_text(text.replace("询问起诉程序", summary), encoding="utf-8")
        d = json.loads(book.run("report", "--month", "2026-11", "--format", "json").stdout)  # read through the index
        assert [t["summary"] for t in d["typical_cases"]] == [summary]
