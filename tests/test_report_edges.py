"""Edges of the bulletin and the points a planted bug once slipped past (issue #24): rising
topics ordered by the rise, not by the month's count; entries on the last day of a month."""
from __future__ import annotations

import json


def _intake(book, category: str, at: str) -> str:
    return book.run("intake", "--no-input", "-q", "--channel", "phone", "--grade", "green", "--role", "survivor",
                    "--category", category, "--need", "legal", "--summary", "咨询", "--gender", "female",
                    "--age-group", "youth", "--region", "东莞", "--at", at).stdout.strip().splitlines()[-1]


def test_rising_topics_are_ordered_by_the_rise_not_by_the_month_s_count(book):
    for day in ("05", "06"):
        _intake(book, "divorce", f"2026-10-{day} 10:00")
    for day in ("03", "04", "05"):
        _intake(book, "divorce", f"2026-11-{day} 10:00")         # 2 → 3: up by 1, the month's largest count
    for day in ("06", "07"):
        _intake(book, "study_stress", f"2026-11-{day} 10:00")    # 0 → 2: up by 2
    d = json.loads(book.run("report", "--month", "2026-11", "--format", "json").stdout)
    rising = [(r["id"], r["count"], r["previous"], r["delta"]) for r in d["rising_topics"]]
    assert rising == [("study_stress", 2, 0, 2), ("divorce", 3, 2, 1)]
    assert [r["id"] for r in d["hot_topics"]][:2] == ["divorce", "study_stress"]


def _score(book, month: str, person: str) -> int:
    d = json.loads(book.run("score", "--month", month, "--format", "json").stdout)
    return next(p["score"] for p in d["people"] if p["id"] == person)


def test_a_ledger_entry_on_the_last_day_of_a_month_counts_in_that_month_only(book):
    # "now" is 2026-11-23 (conftest): October and September are whole months behind it
    book.run("award", "li", "lecture_outreach", "--date", "2026-09-30")    # +10 on September's last day
    book.run("penalize", "chen", "hygiene", "--date", "2026-10-31")        # −3 on October's last day
    book.run("award", "li", "article_special", "--date", "2026-10-01")     # +1 on October's first day
    cid = _intake(book, "divorce", "2026-10-31 10:00")                    # wang's case,
    book.run("close", cid, "--outcome", "resolved", "--at", "2026-10-31 16:00")   # resolved on the last day: +2
    assert _score(book, "2026-10", "wang") == 102
    assert _score(book, "2026-11", "wang") == 100
    assert _score(book, "2026-09", "li") == 110
    assert _score(book, "2026-10", "li") == 101
    assert _score(book, "2026-10", "chen") == 97
    assert _score(book, "2026-09", "chen") == 100
    assert _score(book, "2026-11", "chen") == 100


# ---------------------------------------------------------------- JSON keys of the contract no test read (issue #24)

def _case(book, grade: str, at: str, region: str, owner: str = "wang") -> str:
    return book.run("intake", "--no-input", "-q", "--channel", "phone", "--grade", grade, "--role", "survivor",
                    "--category", "divorce", "--need", "legal", "--summary", "咨询", "--gender", "female",
                    "--age-group", "youth", "--region", region, "--at", at, user=owner
                    ).stdout.strip().splitlines()[-1]


def test_bulletin_json_keys_outcomes_kinds_respond_due_groups_and_region_shares(book):
    red = _case(book, "red", "2026-11-02 10:00", "东莞")                 # respond due 11:00 (1 hour)
    book.run("followup", red, "--note", "回电", "--at", "2026-11-02 10:30")
    book.run("close", red, "--outcome", "unresolved", "--reason", "失联", "--at", "2026-11-03 10:00")
    gray = _case(book, "gray", "2026-11-10 10:00", "东莞市长安镇", owner="li")
    book.run("close", gray, "--outcome", "resolved", "--at", "2026-11-11 10:00", user="li")
    _case(book, "green", "2026-11-16 10:00", "", owner="zhao")          # open: its close clock (same day) runs out
    d = json.loads(book.run("report", "--month", "2026-11", "--format", "json").stdout)
    assert d["received"] == 3
    assert [(o["id"], o["count"]) for o in d["closures"]["outcomes"]] == [("resolved", 1), ("unresolved", 1)]
    kinds = {k["id"]: k["count"] for k in d["overdue_at_month_end"]["kinds"]}
    assert list(kinds)[:5] == ["close", "respond", "refer", "follow_up", "revisit"]
    # at 11-30's end: the green case's close clock (11-16), the red case's revisit (30 days after 11-03: 12-03) not yet
    assert kinds["close"] == 1 and sum(kinds.values()) == 1
    (row,) = d["red_cases"]["cases"]
    assert row["id"] == red and row["respond_due"] == "2026-11-02T11:00:00+08:00" and row["respond_state"] == "met"
    groups = {v["id"]: v["group"] for v in d["volunteers"]}
    assert groups["wang"] == "g1" and groups["li"] == "g1" and groups["zhao"] == "g2"
    regions = {r["id"]: (r["count"], r["pct"]) for r in d["dist"]["region"]}
    assert regions["东莞"] == (2, 66.7) and regions[""] == (1, 33.3)


