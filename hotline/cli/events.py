"""Events on a case: `followup`, `refer`, `urge`, `assign`, `close`, and correcting a case:
`amend`, `void`."""

from pathlib import Path
from typing import List, Optional

import typer

from ..i18n import N_, _, ngettext
from .app import command
from .common import err, handle, open_book, out, parse_at, print_new_deadlines, who

CASE_ARG = N_("Case id (or an unambiguous prefix).")
NO_INPUT = typer.Option(False, "--no-input", help=N_("Never ask; personal data in a note is then refused."))


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
        from ..trust import privacy

        return {"secret": "\n".join(self.secret), "identity": privacy.load_identity()}


ACCEPTED = typer.Option(False, "--accepted", help=N_("The partner accepted the latest referral (已接收)."))
DECLINED = typer.Option(False, "--declined", help=N_("The partner declined the latest referral (未接收)."))


def partner_answer(accepted: bool, declined: bool) -> Optional[str]:
    """--accepted / --declined as the event's answer (None: neither); both at once is refused."""
    from ..errors import UsageError

    if accepted and declined:
        raise UsageError(_("--accepted and --declined exclude each other: give one"))
    return "accepted" if accepted else "declined" if declined else None


def answer_words(book, case) -> str:
    """The partner and its answer, said after the event just recorded when it carries one:
    ` (市法律援助中心: accepted)`."""
    from ..domain import labels

    answer = case.events[-1].partner_answer
    if not answer:
        return ""
    ref = case.referral_before(case.events[-1].at)
    partner = book.roster.partner(ref.to) if ref else None
    name = partner.name if partner else (ref.to if ref else "")
    return " (" + _("{partner}: {answer}").format(partner=name, answer=labels.answer(answer)) + ")"


@command(help=N_('Record a follow-up (跟进), or a revisit after closing.'))
@handle
def followup(
    ctx: typer.Context,
    case: str = typer.Argument(..., metavar=N_("CASE"), help=CASE_ARG),
    note: str = typer.Option(..., "--note", metavar=N_("TEXT"), help=N_("What was done or learned.")),
    revisit: bool = typer.Option(False, "--revisit", help=N_("A revisit after closing (回访).")),
    reported_police: bool = typer.Option(False, "--reported-police",
                                         help=N_("The case was reported to the police (强制报告, repeated threats).")),
    accepted: bool = ACCEPTED,
    declined: bool = DECLINED,
    at: Optional[str] = typer.Option(None, "--at", metavar=N_("TIME")),
    no_input: bool = NO_INPUT,
):
    from ..writes import actions
    from ..domain import labels

    answer = partner_answer(accepted, declined)
    book = open_book(ctx)
    notes = Notes(no_input)
    res = actions.followup(book, case, notes(note, "--note"), revisit, parse_at(book, at), **notes.extra(),
                           reported_police=reported_police, partner_answer=answer)
    police = " (" + _("reported to the police") + ")" if reported_police else ""
    out(_("Recorded {event} on {id}").format(event=labels.event(res.case.events[-1].type) + police, id=res.case.id)
        + answer_words(book, res.case))


@command(help=N_('Refer the case to a partner organisation (转介); restarts the close deadline.'))
@handle
def refer(
    ctx: typer.Context,
    case: str = typer.Argument(..., metavar=N_("CASE"), help=CASE_ARG),
    to: str = typer.Option(..., "--to", metavar=N_("PARTNER"), help=N_("Partner organisation: id or name from roster.yaml.")),
    note: Optional[str] = typer.Option(None, "--note", metavar=N_("TEXT")),
    form: Optional[Path] = typer.Option(None, "--form", metavar=N_("FILE"), help=N_("Write the referral / task-assignment form to FILE.")),
    include_contact: bool = typer.Option(False, "--include-contact", help=N_("Put the caller's contact on the form — only if the caller agreed (needs your key).")),
    at: Optional[str] = typer.Option(None, "--at", metavar=N_("TIME")),
    no_input: bool = NO_INPUT,
):
    from ..writes import actions
    from ..trust import privacy

    book = open_book(ctx)
    when = parse_at(book, at)
    personal = {}
    if include_contact:
        pre = book.store.get(case)
        personal = actions.reveal(book, pre, privacy.load_identity())
    notes = Notes(no_input)
    res = actions.refer(book, case, to, notes(note, "--note"), when, form=form, personal=personal, **notes.extra())
    out(_("Referred {id} to {name}").format(id=res.case.id, name=book.roster.partner(res.case.events[-1].to).name))
    print_new_deadlines(book, res.case, res.case.events[-1].at)
    if form:
        out(_("Referral form written to {form}").format(form=form))


