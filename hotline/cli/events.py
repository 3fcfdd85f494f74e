"""Events on a case: `followup`, `refer`, `urge`, `assign`, `close`, and correcting a case:
`amend`, `void`."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from ..i18n import N_, _
from .app import command
from .common import err, handle, open_book, out, parse_at, print_new_deadlines, who

CASE_ARG = "Case id (or an unambiguous prefix)."
NO_INPUT = typer.Option(False, "--no-input", help="Never ask; personal data in a note is then refused.")


class Notes:
    """Clear-text notes of one command, searched for personal data before anything is written.
    On a terminal the person sees each finding and moves it to the case's encrypted notes,
    removes it or edits the text; without one, the action refuses it (exit 2, the field and the
    kind named)."""

    def __init__(self, no_input: bool):
        from .terminal import interactive_terminal

        self.term = interactive_terminal(no_input)
        self.secret: list[str] = []

    def __call__(self, text: Optional[str], option: str) -> str:
        from ..domain import detect
        from .form import sift

        text = text or ""
        if self.term is None or not detect.find(text):
            return text

        def edit(current: str) -> str:
            return self.term.ask(option, lambda t: t, prefill=current)

        text, moved = sift(self.term, option, text, edit, lambda kind: _("notes of the case"))
        self.secret += [found for _kind, found in moved]
        return text

    def extra(self) -> dict:
        """What the action needs to keep what was moved out (and the key to open the case's block)."""
        if not self.secret:
            return {}
        from .. import privacy

        return {"secret": "\n".join(self.secret), "identity": privacy.load_identity()}


@command(help=N_('Record a follow-up (跟进), or a revisit after closing.'))
@handle
def followup(
    case: str = typer.Argument(..., help=CASE_ARG),
    note: str = typer.Option(..., "--note", help="What was done or learned."),
    revisit: bool = typer.Option(False, "--revisit", help="A revisit after closing (回访)."),
    reported_police: bool = typer.Option(False, "--reported-police",
                                         help=N_("The case was reported to the police (强制报告, repeated threats).")),
    at: Optional[str] = typer.Option(None, "--at"),
    no_input: bool = NO_INPUT,
):
    from .. import actions
    from ..domain import labels

    book = open_book()
    notes = Notes(no_input)
    res = actions.followup(book, case, notes(note, "--note"), revisit, parse_at(book, at), **notes.extra(),
                           reported_police=reported_police)
    police = " (" + _("reported to the police") + ")" if reported_police else ""
    out(f"Recorded {labels.event(res.case.events[-1].type)}{police} on {res.case.id}")


@command(help=N_('Refer the case to a partner organisation (转介); restarts the close deadline.'))
@handle
def refer(
    case: str = typer.Argument(..., help=CASE_ARG),
    to: str = typer.Option(..., "--to", help="Partner organisation id from roster.yaml."),
    note: Optional[str] = typer.Option(None, "--note"),
    form: Optional[Path] = typer.Option(None, "--form", help="Write the referral / task-assignment form to FILE."),
    include_contact: bool = typer.Option(False, "--include-contact", help="Put the caller's contact on the form — only if the caller agreed (needs your key)."),
    at: Optional[str] = typer.Option(None, "--at"),
    no_input: bool = NO_INPUT,
):
    from .. import actions, privacy

    book = open_book()
    when = parse_at(book, at)
    personal = {}
    if include_contact:
        pre = book.store.get(case)
        personal = actions.reveal(book, pre, privacy.load_identity())
    notes = Notes(no_input)
    res = actions.refer(book, case, to, notes(note, "--note"), when, form=form, personal=personal, **notes.extra())
    out(f"Referred {res.case.id} to {book.roster.partner(to).name}")
    print_new_deadlines(book, res.case, res.case.events[-1].at)
    if form:
        out(f"Referral form written to {form}")


@command(help=N_('Record that a leader chased the case owner (催办).'))
@handle
def urge(
    case: str = typer.Argument(..., help=CASE_ARG),
    note: Optional[str] = typer.Option(None, "--note"),
    at: Optional[str] = typer.Option(None, "--at"),
    no_input: bool = NO_INPUT,
):
    from .. import actions
    from ..domain.clocks import needs_committee

    book = open_book()
    notes = Notes(no_input)
    res = actions.urge(book, case, notes(note, "--note"), parse_at(book, at), **notes.extra())
    n = res.case.urges()
    out(f"Urged {res.case.id} ({n} time{'s' if n != 1 else ''}); owner {who(book, res.case.current_owner())}")
    if needs_committee(res.case, book.rules, res.case.events[-1].at):
        out(f"!! urged more than {book.rules.urge_limit} times and still open: report to the committee 上报委员会")


@command(help=N_('Hand the case to a new owner (移交); the registration form travels with it.'))
@handle
def assign(
    case: str = typer.Argument(..., help=CASE_ARG),
    to: str = typer.Option(..., "--to", help="The new owner's roster id."),
    note: Optional[str] = typer.Option(None, "--note"),
    at: Optional[str] = typer.Option(None, "--at"),
    no_input: bool = NO_INPUT,
):
    from .. import actions

    book = open_book()
    notes = Notes(no_input)
    res = actions.assign(book, case, to, notes(note, "--note"), parse_at(book, at), **notes.extra())
    out(f"Assigned {res.case.id} to {who(book, to)}")


@command(help=N_('Close the case (结案).'))
@handle
def close(
    case: str = typer.Argument(..., help=CASE_ARG),
    outcome: str = typer.Option(..., "--outcome", help="resolved or unresolved."),
    reason: Optional[str] = typer.Option(None, "--reason", help="Why it could not be solved (required when unresolved)."),
    note: Optional[str] = typer.Option(None, "--note"),
    at: Optional[str] = typer.Option(None, "--at"),
    no_input: bool = NO_INPUT,
):
    from .. import actions

    book = open_book()
    notes = Notes(no_input)
    res = actions.close(book, case, outcome, notes(reason, "--reason"), notes(note, "--note"), parse_at(book, at),
                        **notes.extra())
    out(f"Closed {res.case.id}: {book.rules.label('outcome', res.case.events[-1].outcome)}")
    print_new_deadlines(book, res.case, res.case.events[-1].at)


@command(help=N_('Correct the registration form (更正): the fields given, or on a terminal the whole form to review.'))
@handle
def amend(
    case: str = typer.Argument(..., help=CASE_ARG),
    channel: Optional[str] = typer.Option(None, "--channel"),
    grade: Optional[str] = typer.Option(None, "--grade"),
    risk: Optional[str] = typer.Option(None, "--risk", metavar=N_("LEVEL"), help=N_("Crisis level: low, medium, high.")),
    role: Optional[str] = typer.Option(None, "--role"),
    category: List[str] = typer.Option([], "--category", help="The categories, all of them (repeat)."),
    need: List[str] = typer.Option([], "--need", help="The needs, all of them (repeat)."),
    summary: Optional[str] = typer.Option(None, "--summary"),
    response: Optional[str] = typer.Option(None, "--response"),
    region: Optional[str] = typer.Option(None, "--region"),
    occupation: Optional[str] = typer.Option(None, "--occupation"),
    gender: Optional[str] = typer.Option(None, "--gender"),
    age_group: Optional[str] = typer.Option(None, "--age-group"),
    victim_age_group: Optional[str] = typer.Option(None, "--victim-age-group", metavar=N_("AGE")),
    name: Optional[str] = typer.Option(None, "--name", help="(encrypted)"),
    contact: Optional[str] = typer.Option(None, "--contact", help="(encrypted)"),
    address: Optional[str] = typer.Option(None, "--address", help="(encrypted)"),
    notes: Optional[str] = typer.Option(None, "--notes", help="(encrypted)"),
    consent_publish: Optional[bool] = typer.Option(None, "--consent-publish/--no-consent-publish"),
    note: Optional[str] = typer.Option(None, "--note", help="Why it was corrected."),
    at: Optional[str] = typer.Option(None, "--at"),
    no_input: bool = NO_INPUT,
):
    from .. import actions, privacy
    from ..errors import UsageError
    from .form import Discarded, Form
    from .terminal import interactive_terminal

    book = open_book()
    book.actor()
    given = {k: v for k, v in (("channel", channel), ("grade", grade), ("role", role), ("categories", list(category)),
                               ("needs", list(need)), ("summary", summary), ("response", response), ("region", region),
                               ("occupation", occupation), ("gender", gender), ("age_group", age_group),
                               ("name", name), ("contact", contact), ("address", address), ("notes", notes),
                               ("consent_publish", consent_publish), ("risk", risk),
                               ("victim_age_group", victim_age_group)) if v is not None and v != []}
    when = parse_at(book, at)
    identity = privacy.load_identity()
    term = interactive_terminal(no_input)
    if term is None or given:
        if not given:
            raise UsageError("give the fields to correct (e.g. --grade red, --region 东莞), or run on a terminal")
        res = actions.amend(book, case, given, note or "", when, identity)
    else:
        current = book.store.get(case)
        personal = actions.reveal(book, current, identity) if current.personal is not None else {}
        form = Form(term, book.rules, actions.intake_of(current, personal), _("Case {id} — change what is wrong").format(id=current.id))
        try:
            res = form.review(lambda: actions.amend(book, case, _changed(form.raw, current, personal), note or "", when,
                                                    identity))
        except Discarded:
            err(_("discarded; nothing was written"))
            raise typer.Exit(1) from None
    changed = ", ".join(res.case.events[-1].changes or {})
    out(f"Amended {res.case.id}: {changed}")


def _changed(raw, case, personal: dict) -> dict:
    from .. import actions

    before = actions.intake_of(case, personal)
    return {k: getattr(raw, k) for k in (*actions.CLEAR_FIELDS, *actions.PERSONAL_FIELDS)
            if getattr(raw, k) != getattr(before, k)}


@command(help=N_('Withdraw a case entered by mistake (作废): it stays in its file and history, and counts nowhere.'))
@handle
def void(
    case: str = typer.Argument(..., help=CASE_ARG),
    reason: str = typer.Option(..., "--reason", help="Why the case was entered by mistake."),
    at: Optional[str] = typer.Option(None, "--at"),
):
    from .. import actions

    book = open_book()
    res = actions.void(book, case, reason, parse_at(book, at))
    out(f"Withdrew {res.case.id}: it no longer counts in lists, overdue, the bulletin or points "
        f"(`hotline list --include-void` shows it)")
