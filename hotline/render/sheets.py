"""The tables each export writes as sheets (`render.xlsx.Sheet`): the register (list), overdue,
the points (score) and the monthly bulletin (report, one sheet per table), and the import
template.  Chinese headers; a label's ids in their own column beside it.

Only layout: the rows come from the queries and the domain (`domain.register` for the
register, the bulletin's dict, the Scores); nothing is computed here.
"""
from __future__ import annotations

from typing import Any

from ..domain import labels
from ..domain.register import (CASE_COLUMNS, CASES_SHEET, EVENT_COLUMNS, EVENTS_SHEET, LIST_JOIN, TEMPLATE_KEYS,
                               column, export_columns)
from .xlsx import Sheet


def register_sheets(case_rows: list[dict], event_rows: list[dict], personal: bool) -> list[Sheet]:
    """`list --format xlsx`: the 个案 sheet and the 事件 sheet (`import` reads both back)."""
    return [Sheet(CASES_SHEET, export_columns(CASE_COLUMNS, personal), case_rows),
            Sheet(EVENTS_SHEET, export_columns(EVENT_COLUMNS), event_rows)]


def overdue_sheet(rows: list[dict], rules: Any, roster: Any) -> Sheet:
    """`overdue --format xlsx`: one row per clock, with the group and the leader's view."""
    out = []
    for r in rows:
        g = roster.group(r["group"]) if r["group"] else None
        out.append({
            "group": g.name if g else "", "group:id": r["group"], "case": r["case"],
            "kind": labels.deadline(r["kind"]), "kind:id": r["kind"], "due": r["due"],
            "provisional": labels.provisional() if r["provisional"] else "",
            "state": "超时" if r["overdue"] else "临期", "owner": r["owner_name"], "owner:id": r["owner"],
            "grade": rules.label("grade", r["grade"]), "grade:id": r["grade"],
            "status": labels.status(r["status"]), "status:id": r["status"], "urges": r["urges"],
            "committee": "上报委员会" if r["committee"] else "",
        })
    cols = [("group", "小组"), ("group:id", "group"), ("case", "个案编号"), ("kind", "时限"), ("kind:id", "kind"),
            ("due", "截止时间"), ("provisional", "暂定"), ("state", "超时/临期"), ("owner", "负责人"),
            ("owner:id", "owner"), ("grade", "分级"), ("grade:id", "grade"), ("status", "个案状态"),
            ("status:id", "status"), ("urges", "催办次数"), ("committee", "上报委员会")]
    return Sheet("超时与临期", cols, out)


def score_sheets(s: Any, roster: Any) -> list[Sheet]:
    """`score --format xlsx`: people, groups, and the warnings when there are any."""
    gname = {g.id: g.name for g in roster.groups}
    people = [{"rank": p.rank, "name": p.name, "id": p.id, "group": gname.get(p.group, "") if p.group else "",
               "group:id": p.group, "points": p.points, "score": p.score} for p in s.people]
    groups = [{"rank": g.rank, "name": g.name, "id": g.id, "points": g.points, "score": g.score} for g in s.groups]
    sheets = [
        Sheet(f"个人积分 {s.period}", [("rank", "名次"), ("name", "姓名"), ("id", "id"), ("group", "小组"),
                                   ("group:id", "group"), ("points", "加减"), ("score", "积分")], people),
        Sheet(f"小组积分 {s.period}", [("rank", "名次"), ("name", "名称"), ("id", "id"), ("points", "加减"),
                                   ("score", "积分")], groups),
    ]
    from .words import score_warnings

    notes = [{"text": w} for w in score_warnings(s)]
    if s.recommended is not None:
        notes.append({"text": f"推荐评优：{s.recommended.name}（{s.recommended.id}），{s.recommended.score} 分"})
    if notes:
        sheets.append(Sheet("警告", [("text", "警告与推荐")], notes))
    return sheets


def entries_sheet(rows: list[dict], pid: str) -> Sheet:
    """`score --person ID --format xlsx`: every entry behind one person's score."""
    cols = [("date", "日期"), ("label", "项目"), ("item", "item"), ("count", "次数"), ("amount", "金额(元)"),
            ("points", "分"), ("source", "来源"), ("note", "备注")]
    return Sheet(f"积分明细 {pid}"[:31], cols, rows)


def template_sheets(rules: Any, roster: Any) -> list[Sheet]:
    """`import --template`: the headers to fill, drop-down lists for the vocabularies, the
    people and the partners (categories and needs take several, so their lists take any text),
    and a sheet that says what each column takes."""
    cols = [column(CASE_COLUMNS, k) for k in TEMPLATE_KEYS]
    lists: dict[str, list[str]] = {}
    for c in cols:
        if c.kind in ("vocab", "multi"):
            lists[c.key] = list(rules.vocab[c.vocab].labels.values())
    lists["owner"] = [p.name for p in roster.people]
    lists["referred_to"] = [p.name for p in roster.partners]
    lists["consent_publish"] = ["是", "否"]
    widths = {c.key: {"time": 16, "text": 30, "multi": 16, "personal": 14, "short": 10, "ref": 10}.get(c.kind, 0)
              for c in cols}
    main = Sheet(CASES_SHEET, [(c.key, c.zh) for c in cols], [], lists={k: v for k, v in lists.items() if v},
                 free={"categories", "needs"}, widths=widths)
    return [main, Sheet("说明", [("header", "列"), ("required", "必填"), ("takes", "填写"), ("example", "示例")],
                        _explanations(cols, rules))]


TAKES = {
    "ref": ("原登记表的编号（可留空）", "2025-0012"),
    "received": ("日期和时间，如 2026-11-20 15:00（只有日期也可以）", "2026-11-20 15:00"),
    "multi": ("一个或多个，用、或逗号分开", ""),
    "vocab": ("从下拉列表选择（或填代码）", ""),
    "summary": ("求助内容；不要写姓名、电话等身份信息", "询问起诉程序"),
    "response": ("值班员的回应（可留空）", "告知法律援助申请流程"),
    "region": ("地区，用于统计（可留空）", "东莞"),
    "occupation": ("职业，用于统计（可留空）", ""),
    "consent_publish": ("是 / 否（空 = 否）", "否"),
    "owner": ("首问负责人：roster.yaml 里的姓名或 id（空 = 导入人）", ""),
    "personal": ("加密保存，导出时默认不含（可留空）", ""),
    "referred_to": ("转介机构：roster.yaml 里的名称或 id（与转介时间同填）", ""),
    "referred_at": ("转介时间（与转介机构同填）", ""),
    "closed_at": ("结案时间（与结果同填）", ""),
    "reason": ("结果为未能解决时必填", ""),
}


def _explanations(cols: list, rules: Any) -> list[dict]:
    from ..domain.register import REQUIRED

    rows = []
    for c in cols:
        takes, example = TAKES.get(c.key) or TAKES.get(c.kind) or ("", "")
        if c.kind in ("vocab", "multi"):
            labels_ = list(rules.vocab[c.vocab].labels.values())
            example = example or labels_[0]
            takes = f"{takes}：{LIST_JOIN.join(labels_)}"
        rows.append({"header": c.zh, "required": "是" if c.key in REQUIRED else "", "takes": takes,
                     "example": example})
    return rows
