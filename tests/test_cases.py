"""The case lifecycle through the CLI, with real files and real git."""
from __future__ import annotations

import json
import re

import yaml

from hotline.storage import store


def log(book, *fmt):
    return book.git("log", "--format=%an|%ae|%s").strip().splitlines()


def test_intake_writes_one_file_and_one_commit_by_the_actor(book):
    before = len(log(book))
    cid = book.intake("--name", "李某", "--contact", "13800138000", grade="gray", user="li")
    assert re.fullmatch(r"\d{6}-[0-9A-Z]{5}", cid)
    path = book.case_file(cid)
    assert path.exists()
    lines = log(book)
    assert len(lines) == before + 1
    assert lines[0] == f"李娜|li@example.org|intake {cid}: gray, phone"
    assert book.git("show", "--name-only", "--format=", "HEAD").split() == [path.relative_to(book.root).as_posix()]


def test_case_file_is_readable_chinese_with_stable_keys(book):
    cid = book.intake()
    text = book.case_file(cid).read_text(encoding="utf-8")
    assert "询问起诉程序" in text and "\\u" not in text
    keys = list(yaml.safe_load(text))
    assert keys[:5] == ["id", "received", "channel", "grade", "owner"]
    assert keys[-1] == "events"
    assert "received: '2026-11-20T15:00:00+08:00'" in text


def test_multiline_summary_is_a_literal_block(book):
    cid = book.intake("--summary", "第一行\n第二行")
    assert "summary: |-\n  第一行\n  第二行\n" in book.case_file(cid).read_text(encoding="utf-8")


def test_ids_sort_by_intake_time(book):
    a = book.intake(at="2026-11-20 09:00")
    b = book.intake(at="2026-11-20 09:01")
    c = book.intake(at="2026-11-21 08:00")
    assert sorted([c, a, b]) == [a, b, c]


def test_full_lifecycle_one_commit_per_action(book, monkeypatch):
    monkeypatch.setenv("HOTLINE_NOW", "2026-12-01 10:00")  # its writes are dated up to then: no write is in the future
    cid = book.intake(grade="gray")
    book.run("followup", cid, "--note", "已回电", "--at", "2026-11-20 16:00")
    book.run("refer", cid, "--to", "legal-aid", "--note", "转法律援助", "--at", "2026-11-21 10:00")
    book.run("urge", cid, "--at", "2026-11-23 10:00", user="zhao")
    book.run("assign", cid, "--to", "li", "--at", "2026-11-23 11:00")
    book.run("close", cid, "--outcome", "resolved", "--at", "2026-11-25 10:00", user="li")
    book.run("followup", cid, "--note", "回访", "--revisit", "--at", "2026-12-01 10:00", user="li")
    msgs = [line.split("|")[2] for line in log(book)[:7]]
    assert msgs == [
        f"revisit {cid}", f"close {cid}: resolved", f"assign {cid} to li", f"urge {cid} (1)",
        f"refer {cid} to legal-aid", f"followup {cid}", f"intake {cid}: gray, phone",
    ]
    authors = [line.split("|")[0] for line in log(book)[:7]]
    assert authors == ["李娜", "李娜", "王芳", "赵强", "王芳", "王芳", "王芳"]
    case = store.Store(book.root).get(cid)
    assert case.status() == "closed" and case.current_owner() == "li"
    assert [e.type for e in case.events] == ["intake", "followup", "refer", "urge", "assign", "close", "revisit"]
    book.run("check")


def test_status_is_derived(book):
    cid = book.intake()
    rows = json.loads(book.run("list", "--format", "json").stdout)
    assert rows[0]["status"] == "open"
    book.run("refer", cid, "--to", "legal-aid", "--at", "2026-11-20 16:00")
    assert json.loads(book.run("list", "--format", "json").stdout)[0]["status"] == "referred"
    book.run("close", cid, "--outcome", "resolved", "--at", "2026-11-21 16:00")
    assert json.loads(book.run("list", "--format", "json").stdout)[0]["status"] == "closed"


def test_prefix_and_lowercase_ids_are_accepted(book):
    cid = book.intake()
    out = book.run("show", cid[:9].lower()).stdout
    assert cid in out


def test_ambiguous_prefix_is_refused(book):
    book.intake(at="2026-11-20 09:00")
    book.intake(at="2026-11-20 10:00")
    r = book.run("show", "261120", expect=2)
    assert "ambiguous" in r.output


def test_unknown_case_exits_2(book):
    r = book.run("show", "261120-ZZZZZ", expect=2)
    assert "no case" in r.output


