"""Points (SPEC §5): award / penalize into the ledger, case points, scores, ranks, warnings.

Scored months are in the past (September–October 2026) so that "now" never cuts them short.
Roster (conftest): wang g1 director+leader, li g1 volunteer, zhao g2 leader, chen g2 volunteer,
xu committee-only secretary without a group.
"""
from __future__ import annotations

import json
import re
from datetime import date

import pytest

from hotline.reads import check, queries
from hotline.book import Book
from hotline.domain import dates, points


def log(book):
    return book.git("log", "--format=%an|%ae|%s").strip().splitlines()


def score_json(book, *args):
    return json.loads(book.run("score", *args, "--format", "json").stdout)


def by_id(rows):
    return {r["id"]: (r["score"], r["rank"]) for r in rows}


# ---------------------------------------------------------------- pure parts

def test_competition_ranks():
    assert points.rank([10, 8, 8, 5]) == [1, 2, 2, 4]
    assert points.rank([100, 100, 100]) == [1, 1, 1]
    assert points.rank([90, 110, 100, 110]) == [4, 1, 3, 1]
    assert points.rank([]) == []


def test_month_helpers():
    assert dates.days(2026, 2) == (date(2026, 2, 1), date(2026, 2, 28))
    assert dates.days(2026, 12) == (date(2026, 12, 1), date(2026, 12, 31))
    assert dates.shift(2026, 1, -1) == (2025, 12)
    assert dates.shift(2026, 3, -2) == (2026, 1)


# ---------------------------------------------------------------- a hand-computed month

def _october(book):
    """Cases and ledger entries around October 2026 (calendar: Oct 1–7 holidays, Oct 31 a Saturday)."""
    # A  li, green, closed resolved the same day                          li +2 (10-13)
    a = book.intake(at="2026-10-13 10:00", user="li")
    book.run("close", a, "--outcome", "resolved", "--at", "2026-10-13 14:00", user="li")
    # B  li, green, due 10-14 23:59:59, closed resolved next day           li -5 (10-14), +2 (10-15)
    b = book.intake(at="2026-10-14 10:00", user="li")
    book.run("close", b, "--outcome", "resolved", "--at", "2026-10-15 10:00", user="li")
    # C  chen, red, due 3 working days (10-22), closed unresolved in time  nothing
    c = book.intake(grade="red", at="2026-10-19 10:00", user="chen")
    book.run("close", c, "--outcome", "unresolved", "--reason", "来电者不愿继续", "--at", "2026-10-20 10:00", user="chen")
    # D  zhao, green, never closed: past its deadline 10-21 23:59:59        zhao -5 (10-21)
    book.intake(at="2026-10-21 11:00", user="zhao")
    # E  chen, green, due 10-30 23:59:59, closed in November               chen -5 (10-30); +2 on 11-02 (not October)
    e = book.intake(at="2026-10-30 16:00", user="chen")
    book.run("close", e, "--outcome", "resolved", "--at", "2026-11-02 10:00", user="chen")
    # F  taken in by wang, handed to li, closed resolved by li              li +2 (10-26): the owner at closure
    f = book.intake(at="2026-10-26 10:00", user="wang")
    book.run("assign", f, "--to", "li", "--at", "2026-10-26 10:30", user="wang")
    book.run("close", f, "--outcome", "resolved", "--at", "2026-10-26 12:00", user="li")
    # G  wang, red, due 10-30, closed resolved 10-29                        wang +2 (10-29)
    g = book.intake(grade="red", at="2026-10-27 09:00", user="wang")
    book.run("close", g, "--outcome", "resolved", "--at", "2026-10-29 16:00", user="wang")
    # ledger
    book.run("award", "li", "lecture_outreach", "--count", "2", "--date", "2026-10-16")   # li +20
    book.run("award", "chen", "donation", "--amount", "350", "--date", "2026-10-20")      # chen +3
    book.run("award", "xu", "特刊文章", "--date", "2026-10-22")                            # xu +1 (no group)
    book.run("penalize", "zhao", "hygiene", "--date", "2026-10-23")                       # zhao -3
    book.run("penalize", "chen", "late_or_early", "--date", "2026-10-28")                 # chen -5
    book.run("award", "wang", "tv_interview", "--date", "2026-11-05")                     # November: not counted
    book.run("penalize", "li", "no_mandarin", "--date", "2026-09-30")                     # September: not counted
    return {"A": a, "B": b, "C": c, "E": e, "F": f, "G": g}


