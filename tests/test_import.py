"""`hotline import` and the register export: spreadsheets in and out (issue #17).

Expectations are computed by hand from the sheets each test writes."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
import yaml

from hotline.trust import privacy
from hotline.cli import app

import conftest

HEADERS = ["受理时间", "渠道", "分级", "来电者身份", "问题类别", "需求", "摘要", "回应", "姓名", "联系方式", "住址", "地区",
           "性别", "年龄段", "负责人", "转介机构", "转介时间", "结案时间", "结果", "未解决原因"]


def xlsx(path: Path, rows: list[list], headers: list[str] = HEADERS, title: str | None = None,
         events: list[list] | None = None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "登记表"
    if title:
        ws.append([title])
    ws.append(headers)
    for r in rows:
        ws.append(r)
    if events is not None:
        ev = wb.create_sheet("事件")
        for r in events:
            ev.append(r)
    wb.save(path)
    return path


def fresh_book(env: Path, runner, name: str = "book2") -> conftest.TestBook:
    """A second, empty book with the same staff (and the same key) as the `book` fixture."""
    root = env / name
    r = runner.invoke(app, ["init", str(root), "--id", "wang", "--name", "王芳"])
    assert r.exit_code == 0, r.output
    tb = conftest.TestBook(root, env / "home", runner)
    conftest.set_roster(tb, env)
    return tb


def cases_of(book) -> dict[str, dict]:
    return {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in (book.root / "cases").rglob("*.yaml")}


def commits(book) -> int:
    return int(book.git("rev-list", "--count", "HEAD"))


ROW_A = [datetime(2026, 11, 2, 9, 30), "电话", "红色", "幸存者", "家庭暴力、离婚", "法律咨询, help", "被殴打后询问离婚程序",
         "告知法律援助流程", "郑女士", 13800000104, "东莞市长安镇", "东莞", "女", 28, "李娜", "市法律援助中心",
         "2026-11-03 10:00", "2026/11/10 16:00", "已解决", None]
ROW_B = ["2026年11月5日 14时20分", "wechat", "green", "party", "divorce", "consultation", "咨询离婚财产分割", None, None, None,
         None, "惠州", "male", "adult", "zhao", None, None, None, None, None]
ROW_C = ["2026-11-06", "QQ", "灰色·转介个案", "亲属", "自伤/自杀", "危机干预、情绪疏导", "孩子有自伤行为", None, None, None, None,
         None, None, None, None, "legal-aid", datetime(2026, 11, 6, 18, 0), datetime(2026, 11, 9, 9, 0), "未能解决",
         "家长拒绝继续沟通"]


# ---------------------------------------------------------------- a register with Chinese headers

def test_a_sheet_with_chinese_headers_becomes_cases_with_events_in_one_commit(book, tmp_path):
    path = xlsx(tmp_path / "登记表2026.xlsx", [ROW_A, ROW_B, ROW_C], title="2026年热线个案登记表")
    before = commits(book)
    r = book.run("import", str(path), user="xu")
    assert "Imported 3 case(s)" in r.stdout
    assert commits(book) == before + 1
    assert book.git("log", "-1", "--format=%an|%s") == "徐青|import 3 case(s) from 登记表2026.xlsx\n"
    got = sorted(cases_of(book).values(), key=lambda d: d["received"])
    a, b, c = got
    assert a["received"] == "2026-11-02T09:30:00+08:00" and (a["channel"], a["grade"], a["owner"]) == ("phone", "red", "li")
    assert a["caller"] == {"role": "survivor", "gender": "female", "age_group": "youth", "region": "东莞", "occupation": ""}
    assert a["categories"] == ["domestic_violence", "divorce"] and a["needs"] == ["legal", "help"]
    assert (a["summary"], a["response"]) == ("被殴打后询问离婚程序", "告知法律援助流程")
    assert [(e["type"], e["at"], e["by"]) for e in a["events"]] == [
        ("intake", "2026-11-02T09:30:00+08:00", "li"), ("refer", "2026-11-03T10:00:00+08:00", "li"),
        ("close", "2026-11-10T16:00:00+08:00", "li")]
    assert a["events"][1]["to"] == "legal-aid" and a["events"][2]["outcome"] == "resolved"
    assert a["personal"]["key"].startswith("age1") and a["personal"]["caller"]
    assert b["received"] == "2026-11-05T14:20:00+08:00" and (b["channel"], b["grade"], b["owner"]) == ("wechat", "green", "zhao")
    assert (b["caller"]["gender"], b["caller"]["age_group"], b["needs"]) == ("male", "adult", ["consultation"])
    assert [e["type"] for e in b["events"]] == ["intake"] and "personal" not in b
    assert c["received"] == "2026-11-06T00:00:00+08:00" and (c["grade"], c["owner"]) == ("gray", "xu")
    assert c["needs"] == ["crisis", "emotional_support"] and c["categories"] == ["self_harm_suicide"]
    assert c["events"][-1] == {"at": "2026-11-09T09:00:00+08:00", "type": "close", "by": "xu", "outcome": "unresolved",
                               "reason": "家长拒绝继续沟通"}
    assert all(len(d["source"]["fingerprint"]) == 24 for d in got)
    shown = book.run("show", got[0]["id"], "--reveal").stdout
    assert "郑女士" in shown and "13800000104" in shown and "东莞市长安镇" in shown
    history = book.git("log", "-p", "--all")
    assert "13800000104" not in history and "郑女士" not in history and "长安镇" not in history
    book.run("check")


def test_every_bad_cell_is_named_by_row_and_column_and_nothing_is_written(book, tmp_path):
    rows = [
        ROW_A[:2] + ["绿"] + ROW_A[3:],                                 # row 2: C grade unknown
        ROW_B[:6] + ["请回电 13912345678"] + ROW_B[7:],                  # row 3: G phone number in the summary
        ["2026-13-01"] + ROW_B[1:14] + ["张三"] + ROW_B[15:],           # row 4: A not a date, O not in the roster
        ROW_C[:15] + [None] + ROW_C[16:18] + [None, None],             # row 5: P referral without partner, S no outcome
        ROW_C[:18] + ["未能解决", None],                                 # row 6: T unresolved without reason
        ROW_B[:4] + ["家暴、法援"] + ROW_B[5:],                          # row 7: E two unknown categories
    ]
    path = xlsx(tmp_path / "bad.xlsx", rows)
    before = commits(book)
    r = book.run("import", str(path), expect=2)
    lines = r.stderr.strip().splitlines()
    where = [ln.split(": ", 1)[1].split(": ")[0] for ln in lines[:-1]]
    assert where == [f"{path}:2:C", f"{path}:3:G", f"{path}:4:A", f"{path}:4:O", f"{path}:5:P", f"{path}:5:S",
                     f"{path}:6:T", f"{path}:7:E"]
    assert "unknown 分级 '绿'" in lines[0]
    assert "摘要 holds what looks like personal data" in lines[1] and "13912345678" not in r.output
    assert "not a real date" in lines[2] and "'张三' is not in roster.yaml" in lines[3]
    assert "转介机构 is empty, but 转介时间 is given" in lines[4] and "结果 is empty, but 结案时间 is given" in lines[5]
    assert "未解决原因 is empty" in lines[6] and "'家暴', '法援' are not known" in lines[7]
    assert lines[-1] == (f"hotline: 8 bad cell(s) in 6 row(s) of {path}; nothing was written: fix them and import again "
                         "(or --skip-bad imports the 0 good row(s))")
    assert commits(book) == before and not list((book.root / "cases").rglob("*.yaml"))


def test_skip_bad_imports_the_good_rows_and_the_fixed_ones_come_in_once(book, tmp_path):
    bad_b = ROW_B[:2] + ["蓝色"] + ROW_B[3:]
    path = xlsx(tmp_path / "reg.xlsx", [ROW_A, bad_b, ROW_C])
    r = book.run("import", str(path), "--skip-bad")
    assert f"{path}:3:C: unknown 分级 '蓝色'" in r.stderr
    assert "Imported 2 case(s)" in r.stdout and "1 bad row(s) left out" in r.stdout
    assert len(cases_of(book)) == 2
    xlsx(path, [ROW_A, ROW_B, ROW_C])  # the secretary fixes the named cell
    r = book.run("import", str(path))
    assert "Imported 1 case(s)" in r.stdout and "2 row(s) already in the book" in r.stdout
    assert sorted(d["channel"] for d in cases_of(book).values()) == ["phone", "qq", "wechat"]
    before = commits(book)
    r = book.run("import", str(path))
    assert "Nothing to import" in r.stdout and "3 row(s) already in the book" in r.stdout
    assert commits(book) == before


def test_dry_run_prints_what_would_be_created_without_personal_data_and_writes_nothing(book, tmp_path):
    path = xlsx(tmp_path / "reg.xlsx", [ROW_A, ROW_B])
    before = commits(book)
    r = book.run("import", str(path), "--dry-run")
    lines = r.stdout.strip().splitlines()
    assert lines[0] == ("row 2: new case 2026-11-02 09:30 红色 电话 家庭暴力、离婚; owner li; → legal-aid, 已解决; "
                        "personal: name, contact, address (encrypted)")
    assert lines[1] == "row 3: new case 2026-11-05 14:20 绿色 微信 离婚; owner zhao"
    assert lines[2].startswith("Would import 2 case(s)") and "nothing was written" in lines[2]
    assert "13800000104" not in r.output and "郑女士" not in r.output
    assert commits(book) == before and not list((book.root / "cases").rglob("*.yaml"))


def test_a_sheet_with_personal_data_inside_the_book_is_imported_with_a_warning(book):
    path = xlsx(book.root / "登记表.xlsx", [ROW_A])
    r = book.run("import", str(path))
    assert "holds callers' personal data in clear and lies inside the book: move it out" in r.stderr
    assert "登记表.xlsx" not in book.git("ls-files")


def test_rows_imported_by_another_import_meanwhile_are_refused(book, tmp_path):
    from hotline.writes import importer
    from hotline.book import Book
    from hotline.errors import UsageError

    path = xlsx(tmp_path / "reg.xlsx", [ROW_A, ROW_B])
    mine = Book.open(str(book.root), "wang")
    plan = importer.plan(mine, path)
    book.run("import", str(path))  # someone else, meanwhile
    with pytest.raises(UsageError, match="row 2 was imported meanwhile"):
        importer.write(mine, plan, privacy.load_identity())
    assert len(cases_of(book)) == 2


def test_a_hotline_id_is_kept_when_it_is_the_day_received_and_anything_else_is_the_old_number(book, tmp_path):
    path = xlsx(tmp_path / "ids.xlsx", [["261105-ABCDE"] + ROW_B[:7], ["261120-ABCDF"] + ROW_B[:7],
                                        ["2025-0012"] + ROW_C[:7]], headers=["个案编号"] + HEADERS[:7])
    r = book.run("import", str(path), expect=2)
    assert r.stderr.splitlines()[0] == (f"hotline: {path}:3:A: 个案编号 261120-ABCDF does not match 受理时间 2026-11-05: "
                                        "an id begins with the day received (YYMMDD)")
    xlsx(path, [["261105-abcde"] + ROW_B[:7], ["2025-0012"] + ROW_C[:7]], headers=["个案编号"] + HEADERS[:7])
    book.run("import", str(path))
    got = cases_of(book)
    assert "261105-ABCDE" in got and got["261105-ABCDE"]["source"] == {"fingerprint": got["261105-ABCDE"]["source"]["fingerprint"]}
    (other,) = [d for k, d in got.items() if k != "261105-ABCDE"]
    assert other["source"]["ref"] == "2025-0012" and other["id"].startswith("261106-")


def test_contacts_are_refused_when_your_key_cannot_open_the_caller_key(book, tmp_path):
    path = xlsx(tmp_path / "reg.xlsx", [ROW_A])
    r = book.run("import", str(path), expect=2, env={"HOTLINE_IDENTITY": str(tmp_path / "nobody.txt")})
    assert "your key cannot open keys/caller-key.age" in r.stderr
    assert not list((book.root / "cases").rglob("*.yaml"))


# ---------------------------------------------------------------- fingerprints

def test_the_fingerprint_is_a_hash_of_the_clear_registration_form_and_its_order_never_of_personal_data(book, tmp_path):
    same = ["2026-11-06", "电话", "绿色", "当事人", "离婚", "法律咨询", "咨询离婚程序"]
    path = xlsx(tmp_path / "dates.xlsx", [same + [None, None, "13900000001"], same + [None, None, "13900000002"]],
                headers=HEADERS[:7] + ["回应", "姓名", "联系方式"])
    book.run("import", str(path))
    got = sorted(cases_of(book).values(), key=lambda d: d["source"]["fingerprint"])
    assert len(got) == 2  # the same clear cells, two callers: told apart by their order
    canon = json.dumps(["", "2026-11-05T16:00:00+00:00", "phone", "green", "party", ["divorce"], ["legal"], "咨询离婚程序",
                        "", "unknown", "unknown", "", "", "", False], ensure_ascii=False)
    want = sorted(hashlib.sha256(f"hotline-import-1\n{canon}\n{n}".encode()).hexdigest()[:24] for n in (0, 1))
    assert [d["source"]["fingerprint"] for d in got] == want
    # a corrected phone number is not a new case: the clear form and its place are what count
    xlsx(path, [same + [None, None, "13900000009"], same + [None, None, "13900000002"]],
         headers=HEADERS[:7] + ["回应", "姓名", "联系方式"])
    assert "Nothing to import" in book.run("import", str(path)).stdout


def test_a_case_taken_by_intake_has_no_source_block(book):
    cid = book.intake("--contact", "13800000001")
    text = book.case_file(cid).read_text(encoding="utf-8")
    assert "source" not in text
    assert list(yaml.safe_load(text)) == ["id", "received", "channel", "grade", "owner", "caller", "categories", "needs",
                                          "summary", "consent_publish", "personal", "events"]


# ---------------------------------------------------------------- the round trip

def _fill(book) -> list[str]:
    """A book whose cases use every field and every kind of event."""
    a = book.intake("--name", "郑女士", "--contact", "13800000104", "--address", "东莞市某村", "--notes", "丈夫姓陈",
                    "--response", "告知流程", "--occupation", "制衣厂员工", "--consent-publish", grade="red",
                    at="2026-11-02 09:30")
    book.run("followup", a, "--note", "已回电", "--at", "2026-11-02 10:00")
    book.run("refer", a, "--to", "legal-aid", "--note", "转法律援助", "--at", "2026-11-03 10:00")
    book.run("urge", a, "--note", "请尽快反馈", "--at", "2026-11-05 10:00", user="zhao")
    book.run("assign", a, "--to", "li", "--note", "交接", "--at", "2026-11-06 10:00")
    book.run("close", a, "--outcome", "resolved", "--note", "已起诉", "--at", "2026-11-12 10:00", user="li")
    book.run("followup", a, "--revisit", "--note", "回访稳定", "--at", "2026-11-20 10:00", user="li")
    b = book.intake(grade="gray", at="2026-11-04 15:00", user="chen")
    book.run("amend", b, "--region", "惠州", "--category", "divorce", "--note", "更正地区", "--at", "2026-11-04 16:00")
    book.run("close", b, "--outcome", "unresolved", "--reason", "来电者失联", "--at", "2026-11-07 09:00", user="chen")
    c = book.intake("--contact", "13800000104", at="2026-11-21 11:00")
    book.run("void", c, "--reason", "重复登记", "--at", "2026-11-21 11:05")
    return [a, b, c]


def _comparable(d: dict) -> dict:
    d = dict(d)
    d.pop("source", None)
    # event ids are the book's own (random, for merging clones); a fresh book gives fresh ones
    d["events"] = [{k: v for k, v in e.items() if k != "id"} for e in d["events"]]
    if "personal" in d:
        # data keys and caller ids are the book's own (random): each case has one of each
        d["personal"] = {"has_key": d["personal"]["key"].startswith("age1"), "has_caller": bool(d["personal"].get("caller"))}
    return d


def test_round_trip_list_xlsx_into_a_fresh_book_gives_the_same_cases_fields_and_events(book, env, tmp_path):
    ids = _fill(book)
    out = tmp_path / "register.xlsx"
    r = book.run("list", "--format", "xlsx", "--output", str(out), "--include-void", "--reveal")
    assert "3 case(s) with personal data" in r.stdout
    other = fresh_book(env, book.runner)
    r = other.run("import", str(out), user="xu")
    assert "Imported 3 case(s)" in r.stdout
    before, after = cases_of(book), cases_of(other)
    assert sorted(after) == sorted(before) == sorted(ids)
    for cid in ids:
        assert _comparable(after[cid]) == _comparable(before[cid])
        assert after[cid]["source"]["fingerprint"]
    for cid in ids:
        mine, theirs = book.run("show", cid, "--reveal").stdout, other.run("show", cid, "--reveal").stdout
        assert mine.split("events:")[0] == theirs.split("events:")[0]
    # the repeat caller is recognised in the new book too (its own caller key)
    p = {cid: d.get("personal", {}).get("caller") for cid, d in after.items()}
    assert p[ids[0]] == p[ids[2]] is not None
    other.run("check")
    # importing the export again brings nothing twice; nor does the first book take its own cases back
    assert "Nothing to import" in other.run("import", str(out)).stdout
    assert "3 row(s) already in the book" in book.run("import", str(out)).stdout


def test_an_export_without_reveal_imports_without_personal_data_and_says_so(book, env, tmp_path):
    a = book.intake("--contact", "13800000104", at="2026-11-02 09:30")
    book.intake(at="2026-11-03 09:30")
    out = tmp_path / "register.xlsx"
    book.run("list", "--format", "xlsx", "--output", str(out))
    other = fresh_book(env, book.runner)
    r = other.run("import", str(out))
    assert ("1 row(s) are cases that held personal data, but the sheet holds none of it (rows 2): they are imported "
            "without it") in r.stderr
    assert "personal" not in cases_of(other)[a] and "Imported 2 case(s)" in r.stdout


def test_a_case_row_that_disagrees_with_the_events_sheet_is_named(book, tmp_path):
    a = book.intake(grade="gray", at="2026-11-02 09:30")
    book.run("close", a, "--outcome", "resolved", "--at", "2026-11-03 10:00")
    out = tmp_path / "register.xlsx"
    book.run("list", "--format", "xlsx", "--output", str(out))
    wb = openpyxl.load_workbook(out)
    ws = wb["个案"]
    headers = [c.value for c in ws[1]]
    col = headers.index("结案时间") + 1
    ws.cell(row=2, column=col).value = datetime(2026, 11, 4, 10, 0)
    wb.save(out)
    other_root = tmp_path / "elsewhere.xlsx"
    wb.save(other_root)
    r = book.run("import", str(other_root), expect=2)
    letter = openpyxl.utils.get_column_letter(col)
    assert f"{other_root}:2:{letter}: 结案时间 differs from what the 事件 sheet lists for this case" in r.stderr


def test_problems_on_the_events_sheet_and_disagreeing_twins_are_named_there(book, env, tmp_path):
    a = book.intake(grade="gray", at="2026-11-02 09:30")
    book.run("followup", a, "--note", "已回电", "--at", "2026-11-02 10:00")
    book.run("close", a, "--outcome", "resolved", "--at", "2026-11-03 10:00")
    out = tmp_path / "register.xlsx"
    book.run("list", "--format", "xlsx", "--output", str(out))
    wb = openpyxl.load_workbook(out)
    cases, events = wb["个案"], wb["事件"]
    head = [c.value for c in cases[1]]
    cases.cell(row=2, column=head.index("channel") + 1).value = "wechat"      # 渠道 says 电话
    eh = [c.value for c in events[1]]
    events.cell(row=3, column=eh.index("by") + 1).value = "nobody"           # the follow-up: who?
    events.append([a, datetime(2026, 11, 2, 9, 45), "revisit", "revisit", "王芳", "wang", None, None, None, None])
    wb.save(out)
    other = fresh_book(env, book.runner)
    r = other.run("import", str(out), expect=2)
    ch, by = (openpyxl.utils.get_column_letter(x + 1) for x in (head.index("channel"), eh.index("by")))
    assert f"{out}:2:{ch}: channel 'wechat' disagrees with column F ('电话')" in r.stderr
    assert f"{out}[事件]:3:{by}: by 'nobody' is not in roster.yaml" in r.stderr
    cases.cell(row=2, column=head.index("channel") + 1).value = "phone"
    wb.save(out)
    r = other.run("import", str(out), expect=2)
    assert f"{out}:2:A: the events of this case in the 事件 sheet have problems (listed)" in r.stderr
    events.cell(row=3, column=eh.index("by") + 1).value = "wang"
    wb.save(out)
    r = other.run("import", str(out), expect=2)
    assert f"{out}[事件]:5:C: a revisit before the case was closed" in r.stderr
    assert not list((other.root / "cases").rglob("*.yaml"))


# ---------------------------------------------------------------- CSV, mapping, template

def _csv(rows: list[list]) -> str:
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(HEADERS[:7] + ["联系方式"])
    for r in rows:
        w.writerow(["" if v is None else v for v in r])
    return buf.getvalue()


@pytest.mark.parametrize("encoding, said", [("utf-8-sig", "UTF-8"), ("utf-8", "UTF-8"), ("gbk", "GBK")])
def test_csv_in_utf8_with_or_without_bom_and_in_gbk(book, tmp_path, encoding, said):
    path = tmp_path / "reg.csv"
    path.write_bytes(_csv([ROW_B[:7] + ["13700000001"]]).encode(encoding))
    r = book.run("import", str(path))
    assert f"read {path} as {said}" in r.stderr and "Imported 1 case(s)" in r.stdout
    (d,) = cases_of(book).values()
    assert d["summary"] == "咨询离婚财产分割" and d["personal"]["caller"]


def test_a_csv_that_is_neither_utf8_nor_gbk_is_refused_saying_where(book, tmp_path):
    path = tmp_path / "reg.csv"
    path.write_bytes("受理时间,渠道\n".encode("utf-8") + b"\x80\xff\xfe\n")
    r = book.run("import", str(path), expect=2)
    assert r.stderr.strip() == (f"hotline: {path} is neither UTF-8 text (byte 21 is not UTF-8) nor GBK: save it again "
                                "as \"CSV UTF-8\" or as .xlsx")


def test_a_mapping_file_names_other_headers_and_translates_values(book, tmp_path):
    path = xlsx(tmp_path / "old.xlsx", [["2026-11-03 08:00", "座机", "一般", "本人", "家暴", "法律", "询问保护令", 7]],
                headers=["来电日期", "方式", "程度", "来电人", "问题", "需要", "内容", "序号"])
    r = book.run("import", str(path), expect=2)
    assert "no header row in the first 10 rows of sheet '登记表'" in r.stderr and "--map" in r.stderr
    mapping = tmp_path / "map.yaml"
    mapping.write_text("columns:\n  来电日期: 受理时间\n  方式: channel\n  程度: grade\n  来电人: role\n  问题: 问题类别\n"
                       "  需要: needs\n  内容: summary\n  序号: ignore\n"
                       "values:\n  channel: {座机: phone}\n  grade: {一般: green}\n  role: {本人: party}\n"
                       "  categories: {家暴: domestic_violence}\n  needs: {法律: 法律咨询}\n", encoding="utf-8")
    r = book.run("import", str(path), "--map", str(mapping))
    assert "Imported 1 case(s)" in r.stdout and "columns not imported" not in r.stderr
    (d,) = cases_of(book).values()
    assert (d["channel"], d["grade"], d["caller"]["role"], d["categories"], d["needs"]) == (
        "phone", "green", "party", ["domestic_violence"], ["legal"])
    mapping.write_text("columns:\n  来电日期: when\n", encoding="utf-8")
    r = book.run("import", str(path), "--map", str(mapping), expect=2)
    assert r.stderr.startswith(f"hotline: {mapping}:2: 'when' is not a field; use one of: id, ref, received")


def test_the_template_has_the_headers_and_drop_down_lists_and_imports_once_filled(book, tmp_path):
    path = tmp_path / "template.xlsx"
    assert "Wrote the import template" in book.run("import", "--template", str(path)).stdout
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["个案", "说明", "选项"] and wb["选项"].sheet_state == "hidden"
    ws = wb["个案"]
    headers = [c.value for c in ws[1]]
    assert headers == ["原编号", "受理时间", "渠道", "分级", "来电者身份", "问题类别", "需求", "摘要", "回应", "性别", "年龄段",
                       "地区", "职业", "同意公开", "负责人", "姓名", "联系方式", "住址", "身份备注", "转介机构", "转介时间",
                       "结案时间", "结果", "未解决原因"]
    lists = {str(dv.sqref).split(":")[0]: dv for dv in ws.data_validations.dataValidation}
    channel = lists["C2"]
    assert channel.formula1.startswith("'选项'!$") and channel.showErrorMessage
    col = channel.formula1.split("!$")[1].split("$")[0]
    assert [c.value for c in wb["选项"][col]][1:9] == ["电话", "微信", "QQ", "网页", "电子邮件", "短信", "信件", "来访"]
    assert not lists["F2"].showErrorMessage  # categories: several in one cell, so any text
    owners = lists["O2"].formula1.split("!$")[1].split("$")[0]
    assert [c.value for c in wb["选项"][owners]][1:6] == ["王芳", "李娜", "赵强", "陈静", "徐青"]
    ws.append(["A-001", "2026-11-03 08:00", "电话", "绿色·问题咨询", "当事人", "离婚", "法律咨询", "咨询离婚程序"])
    wb.save(path)
    book.run("import", str(path))
    (d,) = cases_of(book).values()
    assert d["source"]["ref"] == "A-001" and d["owner"] == "wang"


def test_a_sheet_without_a_required_column_is_refused_naming_it(book, tmp_path):
    path = xlsx(tmp_path / "reg.xlsx", [ROW_B[:6]], headers=HEADERS[:6])
    r = book.run("import", str(path), expect=2)
    assert r.stderr.strip() == ("hotline: sheet '登记表' has no column for 摘要 (summary): add it, or name the column "
                                "that holds it with --map")


def test_an_old_xls_file_and_a_missing_file_are_refused_in_one_line(book, tmp_path):
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    r = book.run("import", str(tmp_path / "old.xls"), expect=2)
    assert "save it as .xlsx" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    r = book.run("import", str(tmp_path / "none.xlsx"), expect=2)
    assert r.stderr.strip() == f"hotline: {tmp_path / 'none.xlsx'}: no such file"
    r = book.run("import", expect=2)
    assert "FILE is missing" in r.stderr


# ---------------------------------------------------------------- any cell

def test_any_cells_give_problems_or_cases_never_a_crash():
    from datetime import date
    from zoneinfo import ZoneInfo

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from hotline.domain.importing import Context, Table, read_register
    from hotline.domain.roster import from_data as roster_from
    from hotline.errors import UsageError
    from hotline.storage.config import default_rules_text, parse_rules

    rules = parse_rules(default_rules_text(), Path("rules.yaml"))
    roster = roster_from(yaml.safe_load(conftest.roster_any_keys()))
    tz = ZoneInfo("Asia/Shanghai")
    ctx = Context(rules, roster, tz, datetime(2026, 11, 23, 12, 0, tzinfo=tz), "wang")
    cell = st.one_of(st.none(), st.text(max_size=12), st.integers(-10**12, 10**12), st.floats(allow_nan=True),
                     st.datetimes(), st.dates(min_value=date(1, 1, 1)), st.sampled_from(ROW_A + ROW_B + ROW_C), st.booleans())

    @settings(max_examples=150, deadline=None)
    @given(st.lists(st.lists(cell, max_size=len(HEADERS)), min_size=1, max_size=4))
    def check(rows):
        try:
            reg = read_register(ctx, Table("t", [(1, list(HEADERS))] + [(i, r) for i, r in enumerate(rows, 2)]))
        except UsageError:
            return
        assert all(p.row >= 2 and p.column and p.message for p in reg.problems)
        assert len(reg.entries) + len(reg.bad_rows) == reg.rows

    check()


# ---------------------------------------------------------------- hostile workbooks (issue #22, class 10)

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml"
HEAD7 = HEADERS[:7]   # 受理时间 … 摘要: the required columns
GOOD_ROW = ["2026-11-05 14:20", "wechat", "green", "party", "divorce", "consultation", "咨询离婚财产分割"]


def _row(n: int, values: list) -> bytes:
    cells = []
    for i, v in enumerate(values):
        ref = f"{column_letter(i)}{n}"
        if isinstance(v, bytes):  # a number cell's text as it stands in the file
            cells.append(f'<c r="{ref}"><v>{v.decode()}</v></c>')
        elif isinstance(v, (int, float)):
            cells.append(f'<c r="{ref}"><v>{v}</v></c>')
        else:
            cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{v}</t></is></c>')
    return f'<row r="{n}">{"".join(cells)}</row>'.encode()


def column_letter(i: int) -> str:
    from hotline.domain.importing import column_letter as letter

    return letter(i)


def package(sheet=None, *, rows=(), shared=None, styles=None, workbook=True, level=6) -> bytes:
    """A minimal .xlsx made by hand, so that any part can be what a hostile file holds:
    `sheet` the sheet XML's bytes (or chunks of it), else `rows` (bytes each) in a valid sheet;
    `shared` the shared strings XML (bytes or chunks); `styles` styles.xml."""
    import io
    import zipfile

    overrides = [("/xl/workbook.xml", f"{CT_MAIN}.sheet.main+xml"), ("/xl/worksheets/sheet1.xml", f"{CT_MAIN}.worksheet+xml")]
    rels = [("rId1", "worksheet", "worksheets/sheet1.xml")]
    if shared is not None:
        overrides.append(("/xl/sharedStrings.xml", f"{CT_MAIN}.sharedStrings+xml"))
        rels.append(("rId2", "sharedStrings", "sharedStrings.xml"))
    if styles is not None:
        overrides.append(("/xl/styles.xml", f"{CT_MAIN}.styles+xml"))
        rels.append(("rId3", "styles", "styles.xml"))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/'
                   '2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                   'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
                   + "".join(f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in overrides) + "</Types>")
        z.writestr("_rels/.rels", f'<?xml version="1.0"?><Relationships xmlns="{PKG}"><Relationship Id="rId1" '
                   f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        if workbook:
            z.writestr("xl/workbook.xml", f'<?xml version="1.0"?><workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
                       '<sheet name="个案" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", f'<?xml version="1.0"?><Relationships xmlns="{PKG}">' + "".join(
            f'<Relationship Id="{i}" Type="{REL}/{k}" Target="{t}"/>' for i, k, t in rels) + "</Relationships>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            if sheet is None:
                f.write(f'<?xml version="1.0"?><worksheet xmlns="{MAIN}"><sheetData>'.encode())
                for r in rows:
                    f.write(r)
                f.write(b"</sheetData></worksheet>")
            else:
                for chunk in ([sheet] if isinstance(sheet, bytes) else sheet):
                    f.write(chunk)
        if shared is not None:
            with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as f:
                for chunk in ([shared] if isinstance(shared, bytes) else shared):
                    f.write(chunk)
        if styles is not None:
            z.writestr("xl/styles.xml", styles)
    return buf.getvalue()


def header_and(*rows) -> list[bytes]:
    return [_row(1, HEAD7), *rows]


def refused_in_one_line(book, path: Path, *args: str, seconds: float = 20):
    import time

    before, files = commits(book), set((book.root / "cases").rglob("*"))
    t = time.monotonic()
    r = book.run("import", str(path), *args, expect=2)
    elapsed = time.monotonic() - t
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hotline: ") and "Traceback" not in r.output, r.output
    assert r.stdout == "" and commits(book) == before and set((book.root / "cases").rglob("*")) == files
    assert elapsed < seconds, elapsed
    return lines[0]


DATE_STYLES = (f'<styleSheet xmlns="{MAIN}"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" '
               'applyNumberFormat="1"/></cellXfs></styleSheet>')
DAMAGED = {
    "styles.xml that is no XML": dict(rows=header_and(), styles="<styleSheet><<<"),
    "styles.xml with a bad number format": dict(rows=header_and(), styles=f'<styleSheet xmlns="{MAIN}"><numFmts>'
                                                '<numFmt numFmtId="x" formatCode="y"/></numFmts></styleSheet>'),
    "a sheet cut in the middle": dict(sheet=f'<?xml version="1.0"?><worksheet xmlns="{MAIN}"><sheetData>'.encode()
                                      + _row(1, HEAD7) + b'<row r="2"><c r="A2"><v>1'),
    "a sheet that is no XML": dict(sheet=b"\x00\x01\x02 not xml at all"),
    "NaN in a number cell": dict(rows=header_and(b'<row r="2"><c r="A2"><v>NaN</v></c></row>')),
    "NaN in a date cell": dict(rows=header_and(b'<row r="2"><c r="A2" s="1"><v>NaN</v></c></row>'), styles=DATE_STYLES),
    "a text index out of range": dict(rows=header_and(b'<row r="2"><c r="G2" t="s"><v>99</v></c></row>'),
                                      shared=f'<sst xmlns="{MAIN}"><si><t>a</t></si></sst>'.encode()),
    "a boolean that is none": dict(rows=header_and(b'<row r="2"><c r="A2" t="b"><v>x</v></c></row>')),
    "a date that is none": dict(rows=header_and(b'<row r="2"><c r="A2" t="d"><v>notadate</v></c></row>')),
    "a cell reference that is none": dict(rows=header_and(b'<row r="2"><c r="!!"><v>1</v></c></row>')),
    "shared strings that are no XML": dict(rows=header_and(), shared=b"<sst><si><t>a</t></si"),
    "no workbook part": dict(rows=header_and(), workbook=False),
    "an entity expansion bomb": dict(sheet=(
        '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">'
        + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
        + f']><worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&j;</t></is></c></row>'
        '</sheetData></worksheet>').encode()),
}


@pytest.mark.parametrize("case", list(DAMAGED))
def test_a_damaged_workbook_is_one_line_naming_the_file_and_writes_nothing(book, tmp_path, case):
    path = tmp_path / "登记表.xlsx"
    path.write_bytes(package(**DAMAGED[case]))
    line = refused_in_one_line(book, path)
    assert str(path) in line and "save it again as .xlsx" in line


def test_a_file_that_is_no_workbook_or_is_encrypted_is_one_line(book, tmp_path):
    import io
    import zipfile

    good = package(rows=header_and(_row(2, GOOD_ROW)))
    path = tmp_path / "登记表.xlsx"
    for data, says in ((good[: len(good) // 2], "is not an .xlsx workbook"), (b"", "is not an .xlsx workbook"),
                       ("受理时间,渠道\n".encode(), "is not an .xlsx workbook"),
                       (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4000), "is password-protected")):
        path.write_bytes(data)
        assert says in refused_in_one_line(book, path)
    # a part whose data does not match its checksum
    src = zipfile.ZipFile(io.BytesIO(good))
    stored = io.BytesIO()
    with zipfile.ZipFile(stored, "w", zipfile.ZIP_STORED) as z:
        for name in src.namelist():
            z.writestr(name, src.read(name))
    path.write_bytes(stored.getvalue().replace("咨询离婚财产分割".encode(), "咨询离婚财产分害".encode()))
    assert "damaged workbook" in refused_in_one_line(book, path)
    # a part encrypted inside the zip (the flag set in its local and central headers)
    raw = bytearray(stored.getvalue())
    for sig, at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        i = raw.find(sig)
        while i >= 0:
            raw[i + at] |= 0x1
            i = raw.find(sig, i + 4)
    path.write_bytes(bytes(raw))
    assert "password-protected" in refused_in_one_line(book, path)


def test_the_spreadsheet_library_never_writes_to_stderr(book, tmp_path):
    """A workbook openpyxl grumbles about (no styles, a date cell out of range) still imports,
    and a real run of the program prints none of its warnings."""
    import os
    import subprocess
    import sys

    path = tmp_path / "登记表.xlsx"
    path.write_bytes(package(rows=header_and(_row(2, GOOD_ROW))))  # no styles.xml: openpyxl warns
    odd = tmp_path / "odd.xlsx"
    odd.write_bytes(package(rows=header_and(b'<row r="2"><c r="A2" s="1"><v>1E300</v></c></row>'), styles=DATE_STYLES))
    env = {**os.environ, "HOTLINE_BOOK": str(book.root), "HOTLINE_USER": "wang", "PYTHONWARNINGS": "default"}
    r = subprocess.run([sys.executable, "-m", "hotline", "import", str(path), "--dry-run"], env=env,
                       capture_output=True, text=True, encoding="utf-8")
    assert r.returncode == 0 and "Would import 1 case(s)" in r.stdout and r.stderr == "", r.stderr
    r = subprocess.run([sys.executable, "-m", "hotline", "import", str(odd)], env=env, capture_output=True, text=True,
                       encoding="utf-8")
    assert r.returncode == 2 and all(ln.startswith("hotline: ") for ln in r.stderr.splitlines()), r.stderr
    assert "Warning" not in r.stderr and "warn(" not in r.stderr
    assert r.stderr.startswith(f"hotline: {odd}:2:A: 受理时间 '#VALUE!' is not a time"), r.stderr


def test_infinite_numbers_are_named_by_cell(book, tmp_path):
    path = tmp_path / "登记表.xlsx"
    path.write_bytes(package(rows=header_and(_row(2, GOOD_ROW[:6] + [b"1E999"]), _row(3, [b"-1.5E999"] + GOOD_ROW[1:]))))
    r = book.run("import", str(path), expect=2)
    assert f"{path}:2:G: 摘要 holds 'inf', which is no number a register can hold" in r.stderr
    assert f"{path}:3:A: 受理时间 holds '-inf', which is no number a register can hold" in r.stderr
    assert not list((book.root / "cases").rglob("*.yaml"))


def test_a_shared_string_bomb_and_a_zip_bomb_are_refused_before_they_are_read(book, tmp_path):
    """20 million empty texts pack into 1.5 MB (248 MB unpacked), and 600,000 written
    with a namespace prefix: refused by their count; 260 MB of blanks: refused by the size the
    zip declares.  Each in seconds, naming the limit."""
    path = tmp_path / "bomb.xlsx"
    bomb = [f'<sst xmlns="{MAIN}">'.encode()] + [b"<si><t/></si>" * 1_000_000] * 20 + [b"</sst>"]
    path.write_bytes(package(rows=header_and(_row(2, GOOD_ROW)), shared=bomb, level=1))
    assert path.stat().st_size < 2_000_000
    assert "holds more than 500,000 texts" in refused_in_one_line(book, path, seconds=15)
    many = [f'<x:sst xmlns:x="{MAIN}">'.encode(), b"<x:si><x:t/></x:si>" * 600_000, b"</x:sst>"]
    path.write_bytes(package(rows=header_and(_row(2, GOOD_ROW)), shared=many))
    assert "holds more than 500,000 texts" in refused_in_one_line(book, path, seconds=15)
    blanks = [f'<?xml version="1.0"?><worksheet xmlns="{MAIN}"><sheetData>'.encode() + _row(1, HEAD7)]
    blanks += [b" " * (10 * 2**20)] * 26 + [b"</sheetData></worksheet>"]
    path.write_bytes(package(sheet=blanks, level=1))
    assert path.stat().st_size < 2_000_000
    assert "unpacks to more than 256 MB" in refused_in_one_line(book, path, seconds=15)


def _million_rows():
    yield f'<?xml version="1.0"?><worksheet xmlns="{MAIN}"><sheetData>'.encode() + _row(1, HEAD7)
    for start in range(2, 1_048_576, 65_536):
        yield "".join(f'<row r="{i}"><c r="B{i}" t="inlineStr"><is><t>x</t></is></c></row>'
                      for i in range(start, min(start + 65_536, 1_048_576))).encode()
    yield b"</sheetData></worksheet>"


def test_a_sheet_of_a_million_rows_is_refused_in_seconds_naming_the_limit(book, tmp_path):
    path = tmp_path / "big.xlsx"
    path.write_bytes(package(sheet=_million_rows()))
    assert "has a sheet of more than 100,000 rows" in refused_in_one_line(book, path, seconds=15)
    # the same row count, the rows left out of the file but one: openpyxl walks the gap, we stop at the limit
    path.write_bytes(package(rows=header_and(_row(2, GOOD_ROW), _row(1_048_575, GOOD_ROW))))
    assert ("sheet '个案' of " + str(path) + " has more than 100,000 rows") in refused_in_one_line(book, path, seconds=15)
    path.write_bytes(package(rows=header_and(_row(2, GOOD_ROW), _row(4_000_000_000, GOOD_ROW))))
    assert "has more than 100,000 rows" in refused_in_one_line(book, path, seconds=15)


def test_empty_rows_and_cells_far_below_and_right_are_no_data(book, tmp_path):
    path = tmp_path / "登记表.xlsx"
    path.write_bytes(package(rows=header_and(_row(2, GOOD_ROW)[:-6] + b'<c r="XFD2" s="0"/></row>',
                                             b'<row r="1048576" ht="15" customHeight="1"/>')))
    r = book.run("import", str(path))
    assert "Imported 1 case(s)" in r.stdout


def test_a_cell_far_right_or_too_long_is_named_by_its_place(book, tmp_path):
    path = tmp_path / "登记表.xlsx"
    path.write_bytes(package(rows=header_and(_row(2, GOOD_ROW)[:-6] + b'<c r="XFD2"><v>1</v></c></row>')))
    assert (f"{path}:2:XFD: there is something beyond column IV; hotline reads at most 256 columns"
            in refused_in_one_line(book, path))
    path.write_bytes(package(rows=header_and(_row(2, GOOD_ROW[:6] + ["长" * 40_000]))))
    assert f"{path}:2:G: a cell of 40,000 characters; a cell holds at most 32,767 (as in Excel)" in refused_in_one_line(
        book, path)
    csv_path = tmp_path / "reg.csv"
    csv_path.write_text(",".join(HEAD7) + "\n" + ",".join(GOOD_ROW) + "," * 300 + "x\n", encoding="utf-8")  # column 307
    assert f"{csv_path}:2:KU: there is something beyond column IV" in refused_in_one_line(book, csv_path)
    csv_path.write_text(",".join(HEAD7) + "\n" + ",".join(GOOD_ROW[:6] + ["长" * 40_000]) + "\n", encoding="utf-8")
    assert f"{csv_path}:2:G: a cell of 40,000 characters" in refused_in_one_line(book, csv_path)


@pytest.mark.parametrize("limit, value, make, says", [
    ("MAX_ROWS", 5, "csv", "sheet 'reg' of {path} has more than 5 rows; hotline imports at most 5 rows at a time"),
    ("MAX_ROWS", 5, "xlsx-sparse", "sheet '个案' of {path} has more than 5 rows"),
    ("MAX_ROWS", 3, "xlsx-dense", "{path} has a sheet of more than 3 rows"),
    ("MAX_CELLS", 20, "xlsx", "{path} has a sheet of more than 20 cells"),
    ("MAX_CELLS", 20, "csv", "{path} has a sheet of more than 20 cells"),
    ("MAX_TEXTS", 10, "xlsx", "{path} holds more than 10 texts"),
    ("MAX_UNPACKED", 2000, "xlsx", "{path} unpacks to more than 0 MB"),
    ("MAX_PARTS", 3, "xlsx", "{path} holds more than 3 parts"),
])
def test_every_limit_is_named_when_it_is_reached(book, tmp_path, monkeypatch, limit, value, make, says):
    from hotline.storage import sheets

    monkeypatch.setattr(sheets, limit, value)
    rows = [GOOD_ROW] * 6
    if make == "csv":
        path = tmp_path / "reg.csv"
        path.write_text("\n".join(",".join(r) for r in [HEAD7] + rows), encoding="utf-8")
    elif make == "xlsx":
        path = tmp_path / "reg.xlsx"
        path.write_bytes(package(rows=header_and(*(_row(i, r) for i, r in enumerate(rows, 2)))))
    elif make == "xlsx-sparse":  # few rows in the file, one of them far down
        path = tmp_path / "reg.xlsx"
        path.write_bytes(package(rows=header_and(_row(2, GOOD_ROW), _row(9, GOOD_ROW))))
    else:
        path = tmp_path / "reg.xlsx"
        path.write_bytes(package(rows=header_and(*(f'<row r="{i}"/>'.encode() for i in range(2, 8)))))
    assert says.format(path=path) in refused_in_one_line(book, path)


def test_a_sheet_bad_in_every_row_lists_the_first_200_problems_and_counts_the_rest(book, tmp_path):
    path = tmp_path / "reg.csv"
    path.write_text("\n".join(",".join(r) for r in [HEAD7] + [["2026-11-05", "fax"] + GOOD_ROW[2:]] * 500),
                    encoding="utf-8")
    r = book.run("import", str(path), expect=2)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 200 + 3  # the problems shown, "… and N more", "read as", the refusal
    assert lines[0].startswith(f"hotline: {path}:2:B: unknown 渠道 'fax'")
    assert lines[199].startswith(f"hotline: {path}:201:B: unknown 渠道 'fax'")
    assert lines[200] == "hotline: … and 300 more bad cell(s), not listed: fix these first"
    assert "500 bad cell(s) in 500 row(s)" in lines[-1]


# ---------------------------------------------------------------- CSV encodings: GBK and Big5 told apart

TRAD_ROWS = [["received", "channel", "grade", "role", "categories", "needs", "summary"],
             ["2026-11-05 14:20", "phone", "green", "party", "divorce", "legal", "詢問離婚財產分割的程序，對方不願意協商"],
             ["2026-11-06 09:10", "phone", "green", "party", "domestic_violence", "legal", "丈夫經常動手，想知道怎樣申請保護令"]]
SIMP_ROWS = [TRAD_ROWS[0],
             ["2026-11-05 14:20", "phone", "green", "party", "divorce", "legal", "询问离婚财产分割的程序，对方不愿意协商"],
             ["2026-11-06 09:10", "phone", "green", "party", "domestic_violence", "legal", "丈夫经常动手，想知道怎样申请保护令"],
             ["2026-11-07 16:00", "phone", "green", "party", "divorce", "legal", "询问抚养费标准和起诉程序"]]


def _csv_bytes(rows, encoding: str) -> bytes:
    return "\r\n".join(",".join(r) for r in rows).encode(encoding)


def test_a_big5_csv_is_read_as_big5_not_as_gbk_mojibake(book, tmp_path):
    path = tmp_path / "繁體登記表.csv"
    data = _csv_bytes(TRAD_ROWS, "big5")
    data.decode("gb18030")  # the bytes read as GBK too — into nonsense: that is what must not happen
    path.write_bytes(data)
    r = book.run("import", str(path))
    assert f"read {path} as Big5" in r.stderr and "Imported 2 case(s)" in r.stdout
    assert sorted(d["summary"] for d in cases_of(book).values()) == sorted(r[6] for r in TRAD_ROWS[1:])


def test_a_gbk_csv_that_also_reads_as_big5_is_read_as_gbk(book, tmp_path):
    path = tmp_path / "登记表.csv"
    data = _csv_bytes(SIMP_ROWS, "gbk")
    data.decode("cp950")  # the bytes read as Big5 too — into nonsense
    path.write_bytes(data)
    r = book.run("import", str(path))
    assert f"read {path} as GBK" in r.stderr and "Imported 3 case(s)" in r.stdout
    assert sorted(d["summary"] for d in cases_of(book).values()) == sorted(r[6] for r in SIMP_ROWS[1:])


def test_a_csv_that_reads_as_gbk_and_big5_alike_asks_for_encoding(book, tmp_path):
    """好的 in GBK is two frequent characters read as GBK and two read as Big5: nothing tells."""
    path = tmp_path / "reg.csv"
    path.write_bytes(_csv_bytes([SIMP_ROWS[0], SIMP_ROWS[1][:6] + ["好的"]], "gbk"))
    line = refused_in_one_line(book, path)
    assert "reads as GBK (Simplified Chinese) or Big5 (Traditional Chinese) alike" in line and "--encoding" in line
    r = book.run("import", str(path), "--encoding", "gbk")
    assert f"read {path} as GBK" in r.stderr and "Imported 1 case(s)" in r.stdout
    assert [d["summary"] for d in cases_of(book).values()] == ["好的"]
    assert "--encoding 'latin1' is not known" in refused_in_one_line(book, path, "--encoding", "latin1")
    assert "is not UTF-8 text (byte" in refused_in_one_line(book, path, "--encoding", "utf-8")
    xlsx_path = tmp_path / "reg.xlsx"
    xlsx_path.write_bytes(package(rows=header_and(_row(2, GOOD_ROW))))
    assert "--encoding is for .csv files" in refused_in_one_line(book, xlsx_path, "--encoding", "gbk")


def test_text_a_hotline_csv_kept_from_becoming_a_formula_is_read_back_as_it_was(book, tmp_path):
    path = tmp_path / "reg.csv"
    path.write_text("\n".join(",".join(r) for r in [HEAD7, GOOD_ROW[:6] + ["'=2+3 询问"]]), encoding="utf-8")
    book.run("import", str(path))
    assert [d["summary"] for d in cases_of(book).values()] == ["=2+3 询问"]
