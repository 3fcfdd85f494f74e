"""What the write commands do, callable from Python (the CLI is a skin over this).

Each action validates everything first (UsageError, nothing written), then, under the
book's write lock, writes the file atomically and commits exactly the files it touched,
with the acting person as author and a message free of personal data.  A time not given
is the book's "now" (`book.now`).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..i18n import N_, _
from ..trust import keyring, privacy
from ..trust.approvals import staff_keys
from ..book import Book
from ..domain import points as pts
from ..domain import detect
from ..domain import cases as case_rules
from ..domain.cases import IntakeInput, clear_text, validate_intake
from ..domain.model import ANSWERS, Case, Event, LedgerEntry, Person
from ..errors import UsageError, os_message
from ..storage import ids

__all__ = ["IntakeInput", "WriteResult", "intake", "followup", "refer", "urge", "assign", "close", "reveal",
           "record_points", "PointsResult", "earlier_cases_of", "amend", "void", "intake_of"]


@dataclass
class WriteResult:
    case: Case
    path: Path
    commit: str
    message: str
    escalated_to: list[Person] = field(default_factory=list)
    earlier_cases: list[str] = field(default_factory=list)   # repeat caller: ids of earlier cases
    repeat_check: str = "done"   # done | no-contact | no-identity | lost
    alerts: Any = None           # intake: alerts.Alerts (high risk, repeated threats)
    keys_waiting: bool = False   # assign: the new readers wait for a reader's `rekey` for the case's key


def earlier_cases_of(book: Book, callers: list[str], before: str | None = None) -> list[str]:
    from ..reads.callers import cases_of

    return sorted(c.id for c in cases_of(book, callers) if c.id != before)


def _repeat_caller(book: Book, store, contact: str, keys: list[str], identity
                   ) -> tuple[str | None, str, list[str], list[Path], list[str]]:
    """(caller id, how the repeat-caller check went, earlier case ids, key files written, every caller
    id of that contact) for a contact: done | no-contact | no-identity (your key cannot open the
    caller key) | lost (the caller key is gone although cases carry caller ids: never silently
    replaced) | unapproved (the caller key is not the one a director approved: never used).  The
    link from the contact to its caller id lives in the key store."""
    from ..trust.approvals import caller_key_approved, chain
    from ..storage.keys import CALLER_KEY

    if not contact:
        return None, "no-contact", [], [], []
    written: list[Path] = []
    if (book.root / CALLER_KEY).exists():
        key = privacy.open_caller_key(book.root, identity)
        if key is None:
            return None, "no-identity", [], [], []
        if not caller_key_approved(book, key):
            return None, "unapproved", [], [], []
    elif privacy.caller_key_lost(book.root, book.store.has_pseudonyms()):
        return None, "lost", [], [], []
    elif not chain(book)[0].legacy:
        return None, "unapproved", [], [], []  # a new caller key would need a director's approval first
    else:
        key = privacy.new_caller_key()
        written = privacy.write_caller_key(book.root, key, keys)
    tag = privacy.caller_tag(contact, key)
    caller, known = keyring.caller_of(store, tag)
    same = [*(keyring.same_caller(store, caller) if known else [caller]), tag]  # the tag: cases before upgrade
    return caller, "done", earlier_cases_of(book, same), written, same


def intake_people(book: Book, owner: str | None) -> tuple[Person, Person]:
    """Who registers a case and who is first responsible for it (`--owner`, default: whoever
    registers it), both active in the roster; the one lookup, asked before any question too."""
    actor = book.actor()
    return actor, book.person(owner or actor.id, "--owner", active=True)


def intake(book: Book, raw: IntakeInput, identity=None) -> WriteResult:
    data = validate_intake(book.rules, raw)
    actor, owner = intake_people(book, data.owner)
    received = book.record_time(data.at)
    keys = staff_keys(book)  # only keys a director approved
    fields = {"name": data.name, "contact": data.contact, "address": data.address, "notes": data.notes}
    has_personal = any(fields.values())
    if has_personal and not keys:
        privacy.encrypt(b"", keys)  # raises the clear refusal: no recipients, no plaintext
    from . import alerts

    alert = alerts.at_intake(book, data, received)  # red, high risk: whom to report to at once
    # the case as it will be written (its id and personal block are drawn under the lock)
    draft = Case(
        id="", received=received, channel=data.channel, grade=data.grade, owner=owner.id,
        role=data.role, gender=data.gender, age_group=data.age_group, region=data.region,
        occupation=data.occupation, categories=data.categories, needs=data.needs, summary=data.summary,
        response=data.response, consent_publish=data.consent_publish, personal=None,
        events=[Event(type="intake", at=received, by=actor.id, note=""), *alert.events(actor.id, received)],
        risk=data.risk, victim_age_group=data.victim_age_group,
        difficult=data.difficult, key_case=data.key_case,
    )
    _deadlines_in_book(book, draft, received)
    if has_personal:
        keyring.require_own_key(book, draft)

    with book.lock(), keyring.session(book) as store:
        caller, repeat, earlier, touched, same = _repeat_caller(book, store, data.contact, keys, identity)
        alerts.add_threats(book, alert, data, same or None)
        cid = book.store.allocate(received)
        events = [Event(type="intake", at=received, by=actor.id, note=""), *alert.events(actor.id, received)]
        case = replace(draft, id=cid, events=[ids.identified(e) for e in events])
        case.personal = keyring.seal(book, store, case, fields, caller) if has_personal else None
        store.save()   # the data key is kept before the case that needs it is committed
        path = book.store.write(case)
        touched.insert(0, path)
        msg = f"intake {cid}: {data.grade}, {data.channel}" + alert.message()
        commit = book.commit(touched, msg, actor)
    return WriteResult(case, path, commit, msg, alert.people, earlier, repeat, alert)


# ------------------------------------------------------------------ events on a case

def _deadlines_in_book(book: Book, case: Case, at: datetime) -> None:
    """An event whose deadline would fall after the last date a book holds is refused."""
    from ..domain.clocks import past_the_book

    past_the_book(case, book.rules, book.calendar, at)


def _event_time(book: Book, case: Case, at: datetime | None) -> datetime:
    t = book.record_time(at)
    last = case.events[-1].at
    if t < last:
        raise UsageError(
            _("--at {isoformat} is before the case's last event ({isoformat2}); events are recorded in order").format(isoformat=t.isoformat(timespec='minutes'), isoformat2=last.astimezone(book.tz).isoformat(timespec='minutes'))
        )
    return t


def _append(book: Book, case_ref: str, make, message, secret: str = "", identity=None) -> WriteResult:
    """Load the case, let `make(case, actor)` validate and return the new event, write, commit.
    `secret`: personal data moved out of a note, kept in the case's encrypted notes (same commit)."""
    actor = book.actor()
    with book.lock():
        path = book.store.resolve(case_ref)
        case = book.store.load(path)
        _refuse_void(case)
        event = make(case, actor)
        _deadlines_in_book(book, replace(case, events=[*case.events, event]), event.at)
        if secret:
            _add_secret(book, case, secret, identity)
        case.events.append(ids.identified(event))
        waiting, dropped = _rewrap_after_hand_over(book, case, event, identity)
        book.store.write(case, path)
        msg = message(case, event)
        commit = book.commit([path], msg, actor)
        if dropped:
            keyring.forget_old(book)
    return WriteResult(case, path, commit, msg, keys_waiting=waiting)


