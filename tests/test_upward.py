"""The upward report (issue 25): calls that did not become cases, local and out of area, difficult and
key cases, volunteer hours and training, 同比/环比 — every indicator computed by hand for one book."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

UPWARD_RULES = """
home_region:
  city: 东莞
  province: 广东
"""  # training: items: [training] is the default
# every day the same three hours of service, so hours are easy to count by hand
HOURS = """service_hours:
  working_day: ["09:00-12:00"]
  other_day: ["09:00-12:00"]
"""


def _rules(book, extra: str = UPWARD_RULES) -> None:
    path = book.root / "rules.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("service_hours:")
    end = text.index("deadlines:")
    text = text[:start] + HOURS + "\n" + text[end:]
    text = text.replace("duty:\n  start: 2026-01-05", "duty:\n  start: 2026-09-28")
    default_training = "    training: {label: 参加培训, points: 0}"
    assert default_training in text
    text = text.replace(default_training, "    training: {label: 参加培训, points: 1}")
    path.write_text(text + extra, encoding="utf-8")
    book.git("commit", "-q", "-am", "upward rules")


def _case(book, at: str, *extra: str, channel: str = "phone", grade: str = "green", category: str = "employment_discrimination",
          gender: str = "female", age: str = "adult", region: str = "东莞") -> str:
    args = ["intake", "--no-input", "-q", "--channel", channel, "--grade", grade, "--role", "party",
            "--category", category, "--need", "legal", "--summary", "询问权益", "--gender", gender,
            "--age-group", age, "--region", region, "--at", at, *extra]
    return book.run(*args).stdout.strip().splitlines()[-1]


@pytest.fixture
def upbook(book):
    """October 2026, by hand:
    cases  1 phone red risk high, difficult, 东莞市长安镇 (local), female youth, 家庭暴力, contact A
           2 phone green, key, 广东省广州市 (province), male teen, 就业歧视
           3 wechat green, 湖南长沙 (other province), female adult, 离婚; referred legal-aid 10-10, closed 10-14
             with the partner's answer: accepted
           4 phone green, 长安镇 (unknown: a town), female adult, 就业歧视, contact A again (repeat)
           5 phone gray, difficult + key, no region (unknown), male unknown age, 其他; referred counselling 10-28
    calls  10-02: missed 3, abandoned 1, silent 2; whole month: prank 1, wrong number 1
    duty   g1 (wang, li) 10-01..04, 10-12..18, 10-26..31 = 17 days; g2 (zhao, chen) 14 days; 3 h a day
    leave  li 10-13..14 (g1's week: 2 days, 6 h); chen 10-13 (not on duty: nothing)
    ledger training: li + chen 10-15, zhao 10-22; tv_interview wang 10-15 (not training)
    Sept 2026: one case; 2025-10: two cases."""
    _rules(book)
    c1 = _case(book, "2026-10-03 10:00", "--risk", "high", "--difficult", "--contact", "13800000001",
               grade="red", category="domestic_violence", age="youth", region="东莞市长安镇")
    c2 = _case(book, "2026-10-05 10:00", "--key-case", gender="male", age="teen", region="广东省广州市")
    c3 = _case(book, "2026-10-08 10:00", channel="wechat", category="divorce", region="湖南长沙")
    _case(book, "2026-10-09 10:00", "--contact", "138 0000 0001", region="长安镇")
    c5 = _case(book, "2026-10-20 10:00", "--difficult", "--key-case", grade="gray", category="other", gender="male",
               age="unknown", region="")
    book.run("refer", c3, "--to", "legal-aid", "--at", "2026-10-10 10:00")
    book.run("close", c3, "--outcome", "resolved", "--accepted", "--at", "2026-10-14 10:00")
    book.run("refer", c5, "--to", "counselling", "--at", "2026-10-28 10:00")
    book.run("calls", "add", "--date", "2026-10-02", "--missed", "3", "--abandoned", "1", "--silent", "2")
    book.run("calls", "add", "--month", "2026-10", "--prank", "1", "--wrong-number", "1")
    book.run("leave", "li", "--from", "2026-10-13", "--to", "2026-10-14", "--at", "2026-10-01 10:00")
    book.run("leave", "chen", "--from", "2026-10-13", "--to", "2026-10-13", "--at", "2026-10-01 10:00")
    book.run("award", "li", "training", "--date", "2026-10-15")
    book.run("award", "chen", "training", "--date", "2026-10-15")
    book.run("award", "zhao", "training", "--date", "2026-10-22")
    book.run("award", "wang", "tv_interview", "--date", "2026-10-15")
    _case(book, "2026-09-15 10:00")
    _case(book, "2025-10-10 10:00")
    _case(book, "2025-10-11 10:00", channel="wechat")
    book.c1, book.c2, book.c3, book.c5 = c1, c2, c3, c5
    return book


def _upward(book, month: str = "2026-10") -> dict:
    return json.loads(book.run("report", "--month", month, "--format", "json").stdout)["upward"]


def test_every_indicator_of_the_month_as_computed_by_hand(upbook):
    u = _upward(upbook)
    s = u["service"]
    assert (s["received"], s["call_cases"], s["not_cases"], s["unanswered"]) == (5, 4, 8, 4)
    assert s["not_cases_by_kind"] == {"missed": 3, "abandoned": 1, "silent": 2, "prank": 1, "wrong_number": 1}
    assert (s["calls_total"], s["answered"], s["answer_rate"]) == (12, 8, 66.7)
    r = u["regions"]
    assert r["counts"] == {"local": 1, "province": 1, "other_province": 1, "unknown": 2}
    assert (r["not_given"], r["unplaced"]) == (1, 1)
    sp = u["special"]
    assert (sp["high_crisis"], sp["difficult"], sp["repeat_cases"], sp["repeat_callers"]) == (1, 2, 1, 1)
    assert sp["crisis_and_key"] == {"crisis": 1, "key": 2, "either": 3, "red": 1}
    pt = u["problem_types"]
    rows = {x["id"]: x for x in pt["rows"]}
    assert [x["id"] for x in pt["rows"]] == ["employment_discrimination", "domestic_violence", "divorce", "other"]
    assert rows["employment_discrimination"]["count"] == 2
    assert rows["employment_discrimination"]["by_sex"] == {"female": 1, "male": 1, "other": 0, "unknown": 0}
    assert rows["employment_discrimination"]["by_age"]["teen"] == 1 and rows["employment_discrimination"]["by_age"]["adult"] == 1
    assert rows["other"]["by_age"]["unknown"] == 1 and rows["other"]["by_sex"]["male"] == 1
    assert pt["total_by_sex"] == {"female": 3, "male": 2, "other": 0, "unknown": 0}
    ref = u["referrals"]
    assert (ref["count"], ref["met"], ref["running"], ref["feedback"]) == (2, 1, 1, 1)
    assert (ref["accepted"], ref["declined"], ref["no_answer"]) == (1, 0, 1)
    assert {p["id"]: (p["count"], p["met"], p["running"]) for p in ref["partners"]} == {
        "legal-aid": (1, 1, 0), "counselling": (1, 0, 1)}
    st = u["staff"]
    assert (st["people"], st["hours"], st["leave_hours"], st["leave_person_days"]) == (4, 180.0, 6.0, 2)
    assert {p["id"]: p["hours"] for p in st["by_person"]} == {"wang": 51.0, "li": 45.0, "zhao": 42.0, "chen": 42.0}
    t = u["training"]
    assert (t["sessions"], t["person_times"], t["people"]) == (2, 3, 3)


def test_month_before_and_same_month_last_year(upbook):
    comp = {c["id"]: c for c in _upward(upbook)["comparisons"]}
    assert comp["received"]["mom"] == {"previous": 1, "delta": 4, "pct": 400.0}
    assert comp["received"]["yoy"] == {"previous": 2, "delta": 3, "pct": 150.0}
    # no call counts in September: 来电总数 and 接通率 have nothing to compare with
    assert comp["calls_total"]["mom"] == {"previous": None, "delta": None, "pct": None}
    assert comp["answer_rate"]["value"] == 66.7 and comp["answer_rate"]["mom"]["previous"] is None
    assert comp["referrals"]["value"] == 2 and comp["referrals"]["mom"]["previous"] == 0


def test_a_month_without_call_counts_says_missing_never_100(upbook):
    s = _upward(upbook, "2026-09")["service"]
    assert s["calls_recorded"] is False
    assert s["calls_total"] is None and s["answer_rate"] is None
    md = upbook.run("report", "--month", "2026-09", "--format", "docx", "--output", str(upbook.root.parent / "s.docx"))
    assert md.exit_code == 0


def test_statistics_never_read_the_encrypted_block(upbook):
    """Erasure destroys what the personal block holds: every figure stays the same without it."""
    before = _upward(upbook)
    import re

    for f in (upbook.root / "cases").rglob("*.yaml"):
        text = f.read_text(encoding="utf-8")
        # the armored ciphertext becomes unreadable junk of the same shape
        f.write_text(re.sub(r"(-----BEGIN AGE ENCRYPTED FILE-----\n)(\s*)[^-]+", r"\1\2AAAA\n\2", text),
                     encoding="utf-8")
    upbook.git("commit", "-q", "-am", "shredded")
    assert _upward(upbook) == before


def test_calls_import_names_every_bad_cell_and_adds_nothing_twice(upbook, tmp_path):
    log = tmp_path / "话单.csv"
    log.write_text("日期,结果,主叫号码\n2026-10-04 10:00,未接,13800000000\n2026-10-04 11:00,接通,139\n"
                   "2026-10-05,打错,1\n2026-10-05,忙音?,1\n2026-13-01,未接,1\n", encoding="utf-8")
    r = upbook.run("calls", "import", str(log), expect=2)
    assert f"{log}:5:B: 结果 '忙音?' is not a call result" in r.output
    assert f"{log}:6:A: 日期 '2026-13-01'" in r.output
    assert not (upbook.root / "calls" / "2026-10.yaml").read_text(encoding="utf-8").count("2026-10-04")
    log.write_text("日期,结果,主叫号码\n2026-10-04 10:00,未接,13800000000\n2026-10-04 11:00,接通,139\n"
                   "2026-10-05,打错,1\n", encoding="utf-8")
    upbook.run("calls", "import", str(log))
    again = upbook.run("calls", "import", str(log))
    assert "2 day(s) already imported" in again.output
    s = _upward(upbook)["service"]
    assert s["not_cases_by_kind"]["missed"] == 4 and s["not_cases_by_kind"]["wrong_number"] == 2
    assert "13800000000" not in (upbook.root / "calls" / "2026-10.yaml").read_text(encoding="utf-8")


def test_counts_per_day_from_a_sheet_of_counts(upbook, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["日期", "未接", "呼损", "无声", "骚扰", "打错"])
    ws.append(["2026-10-06", 2, 0, 1, 0, 0])
    ws.append(["2026-10-07", "x", 0, 0, 0, 0])
    path = tmp_path / "daily.xlsx"
    wb.save(path)
    r = upbook.run("calls", "import", str(path), expect=2)
    assert f"{path}:3:B: 未接 'x' is not a whole number" in r.output
    ws.delete_rows(3)
    wb.save(path)
    upbook.run("calls", "import", str(path))
    s = _upward(upbook)["service"]
    assert s["not_cases_by_kind"]["missed"] == 5 and s["not_cases_by_kind"]["silent"] == 3


def test_regions_that_cannot_be_placed_are_listed_by_check(upbook):
    r = upbook.run("check", "--regions", expect=None)
    assert "长安镇" in r.output
    assert "东莞市长安镇" not in r.output and "湖南长沙" not in r.output


def test_places_short_and_full_names():
    from hotline.domain.regions import Place, kind, place
    from hotline.storage.places import table

    t = table()
    home = Place("广东", "东莞")
    assert place("东莞", t) == place("东莞市", t) == place("广东省东莞市长安镇", t) == place("广东 东莞", t) == home
    assert place("吉林市", t) == Place("吉林", "吉林") and place("吉林省", t) == Place("吉林", None)
    assert place("海南藏族自治州", t) == Place("青海", "海南") and place("海南省海口市", t) == Place("海南", "海口")
    assert place("延边朝鲜族自治州", t) == Place("吉林", "延边")
    assert kind("深圳", home, t) == "province" and kind("广东", home, t) == "province"
    assert kind("北京市朝阳区", home, t) == "other_province" and kind("顺德", home, t) == "unknown"
    assert kind("上海浦东", Place("上海", "上海"), t) == "local"
    assert len(t.provinces) == 34 and sum(len(v) for v in t.provinces.values()) >= 333


def test_a_difficult_and_key_case_can_be_amended(upbook):
    upbook.run("amend", upbook.c1, "--not-difficult", "--key-case")
    sp = _upward(upbook)["special"]
    assert sp["difficult"] == 1 and sp["crisis_and_key"]["key"] == 3
    text = upbook.case_file(upbook.c1).read_text(encoding="utf-8")
    assert "key_case: true" in text and "difficult: true" not in text


def test_call_count_files_merge_by_entry_id(tmp_path):
    from hotline.storage import calls, merge

    base = tmp_path / "base.yaml"
    ours = tmp_path / "ours.yaml"
    theirs = tmp_path / "theirs.yaml"
    base.write_text("entries:\n- id: AAAAAAAA\n  date: '2026-10-02'\n  missed: 3\n  by: li\n", encoding="utf-8")
    ours.write_text(base.read_text() + "- id: BBBBBBBB\n  date: '2026-10-03'\n  silent: 1\n  by: li\n", encoding="utf-8")
    theirs.write_text(base.read_text() + "- id: CCCCCCCC\n  prank: 2\n  by: zhao\n", encoding="utf-8")
    assert merge.kind_of("calls/2026-10.yaml") == "calls"
    text = merge.merge_file(base, ours, theirs, "calls")
    got = calls.parse(text, Path("calls/2026-10.yaml"))
    assert [x.id for x in got] == ["CCCCCCCC", "AAAAAAAA", "BBBBBBBB"]
    from hotline.storage.gitsync import ATTRIBUTES

    assert "calls/*.yaml" in ATTRIBUTES


def _docx_tables(path: Path) -> list[list[list[str]]]:
    from docx import Document

    return [[[c.text for c in row.cells] for row in t.rows] for t in Document(str(path)).tables]


def _rows(table: list[list[str]]) -> dict[str, list[str]]:
    return {r[0]: r[1:] for r in table[1:]}


def test_the_word_report_holds_the_same_numbers(upbook, tmp_path):
    out = tmp_path / "2026-10.docx"
    upbook.run("report", "--month", "2026-10", "--format", "docx", "--output", str(out))
    tables = _docx_tables(out)
    service, regions, special, crisis, by_sex, by_age, referrals, staff, training, comparisons = tables
    s = _rows(service)
    assert s["calls reaching the line"] == ["12"] and s["cases received"] == ["5"] and s["answered"] == ["8"]
    assert s["answer rate"] == ["66.7%"] and s["calls that did not become cases: missed"] == ["3"]
    assert _rows(regions) == {"local": ["1", "20%"], "elsewhere in the province": ["1", "20%"],
                              "another province": ["1", "20%"], "unknown": ["2", "40%"]}
    assert _rows(special) == {"high crisis level": ["1"], "difficult calls": ["2"], "repeat calls": ["1"],
                              "repeat callers": ["1"]}
    assert _rows(crisis) == {"crisis cases (high level)": ["1"], "key cases": ["2"], "crisis or key cases": ["3"],
                             "red cases": ["1"]}
    assert by_sex[0] == ["problem type", "女", "男", "其他", "未知", "total"]
    assert _rows(by_sex)["就业歧视"] == ["1", "1", "0", "0", "2"] and _rows(by_sex)["total"] == ["3", "2", "0", "0", "5"]
    assert _rows(by_age)["其他"][-2:] == ["1", "1"]
    # referrals, accepted, declined, answer not recorded, feedback in time, late, awaited, overdue
    assert _rows(referrals)["市法律援助中心"] == ["1", "1", "0", "0", "1", "0", "0", "0"]
    assert _rows(referrals)["total"] == ["2", "1", "0", "1", "1", "0", "1", "0"]
    assert _rows(staff) == {"volunteers on duty": ["4"], "volunteer hours on the line": ["180"],
                            "hours of leave": ["6"], "person-days of leave": ["2"]}
    assert _rows(training) == {"training sessions": ["2"], "training person-times": ["3"], "people trained": ["3"]}
    assert _rows(comparisons)["cases received"] == ["5", "1", "+4 (+400%)", "2", "+3 (+150%)"]
    assert _rows(comparisons)["calls reaching the line"][1] == "not recorded"
    # every table within the page's text width (A4, GB/T 9704: 156 mm = 8845 twentieths of a point)
    from docx import Document
    from docx.oxml.ns import qn

    for t in Document(str(out)).tables:
        assert sum(int(c.get(qn("w:w"))) for c in t._tbl.tblGrid.findall(qn("w:gridCol"))) <= 156 * 56.7
    # no personal data, no case id

    text = "\n".join(p.text for p in Document(str(out)).paragraphs) + repr(tables)
    assert "13800000001" not in text and upbook.c1 not in text and "长安镇" not in text


def test_a_month_without_call_counts_prints_not_recorded(upbook, tmp_path):
    out = tmp_path / "2026-09.docx"
    upbook.run("report", "--month", "2026-09", "--format", "docx", "--output", str(out))
    s = _rows(_docx_tables(out)[0])
    assert s["calls reaching the line"] == ["not recorded"] and s["answer rate"] == ["not recorded"]
    assert "100%" not in repr(_docx_tables(out)[0])


def test_the_year_report(upbook, tmp_path):
    y = json.loads(upbook.run("report", "--year", "2026", "--format", "json").stdout)
    assert y["totals"]["received"] == 6 and y["previous_totals"]["received"] == 2
    assert y["totals"]["calls_total"] == 12 and y["totals"]["answer_rate"] == 66.7 and y["months_with_calls"] == 1
    growth = {g["id"]: g for g in y["growth"]}
    assert growth["received"]["delta"] == 4 and growth["received"]["pct"] == 200.0
    assert [t["id"] for t in y["top_topics"]][:1] == ["employment_discrimination"]
    assert y["top_topics"][0]["count"] == 3 and y["top_topics"][0]["previous"] == 2
    oct_ = next(m for m in y["months"] if m["month"] == "2026-10")
    assert (oct_["received"], oct_["difficult"], oct_["key_cases"], oct_["volunteer_hours"]) == (5, 2, 2, 180.0)
    assert next(m for m in y["months"] if m["month"] == "2026-12")["begun"] is False
    for fmt in ("md", "html"):
        text = upbook.run("report", "--year", "2026", "--format", fmt).stdout
        assert "employment" not in text and "就业歧视" in text
    upbook.run("report", "--year", "2026", "--format", "xlsx", "--output", str(tmp_path / "y.xlsx"))
    upbook.run("report", "--year", "2026", "--format", "docx", "--output", str(tmp_path / "y.docx"))
    months = _docx_tables(tmp_path / "y.docx")[1]
    assert _rows(months)["2026-10"][1] == "5" and _rows(months)["year"][1] == "6"


def test_a_word_template_cannot_run_code(upbook, tmp_path):
    """Templates come from other offices: the sandbox refuses what would reach Python internals."""
    from docx import Document

    doc = Document(str(upbook.root / "templates" / "upward-month.docx")) if (upbook.root / "templates" / "upward-month.docx").exists() \
        else Document(str(Path(__file__).resolve().parent.parent / "hotline" / "defaults" / "templates" / "upward-month.docx"))
    doc.add_paragraph("{{ title.__class__.__mro__[1].__subclasses__() }}")
    doc.save(str(upbook.root / "templates" / "upward-month.docx"))
    r = upbook.run("report", "--month", "2026-10", "--format", "docx", "--output", str(tmp_path / "x.docx"), expect=None)
    assert r.exit_code != 0 and "template" in r.output.lower()
    assert not (tmp_path / "x.docx").exists()


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_the_word_reports_and_workbooks_open_in_libreoffice(upbook, tmp_path):
    """Converted headless to PDF: they open, and what is printed is Chinese (no English outside ids)."""
    zh = {"HOTLINE_LANG": "zh-CN"}
    out = tmp_path / "out"
    out.mkdir()
    files = {"month.docx": ("report", "--month", "2026-10", "--format", "docx"),
             "year.docx": ("report", "--year", "2026", "--format", "docx"),
             "month-sheets.xlsx": ("report", "--month", "2026-10", "--format", "xlsx"),
             "year-sheets.xlsx": ("report", "--year", "2026", "--format", "xlsx"),
             "register.xlsx": ("list", "--format", "xlsx")}
    for name, args in files.items():
        upbook.run(*args, "--output", str(out / name), env=zh)
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path / 'lo'}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out), *[str(out / n) for n in files]], check=True, capture_output=True, timeout=300)
    import re

    for name in files:
        pdf = out / (Path(name).stem + ".pdf")
        assert pdf.is_file() and pdf.stat().st_size > 1000, name
        if shutil.which("pdftotext") is None:
            continue
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        if name.endswith(".docx"):
            english = [w for w in re.findall(r"[A-Za-z]{3,}", text) if w not in ("QQ",)]
            assert not english, (name, english[:10])
    month = subprocess.run(["pdftotext", "-layout", str(out / "month.pdf"), "-"], capture_output=True, text=True).stdout
    assert "66.7%" in month and "180" in month and "未记录" in month


def test_a_later_export_of_the_same_log_never_counts_a_day_twice(upbook, tmp_path):
    first = tmp_path / "mid-month.csv"
    first.write_text("日期,结果\n2026-10-04 10:00,未接\n2026-10-05 09:00,未接\n", encoding="utf-8")
    upbook.run("calls", "import", str(first))
    later = tmp_path / "whole-month.csv"   # another file, rows moved down, one more call on the 5th, a new day
    later.write_text("日期,结果\n2026-10-01 08:00,接通\n2026-10-04 10:00,未接\n2026-10-05 09:00,未接\n"
                     "2026-10-05 18:00,未接\n2026-10-06 10:00,未接\n", encoding="utf-8")
    r = upbook.run("calls", "import", str(later))
    assert "2026-10-05 were imported before" in r.output and "1 day(s) already imported" in r.output
    # 3 typed on 10-02, then 10-04, 10-05 (one call, as first imported) and 10-06: 6 missed
    assert _upward(upbook)["service"]["not_cases_by_kind"]["missed"] == 6


def test_workbooks_print_on_a4_with_the_header_row_and_case_id_on_every_page(upbook, tmp_path):
    from openpyxl import load_workbook

    upbook.run("list", "--format", "xlsx", "--output", str(tmp_path / "r.xlsx"))
    upbook.run("report", "--month", "2026-10", "--format", "xlsx", "--output", str(tmp_path / "m.xlsx"))
    ws = load_workbook(tmp_path / "r.xlsx")["个案"]
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
    assert ws.print_title_rows == "$1:$1" and ws.print_title_cols == "$A:$A"   # 个案编号 on every page
    assert not ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.scale == 75  # too wide to shrink legibly
    ov = load_workbook(tmp_path / "m.xlsx")["概览"]
    assert ov.page_setup.orientation == "portrait" and ov.sheet_properties.pageSetUpPr.fitToPage
    assert ov.page_setup.fitToWidth == 1 and ov.page_setup.fitToHeight == 0 and ov.print_title_rows == "$1:$1"


# ---------------------------------------------------------------- referrals: accepted or not (转介是否被接收)

def _answers(book) -> None:
    """October 2026 on top of `upbook`, by hand (c3 → legal-aid 10-10 accepted at its close 10-14;
    c5 → counselling 10-28 are the fixture's):
      c2 → legal-aid 10-06, follow-up 10-07 --declined
      c2 → counselling 10-08, a follow-up 10-09 without an answer, a follow-up 10-12 --accepted
      c5: follow-up 11-02 --accepted — after the month's end, so October still has no answer for it
    legal-aid:   2 referred, 1 accepted, 1 declined, 0 not recorded; feedback: both in time (the next
                 referral 10-08, the close 10-14)
    counselling: 2 referred, 1 accepted, 0 declined, 1 not recorded; feedback: c2's overdue at the
                 month's end (7 working days from 10-08, with 10-10 a working Saturday: due 10-16),
                 c5's still awaited (due in November)
    total:       4 referred, 2 accepted, 1 declined, 1 not recorded."""
    c2, c5 = book.c2, book.c5
    book.run("refer", c2, "--to", "legal-aid", "--at", "2026-10-06 10:00")
    r = book.run("followup", c2, "--note", "法援中心不受理", "--declined", "--at", "2026-10-07 10:00")
    assert f"on {c2} (市法律援助中心: declined)" in r.stdout
    book.run("refer", c2, "--to", "counselling", "--at", "2026-10-08 10:00")
    book.run("followup", c2, "--note", "已去电询问", "--at", "2026-10-09 10:00")
    book.run("followup", c2, "--note", "心理咨询中心已接收", "--accepted", "--at", "2026-10-12 10:00")
    book.run("followup", c5, "--note", "已接收", "--accepted", "--at", "2026-11-02 10:00")


def test_referrals_accepted_declined_or_not_recorded_per_partner(upbook, tmp_path):
    _answers(upbook)
    ref = _upward(upbook)["referrals"]
    rows = {p["id"]: p for p in ref["partners"]}
    keys = ("count", "accepted", "declined", "no_answer", "met", "late", "running", "overdue")
    assert tuple(rows["legal-aid"][k] for k in keys) == (2, 1, 1, 0, 2, 0, 0, 0)
    assert tuple(rows["counselling"][k] for k in keys) == (2, 1, 0, 1, 0, 0, 1, 1)
    assert tuple(ref[k] for k in keys) == (4, 2, 1, 1, 2, 0, 1, 1)
    # the same numbers in the Word report, read back
    out = tmp_path / "2026-10.docx"
    upbook.run("report", "--month", "2026-10", "--format", "docx", "--output", str(out))
    table = next(t for t in _docx_tables(out) if t[0][0] == "partner")
    assert table[0] == ["partner", "referrals", "accepted", "declined", "answer not recorded", "feedback in time",
                        "feedback late", "awaited", "overdue"]
    assert _rows(table) == {"市法律援助中心": ["2", "1", "1", "0", "2", "0", "0", "0"],
                            "心理咨询中心": ["2", "1", "0", "1", "0", "0", "1", "1"],
                            "total": ["4", "2", "1", "1", "2", "0", "1", "1"]}
    # and in the monthly bulletin (Markdown, HTML), in Chinese
    md = upbook.run("report", "--month", "2026-10", env={"HOTLINE_LANG": "zh-CN"}).stdout
    assert "| 市法律援助中心 | 2 | 1 | 1 | 0 | 2 | 0 | 0 | 0 |" in md
    assert "| 心理咨询中心 | 2 | 1 | 0 | 1 | 0 | 0 | 1 | 1 |" in md
    assert "已接收 2 次，未接收 1 次，未记录是否接收 1 次" in md
    html = upbook.run("report", "--month", "2026-10", "--format", "html", env={"HOTLINE_LANG": "zh-CN"}).stdout
    assert "<th class=\"num\">已接收</th>" in html and "未记录是否接收 1 次" in html
    # in Chinese, the Word table's headers are Chinese
    zh = tmp_path / "zh.docx"
    upbook.run("report", "--month", "2026-10", "--format", "docx", "--output", str(zh), env={"HOTLINE_LANG": "zh-CN"})
    head = next(t for t in _docx_tables(zh) if "已接收" in t[0])[0]
    assert head[2:5] == ["已接收", "未接收", "未记录是否接收"]
    # November: c5's answer (11-02) answers an October referral: November made none
    assert _upward(upbook, "2026-11")["referrals"]["count"] == 0


def test_an_answer_needs_a_referral_and_one_of_accepted_or_declined(upbook):
    c1 = upbook.c1
    before = upbook.git("rev-parse", "HEAD")
    text = upbook.case_file(c1).read_text(encoding="utf-8")
    r = upbook.run("followup", c1, "--note", "回电", "--accepted", expect=2)
    assert f"case {c1} has no referral before this event" in r.stderr
    upbook.run("refer", c1, "--to", "legal-aid", "--at", "2026-10-04 10:00")
    after_refer = upbook.git("rev-parse", "HEAD")
    assert after_refer != before
    text = upbook.case_file(c1).read_text(encoding="utf-8")
    r = upbook.run("followup", c1, "--note", "回电", "--accepted", "--declined", expect=2)
    assert "--accepted and --declined exclude each other" in r.stderr
    r = upbook.run("close", c1, "--outcome", "resolved", "--accepted", "--declined", expect=2)
    assert upbook.git("rev-parse", "HEAD") == after_refer and upbook.case_file(c1).read_text(encoding="utf-8") == text
    # an answer at a revisit after the close answers the latest referral too
    upbook.run("close", c1, "--outcome", "resolved", "--at", "2026-10-05 10:00")
    upbook.run("followup", c1, "--revisit", "--note", "法援中心已受理", "--accepted", "--at", "2026-10-06 10:00")
    assert "partner_answer: accepted" in upbook.case_file(c1).read_text(encoding="utf-8")
    shown = upbook.run("show", c1).stdout
    assert "[referral accepted]" in shown
    card = json.loads(upbook.run("show", c1, "--format", "json").stdout)
    assert card["events"][-1]["partner_answer"] == "accepted"
    zh = upbook.run("show", c1, env={"HOTLINE_LANG": "zh-CN"}).stdout
    assert "转介已接收" in zh
    assert _upward(upbook)["referrals"]["accepted"] == 2   # c3's and c1's


@pytest.mark.parametrize("value, where", [
    ("'yes'", "followup"), ("true", "followup"), ("已接收", "followup"), ("[accepted]", "followup"),
    ("accepted", "refer"), ("declined", "intake")])
def test_a_hostile_answer_in_a_case_file_is_named_by_check(upbook, value, where):
    path = upbook.case_file(upbook.c1)
    text = path.read_text(encoding="utf-8")
    if where == "followup":
        upbook.run("refer", upbook.c1, "--to", "legal-aid", "--at", "2026-10-04 10:00")
        upbook.run("followup", upbook.c1, "--note", "回电", "--declined", "--at", "2026-10-04 11:00")
        text = path.read_text(encoding="utf-8")
        assert text.count("partner_answer: declined") == 1
        text = text.replace("partner_answer: declined", f"partner_answer: {value}")
    else:
        if where == "refer":
            upbook.run("refer", upbook.c1, "--to", "legal-aid", "--at", "2026-10-04 10:00")
            text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        i = next(n for n, line in enumerate(lines) if line.strip() == f"type: {where}")
        lines.insert(i + 1, lines[i].replace(f"type: {where}", f"partner_answer: {value}"))
        text = "\n".join(lines) + "\n"
    path.write_text(text, encoding="utf-8")
    line = 1 + text.splitlines().index(next(x for x in text.splitlines() if "partner_answer:" in x))
    r = upbook.run("check", expect=1)
    rel = path.relative_to(upbook.root).as_posix()
    got = [x for x in r.output.replace("\\", "/").splitlines() if f"{rel}:{line}:" in x]
    assert got and "partner_answer" in got[0], r.output
    assert ("must be 'accepted' or 'declined'" in got[0]) if where == "followup" else ("belongs on a follow-up" in got[0])


def test_an_answer_with_no_referral_before_it_is_named_by_check(upbook):
    """A hand edit or a merge can leave an answer before any referral: check names it."""
    path = upbook.case_file(upbook.c1)
    upbook.run("followup", upbook.c1, "--note", "回电", "--at", "2026-10-04 11:00")
    text = path.read_text(encoding="utf-8").replace("  type: followup\n", "  type: followup\n  partner_answer: accepted\n")
    path.write_text(text, encoding="utf-8")
    r = upbook.run("check", expect=1)
    line = 1 + text.splitlines().index("  partner_answer: accepted")
    assert f"{path.relative_to(upbook.root).as_posix()}:{line}: a partner's answer (accepted) with no referral before it" \
        in r.output.replace("\\", "/")


def test_the_answer_round_trips_through_the_register_and_bad_cells_are_named(upbook, env, tmp_path):
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    from tests.test_import import _comparable, cases_of, fresh_book

    _answers(upbook)
    out = tmp_path / "register.xlsx"
    upbook.run("list", "--format", "xlsx", "--output", str(out))
    wb = load_workbook(out)
    events = wb["事件"]
    head = [c.value for c in events[1]]
    col, twin = head.index("是否接收"), head.index("partner_answer")
    answers = sorted((r[col].value, r[twin].value) for r in events.iter_rows(min_row=2) if r[col].value)
    assert answers == [("accepted", "accepted")] * 3 + [("declined", "declined")]
    other = fresh_book(env, upbook.runner)
    other.run("import", str(out), user="xu")
    before, after = cases_of(upbook), cases_of(other)
    for cid in (upbook.c2, upbook.c5):
        assert _comparable(after[cid]) == _comparable(before[cid])
    assert [e.get("partner_answer") for e in after[upbook.c2]["events"]] == \
        [None, None, "declined", None, None, "accepted"]
    other.run("check")
    # Chinese labels and 是/否 read too; anything else is named cell by cell
    row_of = {(r[0].value, r[head.index("type")].value): r[0].row for r in events.iter_rows(min_row=2)}
    follow = [r[0].row for r in events.iter_rows(min_row=2) if r[col].value == "declined"][0]
    events.cell(row=follow, column=col + 1).value = "未接收"
    events.cell(row=follow, column=twin + 1).value = None
    wb.save(out)
    third = fresh_book(env, upbook.runner, name="third")
    third.run("import", str(out), user="xu")
    assert [e.get("partner_answer") for e in cases_of(third)[upbook.c2]["events"]][2] == "declined"
    events.cell(row=follow, column=col + 1).value = "也许"
    refer_row = row_of[(upbook.c5, "refer")]
    events.cell(row=refer_row, column=col + 1).value = "已接收"
    wb.save(out)
    fourth = fresh_book(env, upbook.runner, name="fourth")
    r = fourth.run("import", str(out), user="xu", expect=2)
    letter = get_column_letter(col + 1)
    assert f"{out}[事件]:{follow}:{letter}: 是否接收 '也许' is neither accepted nor declined" in r.stderr
    assert f"{out}[事件]:{refer_row}:{letter}: 是否接收 is only for a follow-up, a revisit or a closing" in r.stderr
    assert not list((fourth.root / "cases").rglob("*.yaml"))


def test_the_answer_is_kept_by_the_index_and_the_merge():
    from datetime import datetime, timezone

    from hotline.domain.model import Case, Event
    from hotline.storage import casefile, merge

    t = lambda h: datetime(2026, 10, 8, h, tzinfo=timezone.utc)  # noqa: E731
    base = Case("261008-AAAAA", t(1), "phone", "gray", "wang", "party", categories=["other"], needs=["legal"],
                summary="x", events=[Event("intake", t(1), "wang", id="AAAAAAAA"),
                                     Event("refer", t(2), "wang", to="legal-aid", id="BBBBBBBB")])
    assert casefile.case_from_json(casefile.case_to_json(base)).events == base.events
    ours = casefile.parse_case(casefile.dump_case(base), Path("x.yaml"))
    ours.events.append(Event("followup", t(3), "wang", note="已接收", id="CCCCCCCC", partner_answer="accepted"))
    theirs = casefile.parse_case(casefile.dump_case(base), Path("x.yaml"))
    theirs.events.append(Event("urge", t(4), "li", id="DDDDDDDD"))
    merged = merge.merge_cases(base, ours, theirs)
    assert [(e.type, e.partner_answer) for e in merged.events] == [
        ("intake", None), ("refer", None), ("followup", "accepted"), ("urge", None)]
    assert casefile.case_from_json(casefile.case_to_json(merged)).events[2].partner_answer == "accepted"
    # one event id, two versions that differ only in the answer: both are kept, neither rewritten
    theirs = casefile.parse_case(casefile.dump_case(base), Path("x.yaml"))
    theirs.events.append(Event("followup", t(3), "wang", note="已接收", id="CCCCCCCC", partner_answer="declined"))
    merged = merge.merge_cases(base, ours, theirs)
    assert sorted(e.partner_answer for e in merged.events if e.type == "followup") == ["accepted", "declined"]
    assert [a for _e, a in merged.referral_answers()] == ["accepted"] or \
        [a for _e, a in merged.referral_answers()] == ["declined"]


def test_the_word_reports_set_the_intended_chinese_fonts_on_a4_and_keep_tables_on_the_page(upbook, tmp_path):
    """GB/T 9704 as the template promises it, read back from the reports themselves: A4 with a text
    width of 156 mm; the East Asian font of each style named (w:eastAsia: Word, WPS and LibreOffice
    use it for Chinese) — title 方正小标宋简体 (黑体 its alternative in the font table), headings 黑体,
    text and tables 仿宋; every table cell in a table style, every table within the text width,
    its header row repeated on each page."""
    from docx import Document
    from docx.oxml.ns import qn

    upbook.run("report", "--month", "2026-10", "--format", "docx", "--output", str(tmp_path / "m.docx"))
    upbook.run("report", "--year", "2026", "--format", "docx", "--output", str(tmp_path / "y.docx"))
    for name in ("m.docx", "y.docx"):
        doc = Document(str(tmp_path / name))
        sec = doc.sections[0]
        assert (round(sec.page_width.mm), round(sec.page_height.mm)) == (210, 297)
        assert round(sec.page_width.mm - sec.left_margin.mm - sec.right_margin.mm) == 156

        def east_asian(style) -> str:
            fonts = style.element.rPr.find(qn("w:rFonts"))
            return fonts.get(qn("w:eastAsia"))

        styles = doc.styles
        assert east_asian(styles["报告标题"]) == "方正小标宋简体" and east_asian(styles["一级标题"]) == "黑体"
        assert east_asian(styles["Normal"]) == east_asian(styles["表格文字"]) == east_asian(styles["表格小字"]) == "仿宋"
        table_xml = next(r.target_part.blob for r in doc.part.rels.values() if r.reltype.endswith("/fontTable"))
        assert "方正小标宋简体".encode() in table_xml and "黑体".encode() in table_xml
        assert doc.paragraphs[0].style.name == "报告标题"
        assert [p.style.name for p in doc.paragraphs if p.text.strip()][2] == "一级标题"
        table_styles = {styles["表格文字"].style_id, styles["表格小字"].style_id}
        for t in doc.tables:
            grid = sum(int(c.get(qn("w:w"))) for c in t._tbl.tblGrid.findall(qn("w:gridCol")))
            assert grid <= 156 * 56.7, (name, t.rows[0].cells[0].text)
            assert t.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
            for row in t.rows:
                for cell in row.cells:
                    assert cell.paragraphs[0].style.style_id in table_styles
