"""`--format xlsx --output FILE` of list, overdue, score and report: Chinese headers, the ids beside
the labels, real dates in the book's time zone, fitted widths, text that stays text, and no
personal data unless `list --reveal`."""
from __future__ import annotations

import json
import zipfile
from datetime import datetime

import openpyxl
import pytest


def workbook_text(path) -> str:
    """Every XML part of a workbook, as text (to look for what must not be there)."""
    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))


def test_list_xlsx_writes_the_register_and_its_events_with_chinese_headers_and_real_dates(book, tmp_path):
    cid = book.intake("--name", "郑女士", "--contact", "13800000104", "--response", "告知法律援助申请流程", grade="gray")
    book.run("refer", cid, "--to", "legal-aid", "--note", "转法律援助", "--at", "2026-11-21 10:00")
    out = tmp_path / "list.xlsx"
    r = book.run("list", "--format", "xlsx", "--output", str(out))
    assert r.stdout.strip() == f"Wrote 1 case(s) to {out} (2 sheet(s))"
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["个案", "事件"]
    ws = wb["个案"]
    headers = [c.value for c in ws[1]]
    assert headers[:12] == ["个案编号", "原编号", "受理时间", "状态", "status", "渠道", "channel", "分级", "grade",
                            "来电者身份", "role", "问题类别"]
    assert "姓名" not in headers and "联系方式" not in headers
    row = dict(zip(headers, [c.value for c in ws[2]]))
    assert row["个案编号"] == cid and row["received" if "received" in row else "受理时间"] == datetime(2026, 11, 20, 15, 0)
    assert ws.cell(row=2, column=3).number_format == "yyyy-mm-dd hh:mm"
    assert (row["渠道"], row["channel"], row["分级"], row["grade"]) == ("电话", "phone", "灰色·转介个案", "gray")
    assert (row["转介机构"], row["referred_to"], row["转介时间"]) == ("市法律援助中心", "legal-aid", datetime(2026, 11, 21, 10, 0))
    assert (row["负责人"], row["owner"], row["同意公开"]) == ("王芳", "wang", "否")
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(headers))}2"
    # widths fitted to the content: a Chinese character counts two, plus a margin of two
    col = openpyxl.utils.get_column_letter(headers.index("回应") + 1)
    assert ws.column_dimensions[col].width == 2 * len("告知法律援助申请流程") + 2
    events = [[c.value for c in r] for r in wb["事件"].iter_rows()]
    assert events[0][:8] == ["个案编号", "时间", "事件", "type", "操作人", "by", "对象", "to"]
    assert [e[3] for e in events[1:]] == ["intake", "refer"] and events[2][6:8] == ["市法律援助中心", "legal-aid"]
    assert "13800000104" not in workbook_text(out) and "郑女士" not in workbook_text(out)


def test_list_reveal_adds_the_personal_columns_and_is_never_written_inside_the_book(book, tmp_path):
    book.intake("--name", "郑女士", "--contact", "13800000104")
    inside = book.root / "list.xlsx"
    r = book.run("list", "--format", "xlsx", "--output", str(inside), "--reveal", expect=2)
    assert "inside the book" in r.stderr and not inside.exists()
    out = tmp_path / "list.xlsx"
    book.run("list", "--format", "xlsx", "--output", str(out), "--reveal")
    ws = openpyxl.load_workbook(out)["个案"]
    row = dict(zip([c.value for c in ws[1]], [c.value for c in ws[2]]))
    assert (row["姓名"], row["联系方式"]) == ("郑女士", "13800000104")


def test_list_reveal_without_a_key_says_so_and_writes_nothing(book, tmp_path):
    book.intake("--contact", "13800000104")
    out = tmp_path / "list.xlsx"
    r = book.run("list", "--format", "xlsx", "--output", str(out), "--reveal", expect=2,
                 env={"HOTLINE_IDENTITY": str(tmp_path / "nobody.txt")})
    assert "no identity file" in r.stderr and not out.exists()


@pytest.mark.parametrize("args, says", [
    (("list", "--format", "xlsx"), "--format xlsx needs --output FILE.xlsx"),
    (("overdue", "--format", "xlsx"), "--format xlsx needs --output FILE.xlsx"),
    (("score", "--month", "2026-11", "--format", "xlsx"), "--format xlsx needs --output FILE.xlsx"),
    (("report", "--month", "2026-11", "--format", "xlsx"), "--format xlsx needs --output FILE.xlsx"),
    (("list", "--format", "csv", "--reveal"), "--reveal is for --format xlsx"),
    (("list", "--reveal"), "--reveal is for --format xlsx"),
    (("list", "--format", "xlsx", "--output", "x.csv"), "must end in .xlsx"),
])
def test_a_workbook_is_never_printed_and_bad_options_are_one_line(book, args, says):
    r = book.run(*args, expect=2)
    assert says in r.stderr and len(r.stderr.strip().splitlines()) == 1 and r.stdout == ""