def _rewrap_after_hand_over(book: Book, case: Case, event: Event, identity) -> tuple[bool, bool]:
    """A hand-over makes new readers (SPEC §7): the case's data key is wrapped for them now, with the
    actor's key (a reader of the case), and taken from anyone who may no longer read it.  (whether
    new readers wait for a reader's `rekey`, whether a wrap was taken away)."""
    if event.type != "assign" or case.personal is None or not case.personal.key or case.erased:
        return False, False
    with keyring.session(book) as store:
        res = keyring.rewrap(book, store, [case], identity or privacy.load_identity())
        store.save()   # before the case is committed: the new owner can open what they were handed
    return bool(res.waiting), bool(res.dropped)


def _refuse_void(case: Case) -> None:
    if case.voided:
        raise UsageError(_("case {id} was withdrawn (void); nothing more is recorded on it").format(id=case.id))


def _add_secret(book: Book, case: Case, secret: str, identity) -> None:
    """Append `secret` to the case's encrypted notes: a new personal block when it has none, else
    the block decrypted with `identity` (a reader of the case) and encrypted again to its data key."""
    fields: dict = {}
    caller = None
    with keyring.session(book) as store:
        if case.personal is not None:
            from ..trust.readers import require_reader

            require_reader(book, [case])
            fields = keyring.open_block(store, case, identity)
            caller = case.personal.caller
            if case.personal.legacy:
                case.personal = None   # moved to a data key of its own
        else:
            keyring.require_own_key(book, case)
        fields["notes"] = f"{fields.get('notes') or ''}\n{secret}".strip()
        case.personal = keyring.seal(book, store, case, fields, caller)
        store.save()


