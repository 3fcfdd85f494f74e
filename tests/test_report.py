"""`hotline report --month`: the monthly bulletin, through the CLI with real files and git.

The reported month is October 2026 (with September as the previous month): in the past,
so "now" never cuts it short.
"""
from __future__ import annotations

import json
import re
from datetime import datetime
from html.parser import HTMLParser

import pytest

from hotline.domain.anonymise import coarse_region, scrub

SCRIPT = "<script>alert(1)</script>"
NAME, CONTACT = "张三", "13812345678"


def intake(book, *extra, grade="green", at, channel="phone", category=("domestic_violence",), user="wang"):
    cats = [a for c in category for a in ("--category", c)]
    args = ["intake", "--no-input", "-q", "--channel", channel, "--grade", grade, "--role", "survivor", *cats,
            "--need", "legal", "--summary", "询问起诉程序", "--gender", "female", "--age-group", "youth",
            "--region", "广东省东莞市长安镇", "--at", at, *extra]
    return book.run(*args, user=user).stdout.strip().splitlines()[-1]


def build(book) -> dict:
    """A hand-built book: two cases in September, six in October (see the counts in the tests)."""
    p1 = intake(book, at="2026-09-14 10:00")
    book.run("close", p1, "--outcome", "resolved", "--at", "2026-09-14 15:00")
    p2 = intake(book, at="2026-09-15 10:00", category=("study_stress",))
    book.run("close", p2, "--outcome", "resolved", "--at", "2026-09-15 15:00")
    c = {}
    c[1] = intake(book, at="2026-10-12 10:00")                                         # closed on time
    book.run("close", c[1], "--outcome", "resolved", "--at", "2026-10-12 15:00")
    c[2] = intake(book, at="2026-10-13 10:00", channel="wechat", category=("domestic_violence", "divorce"))
    book.run("close", c[2], "--outcome", "unresolved", "--reason", "失去联系", "--at", "2026-10-14 10:00")  # late
    c[3] = intake(book, grade="red", at="2026-10-14 10:00", category=("self_harm_suicide",))
    book.run("followup", c[3], "--note", "回电确认安全", "--at", "2026-10-14 10:30")     # responded in 30 min
    book.run("refer", c[3], "--to", "legal-aid", "--at", "2026-10-15 10:00")          # feedback due 10-26
    book.run("close", c[3], "--outcome", "resolved", "--at", "2026-10-20 10:00")      # partner fed back in time
    c[4] = intake(book, grade="gray", at="2026-10-15 10:00", channel="qq", category=("sexual_harassment",), user="li")
    book.run("refer", c[4], "--to", "counselling", "--at", "2026-10-16 10:00", user="li")  # due 10-27: overdue
    c[5] = intake(book, "--name", NAME, "--contact", CONTACT, "--consent-publish", "--summary", SCRIPT,
                  at="2026-10-19 10:00", channel="email", category=("study_stress",))   # open, overdue
    c[6] = intake(book, "--contact", CONTACT, at="2026-10-21 10:00", category=("emotion",))  # the same caller again
    book.run("close", c[6], "--outcome", "resolved", "--at", "2026-10-21 11:00")
    return c


ZH = {"HOTLINE_LANG": "zh-CN"}  # the bulletin as the product shows it by default


def report(book, *args, **kw):
    return book.run("report", "--month", "2026-10", *args, **kw)