def test_close_unresolved_needs_reason(book):
    cid = book.intake()
    r = book.run("close", cid, "--outcome", "unresolved", expect=2)
    assert "--reason" in r.output
    before = book.case_file(cid).read_text(encoding="utf-8")
    book.run("close", cid, "--outcome", "unresolved", "--reason", "来电者失联", "--at", "2026-11-21 10:00")
    assert book.case_file(cid).read_text(encoding="utf-8") != before


def test_closed_case_refuses_more_work_but_takes_a_revisit(book, monkeypatch):
    monkeypatch.setenv("HOTLINE_NOW", "2026-12-20 10:00")  # its writes are dated up to then: no write is in the future
    cid = book.intake()
    book.run("close", cid, "--outcome", "resolved", "--at", "2026-11-20 16:00")
    assert "closed" in book.run("refer", cid, "--to", "legal-aid", expect=2).output
    assert "--revisit" in book.run("followup", cid, "--note", "x", expect=2).output
    book.run("followup", cid, "--note", "回访", "--revisit", "--at", "2026-12-20 10:00")


def test_event_before_the_last_one_is_refused(book):
    cid = book.intake(at="2026-11-20 15:00")
    r = book.run("followup", cid, "--note", "x", "--at", "2026-11-19 10:00", expect=2)
    assert "before the case's last event" in r.output


def test_list_filters_and_formats(book):
    a = book.intake(at="2026-10-20 15:00")
    b = book.intake(at="2026-11-20 15:00", user="li")
    book.run("close", a, "--outcome", "resolved", "--at", "2026-10-20 16:00")
    ids = lambda *a: [r["id"] for r in json.loads(book.run("list", "--format", "json", *a).stdout)]
    assert ids() == [a, b]
    assert ids("--status", "closed") == [a]
    assert ids("--month", "2026-11") == [b]
    assert ids("--owner", "li") == [b]
    csv = book.run("list", "--format", "csv").stdout.lstrip("\ufeff").splitlines()  # headers people read, labels beside ids
    assert csv[0].startswith("case,received,status code,status,grade code,grade,owner id,owner")
    assert csv[1].startswith(f"{a},2026-10-20 15:00,closed,closed,green,绿色,wang,王芳,phone,电话")
    zh = book.run("list", "--format", "csv", env={"HOTLINE_LANG": "zh-CN"}).stdout.lstrip("\ufeff").splitlines()
    assert zh[0].startswith("个案编号,受理时间,状态代码,状态,分级代码,分级") and zh[1].split(",")[3] == "已结案"
    table = book.run("list").stdout
    assert "绿色" in table and a in table
    assert book.run("list", "--status", "done", expect=2).output.count("open") == 1
    assert "--format" in book.run("list", "--format", "xml", expect=2).output


def test_history_shows_the_audit_trail(book):
    cid = book.intake()
    book.run("followup", cid, "--note", "x", "--at", "2026-11-20 16:00")
    out = book.run("history", cid).stdout.splitlines()
    assert len(out) == 2
    assert f"intake {cid}" in out[0] and "王芳 <wang@example.org>" in out[0]
    assert f"followup {cid}" in out[1]


def test_owner_defaults_to_actor_and_can_be_given(book):
    a = book.intake(user="li")
    b = book.intake("--owner", "chen", user="li")
    rows = {r["id"]: r["owner"] for r in json.loads(book.run("list", "--format", "json").stdout)}
    assert rows == {a: "li", b: "chen"}
    assert "unknown --owner 'nobody'" in book.run("intake", "--no-input", "--owner", "nobody", expect=2).output


def test_labels_are_accepted_as_input(book):
    r = book.run("intake", "--no-input", "-q", "--channel", "微信", "--grade", "红色", "--role", "旁观者",
                 "--category", "性骚扰", "--need", "情绪疏导", "--summary", "同事被骚扰", "--at", "2026-11-20 10:00")
    case = store.Store(book.root).get(r.stdout.strip().splitlines()[-1])
    assert (case.channel, case.grade, case.role, case.categories, case.needs) == (
        "wechat", "red", "bystander", ["sexual_harassment"], ["emotional_support"])


def test_missing_fields_without_a_terminal_list_every_one_and_write_nothing(book):
    before = book.git("rev-parse", "HEAD")
    r = book.run("intake", "--no-input", "--summary", "x", expect=2)
    for opt in ("--channel", "--grade", "--role", "--category", "--need"):
        assert opt in r.output
    assert "--summary" not in r.output.split("missing intake fields:")[1].split("(")[0]
    assert book.git("rev-parse", "HEAD") == before
    assert not list((book.root / "cases").rglob("*.yaml"))


