"""`hotline intake`: register a new case, asking on a terminal for what is missing."""

from typing import List, Optional

import typer

from ..i18n import N_, _
from .app import command
from .common import err, handle, notice, open_book, out, parse_at, print_new_deadlines, who


def _report(book, res, quiet: bool) -> None:
    from .safety import high_risk_notice, police_notice

    case = res.case
    v = book.rules.vocab
    if res.alerts is not None and res.alerts.high_risk:
        high_risk_notice(book, res)
    elif res.escalated_to:
        no_phone = _("(no phone in roster.yaml)")
        lines = [f"  {p.name} ({p.id}) {p.phone or no_phone}" for p in res.escalated_to]
        notice("hotline: !! " + _("RED CASE: inform the director now:") + "\n" + "\n".join(lines))
    elif case.grade in book.rules.escalate_grades:
        err("!! " + _("RED CASE: no director in roster.yaml to inform — tell the shift leader at once"))
    police_notice(book, res)
    if res.repeat_check == "lost":
        from ..trust.privacy import LOST_KEY

        err(_(LOST_KEY))
    elif res.repeat_check == "unapproved":
        err(_("repeat-caller check skipped: keys/caller-key.age is missing or holds a caller key no director "
              "approved, so it is not used — a director runs `hotline rekey` (a director's new caller key is "
              "approved with it)"))
    if quiet:
        out(case.id)
        return
    out(_("Registered {id}: {grade}, {channel}, owner {owner}").format(
        id=case.id, grade=v["grade"].label(case.grade), channel=v["channel"].label(case.channel), owner=who(book, case.owner)))
    print_new_deadlines(book, case, case.received)
    if res.earlier_cases:
        out(_("This caller has {n} earlier case(s): {cases}").format(n=len(res.earlier_cases), cases=", ".join(res.earlier_cases)))
    elif res.repeat_check == "no-identity":
        out(_("(repeat-caller check skipped: your key cannot open keys/caller-key.age — see `hotline key show`)"))


