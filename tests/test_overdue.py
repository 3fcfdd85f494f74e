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


def test_referral_restarts_the_close_clock(book):
    cid = book.intake(grade="red", at="2026-11-20 15:00")
    book.run("followup", cid, "--note", "已回电", "--at", "2026-11-20 15:30")
    book.run("refer", cid, "--to", "legal-aid", "--at", "2026-11-24 10:00")
    r = rows(book, "--as-of", "2026-11-27 12:00")
    assert r == []  # old close (due 11-25) replaced in time; new one due 12-03
    r = rows(book, "--as-of", "2026-12-04 12:00")
    assert sorted(x["kind"] for x in r) == ["close", "follow_up"]
    assert [x["due"] for x in r if x["kind"] == "close"] == ["2026-12-03T23:59:59+08:00"]


def test_group_filter_and_committee_flag(book):
    a = book.intake(grade="gray", at="2026-11-20 15:00", user="li")
    book.intake("--owner", "chen", grade="gray", at="2026-11-20 15:10")
    for day in (21, 22, 23, 24):
        book.run("urge", a, "--at", f"2026-11-{day} 10:00", user="wang")
    g1 = rows(book, "--as-of", "2026-11-30 12:00", "--group", "g1")
    assert {x["owner"] for x in g1} == {"li"} and all(x["urges"] == 4 and x["committee"] for x in g1)
    g2 = rows(book, "--as-of", "2026-11-30 12:00", "--group", "g2")
    assert {x["owner"] for x in g2} == {"chen"}
    table = book.run("overdue", "--as-of", "2026-11-30 12:00").stdout
    assert "一组 (g1)" in table and "二组 (g2)" in table and "上报委员会" in table
    assert "unknown --group 'g9'" in book.run("overdue", "--group", "g9", expect=2).output


def test_bad_values_exit_2(book):
    assert "--as-of 'yesterday'" in book.run("overdue", "--as-of", "yesterday", expect=2).output
    assert "unknown duration 'soonish'" in book.run("overdue", "--soon", "soonish", expect=2).output


def test_intake_and_refer_print_the_deadlines_they_start(book):
    r = book.run("intake", "--no-input", "--channel", "phone", "--grade", "red", "--role", "survivor",
                 "--category", "domestic_violence", "--need", "crisis", "--summary", "x", "--at", "2026-11-20 15:00")
    assert "deadline respond: 2026-11-20 16:00" in r.stdout
    assert "deadline close: 2026-11-25 23:59" in r.stdout
    cid = r.stdout.split()[1].rstrip(":")
    out = book.run("refer", cid, "--to", "legal-aid", "--at", "2026-11-21 10:00").stdout
    assert "deadline close: 2026-12-01 23:59" in out and "deadline follow_up: 2026-11-28 23:59" in out
    show = book.run("show", cid).stdout
    assert "respond" in show and "met" in show


def test_a_year_without_calendar_data_is_computed_provisionally(book):
    cid = book.intake(grade="gray", at="2026-12-30 15:00")  # 3 working days reach into 2027
    r = rows(book, "--as-of", "2027-01-10 12:00")
    # Thu 12-31, (元旦 Fri, Sat, Sun), Mon 01-04, Tue 01-05
    assert {(x["case"], x["kind"], x["due"]) for x in r} == {
        (cid, "close", "2027-01-05T23:59:59+08:00"), (cid, "refer", "2027-01-05T23:59:59+08:00")}


def test_intake_into_an_uncovered_year_is_written_with_provisional_deadlines(book):
    r = book.run("intake", "--no-input", "--channel", "phone", "--grade", "gray", "--role", "survivor",
                 "--category", "divorce", "--need", "legal", "--summary", "x", "--at", "2026-12-30 15:00")
    assert "Registered" in r.stdout and "deadline close: 2027-01-05 23:59" in r.stdout
    cid = r.stdout.split()[1].rstrip(":")
    assert "due 2027-01-05 23:59" in book.run("show", cid).stdout
