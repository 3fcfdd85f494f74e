"""`hotline report --month YYYY-MM` / `--year YYYY`: the monthly bulletin (SPEC §6) and the upward
report (上报: the national indicators, month and year), rendered."""

from pathlib import Path
from typing import Optional

import typer

from ..i18n import N_, _
from .app import command
from .common import check_format, err, handle, open_book, out, report_problems

YEAR_FORMATS = ("md", "html", "json", "xlsx", "docx")


@command(help=N_('The monthly bulletin (月报) or the year\'s report: cases, hot topics, red cases, referrals, closures, ranking, the upward indicators.'))
@handle
def report(
    ctx: typer.Context,
    month: Optional[str] = typer.Option(None, "--month", metavar=N_("YYYY-MM"), help=N_("The month to report on, YYYY-MM.")),
    year: Optional[str] = typer.Option(None, "--year", metavar=N_("YYYY"), help=N_("The year to report on: totals, month by month, top five topics, growth.")),
    fmt: str = typer.Option("md", "--format", metavar=N_("FORMAT"), help=N_("md (Markdown, default), html, json, xlsx (one sheet per table) or docx (the upward report as a Word document); xlsx and docx need --output.")),
    output: Optional[Path] = typer.Option(None, "--output", metavar=N_("FILE"), help=N_("Write the report to FILE instead of printing it.")),
):
    from ..domain.dates import parse_month
    from ..errors import UsageError
    from ..render.report import REPORT_FORMATS
    from .exports import check_output

    if (month is None) == (year is None):
        raise UsageError(_("give --month YYYY-MM or --year YYYY (one of them)"))
    check_format(fmt, YEAR_FORMATS if year is not None else (*REPORT_FORMATS, "xlsx", "docx"))
    if fmt == "xlsx":
        check_output(fmt, output)
    if fmt == "docx":
        _check_docx(output)
    if year is not None:
        _year(ctx, _parse_year(year), fmt, output)
        return
    _month(ctx, *parse_month(month), fmt, output)


def _parse_year(text: str) -> int:
    from ..domain import dates
    from ..errors import UsageError

    t = text.strip()
    if not (t.isdigit() and len(t) == 4 and dates.FIRST_YEAR <= int(t) <= dates.LAST_YEAR):
        raise UsageError(_("--year '{year}' is not a year; use YYYY ({first}–{last})").format(
            year=text, first=dates.FIRST_YEAR, last=dates.LAST_YEAR))
    return int(t)


def _check_docx(output: Optional[Path]) -> None:
    from ..errors import UsageError

    if output is None:
        raise UsageError(_("--format docx needs --output FILE.docx: a Word document is written to a file, not printed"))
    if Path(output).suffix.lower() != ".docx":
        raise UsageError(_("--output '{file}' must end in .docx (Word and WPS open it by its name)").format(file=output))


def _template(book, name: str) -> bytes:
    from ..errors import BookError
    from ..storage.templates import binary

    data = binary(book.root, name)
    if data is None:
        raise BookError(_("template '{name}' is missing (neither templates/{name2} nor the built-in one)").format(
            name=name, name2=name))
    return data


def _write(path: Path, data, what: str) -> None:
    from ..errors import UsageError
    from ..storage.yamlio import atomic_write

    try:
        atomic_write(Path(path).expanduser(), data)
    except OSError as e:
        raise UsageError(_("--output '{file}' cannot be written ({why}); nothing was written")
                         .format(file=path, why=e.strerror or e)) from None
    out(_("Wrote {what} to {file}").format(what=what, file=path))


def retention_reminder(book) -> None:
    """SPEC §7: cases past the retention period are named at every report (on stderr)."""
    from ..trust import erasure

    n = erasure.due_count(book)
    if n:
        err(erasure.retention_reminder(n, book.rules.lines.retention_years))


def _month(ctx: typer.Context, year: int, mon: int, fmt: str, output: Optional[Path]) -> None:
    from ..reads import queries
    from ..render.report import render_report

    book = open_book(ctx)
    problems: list = []
    data = queries.report(book, year, mon, problems)
    report_problems(book, problems)
    retention_reminder(book)
    if data["ranking_note"]:
        err(_("points ranking left out: {ranking_note}").format(ranking_note=data['ranking_note']))
    if fmt == "xlsx":
        from ..render.bulletin_sheets import bulletin_sheets
        from .exports import save

        save(book, output, bulletin_sheets(data),
             _("the {month} report ({n} case(s))").format(month=data["month"], n=data["received"]))
        return
    if fmt == "docx":
        from ..render.upward import month_docx

        _write(output, month_docx(_template(book, "upward-month.docx"), data, book.rules),
               _("the {month} upward report (Word)").format(month=data["month"]))
        return
    text = render_report(book, data, fmt)
    if not text.endswith("\n"):
        text += "\n"
    if output is None:
        out(text, nl=False)
        return
    from ..storage.yamlio import atomic_write

    atomic_write(output, text)
    out(_("Wrote the {month} report ({fmt}, {received} case(s)) to {output}").format(month=data['month'], fmt=fmt, received=data['received'], output=output))


def _year(ctx: typer.Context, year: int, fmt: str, output: Optional[Path]) -> None:
    from ..reads import queries
    from ..render import upward

    book = open_book(ctx)
    y = queries.year_report(book, year)
    retention_reminder(book)
    what = _("the {year} report").format(year=year)
    if fmt == "xlsx":
        from .exports import save

        save(book, output, upward.year_sheets(y, book.rules), what)
        return
    if fmt == "docx":
        _write(output, upward.year_docx(_template(book, "upward-year.docx"), y, book.rules), what)
        return
    if fmt == "json":
        from ..render.report import bulletin_json

        text = bulletin_json(y) + "\n"
    elif fmt == "md":
        text = upward.year_markdown(y, book.rules)
    else:
        text = upward.year_html(y, book.rules)
    if output is None:
        out(text, nl=False)
        return
    _write(output, text, what)
