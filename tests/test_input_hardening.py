"""Dates and numbers, bad input and hostile files, markup and leaks (issue: hardening, 8–23).

Each test reproduces a class of failure a hostile tester found, with variants.
Roster (conftest): wang director+leader g1, li volunteer g1, zhao leader g2, chen volunteer g2,
xu secretary; partners legal-aid, counselling.  "Now" is 2026-11-23 12:00.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
import yaml

from hotline.trust import privacy
from hotline.storage.keys import CALLER_KEY

UNSAFE = ("\x1b", "\x9b", "\x7f", "\u202e")


def commits(book) -> int:
    return int(book.git("rev-list", "--count", "HEAD"))


def one_line_refusal(r):
    assert r.exit_code == 2, r.output
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "Traceback" not in r.output


# ---------------------------------------------------------------- 8–9. dates a book holds

@pytest.mark.parametrize("args", [
    ("intake", "--at", "0001-01-01 00:00"),
    ("intake", "--at", "1999-01-01"),
    ("intake", "--at", "1999-12-31T23:59+08:00"),
    ("intake", "--at", "2100-01-01 00:00"),
    ("intake", "--at", "9999-12-31T23:59-12:00"),
    ("intake", "--at", "0001-01-01T00:00+14:00"),
    ("overdue", "--as-of", "9999-12-31T23:59-12:00"),
    ("overdue", "--as-of", "0001-01-01"),
    ("report", "--month", "0000-01"),
    ("report", "--month", "9999-12"),
    ("score", "--month", "0001-01"),
    ("score", "--year", "9999"),
    ("list", "--month", "1999-12"),
    ("award", "li", "article_special", "--date", "0001-01-01"),
    ("penalize", "li", "hygiene", "--date", "2100-01-01"),
])
def test_dates_outside_the_book_are_refused_in_one_line(book, args):
    before = commits(book)
    extra = ["--no-input", "--channel", "phone", "--grade", "green", "--role", "party", "--category", "divorce",
             "--need", "legal", "--summary", "x"] if args[0] == "intake" else []
    r = book.run(*args, *extra, expect=None)
    one_line_refusal(r)
    assert "outside the dates a book holds" in r.stderr
    assert commits(book) == before
    assert not list((book.root / "cases").rglob("*.yaml")) and not list((book.root / "ledger").glob("*.yaml"))


def test_events_at_odd_dates_are_refused_too(book):
    cid = book.intake()
    for at in ("0001-01-01", "9999-12-31T23:59-12:00", "2100-01-01"):
        one_line_refusal(book.run("followup", cid, "--note", "x", "--at", at, expect=None))


@pytest.mark.parametrize("received", ["0001-01-01T00:00:00+08:00", "1999-06-01T10:00:00+08:00",
                                      "9999-12-31T23:59:00-12:00", "2100-01-01T00:00:00+08:00"])
def test_no_stored_date_can_crash_a_read(book, received):
    good = book.intake()
    text = book.case_file(good).read_text(encoding="utf-8")
    bad = book.case_file(good).with_name(f"{good[:6]}-ZZZZZ.yaml")
    bad.write_text(text.replace(good, bad.stem).replace("'2026-11-20T15:00:00+08:00'", f"'{received}'", 1),
                   encoding="utf-8")
    for args in (("list", "--format", "json"), ("overdue", "--format", "json"), ("report", "--month", "2026-11"),
                 ("score", "--month", "2026-11"), ("list", "--month", "2026-11")):
        r = book.run(*args)
        assert "Traceback" not in r.output
        assert f"{bad.stem}.yaml:" in r.stderr and "outside the dates a book holds" in r.stderr
    c = book.run("check", expect=1)
    assert f"cases/2026/11/{bad.stem}.yaml:2: 'received'" in c.stdout


def test_a_ledger_date_outside_the_book_is_named_and_never_counted(book):
    d = book.root / "ledger"
    (d / "2026-11.yaml").write_text("entries:\n- date: '0001-11-09'\n  person: li\n  item: hygiene\n"
                                    "  points: -3\n  by: wang\n", encoding="utf-8")
    (d / "0001-01.yaml").write_text("entries: []\n", encoding="utf-8")
    r = book.run("score", "--month", "2026-11", "--format", "json")
    assert "outside the dates a book holds" in r.stderr
    c = book.run("check", expect=1)
    assert "ledger/0001-01.yaml: ledger file name '0001-01.yaml' is not YYYY-MM.yaml" in c.stdout


# ---------------------------------------------------------------- 10. numbers

@pytest.mark.parametrize("args", [
    ("award", "li", "article_special", "--count", "13812345678"),
    ("award", "li", "article_special", "--count", "101"),
    ("award", "li", "article_special", "--count", "abc"),
    ("award", "li", "article_special", "--count", "1.5"),
    ("award", "li", "donation", "--amount", "12345678901234567890123"),
    ("award", "li", "donation", "--amount", "10000001"),
    ("award", "li", "donation", "--amount", "-5"),
    ("penalize", "li", "hygiene", "--count", "99999999999"),
])
def test_absurd_counts_and_amounts_are_refused(book, args):
    before = commits(book)
    r = book.run(*args, expect=None)
    one_line_refusal(r)
    assert args[-2] in r.stderr and "whole number" in r.stderr
    assert commits(book) == before


def test_full_width_and_grouped_numbers_are_read(book):
    book.run("award", "li", "donation", "--amount", "１，２００", "--date", "2026-11-20")
    book.run("award", "li", "article_special", "--count", "２", "--date", "2026-11-20")
    entries = yaml.safe_load((book.root / "ledger" / "2026-11.yaml").read_text(encoding="utf-8"))["entries"]
    assert [(e["item"], e["points"]) for e in entries] == [("donation", 12), ("article_special", 2)]


def test_a_hand_edited_absurd_ledger_entry_is_named_by_check(book):
    (book.root / "ledger" / "2026-11.yaml").write_text(
        "entries:\n- date: '2026-11-09'\n  person: li\n  item: article_special\n  points: 138123456780\n"
        "  count: 13812345678\n  by: wang\n", encoding="utf-8")
    c = book.run("check", expect=1)
    assert "'points' 138123456780 is beyond" in c.stdout and "'count' 13812345678 is beyond" in c.stdout


# ---------------------------------------------------------------- 11. bytes that are not UTF-8

@pytest.mark.parametrize("option", ["--summary", "--name", "--region", "--contact"])
def test_invalid_utf8_in_an_argument_is_refused_not_a_traceback(book, option):
    args = ["intake", "--no-input", "--channel", "phone", "--grade", "green", "--role", "party",
            "--category", "divorce", "--need", "legal", "--summary", "询问", option]
    env = dict(os.environ, HOTLINE_BOOK=str(book.root), HOTLINE_USER="wang")
    p = subprocess.run([sys.executable.encode(), b"-m", b"hotline", *[a.encode() for a in args], b"\xff\xfe\xe4\xb8"],
                       env=env, capture_output=True)
    assert p.returncode == 2, p.stderr
    err = p.stderr.decode("utf-8", "replace")
    assert "not UTF-8 text" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not list((book.root / "cases").rglob("*.yaml"))


def test_invalid_utf8_in_a_note_is_refused(book):
    cid = book.intake()
    r = book.run("followup", cid, "--note", "已回电\udcff", expect=None)
    one_line_refusal(r)


# ---------------------------------------------------------------- 12. symlinks and special files

@pytest.mark.skipif(os.name == "nt", reason="symbolic links to /dev/zero are a POSIX matter")
@pytest.mark.parametrize("target", ["/dev/zero", "/dev/urandom"])
def test_a_case_file_that_is_a_link_to_a_device_is_named_not_read(book, target):
    good = book.intake()
    link = book.case_file(good).with_name(f"{good[:6]}-ZZZZZ.yaml")
    os.symlink(target, link)
    r = book.run("list", "--format", "json")
    assert [row["id"] for row in json.loads(r.stdout)] == [good]
    assert "ZZZZZ.yaml: is a symbolic link" in r.stderr
    assert "is a symbolic link" in book.run("check", expect=1).stdout
    book.run("show", good)
    book.run("report", "--month", "2026-11")


@pytest.mark.skipif(os.name == "nt", reason="POSIX links")
def test_rules_roster_ledger_and_templates_that_are_links_are_refused(book):
    for rel in ("ledger/2026-11.yaml", "templates/report.md.j2"):
        p = book.root / rel
        p.unlink(missing_ok=True)
        os.symlink("/dev/zero", p)
    r = book.run("score", "--month", "2026-11", "--format", "json")
    assert "ledger/2026-11.yaml: is a symbolic link" in r.stderr
    r = book.run("report", "--month", "2026-11", expect=1)
    assert "is a symbolic link" in r.stderr


# ---------------------------------------------------------------- 13. people who left

def test_people_marked_inactive_can_neither_act_nor_own(book):
    roster = (book.root / "roster.yaml").read_text(encoding="utf-8")
    (book.root / "roster.yaml").write_text(roster.replace("    email: li@example.org\n",
                                                          "    email: li@example.org\n    active: false\n"),
                                           encoding="utf-8")
    book.git("commit", "-qam", "li left")
    before = commits(book)
    r = book.run("intake", "--no-input", "--channel", "phone", "--grade", "green", "--role", "party",
                 "--category", "divorce", "--need", "legal", "--summary", "x", user="li", expect=None)
    one_line_refusal(r)
    assert "'li' is not active" in r.stderr
    r = book.run("intake", "--no-input", "--channel", "phone", "--grade", "green", "--role", "party",
                 "--category", "divorce", "--need", "legal", "--summary", "x", "--owner", "li", expect=None)
    one_line_refusal(r)
    assert commits(book) == before
    cid = book.intake()
    one_line_refusal(book.run("followup", cid, "--note", "x", user="li", expect=None))
    one_line_refusal(book.run("assign", cid, "--to", "li", expect=None))
    one_line_refusal(book.run("award", "chen", "article_special", user="li", expect=None))


# ---------------------------------------------------------------- 14. one line, whatever was typed

@pytest.mark.parametrize("args", [
    ("close", "2611\n20-AB", "--outcome", "resolved"),
    ("show", "abc\n\ndef"),
    ("list", "--status", "op\nen"),
    ("award", "li", "article_special", "--count", "abc"),
    ("award", "li", "article_special", "--count", "1\n2"),
    ("followup", "261120-AB"),
    ("list", "--no-such-option"),
    ("overdue", "--format"),
    ("intake", "--grade", "red\x1b[2J", "--no-input"),
])
def test_every_error_is_one_line_without_raw_control_characters(book, args):
    r = book.run(*args, expect=None)
    assert r.exit_code == 2, r.output
    assert r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert not any(ch in r.stderr for ch in UNSAFE)


def test_closing_with_a_newline_in_the_outcome_is_one_line(book):
    cid = book.intake()
    r = book.run("close", cid, "--outcome", "resolved\nunresolved", expect=None)
    one_line_refusal(r)
    assert "resolved\\nunresolved" in r.stderr


# ---------------------------------------------------------------- 15. terminal control sequences from a merge

def test_control_sequences_in_a_merged_case_file_are_shown_escaped_and_named(book):
    cid = book.intake()
    path = book.case_file(cid)
    hostile = "询问\x1b]0;pwned\x07 \x1b[2J\x9b31m清屏\x7f \u202egnirts"
    path.write_text(path.read_text(encoding="utf-8").replace("summary: 询问起诉程序", f"summary: \"{hostile}\""
                                                            .replace("\x1b", "\\e").replace("\x07", "\\a")
                                                            .replace("\x9b", "\\x9b").replace("\x7f", "\\x7f")
                                                            .replace("\u202e", "\\u202e")), encoding="utf-8")
    book.git("commit", "-qam", "merged from the other office")
    for args in (("show", cid), ("list",), ("list", "--format", "csv"), ("report", "--month", "2026-11")):
        r = book.run(*args)
        assert not any(ch in r.output for ch in UNSAFE + ("\x07",)), (args, r.output)
    assert "\\x1b" in book.run("show", cid).stdout
    j = book.run("list", "--format", "json").stdout
    json.loads(j)
    c = book.run("check", expect=1)
    assert f"cases/2026/11/{cid}.yaml" in c.stdout and "control character (U+001B)" in c.stdout


# ---------------------------------------------------------------- 16, 22. the referral form

def test_a_form_that_cannot_be_written_records_nothing_and_a_retry_records_one_referral(book, tmp_path):
    cid = book.intake(grade="gray")
    before = commits(book)
    for bad in (tmp_path / "no-such-dir" / "form.md", tmp_path):
        r = book.run("refer", cid, "--to", "legal-aid", "--form", str(bad), expect=None)
        one_line_refusal(r)
        assert commits(book) == before
    good = tmp_path / "form.md"
    book.run("refer", cid, "--to", "legal-aid", "--form", str(good))
    assert good.exists() and "市法律援助中心" in good.read_text(encoding="utf-8")
    assert book.case_file(cid).read_text(encoding="utf-8").count("type: refer") == 1
    assert not list(tmp_path.glob(".form.md.*.tmp"))


def test_a_form_with_the_callers_contact_is_never_written_inside_the_book(book, tmp_path):
    cid = book.intake("--name", "郑女士", "--contact", "13800000104", grade="gray")
    before = commits(book)
    for inside in (book.root / "form.md", book.root / "cases" / "form.md", book.root / "templates" / "f.md"):
        r = book.run("refer", cid, "--to", "legal-aid", "--include-contact", "--form", str(inside), expect=None)
        one_line_refusal(r)
        assert "inside the book" in r.stderr and not inside.exists()
    assert commits(book) == before
    outside = tmp_path / "form.md"
    book.run("refer", cid, "--to", "legal-aid", "--include-contact", "--form", str(outside))
    assert "13800000104" in outside.read_text(encoding="utf-8")
    # such a form put into the book by hand is named by check
    (book.root / "old-form.md").write_bytes(outside.read_bytes())
    c = book.run("check", expect=1)
    assert "old-form.md: holds a caller's personal data in clear" in c.stdout


# ---------------------------------------------------------------- 17. leftovers of interrupted writes

def test_leftovers_in_ledger_and_keys_are_named_then_cleared(book):
    left = [book.root / "ledger" / ".2026-11.yaml.abc123.tmp", book.root / "keys" / ".caller-key.age.x1y2.tmp"]
    for p in left:
        p.write_text("half a file", encoding="utf-8")
    c = book.run("check", expect=1)
    for p in left:
        assert f"{p.relative_to(book.root).as_posix()}: left by an interrupted write" in c.stdout
    book.run("award", "li", "article_special", "--date", "2026-11-20")
    assert not left[0].exists()
    (book.root / CALLER_KEY).unlink()  # a fresh book without pseudonyms may make a new caller key
    book.git("commit", "-qam", "no caller key yet")
    book.run("rekey")                  # ... the director's rekey (an intake no longer makes one: §7, approvals)
    assert not left[1].exists()
    book.run("check")


# ---------------------------------------------------------------- 18. the caller key lost

def test_a_deleted_caller_key_is_never_silently_replaced(book):
    first = book.intake("--contact", "13800000001")
    key_before = (book.root / CALLER_KEY).read_text(encoding="utf-8")
    (book.root / CALLER_KEY).unlink()
    r = book.run("intake", "--no-input", "-q", "--channel", "phone", "--grade", "green", "--role", "party",
                 "--category", "divorce", "--need", "legal", "--summary", "x", "--contact", "13800000001")
    assert "keys/caller-key.age is missing" in r.stderr
    assert not (book.root / CALLER_KEY).exists()            # not replaced by a new key
    c = book.run("check", expect=1)
    assert "keys/caller-key.age: keys/caller-key.age is missing although cases carry caller pseudonyms" in c.stdout
    book.git("checkout", "HEAD", "--", CALLER_KEY.as_posix())
    assert (book.root / CALLER_KEY).read_text(encoding="utf-8") == key_before
    r = book.run("intake", "--no-input", "--channel", "phone", "--grade", "green", "--role", "party",
                 "--category", "divorce", "--need", "legal", "--summary", "x", "--contact", "13800000001")
    assert first in r.stdout  # recognised again once the key is back


# ---------------------------------------------------------------- 20. who left keeps no caller key

def test_removing_a_staff_key_rotates_the_caller_key_and_every_pseudonym(book, tmp_path):
    other = tmp_path / "zhao-identity.txt"
    _, zhao_key = privacy.new_identity(other)
    roster = (book.root / "roster.yaml").read_text(encoding="utf-8")
    zhao_entry = re.search(r"  - id: zhao\n(?:    .*\n)*", roster).group(0)
    with_key = re.sub(r"    key: \S+\n", f"    key: {zhao_key}\n", zhao_entry)
    (book.root / "roster.yaml").write_text(roster.replace(zhao_entry, with_key), encoding="utf-8")
    book.git("commit", "-qam", "zhao gets a key of his own")
    book.run("approve", "--yes")       # a director approves zhao's key (SPEC §7)
    book.run("rekey")
    old_armor = (book.root / CALLER_KEY).read_text(encoding="utf-8")
    zhao = privacy.load_identity(other)
    old_key = privacy.open_caller_key(book.root, zhao)            # what zhao could keep when leaving
    assert old_key is not None
    a = book.intake("--contact", "13900001111")
    (book.root / "roster.yaml").write_text(roster.replace(zhao_entry, re.sub(r"    key: \S+\n", "", zhao_entry)),
                                           encoding="utf-8")  # zhao leaves: his key is removed
    book.git("commit", "-qam", "zhao left")
    book.run("rekey")
    assert (book.root / CALLER_KEY).read_text(encoding="utf-8") != old_armor
    assert "new caller key" in book.git("log", "-1", "--format=%s")
    b = book.intake("--contact", "13900002222")
    for cid, number in ((a, "13900001111"), (b, "13900002222")):
        stored = yaml.safe_load(book.case_file(cid).read_text(encoding="utf-8"))["personal"]["caller"]
        assert stored != privacy.caller_tag(number, old_key)       # the old key links nothing any more
    r = book.run("intake", "--no-input", "--channel", "phone", "--grade", "green", "--role", "party",
                 "--category", "divorce", "--need", "legal", "--summary", "x", "--contact", "13900001111")
    assert a in r.stdout  # the staff still recognise the caller


# ---------------------------------------------------------------- 19, 21. markup and blanking in what is published

HOSTILE = "第一行\n===\n---\n1) 列表\n* 星号\n> 引用\n    代码块\n<b>粗体</b> <img src=x onerror=alert(1)> [链接](http://evil.example) www.evil.example | 表格 |"


def test_typed_text_and_roster_names_cannot_become_markdown_structure(book):
    roster = (book.root / "roster.yaml").read_text(encoding="utf-8")
    roster = roster.replace("name: 王芳", "name: \"王|芳 <b>x</b> [y](http://e.example)\"")
    roster = roster.replace("name: 市法律援助中心", "name: \"法援|中心 <script>s</script>\"")
    (book.root / "roster.yaml").write_text(roster, encoding="utf-8")
    book.git("commit", "-qam", "odd names")
    cid = book.intake("--consent-publish", "--summary", HOSTILE, "--region", "东莞|<i>x</i>", grade="gray")
    book.run("refer", cid, "--to", "legal-aid", "--note", "<script>alert(1)</script>\n# 标题", "--at", "2026-11-20 16:00")
    md = book.run("report", "--month", "2026-11").stdout
    for raw in ("<b>", "<img", "<script", "\n===", "\n---\n1)", "\n1) ", "\n* ", "\n> 引用", "\n    代码块",
                "王|芳", "法援|中心", "www.evil"):
        assert raw not in md, raw
    assert not re.search(r"(?<!\\)\]\(", md)  # no link: every ] is escaped
    tables: list[list[str]] = []  # runs of table lines; every row has its header's columns
    for line, before in zip(md.splitlines(), [""] + md.splitlines()):
        if line.startswith("|"):
            if not before.startswith("|"):
                tables.append([])
            tables[-1].append(line)
    assert len(tables) >= 5 and any("王\\|芳" in "".join(t) for t in tables)  # the odd name sits in a table
    for table in tables:
        columns = {len(re.findall(r"(?<!\\)\|", line)) for line in table}
        assert len(columns) == 1, table


def test_the_referral_form_escapes_what_was_typed(book, tmp_path):
    cid = book.intake("--summary", HOSTILE, "--region", "<img src=x onerror=alert(1)>", grade="gray")
    form = tmp_path / "form.md"
    book.run("refer", cid, "--to", "legal-aid", "--note", "<script>alert(1)</script> [x](javascript:alert(1))",
             "--form", str(form))
    text = form.read_text(encoding="utf-8")
    for raw in ("<script", "<img", "<b>", "\n===", "\n1) "):
        assert raw not in text, raw
    assert not re.search(r"(?<!\\)\]\(", text)


@pytest.mark.parametrize("slip", ["138.1234.5678", "0769/2233/4455", "zhang＠qq.com", "+86 138 1234 5678",
                                  "１３８１２３４５６７８", "微信：zhang_123", "44190019900101123X"])
def test_the_bulletin_blanks_personal_data_slipped_into_a_published_summary(book, slip):
    # intake refuses it (see test_intake_and_notes_refuse_personal_data_without_a_terminal); a slip that
    # arrived by a hand edit or a merge is still blanked where it is published
    cid = book.intake("--consent-publish")
    path = book.case_file(cid)
    path.write_text(path.read_text(encoding="utf-8").replace("summary: 询问起诉程序", f"summary: 来电者留下{slip}，希望回电"),
                    encoding="utf-8")
    for fmt in ("md", "html", "json"):
        out = book.run("report", "--month", "2026-11", "--format", fmt).stdout
        assert slip not in out and "〔已隐去〕" in out


# ---------------------------------------------------------------- 23. the committee flag: still open

def test_a_closed_case_awaiting_its_revisit_is_not_flagged_for_the_committee(book):
    cid = book.intake(grade="red", at="2026-10-12 10:00")
    for day in (13, 14, 15, 16):
        book.run("urge", cid, "--at", f"2026-10-{day} 10:00", user="zhao")
    open_rows = json.loads(book.run("overdue", "--as-of", "2026-10-17 10:00", "--format", "json").stdout)
    assert open_rows and all(r["committee"] for r in open_rows)
    book.run("close", cid, "--outcome", "resolved", "--at", "2026-10-18 10:00")
    rows = json.loads(book.run("overdue", "--as-of", "2026-11-20 10:00", "--format", "json").stdout)
    assert [(r["kind"], r["committee"], r["urges"]) for r in rows] == [("revisit", False, 4)]
    assert "上报委员会" not in book.run("overdue", "--as-of", "2026-11-20 10:00").stdout
    assert "上报委员会" not in book.run("show", cid).stdout
