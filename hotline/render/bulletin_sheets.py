"""The monthly bulletin as a workbook (`report --month … --format xlsx`): one sheet per table of
the bulletin, in its order, from the same dict the Markdown and HTML templates get
(`domain.bulletin.bulletin`).  Like the bulletin, it holds no personal data: typical cases are
the anonymised ones, without their id.
"""
from __future__ import annotations

from typing import Any

from .words import short
from .xlsx import Sheet

DIST_SHEETS = (("grade", "分级"), ("channel", "渠道"), ("category_group", "问题大类"), ("category", "问题类别"),
               ("role", "来电者身份"), ("need", "需求"), ("gender", "性别"), ("age_group", "年龄段"),
               ("region", "地区"))


def bulletin_sheets(d: dict[str, Any]) -> list[Sheet]:
    sheets = [_overview(d)]
    for key, title in DIST_SHEETS:
        rows = [{"label": r["label"], "id": r["id"], "count": r["count"], "pct": r["pct"]} for r in d["dist"][key]]
        sheets.append(Sheet(title, [("label", title), ("id", key), ("count", "个案数"), ("pct", "占比(%)")], rows))
    sheets += _topics(d) + [_red(d), _referrals(d), _closures(d), _overdue(d), _volunteers(d)]
    sheets += _ranking(d) + [_typical(d), _trend(d)]
    return sheets


def _overview(d: dict) -> Sheet:
    c, o, r = d["closures"], d["open_at_month_end"], d["repeat_callers"]
    items = [
        ("月份", d["month"]), ("统计开始", d["period"]["start"]), ("统计结束", d["period"]["end"]),
        ("状态截至", d["as_of"]), ("本月尚未结束", "是" if d["in_progress"] else "否"),
        ("本月受理", d["received"]), ("上月受理", d["previous_received"]), ("红色个案", d["red_cases"]["count"]),
        ("本月转介", d["referrals"]["count"]), ("本月结案", c["count"]), ("按时结案", c["on_time"]),
        ("超时结案", c["late"]), ("未结个案", o["count"]), ("超时个案", d["overdue_at_month_end"]["count"]),
        ("重复来电者", r["callers"]), ("重复来电个案", r["cases"]),
    ]
    rows = [{"item": k, "value": v} for k, v in items]
    rows += [{"item": "提示", "value": w} for w in d["warnings"]]
    return Sheet("概览", [("item", "项目"), ("value", "数值")], rows)


def _topics(d: dict) -> list[Sheet]:
    hot = [{"rank": i, "label": t["label"], "id": t["id"], "group": t.get("group_label", ""), "count": t["count"],
            "previous": t["previous"]} for i, t in enumerate(d["hot_topics"], 1)]
    rising = [{"label": t["label"], "id": t["id"], "count": t["count"], "previous": t["previous"], "delta": t["delta"],
               "new": "是" if t["new"] else ""} for t in d["rising_topics"]]
    return [
        Sheet("热点问题", [("rank", "排名"), ("label", "问题类别"), ("id", "category"), ("group", "大类"),
                       ("count", "本月"), ("previous", "上月")], hot),
        Sheet("上升问题", [("label", "问题类别"), ("id", "category"), ("count", "本月"), ("previous", "上月"),
                       ("delta", "增加"), ("new", "新出现")], rising),
    ]


def _red(d: dict) -> Sheet:
    rows = [{"id": r["id"], "received": r["received"], "channel": r["channel_label"],
             "categories": "、".join(x["label"] for x in r["categories"]), "escalated": "是" if r["escalated"] else "否",
             "first": r["first_response"], "minutes": r["response_minutes"], "state": r["respond_state_label"],
             "provisional": "暂定" if r["respond_provisional"] else "", "status": r["status_label"],
             "outcome": r["outcome_label"]} for r in d["red_cases"]["cases"]]
    cols = [("id", "个案编号"), ("received", "受理时间"), ("channel", "渠道"), ("categories", "问题类别"),
            ("escalated", "报告主任"), ("first", "首次响应"), ("minutes", "响应(分钟)"), ("state", "响应时限"),
            ("provisional", "暂定"), ("status", "状态"), ("outcome", "结果")]
    return Sheet("红色个案", cols, rows)


