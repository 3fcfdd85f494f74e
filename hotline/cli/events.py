"""Events on a case: `followup`, `refer`, `urge`, `assign`, `close`."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .app import app
from .common import handle, open_book, out, parse_at, print_new_deadlines, who

CASE_ARG = "Case id (or an unambiguous prefix)."


@app.command()
@handle
def followup(
    case: str = typer.Argument(..., help=CASE_ARG),
    note: str = typer.Option(..., "--note", help="What was done or learned."),
    revisit: bool = typer.Option(False, "--revisit", help="A revisit after closing (回访)."),
    at: Optional[str] = typer.Option(None, "--at"),
):
    """Record a follow-up (跟进), or a revisit after closing."""
    from .. import actions
    from ..domain import labels

    book = open_book()
    res = actions.followup(book, case, note, revisit, parse_at(book, at))
    out(f"Recorded {labels.event(res.case.events[-1].type)} on {res.case.id}")


@app.command()
@handle
def refer(
    case: str = typer.Argument(..., help=CASE_ARG),
    to: str = typer.Option(..., "--to", help="Partner organisation id from roster.yaml."),
    note: Optional[str] = typer.Option(None, "--note"),
    form: Optional[Path] = typer.Option(None, "--form", help="Write the referral / task-assignment form to FILE."),
    include_contact: bool = typer.Option(False, "--include-contact", help="Put the caller's contact on the form — only if the caller agreed (needs your key)."),
    at: Optional[str] = typer.Option(None, "--at"),
):
    """Refer the case to a partner organisation (转介); restarts the close deadline."""
    from .. import actions, privacy

    book = open_book()
    when = parse_at(book, at)
    personal = {}
    if include_contact:
        pre = book.store.get(case)
        personal = actions.reveal(book, pre, privacy.load_identity())
    res = actions.refer(book, case, to, note or "", when, form=form, personal=personal)
    out(f"Referred {res.case.id} to {book.roster.partner(to).name}")
    print_new_deadlines(book, res.case, res.case.events[-1].at)
    if form:
        out(f"Referral form written to {form}")


@app.command()
@handle
def urge(
    case: str = typer.Argument(..., help=CASE_ARG),
    note: Optional[str] = typer.Option(None, "--note"),
    at: Optional[str] = typer.Option(None, "--at"),
):
    """Record that a leader chased the case owner (催办)."""
    from .. import actions
    from ..domain.clocks import needs_committee

    book = open_book()
    res = actions.urge(book, case, note or "", parse_at(book, at))
    n = res.case.urges()
    out(f"Urged {res.case.id} ({n} time{'s' if n != 1 else ''}); owner {who(book, res.case.current_owner())}")
    if needs_committee(res.case, book.rules, res.case.events[-1].at):
        out(f"!! urged more than {book.rules.urge_limit} times and still open: report to the committee 上报委员会")


@app.command()
@handle
def assign(
    case: str = typer.Argument(..., help=CASE_ARG),
    to: str = typer.Option(..., "--to", help="The new owner's roster id."),
    note: Optional[str] = typer.Option(None, "--note"),
    at: Optional[str] = typer.Option(None, "--at"),
):
    """Hand the case to a new owner (移交); the registration form travels with it."""
    from .. import actions

    book = open_book()
    res = actions.assign(book, case, to, note or "", parse_at(book, at))
    out(f"Assigned {res.case.id} to {who(book, to)}")


@app.command()
@handle
def close(
    case: str = typer.Argument(..., help=CASE_ARG),
    outcome: str = typer.Option(..., "--outcome", help="resolved or unresolved."),
    reason: Optional[str] = typer.Option(None, "--reason", help="Why it could not be solved (required when unresolved)."),
    note: Optional[str] = typer.Option(None, "--note"),
    at: Optional[str] = typer.Option(None, "--at"),
):
    """Close the case (结案)."""
    from .. import actions

    book = open_book()
    res = actions.close(book, case, outcome, reason or "", note or "", parse_at(book, at))
    out(f"Closed {res.case.id}: {book.rules.label('outcome', res.case.events[-1].outcome)}")
    print_new_deadlines(book, res.case, res.case.events[-1].at)
