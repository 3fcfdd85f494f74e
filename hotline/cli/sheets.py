"""`hotline import`: cases from an Excel/WPS sheet or a CSV file, and the template to fill."""

from pathlib import Path
from typing import Optional

import typer

from ..i18n import N_, _
from .app import command
from .common import err, handle, open_book, out


@command("import", help=N_("Import cases from a spreadsheet (.xlsx or .csv): every bad cell named, one commit."))
@handle
def import_(
    ctx: typer.Context,
    file: Optional[Path] = typer.Argument(None, metavar=N_("FILE"), help=N_("The sheet to import: .xlsx or .csv.")),
    sheet: Optional[str] = typer.Option(None, "--sheet", metavar=N_("NAME"),
                                        help=N_("The workbook's sheet to read (default: 个案, else the first).")),
    mapping: Optional[Path] = typer.Option(None, "--map", metavar=N_("MAP.yaml"),
                                           help=N_("A mapping file: other headers to fields, cell texts to ids.")),
    dry_run: bool = typer.Option(False, "--dry-run", help=N_("Check and print what would be created; write nothing.")),
    skip_bad: bool = typer.Option(False, "--skip-bad", help=N_("Import the good rows and list the bad ones.")),
    template: Optional[Path] = typer.Option(None, "--template", metavar=N_("FILE.xlsx"),
                                            help=N_("Write an empty sheet to fill: the headers and drop-down lists.")),
    encoding: Optional[str] = typer.Option(None, "--encoding", metavar=N_("ENCODING"),
                                           help=N_("A .csv file's encoding: utf-8, gbk or big5 (default: told from "
                                                   "the file).")),
):
    from ..errors import UsageError

    if template is not None:
        if file is not None:
            raise UsageError(_("give either FILE to import or --template FILE.xlsx to write, not both"))
        _template(ctx, template)
        return
    if file is None:
        raise UsageError(_("FILE is missing: the .xlsx or .csv file to import (or --template FILE.xlsx)"))
    _import(ctx, file, sheet, mapping, dry_run, skip_bad, encoding)


def _template(ctx: typer.Context, path: Path) -> None:
    from ..render.sheets import template_sheets
    from .exports import check_output, save

    check_output("xlsx", path, option="--template")
    book = open_book(ctx)
    save(book, path, template_sheets(book.rules, book.roster), _("the import template"))


PROBLEMS_SHOWN = 200   # a sheet broken in every row is not two million lines: the first ones, and a count


def _import(ctx: typer.Context, file: Path, sheet: Optional[str], mapping: Optional[Path], dry_run: bool, skip_bad: bool,
            encoding: Optional[str] = None) -> None:
    from ..writes import importer
    from ..trust import privacy
    from ..errors import UsageError
    from .exports import inside_book

    book = open_book(ctx)
    book.actor()  # fail before reading anything if nobody is acting
    p = importer.plan(book, file, sheet, mapping, encoding)
    for line in _problems(p, PROBLEMS_SHOWN):
        err(line)
    if len(p.problems) > PROBLEMS_SHOWN:
        err(_("… and {n} more bad cell(s), not listed: fix these first").format(n=len(p.problems) - PROBLEMS_SHOWN))
    if p.register.left_out:
        err(_("columns not imported (no field of that name; name them with --map): {headers}")
            .format(headers=", ".join(p.register.left_out)))
    if p.encoding is not None:
        err(_("read {file} as {encoding}").format(file=file, encoding=p.encoding))
    if any(e.personal for e in p.register.entries) and inside_book(book, file):
        err(_("{file} holds callers' personal data in clear and lies inside the book: move it out (git must never "
              "take it)").format(file=file))
    lost = [e.row for e in p.new if e.said_personal and not e.personal]
    if lost:
        err(_("{n} row(s) are cases that held personal data, but the sheet holds none of it (rows {rows}): they are "
              "imported without it — export with `list --format xlsx --reveal` to carry it").format(
            n=len(lost), rows=", ".join(str(r) for r in lost[:10]) + ("…" if len(lost) > 10 else "")))
    if p.problems and skip_bad and not p.new:
        raise UsageError(_("{cells} bad cell(s) in {rows} row(s) of {file}, and no good row to import; nothing was "
                           "written").format(cells=len(p.problems), rows=len(p.bad_rows), file=file))
    if p.problems and not skip_bad:
        raise UsageError(_("{cells} bad cell(s) in {rows} row(s) of {file}; nothing was written: fix them and import "
                           "again (or --skip-bad imports the {good} good row(s))").format(
            cells=len(p.problems), rows=len(p.bad_rows), file=file, good=len(p.new)))
    if dry_run:
        _print_plan(book, p)
        return
    if not p.new:
        out(_("Nothing to import from {file}: {known} row(s) already in the book, {bad} bad row(s).").format(
            file=file, known=len(p.existing), bad=len(p.bad_rows)))
        return
    identity = privacy.load_identity() if any(e.intake.contact for e in p.new) else None
    res = importer.write(book, p, identity)
    out(_("Imported {n} case(s) from {file} in one commit ({known} row(s) already in the book, {bad} bad row(s) "
          "left out).").format(n=len(res.cases), file=file, known=len(p.existing), bad=len(p.bad_rows)))


def _problems(p, most: int) -> list[str]:
    name = str(p.file)
    return [x.text(name) for x in p.problems[:most]]


def _print_plan(book, p) -> None:
    """What would be created (no personal data: only which personal fields a row has)."""
    L = book.rules.label
    for e in p.new:
        i = e.intake
        events = [f"{L('outcome', x.outcome)}" if x.type == "close" else f"→ {x.to}" if x.type == "refer" else x.type
                  for x in e.events[1:]]
        personal = [k for k in ("name", "contact", "address", "notes") if getattr(i, k)]
        out(_("row {row}: new case{id}{at} {grade} {channel} {categories}; owner {owner}{events}{personal}").format(
            row=e.row, id=f" {e.case_id}" if e.case_id else "", at=f" {i.at.astimezone(book.tz):%Y-%m-%d %H:%M}" if i.at else "",
            grade=L("grade", i.grade).split("·")[0], channel=L("channel", i.channel),
            categories="、".join(L("category", c) for c in i.categories), owner=i.owner,
            events=("; " + ", ".join(events)) if events else "",
            personal=("; " + _("personal: {fields} (encrypted)").format(fields=", ".join(personal))) if personal else ""))
    for e, cid in p.existing:
        out(_("row {row}: already in the book as {id}").format(row=e.row, id=cid))
    out(_("Would import {n} case(s) from {file} ({known} row(s) already in the book, {bad} bad row(s)); nothing was "
          "written (--dry-run).").format(n=len(p.new), file=p.file, known=len(p.existing), bad=len(p.bad_rows)))
