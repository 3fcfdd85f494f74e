"""Correcting and withdrawing a case; personal data kept out of clear text without a terminal;
full-width input; consoles that cannot show everything."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import yaml

INTAKE = ("intake", "--no-input", "--channel", "phone", "--grade", "green", "--role", "party",
          "--category", "divorce", "--need", "legal")


def commits(book) -> int:
    return int(book.git("rev-list", "--count", "HEAD"))


def data(book, cid):
    return yaml.safe_load(book.case_file(cid).read_text(encoding="utf-8"))


# ---------------------------------------------------------------- personal data in clear text, no terminal

@pytest.mark.parametrize("option, value, kind", [
    ("--summary", "张女士，电话13800001234，询问离婚", "mobile phone number"),
    ("--summary", "她的微信：zhang_123456", "QQ or WeChat"),
    ("--response", "已发邮件到 zhang＠qq.com", "e-mail"),
    ("--region", "东莞 0769-22334455", "landline"),
    ("--summary", "身份证 44190019900101123X", "ID"),
])
def test_intake_refuses_personal_data_in_clear_fields_naming_field_and_kind_not_the_data(book, option, value, kind):
    before = commits(book)
    args = list(INTAKE) + (["--summary", "询问"] if option != "--summary" else []) + [option, value]
    r = book.run(*args, expect=2, env={"HOTLINE_LANG": "en"})
    assert option in r.stderr and kind.lower() in r.stderr.lower()
    for secret in ("13800001234", "zhang_123456", "zhang", "22334455", "44190019900101123X"):
        assert secret not in r.output
    assert len(r.stderr.strip().splitlines()) == 1
    assert commits(book) == before and not list((book.root / "cases").rglob("*.yaml"))


@pytest.mark.parametrize("args", [
    ("followup", "{cid}", "--note", "回电 139-1234-5678"),
    ("followup", "{cid}", "--note", "QQ 123456789", "--no-input"),
    ("refer", "{cid}", "--to", "legal-aid", "--note", "联系人手机 13912345678"),
    ("urge", "{cid}", "--note", "催办，户主 44190019900101123X"),
    ("assign", "{cid}", "--to", "li", "--note", "邮箱 a.b@example.org"),
    ("close", "{cid}", "--outcome", "unresolved", "--reason", "打 13912345678 无人接"),
    ("award", "li", "article_special", "--note", "读者来信 13912345678"),
])
def test_every_note_taking_command_refuses_personal_data_without_a_terminal(book, args):
    cid = book.intake(grade="gray")
    before = commits(book)
    r = book.run(*[a.format(cid=cid) for a in args], expect=2)
    assert "personal data" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert "13912345678" not in r.output and "1234-5678" not in r.output
    assert commits(book) == before


def test_dates_times_ids_and_amounts_in_notes_are_fine(book):
    cid = book.intake(grade="gray")
    book.run("followup", cid, "--note", f"2026年11月20日15:30回电，转介 {cid}，补助 3500 元，3个工作日内反馈")


# ---------------------------------------------------------------- amend

def test_amend_corrects_clear_fields_and_names_old_and_new(book):
    cid = book.intake()
    before = commits(book)
    r = book.run("amend", cid, "--grade", "红色", "--region", "惠州", "--category", "divorce", "--category", "家庭暴力",
                 "--note", "接线时选错", user="li")
    assert "grade" in r.stdout and "region" in r.stdout
    assert commits(book) == before + 1
    assert book.git("log", "-1", "--format=%an|%s") == f"李娜|amend {cid}: grade, categories, region\n"
    d = data(book, cid)
    assert (d["grade"], d["caller"]["region"], d["categories"]) == ("red", "惠州", ["divorce", "domestic_violence"])
    ev = d["events"][-1]
    assert ev["type"] == "amend" and ev["by"] == "li" and ev["note"] == "接线时选错"
    assert ev["changes"] == {"grade": {"old": "green", "new": "red"},
                             "categories": {"old": ["domestic_violence"], "new": ["divorce", "domestic_violence"]},
                             "region": {"old": "东莞", "new": "惠州"}}
    book.run("check")
    assert "更正" in book.run("show", cid, env={"HOTLINE_LANG": "zh-CN"}).stdout


def test_amend_personal_fields_names_them_only_and_encrypts_again(book):
    cid = book.intake("--name", "郑女士", "--contact", "13800000104")
    book.run("amend", cid, "--contact", "13900000999", "--address", "东莞市长安镇某路 1 号")
    text = book.case_file(cid).read_text(encoding="utf-8")
    for secret in ("13900000999", "13800000104", "长安镇某路"):
        assert secret not in text
    assert data(book, cid)["events"][-1]["changes"] == {"contact": {"changed": True}, "address": {"changed": True}}
    shown = book.run("show", cid, "--reveal").stdout
    assert "13900000999" in shown and "郑女士" in shown and "长安镇某路 1 号" in shown
    assert "13900000999" not in book.git("log", "-p")
    # the pseudonym follows the new number: a call from it is recognised
    r = book.run(*INTAKE, "--summary", "再次来电", "--contact", "139 0000 0999")
    assert cid in r.stdout


def test_amend_refuses_what_intake_refuses_and_nothing_to_change(book):
    cid = book.intake()
    before = commits(book)
    for args in (("--grade", "purple"), ("--summary", "电话 13800001234"), ("--region", "东莞")):
        book.run("amend", cid, *args, expect=2)
    book.run("amend", cid, expect=2)
    assert commits(book) == before


# ---------------------------------------------------------------- void

def test_a_void_case_leaves_lists_overdue_bulletin_and_points_but_not_its_file_or_history(book):
    keep = book.intake(at="2026-11-20 10:00")
    gone = book.intake(at="2026-11-20 11:00", user="li")   # green: overdue from 11-20 23:59:59
    book.run("void", gone, "--reason", "重复登记", user="li")
    ids = [r["id"] for r in json.loads(book.run("list", "--format", "json").stdout)]
    assert ids == [keep]
    rows = json.loads(book.run("list", "--include-void", "--format", "json").stdout)
    assert [(r["id"], r["void"]) for r in rows] == [(keep, False), (gone, True)]
    assert gone not in book.run("overdue", "--format", "json").stdout
    report = json.loads(book.run("report", "--month", "2026-11", "--format", "json").stdout)
    assert report["received"] == 1
    score = json.loads(book.run("score", "--month", "2026-11", "--format", "json").stdout)
    assert {p["id"]: p["points"] for p in score["people"]}["li"] == 0      # no −5 for the withdrawn case
    assert book.case_file(gone).exists() and "void" in book.run("history", gone).stdout
    assert "作废" in book.run("show", gone, env={"HOTLINE_LANG": "zh-CN"}).stdout
    book.run("followup", gone, "--note", "x", expect=2)
    book.run("check")
    for env in ({}, {"HOTLINE_NO_INDEX": "1"}):
        assert [r["id"] for r in json.loads(book.run("list", "--format", "json", env=env).stdout)] == [keep]


def test_void_needs_a_reason(book):
    cid = book.intake()
    book.run("void", cid, expect=2)
    book.run("void", cid, "--reason", "  ", expect=2)


# ---------------------------------------------------------------- full-width input

def test_full_width_ids_labels_and_numbers_are_read(book):
    cid = book.intake()
    wide = cid.translate(str.maketrans("0123456789-ABCDEFGHJKMNPQRSTVWXYZ", "０１２３４５６７８９－ＡＢＣＤＥＦＧＨＪＫＭＮＰＱＲＳＴＶＷＸＹＺ"))
    assert cid in book.run("show", wide).stdout
    r = book.run("intake", "--no-input", "-q", "--channel", "ＱＱ", "--grade", "ｇｒｅｅｎ", "--role", "party",
                 "--category", "divorce", "--need", "legal", "--summary", "询问", "--at", "２０２６-１１-２０ １５:３０")
    d = data(book, r.stdout.strip())
    assert (d["channel"], d["grade"], d["received"]) == ("qq", "green", "2026-11-20T15:30:00+08:00")
    book.run("award", "ｌｉ", "article_special", "--count", "２", "--date", "2026-11-20")


# ---------------------------------------------------------------- a console that cannot show everything

@pytest.mark.parametrize("encoding", ["gbk", "ascii", "cp1252"])
def test_no_command_crashes_on_the_consoles_encoding(book, encoding):
    cid = book.intake("--summary", "求助😀，说不出话🙏", "--region", "東莞")
    env = dict(os.environ, HOTLINE_BOOK=str(book.root), HOTLINE_USER="wang", PYTHONIOENCODING=encoding)
    for args in (("show", cid), ("list",), ("report", "--month", "2026-11"), ("list", "--format", "json")):
        p = subprocess.run([sys.executable, "-m", "hotline", *args], env=env, capture_output=True)
        assert p.returncode == 0, p.stderr.decode(encoding, "replace")
        assert b"Traceback" not in p.stderr