def _referrals(d: dict) -> Sheet:
    cols = [("name", "转介机构"), ("id", "partner"), ("count", "转介"), ("accepted", "已接收"), ("declined", "未接收"),
            ("no_answer", "未记录接收"), ("met", "按时反馈"), ("late", "超时反馈"),
            ("running", "时限内"), ("overdue", "已超时"), ("none", "无时限"), ("provisional", "暂定")]
    return Sheet("转介", cols, [dict(p) for p in d["referrals"]["partners"]])


def _closures(d: dict) -> Sheet:
    c = d["closures"]
    rows = [{"item": k, "count": c[key]} for k, key in (("本月结案", "count"), ("按时结案", "on_time"), ("超时结案", "late"),
                                                      ("无结案时限", "no_deadline"), ("按暂定时限判定", "provisional"))]
    rows += [{"item": o["label"], "id": o["id"], "count": o["count"]} for o in c["outcomes"]]
    return Sheet("结案", [("item", "项目"), ("id", "outcome"), ("count", "件数")], rows)


def _overdue(d: dict) -> Sheet:
    rows = [{"id": r["id"], "grade": r["grade_label"], "grade:id": r["grade"], "status": r["status_label"],
             "kinds": "、".join(r["kind_labels"]), "due": r["due"], "provisional": "暂定" if r.get("provisional") else "",
             "owner": r["owner_name"], "owner:id": r["owner"], "urges": r["urges"]}
            for r in d["overdue_at_month_end"]["cases"]]
    cols = [("id", "个案编号"), ("grade", "分级"), ("grade:id", "grade"), ("status", "状态"), ("kinds", "超时事项"),
            ("due", "最早时限"), ("provisional", "暂定"), ("owner", "负责人"), ("owner:id", "owner"), ("urges", "催办")]
    return Sheet("超时个案", cols, rows)


def _volunteers(d: dict) -> Sheet:
    cols = [("name", "姓名"), ("id", "id"), ("group_name", "小组"), ("intakes", "受理"), ("followups", "跟进/回访"),
            ("referrals", "转介"), ("closures", "结案"), ("urges", "催办"), ("total", "合计")]
    return Sheet("志愿者工作量", cols, [dict(v) for v in d["volunteers"]])


def _ranking(d: dict) -> list[Sheet]:
    r = d["ranking"]
    if r is None:
        note = d.get("ranking_note") or "本报告未含积分排名"
        return [Sheet("积分排名", [("note", "说明")], [{"note": note}])]
    cols = [("rank", "名次"), ("name", "名称"), ("id", "id"), ("points", "加减"), ("score", "积分")]
    sheets = [Sheet("小组排名", cols, [dict(g) for g in r["groups"]]),
              Sheet("个人排名", cols, [dict(p) for p in r["people"]])]
    notes = [{"text": w} for w in r["warnings"] + r["problems"]]
    if notes:
        sheets.append(Sheet("积分警告", [("text", "警告")], notes))
    return sheets


def _typical(d: dict) -> Sheet:
    rows = [{"categories": "、".join(x["label"] for x in t["categories"]), "grade": t["grade_label"],
             "region": t["region"], "role": t["role_label"], "status": t["status_label"], "outcome": t["outcome_label"],
             "summary": t["summary"], "response": t.get("response", "")} for t in d["typical_cases"]]
    cols = [("categories", "问题类别"), ("grade", "分级"), ("region", "地区"), ("role", "来电者身份"),
            ("status", "状态"), ("outcome", "结果"), ("summary", "摘要（已隐去身份信息）"), ("response", "回应")]
    return Sheet("典型案例", cols, rows)


def _trend(d: dict) -> Sheet:
    grades = d["grades"]
    rows = [{"month": t["month"], **{g["id"]: t["by_grade"].get(g["id"], 0) for g in grades}, "total": t["received"]}
            for t in d["trend"]]
    cols = [("month", "月份"), *((g["id"], short(g["label"])) for g in grades), ("total", "合计")]
    return Sheet("近12个月趋势", cols, rows)