def _require_open(case: Case, what: str) -> None:
    """`what` (N_-marked) is said in the reader's language."""
    if case.status() == "closed":
        raise UsageError(_("case {id} is closed; {what} is only for open cases").format(id=case.id, what=_(what)))


def _check_answer(answer: str | None) -> None:
    if answer is not None and answer not in ANSWERS:
        raise UsageError(_("unknown answer '{value}'; allowed: {items}").format(value=answer, items=", ".join(ANSWERS)))


def _answered(case: Case, answer: str | None, at: datetime) -> None:
    """A partner's answer (accepted, declined) answers the case's latest referral before `at`:
    refused when there is none."""
    if answer is not None and case.referral_before(at) is None:
        raise UsageError(_("case {id} has no referral before this event; --accepted and --declined record a "
                           "partner's answer to a referral (`hotline refer {id} --to PARTNER` first)").format(id=case.id))


def _answer_note(answer: str | None) -> str:
    """The commit message's words for an answer (no personal data: the answer only)."""
    return f" (partner {answer})" if answer else ""


def followup(book: Book, case_ref: str, note: str, revisit: bool = False, at: datetime | None = None, secret: str = "",
             identity=None, reported_police: bool = False, partner_answer: str | None = None) -> WriteResult:
    """A follow-up, or a revisit after closing; `reported_police`: the case was reported to the
    police (stops its mandatory-report and repeated-threat clocks); `partner_answer`: the partner
    accepted or declined the latest referral (转介是否被接收)."""
    text = clear_text(note, "--note", required=True)
    _check_answer(partner_answer)

    def make(case: Case, actor: Person) -> Event:
        if revisit and case.status() != "closed":
            raise UsageError(_("case {id} is not closed yet; --revisit records a revisit after closing").format(id=case.id))
        if not revisit and case.status() == "closed":
            raise UsageError(_("case {id} is closed; record a revisit with --revisit").format(id=case.id))
        when = _event_time(book, case, at)
        _answered(case, partner_answer, when)
        return Event(type="revisit" if revisit else "followup", at=when, by=actor.id, note=text,
                     reported_police=reported_police, partner_answer=partner_answer)

    police = " (reported to the police)" if reported_police else ""
    return _append(book, case_ref, make, lambda c, e: f"{e.type} {c.id}{police}{_answer_note(partner_answer)}",
                   secret, identity)


