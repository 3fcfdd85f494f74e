"""Confidentiality (SPEC §7): `access` — who may open a case's personal data, and why."""

from pathlib import Path
from typing import Optional

import typer

from ..i18n import N_, _
from .app import command
from .common import OUTPUT, check_format, columns, handle, open_book, write_out

ACCESS_COLUMNS = [("person", N_("person")), ("name", N_("name")), ("roles", N_("roles")), ("why", N_("why")),
                  ("key", N_("key"))]


@command(help=N_("Who may open a case's personal data (name, contact, address), and why."))
@handle
def access(
    ctx: typer.Context,
    case: str = typer.Argument(..., metavar=N_("CASE"), help=N_("Case id (or an unambiguous prefix).")),
    fmt: str = typer.Option("table", "--format", metavar=N_("FORMAT"), help=N_("table, json or csv.")),
    output: Optional[Path] = OUTPUT,
):
    from ..domain import labels
    from ..domain.access import readers
    from ..render.tables import rows_out

    check_format(fmt)
    book = open_book(ctx)
    c = book.store.get(case)
    found = readers(c, book.roster, book.rules.lines.access)
    rows = []
    for pid, why in found.items():
        p = book.roster.person(pid)
        words = [labels.access_reason(w) for w in why]
        rows.append({"person": pid, "name": p.name if p else pid,
                     "roles": "、".join(labels.role(r) for r in p.roles) if p and fmt != "json" else (p.roles if p else []),
                     "why": "、".join(words) if fmt != "json" else why,
                     "key": (_("yes") if p and p.key else _("no")) if fmt != "json" else bool(p and p.key)})
    write_out(rows_out(rows, fmt, columns(ACCESS_COLUMNS)), output, fmt, len(rows))
