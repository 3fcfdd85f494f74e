"""Safety around a call (issue #16): the crisis level and whom a high-risk call is reported to,
repeated threats, the mandatory report, the caller's file, `show --format json`, and what the
bulletin says of them.  Every expectation is worked out by hand in the comments.

Calendar facts: Fri 2026-11-20 is a working day (service 10:00-17:00); Sat 11-21 and Sun 11-22
are other days (14:00-17:00) unless a test sets the 12355 hours.  The default rota starts Mon
2026-01-05 with the roster's groups g1, g2: Mon 11-16 is 315 days = 45 weeks later (odd: g2,
leader zhao), Mon 11-23 is 46 weeks later (g1, leader wang).
"""
from __future__ import annotations

import re

import json
import os
import sys

import pytest
import yaml

from test_duty import TWELVE355_HOURS, set_rules


def commits(book) -> int:
    return int(book.git("rev-list", "--count", "HEAD"))


def case_data(book, cid: str) -> dict:
    return yaml.safe_load(book.case_file(cid).read_text(encoding="utf-8"))


def intake(book, *args: str, at: str, user: str = "wang"):
    r = book.run("intake", "--no-input", "--channel", "phone", "--need", "help", "--summary", "来电求助",
                 "--at", at, *args, user=user)
    cid = next(line.split()[1].rstrip(":") for line in r.stdout.splitlines() if line.startswith("Registered"))
    return cid, r


# ---------------------------------------------------------------- crisis level

def test_a_high_risk_intake_on_a_saturday_evening_names_that_weeks_duty_leader(book):
    roster = book.root / "roster.yaml"
    roster.write_text(roster.read_text(encoding="utf-8").replace("roles: [leader]\n",
                                                                 'roles: [leader]\n    phone: "13900000003"\n'),
                      encoding="utf-8")
    book.git("commit", "-qam", "zhao's phone")
    set_rules(book, 'service_hours:\n  working_day: ["10:00-17:00"]\n  other_day: ["14:00-17:00"]\n', TWELVE355_HOURS)
    before = commits(book)
    # Sat 2026-11-21 20:00: the week of Mon 11-16, g2's, whose leader is zhao; the director is wang
    cid, r = intake(book, "--grade", "red", "--risk", "高", "--role", "party", "--category", "self_harm_suicide",
                    "--age-group", "youth", at="2026-11-21 20:00", user="li")
    assert "HIGH RISK" in r.stderr and "crisis level 高" in r.stderr
    assert "王芳 (wang) director 13900000001" in r.stderr
    assert "赵强 (zhao) duty leader, 二组 13900000003" in r.stderr
    assert "110 公安报警 · 120 医疗急救" in r.stderr
    d = case_data(book, cid)
    assert d["risk"] == "high"
    assert re.fullmatch(r"[0-9A-Z]{8}", d["events"][1].pop("id"))  # every event has its stable id
    assert d["events"][1] == {"at": "2026-11-21T20:00:00+08:00", "type": "escalate", "by": "li", "to": ["wang", "zhao"],
                              "reason": "high_risk", "note": "high crisis level, reported to the director and the duty leader"}
    assert commits(book) == before + 1
    assert book.git("log", "-1", "--format=%s").strip() == f"intake {cid}: red, phone; escalated to wang, zhao (high risk)"
    card = json.loads(book.run("show", cid, "--format", "json").stdout)
    assert (card["risk"], card["risk_label"]) == ("high", "高")
    assert [p["id"] for p in card["events"][1]["to"]] == ["wang", "zhao"]
    # the same call on Monday 11-23 (g1's week): the duty leader is the director herself, named once
    cid, r = intake(book, "--grade", "red", "--risk", "high", "--role", "party", "--category", "emotion",
                    at="2026-11-23 10:00")
    assert case_data(book, cid)["events"][1]["to"] == ["wang"]


def test_a_red_case_without_a_level_is_recorded_not_assessed(book):
    cid, r = intake(book, "--grade", "red", "--role", "survivor", "--category", "emotion", at="2026-11-20 15:00")
    d = case_data(book, cid)
    assert "risk" not in d and d["events"][1]["note"] == "red case, reported to the director" and "reason" not in d["events"][1]
    assert "not assessed" in r.stderr and f"hotline amend {cid} --risk LEVEL" in r.stderr
    card = json.loads(book.run("show", cid, "--format", "json").stdout)
    assert card["risk"] is None and card["risk_label"] == "not assessed"
    # a medium level: assessed, not escalated beyond the director of a red case
    cid, r = intake(book, "--grade", "red", "--risk", "medium", "--role", "survivor", "--category", "emotion",
                    at="2026-11-20 16:00")
    assert "HIGH RISK" not in r.stderr and case_data(book, cid)["events"][1]["to"] == ["wang"]
    book.run("amend", cid, "--risk", "low")
    assert case_data(book, cid)["risk"] == "low"
    r = book.run("intake", "--no-input", "--channel", "phone", "--grade", "red", "--risk", "extreme", "--role",
                 "survivor", "--category", "emotion", "--need", "help", "--summary", "x", expect=2)
    assert "unknown --risk 'extreme'" in r.stderr and "high (高)" in r.stderr


