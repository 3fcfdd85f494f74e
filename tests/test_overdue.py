"""`hotline overdue` and the deadlines printed by intake/refer/close/show (SPEC §4, §8)."""
from __future__ import annotations

import json


def rows(book, *args):
    return json.loads(book.run("overdue", "--format", "json", *args).stdout)


def test_overdue_json_rows_have_the_contract_keys(book):
    cid = book.intake(grade="gray", at="2026-11-20 15:00")
    r = rows(book, "--as-of", "2026-11-30 18:00")
    assert {(x["case"], x["kind"]) for x in r} == {(cid, "close"), (cid, "refer")}
    for x in r:
        assert set(x) >= {"case", "kind", "due", "owner", "group", "overdue", "urges"}
        assert x["overdue"] is True and x["owner"] == "wang" and x["group"] == "g1"
    assert r[0]["due"] == "2026-11-25T23:59:59+08:00"


def test_due_soon_is_marked_and_only_within_the_window(book):
    book.intake(grade="gray", at="2026-11-20 15:00")  # due Wed 11-25 23:59
    assert rows(book, "--as-of", "2026-11-24 09:00") == []
    soon = rows(book, "--as-of", "2026-11-24 09:00", "--soon", "2 days")
    assert soon and all(x["overdue"] is False for x in soon)
    assert rows(book, "--as-of", "2026-11-24 09:00", "--soon", "1 hour") == []


def test_as_of_replays_history_ignoring_later_events(book):
    cid = book.intake(grade="green", at="2026-11-20 15:00")
    book.run("close", cid, "--outcome", "resolved", "--at", "2026-11-23 10:00")  # closed late
    assert [x["kind"] for x in rows(book, "--as-of", "2026-11-21 12:00")] == ["close"]
    assert rows(book, "--as-of", "2026-11-24 12:00") == []


def test_referral_restarts_the_close_clock(book, monkeypatch):
    monkeypatch.setenv("HOTLINE_NOW", "2026-11-24 10:00")  # its writes are dated up to then: no write is in the future
    cid = book.intake(grade="red", at="2026-11-20 15:00")
    book.run("followup", cid, "--note", "已回电", "--at", "2026-11-20 15:30")
    book.run("refer", cid, "--to", "legal-aid", "--at", "2026-11-24 10:00")
    r = rows(book, "--as-of", "2026-11-27 12:00")
    assert r == []  # old close (due 11-25) replaced in time; new one due 12-03
    r = rows(book, "--as-of", "2026-12-04 12:00")
    assert sorted(x["kind"] for x in r) == ["close", "follow_up"]
    assert [x["due"] for x in r if x["kind"] == "close"] == ["2026-12-03T23:59:59+08:00"]


def test_group_filter_and_committee_flag(book, monkeypatch):
    monkeypatch.setenv("HOTLINE_NOW", "2026-11-24 10:00")  # its writes are dated up to then: no write is in the future
    a = book.intake(grade="gray", at="2026-11-20 15:00", user="li")
    book.intake("--owner", "chen", grade="gray", at="2026-11-20 15:10")
    for day in (21, 22, 23, 24):
        book.run("urge", a, "--at", f"2026-11-{day} 10:00", user="wang")
    g1 = rows(book, "--as-of", "2026-11-30 12:00", "--group", "g1")
    assert {x["owner"] for x in g1} == {"li"} and all(x["urges"] == 4 and x["committee"] for x in g1)
    g2 = rows(book, "--as-of", "2026-11-30 12:00", "--group", "g2")
    assert {x["owner"] for x in g2} == {"chen"}
    table = book.run("overdue", "--as-of", "2026-11-30 12:00", env={"HOTLINE_LANG": "zh-CN"}).stdout
    assert "一组 (g1)" in table and "二组 (g2)" in table and "上报委员会" in table
    assert "unknown --group 'g9'" in book.run("overdue", "--group", "g9", expect=2).output
    assert rows(book, "--as-of", "2026-11-30 12:00", "--group", "二组") == g2   # a group by its name too


def test_bad_values_exit_2(book):
    assert "--as-of 'yesterday'" in book.run("overdue", "--as-of", "yesterday", expect=2).output
    assert "unknown duration 'soonish'" in book.run("overdue", "--soon", "soonish", expect=2).output


