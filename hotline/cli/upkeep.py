"""Looking after the book: `check` every file, `rekey` the personal data."""

from pathlib import Path
from typing import Optional

import typer

from ..i18n import N_, _
from .app import command
from .common import OUTPUT, check_format, columns, handle, open_book, out, progress, write_out


@command(help=N_('Validate every file of the book: path:line: message per problem; exit 1 if any.'))
@handle
def check(ctx: typer.Context, fmt: str = typer.Option("text", "--format", metavar=N_("FORMAT"), help=N_("text, json or csv.")),
          output: Optional[Path] = OUTPUT,
          regions: bool = typer.Option(False, "--regions", help=N_("List the cases whose region cannot be placed "
                                                                   "(local, in the province, another province)."))):
    from ..check import check_book, unplaced_regions
    from ..render.tables import rows_out

    check_format(fmt, ("text", "json", "csv"))
    book = open_book(ctx)
    if regions:
        problems = unplaced_regions(book)
    else:
        problems = check_book(book, progress=progress(_("checking")) if fmt == "text" and output is None else None)
    rows = [{"path": p.path, "line": p.line, "message": p.message} for p in problems]
    if fmt == "text":
        text = "".join(f"{p}\n" for p in problems)
    else:
        text = rows_out(rows, fmt, columns([("path", N_("file")), ("line", N_("line")), ("message", N_("problem"))]))
    if output is not None or text:
        write_out(text, output, fmt, count=len(problems) if output is not None else None)
    if problems:
        raise typer.Exit(1)


@command(help=N_("Re-encrypt every case's personal data to the current staff keys (one commit)."))
@handle
def rekey(ctx: typer.Context):
    from ..setup import rekey_book

    book = open_book(ctx)
    res = rekey_book(book, progress=progress(_("re-encrypting")))
    if res.files:
        out(_("Re-encrypted {cases} case(s) to {recipients} recipient(s) in one commit.").format(cases=res.cases, recipients=res.recipients))
        out(_("Note: old commits stay readable to the keys they were encrypted to; rekey cannot undo that."))
    else:
        out(_("Nothing to re-encrypt; {recipients} recipient(s) in roster.yaml.").format(recipients=res.recipients))
