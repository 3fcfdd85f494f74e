"""Calls that did not become cases (未形成个案的来电): what the phone system counts — missed (未接),
abandoned in the queue (呼损/放弃), silent (无声), prank or harassing (骚扰), wrong number (打错) —
for a day or a whole month.  The upward report's 来电总数 and 接通率 come from them (with the
month's cases from the phone channels); a month without any is "not recorded", never 100 %.

Pure: `storage/calls.py` keeps the entries in `calls/YYYY-MM.yaml`; the phone system's call log
is read cell by cell with `domain.importing`'s machinery (`read_log`).
"""
from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..errors import UsageError
from ..i18n import _
from . import dates
from .importing import Context, Layout, Mapping, Problem, Table, cell_text, read_cells
from .register import Column

KINDS = ("missed", "abandoned", "silent", "prank", "wrong_number")
UNANSWERED = ("missed", "abandoned")       # never picked up: they lower 接通率
MAX_COUNT = 100_000                        # calls in one entry: more is a typo
# a per-call log's result cell: what it may say, per kind ("answered": the call became a case, not counted here)
RESULTS = {
    "missed": ("未接", "未接听", "未接通", "无人接听", "漏接", "振铃未接", "missed", "noanswer", "no answer"),
    "abandoned": ("放弃", "呼损", "排队放弃", "早释", "挂断", "abandoned", "hangup", "hung up"),
    "silent": ("无声", "无声来电", "静默", "silent", "silence"),
    "prank": ("骚扰", "骚扰来电", "恶作剧", "恶意来电", "prank", "nuisance"),
    "wrong_number": ("打错", "打错电话", "错拨", "误拨", "wrong number", "wrongnumber", "wrong"),
    "answered": ("接通", "已接", "已接听", "接听", "正常", "answered", "connected"),
}

CALL_COLUMNS: tuple[Column, ...] = (
    Column("date", "日期", "time", aliases=("来电日期", "来电时间", "时间", "呼入时间", "开始时间", "date", "time")),
    Column("result", "结果", "short", aliases=("呼叫结果", "通话结果", "状态", "呼叫状态", "类型", "result", "status")),
    Column("missed", "未接", "count", aliases=("未接来电", "未接听", "漏接", "missed")),
    Column("abandoned", "放弃", "count", aliases=("呼损", "排队放弃", "放弃来电", "abandoned")),
    Column("silent", "无声", "count", aliases=("无声来电", "silent")),
    Column("prank", "骚扰", "count", aliases=("骚扰来电", "恶作剧", "prank")),
    Column("wrong_number", "打错", "count", aliases=("打错电话", "错拨", "wrong number")),
    Column("note", "备注", "short", aliases=("note",)),
)


@dataclass
class CallCount:
    """One entry: the calls of a day (`day`), or of the whole month (`day` None)."""

    id: str
    year: int
    month: int
    day: date | None
    counts: dict[str, int]
    by: str
    note: str = ""
    source: str = ""    # an imported row's fingerprint (importing the same log again adds nothing)

    def total(self) -> int:
        return sum(self.counts.values())


def count_of(value: Any, what: str) -> int:
    """A count as typed: a whole number 0..MAX_COUNT; UsageError naming `what`."""
    try:
        if isinstance(value, bool):
            raise ValueError
        n = int(unicodedata.normalize("NFKC", str(value)).strip()) if not isinstance(value, int) else value
        if isinstance(value, float) and not value.is_integer():
            raise ValueError
    except (TypeError, ValueError):
        raise UsageError(_("{what} '{value}' is not a whole number of calls").format(what=what, value=value)) from None
    if not 0 <= n <= MAX_COUNT:
        raise UsageError(_("{what} {value} is out of range; allowed: 0 to {limit}").format(
            what=what, value=n, limit=MAX_COUNT))
    return n


def make_count(eid: str, year: int, month: int, day: date | None, counts: dict[str, Any], by: str,
               note: str = "", source: str = "") -> CallCount:
    """An entry checked before anything is written: at least one count, each a whole number."""
    if day is not None and (day.year, day.month) != (year, month):
        raise ValueError("day outside its month")
    if not dates.in_range(date(year, month, 1)):
        raise UsageError(_("{month} is outside the dates a book holds ({range})").format(
            month=dates.text(year, month), range=dates.RANGE_TEXT))
    got = {k: count_of(v, "--" + k.replace("_", "-")) for k, v in counts.items() if v is not None}
    unknown = set(got) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown call kinds {sorted(unknown)}")
    if not got:
        raise UsageError(_("give at least one count: {options}").format(
            options=", ".join("--" + k.replace("_", "-") for k in KINDS)))
    return CallCount(eid, year, month, day, {k: got.get(k, 0) for k in KINDS if got.get(k, 0) or k in got}, by,
                     note, source)


