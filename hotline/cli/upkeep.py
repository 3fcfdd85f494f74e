"""Looking after the book: `check` every file, `rekey` the personal data."""
from __future__ import annotations

import typer

from ..i18n import N_, _
from .app import command
from .common import check_format, handle, open_book, out, progress


@command(help=N_('Validate every file of the book: path:line: message per problem; exit 1 if any.'))
@handle
def check(fmt: str = typer.Option("text", "--format", metavar=N_("FORMAT"), help=N_("text or json."))):
    from ..check import check_book
    from ..render.tables import to_json

    check_format(fmt, ("text", "json"))
    book = open_book()
    problems = check_book(book, progress=progress("checking") if fmt == "text" else None)
    if fmt == "json":
        out(to_json([{"path": p.path, "line": p.line, "message": p.message} for p in problems]))
    else:
        for p in problems:
            out(str(p))
    if problems:
        raise typer.Exit(1)


@command(help=N_("Re-encrypt every case's personal data to the current staff keys (one commit)."))
@handle
def rekey():
    from ..setup import rekey_book

    book = open_book()
    res = rekey_book(book, progress=progress("re-encrypting"))
    if res.files:
        out(_("Re-encrypted {cases} case(s) to {recipients} recipient(s) in one commit.").format(cases=res.cases, recipients=res.recipients))
        out(_("Note: old commits stay readable to the keys they were encrypted to; rekey cannot undo that."))
    else:
        out(_("Nothing to re-encrypt; {recipients} recipient(s) in roster.yaml.").format(recipients=res.recipients))