def test_a_hand_computed_month(book):
    _october(book)
    s = score_json(book, "--month", "2026-10")
    # li   100 + 2 (A) - 5 + 2 (B) + 2 (F) + 20 (2 × outreach lecture) = 121
    # wang 100 + 2 (G)                                                  = 102
    # xu   100 + 1 (article, counts for xu only)                        = 101
    # chen 100 + 0 (C unresolved) - 5 (E late) + 3 (350 yuan) - 5       =  93
    # zhao 100 - 5 (D open past due) - 3 (hygiene)                      =  92
    assert by_id(s["people"]) == {"li": (121, 1), "wang": (102, 2), "xu": (101, 3), "chen": (93, 4), "zhao": (92, 5)}
    assert [p["id"] for p in s["people"]] == ["li", "wang", "xu", "chen", "zhao"]
    # g1 = 100 + 21 (li) + 2 (wang) = 123;  g2 = 100 - 7 (chen) - 8 (zhao) = 85;  xu's +1 in no group
    assert by_id(s["groups"]) == {"g1": (123, 1), "g2": (85, 2)}
    assert s["people"][0] == {"id": "li", "name": "李娜", "group": "g1", "score": 121, "rank": 1, "points": 21}
    assert {"id", "name", "score", "rank"} <= set(s["groups"][0])
    assert s["people"][2]["group"] is None
    assert s["warnings"] == []  # one bad month is not a run

    # November so far: E's +2 to chen, wang's interview +5, and D still open (its -5 stays in October)
    nov = score_json(book, "--month", "2026-11")
    assert by_id(nov["people"])["chen"] == (102, 2) and by_id(nov["people"])["wang"] == (105, 1)
    assert by_id(nov["people"])["zhao"] == (100, 3)

    # the year: September's -2 for li counts too; g1 = 100 + 19 + 2 + 5 = 126, g2 = 100 - 7 + 2 - 8 = 87
    y = score_json(book, "--year", "2026")
    assert by_id(y["people"])["li"] == (119, 1)
    assert by_id(y["groups"]) == {"g1": (126, 1), "g2": (87, 2)}
    assert y["recommended"] == {"id": "g1", "name": "一组", "score": 126}
    table = book.run("score", "--year", "2026").stdout
    assert "Recommended: group g1 一组" in table
    assert "推荐" in book.run("score", "--year", "2026", env={"HOTLINE_LANG": "zh-CN"}).stdout


def test_person_breakdown_sums_to_the_score(book):
    ids = _october(book)
    data = json.loads(book.run("score", "--month", "2026-10", "--person", "li", "--format", "json").stdout)
    rows = data["entries"]
    assert [(r["date"], r["item"], r["points"]) for r in rows] == [
        ("2026-10-13", "resolved_case", 2), ("2026-10-14", "late_closure", -5), ("2026-10-15", "resolved_case", 2),
        ("2026-10-16", "lecture_outreach", 20), ("2026-10-26", "resolved_case", 2),
    ]
    assert data["start"] + sum(r["points"] for r in rows) == data["score"] == data["person"]["score"] == 121
    assert rows[0]["source"] == f"case {ids['A']}"
    assert rows[3]["source"] == "ledger/2026-10.yaml:2" and rows[3]["label"] == "学校/机构/企业讲座"

    text = book.run("score", "--month", "2026-10", "--person", "li").stdout
    assert "case not closed in time" in text and f"case {ids['B']}" in text and "ledger/2026-10.yaml:2" in text
    assert "total 121 = 100 +21" in text
    assert "个案未按时结案" in book.run("score", "--month", "2026-10", "--person", "li", env={"HOTLINE_LANG": "zh-CN"}).stdout
    chen = book.run("score", "--month", "2026-10", "--person", "chen").stdout
    assert "社会捐款 (350 yuan)" in chen and "total 93 = 100 -7" in chen
    assert "total 93 = 100 -7" in book.run("score", "--month", "2026-10", "--person", "陈静").stdout  # by name
    r = book.run("score", "--month", "2026-10", "--person", "nobody", expect=2)
    assert "'nobody'" in r.output and "wang" in r.output


