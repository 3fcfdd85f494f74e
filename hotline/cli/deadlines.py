"""`hotline overdue`: what is late or due soon, grouped so each leader sees their people."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..i18n import N_, _
from .app import command
from .exports import OUTPUT_HELP
from .common import check_format, err, handle, open_book, out, provisional_note, report_problems


def _table(book, rows: list[dict], when, dur) -> str:
    from ..domain import labels
    from ..domain.overdue import leaders_of
    from ..render.tables import rows_out

    L = book.rules.label
    cols = [("case", "case 个案"), ("kind", "deadline 时限"), ("due", "due 截止"), ("state", "state 状态"),
            ("owner", "owner 负责人"), ("grade", "grade 分级"), ("urges", "urges 催办")]
    lines = []
    for gid in dict.fromkeys(r["group"] for r in rows):
        g = book.roster.group(gid) if gid else None
        leaders = leaders_of(book.roster, gid)
        title = f"{g.name} ({gid})" if g else "no group 无小组"
        lines.append(title + (f" — leader 组长 {', '.join(leaders)}" if leaders else ""))
        table = [{
            "case": r["case"], "kind": f"{labels.deadline(r['kind'])} {r['kind']}",
            "due": f"{r['due'].astimezone(book.tz):%Y-%m-%d %H:%M}" + (" 暂定" if r["provisional"] else ""),
            "state": "超时 OVERDUE" if r["overdue"] else "临期 due soon",
            "owner": r["owner_name"], "grade": L("grade", r["grade"]).split("·")[0],
            "urges": f"{r['urges']} !! 上报委员会" if r["committee"] else str(r["urges"]),
        } for r in rows if r["group"] == gid]
        lines.append(rows_out(table, "table", cols))
        lines.append("")
    late = sum(1 for r in rows if r["overdue"])
    lines.append(f"{late} overdue, {len(rows) - late} due soon, as of {when:%Y-%m-%d %H:%M}.")
    provisional = sum(1 for r in rows if r["provisional"])
    if provisional:
        lines.append(_("{n} due time(s) marked 暂定 are provisional: see the note on stderr.").format(n=provisional))
    return "\n".join(lines)


@command(help=N_('Cases past or near their deadlines (超时/临期), by group, with urge counts.'))
@handle
def overdue(
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Replay as of this time (default: now); later events are ignored."),
    soon: Optional[str] = typer.Option(None, "--soon", help="Also list deadlines due within this duration (e.g. '1 working day', '2 days')."),
    group: Optional[str] = typer.Option(None, "--group", help="Only this group's people."),
    fmt: str = typer.Option("table", "--format", help=N_("table, json, csv or xlsx.")),
    output: Optional[Path] = typer.Option(None, "--output", metavar=N_("FILE"), help=OUTPUT_HELP),
):
    from .. import queries
    from ..domain.calendar import parse_duration
    from ..domain.dates import parse_time
    from ..render.tables import rows_out
    from .exports import FORMATS, check_output

    check_format(fmt, FORMATS)
    check_output(fmt, output)
    book = open_book()
    when = parse_time(as_of, book.tz, "--as-of") if as_of is not None else book.now
    dur = parse_duration(soon) if soon is not None else None
    problems: list = []
    rows, warnings = queries.overdue(book, when, dur, group, problems)
    report_problems(book, problems)
    for w in warnings:
        err(w)
    provisional_note(book)  # once: which years were provisional, and the rules.yaml lines to add
    if fmt == "xlsx":
        from ..render.sheets import overdue_sheet
        from .exports import save

        save(book, output, [overdue_sheet(rows, book.rules, book.roster)], _("{n} deadline(s)").format(n=len(rows)))
        return
    if fmt != "table":
        keys = ("case", "kind", "due", "provisional", "owner", "group", "overdue", "urges", "committee", "grade",
                "status")
        out(rows_out([{k: r[k] for k in keys} for r in rows], fmt, [(k, k) for k in keys]))
        return
    if not rows:
        out(f"Nothing overdue as of {when:%Y-%m-%d %H:%M}" + (f" or due within {dur}" if dur else "") + ".")
        return
    out(_table(book, rows, when, dur))