@command(help=N_('Register a new case (登记) — on a terminal, asks for what is missing and shows the form before saving.'))
@handle
def intake(
    ctx: typer.Context,
    channel: Optional[str] = typer.Option(None, "--channel", metavar=N_("CHANNEL"), help=N_("phone, wechat, qq, web, email, sms, letter, visit (or 电话…).")),
    grade: Optional[str] = typer.Option(None, "--grade", metavar=N_("GRADE"), help=N_("green, red, gray (or 绿色…).")),
    risk: Optional[str] = typer.Option(None, "--risk", metavar=N_("LEVEL"),
                                       help=N_("Crisis level: low, medium, high (or 低…); asked for red cases.")),
    role: Optional[str] = typer.Option(None, "--role", metavar=N_("ROLE"), help=N_("Caller role: survivor, party, bystander, perpetrator, relative, other.")),
    category: List[str] = typer.Option([], "--category", metavar=N_("CATEGORY"), help=N_("Problem category (repeat for several).")),
    need: List[str] = typer.Option([], "--need", metavar=N_("NEED"), help=N_("Need: emotional_support, help, consultation, legal, crisis (repeatable).")),
    summary: Optional[str] = typer.Option(None, "--summary", metavar=N_("TEXT"), help=N_("What the caller asked (no names or numbers here).")),
    response: Optional[str] = typer.Option(None, "--response", metavar=N_("TEXT"), help=N_("What you said or did (需求回应; no names or numbers).")),
    name: Optional[str] = typer.Option(None, "--name", metavar=N_("TEXT"), help=N_("Caller's name (encrypted).")),
    contact: Optional[str] = typer.Option(None, "--contact", metavar=N_("TEXT"), help=N_("Caller's phone/WeChat/email (encrypted).")),
    address: Optional[str] = typer.Option(None, "--address", metavar=N_("TEXT"), help=N_("Caller's address (encrypted).")),
    notes: Optional[str] = typer.Option(None, "--notes", metavar=N_("TEXT"), help=N_("Identifying notes (encrypted).")),
    region: Optional[str] = typer.Option(None, "--region", metavar=N_("TEXT"), help=N_("Region, for statistics (e.g. 东莞).")),
    occupation: Optional[str] = typer.Option(None, "--occupation", metavar=N_("TEXT"), help=N_("Occupation, for statistics (e.g. 制衣厂员工).")),
    gender: Optional[str] = typer.Option(None, "--gender", metavar=N_("GENDER"), help=N_("female, male, other, unknown.")),
    age_group: Optional[str] = typer.Option(None, "--age-group", metavar=N_("AGE_GROUP"), help=N_("child, teen, youth, adult, senior, unknown.")),
    victim_age_group: Optional[str] = typer.Option(None, "--victim-age-group", metavar=N_("AGE_GROUP"),
                                                   help=N_("Age group of the person harmed, when not the caller.")),
    owner: Optional[str] = typer.Option(None, "--owner", metavar=N_("PERSON"), help=N_("First-responsible person: roster id or name (default: you).")),
    consent_publish: Optional[bool] = typer.Option(None, "--consent-publish/--no-consent-publish", help=N_("The caller agrees to publication as an anonymised typical case.")),
    difficult: Optional[bool] = typer.Option(None, "--difficult/--not-difficult", help=N_("A difficult call (困难来电), counted in the upward report.")),
    key_case: Optional[bool] = typer.Option(None, "--key-case/--not-key-case", help=N_("A key case (重点个案), counted in the upward report.")),
    at: Optional[str] = typer.Option(None, "--at", metavar=N_("TIME"), help=N_("When the contact came in (default: now).")),
    no_input: bool = typer.Option(False, "--no-input", help=N_("Never prompt; missing fields are an error.")),
    quiet: bool = typer.Option(False, "-q", "--quiet", help=N_("Print only the new case id.")),
):
    from ..writes import actions
    from ..trust import privacy
    from ..domain.cases import IntakeInput
    from ..errors import UsageError
    from .form import Discarded, Form
    from .terminal import interactive_terminal

    book = open_book(ctx)
    actions.intake_people(book, owner)  # fail before any question if nobody is acting or the owner is unknown
    received = parse_at(book, at)
    if received is not None:
        book.record_time(received)  # a time ahead of the clock is refused before any question
    raw = IntakeInput(channel=channel, grade=grade, role=role, categories=list(category), needs=list(need),
                      summary=summary, response=response, gender=gender, age_group=age_group, region=region,
                      occupation=occupation, name=name, contact=contact, address=address, notes=notes, owner=owner,
                      consent_publish=bool(consent_publish), at=received, risk=risk,
                      victim_age_group=victim_age_group, difficult=bool(difficult), key_case=bool(key_case))
    given = {k for k, v in vars(raw).items()
             if k not in ("consent_publish", "difficult", "key_case") and v is not None and v != []}
    for k, v in (("consent_publish", consent_publish), ("difficult", difficult), ("key_case", key_case)):
        if v is not None:
            given.add(k)
    term = interactive_terminal(no_input)

    def save():
        identity = privacy.load_identity() if (raw.contact or "").strip() else None
        return actions.intake(book, raw, identity)

    if term is None:
        missing = raw.missing()
        if missing:
            raise UsageError(_("missing intake fields: {fields} (give them as options, or run on a terminal without --no-input "
                               "to be asked)").format(fields=", ".join(missing)))
        _report(book, save(), quiet)
        return
    form = Form(term, book.rules, raw, _("New case — check before saving"))
    _resolve_given(form, given)
    try:
        form.fill(skip=given)
        res = form.review(save)
    except Discarded:
        err(_("discarded; nothing was written"))
        raise typer.Exit(1) from None
    _report(book, res, quiet)


def _resolve_given(form, given: set[str]) -> None:
    """Options given on the command line are answers too: checked now, asked again if refused."""
    from ..errors import UsageError
    from .form import BY_KEY

    for key in list(given):
        q = BY_KEY.get(key)
        if q is None or q.kind in ("text", "long", "yesno"):
            continue
        value = getattr(form.raw, key)
        try:
            setattr(form.raw, key, form.parser(q)("、".join(value) if isinstance(value, list) else value))
        except UsageError as e:
            form.term.say("  " + str(e))
            given.discard(key)
            setattr(form.raw, key, [] if q.kind == "multi" else None)
