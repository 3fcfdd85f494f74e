"""A volunteer on a live call: the interactive intake in a real pseudo-terminal (pexpect).

Each test types as a person would — a paste, a typo, Chinese edited with backspace, Ctrl-C —
and then reads the case file and git to see what was (or was not) written.
"""
from __future__ import annotations

import os
import sys

import pytest
import yaml

pexpect = pytest.importorskip("pexpect")
pytestmark = pytest.mark.skipif(os.name == "nt", reason="pexpect needs a POSIX pseudo-terminal")

PASTE_START, PASTE_END = "\x1b[200~", "\x1b[201~"
ENTER, ALT_ENTER, CTRL_C, BACKSPACE = "\r", "\x1b\r", "\x03", "\x7f"


class Volunteer:
    """`hotline intake` on a pseudo-terminal of 120×40, English prompts."""

    def __init__(self, book, *args):
        env = dict(os.environ, HOTLINE_BOOK=str(book.root), HOTLINE_USER="wang", HOTLINE_LANG="en",
                   PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm-256color")
        self.p = pexpect.spawn(sys.executable, ["-m", "hotline", "intake", *args], env=env, encoding="utf-8",
                               dimensions=(40, 120), timeout=20)

    def answer(self, prompt: str, keys: str) -> None:
        self.p.expect_exact(prompt)
        self.p.send(keys)

    def answers(self, *pairs) -> None:
        for prompt, keys in pairs:
            self.answer(prompt, keys)

    def finish(self) -> int:
        self.p.expect(pexpect.EOF)
        self.p.close()
        return self.p.exitstatus


FRONT = (("Channel", "phone" + ENTER), ("Needs", "legal" + ENTER), ("Grade", "gray" + ENTER),
         ("Problem categories", "jb" + ENTER), ("role", "1" + ENTER), ("Gender", "female" + ENTER),
         ("Age group", "youth" + ENTER), ("Region", "东莞" + ENTER), ("Occupation", ENTER))
BACK = (("Response", ENTER), ("name", ENTER), ("Contact", ENTER), ("Address", ENTER), ("notes", ENTER),
        ("published", ENTER))


def only_case(book):
    files = list((book.root / "cases").rglob("*.yaml"))
    assert len(files) == 1
    return yaml.safe_load(files[0].read_text(encoding="utf-8"))


def commits(book) -> int:
    return int(book.git("rev-list", "--count", "HEAD"))


def test_a_pasted_wechat_message_stays_in_the_summary(book):
    v = Volunteer(book)
    v.answers(*FRONT)
    v.answer("Summary", PASTE_START + "被公公殴打并赶出家门\n丈夫与他人生子\n想知道能否起诉" + PASTE_END + ENTER)
    v.answers(*BACK, ("save", ENTER))
    assert v.finish() == 0
    case = only_case(book)
    assert case["summary"] == "被公公殴打并赶出家门\n丈夫与他人生子\n想知道能否起诉"
    assert case["categories"] == ["domestic_violence"] and case["grade"] == "gray"
    assert "personal" not in case   # no line of the paste became a name or a contact


def test_a_wrong_answer_is_asked_again_and_the_others_are_kept(book):
    v = Volunteer(book)
    v.answer("Channel", "telegram" + ENTER)
    v.p.expect_exact("unknown channel 'telegram'")
    v.p.send("\x15" + "wx" + ENTER)                   # Ctrl-U clears the line; wx → 微信 (wechat)
    v.answers(*FRONT[1:])
    v.answer("Summary", "询问离婚程序" + ENTER)
    v.answers(*BACK, ("save", ENTER))
    assert v.finish() == 0
    case = only_case(book)
    assert (case["channel"], case["needs"], case["caller"]["region"]) == ("wechat", ["legal"], "东莞")


def test_chinese_edited_with_backspace_is_saved_as_the_screen_showed_it(book):
    v = Volunteer(book)
    v.answers(*FRONT)
    v.answer("Summary", "询问起诉程序" + BACKSPACE * 4 + "离婚" + ENTER)   # 询问起诉程序 → 询问离婚
    v.answers(*BACK)
    v.p.expect_exact("Summary: 询问离婚")
    v.answer("save", ENTER)
    assert v.finish() == 0
    assert only_case(book)["summary"] == "询问离婚"


def test_ctrl_c_then_discard_writes_and_commits_nothing(book):
    before = commits(book)
    v = Volunteer(book)
    v.answers(*FRONT)
    v.answer("Summary", "正在说的话")
    v.p.send(CTRL_C)
    v.answer("Discard this form", "n" + ENTER)        # no: back to the same question, the answers kept
    v.p.send(CTRL_C)
    v.answer("Discard this form", "y" + ENTER)
    assert v.finish() == 1
    assert not list((book.root / "cases").rglob("*.yaml"))
    assert commits(book) == before and book.git("status", "--porcelain") == ""
    leftovers = [p for p in book.root.rglob("*") if p.is_file() and ".git" not in p.parts and "正在说的话" in
                 p.read_text(encoding="utf-8", errors="replace")]
    assert leftovers == []  # no clear-text draft anywhere


def test_the_review_screen_changes_one_field(book):
    v = Volunteer(book)
    v.answers(*FRONT)
    v.answer("Summary", "询问抚养权" + ENTER)
    v.answers(*BACK)
    v.answer("save", "3" + ENTER)                      # 3: the grade
    v.answer("Grade", "red" + ENTER)
    v.p.expect_exact("Grade: 红色")
    v.answer("save", ENTER)
    assert v.finish() == 0
    case = only_case(book)
    assert case["grade"] == "red" and case["summary"] == "询问抚养权" and case["channel"] == "phone"


def test_a_phone_number_typed_into_the_summary_is_caught_and_moved_to_the_contact(book):
    v = Volunteer(book)
    v.answers(*FRONT)
    v.answer("Summary", "张女士来电，电话 138 0000 1234，询问起诉" + ENTER)
    v.p.expect_exact("mobile phone number")
    v.answer("move it to the encrypted", "1" + ENTER)
    v.answers(("Response", ENTER), ("name", ENTER))
    v.p.expect_exact("138 0000 1234")                  # the contact prompt holds what was moved
    v.p.send(ENTER)
    v.answers(("Address", ENTER), ("notes", ENTER), ("published", ENTER))
    v.p.expect_exact("Contact: 138")
    v.answer("save", ENTER)
    assert v.finish() == 0
    text = next((book.root / "cases").rglob("*.yaml")).read_text(encoding="utf-8")
    case = yaml.safe_load(text)
    clear = yaml.safe_dump({k: v for k, v in case.items() if k != "personal"}, allow_unicode=True)
    assert "1234" not in clear and "138" not in clear    # (the armor and the random pseudonym may hold any digits)
    assert case["summary"] == "张女士来电，电话，询问起诉" and case["personal"]["caller"]
    log = book.git("log", "-p", "--format=%s")
    assert "0000 1234" not in log


def test_a_multiline_response_with_alt_enter(book):
    v = Volunteer(book)
    v.answers(*FRONT)
    v.answer("Summary", "询问" + ENTER)
    v.answer("Response", "安抚情绪" + ALT_ENTER + "告知可申请保护令" + ENTER)
    v.answers(*BACK[1:], ("save", ENTER))
    assert v.finish() == 0
    assert only_case(book)["response"] == "安抚情绪\n告知可申请保护令"


def test_a_note_with_a_number_on_a_terminal_is_sifted(book, monkeypatch):
    cid = book.intake("--name", "郑女士", grade="gray")
    env = dict(os.environ, HOTLINE_BOOK=str(book.root), HOTLINE_USER="wang", HOTLINE_LANG="en",
               PROMPT_TOOLKIT_NO_CPR="1")
    p = pexpect.spawn(sys.executable, ["-m", "hotline", "followup", cid, "--note", "已回电，她的新号码 13912345678"],
                      env=env, encoding="utf-8", dimensions=(40, 120), timeout=20)
    p.expect_exact("mobile phone number")
    p.expect_exact("move it to the encrypted")
    p.send("1" + ENTER)
    p.expect(pexpect.EOF)
    p.close()
    assert p.exitstatus == 0
    text = book.case_file(cid).read_text(encoding="utf-8")
    assert "13912345678" not in text and "note: 已回电，她的新号码" in text
    revealed = book.run("show", cid, "--reveal").stdout
    assert "13912345678" in revealed and "郑女士" in revealed   # moved to the encrypted notes, the name kept



@pytest.mark.parametrize("question,keys,rest,field,saved", [
    ("Summary", "正在说的话", "，想咨询离婚", ("summary",), "正在说的话，想咨询离婚"),   # a text answer
    ("Region", "东", "莞", ("caller", "region"), "东莞"),                              # a short one
    ("Channel", "ph", "one", ("channel",), "phone"),                                   # a choice, half typed
])
def test_ctrl_c_then_go_on_puts_the_half_typed_answer_back(book, question, keys, rest, field, saved):
    order = [*FRONT, ("Summary", "询问离婚程序" + ENTER)]
    at = [q for q, _k in order].index(question)
    v = Volunteer(book)
    v.answers(*order[:at])
    v.answer(question, keys)
    v.p.send(CTRL_C)
    v.answer("Discard this form", "n" + ENTER)        # go on: the same question, what was typed is still there
    v.p.send(rest + ENTER)                            # … so typing goes on after it
    v.answers(*order[at + 1:], *BACK, ("save", ENTER))
    assert v.finish() == 0
    value = only_case(book)
    for key in field:
        value = value[key]
    assert value == saved