class Balance(HTMLParser):
    """Strict enough: every non-void element closed, in order."""

    VOID = {"meta", "link", "br", "hr", "img", "input", "rect", "line", "path", "circle", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> at {self.getpos()} but open: {self.stack[-3:]}")
        else:
            self.stack.pop()


# ---------------------------------------------------------------- the counts

def test_json_counts_match_a_hand_built_book(book):
    c = build(book)
    book.run("award", "li", "lecture_outreach", "--date", "2026-10-20")
    d = json.loads(report(book, "--format", "json").stdout)
    assert d["month"] == "2026-10" and d["received"] == 6 and d["previous_received"] == 2
    assert d["in_progress"] is False and d["as_of"] == "2026-10-31T23:59:59+08:00"
    assert d["by_grade"] == {"green": 4, "red": 1, "gray": 1}
    assert {k: v for k, v in d["by_channel"].items() if v} == {"phone": 3, "wechat": 1, "qq": 1, "email": 1}
    assert set(d["by_channel"]) >= {"sms", "letter", "visit"}  # every channel, zeros included
    assert {k: v for k, v in d["by_category"].items() if v} == {
        "domestic_violence": 2, "divorce": 1, "self_harm_suicide": 1, "sexual_harassment": 1,
        "study_stress": 1, "emotion": 1}
    assert {k: v for k, v in d["by_category_group"].items() if v} == {"family": 2, "marriage": 1, "psychology": 3, "gender": 1}
    assert d["by_region"] == {"东莞": 6}  # coarse: no province, no town
    assert d["by_role"]["survivor"] == 6 and d["by_gender"]["female"] == 6 and d["by_age_group"]["youth"] == 6
    assert d["by_need"]["legal"] == 6
    grade_rows = {r["id"]: r for r in d["dist"]["grade"]}
    assert grade_rows["red"] == {"id": "red", "label": "红色·紧急求助", "count": 1, "pct": 16.7}

    # hot and rising topics against September (domestic_violence 1, study_stress 1)
    assert d["hot_topics"][0]["id"] == "domestic_violence" and d["hot_topics"][0]["count"] == 2
    rising = {r["id"]: (r["count"], r["previous"], r["delta"]) for r in d["rising_topics"]}
    assert rising["domestic_violence"] == (2, 1, 1) and rising["divorce"] == (1, 0, 1)
    assert "study_stress" not in rising  # 1 → 1 is not rising

    red = d["red_cases"]
    assert red["count"] == 1 and red["escalated"] == 1 and red["responded_in_time"] == 1
    r = red["cases"][0]
    assert r["id"] == c[3] and r["response_minutes"] == 30 and r["respond_state"] == "met"
    assert r["status"] == "closed" and r["outcome"] == "resolved"

    ref = d["referrals"]
    assert ref["count"] == 2 and ref["met"] == 1 and ref["overdue"] == 1
    parts = {p["id"]: p for p in ref["partners"]}
    assert parts["legal-aid"]["name"] == "市法律援助中心" and parts["legal-aid"]["met"] == 1
    assert parts["counselling"]["count"] == 1 and parts["counselling"]["overdue"] == 1

    assert d["closures"]["count"] == 4 and d["closures"]["on_time"] == 3 and d["closures"]["late"] == 1
    assert d["closures"]["resolved"] == 3 and d["closures"]["unresolved"] == 1

    assert d["open_at_month_end"]["count"] == 2
    assert d["open_at_month_end"]["open"] == 1 and d["open_at_month_end"]["referred"] == 1
    over = {o["id"]: o["kinds"] for o in d["overdue_at_month_end"]["cases"]}
    assert over == {c[4]: ["close", "follow_up"], c[5]: ["close"]}

    assert d["repeat_callers"] == {"callers": 1, "cases": 1, "cases_with_contact": 2}

    vols = {v["id"]: v for v in d["volunteers"]}
    assert vols["wang"]["name"] == "王芳" and vols["wang"]["intakes"] == 5 and vols["wang"]["closures"] == 4
    assert vols["wang"]["referrals"] == 1 and vols["wang"]["followups"] == 1
    assert (vols["li"]["intakes"], vols["li"]["referrals"], vols["li"]["group_name"]) == (1, 1, "一组")

    assert len(d["typical_cases"]) == 1 and d["typical_cases"][0]["region"] == "东莞"
    assert "id" not in d["typical_cases"][0]

    assert [t["month"] for t in d["trend"]][-3:] == ["2026-08", "2026-09", "2026-10"] and len(d["trend"]) == 12
    assert d["trend"][-1]["by_grade"] == {"green": 4, "red": 1, "gray": 1} and d["trend"][-2]["received"] == 2

    rank = d["ranking"]
    assert rank is not None, d.get("ranking_note")
    li = next(p for p in rank["people"] if p["id"] == "li")
    assert li["name"] == "李娜" and li["score"] == 100 + 10 - 5  # the lecture, and c4's close deadline ran out
    assert {g["id"] for g in rank["groups"]} == {"g1", "g2"}


# ---------------------------------------------------------------- confidentiality and escaping

def test_no_script_name_contact_or_pseudonym_in_any_format(book):
    intake(book, "--name", NAME, "--contact", CONTACT, "--consent-publish", "--summary", SCRIPT, at="2026-10-19 10:00")
    intake(book, "--contact", CONTACT, at="2026-10-21 10:00")
    pseudonyms = set(re.findall(r"caller: (\S+)", "".join(p.read_text(encoding="utf-8") for p in (book.root / "cases").rglob("*.yaml"))))
    assert pseudonyms
    outputs = {fmt: report(book, "--format", fmt).stdout for fmt in ("md", "html", "json")}
    for fmt, text in outputs.items():
        assert "<script" not in text.lower(), fmt
        assert NAME not in text and CONTACT not in text, fmt
        assert "BEGIN AGE" not in text, fmt
        for p in pseudonyms:
            assert p not in text, fmt
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in outputs["html"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in outputs["md"]
    assert json.loads(outputs["json"])["typical_cases"][0]["summary"] == SCRIPT  # \u003c-escaped, same text


def test_summary_slips_are_blanked_and_regions_kept_coarse():
    assert scrub("回电 139-1234-5678 或 a.b@example.org，微信号: wx_abc123") == "回电 〔已隐去〕 或 〔已隐去〕，微信号: 〔已隐去〕"
    assert scrub("3 个月没发工资，欠 5000 元") == "3 个月没发工资，欠 5000 元"
    assert coarse_region("广东省东莞市长安镇") == "东莞"
    assert coarse_region("东莞 长安") == "东莞"
    assert coarse_region("广东省") == "广东"
    assert coarse_region("长安镇某某村") == "长安镇"
    assert coarse_region("") == ""


def test_markdown_text_cannot_inject_markup(book):
    intake(book, "--consent-publish", "--summary", "见 [链接](javascript:x) 和 **粗体** | 管道\n- 列表", at="2026-10-19 10:00")
    md = report(book).stdout
    assert "\\[链接\\](javascript:x)" in md and "\\*\\*粗体\\*\\*" in md and "\\| 管道" in md
    assert "> \\- 列表" in md


# ---------------------------------------------------------------- formats and the HTML

def test_html_is_one_self_contained_balanced_file_with_charts(book):
    intake(book, "--consent-publish", "--summary", SCRIPT, at="2026-10-19 10:00")
    intake(book, grade="red", at="2026-10-20 10:00")
    html = report(book, "--format", "html", env=ZH).stdout
    p = Balance()
    p.feed(html)
    p.close()
    assert not p.errors and not p.stack, (p.errors, p.stack)
    assert p.tags.count("svg") >= 4  # grade, channel, category group, trend
    assert 'name="viewport"' in html and "@media print" in html and "Noto Sans CJK SC" in html
    assert "<script" not in html and not re.search(r"""(src|href)\s*=""", html)
    assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", html)
    assert html.lstrip().startswith("<!DOCTYPE html>") and "热线月报" in html


def test_markdown_is_the_default_in_chinese_with_pipe_tables(book, monkeypatch):
    intake(book, at="2026-10-19 10:00")
    monkeypatch.delenv("HOTLINE_LANG")   # the book's language, Chinese
    md = report(book).stdout
    assert md.startswith("# 热线月报 · 2026年10月")
    for heading in ("## 一、受理情况", "## 三、红色个案", "## 四、转介与反馈", "## 九、积分排名", "## 十、典型案例",
                    "## 十一、近12个月受理趋势"):
        assert heading in md
    assert "| 绿色·问题咨询 | 1 | 100.0% |" in md


def test_output_writes_the_file_and_confirms(book):
    intake(book, at="2026-10-19 10:00")
    out = book.root.parent / "out" / "月报.html"
    r = report(book, "--format", "html", "--output", str(out))
    assert r.stdout.count("\n") == 1 and str(out) in r.stdout
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert not [f for f in out.parent.iterdir() if f.name != out.name]  # no temporary file left
    assert book.git("status", "--porcelain") == ""  # nothing written into the book


def test_an_empty_month_still_reports(book):
    d = json.loads(book.run("report", "--month", "2026-03", "--format", "json").stdout)
    assert d["received"] == 0 and d["by_grade"] == {"green": 0, "red": 0, "gray": 0}
    for fmt in ("md", "html"):
        book.run("report", "--month", "2026-03", "--format", fmt)


def test_a_month_in_progress_is_reported_as_of_now(book, monkeypatch):
    intake(book, at="2026-10-12 10:00")
    intake(book, at="2026-10-26 10:00")
    import hotline.times

    monkeypatch.setattr(hotline.times, "now", lambda tz: datetime(2026, 10, 20, 12, 0, tzinfo=tz))
    d = json.loads(report(book, "--format", "json").stdout)
    assert d["in_progress"] is True and d["as_of"] == "2026-10-20T12:00:00+08:00"
    assert d["received"] == 1
    assert "本月尚未结束" in report(book, env=ZH).stdout


# ---------------------------------------------------------------- errors

@pytest.mark.parametrize("month", ["2026-13", "nov", "2026/10", ""])
def test_bad_month_exits_2_with_one_line(book, month):
    r = book.run("report", "--month", month, expect=2)
    assert "--month" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_bad_format_exits_2(book):
    r = book.run("report", "--month", "2026-10", "--format", "pdf", expect=2)
    assert "'pdf'" in r.stderr and "md, html, json" in r.stderr


def test_broken_template_names_template_and_line(book):
    (book.root / "templates" / "report.md.j2").write_text("# 月报\n\n{% if received %}\n{{ received }\n", encoding="utf-8")
    r = book.run("report", "--month", "2026-10", expect=1)
    assert "templates/report.md.j2:4" in r.stderr.replace("\\", "/")
    (book.root / "templates" / "report.html.j2").write_text("<p>\n{{ received }}\n{{ no_such_key }}\n</p>\n", encoding="utf-8")
    r = book.run("report", "--month", "2026-10", "--format", "html", expect=1)
    assert "templates/report.html.j2:3" in r.stderr.replace("\\", "/") and "no_such_key" in r.stderr
    out = book.root.parent / "never.md"
    book.run("report", "--month", "2026-10", "--output", str(out), expect=1)
    assert not out.exists()


def test_the_books_own_template_wins(book):
    (book.root / "templates" / "report.md.j2").write_text("本月 {{ received }} 件，红色 {{ by_grade.red }} 件\n", encoding="utf-8")
    intake(book, grade="red", at="2026-10-19 10:00")
    assert report(book).stdout == "本月 1 件，红色 1 件\n"


def test_compiled_templates_are_a_cache_outside_the_book_and_an_edit_is_seen_at_once(book):
    intake(book, grade="red", at="2026-10-19 10:00")
    report(book)
    report(book)                                       # the second run reads the compiled template
    cache = book.root / ".git" / "hotline-templates-sandboxed"
    assert any(cache.iterdir()) and book.git("status", "--porcelain") == ""
    tpl = book.root / "templates" / "report.md.j2"
    tpl.write_text("红色 {{ by_grade.red }} 件\n", encoding="utf-8")
    assert report(book).stdout == "红色 1 件\n"         # edited: compiled again, never the stale one
    tpl.write_text("共 {{ received }} 件\n", encoding="utf-8")
    assert report(book).stdout == "共 1 件\n"
    for f in cache.iterdir():                          # a damaged cache costs a compile, nothing else
        f.write_bytes(b"not a compiled template")
    assert report(book).stdout == "共 1 件\n"


def test_svg_labels_are_escaped():
    from hotline.render.charts import svg_bars, svg_trend

    svg = str(svg_bars([{"id": "x", "label": "<b>&", "count": 2, "pct": 50.0}], "t<"))
    assert "<b>" not in svg and "&lt;b&gt;&amp;" in svg and 'aria-label="t&lt;"' in svg
    trend = [{"month": "2026-10", "received": 1, "by_grade": {"g": 1}}]
    assert "&lt;i&gt;" in str(svg_trend(trend, [{"id": "g", "label": "<i>"}], "t"))


def test_a_long_overdue_list_is_cut_to_the_30_oldest(book, monkeypatch):
    from hotline.book import Book
    from hotline.domain.bulletin import bulletin
    from hotline.render.report import render_report
    from hotline.render.words import bulletin_words

    b = Book(book.root)
    data = bulletin([], b.rules, b.calendar, b.roster, 2026, 10)
    due = datetime(2026, 10, 1, tzinfo=b.tz)
    data["overdue_at_month_end"]["cases"] = [
        {"id": f"261001-{i:05d}", "grade": "green", "status": "open", "owner": "wang", "owner_name": "王芳",
         "kinds": ["close"], "due": due, "urges": 0} for i in range(31)]
    bulletin_words(data, b.rules)   # the words the domain leaves to render
    assert data["overdue_at_month_end"]["cases"][0]["grade_short_label"] == "绿色"
    data["ranking_note"] = ""
    monkeypatch.setenv("HOTLINE_LANG", "zh-CN")
    for fmt in ("md", "html"):
        text = render_report(b, data, fmt)
        assert "261001-00029" in text and "261001-00030" not in text
        assert "其余 1 件" in text and "hotline overdue --as-of 2026-10-31T23:59:59" in text


# ---------------------------------------------------------------- a month on provisional working days

def build_2027_01(book) -> dict:
    """January 2027: no official calendar yet, so its working days are provisional (暂定).
    元旦 Fri 01-01 and the weekends are the only days off in January."""
    c = {}
    c["a"] = intake(book, grade="gray", at="2026-12-30 15:00")   # open: close due Tue 01-05 → overdue
    c["b"] = intake(book, at="2027-01-04 10:00")                 # same day (a working day's hours): on time
    book.run("close", c["b"], "--outcome", "resolved", "--at", "2027-01-04 15:00")
    c["c"] = intake(book, grade="red", at="2027-01-06 10:00")
    book.run("followup", c["c"], "--note", "回电", "--at", "2027-01-06 10:30")  # 1 hour: never provisional
    book.run("refer", c["c"], "--to", "legal-aid", "--at", "2027-01-07 10:00")  # 7 working days: due Mon 01-18
    book.run("close", c["c"], "--outcome", "resolved", "--at", "2027-01-20 10:00")  # late
    return c


def test_a_bulletin_for_2027_01_says_which_figures_are_provisional(book, monkeypatch):
    monkeypatch.setenv("HOTLINE_NOW", "2027-02-10 12:00")  # its writes are dated up to then: no write is in the future
    c = build_2027_01(book)
    after = {"HOTLINE_NOW": "2027-02-10 12:00", "HOTLINE_LANG": "zh-CN"}  # the bulletin as the line reads it
    d = json.loads(book.run("report", "--month", "2027-01", "--format", "json", env=after).stdout)
    assert d["provisional"] == {"years": [2027], "cases": 3}
    assert (d["closures"]["count"], d["closures"]["on_time"], d["closures"]["late"], d["closures"]["provisional"]) == (2, 1, 1, 2)
    assert (d["referrals"]["count"], d["referrals"]["late"], d["referrals"]["provisional"]) == (1, 1, 1)
    assert (d["red_cases"]["count"], d["red_cases"]["responded_in_time"], d["red_cases"]["provisional"]) == (1, 1, 0)
    over = d["overdue_at_month_end"]
    assert (over["count"], over["provisional"]) == (1, 1)
    assert [(r["id"], r["due"], r["provisional"]) for r in over["cases"]] == [(c["a"], "2027-01-05T23:59:59+08:00", True)]
    (w,) = [w for w in d["warnings"] if "暂定" in w]
    assert "2027" in w and re.search(r"\b3 ", w)
    # points: the two late closures (a: overdue, c: late) are counted, and said to be provisional
    assert any("暂定" in p and c["a"] in p and c["c"] in p for p in d["ranking"]["problems"])
    for fmt in ("md", "html"):
        text = book.run("report", "--month", "2027-01", "--format", fmt, env=after).stdout
        assert "2027" in text and "2027-01-05 暂定" in text
        assert "其中 2 件按暂定时限判定" in text and "其中 1 件的时限为暂定" in text and "其中 1 次的反馈时限为暂定" in text
    score = book.run("score", "--month", "2027-01", "--person", "wang", env=after)
    assert "暂定" in score.stderr and "暂定" in score.stdout


def test_a_bulletin_for_2027_01_with_the_notice_in_rules_yaml_is_not_provisional(book, monkeypatch):
    monkeypatch.setenv("HOTLINE_NOW", "2027-02-10 12:00")  # its writes are dated up to then: no write is in the future
    build_2027_01(book)
    path = book.root / "rules.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "calendar:\n  holidays: []\n  workdays: []\n", "calendar:\n  holidays: [2027-01-01]\n  workdays: []\n"),
        encoding="utf-8")
    after = {"HOTLINE_NOW": "2027-02-10 12:00", "HOTLINE_LANG": "zh-CN"}
    d = json.loads(book.run("report", "--month", "2027-01", "--format", "json", env=after).stdout)
    assert d["provisional"] == {"years": [], "cases": 0}
    assert (d["closures"]["provisional"], d["overdue_at_month_end"]["provisional"]) == (0, 0)
    assert not any("暂定" in w for w in d["warnings"] + d["ranking"]["problems"])
    assert "暂定" not in book.run("report", "--month", "2027-01", env=after).stdout