def test_the_ranking_names_its_problems(book, monkeypatch):
    # a late closure whose due time used provisional working days (2027 without calendar data)
    monkeypatch.setenv("HOTLINE_NOW", "2027-02-10 12:00")
    cid = _case(book, "gray", "2026-12-30 15:00", "东莞")               # close due Tue 2027-01-05, provisional
    d = json.loads(book.run("report", "--month", "2027-01", "--format", "json").stdout)
    (problem,) = d["ranking"]["problems"]
    assert cid in problem and "provisional" in problem
    assert json.loads(book.run("report", "--month", "2026-11", "--format", "json").stdout)["ranking"]["problems"] == []


def test_the_score_json_names_its_problems_and_has_no_problems_key_without_any(book):
    # a ledger line dated outside its file's month is left out and named (SPEC §8: the JSON is a contract)
    d = book.root / "ledger"
    d.mkdir(exist_ok=True)
    (d / "2026-10.yaml").write_text(
        "entries:\n- date: '2026-10-09'\n  person: li\n  item: hygiene\n  points: -3\n  by: wang\n"
        "- date: '2026-09-09'\n  person: li\n  item: hygiene\n  points: -3\n  by: wang\n", encoding="utf-8")
    book.git("add", "ledger")
    book.git("commit", "-qm", "a hand-edited ledger")
    for args in (("--month", "2026-10"), ("--year", "2026")):
        got = json.loads(book.run("score", *args, "--format", "json").stdout)
        assert got["problems"] == ["ledger/2026-10.yaml:7: entries[1]: date 2026-09-09 is not in 2026-10; move the "
                                   "entry to ledger/2026-09.yaml (this file's entries are not counted)"]
        assert next(p["score"] for p in got["people"] if p["id"] == "li") == 100   # the broken file is left out
    (d / "2026-10.yaml").write_text(
        "entries:\n- date: '2026-10-09'\n  person: li\n  item: hygiene\n  points: -3\n  by: wang\n", encoding="utf-8")
    book.git("commit", "-qam", "put right")
    got = json.loads(book.run("score", "--month", "2026-10", "--format", "json").stdout)
    assert next(p["score"] for p in got["people"] if p["id"] == "li") == 97
    assert "problems" not in got and list(got) == ["period", "start", "people", "groups", "warnings"]
    got = json.loads(book.run("score", "--year", "2026", "--format", "json").stdout)
    assert "problems" not in got and got["recommended"] == {"id": "g2", "name": "二组", "score": 100}   # g1: 97


def test_a_closed_case_whose_grade_has_no_close_deadline_is_counted_without_one(book):
    # rules.yaml without `close: green`: a green case has no close clock, open or closed
    rules = book.root / "rules.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("    green: same day\n", "", 1), encoding="utf-8")
    book.git("commit", "-qam", "green cases have no close deadline")
    done = book.intake(grade="green", at="2026-11-02 10:00")
    book.run("close", done, "--outcome", "resolved", "--at", "2026-11-04 10:00")
    book.intake(grade="green", at="2026-11-03 10:00")                   # open: never overdue
    d = json.loads(book.run("report", "--month", "2026-11", "--format", "json").stdout)
    assert {k: d["closures"][k] for k in ("count", "on_time", "late", "no_deadline")} == {
        "count": 1, "on_time": 0, "late": 0, "no_deadline": 1}
    assert d["overdue_at_month_end"]["count"] == 0 and d["open_at_month_end"]["count"] == 1
    score = json.loads(book.run("score", "--month", "2026-11", "--format", "json").stdout)
    assert next(p for p in score["people"] if p["id"] == "wang")["score"] == 102        # +2, no −5
    assert "Nothing overdue" in book.run("overdue").stdout
    card = json.loads(book.run("show", done, "--format", "json").stdout)
    assert [k["kind"] for k in card["deadlines"]] == []                 # green: no revisit either
    assert "无结案时限 1 件" in book.run("report", "--month", "2026-11", env={"HOTLINE_LANG": "zh-CN"}).stdout


# ---------------------------------------------------------------- one report, two moments (issue #26)

def test_the_bulletin_and_its_points_each_judge_at_their_own_moment(book):
    """A report computes each case's clocks once (clocks.ClockMemo), yet its bulletin is as of the
    month's last second and its points as of the next day's first: a close deadline due at that last
    second is not overdue in the bulletin but has run out for the points."""
    _case(book, "green", "2026-10-31 10:00", "东莞")               # wang's: same day, due 2026-10-31 23:59:59, open
    late = _case(book, "green", "2026-10-31 11:00", "东莞", owner="li")  # li's: due the same second,
    book.run("close", late, "--outcome", "resolved", "--at", "2026-11-01 00:00", user="li")  # closed one second after
    d = json.loads(book.run("report", "--month", "2026-10", "--format", "json").stdout)
    assert d["overdue_at_month_end"]["count"] == 0      # due 23:59:59 is not before 23:59:59
    assert d["open_at_month_end"]["count"] == 2
    assert d["closures"]["count"] == 0
    ranked = {p["id"]: p["score"] for p in d["ranking"]["people"]}
    assert (ranked["wang"], ranked["li"]) == (95, 95)  # 100 − 5 each: both ran out by 2026-11-01 00:00:00
    assert _score(book, "2026-10", "wang") == 95 and _score(book, "2026-10", "li") == 95
    assert _score(book, "2026-11", "li") == 102        # the resolved close (+2) is November's
    d = json.loads(book.run("report", "--month", "2026-11", "--format", "json").stdout)
    assert d["closures"]["count"] == 1 and d["closures"]["late"] == 1
