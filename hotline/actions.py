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

from . import privacy
from .book import Book
from .domain import points as pts
from .domain.cases import IntakeInput, clear_text, escalation_targets, validate_intake
from .domain.model import Case, Event, LedgerEntry, Person, Personal
from .errors import UsageError

__all__ = ["IntakeInput", "WriteResult", "intake", "followup", "refer", "urge", "assign", "close", "reveal",
           "record_points", "PointsResult", "earlier_cases_of"]


@dataclass
class WriteResult:
    case: Case
    path: Path
    commit: str
    message: str
    escalated_to: list[Person] = field(default_factory=list)
    earlier_cases: list[str] = field(default_factory=list)   # repeat caller: ids of earlier cases
    repeat_check: str = "done"   # done | no-contact | no-identity | lost


def earlier_cases_of(book: Book, tag: str, before: str | None = None) -> list[str]:
    same = book.store.query("caller = ?", (tag,), problems=[], light=True,
                            fallback=lambda c: bool(c.personal and c.personal.caller == tag))
    return sorted(c.id for c in same if c.personal and c.personal.caller == tag and c.id != before)


def _repeat_caller(book: Book, contact: str, keys: list[str], identity) -> tuple[str | None, str, list[str], list[Path]]:
    """(pseudonym, how the repeat-caller check went, earlier case ids, key files written) for a
    contact: done | no-contact | no-identity (your key cannot open the caller key) | lost (the
    caller key is gone although cases carry pseudonyms: never silently replaced)."""
    from .storage.keys import CALLER_KEY

    if not contact:
        return None, "no-contact", [], []
    written: list[Path] = []
    if (book.root / CALLER_KEY).exists():
        key = privacy.open_caller_key(book.root, identity)
        if key is None:
            return None, "no-identity", [], []
    elif privacy.caller_key_lost(book.root, book.store.has_pseudonyms()):
        return None, "lost", [], []
    else:
        key = privacy.new_caller_key()
        written = privacy.write_caller_key(book.root, key, keys)
    tag = privacy.caller_tag(contact, key)
    return tag, "done", earlier_cases_of(book, tag), written


def intake(book: Book, raw: IntakeInput, identity=None) -> WriteResult:
    actor = book.actor()
    data = validate_intake(book.rules, raw)
    owner = book.person(data.owner or actor.id, "--owner", active=True)
    received = data.at or book.now
    keys = [p.key for p in book.roster.recipients()]
    fields = {"name": data.name, "contact": data.contact, "address": data.address, "notes": data.notes}
    has_personal = any(fields.values())
    if has_personal and not keys:
        privacy.encrypt(b"", keys)  # raises the clear refusal: no recipients, no plaintext
    esc_people = escalation_targets(book.rules, book.roster, data.grade)

    with book.lock():
        tag, repeat, earlier, touched = _repeat_caller(book, data.contact, keys, identity)
        personal = None
        if has_personal:
            personal = Personal(armor=privacy.encrypt_personal(fields, keys), recipients=len(keys), caller=tag)
        cid = book.store.allocate(received)
        events = [Event(type="intake", at=received, by=actor.id, note="")]
        if esc_people:
            events.append(Event(type="escalate", at=received, by=actor.id, to=[p.id for p in esc_people],
                                note="红色个案，已报告主任"))
        case = Case(
            id=cid, received=received, channel=data.channel, grade=data.grade, owner=owner.id,
            role=data.role, gender=data.gender, age_group=data.age_group, region=data.region,
            occupation=data.occupation, categories=data.categories, needs=data.needs, summary=data.summary,
            response=data.response,
            consent_publish=data.consent_publish, personal=personal, events=events,
        )
        path = book.store.write(case)
        touched.insert(0, path)
        msg = f"intake {cid}: {data.grade}, {data.channel}"
        if esc_people:
            msg += f"; escalated to {', '.join(p.id for p in esc_people)}"
        commit = book.commit(touched, msg, actor)
    return WriteResult(case, path, commit, msg, esc_people, earlier, repeat)


# ------------------------------------------------------------------ events on a case

def _event_time(book: Book, case: Case, at: datetime | None) -> datetime:
    t = at or book.now
    last = case.events[-1].at
    if t < last:
        raise UsageError(
            f"--at {t.isoformat(timespec='minutes')} is before the case's last event "
            f"({last.astimezone(book.tz).isoformat(timespec='minutes')}); events are recorded in order"
        )
    return t


def _append(book: Book, case_ref: str, make, message) -> WriteResult:
    """Load the case, let `make(case, actor)` validate and return the new event, write, commit."""
    actor = book.actor()
    with book.lock():
        path = book.store.resolve(case_ref)
        case = book.store.load(path)
        event = make(case, actor)
        case.events.append(event)
        book.store.write(case, path)
        msg = message(case, event)
        commit = book.commit([path], msg, actor)
    return WriteResult(case, path, commit, msg)


def _require_open(case: Case, what: str) -> None:
    if case.status() == "closed":
        raise UsageError(f"case {case.id} is closed; {what} is only for open cases")


def followup(book: Book, case_ref: str, note: str, revisit: bool = False, at: datetime | None = None) -> WriteResult:
    text = clear_text(note, "--note", required=True)

    def make(case: Case, actor: Person) -> Event:
        if revisit and case.status() != "closed":
            raise UsageError(f"case {case.id} is not closed yet; --revisit records a revisit after closing (回访)")
        if not revisit and case.status() == "closed":
            raise UsageError(f"case {case.id} is closed; record a revisit with --revisit")
        return Event(type="revisit" if revisit else "followup", at=_event_time(book, case, at), by=actor.id, note=text)

    return _append(book, case_ref, make, lambda c, e: f"{e.type} {c.id}")


