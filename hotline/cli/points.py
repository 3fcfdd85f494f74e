"""`hotline award`, `hotline penalize`, `hotline score`: the points ledger and the rankings.

The computation is in `domain/points.py`; `actions.record_points` writes the ledger and
`queries.score_month` / `score_year` read the book.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..i18n import N_, _
from .app import command
from .exports import OUTPUT_HELP
from .common import check_format, err, handle, open_book, out


def _record(kind: str, person: str, item: str, count: Optional[str], amount: Optional[str],
            on: Optional[str], note: Optional[str]) -> None:
    from .. import actions
    from ..domain.dates import parse_date
    from ..domain.points import item_label

    book = open_book()
    book.actor()  # fail before anything else if nobody is acting
    day = parse_date(on, "--date") if on is not None else None
    res = actions.record_points(book, kind, person, item, day, count, amount, note or "")
    e = res.entry
    p = book.roster.person(e.person)
    label = item_label(book.rules, e.item)
    times = f" ×{e.count}" if e.count != 1 else ""
    money = f" ({e.amount} yuan 元)" if e.amount is not None else ""
    verb = "Awarded" if kind == "award" else "Penalized"
    rel = res.path.relative_to(book.root).as_posix()
    out(f"{verb} {p.name} ({p.id}) {label}{times}{money}: {e.points:+d} on {e.date.isoformat()} → {rel}")


@command(help=N_('Record points earned (奖励积分): lectures, articles, events, donations, interviews.'))
@handle
def award(
    person: str = typer.Argument(..., help="Roster id of the person awarded."),
    item: str = typer.Argument(..., help="Award item id or label from rules.yaml (points.awards), e.g. lecture_outreach or 特刊文章."),
    count: Optional[str] = typer.Option(None, "--count", help="How many times (default 1); multiplies the item's points."),
    amount: Optional[str] = typer.Option(None, "--amount", help="Donations: the amount in yuan (one point per whole 100)."),
    on: Optional[str] = typer.Option(None, "--date", help="The day it happened, YYYY-MM-DD (default: today)."),
    note: Optional[str] = typer.Option(None, "--note", help="What it was (no callers' data)."),
):
    _record("award", person, item, count, amount, on, note)


@command(help=N_('Record a penalty (扣分): no Mandarin, hygiene, information leak, leaving the post, late or early.'))
@handle
def penalize(
    person: str = typer.Argument(..., help="Roster id of the person penalized."),
    item: str = typer.Argument(..., help="Penalty item id or label from rules.yaml (points.penalties), e.g. hygiene or 脱岗."),
    count: Optional[str] = typer.Option(None, "--count", help="How many times (default 1)."),
    on: Optional[str] = typer.Option(None, "--date", help="The day it happened, YYYY-MM-DD (default: today)."),
    note: Optional[str] = typer.Option(None, "--note", help="What happened (no callers' data)."),
):
    _record("penalty", person, item, count, None, on, note)


@command(help=N_('Points ranking of people and groups (积分排名) for a month or a year, with warnings.'))
@handle
def score(
    month: Optional[str] = typer.Option(None, "--month", help="The month to score, YYYY-MM."),
    year: Optional[str] = typer.Option(None, "--year", help="The year to score, YYYY (sum of its entries)."),
    fmt: str = typer.Option("table", "--format", help=N_("table, json, csv or xlsx.")),
    person: Optional[str] = typer.Option(None, "--person", help="Show every entry behind this person's score."),
    output: Optional[Path] = typer.Option(None, "--output", metavar=N_("FILE"), help=OUTPUT_HELP),
):
    from .. import queries
    from ..domain.dates import parse_month, parse_year
    from ..errors import UsageError
    from .exports import FORMATS, check_output

    check_format(fmt, FORMATS)
    check_output(fmt, output)
    if (month is None) == (year is None):
        raise UsageError("give exactly one of --month YYYY-MM or --year YYYY")
    ym = parse_month(month) if month is not None else None
    y = parse_year(year) if year is not None else None
    book = open_book()
    problems: list[str] = []
    s = queries.score_month(book, *ym, problems) if ym else queries.score_year(book, y, problems)
    for p in problems:
        err(p)
    if person is not None:
        _breakdown(book, s, person, fmt, output)
        return
    if fmt == "xlsx":
        from ..render.sheets import score_sheets
        from .exports import save

        save(book, output, score_sheets(s, book.roster), _("the points of {period}").format(period=s.period))
        return
    if fmt == "json":
        from ..render.tables import to_json

        out(to_json(s.to_dict()))
        return
    from ..render.tables import rows_out

    if fmt == "csv":
        rows = [{"kind": "person", "id": p.id, "name": p.name, "group": p.group or "", "score": p.score,
                 "rank": p.rank, "points": p.points} for p in s.people]
        rows += [{"kind": "group", "id": g.id, "name": g.name, "group": g.id, "score": g.score, "rank": g.rank,
                  "points": g.points} for g in s.groups]
        cols = [(k, k) for k in ("kind", "id", "name", "group", "score", "rank", "points")]
        out(rows_out(rows, "csv", cols))
        for w in s.warnings:
            err(f"warning: {w}")
        return
    out(_table(book, s))


def _signed(n: int) -> str:
    return f"{n:+d}" if n else "0"


def _table(book, s) -> str:
    from ..render.tables import rows_out

    what = "month 月度" if len(s.period) == 7 else "year 年度"
    lines = [f"Points 积分 {s.period} ({what}; everyone starts at {s.base} 基础分 {s.base})", "", "people 个人"]
    gname = {g.id: g.name for g in book.roster.groups}
    rows = [{"rank": p.rank, "id": p.id, "name": p.name, "group": gname.get(p.group, "—") if p.group else "—",
             "points": _signed(p.points), "score": p.score} for p in s.people]
    lines.append(rows_out(rows, "table", [("rank", "rank 名次"), ("id", "id"), ("name", "name 姓名"),
                                        ("group", "group 小组"), ("points", "+/- 加减"), ("score", "score 积分")]))
    lines += ["", "groups 小组"]
    grows = [{"rank": g.rank, "id": g.id, "name": g.name, "points": _signed(g.points), "score": g.score}
             for g in s.groups]
    if grows:
        lines.append(rows_out(grows, "table", [("rank", "rank 名次"), ("id", "id"), ("name", "name 名称"),
                                             ("points", "+/- 加减"), ("score", "score 积分")]))
    else:
        lines.append("(no groups in roster.yaml)")
    if s.recommended is not None:
        r = s.recommended
        lines += ["", f"Recommended 推荐: group {r.id} {r.name} is the top group of {s.period} with {r.score} points "
                    f"— to be recommended for the year's commendation (推荐评优)."]
    if s.warnings:
        lines += ["", "warnings 警告:"] + [f"  ! {w}" for w in s.warnings]
    elif len(s.period) == 7:
        lines += ["", "No warnings 无警告."]
    lines += ["", f"{len(s.entries)} entr{'y' if len(s.entries) == 1 else 'ies'} counted. "
                f"`hotline score --{'month' if len(s.period) == 7 else 'year'} {s.period} --person ID` shows one person's."]
    return "\n".join(lines)


def _breakdown(book, s, pid: str, fmt: str, output: Optional[Path] = None) -> None:
    from ..domain.points import item_label
    from ..errors import UsageError
    from ..render.tables import rows_out, to_json

    p = s.person(pid)
    if p is None:
        known = ", ".join(x.id for x in s.people)
        if book.roster.person(pid) is not None:
            raise UsageError(f"--person '{pid}' is inactive and has no entries in {s.period}; people scored: {known}")
        raise UsageError(f"unknown --person '{pid}'; people scored in {s.period}: {known}")
    entries = s.entries_of(pid)
    rows = [{"date": e.date.isoformat(), "item": e.item, "label": item_label(book.rules, e.item),
             "count": e.count, "amount": e.amount, "points": e.points, "source": e.source, "note": e.note}
            for e in entries]
    if fmt == "json":
        out(to_json({
            "period": s.period,
            "person": {"id": p.id, "name": p.name, "group": p.group, "score": p.score, "rank": p.rank},
            "start": s.base, "entries": rows, "points": p.points, "score": p.score,
        }))
        return
    if fmt == "xlsx":
        from ..render.sheets import entries_sheet
        from .exports import save

        save(book, output, [entries_sheet(rows, pid)],
             _("the points of {name} ({id}) in {period}").format(name=p.name, id=p.id, period=s.period))
        return
    if fmt == "csv":
        cols = [(k, k) for k in ("date", "item", "label", "count", "amount", "points", "source", "note")]
        out(rows_out(rows, "csv", cols))
        return
    lines = [f"{p.name} ({p.id}) — points 积分 {s.period}, rank 名次 {p.rank}", ""]
    table = [{"date": "", "item": "start 基础分", "points": str(s.base), "source": "rules.yaml points.start"}]
    for r in rows:
        extra = f" ×{r['count']}" if r["count"] != 1 else ""
        extra += f" ({r['amount']} 元)" if r["amount"] is not None else ""
        table.append({"date": r["date"], "item": f"{r['label']} {r['item']}{extra}", "points": f"{r['points']:+d}",
                      "source": r["source"] + (f"  {r['note']}" if r["note"] else "")})
    lines.append(rows_out(table, "table", [("date", "date 日期"), ("item", "item 项目"), ("points", "points 分"),
                                         ("source", "source 来源")]))
    lines += ["", f"total 总分 {p.score} = {s.base} {p.points:+d} ({len(entries)} entr{'y' if len(entries) == 1 else 'ies'})"]
    out("\n".join(lines))