def test_table_aligns_chinese_and_csv_lists_people_then_groups(book):
    book.run("award", "li", "lecture_centre", "--date", "2026-10-16")
    out = book.run("score", "--month", "2026-10").stdout
    assert "李娜" in out and "一组" in out and "No warnings" in out
    lines = [ln for ln in out.splitlines() if "李娜" in ln or "王芳" in ln]
    from wcwidth import wcswidth

    assert len({wcswidth(ln) for ln in lines}) == 1  # the table is aligned for wide characters
    csv = book.run("score", "--month", "2026-10", "--format", "csv").stdout.lstrip("\ufeff").splitlines()
    assert csv[0] == "person or group,id,name,group id,group,score,rank,+/-"
    assert csv[1] == "person,li,李娜,g1,一组,105,1,5"
    assert csv[-2:] == ["group,g1,一组,g1,一组,105,1,5", "group,g2,二组,g2,二组,100,2,0"]


# ---------------------------------------------------------------- ties and warnings

def test_ties_are_competition_ranks(book):
    book.run("award", "li", "article_special", "--date", "2026-09-10")
    book.run("award", "chen", "article_special", "--date", "2026-09-11")
    s = score_json(book, "--month", "2026-09")
    # li 101, chen 101, wang/zhao/xu 100: ranks 1, 1, 3, 3, 3; groups 101 and 101 tie at 1
    assert by_id(s["people"]) == {"li": (101, 1), "chen": (101, 1), "wang": (100, 3), "zhao": (100, 3), "xu": (100, 3)}
    assert by_id(s["groups"]) == {"g1": (101, 1), "g2": (101, 1)}
    assert s["warnings"] == []
    y = score_json(book, "--year", "2026")
    assert y["recommended"] is None and "tie for first" in y["warnings"][0]


def test_warnings_only_after_the_run_of_months(book):
    # July–September: wang and li +5 each month → g1 110, g2 100 (last); zhao, chen, xu at 100, rank 3 of 5
    for m in ("07", "08", "09"):
        book.run("award", "wang", "lecture_centre", "--date", f"2026-{m}-15")
        book.run("award", "li", "public_event", "--date", f"2026-{m}-16")
    july = score_json(book, "--month", "2026-07")
    assert july["warnings"] == []
    aug = score_json(book, "--month", "2026-08")
    assert aug["warnings"] == ["group g2 二组 last 2 months running: leader to be replaced"]
    sep = score_json(book, "--month", "2026-09")
    assert sep["warnings"][0] == "group g2 二组 last 2 months running: leader to be replaced"
    people = sep["warnings"][1:]
    assert len(people) == 3 and all("volunteer certificate withdrawn" in w for w in people)
    assert [w.split()[1] for w in people] == ["zhao", "chen", "xu"]
    # October: nobody scored anything, everyone ties: nobody is last, the runs are broken
    assert score_json(book, "--month", "2026-10")["warnings"] == []
    table = book.run("score", "--month", "2026-09").stdout
    assert "warnings:" in table and "leader to be replaced" in table
    zh = book.run("score", "--month", "2026-09", env={"HOTLINE_LANG": "zh-CN"}).stdout
    assert "警告" in zh and "组长" in zh


def test_inactive_people_are_left_out_unless_they_have_entries(book):
    roster = (book.root / "roster.yaml").read_text(encoding="utf-8")
    roster = roster.replace("    roles: [secretary]\n", "    roles: [secretary]\n    active: false\n")
    (book.root / "roster.yaml").write_text(roster, encoding="utf-8")
    book.git("commit", "-qam", "xu inactive")
    assert "xu" not in by_id(score_json(book, "--month", "2026-10")["people"])
    book.run("award", "xu", "article_special", "--date", "2026-10-02")
    assert by_id(score_json(book, "--month", "2026-10")["people"])["xu"] == (101, 1)


# ---------------------------------------------------------------- award / penalize