def refer(book: Book, case_ref: str, partner: str, note: str = "", at: datetime | None = None,
          form: Path | None = None, personal: dict | None = None) -> WriteResult:
    """Refer the case to a partner.  With `form`, the referral / task-assignment form is written
    there too — prepared before the commit, so a path that cannot be written records nothing
    (and a retry never records a second referral).  `personal` (decrypted, the caller agreed)
    goes on the form; such a form is never written inside the book's work tree, where git
    could pick it up in clear."""
    text = clear_text(note, "--note")
    p = book.roster.partner(partner)
    if p is None:
        known = ", ".join(x.id for x in book.roster.partners) or "none"
        raise UsageError(f"unknown partner '{partner}'; partners in roster.yaml: {known}")
    staged = _stage_form(book, form, bool(personal)) if form is not None else None

    def make(case: Case, actor: Person) -> Event:
        _require_open(case, "a referral")
        event = Event(type="refer", at=_event_time(book, case, at), by=actor.id, to=p.id, note=text,
                      contact_shared=bool(personal))
        if staged is not None:
            staged.write(_referral_form(book, replace(case, events=[*case.events, event]), personal or {}))
        return event

    try:
        res = _append(book, case_ref, make, lambda c, e: f"refer {c.id} to {p.id}")
    except BaseException:
        if staged is not None:
            staged.abort()
        raise
    if staged is not None:
        try:
            staged.commit()
        except OSError as e:
            raise UsageError(f"the referral is recorded, but the form could not be put at {form} "
                             f"({e.strerror}); it is in {staged.tmp}") from None
    return res


def _stage_form(book: Book, form: Path, personal: bool):
    from .storage.yamlio import Staged

    target = Path(form).expanduser()
    if target.is_dir():
        raise UsageError(f"--form '{form}' is a folder; give the form's file name, e.g. {target / 'form.md'}")
    if personal:
        top = book.git_root.resolve()
        where = target.resolve()
        if where == top or top in where.parents:
            raise UsageError(f"--form '{form}' is inside the book: a form with the caller's personal data must be "
                             f"written outside it (git would keep it in clear), e.g. on the desktop")
    try:
        return Staged(target)
    except OSError as e:
        raise UsageError(f"--form '{form}' cannot be written ({e.strerror or e}); nothing was recorded") from None


def _referral_form(book: Book, case: Case, personal: dict) -> str:
    from .domain.casecard import referral_context
    from .render.templates import render_template

    ctx = referral_context(case, book.rules, book.calendar, book.roster, personal)
    return render_template(book.template_source, "referral.md.j2", ctx)


def urge(book: Book, case_ref: str, note: str = "", at: datetime | None = None) -> WriteResult:
    text = clear_text(note, "--note")

    def make(case: Case, actor: Person) -> Event:
        _require_open(case, "urging")
        return Event(type="urge", at=_event_time(book, case, at), by=actor.id, note=text)

    return _append(book, case_ref, make, lambda c, e: f"urge {c.id} ({c.urges()})")


def assign(book: Book, case_ref: str, person: str, note: str = "", at: datetime | None = None) -> WriteResult:
    text = clear_text(note, "--note")
    to = book.person(person, "--to", active=True)

    def make(case: Case, actor: Person) -> Event:
        _require_open(case, "a reassignment")  # re-assigning to the current owner just records the hand-over note
        return Event(type="assign", at=_event_time(book, case, at), by=actor.id, to=to.id, note=text)

    return _append(book, case_ref, make, lambda c, e: f"assign {c.id} to {to.id}")


def close(book: Book, case_ref: str, outcome: str, reason: str = "", note: str = "",
          at: datetime | None = None) -> WriteResult:
    out = book.rules.vocab["outcome"].resolve(outcome, "--outcome")
    why = clear_text(reason, "--reason")
    text = clear_text(note, "--note")
    if out == "unresolved" and not why:
        raise UsageError("--outcome unresolved needs --reason: the 12355 rules ask why a case could not be solved")

    def make(case: Case, actor: Person) -> Event:
        _require_open(case, "closing")
        return Event(type="close", at=_event_time(book, case, at), by=actor.id, outcome=out, reason=why or None, note=text)

    return _append(book, case_ref, make, lambda c, e: f"close {c.id}: {out}")


def reveal(book: Book, case: Case, identity) -> dict:
    if case.personal is None:
        return {}
    return privacy.decrypt_personal(case.personal.armor, identity)


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
    from .storage import ledger

    if kind not in ("award", "penalty"):
        raise ValueError(kind)
    actor = book.actor()
    on = on or book.now.date()
    entry = pts.make_entry(book.rules, book.roster, kind, person, item, on, actor.id, count, amount, note)
    verb = "award" if kind == "award" else "penalize"
    extra = f" (x{entry.count})" if entry.count != 1 else ""
    message = f"{verb} {entry.person} {entry.item} {entry.points:+d}{extra}"
    with book.lock():
        path = ledger.append(book.root, entry)
        commit = book.commit([path], message, actor)
    return PointsResult(entry, path, commit, message)