def refer(book: Book, case_ref: str, partner: str, note: str = "", at: datetime | None = None,
          form: Path | None = None, personal: dict | None = None, secret: str = "", identity=None) -> WriteResult:
    """Refer the case to a partner.  With `form`, the referral / task-assignment form is written
    there too — prepared before the commit, so a path that cannot be written records nothing
    (and a retry never records a second referral).  `personal` (decrypted, the caller agreed)
    goes on the form; such a form is never written inside the book's work tree, where git
    could pick it up in clear."""
    text = clear_text(note, "--note")
    p = book.roster.one("partner", partner, "--to")
    staged = _stage_form(book, form, bool(personal)) if form is not None else None

    def make(case: Case, actor: Person) -> Event:
        _require_open(case, N_("a referral"))
        event = Event(type="refer", at=_event_time(book, case, at), by=actor.id, to=p.id, note=text,
                      contact_shared=bool(personal))
        if staged is not None:
            staged.write(_referral_form(book, replace(case, events=[*case.events, event]), personal or {}))
        return event

    try:
        res = _append(book, case_ref, make, lambda c, e: f"refer {c.id} to {p.id}", secret, identity)
    except BaseException:
        if staged is not None:
            staged.abort()
        raise
    if staged is not None:
        try:
            staged.commit()
        except OSError as e:
            raise UsageError(_("the referral is recorded, but the form could not be put at {form} ({strerror}); it is in {tmp}").format(form=form, strerror=os_message(e), tmp=staged.tmp)) from None
    return res


def _stage_form(book: Book, form: Path, personal: bool):
    from ..storage.yamlio import Staged

    target = Path(form).expanduser()
    if target.is_dir():
        raise UsageError(_("--form '{form}' is a folder; give the form's file name, e.g. {value}").format(form=form, value=target / 'form.md'))
    if personal:
        top = book.git_root.resolve()
        where = target.resolve()
        if where == top or top in where.parents:
            raise UsageError(_("--form '{form}' is inside the book: a form with the caller's personal data must be written outside it (git would keep it in clear), e.g. on the desktop").format(form=form))
    try:
        return Staged(target)
    except OSError as e:
        raise UsageError(_("--form '{form}' cannot be written ({value}); nothing was recorded").format(form=form, value=os_message(e))) from None


def _referral_form(book: Book, case: Case, personal: dict) -> str:
    from ..domain.casecard import referral_context
    from ..render.templates import render_template

    ctx = referral_context(case, book.rules, book.calendar, book.roster, personal)
    return render_template(book.template_source, "referral.md.j2", ctx, book.template_cache)


def urge(book: Book, case_ref: str, note: str = "", at: datetime | None = None, secret: str = "", identity=None) -> WriteResult:
    text = clear_text(note, "--note")

    def make(case: Case, actor: Person) -> Event:
        _require_open(case, N_("urging"))
        return Event(type="urge", at=_event_time(book, case, at), by=actor.id, note=text)

    return _append(book, case_ref, make, lambda c, e: f"urge {c.id} ({c.urges()})", secret, identity)


def assign(book: Book, case_ref: str, person: str, note: str = "", at: datetime | None = None, secret: str = "", identity=None) -> WriteResult:
    text = clear_text(note, "--note")
    to = book.person(person, "--to", active=True)

    def make(case: Case, actor: Person) -> Event:
        _require_open(case, N_("a reassignment"))  # re-assigning to the current owner just records the hand-over note
        return Event(type="assign", at=_event_time(book, case, at), by=actor.id, to=to.id, note=text)

    return _append(book, case_ref, make, lambda c, e: f"assign {c.id} to {to.id}", secret, identity)


def close(book: Book, case_ref: str, outcome: str, reason: str = "", note: str = "",
          at: datetime | None = None, secret: str = "", identity=None, partner_answer: str | None = None) -> WriteResult:
    """Close the case; `partner_answer`: the partner accepted or declined the latest referral."""
    out = book.rules.vocab["outcome"].resolve(outcome, "--outcome")
    _check_answer(partner_answer)
    why = clear_text(reason, "--reason")
    text = clear_text(note, "--note")
    if case_rules.needs_reason(out, why):
        raise UsageError(_("--outcome unresolved needs --reason: the 12355 rules ask why a case could not be solved"))

    def make(case: Case, actor: Person) -> Event:
        _refuse_closed_again(book, case)
        when = _event_time(book, case, at)
        _refuse_unreported(book, case, when)
        _answered(case, partner_answer, when)
        return Event(type="close", at=when, by=actor.id, outcome=out, reason=why or None, note=text,
                     partner_answer=partner_answer)

    return _append(book, case_ref, make, lambda c, e: f"close {c.id}: {out}{_answer_note(partner_answer)}", secret,
                   identity)