@command(help=N_('Record that a leader chased the case owner (催办).'))
@handle
def urge(
    ctx: typer.Context,
    case: str = typer.Argument(..., metavar=N_("CASE"), help=CASE_ARG),
    note: Optional[str] = typer.Option(None, "--note", metavar=N_("TEXT")),
    at: Optional[str] = typer.Option(None, "--at", metavar=N_("TIME")),
    no_input: bool = NO_INPUT,
):
    from ..writes import actions
    from ..domain.clocks import needs_committee

    book = open_book(ctx)
    notes = Notes(no_input)
    res = actions.urge(book, case, notes(note, "--note"), parse_at(book, at), **notes.extra())
    n = res.case.urges()
    out(ngettext("Urged {id} ({n} time); owner {owner}", "Urged {id} ({n} times); owner {owner}", n).format(
        id=res.case.id, n=n, owner=who(book, res.case.current_owner())))
    if needs_committee(res.case, book.rules, res.case.events[-1].at):
        out("!! " + _("urged more than {n} times and still open: report to the committee").format(n=book.rules.urge_limit))


@command(help=N_('Hand the case to a new owner (移交); the registration form travels with it.'))
@handle
def assign(
    ctx: typer.Context,
    case: str = typer.Argument(..., metavar=N_("CASE"), help=CASE_ARG),
    to: str = typer.Option(..., "--to", metavar=N_("PERSON"), help=N_("The new owner: roster id or name.")),
    note: Optional[str] = typer.Option(None, "--note", metavar=N_("TEXT")),
    at: Optional[str] = typer.Option(None, "--at", metavar=N_("TIME")),
    no_input: bool = NO_INPUT,
):
    from ..writes import actions

    book = open_book(ctx)
    notes = Notes(no_input)
    res = actions.assign(book, case, to, notes(note, "--note"), parse_at(book, at), **notes.extra())
    out(_("Assigned {id} to {who}").format(id=res.case.id, who=who(book, to)))
    if res.keys_waiting:
        out("!! " + _("your key cannot open this case's data key, so its new readers cannot open the caller's data "
                      "yet: one of its readers runs `hotline rekey`"))


@command(help=N_('Close the case (结案).'))
@handle
def close(
    ctx: typer.Context,
    case: str = typer.Argument(..., metavar=N_("CASE"), help=CASE_ARG),
    outcome: str = typer.Option(..., "--outcome", metavar=N_("OUTCOME"), help=N_("resolved or unresolved.")),
    reason: Optional[str] = typer.Option(None, "--reason", metavar=N_("TEXT"), help=N_("Why it could not be solved (required when unresolved).")),
    note: Optional[str] = typer.Option(None, "--note", metavar=N_("TEXT")),
    accepted: bool = ACCEPTED,
    declined: bool = DECLINED,
    at: Optional[str] = typer.Option(None, "--at", metavar=N_("TIME")),
    no_input: bool = NO_INPUT,
):
    from ..writes import actions

    answer = partner_answer(accepted, declined)
    book = open_book(ctx)
    notes = Notes(no_input)
    res = actions.close(book, case, outcome, notes(reason, "--reason"), notes(note, "--note"), parse_at(book, at),
                        **notes.extra(), partner_answer=answer)
    out(_("Closed {id}: {label}").format(id=res.case.id, label=book.rules.label('outcome', res.case.events[-1].outcome))
        + answer_words(book, res.case))
    print_new_deadlines(book, res.case, res.case.events[-1].at)