# ---------------------------------------------------------------- repeated threats

def threat(book, contact: str, at: str):
    return intake(book, "--grade", "green", "--role", "other", "--category", "threat", "--contact", contact, at=at)


def test_a_second_threat_from_the_same_number_is_flagged(book):
    a, r = threat(book, "13800001234", "2026-11-20 15:00")
    assert "REPEATED THREATS" not in r.stderr and len(case_data(book, a)["events"]) == 1
    # Sun 11-22 16:00, before the 17:00 close: the threat report is due that day, 23:59:59
    b, r = threat(book, "138 0000 1234", "2026-11-22 16:00")
    assert "REPEATED THREATS" in r.stderr and f"({a}, {b})" in r.stderr and "徐青 (xu)" in r.stderr
    escalation = case_data(book, b)["events"][1]
    assert re.fullmatch(r"[0-9A-Z]{8}", escalation.pop("id"))
    assert escalation == {"at": "2026-11-22T16:00:00+08:00", "type": "escalate", "by": "wang",
                          "to": ["xu"], "reason": "repeated_threats",
                          "note": "repeated threats: report to the secretary and the police"}
    rows = json.loads(book.run("overdue", "--as-of", "2026-11-23 10:00", "--format", "json").stdout)
    assert [(r["case"], r["due"], r["overdue"]) for r in rows if r["kind"] == "threat_report"] == [
        (b, "2026-11-22T23:59:59+08:00", True)]
    assert "report to the secretary and the police" in book.run("overdue", "--as-of", "2026-11-23 10:00").stdout
    file = json.loads(book.run("caller", b, "--format", "json").stdout)
    assert ([c["id"] for c in file["cases"]], file["threats"], file["flagged"]) == ([a, b], 2, True)
    report = json.loads(book.run("report", "--month", "2026-11", "--format", "json").stdout)
    assert report["threat_callers"] == [{"cases": [a, b], "reported": False}]
    before = commits(book)
    r = book.run("close", b, "--outcome", "resolved", expect=2)
    assert "must first be reported to the police" in r.stderr and commits(book) == before
    book.run("followup", b, "--reported-police", "--note", "秘书已报警", "--at", "2026-11-23 11:00", user="xu")
    rows = json.loads(book.run("overdue", "--as-of", "2026-11-23 12:00", "--format", "json").stdout)
    assert [r for r in rows if r["kind"] == "threat_report"] == []
    report = json.loads(book.run("report", "--month", "2026-11", "--format", "json").stdout)
    assert report["threat_callers"] == [{"cases": [a, b], "reported": True}]
    for text in (json.dumps(file), json.dumps(report), book.run("report", "--month", "2026-11").stdout):
        assert "1234" not in text


# ---------------------------------------------------------------- the mandatory report

def test_a_mandatory_report_clock_overdue_and_then_stopped(book):
    # Fri 11-20 15:00, a teen beaten at home: reported the same service day, by 23:59:59
    cid, r = intake(book, "--grade", "green", "--role", "survivor", "--category", "domestic_violence",
                    "--age-group", "teen", at="2026-11-20 15:00")
    assert "deadline mandatory report to the police: 2026-11-20 23:59" in r.stdout and "MANDATORY REPORT" in r.stderr
    rows = json.loads(book.run("overdue", "--as-of", "2026-11-21 10:00", "--format", "json").stdout)
    assert [(r["case"], r["due"], r["overdue"]) for r in rows if r["kind"] == "mandatory_report"] == [
        (cid, "2026-11-20T23:59:59+08:00", True)]
    before = commits(book)
    book.run("close", cid, "--outcome", "resolved", "--at", "2026-11-21 10:30", expect=2)
    assert commits(book) == before
    r = book.run("followup", cid, "--reported-police", "--note", "已向派出所报案", "--at", "2026-11-21 11:00")
    assert "reported to the police" in r.stdout
    assert book.git("log", "-1", "--format=%s").strip() == f"followup {cid} (reported to the police)"
    rows = json.loads(book.run("overdue", "--as-of", "2026-11-21 12:00", "--format", "json").stdout)
    assert [r for r in rows if r["kind"] == "mandatory_report"] == []
    card = json.loads(book.run("show", cid, "--format", "json").stdout)
    assert [(k["kind"], k["state"]) for k in card["deadlines"] if k["kind"] == "mandatory_report"] == [
        ("mandatory_report", "late")]
    assert card["events"][-1]["reported_police"] is True
    assert case_data(book, cid)["events"][-1]["reported_police"] is True
    book.run("close", cid, "--outcome", "resolved", "--at", "2026-11-21 11:30")
    m = json.loads(book.run("report", "--month", "2026-11", "--format", "json").stdout)["mandatory_reports"]
    assert (m["count"], m["made"], m["on_time"], m["late"], m["overdue"]) == (1, 1, 0, 1, 0)