def describe_close(book: Book, e: Event) -> str:
    """One close as people read it: when, by whom, the outcome's label."""
    p = book.roster.person(e.by)
    return _("{at} by {person}: {outcome}").format(at=f"{book.calendar.local(e.at):%Y-%m-%d %H:%M}",
                                                   person=f"{p.name} ({e.by})" if p else e.by,
                                                   outcome=book.rules.label("outcome", e.outcome or ""))


def closes_differ(case: Case) -> bool:
    """Closed more than once with different outcomes (two offices before they synced)."""
    return len({e.outcome for e in case.closes()}) > 1


def _refuse_closed_again(book: Book, case: Case) -> None:
    """A closed case is not closed again: the refusal names the close that counts (the first —
    after two offices closed it differently, the other office's may be the one)."""
    first = case.closed_event()
    if first is None:
        return
    later = case.closes()[1:]
    more = ""
    if later:
        more = " " + _("(also closed later, kept in the history only: {later})").format(
            later=_("; ").join(describe_close(book, e) for e in later))
    raise UsageError(_("case {id} is already closed — the close that counts: {close}{more}; a case is closed once "
                       "(after closing: `hotline followup {id} --revisit --note TEXT`)")
                     .format(id=case.id, close=describe_close(book, first), more=more))


def _refuse_unreported(book: Book, case: Case, at: datetime) -> None:
    """A case due to be reported to the police (mandatory report, repeated threats) is not
    closed before the report is recorded."""
    from .alerts import police_due
    from ..domain import labels

    due = police_due(book, case, at)
    if due:
        raise UsageError(_("case {case} must first be reported to the police ({what}): record it with "
                           "`hotline followup {case} --reported-police --note TEXT`, then close it")
                         .format(case=case.id, what=", ".join(labels.deadline(k.kind) for k in due)))


def reveal(book: Book, case: Case, identity) -> dict:
    """The case's personal data, for a person who may open it (`require_reader`)."""
    if case.personal is None:
        return {}
    from ..trust.readers import require_reader

    require_reader(book, [case])
    with keyring.session(book) as store:
        return keyring.open_block(store, case, identity)


# ------------------------------------------------------------------ points

@dataclass
class PointsResult:
    entry: LedgerEntry
    path: Path
    commit: str
    message: str


def record_points(book: Book, kind: str, person: str, item: str, on: date | None = None,
                  count: int | str | None = None, amount: int | str | None = None, note: str = "") -> PointsResult:
    """Record an award (kind "award") or a penalty ("penalty"): validate (UsageError, nothing
    written), then under the lock append it to ledger/YYYY-MM.yaml and commit that file alone."""
    from ..storage import ledger

    if kind not in ("award", "penalty"):
        raise ValueError(kind)
    actor = book.actor()
    on = book.record_day(on)
    entry = pts.make_entry(book.rules, book.roster, kind, person, item, on, actor.id, count, amount, note)
    verb = "award" if kind == "award" else "penalize"
    extra = f" (x{entry.count})" if entry.count != 1 else ""
    message = f"{verb} {entry.person} {entry.item} {entry.points:+d}{extra}"
    with book.lock():
        path = ledger.append(book.root, entry)
        commit = book.commit([path], message, actor)
    return PointsResult(entry, path, commit, message)


# ------------------------------------------------------------------ correcting and withdrawing

CLEAR_FIELDS = ("channel", "needs", "grade", "categories", "role", "gender", "age_group", "region", "occupation",
                "summary", "response", "consent_publish", "risk", "victim_age_group", "difficult", "key_case")
PERSONAL_FIELDS = ("name", "contact", "address", "notes")


def intake_of(case: Case, personal: dict | None = None) -> IntakeInput:
    """The registration form of a case as an IntakeInput (personal fields from `personal`)."""
    p = personal or {}
    return IntakeInput(channel=case.channel, grade=case.grade, role=case.role, categories=list(case.categories),
                       needs=list(case.needs), summary=case.summary, response=case.response, gender=case.gender,
                       age_group=case.age_group, region=case.region, occupation=case.occupation,
                       name=str(p.get("name") or ""), contact=str(p.get("contact") or ""),
                       address=str(p.get("address") or ""), notes=str(p.get("notes") or ""),
                       owner=case.owner, consent_publish=case.consent_publish, risk=case.risk,
                       victim_age_group=case.victim_age_group, difficult=case.difficult,
                       key_case=case.key_case)