def test_text_that_looks_like_a_formula_stays_text(book, tmp_path):
    cid = book.intake("--summary", '=HYPERLINK("http://example.org","点此")')
    out = tmp_path / "list.xlsx"
    book.run("list", "--format", "xlsx", "--output", str(out))
    ws = openpyxl.load_workbook(out)["个案"]
    headers = [c.value for c in ws[1]]
    cell = ws.cell(row=2, column=headers.index("摘要") + 1)
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")
    assert "<f>" not in workbook_text(out)
    assert cid


def test_overdue_xlsx_has_the_rows_of_json_with_labels_ids_and_local_due_times(book, tmp_path):
    book.intake(grade="red", at="2026-11-20 15:00")
    rows = json.loads(book.run("overdue", "--format", "json").stdout)
    out = tmp_path / "overdue.xlsx"
    book.run("overdue", "--format", "xlsx", "--output", str(out))
    ws = openpyxl.load_workbook(out)["超时与临期"]
    headers = [c.value for c in ws[1]]
    assert headers[:6] == ["小组", "group", "个案编号", "时限", "kind", "截止时间"]
    got = [dict(zip(headers, [c.value for c in r])) for r in ws.iter_rows(min_row=2)]
    assert [(g["个案编号"], g["kind"]) for g in got] == [(r["case"], r["kind"]) for r in rows]
    respond = next(g for g in got if g["kind"] == "respond")
    assert respond["截止时间"] == datetime(2026, 11, 20, 16, 0) and respond["超时/临期"] == "超时"
    assert (respond["小组"], respond["负责人"], respond["owner"]) == ("一组", "王芳", "wang")


def test_score_xlsx_has_people_and_groups_as_json_ranks_them(book, tmp_path):
    book.run("award", "li", "lecture_outreach", "--date", "2026-11-05")
    data = json.loads(book.run("score", "--month", "2026-11", "--format", "json").stdout)
    out = tmp_path / "score.xlsx"
    book.run("score", "--month", "2026-11", "--format", "xlsx", "--output", str(out))
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:2] == ["个人积分 2026-11", "小组积分 2026-11"]
    people = [[c.value for c in r] for r in wb["个人积分 2026-11"].iter_rows()]
    assert people[0] == ["名次", "姓名", "id", "小组", "group", "加减", "积分"]
    assert [(r[2], r[0], r[6]) for r in people[1:]] == [(p["id"], p["rank"], p["score"]) for p in data["people"]]
    assert people[1][:7] == [1, "李娜", "li", "一组", "g1", 10, 110]


def test_report_xlsx_has_one_sheet_per_table_and_no_personal_data(book, tmp_path):
    cid = book.intake("--name", "郑女士", "--contact", "13800000104", "--consent-publish", grade="red")
    book.run("close", cid, "--outcome", "resolved", "--at", "2026-11-21 10:00")
    data = json.loads(book.run("report", "--month", "2026-11", "--format", "json").stdout)
    out = tmp_path / "report.xlsx"
    r = book.run("report", "--month", "2026-11", "--format", "xlsx", "--output", str(out))
    assert f"to {out}" in r.stdout
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["概览", "分级", "渠道", "问题大类", "问题类别", "来电者身份", "需求", "性别", "年龄段", "地区",
                             "热点问题", "上升问题", "红色个案", "转介", "结案", "超时个案", "志愿者工作量", "小组排名",
                             "个人排名", "典型案例", "近12个月趋势"]
    overview = {r[0].value: r[1].value for r in wb["概览"].iter_rows(min_row=2)}
    assert overview["本月受理"] == data["received"] == 1 and overview["红色个案"] == 1 and overview["本月结案"] == 1
    grades = [[c.value for c in r] for r in wb["分级"].iter_rows()]
    assert grades[0] == ["分级", "grade", "个案数", "占比(%)"] and grades[2] == ["红色·紧急求助", "red", 1, 100.0]
    assert [c.value for c in wb["典型案例"][2]][6] == "询问起诉程序"
    text = workbook_text(out)
    assert "13800000104" not in text and "郑女士" not in text


# ---------------------------------------------------------------- CSV: text never a formula (issue #22, class 9)

# What another office can put in the roster, a leave request, a ledger note or a case: each a
# live formula if a CSV cell began with it.
HOSTILE = {
    "wang_name": "=HYPERLINK(\"http://evil.example\",\"王芳\")", "li_name": "+李娜", "zhao_name": "-赵强",
    "chen_name": "@陈静", "xu_name": "＝徐青", "g1": "\t一组", "g2": "－二组", "partner": "@SUM(1,2)援助中心",
    "leave": "=cmd|' /C calc'!A0", "note": "+1+2 讲座", "penalty": " =1+1 迟到",
}
FORMULA_FIRST = "=+-@\t\r＝＋－＠﹦﹢﹣﹫"