LEDGER_TEXT = """\
entries:
- date: '2026-11-05'
  person: li
  item: lecture_outreach
  points: 10
  by: wang
- date: '2026-11-06'
  person: chen
  item: donation
  points: 3
  amount: 350
  note: 募捐活动
  by: zhao
- date: '2026-11-09'
  person: xu
  item: article_special
  points: 3
  count: 3
  by: wang
- date: '2026-11-10'
  person: zhao
  item: left_post
  points: -3
  by: wang
"""


def test_award_and_penalize_write_the_ledger_one_commit_each(book):
    before = len(log(book))
    r = book.run("award", "li", "lecture_outreach", "--date", "2026-11-05", user="wang")
    assert "+10" in r.stdout and "ledger/2026-11.yaml" in r.stdout
    book.run("award", "chen", "donation", "--amount", "350", "--note", "募捐活动", "--date", "2026-11-06", user="zhao")
    book.run("award", "xu", "特刊文章", "--count", "3", "--date", "2026-11-09", user="wang")
    book.run("penalize", "zhao", "脱岗", "--date", "2026-11-10", user="wang")
    text = (book.root / "ledger" / "2026-11.yaml").read_text(encoding="utf-8")
    ids = re.findall(r"^- id: ([0-9A-Z]{8})$", text, re.M)   # every entry has its own stable id (merges use it)
    assert len(set(ids)) == 4
    assert re.sub(r"^- id: [0-9A-Z]{8}\n  ", "- ", text, flags=re.M) == LEDGER_TEXT
    lines = log(book)
    assert len(lines) == before + 4
    assert lines[:4] == [
        "王芳|wang@example.org|penalize zhao left_post -3",
        "王芳|wang@example.org|award xu article_special +3 (x3)",
        "赵强|zhao@hotline.invalid|award chen donation +3",
        "王芳|wang@example.org|award li lecture_outreach +10",
    ]
    assert book.git("show", "--name-only", "--format=", "HEAD").split() == ["ledger/2026-11.yaml"]
    assert book.git("status", "--porcelain") == ""
    assert check.ledger_problems(Book(book.root)) == []


def test_award_keeps_hand_comments_and_defaults_to_today(book):
    path = book.root / "ledger" / "2026-10.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text("# 十月积分\nentries:\n- date: '2026-10-09'\n  person: li\n  item: hygiene\n  points: -3\n  by: wang\n",
                    encoding="utf-8")
    book.git("add", "ledger/2026-10.yaml")
    book.git("commit", "-qm", "hand entry")
    book.run("penalize", "li", "hygiene", "--date", "2026-10-12")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# 十月积分\n") and text.count("item: hygiene") == 2
    from hotline.times import now

    today = now(Book(book.root).tz).date()
    book.run("award", "chen", "article_special")
    assert (book.root / "ledger" / f"{today:%Y-%m}.yaml").read_text(encoding="utf-8").count(f"'{today.isoformat()}'") >= 1


@pytest.mark.parametrize("args, says", [
    (("award", "li", "lecture"), ["'lecture'", "lecture_outreach", "donation"]),
    (("award", "nobody", "article_special"), ["'nobody'", "wang, li, zhao, chen, xu"]),
    (("award", "li", "donation"), ["--amount"]),
    (("award", "li", "donation", "--amount", "0"), ["--amount 0"]),
    (("award", "li", "article_special", "--amount", "300"), ["--amount", "donations"]),
    (("award", "li", "article_special", "--count", "-1"), ["--count -1"]),
    (("award", "li", "article_special", "--count", "0"), ["--count 0"]),
    (("award", "li", "donation", "--amount", "300", "--count", "2"), ["--count"]),
    (("award", "li", "hygiene"), ["'hygiene'", "penalize"]),
    (("penalize", "li", "tv_interview"), ["'tv_interview'", "award", "no_mandarin"]),
    (("penalize", "li", "late_closure"), ["from the cases"]),
    (("award", "li", "article_special", "--date", "2026-13-01"), ["--date '2026-13-01'"]),
])
def test_bad_input_exits_2_and_writes_nothing(book, args, says):
    before = log(book)
    r = book.run(*args, expect=2)
    for s in says:
        assert s in r.output
    assert len(r.output.strip().splitlines()) == 1
    assert not (book.root / "ledger").exists() or not any((book.root / "ledger").glob("*.yaml"))
    assert log(book) == before and book.git("status", "--porcelain") == ""


