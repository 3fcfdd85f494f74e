"""`hotline report --month YYYY-MM`: the monthly bulletin (SPEC §6), rendered."""

from pathlib import Path
from typing import Optional

import typer

from ..i18n import N_, _
from .app import command
from .common import check_format, err, handle, open_book, out, report_problems


@command(help=N_('The monthly bulletin (月报): cases, hot topics, red cases, referrals, closures, ranking.'))
@handle
def report(
    month: str = typer.Option(..., "--month", metavar=N_("YYYY-MM"), help=N_("The month to report on, YYYY-MM.")),
    fmt: str = typer.Option("md", "--format", metavar=N_("FORMAT"), help=N_("md (Markdown, default), html, json or xlsx (one sheet per table, needs --output).")),
    output: Optional[Path] = typer.Option(None, "--output", metavar=N_("FILE"), help=N_("Write the report to FILE instead of printing it.")),
):
    from .. import queries
    from ..domain.dates import parse_month
    from ..render.report import REPORT_FORMATS, render_report
    from ..storage.yamlio import atomic_write
    from .exports import check_output

    check_format(fmt, (*REPORT_FORMATS, "xlsx"))
    if fmt == "xlsx":
        check_output(fmt, output)
    year, mon = parse_month(month)
    book = open_book()
    problems: list = []
    data = queries.report(book, year, mon, problems)
    report_problems(book, problems)
    if data["ranking_note"]:
        err(_("points ranking left out: {ranking_note}").format(ranking_note=data['ranking_note']))
    if fmt == "xlsx":
        from ..render.bulletin_sheets import bulletin_sheets
        from .exports import save

        save(book, output, bulletin_sheets(data),
             _("the {month} report ({n} case(s))").format(month=data["month"], n=data["received"]))
        return
    text = render_report(book, data, fmt)
    if not text.endswith("\n"):
        text += "\n"
    if output is None:
        out(text, nl=False)
        return
    atomic_write(output, text)
    out(_("Wrote the {month} report ({fmt}, {received} case(s)) to {output}").format(month=data['month'], fmt=fmt, received=data['received'], output=output))