def test_who_the_mandatory_report_concerns_and_switching_it_off(book):
    # an adult relative calling about a child: the victim's age decides
    child, _r = intake(book, "--grade", "gray", "--role", "relative", "--category", "domestic_violence",
                       "--age-group", "adult", "--victim-age-group", "child", at="2026-11-20 10:00")
    adult, _r = intake(book, "--grade", "gray", "--role", "survivor", "--category", "domestic_violence",
                       "--age-group", "youth", at="2026-11-20 10:10")
    abuse, _r = intake(book, "--grade", "red", "--role", "survivor", "--category", "性侵害", "--age-group", "child",
                       at="2026-11-20 10:20")

    def kinds(cid):
        return [k["kind"] for k in json.loads(book.run("show", cid, "--format", "json").stdout)["deadlines"]]

    assert "mandatory_report" in kinds(child) and "mandatory_report" not in kinds(adult)
    assert "mandatory_report" in kinds(abuse)
    assert case_data(book, child)["victim_age_group"] == "child" and "victim_age_group" not in case_data(book, adult)
    set_rules(book, "mandatory_report:\n  enabled: true\n", "mandatory_report:\n  enabled: false\n")
    assert "mandatory_report" not in kinds(child)
    book.run("close", child, "--outcome", "resolved")


# ---------------------------------------------------------------- the caller's file

def test_a_callers_file_of_three_cases(book):
    a, _r = intake(book, "--grade", "green", "--role", "party", "--category", "divorce", "--contact", "13800005678",
                   at="2026-11-02 10:00")
    b, _r = intake(book, "--grade", "gray", "--role", "party", "--category", "threat", "--contact",
                   "+86 138 0000 5678", at="2026-11-10 10:00")
    c, _r = intake(book, "--grade", "red", "--risk", "low", "--role", "party", "--category", "emotion",
                   "--contact", "138-0000-5678", at="2026-11-20 10:00")
    intake(book, "--grade", "green", "--role", "party", "--category", "emotion", "--contact", "13900009999",
           at="2026-11-05 10:00")
    book.run("close", a, "--outcome", "resolved", "--at", "2026-11-02 12:00")
    out = book.run("caller", c, "--format", "json").stdout
    file = json.loads(out)
    assert [(x["id"], x["received"], x["grade"], x["status"], x["categories"]) for x in file["cases"]] == [
        (a, "2026-11-02T10:00:00+08:00", "green", "closed", ["divorce"]),
        (b, "2026-11-10T10:00:00+08:00", "gray", "open", ["threat"]),
        (c, "2026-11-20T10:00:00+08:00", "red", "open", ["emotion"])]
    assert (file["threats"], file["flagged"]) == (1, False)
    assert "5678" not in out
    assert json.loads(book.run("caller", "--contact", "13800005678", "--format", "json").stdout) == file
    assert "3 case(s), 1 threat(s)." in book.run("caller", a).stdout
    plain, _r = intake(book, "--grade", "green", "--role", "party", "--category", "emotion", at="2026-11-20 11:00")
    r = book.run("caller", plain, expect=2)
    assert "no contact recorded" in r.stderr
    r = book.run("caller", "--contact", "13800005678", env={"HOTLINE_IDENTITY": str(book.root.parent / "none.txt")},
                 expect=2)
    assert "needs a staff key" in r.stderr


# ---------------------------------------------------------------- show --format json

def test_show_json_has_no_personal_data_unless_revealed(book):
    cid = book.intake("--name", "郑女士", "--contact", "13800000104", grade="gray")
    text = book.run("show", cid, "--format", "json").stdout
    card = json.loads(text)
    assert "郑女士" not in text and "13800000104" not in text and "personal_data" not in card
    assert card["personal"] == {"recipients": 2} and card["grade"] == "gray" and card["caller"]["region"] == "东莞"
    assert [k["kind"] for k in card["deadlines"]] == ["close", "refer"]
    revealed = json.loads(book.run("show", cid, "--reveal", "--format", "json").stdout)
    assert revealed["personal_data"] == {"name": "郑女士", "contact": "13800000104"}