def test_score_needs_exactly_one_period(book):
    assert "--month" in book.run("score", expect=2).output
    book.run("score", "--month", "2026-10", "--year", "2026", expect=2)
    book.run("score", "--month", "2026-13", expect=2)
    book.run("score", "--year", "26", expect=2)
    book.run("score", "--month", "2026-10", "--format", "xml", expect=2)


def test_broken_ledger_is_reported_with_its_line(book):
    d = book.root / "ledger"
    d.mkdir(exist_ok=True)
    (d / "2026-10.yaml").write_text(
        "entries:\n- date: '2026-10-09'\n  person: li\n  item: hygiene\n  points: -3\n  by: wang\n"
        "- date: '2026-09-09'\n  person: ghost\n  item: bake_sale\n  points: x\n  by: wang\n", encoding="utf-8")
    (d / "2026-11.yaml").write_text(
        "entries:\n- date: '2026-11-09'\n  person: ghost\n  item: bake_sale\n  points: 4\n  by: wang\n"
        "- date: '2026-11-10'\n  person: li\n  item: donation\n  points: 1\n  by: wang\n", encoding="utf-8")
    probs = check.ledger_problems(Book(book.root))
    assert (probs[0][0].name, probs[0][1]) == ("2026-10.yaml", 7) and "not in 2026-10" in probs[0][2]
    assert [(p.name, line) for p, line, _ in probs[1:]] == [("2026-11.yaml", 2), ("2026-11.yaml", 2), ("2026-11.yaml", 7)]
    assert "person 'ghost'" in probs[1][2] and "unknown item 'bake_sale'" in probs[2][2] and "needs 'amount'" in probs[3][2]
    # a score still runs: the broken file is named on stderr and left out
    r = book.run("score", "--month", "2026-10", "--format", "json")
    assert "ledger/2026-10.yaml:7: entries[1]: date 2026-09-09 is not in 2026-10" in r.stderr
    assert by_id(json.loads(r.stdout)["people"])["li"] == (100, 1)
    # and nothing is appended to a broken file
    book.run("award", "li", "article_special", "--date", "2026-10-20", expect=1)


def test_score_month_for_the_bulletin(book):
    _october(book)
    b = Book(book.root)
    s = queries.score_month(b, 2026, 10)
    assert s.person("li").score == 121 and s.group("g2").rank == 2 and s.alerts == []
    assert sum(e.points for e in s.entries_of("zhao")) == -8
    y = queries.score_year(b, 2026, cases=b.store.all(problems=[]))
    assert y.recommended.id == "g1"


# ---------------------------------------------------------------- provisional working days

def test_a_late_closure_on_a_provisional_due_date_counts_and_says_so():
    from datetime import datetime
    from pathlib import Path
    from zoneinfo import ZoneInfo

    from hotline.domain.calendar import Calendar
    from hotline.domain.model import Case, Event
    from hotline.storage import config

    sh = ZoneInfo("Asia/Shanghai")
    rules = config.parse_rules(config.default_rules_text(), Path("rules.yaml"))
    rec = datetime(2026, 12, 30, 15, tzinfo=sh)  # gray: close due Tue 2027-01-05 (元旦 off, provisional)
    case = Case(id="261230-AAAAA", received=rec, channel="phone", grade="gray", owner="wang", role="survivor",
                events=[Event("intake", rec, "wang"), Event("close", datetime(2027, 1, 7, 10, tzinfo=sh), "wang",
                                                            outcome="unresolved")])
    until = datetime(2027, 2, 1, tzinfo=sh)
    problems: list[str] = []
    (e,) = points.case_entries([case], rules, Calendar.from_rules(rules), until, problems=problems)
    assert (e.date, e.person, e.item, e.points, e.note) == (date(2027, 1, 5), "wang", "late_closure", -5, "provisional")
    assert problems == ["late closures counted on provisional working days for 261230-AAAAA: their due "
                        "dates may move when the State Council's notice is added to rules.yaml"]
    # rules.yaml declares 2027 (no holidays listed): 元旦 is worked, due Mon 01-04, nothing provisional
    official = Calendar(years={2027})
    problems = []
    (e,) = points.case_entries([case], rules, official, until, problems=problems)
    assert (e.date, e.note, problems) == (date(2027, 1, 4), "", [])