def amend(book: Book, case_ref: str, changes: dict, note: str = "", at: datetime | None = None,
          identity=None) -> WriteResult:
    """Correct fields of the registration form: `changes` maps IntakeInput fields to new values.
    An `amend` event names what changed (old → new for clear fields, the name alone for personal
    ones, which are encrypted again); one commit.  Personal changes on a case that already has
    a personal block need a key that opens it (the other personal fields are kept)."""
    unknown = set(changes) - set(CLEAR_FIELDS) - set(PERSONAL_FIELDS)
    if unknown:
        raise ValueError(f"not a field of the registration form: {sorted(unknown)}")
    text = clear_text(note, "--note")
    actor = book.actor()
    with book.lock():
        path = book.store.resolve(case_ref)
        case = book.store.load(path)
        _refuse_void(case)
        touches_personal = any(k in changes for k in PERSONAL_FIELDS)
        personal = reveal(book, case, identity) if (touches_personal and case.personal is not None) else {}
        before = intake_of(case, personal)
        after = validate_intake(book.rules, replace(before, **changes))
        diff = _differences(before, after)
        if not diff:
            raise UsageError(_("nothing to change: case {id} already holds these values").format(id=case.id))
        _apply_amendment(book, case, after, diff, identity)
        case.events.append(ids.identified(Event(type="amend", at=_event_time(book, case, at), by=actor.id, note=text,
                                                changes=diff)))
        book.store.write(case, path)
        msg = f"amend {case.id}: {', '.join(diff)}"
        commit = book.commit([path], msg, actor)
    return WriteResult(case, path, commit, msg)


def _differences(before: IntakeInput, after: IntakeInput) -> dict:
    diff: dict = {}
    for k in CLEAR_FIELDS:
        old, new = getattr(before, k), getattr(after, k)
        if old != new:  # an old value with personal data (typed by hand, merged) is not copied: blanked
            diff[k] = {"old": detect.redact(old) if isinstance(old, str) else old, "new": new}
    for k in PERSONAL_FIELDS:
        if (getattr(before, k) or "") != (getattr(after, k) or ""):
            diff[k] = {"changed": True}  # personal data never in clear, not even in the history
    return diff


def _apply_amendment(book: Book, case: Case, after: IntakeInput, diff: dict, identity) -> None:
    for k in CLEAR_FIELDS:
        if k in diff:
            setattr(case, k, getattr(after, k))
    if not any(k in diff for k in PERSONAL_FIELDS):
        return
    keys = staff_keys(book)  # only keys a director approved
    fields = {k: getattr(after, k) for k in PERSONAL_FIELDS}
    caller = case.personal.caller if case.personal else None
    with keyring.session(book) as store:
        if "contact" in diff:
            caller, _check, _earlier, _written, _same = _repeat_caller(book, store, after.contact, keys, identity)
        if case.personal is not None and case.personal.legacy:
            case.personal = None   # moved to a data key of its own
        if case.personal is None and any(fields.values()):
            keyring.require_own_key(book, case)
        if any(fields.values()):
            case.personal = keyring.seal(book, store, case, fields, caller)
        else:
            if case.personal is not None and case.personal.key:
                store.put_entry(case.id, None)   # nothing left to keep: its data key goes too
            case.personal = None
        store.save()


def void(book: Book, case_ref: str, reason: str, at: datetime | None = None) -> WriteResult:
    """Withdraw a case entered by mistake: it stays in its file and in history, with the reason,
    and no longer counts anywhere (lists, overdue, the bulletin, points)."""
    why = clear_text(reason, "--reason", required=True)

    def make(case: Case, actor: Person) -> Event:
        return Event(type="void", at=_event_time(book, case, at), by=actor.id, reason=why)

    return _append(book, case_ref, make, lambda c, e: f"void {c.id}")
