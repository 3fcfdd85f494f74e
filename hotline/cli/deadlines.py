"""`hotline overdue`: what is late or due soon, grouped so each leader sees their people."""

from pathlib import Path
from typing import Optional

import typer

from ..i18n import N_, _
from ..render.words import short
from .app import command
from .exports import XLSX_OUTPUT
from .common import (check_format, columns, err, handle, open_book, provisional_note,
                     report_problems, write_out)

TABLE = [("case", N_("case")), ("kind", N_("deadline")), ("due", N_("due")), ("state", N_("state")),
         ("owner", N_("owner")), ("grade", N_("grade")), ("urges", N_("urges"))]
CSV = [("case", N_("case")), ("kind", N_("deadline code")), ("kind_label", N_("deadline")), ("due", N_("due")),
       ("provisional", N_("provisional")), ("owner", N_("owner id")), ("owner_name", N_("owner")),
       ("group", N_("group id")), ("group_name", N_("group")), ("overdue", N_("overdue")), ("urges", N_("urges")),
       ("committee", N_("report to the committee")), ("grade", N_("grade code")), ("grade_label", N_("grade")),
       ("status", N_("status code")), ("status_label", N_("status"))]
KEYS = ("case", "kind", "due", "provisional", "owner", "group", "overdue", "urges", "committee", "grade", "status")


def _labelled(book, r: dict) -> dict:
    from ..domain import labels

    g = book.roster.group(r["group"]) if r["group"] else None
    return dict(r, kind_label=labels.deadline(r["kind"]), grade_label=short(book.rules.label("grade", r["grade"])),
                group_name=g.name if g else "", status_label=labels.status(r["status"]),
                due=r["due"].astimezone(book.tz))


def _table(book, rows: list[dict], when) -> str:
    from ..domain import labels
    from ..domain.overdue import leaders_of
    from ..render.tables import rows_out

    lines = []
    for gid in dict.fromkeys(r["group"] for r in rows):
        g = book.roster.group(gid) if gid else None
        leaders = leaders_of(book.roster, gid)
        title = f"{g.name} ({gid})" if g else _("no group")
        lines.append(title + (" — " + _("leader {names}").format(names=", ".join(leaders)) if leaders else ""))
        table = [{
            "case": r["case"], "kind": labels.deadline(r["kind"]),
            "due": f"{r['due'].astimezone(book.tz):%Y-%m-%d %H:%M}" + (" " + labels.provisional() if r["provisional"] else ""),
            "state": _("OVERDUE") if r["overdue"] else _("due soon"),
            "owner": r["owner_name"], "grade": book.rules.label("grade", r["grade"]).split("·")[0],
            "urges": f"{r['urges']} !! " + _("report to the committee") if r["committee"] else str(r["urges"]),
        } for r in rows if r["group"] == gid]
        lines += [rows_out(table, "table", columns(TABLE)), ""]
    late = sum(1 for r in rows if r["overdue"])
    lines.append(_("{late} overdue, {soon} due soon, as of {when}.").format(
        late=late, soon=len(rows) - late, when=f"{when:%Y-%m-%d %H:%M}"))
    provisional = sum(1 for r in rows if r["provisional"])
    if provisional:
        lines.append(_("{n} due time(s) are provisional: see the note on stderr.").format(n=provisional))
    return "\n".join(lines)


@command(help=N_("Cases past or near their deadlines, by group, with how often they were urged."))
@handle
def overdue(
    ctx: typer.Context,
    as_of: Optional[str] = typer.Option(None, "--as-of", metavar=N_("TIME"),
                                        help=N_("Replay as of this time (default: now); later events are ignored.")),
    soon: Optional[str] = typer.Option(None, "--soon", metavar=N_("DURATION"),
                                       help=N_("Also list deadlines due within this duration (e.g. '1 working day', '2 days').")),
    group: Optional[str] = typer.Option(None, "--group", metavar=N_("GROUP"), help=N_("Only this group's people.")),
    fmt: str = typer.Option("table", "--format", metavar=N_("FORMAT"), help=N_("table, json, csv or xlsx.")),
    output: Optional[Path] = XLSX_OUTPUT,
):
    from ..reads import queries
    from ..domain.calendar import parse_duration
    from ..domain.dates import parse_time
    from ..render.tables import rows_out
    from .exports import FORMATS, check_output

    check_format(fmt, FORMATS)
    check_output(fmt, output)
    book = open_book(ctx)
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
    if fmt == "json":
        write_out(rows_out([{k: r[k] for k in KEYS} for r in rows], fmt, []), output, fmt, len(rows))
    elif fmt == "csv":
        write_out(rows_out([_labelled(book, r) for r in rows], fmt, columns(CSV)), output, fmt, len(rows))
    elif not rows:
        text = _("Nothing overdue as of {when}.") if dur is None else _("Nothing overdue as of {when} or due within {soon}.")
        write_out(text.format(when=f"{when:%Y-%m-%d %H:%M}", soon=dur), output, fmt)
    else:
        write_out(_table(book, rows, when), output, fmt)