def month_totals(entries: list[CallCount], year: int, month: int) -> dict[str, Any] | None:
    """The month's calls by kind, with the days recorded; None when the month has no entry."""
    mine = [e for e in entries if (e.year, e.month) == (year, month)]
    if not mine:
        return None
    by_kind = {k: sum(e.counts.get(k, 0) for e in mine) for k in KINDS}
    return {"by_kind": by_kind, "total": sum(by_kind.values()),
            "unanswered": sum(by_kind[k] for k in UNANSWERED),
            "entries": len(mine), "whole_month": any(e.day is None for e in mine),
            "days": len({e.day for e in mine if e.day is not None})}


# ---------------------------------------------------------------- the phone system's call log

@dataclass
class LogRead:
    """A call log read: one (date, counts, note, fingerprint) per good row, and every bad cell."""

    rows: list[tuple[date, dict[str, int], str, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    answered: int = 0     # per-call rows that were answered (cases: counted from the book, not here)
    left_out: list[str] = field(default_factory=list)
    header_row: int = 0


def result_kind(text: str) -> str | None:
    t = unicodedata.normalize("NFKC", text).strip().casefold()
    for k, words in RESULTS.items():
        if t in words or t == k:
            return k
    return None


def read_log(ctx: Context, table: Table) -> LogRead:
    """A call log: either one row per day with counts (日期, 未接, 放弃, 无声, 骚扰, 打错) or one row
    per call with its result (日期/时间, 结果).  Every bad cell is a Problem (FILE:ROW:COLUMN)."""
    lay, pos = Layout.of(table, CALL_COLUMNS, ctx.mapping or Mapping(), "")
    has = set(lay.first)
    if "date" not in has:
        raise UsageError(_("sheet '{sheet}' has no column for {missing}: add it").format(sheet=table.name,
                                                                                       missing="日期 (date)"))
    if "result" not in has and not has & set(KINDS):
        raise UsageError(_("sheet '{sheet}' has neither a 结果 column (one call a row) nor count columns "
                           "({columns})").format(sheet=table.name, columns="未接、放弃、无声、骚扰、打错"))
    out = LogRead(left_out=lay.left_out, header_row=lay.header_row)
    for row, values in table.rows[pos + 1:]:
        if all(cell_text(v) == "" for v in values):
            continue
        got, problems = read_cells(ctx, lay, row, values)
        if "date" not in got and not any(p.column == lay.problem(row, "date", "").column for p in problems):
            problems.append(lay.problem(row, "date", _("{header} is empty; it is required").format(
                header=lay.header("date"))))
        counts = {k: got[k] for k in KINDS if k in got}
        if "result" in got:
            kind = result_kind(got["result"])
            if kind is None:
                allowed = "、".join(words[0] for words in RESULTS.values())
                problems.append(lay.problem(row, "result", _("{header} '{value}' is not a call result; allowed: "
                                                              "{allowed}").format(header=lay.header("result"),
                                                                                  value=got["result"],
                                                                                  allowed=allowed)))
            elif kind == "answered":
                if not problems:
                    out.answered += 1
                continue
            else:
                counts[kind] = counts.get(kind, 0) + 1
        if problems:
            out.problems += problems
            continue
        if not counts:
            continue
        day = got["date"].date()  # an aware time in the book's zone (cell_time)
        note = got.get("note", "")
        # the row's content, not its place: a later export of the same calls gives the same fingerprint
        fp = hashlib.sha256(f"{got['date'].isoformat()}\x00{sorted(counts.items())}\x00{note}".encode()).hexdigest()[:16]
        out.rows.append((day, counts, note, fp))
    return out


def by_day(rows: list[tuple[date, dict[str, int], str, str]]) -> dict[date, tuple[dict[str, int], list[str]]]:
    """A log's good rows added up per day: (counts, the rows' fingerprints)."""
    out: dict[date, tuple[dict[str, int], list[str]]] = {}
    for day, counts, _note, fp in rows:
        total, fps = out.setdefault(day, ({}, []))
        for k, n in counts.items():
            total[k] = total.get(k, 0) + n
        fps.append(fp)
    return dict(sorted(out.items()))
