"""`hotline calls add|import|list`: calls that did not become cases (missed, abandoned, silent, prank,
wrong number), for the upward report's 来电总数 and 接通率."""

from pathlib import Path
from typing import Optional

import typer

from ..i18n import N_, _
from .app import HotlineCommand, HotlineGroup, app
from .common import FORMAT_HELP, OUTPUT, check_format, columns, err, handle, open_book, out, write_out

calls_app = typer.Typer(cls=HotlineGroup, no_args_is_help=True, rich_markup_mode=None,
                        help=N_("Calls that did not become cases (未接、呼损、无声、骚扰、打错), from the phone system."))
app.add_typer(calls_app, name="calls")

CALLS_TABLE = [("id", N_("entry id")), ("date", N_("date")), ("missed", N_("missed")), ("abandoned", N_("abandoned")),
               ("silent", N_("silent")), ("prank", N_("prank")), ("wrong_number", N_("wrong number")),
               ("total", N_("total")), ("by", N_("recorded by")), ("note", N_("note"))]
COUNT = dict(metavar=N_("N"), min=0)


@calls_app.command("add", cls=HotlineCommand,
                   help=N_("Record the calls of a day (--date) or a whole month (--month) that did not become cases."))
@handle
def add(
    ctx: typer.Context,
    day: Optional[str] = typer.Option(None, "--date", metavar=N_("DATE"), help=N_("The day, YYYY-MM-DD.")),
    month: Optional[str] = typer.Option(None, "--month", metavar=N_("YYYY-MM"), help=N_("The whole month, YYYY-MM.")),
    missed: Optional[int] = typer.Option(None, "--missed", help=N_("Calls that rang and were not answered (未接)."), **COUNT),
    abandoned: Optional[int] = typer.Option(None, "--abandoned", help=N_("Callers who hung up while waiting (呼损)."), **COUNT),
    silent: Optional[int] = typer.Option(None, "--silent", help=N_("Answered, nobody spoke (无声)."), **COUNT),
    prank: Optional[int] = typer.Option(None, "--prank", help=N_("Prank or harassing calls (骚扰)."), **COUNT),
    wrong_number: Optional[int] = typer.Option(None, "--wrong-number", help=N_("Wrong numbers (打错)."), **COUNT),
    note: Optional[str] = typer.Option(None, "--note", metavar=N_("TEXT"), help=N_("A remark (no callers' data).")),
):
    from ..writes import calllog
    from ..domain.dates import parse_date, parse_month

    book = open_book(ctx)
    res = calllog.record(book, {"missed": missed, "abandoned": abandoned, "silent": silent, "prank": prank,
                                "wrong_number": wrong_number},
                         parse_date(day, "--date") if day else None, parse_month(month) if month else None, note or "")
    x = res.entries[0]
    when = x.day.isoformat() if x.day else f"{x.year:04d}-{x.month:02d}"
    out(_("Recorded {n} call(s) of {when} that did not become cases ({id})").format(n=x.total(), when=when, id=x.id))


@calls_app.command("import", cls=HotlineCommand,
                   help=N_("Import the phone system's call log (.xlsx or .csv): every bad cell named, one commit."))
@handle
def import_(
    ctx: typer.Context,
    file: Path = typer.Argument(..., metavar=N_("FILE"), help=N_("The call log: .xlsx or .csv.")),
    sheet: Optional[str] = typer.Option(None, "--sheet", metavar=N_("NAME"), help=N_("The workbook's sheet to read.")),
    dry_run: bool = typer.Option(False, "--dry-run", help=N_("Check and print what would be recorded; write nothing.")),
):
    from ..writes import calllog
    from ..errors import UsageError

    book = open_book(ctx)
    book.actor()
    p = calllog.plan_import(book, file, sheet)
    for problem in p.log.problems:
        err(problem.text(str(file)))
    if p.log.left_out:
        err(_("columns not imported (no field of that name): {headers}").format(headers=", ".join(p.log.left_out)))
    if p.encoding is not None:
        err(_("read {file} as {encoding}").format(file=file, encoding=p.encoding))
    if p.log.problems:
        raise UsageError(_("{cells} bad cell(s) in {file}; nothing was written: fix them and import again").format(
            cells=len(p.log.problems), file=file))
    if p.changed:
        err(_("{days} were imported before from a different call log and are left as they are (never counted "
              "twice): to replace a day, delete its entry in calls/YYYY-MM.yaml and import again").format(
            days="、".join(d.isoformat() for d in p.changed)))
    total = sum(x.total() for x in p.new)
    if dry_run:
        for x in p.new:
            out(f"{x.day.isoformat() if x.day else ''}: " + ", ".join(f"{k} {n}" for k, n in x.counts.items()))
        out(_("Would record {days} day(s), {n} call(s) from {file} ({known} day(s) already imported, {answered} "
              "answered call(s) left to the cases); nothing was written (--dry-run).").format(
            days=len(p.new), n=total, file=file, known=p.known, answered=p.log.answered))
        return
    if not p.new:
        out(_("Nothing to record from {file}: {known} day(s) already imported.").format(file=file, known=p.known))
        return
    calllog.write_import(book, p)
    out(_("Recorded {days} day(s), {n} call(s) that did not become cases from {file} in one commit ({known} day(s) "
          "already imported, {answered} answered call(s) left to the cases).").format(
        days=len(p.new), n=total, file=file, known=p.known, answered=p.log.answered))


@calls_app.command("list", cls=HotlineCommand, help=N_("The month's calls that did not become cases."))
@handle
def list_(
    ctx: typer.Context,
    month: str = typer.Option(..., "--month", metavar=N_("YYYY-MM"), help=N_("The month, YYYY-MM.")),
    fmt: str = typer.Option("table", "--format", metavar=N_("FORMAT"), help=FORMAT_HELP),
    output: Optional[Path] = OUTPUT,
):
    from ..reads import calllog
    from ..domain.dates import parse_month
    from ..render.tables import rows_out

    check_format(fmt)
    book = open_book(ctx)
    rows = calllog.month_rows(book, *parse_month(month))
    write_out(rows_out(rows, fmt, columns(CALLS_TABLE)), output, fmt, len(rows))