def _hostile_book(book):
    import conftest
    from hotline.trust import privacy

    roster = conftest.roster_text(book.root.parent)
    for old, key in (("王芳", "wang_name"), ("李娜", "li_name"), ("赵强", "zhao_name"), ("陈静", "chen_name"),
                     ("徐青", "xu_name"), ("一组", "g1"), ("二组", "g2"), ("市法律援助中心", "partner")):
        roster = roster.replace(f"name: {old}", "name: " + json.dumps(HOSTILE[key], ensure_ascii=False))
    (book.root / "roster.yaml").write_text(roster, encoding="utf-8")
    book.git("commit", "-qam", "a roster from another office")
    cid = book.intake("--summary", "=2+3 询问", at="2026-10-09 10:00")
    book.run("refer", cid, "--to", "legal-aid", "--at", "2026-10-09 11:00")
    book.run("leave", "li", "--from", "2026-11-24", "--to", "2026-11-25", "--reason", HOSTILE["leave"])
    book.run("award", "li", "lecture_centre", "--date", "2026-10-16", "--note", HOSTILE["note"])
    book.run("penalize", "li", "late_or_early", "--date", "2026-10-17", "--note", HOSTILE["penalty"])
    return cid


CSV_COMMANDS = [("list",), ("list", "--status", "referred"), ("overdue", "--as-of", "2026-11-23 12:00"),
                ("score", "--month", "2026-10"), ("score", "--month", "2026-10", "--person", "li"),
                ("score", "--year", "2026"), ("leave", "--list"), ("leave", "--list", "li"), ("roster",),
                ("duty", "--week", "2026-W48"), ("duty", "--at", "2026-11-24 10:00"), ("check",)]


def test_every_csv_listing_writes_formula_looking_text_as_text_and_numbers_as_numbers(book, tmp_path):
    import csv
    import io

    _hostile_book(book)
    seen: dict[tuple, list[list[str]]] = {}
    for args in CSV_COMMANDS:
        r = book.run(*args, "--format", "csv", expect=None)
        assert r.exit_code in (0, 1), (args, r.output)  # check: 1 when it has something to say
        out = tmp_path / "out.csv"
        book.run(*args, "--format", "csv", "--output", str(out), expect=None)
        for text in (r.stdout.lstrip("\ufeff"), out.read_text(encoding="utf-8-sig")):
            rows = list(csv.reader(io.StringIO(text)))
            seen[args] = rows
            for row in rows[1:]:  # the header row holds the tool's own words (`+/-`)
                for cell in row:
                    if cell and not cell.lstrip("-").replace(".", "", 1).isdigit():  # numbers stay numbers
                        assert cell[0] not in FORMULA_FIRST and cell.lstrip()[:1] not in FORMULA_FIRST, (args, cell)
    cells = {c for rows in seen.values() for row in rows for c in row}
    # the hostile texts are all there, each behind one apostrophe (nothing dropped or mangled)
    for key in ("li_name", "zhao_name", "chen_name", "g1", "g2", "leave", "note", "penalty"):
        said = {HOSTILE[key], HOSTILE[key].strip()}  # typed text is trimmed when recorded
        assert any(c.startswith("'" + x) for c in cells for x in said), key
    person = seen[("score", "--month", "2026-10", "--person", "li")]
    header = person[0]
    points = [row[header.index("points")] for row in person[1:]]
    assert points == ["5", "-5"]  # a penalty is the number -5, not the text '-5


@pytest.mark.parametrize("text, csv_cell", [
    ("=1+1", "'=1+1"), ("+8613900000001", "'+8613900000001"), ("-5 迟到", "'-5 迟到"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("  =1+1", "'  =1+1"), ("\u3000＝1+1", "'\u3000＝1+1"), ("＋1", "'＋1"),
    ("﹦1", "'﹦1"), ("－1", "'－1"), ("＠x", "'＠x"), ("'=1", "''=1"), ("王芳", "王芳"), ("a=1", "a=1"), ("", ""),
    ("'quoted", "'quoted"), ("'\tx", "''\tx"), ("5-1", "5-1"), (-5, -5), (2.5, 2.5), (0, 0),
])
def test_the_csv_writer_neutralises_text_cells_only(text, csv_cell):
    from hotline.domain.text import unneutralise
    from hotline.render.tables import csv_cell as cell

    assert cell(text) == csv_cell
    if isinstance(text, str):
        assert unneutralise(cell(text)) == text  # what an import of the CSV reads back


def test_hotline_has_one_csv_writer():
    """Every CSV goes out through render.tables.csv_text (no other csv.writer in the package)."""
    from pathlib import Path

    import hotline

    pkg = Path(hotline.__file__).parent
    writers = sorted(str(p.relative_to(pkg)) for p in pkg.rglob("*.py")
                     if "csv.writer" in p.read_text(encoding="utf-8") or "DictWriter" in p.read_text(encoding="utf-8"))
    assert writers == ["render/tables.py"]