def test_intake_and_refer_print_the_deadlines_they_start(book):
    r = book.run("intake", "--no-input", "--channel", "phone", "--grade", "red", "--role", "survivor",
                 "--category", "domestic_violence", "--need", "crisis", "--summary", "x", "--at", "2026-11-20 15:00")
    assert "deadline first response: 2026-11-20 16:00" in r.stdout
    assert "deadline closing: 2026-11-25 23:59" in r.stdout
    cid = r.stdout.split()[1].rstrip(":")
    out = book.run("refer", cid, "--to", "legal-aid", "--at", "2026-11-21 10:00").stdout
    assert "deadline closing: 2026-12-01 23:59" in out and "deadline referral follow-up: 2026-11-28 23:59" in out
    show = book.run("show", cid, env={"HOTLINE_LANG": "zh-CN"}).stdout
    assert "首次响应" in show and "按时" in show


PROVISIONAL_2027_LINES = (
    "calendar:\n"
    "  holidays: [2027-01-01, '2027-02-05..2027-02-10', 2027-04-05, '2027-05-01..2027-05-04', "
    "2027-06-09, 2027-09-15, '2027-10-01..2027-10-05']\n"
    "  workdays: []   # make-up working days: from the State Council's notice\n"
)


def test_a_year_without_calendar_data_is_provisional_and_says_what_to_add(book, monkeypatch):
    monkeypatch.setenv("HOTLINE_NOW", "2026-12-30 15:00")  # its writes are dated up to then: no write is in the future
    cid = book.intake(grade="gray", at="2026-12-30 15:00")  # 3 working days reach into 2027
    done = book.intake(grade="gray", at="2026-11-20 15:00")  # due 11-25, entirely in 2026
    r = book.run("overdue", "--format", "json", "--as-of", "2027-01-10 12:00")  # exit 0
    got = {(x["case"], x["kind"]): (x["due"], x["provisional"]) for x in json.loads(r.stdout)}
    # Thu 12-31, (元旦 Fri, Sat, Sun), Mon 01-04, Tue 01-05
    assert got == {
        (cid, "close"): ("2027-01-05T23:59:59+08:00", True), (cid, "refer"): ("2027-01-05T23:59:59+08:00", True),
        (done, "close"): ("2026-11-25T23:59:59+08:00", False), (done, "refer"): ("2026-11-25T23:59:59+08:00", False),
    }
    # stderr, once: which year is provisional, and the lines to paste into rules.yaml
    assert r.stderr.count("2027 are provisional:") == 1 and r.stderr.count("calendar:\n") == 1
    assert PROVISIONAL_2027_LINES in r.stderr
    table = book.run("overdue", "--as-of", "2027-01-10 12:00")
    assert "2027-01-05 23:59 provisional" in table.stdout and "2026-11-25 23:59 provisional" not in table.stdout
    assert "2 due time(s) are provisional" in table.stdout
    zh = book.run("overdue", "--as-of", "2027-01-10 12:00", env={"HOTLINE_LANG": "zh-CN"})
    assert "2027-01-05 23:59 暂定" in zh.stdout and "2026-11-25 23:59 暂定" not in zh.stdout
    assert table.stderr.count(PROVISIONAL_2027_LINES) == 1
    csv = book.run("overdue", "--format", "csv", "--as-of", "2027-01-10 12:00").stdout.splitlines()
    assert csv[0].lstrip("\ufeff").split(",")[:5] == ["case", "deadline code", "deadline", "due", "provisional"]
    assert csv[1].split(",")[4] == "no" and csv[-1].split(",")[4] == "yes"


def test_overdue_within_official_years_says_nothing_provisional(book):
    book.intake(grade="gray", at="2026-11-20 15:00")
    r = book.run("overdue", "--as-of", "2026-11-30 18:00")
    assert "provisional" not in r.output and "calendar:" not in r.output


def _rules_with(book, calendar: str) -> None:
    path = book.root / "rules.yaml"
    text = path.read_text(encoding="utf-8")
    assert "calendar:\n  holidays: []\n  workdays: []\n" in text
    path.write_text(text.replace("calendar:\n  holidays: []\n  workdays: []\n", calendar), encoding="utf-8")