# ---------------------------------------------------------------- the bulletin

def test_the_bulletin_counts_crisis_levels_and_names_the_months_duty_groups(book):
    intake(book, "--grade", "red", "--risk", "high", "--role", "party", "--category", "emotion", at="2026-11-20 10:00")
    intake(book, "--grade", "red", "--role", "party", "--category", "emotion", at="2026-11-20 11:00")
    intake(book, "--grade", "red", "--risk", "low", "--role", "party", "--category", "emotion", at="2026-11-20 12:00")
    intake(book, "--grade", "green", "--role", "party", "--category", "emotion", at="2026-11-20 13:00")
    d = json.loads(book.run("report", "--month", "2026-11", "--format", "json").stdout)
    assert d["crisis_levels"]["by_level"] == {"low": 1, "medium": 0, "high": 1, "unassessed": 1}
    assert len(d["crisis_levels"]["escalated_cases"]) == 1
    # the weeks touching November: Mon 10-26 is 294 days = 42 weeks after 01-05 (g1), then in turn
    assert [(w["week"], w["group"]["id"], w["leader"]["id"]) for w in d["duty_weeks"]] == [
        ("2026-W44", "g1", "wang"), ("2026-W45", "g2", "zhao"), ("2026-W46", "g1", "wang"),
        ("2026-W47", "g2", "zhao"), ("2026-W48", "g1", "wang"), ("2026-W49", "g2", "zhao")]
    md = book.run("report", "--month", "2026-11", env={"HOTLINE_LANG": "zh-CN"}).stdout
    assert "十二、危机评估、威胁来电与强制报告" in md and "| 2026-W47 | 11-16至11-22 | 二组 | 赵强 |" in md
    assert "十三、本月值班" in book.run("report", "--month", "2026-11", "--format", "html", env={"HOTLINE_LANG": "zh-CN"}).stdout


# ---------------------------------------------------------------- the form on a terminal

ENTER = "\r"


@pytest.mark.skipif(os.name == "nt", reason="pexpect needs a POSIX pseudo-terminal")
def test_the_form_asks_the_crisis_level_of_a_red_case_and_the_victims_age(book):
    pexpect = pytest.importorskip("pexpect")
    env = dict(os.environ, HOTLINE_BOOK=str(book.root), HOTLINE_USER="wang", HOTLINE_LANG="en",
               PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm-256color")
    p = pexpect.spawn(sys.executable, ["-m", "hotline", "intake"], env=env, encoding="utf-8", dimensions=(40, 120),
                      timeout=20)
    for prompt, keys in (("Channel", "phone"), ("Needs", "help"), ("Grade", "red"), ("Crisis level", "高"),
                         ("Problem categories", "domestic_violence"), ("role", "relative"), ("Gender", "female"),
                         ("Age group", "adult"), ("person harmed", "child"), ("Region", "东莞"), ("Occupation", ""),
                         ("Summary", "孩子被打"), ("Response", ""), ("name", ""), ("Contact", ""), ("Address", ""),
                         ("notes", ""), ("published", "")):
        p.expect_exact(prompt)
        p.send(keys + ENTER)
    p.expect_exact("Crisis level: 高")
    p.expect_exact("save")
    p.send(ENTER)
    p.expect(pexpect.EOF)
    p.close()
    assert p.exitstatus == 0
    d = yaml.safe_load(next((book.root / "cases").rglob("*.yaml")).read_text(encoding="utf-8"))
    assert (d["risk"], d["victim_age_group"], d["caller"]["age_group"]) == ("high", "child", "adult")


def test_a_broken_rota_never_stops_a_high_risk_intake(book):
    set_rules(book, "  swaps: {}\n", "  swaps:\n    2026-W47: g9\n")
    cid, r = intake(book, "--grade", "red", "--risk", "high", "--role", "party", "--category", "emotion",
                    at="2026-11-21 20:00")
    assert "duty rota cannot be read" in r.stderr and "unknown group 'g9'" in r.stderr
    assert case_data(book, cid)["events"][1]["to"] == ["wang"]  # the director is still told


def test_check_names_an_unknown_crisis_level_with_its_line(book):
    cid, _r = intake(book, "--grade", "red", "--risk", "low", "--role", "party", "--category", "emotion",
                     at="2026-11-20 10:00")
    path = book.case_file(cid)
    text = path.read_text(encoding="utf-8").replace("risk: low", "risk: extreme")
    path.write_text(text, encoding="utf-8")
    book.git("commit", "-qam", "hand edit")
    line = text.splitlines().index("risk: extreme") + 1
    r = book.run("check", expect=1)
    assert f"{cid}.yaml:{line}: unknown crisis level 'extreme'; allowed: low, medium, high" in r.stdout
