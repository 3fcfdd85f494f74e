"""The register as a spreadsheet: which columns a sheet holds, their headers, and a case (with
its events) as rows — the one format that `list --format xlsx` writes, `import --template`
lays out and `import` reads (`domain.importing`).

A workbook holds two sheets: 个案 (one row per case: the registration form, the latest referral
and the closure) and 事件 (one row per event of every case, so nothing of a case's history is
lost between two books).  A column holding a vocabulary, a person or a partner is written as
the Chinese label, with the ids in a column of their own beside it, headed by the field's
English name (`渠道` 电话 | `channel` phone); an import reads either, and both when they agree.

Headers are part of the format, like rules.yaml's keys: fixed Chinese words and English names,
never translated, so a sheet written in one language imports in another.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from . import cases, labels
from .model import Case, Event, Roster, first_close

CASES_SHEET = "个案"
EVENTS_SHEET = "事件"
ID_SUFFIX = ":id"     # the row key of a column's ids twin: "channel:id"
LIST_JOIN = "、"      # several labels in one cell


@dataclass(frozen=True)
class Column:
    key: str                          # the field it fills (or a derived value, written only)
    zh: str                           # the Chinese header
    kind: str                         # see KINDS
    vocab: str = ""                   # the vocabulary of a `vocab` or `multi` column
    aliases: tuple[str, ...] = ()     # other headers it is known by (Chinese or English)
    twin: bool = False                # exports write its ids beside it, headed by `key`


KINDS = ("id", "ref", "time", "vocab", "multi", "person", "partner", "target", "event", "text", "short", "yesno",
         "personal", "json", "flag", "derived", "count", "answer")
ENCRYPTED = "已加密"

CASE_COLUMNS: tuple[Column, ...] = (
    Column("id", "个案编号", "id", aliases=("编号", "案号", "case", "case id")),
    Column("ref", "原编号", "ref", aliases=("原始编号", "登记编号")),
    Column("received", "受理时间", "time", aliases=("来电时间", "来访时间", "受理日期", "日期", "时间", "date", "time")),
    Column("status", "状态", "derived", twin=True),
    Column("channel", "渠道", "vocab", "channel", ("来电渠道", "来访渠道", "求助渠道"), twin=True),
    Column("grade", "分级", "vocab", "grade", ("个案分级", "级别"), twin=True),
    Column("role", "来电者身份", "vocab", "role", ("身份", "求助者身份", "caller role"), twin=True),
    Column("categories", "问题类别", "multi", "category", ("类别", "问题类型", "问题分类", "category"), twin=True),
    Column("needs", "需求", "multi", "need", ("求助需求", "need"), twin=True),
    Column("summary", "摘要", "text", aliases=("个案摘要", "求助内容", "咨询内容", "主要问题", "内容摘要")),
    Column("response", "回应", "text", aliases=("需求回应", "处理情况")),
    Column("gender", "性别", "vocab", "gender", ("sex",), twin=True),
    Column("age_group", "年龄段", "vocab", "age_group", ("年龄", "age"), twin=True),
    Column("region", "地区", "short", aliases=("所在地区", "城市")),
    Column("occupation", "职业", "short"),
    Column("consent_publish", "同意公开", "yesno", aliases=("是否同意公开", "consent")),
    Column("difficult", "困难来电", "yesno", aliases=("困难", "difficult call")),
    Column("key_case", "重点个案", "yesno", aliases=("重点", "key case")),
    Column("owner", "负责人", "person", aliases=("首问负责人", "接线员", "值班员", "受理人"), twin=True),
    Column("current_owner", "当前负责人", "derived", twin=True),
    Column("referred_to", "转介机构", "partner", aliases=("partner",), twin=True),
    Column("referred_at", "转介时间", "time"),
    Column("closed_at", "结案时间", "time", aliases=("结案日期",)),
    Column("outcome", "结果", "vocab", "outcome", ("结案结果", "处理结果"), twin=True),
    Column("reason", "未解决原因", "text", aliases=("原因",)),
    Column("encrypted", "个人信息", "flag"),   # 已加密 when the case holds personal data (never the data)
    Column("name", "姓名", "personal", aliases=("求助者姓名", "来电者姓名")),
    Column("contact", "联系方式", "personal", aliases=("电话", "联系电话", "手机", "手机号", "phone")),
    Column("address", "住址", "personal", aliases=("地址", "家庭住址")),
    Column("notes", "身份备注", "personal", aliases=("加密备注",)),
)
EVENT_COLUMNS: tuple[Column, ...] = (
    Column("case", "个案编号", "id", aliases=("编号", "id", "case id")),
    Column("at", "时间", "time", aliases=("日期", "time")),
    Column("type", "事件", "event", twin=True),
    Column("by", "操作人", "person", twin=True),
    Column("to", "对象", "target", twin=True),
    Column("outcome", "结果", "vocab", "outcome", twin=True),
    Column("reason", "原因", "text"),
    Column("note", "备注", "text"),
    Column("contact_shared", "已提供联系方式", "yesno"),
    # a partner's answer to the latest referral (转介是否被接收): 已接收 / 未接收, empty when none recorded
    Column("partner_answer", "是否接收", "answer", aliases=("接收情况", "转介是否接收", "partner answer"), twin=True),
    Column("changes", "更正内容", "json"),
)
PERSONAL = ("name", "contact", "address", "notes")
# what a case sheet must hold for a case to be built (the intake's required fields)
REQUIRED = ("received", *(key for key, _option in cases.REQUIRED))  # an intake's required fields, and its time
EVENT_REQUIRED = ("case", "at", "type", "by")
# the columns the template offers (what a line's register can fill in; ids are made by hotline)
TEMPLATE_KEYS = ("ref", "received", "channel", "grade", "role", "categories", "needs", "summary", "response",
                 "gender", "age_group", "region", "occupation", "consent_publish", "owner", "name", "contact",
                 "address", "notes", "referred_to", "referred_at", "closed_at", "outcome", "reason")


def column(columns: tuple[Column, ...], key: str) -> Column:
    return next(c for c in columns if c.key == key)


def export_columns(columns: tuple[Column, ...], personal: bool = False) -> list[tuple[str, str]]:
    """(row key, header) of a sheet as exported: each column, then its ids twin; the personal
    columns only when `personal`."""
    out: list[tuple[str, str]] = []
    for c in columns:
        if c.kind == "personal" and not personal:
            continue
        out.append((c.key, c.zh))
        if c.twin:
            out.append((c.key + ID_SUFFIX, c.key))
    return out


def yes_no(value: bool) -> str:
    return "是" if value else "否"


# ---------------------------------------------------------------- a case as rows

def event_columns_of(events: list[Event]) -> dict[str, Any]:
    """What the case sheet says of the events: the latest referral (partner, time) and the
    closure (time, outcome, reason) — None where there is none."""
    refs = [e for e in events if e.type == "refer"]
    close = first_close(events)
    return {
        "referred_to": refs[-1].to if refs else None,
        "referred_at": refs[-1].at if refs else None,
        "closed_at": close.at if close else None,
        "outcome": close.outcome if close else None,
        "reason": (close.reason or None) if close else None,
    }


def _person_name(roster: Roster, pid: str | None) -> str | None:
    if pid is None:
        return None
    p = roster.person(pid)
    return p.name if p else pid


def _partner_name(roster: Roster, pid: str | None) -> str | None:
    if pid is None:
        return None
    p = roster.partner(pid)
    return p.name if p else pid


def case_row(case: Case, rules: Any, roster: Roster, tz: Any, personal: dict | None = None) -> dict[str, Any]:
    """A case as a row of the case sheet (labels under each column's key, ids under key + ':id');
    times are aware, in the book's time zone; `personal`: the decrypted block, when revealed."""
    L = rules.label
    ev = event_columns_of(case.events)
    status = case.status()
    row: dict[str, Any] = {
        "id": case.id, "ref": case.source.ref if case.source else "", "received": case.received.astimezone(tz),
        "status": labels.status(status), "status:id": status,
        "summary": case.summary, "response": case.response, "region": case.region, "occupation": case.occupation,
        "consent_publish": yes_no(case.consent_publish),
        "difficult": yes_no(case.difficult), "key_case": yes_no(case.key_case),
        "referred_at": ev["referred_at"].astimezone(tz) if ev["referred_at"] else None,
        "closed_at": ev["closed_at"].astimezone(tz) if ev["closed_at"] else None,
        "reason": ev["reason"] or "", "encrypted": ENCRYPTED if case.personal is not None else "",
    }
    for key, vocab in (("channel", "channel"), ("grade", "grade"), ("role", "role"), ("gender", "gender"),
                       ("age_group", "age_group")):
        row[key], row[key + ID_SUFFIX] = L(vocab, getattr(case, key)), getattr(case, key)
    for key, vocab in (("categories", "category"), ("needs", "need")):
        ids = list(getattr(case, key))
        row[key], row[key + ID_SUFFIX] = LIST_JOIN.join(L(vocab, x) for x in ids), LIST_JOIN.join(ids)
    current = case.current_owner()
    row.update({"owner": _person_name(roster, case.owner), "owner:id": case.owner,
                "current_owner": _person_name(roster, current), "current_owner:id": current,
                "referred_to": _partner_name(roster, ev["referred_to"]), "referred_to:id": ev["referred_to"],
                "outcome": L("outcome", ev["outcome"]) if ev["outcome"] else None, "outcome:id": ev["outcome"]})
    if personal is not None:
        row.update({k: str(personal.get(k) or "") for k in PERSONAL})
    return row


def _target(e: Event, roster: Roster) -> tuple[str | None, str | None]:
    """(labels, ids) of an event's `to`: a partner, a person, or several people."""
    if e.to is None:
        return None, None
    if isinstance(e.to, (list, tuple)):
        return LIST_JOIN.join(_person_name(roster, x) or x for x in e.to), LIST_JOIN.join(e.to)
    name = _partner_name(roster, e.to) if e.type == "refer" else _person_name(roster, e.to)
    return name, e.to


def event_rows(case: Case, rules: Any, roster: Roster, tz: Any) -> list[dict[str, Any]]:
    """Every event of a case as rows of the event sheet."""
    rows = []
    for e in case.events:
        to, to_ids = _target(e, roster)
        rows.append({
            "case": case.id, "at": e.at.astimezone(tz),
            "type": labels.event(e.type), "type:id": e.type,
            "by": _person_name(roster, e.by), "by:id": e.by, "to": to, "to:id": to_ids,
            "outcome": rules.label("outcome", e.outcome) if e.outcome else None, "outcome:id": e.outcome,
            "reason": e.reason or "", "note": e.note,
            "contact_shared": yes_no(True) if e.contact_shared else "",
            "partner_answer": labels.answer(e.partner_answer) if e.partner_answer else "",
            "partner_answer:id": e.partner_answer or "",
            "changes": json.dumps(e.changes, ensure_ascii=False, sort_keys=True) if e.changes else "",
        })
    return rows
