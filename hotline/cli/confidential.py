"""Confidentiality (SPEC §7): `access` — who may open a case's personal data, and why."""

from pathlib import Path
from typing import Optional

import typer

from ..errors import UsageError
from ..i18n import N_, _
from .app import command
from .common import OUTPUT, check_format, columns, handle, open_book, out, write_out

ACCESS_COLUMNS = [("person", N_("person")), ("name", N_("name")), ("roles", N_("roles")), ("why", N_("why")),
                  ("key", N_("key")), ("holds", N_("holds the case's key"))]


@command(help=N_("Who may open a case's personal data (name, contact, address), and why."))
@handle
def access(
    ctx: typer.Context,
    case: str = typer.Argument(..., metavar=N_("CASE"), help=N_("Case id (or an unambiguous prefix).")),
    fmt: str = typer.Option("table", "--format", metavar=N_("FORMAT"), help=N_("table, json or csv.")),
    output: Optional[Path] = OUTPUT,
    data_key: Optional[Path] = typer.Option(None, "--data-key", metavar=N_("FILE"), help=N_(
        "Write the case's data key to FILE (readers only), for the standard `age -d -i FILE`.")),
):
    from ..trust import keyring
    from ..domain import labels
    from ..domain.access import readers
    from ..render.tables import rows_out

    check_format(fmt)
    book = open_book(ctx)
    c = book.store.get(case)
    if data_key is not None:
        path = keyring.export_data_key(book, c, data_key)
        out(_("Wrote the data key of {id} to {path}: keep it as safe as your own key, and delete it after use.")
            .format(id=c.id, path=path))
        return
    found = readers(c, keyring.reading_roster(book), book.rules.lines.access)
    with keyring.session(book) as store:
        holding = {w.reader for w in keyring.wraps_of(store, c)} if c.personal is not None and c.personal.key else set()
    rows = []
    for pid, why in found.items():
        p = book.roster.person(pid)
        words = [labels.access_reason(w) for w in why]
        rows.append({"person": pid, "name": p.name if p else pid,
                     "roles": "、".join(labels.role(r) for r in p.roles) if p and fmt != "json" else (p.roles if p else []),
                     "why": "、".join(words) if fmt != "json" else why,
                     "key": (_("yes") if p and p.key else _("no")) if fmt != "json" else bool(p and p.key),
                     "holds": (_("yes") if pid in holding else _("no")) if fmt != "json" else pid in holding})
    write_out(rows_out(rows, fmt, columns(ACCESS_COLUMNS)), output, fmt, len(rows))


CASES_ARG = typer.Argument(None, metavar=N_("CASE"), help=N_("Case ids (or unambiguous prefixes)."))


@command(help=N_("Erase a caller's personal data for good (its data key is destroyed; the coded fields and "
                 "every statistic stay)."))
@handle
def erase(
    ctx: typer.Context,
    cases: Optional[list[str]] = CASES_ARG,
    reason: Optional[str] = typer.Option(None, "--reason", metavar=N_("TEXT"), help=N_(
        "Why (the caller asked, the retention period passed…); kept in the erase event.")),
    caller: bool = typer.Option(False, "--caller", help=N_("Every case of the caller of each CASE.")),
    due: bool = typer.Option(False, "--due", help=N_("Every case past the retention period (rules.yaml `retention:`) "
                                                     "and not on hold.")),
    yes: bool = typer.Option(False, "--yes", help=N_("Do not ask: erasing cannot be undone.")),
):
    from ..trust import erasure
    from .terminal import interactive_terminal

    if due and (cases or caller):
        raise UsageError(_("--due erases every case past the retention period: give either --due or case ids"))
    if not due and not cases:
        raise UsageError(_("name the cases to erase (CASE …), or give --due"))
    book = open_book(ctx)
    if due and not reason:
        reason = _("retention period of {years} year(s) passed").format(years=book.rules.lines.retention_years)
    if not reason:
        raise UsageError(_("--reason is required: say why the personal data is erased"))
    if not yes:
        term = interactive_terminal(False)
        if term is None:
            raise UsageError(_("erasing cannot be undone: add --yes to confirm"))
        what = _("every case past the retention period") if due else ", ".join(cases or [])
        answer = term.ask(_("Erase the personal data of {what} for good? Type yes to confirm").format(what=what),
                          lambda t: t.strip().lower())
        if answer not in ("yes", "y", "是"):
            out(_("Nothing was erased."))
            return
    res = erasure.erase(book, cases or [], reason, whole_caller=caller, only_due=due)
    if not res.cases:
        out(_("Nothing is due: no case is past the retention period of {years} year(s).")
            .format(years=book.rules.lines.retention_years))
        return
    out(_("Erased the personal data of {n} case(s): {ids}").format(n=len(res.cases), ids=", ".join(res.cases[:10])
                                                                    + ("…" if len(res.cases) > 10 else "")))
    out(_("Other offices lose the keys at their next `hotline sync`."))
    if res.legacy:
        out("!! " + _("{n} of them were written before per-case keys: their old encrypted copies in the history "
                      "stay readable to whoever held a staff key then").format(n=len(res.legacy)))


@command(help=N_("Keep a case's personal data past the retention period (legal hold), until `hotline release`."))
@handle
def hold(
    ctx: typer.Context,
    case: str = typer.Argument(..., metavar=N_("CASE"), help=N_("Case id (or an unambiguous prefix).")),
    reason: str = typer.Option(..., "--reason", metavar=N_("TEXT"), help=N_("Why it is kept (a court, the police…).")),
):
    from ..trust import erasure

    c, _commit = erasure.hold(open_book(ctx), case, reason)
    out(_("Case {id} is on hold: its personal data is kept until `hotline release {id}`.").format(id=c.id))


@command(help=N_("End a legal hold: the case's personal data is erased once its retention period has passed."))
@handle
def release(
    ctx: typer.Context,
    case: str = typer.Argument(..., metavar=N_("CASE"), help=N_("Case id (or an unambiguous prefix).")),
    reason: Optional[str] = typer.Option(None, "--reason", metavar=N_("TEXT")),
):
    from ..trust import erasure

    c, _commit = erasure.release(open_book(ctx), case, reason or "")
    out(_("The hold on case {id} was released.").format(id=c.id))