@command(help=N_('Correct the registration form (更正): the fields given, or on a terminal the whole form to review.'))
@handle
def amend(
    ctx: typer.Context,
    case: str = typer.Argument(..., metavar=N_("CASE"), help=CASE_ARG),
    channel: Optional[str] = typer.Option(None, "--channel", metavar=N_("CHANNEL")),
    grade: Optional[str] = typer.Option(None, "--grade", metavar=N_("GRADE")),
    risk: Optional[str] = typer.Option(None, "--risk", metavar=N_("LEVEL"), help=N_("Crisis level: low, medium, high.")),
    role: Optional[str] = typer.Option(None, "--role", metavar=N_("ROLE")),
    category: List[str] = typer.Option([], "--category", metavar=N_("CATEGORY"), help=N_("The categories, all of them (repeat).")),
    need: List[str] = typer.Option([], "--need", metavar=N_("NEED"), help=N_("The needs, all of them (repeat).")),
    summary: Optional[str] = typer.Option(None, "--summary", metavar=N_("TEXT")),
    response: Optional[str] = typer.Option(None, "--response", metavar=N_("TEXT")),
    region: Optional[str] = typer.Option(None, "--region", metavar=N_("TEXT")),
    occupation: Optional[str] = typer.Option(None, "--occupation", metavar=N_("TEXT")),
    gender: Optional[str] = typer.Option(None, "--gender", metavar=N_("GENDER")),
    age_group: Optional[str] = typer.Option(None, "--age-group", metavar=N_("AGE_GROUP")),
    victim_age_group: Optional[str] = typer.Option(None, "--victim-age-group", metavar=N_("AGE_GROUP")),
    name: Optional[str] = typer.Option(None, "--name", metavar=N_("TEXT"), help=N_("(encrypted)")),
    contact: Optional[str] = typer.Option(None, "--contact", metavar=N_("TEXT"), help=N_("(encrypted)")),
    address: Optional[str] = typer.Option(None, "--address", metavar=N_("TEXT"), help=N_("(encrypted)")),
    notes: Optional[str] = typer.Option(None, "--notes", metavar=N_("TEXT"), help=N_("(encrypted)")),
    consent_publish: Optional[bool] = typer.Option(None, "--consent-publish/--no-consent-publish"),
    difficult: Optional[bool] = typer.Option(None, "--difficult/--not-difficult", help=N_("A difficult call (困难来电).")),
    key_case: Optional[bool] = typer.Option(None, "--key-case/--not-key-case", help=N_("A key case (重点个案).")),
    note: Optional[str] = typer.Option(None, "--note", metavar=N_("TEXT"), help=N_("Why it was corrected.")),
    at: Optional[str] = typer.Option(None, "--at", metavar=N_("TIME")),
    no_input: bool = NO_INPUT,
):
    from ..writes import actions
    from ..trust import privacy
    from ..errors import UsageError
    from .form import Discarded, Form
    from .terminal import interactive_terminal

    book = open_book(ctx)
    book.actor()
    given = {k: v for k, v in (("channel", channel), ("grade", grade), ("role", role), ("categories", list(category)),
                               ("needs", list(need)), ("summary", summary), ("response", response), ("region", region),
                               ("occupation", occupation), ("gender", gender), ("age_group", age_group),
                               ("name", name), ("contact", contact), ("address", address), ("notes", notes),
                               ("consent_publish", consent_publish), ("risk", risk),
                               ("victim_age_group", victim_age_group), ("difficult", difficult),
                               ("key_case", key_case)) if v is not None and v != []}
    when = parse_at(book, at)
    identity = privacy.load_identity()
    term = interactive_terminal(no_input)
    if term is None or given:
        if not given:
            raise UsageError(_("give the fields to correct (e.g. --grade red, --region 东莞), or run on a terminal"))
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
    from ..domain import labels

    changed = labels.fields(res.case.events[-1].changes or {})
    out(_("Amended {id}: {changed}").format(id=res.case.id, changed=changed))


def _changed(raw, case, personal: dict) -> dict:
    from ..writes import actions

    before = actions.intake_of(case, personal)
    return {k: getattr(raw, k) for k in (*actions.CLEAR_FIELDS, *actions.PERSONAL_FIELDS)
            if getattr(raw, k) != getattr(before, k)}


@command(help=N_('Withdraw a case entered by mistake (作废): it stays in its file and history, and counts nowhere.'))
@handle
def void(
    ctx: typer.Context,
    case: str = typer.Argument(..., metavar=N_("CASE"), help=CASE_ARG),
    reason: str = typer.Option(..., "--reason", metavar=N_("TEXT"), help=N_("Why the case was entered by mistake.")),
    at: Optional[str] = typer.Option(None, "--at", metavar=N_("TIME")),
):
    from ..writes import actions

    book = open_book(ctx)
    res = actions.void(book, case, reason, parse_at(book, at))
    out(_("Withdrew {id}: it no longer counts in lists, overdue, the bulletin or points (`hotline list --include-void` shows it)").format(id=res.case.id))