def test_bad_vocabulary_names_value_and_choices(book):
    r = book.run("intake", "--no-input", "--channel", "phone", "--grade", "purple", "--role", "survivor",
                 "--category", "divorce", "--need", "legal", "--summary", "x", expect=2)
    assert "purple" in r.output and "green" in r.output and "Traceback" not in r.output


def test_prompts_on_a_terminal_with_numbers_and_labels(book):
    # answers in the line's order: channel 2 (wechat), need legal, grade 绿色, categories "1,3", role 1,
    # gender skip, age group 3, region, occupation skip, summary (a long text ends with an empty line),
    # response skip, name, contact, address, notes skip, consent skip; then Enter saves the reviewed form
    answers = "2\nlegal\n绿色\n1,3\n1\n\n3\n惠州\n\n认识不久的男士忽冷忽热\n\n\n\n\n\n\n\n\n"
    r = book.run("intake", "--at", "2026-11-20 11:00", input=answers, env={"HOTLINE_INTERACTIVE": "1"})
    assert "Registered" in r.stdout
    case = store.Store(book.root).all()[0]
    assert case.channel == "wechat" and case.grade == "green"
    assert case.categories == ["employment_discrimination", "female_worker_protection"]
    assert case.gender == "unknown" and case.age_group == "youth" and case.region == "惠州"


def test_prompt_repeats_a_bad_answer(book):
    answers = "99\nphone\nlegal\ngreen\ndivorce\nsurvivor\n\n\n\n\n离婚咨询\n\n\n\n\n\n\n\n\n"
    r = book.run("intake", "--at", "2026-11-20 11:00", input=answers, env={"HOTLINE_INTERACTIVE": "1"})
    assert "unknown channel" in r.output
    assert store.Store(book.root).all()[0].channel == "phone"


def test_no_acting_person_is_a_clear_error(book):
    r = book.run("intake", "--no-input", user=None, env={"GIT_CONFIG_GLOBAL": "/dev/null"}, expect=2)
    assert "who is acting" in r.output


def test_acting_person_from_git_email(book):
    r = book.run("intake", "--no-input", "-q", "--channel", "phone", "--grade", "green", "--role", "party",
                 "--category", "divorce", "--need", "legal", "--summary", "x", user=None)
    cid = r.stdout.strip()
    assert store.Store(book.root).get(cid).owner == "wang"


def test_red_case_is_escalated_to_the_director(book):
    r = book.run("intake", "--no-input", "--channel", "phone", "--grade", "red", "--role", "survivor",
                 "--category", "domestic_violence", "--need", "crisis", "--summary", "正在被打", "--at", "2026-11-20 15:00",
                 user="li")
    assert "RED CASE" in r.output and "王芳" in r.output and "13900000001" in r.output
    case = store.Store(book.root).all()[0]
    assert [e.type for e in case.events] == ["intake", "escalate"]
    assert case.events[1].to == ["wang"]
    assert "escalated to wang" in book.git("log", "-1", "--format=%s")


def test_referral_form_has_no_contact_unless_asked(book, tmp_path):
    cid = book.intake("--name", "李某", "--contact", "13800138000", grade="gray")
    form = tmp_path / "form.md"
    book.run("refer", cid, "--to", "legal-aid", "--form", str(form), "--at", "2026-11-21 10:00")
    text = form.read_text(encoding="utf-8")
    assert "市法律援助中心" in text and cid in text and "2026-12-01" in text
    assert "13800138000" not in text and "李某" not in text
    form2 = tmp_path / "form2.md"
    book.run("refer", cid, "--to", "counselling", "--form", str(form2), "--include-contact", "--at", "2026-11-22 10:00")
    assert "13800138000" in form2.read_text(encoding="utf-8")
    assert store.Store(book.root).get(cid).events[-1].contact_shared is True


def test_failed_commit_keeps_the_file_and_says_how_to_recover(book):
    hook = book.root / ".git" / "hooks"
    # make git refuse: its object store is gone for this command (like a full or broken disk)
    r = book.run("intake", "--no-input", "--channel", "phone", "--grade", "green", "--role", "party",
                 "--category", "divorce", "--need", "legal", "--summary", "x", "--at", "2026-11-20 15:00", expect=1,
                 env={"GIT_OBJECT_DIRECTORY": str(book.root / "no-such-objects")})
    assert "git add" in r.output and "git commit" in r.output
    files = list((book.root / "cases").rglob("*.yaml"))
    assert len(files) == 1
    assert hook.exists()


def test_init_refuses_an_existing_book(book):
    r = book.runner.invoke(__import__("hotline.cli").cli.app, ["init", str(book.root)])
    assert r.exit_code == 2 and "already" in r.output