def test_the_pasted_lines_make_2027_official(book, monkeypatch):
    monkeypatch.setenv("HOTLINE_NOW", "2026-12-30 15:00")  # its writes are dated up to then: no write is in the future
    cid = book.intake(grade="gray", at="2026-12-30 15:00")
    _rules_with(book, PROVISIONAL_2027_LINES)
    r = book.run("overdue", "--format", "json", "--as-of", "2027-01-10 12:00")
    assert {(x["case"], x["due"], x["provisional"]) for x in json.loads(r.stdout)} == {
        (cid, "2027-01-05T23:59:59+08:00", False)}
    assert "provisional" not in r.stderr and "calendar:" not in r.stderr


def test_rules_yaml_overrides_win_over_the_provisional_days(book, monkeypatch):
    monkeypatch.setenv("HOTLINE_NOW", "2026-12-30 15:00")  # its writes are dated up to then: no write is in the future
    cid = book.intake(grade="gray", at="2026-12-30 15:00")
    # the notice as a secretary types it: 元旦 01-01..01-03, Sat 01-09 worked (invented for the test)
    _rules_with(book, "calendar:\n  holidays: ['2027-01-01..2027-01-03']\n  workdays: [2027-01-09]\n")
    r = rows(book, "--as-of", "2027-01-10 12:00")
    assert {(x["case"], x["due"], x["provisional"]) for x in r} == {(cid, "2027-01-05T23:59:59+08:00", False)}
    r = rows(book, "--as-of", "2027-02-04 10:00")  # 2027 is rules.yaml's now: 除夕 is not a day off there
    assert all(not x["provisional"] for x in r)


def test_calendar_years_2027_wins(book, monkeypatch):
    monkeypatch.setenv("HOTLINE_NOW", "2026-12-30 15:00")  # its writes are dated up to then: no write is in the future
    cid = book.intake(grade="gray", at="2026-12-30 15:00")
    _rules_with(book, "calendar:\n  holidays: []\n  workdays: []\n  years: [2027]\n")
    r = book.run("overdue", "--format", "json", "--as-of", "2027-01-10 12:00")
    # a plain year: Thu 12-31, Fri 01-01, Mon 01-04
    assert {(x["case"], x["due"], x["provisional"]) for x in json.loads(r.stdout)} == {
        (cid, "2027-01-04T23:59:59+08:00", False)}
    assert "provisional" not in r.stderr


def test_intake_into_an_uncovered_year_prints_provisional_deadlines(book, monkeypatch):
    monkeypatch.setenv("HOTLINE_NOW", "2027-01-04 10:00")  # its writes are dated up to then: no write is in the future
    r = book.run("intake", "--no-input", "--channel", "phone", "--grade", "gray", "--role", "survivor",
                 "--category", "divorce", "--need", "legal", "--summary", "x", "--at", "2026-12-30 15:00")
    assert "Registered" in r.stdout and "deadline closing: 2027-01-05 23:59 provisional" in r.stdout
    assert "2027 are provisional:" in r.stderr and "hotline overdue" in r.stderr
    cid = r.stdout.split()[1].rstrip(":")
    show = book.run("show", cid).stdout
    assert "due 2027-01-05 23:59 provisional" in show and "2027" in show
    assert "2027-01-05 23:59 暂定" in book.run("show", cid, env={"HOTLINE_LANG": "zh-CN"}).stdout
    out = book.run("refer", cid, "--to", "legal-aid", "--at", "2027-01-04 10:00").stdout
    # 7 working days after Mon 01-04: 05, 06, 07, 08, 11, 12, 13; follow-up: 7 calendar days
    assert "deadline closing: 2027-01-13 23:59 provisional" in out and "deadline referral follow-up: 2027-01-11 23:59\n" in out


def test_a_year_no_rule_covers_is_still_named(book):
    book.intake(grade="gray", at="2003-12-30 15:00")  # before chinesecalendar, before the 2024 rules
    r = book.run("overdue", "--as-of", "2004-01-10 12:00")
    assert "the calendar has no data for 2003" in r.stderr and "rules.yaml" in r.stderr
    assert "provisional" not in r.output
