"""What the write commands do, callable from Python (the CLI is a skin over this).

Each action validates everything first (UsageError, nothing written), then, under
the book's write lock, writes the case file atomically and commits exactly the
files it touched with the acting person as author and a message free of personal
data.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from . import privacy
from .book import Book
from .errors import UsageError
from .model import Case, Event, Person, Personal

MAX_TEXT = 5000       # a summary or note longer than this is a paste accident
MAX_SHORT = 200       # names, regions, contacts


def clean_text(value: str | None, option: str, required: bool = False, limit: int = MAX_TEXT) -> str:
    text = (value or "").replace("\r\n", "\n").strip()
    if required and not text:
        raise UsageError(f"{option} is empty; it is required")
    if len(text) > limit:
        raise UsageError(f"{option} is {len(text)} characters long; at most {limit} are allowed")
    if any(ord(ch) < 32 and ch not in "\n\t" for ch in text):
        raise UsageError(f"{option} holds control characters; type plain text")
    return text


@dataclass
class IntakeInput:
    channel: str
    grade: str
    role: str
    categories: list[str]
    needs: list[str]
    summary: str
    gender: str = "unknown"
    age_group: str = "unknown"
    region: str = ""
    occupation: str = ""
    name: str = ""
    contact: str = ""
    address: str = ""
    notes: str = ""
    owner: str | None = None
    consent_publish: bool = False
    at: datetime | None = None


@dataclass
class WriteResult:
    case: Case
    path: Path
    commit: str
    message: str
    escalated_to: list[Person] = field(default_factory=list)
    earlier_cases: list[str] = field(default_factory=list)   # repeat caller: ids of earlier cases
    repeat_check: str = "done"   # done | no-contact | no-identity


def validate_intake(book: Book, raw: IntakeInput) -> IntakeInput:
    """Resolve ids/labels against the rules and the roster; clean text. No I/O beyond reading them."""
    v = book.rules.vocab
    out = IntakeInput(
        channel=v["channel"].resolve(raw.channel, "--channel"),
        grade=v["grade"].resolve(raw.grade, "--grade"),
        role=v["role"].resolve(raw.role, "--role"),
        categories=list(dict.fromkeys(v["category"].resolve(c, "--category") for c in raw.categories)),
        needs=list(dict.fromkeys(v["need"].resolve(n, "--need") for n in raw.needs)),
        summary=clean_text(raw.summary, "--summary", required=True),
        gender=v["gender"].resolve(raw.gender or "unknown", "--gender"),
        age_group=v["age_group"].resolve(raw.age_group or "unknown", "--age-group"),
        region=clean_text(raw.region, "--region", limit=MAX_SHORT),
        occupation=clean_text(raw.occupation, "--occupation", limit=MAX_SHORT),
        name=clean_text(raw.name, "--name", limit=MAX_SHORT),
        contact=clean_text(raw.contact, "--contact", limit=MAX_SHORT),
        address=clean_text(raw.address, "--address", limit=MAX_SHORT),
        notes=clean_text(raw.notes, "--notes"),
        owner=raw.owner,
        consent_publish=bool(raw.consent_publish),
        at=raw.at,
    )
    if not out.categories:
        raise UsageError("--category is required (at least one)")
    if not out.needs:
        raise UsageError("--need is required (at least one)")
    return out


def _caller_key(book: Book, identity) -> bytes | None:
    """The book's caller-pseudonym key, decrypted with the volunteer's identity; None if not possible."""
    path = book.root / privacy.CALLER_KEY_FILE
    if identity is None or not path.exists():
        return None
    try:
        return bytes.fromhex(privacy.decrypt(path.read_text(encoding="ascii"), identity).decode("ascii"))
    except (UsageError, ValueError, UnicodeDecodeError):
        return None


def ensure_caller_key(book: Book, keys: list[str]) -> Path | None:
    """Create keys/caller-key.age if the book has none yet; return its path when created."""
    path = book.root / privacy.CALLER_KEY_FILE
    if path.exists():
        return None
    from .yamlio import atomic_write

    atomic_write(path, privacy.encrypt(privacy.new_caller_key().hex().encode("ascii"), keys))
    return path


def earlier_cases_of(book: Book, tag: str, before: str | None = None) -> list[str]:
    same = book.store.query("caller = ?", (tag,), problems=[], light=True,
                            fallback=lambda c: bool(c.personal and c.personal.caller == tag))
    return sorted(c.id for c in same if c.personal and c.personal.caller == tag and c.id != before)


def intake(book: Book, raw: IntakeInput, identity=None) -> WriteResult:
    actor = book.actor()
    data = validate_intake(book, raw)
    owner = book.person(data.owner or actor.id, "--owner")
    from .times import now

    received = data.at or now(book.tz)
    keys = [p.key for p in book.roster.recipients()]
    fields = {"name": data.name, "contact": data.contact, "address": data.address, "notes": data.notes}
    has_personal = any(fields.values())
    if has_personal and not keys:
        privacy.encrypt(b"", keys)  # raises the clear refusal: no recipients, no plaintext
    esc_people: list[Person] = []
    if data.grade in book.rules.escalate_grades:
        esc_people = book.roster.with_role("director") or book.roster.with_role("deputy_director")

    with book.lock():
        touched: list[Path] = []
        created_key = ensure_caller_key(book, keys) if (has_personal and keys) else None
        if created_key:
            touched.append(created_key)
        tag = None
        repeat = "no-contact"
        earlier: list[str] = []
        if data.contact:
            ckey = _caller_key(book, identity)
            if ckey is None:
                repeat = "no-identity"
            else:
                tag = privacy.caller_tag(data.contact, ckey)
                earlier = earlier_cases_of(book, tag)
                repeat = "done"
        personal = None
        if has_personal:
            personal = Personal(armor=privacy.encrypt_personal(fields, keys), recipients=len(keys), caller=tag)
        cid = book.store.allocate(received)
        events = [Event(type="intake", at=received, by=actor.id, note="")]
        if esc_people:
            events.append(
                Event(type="escalate", at=received, by=actor.id, to=[p.id for p in esc_people],
                      note="红色个案，已报告主任")
            )
        case = Case(
            id=cid, received=received, channel=data.channel, grade=data.grade, owner=owner.id,
            role=data.role, gender=data.gender, age_group=data.age_group, region=data.region,
            occupation=data.occupation, categories=data.categories, needs=data.needs, summary=data.summary,
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
    from .times import now

    t = at or now(book.tz)
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
    text = clean_text(note, "--note", required=True)

    def make(case: Case, actor: Person) -> Event:
        if revisit and case.status() != "closed":
            raise UsageError(f"case {case.id} is not closed yet; --revisit records a revisit after closing (回访)")
        if not revisit and case.status() == "closed":
            raise UsageError(f"case {case.id} is closed; record a revisit with --revisit")
        return Event(type="revisit" if revisit else "followup", at=_event_time(book, case, at), by=actor.id, note=text)

    return _append(book, case_ref, make, lambda c, e: f"{e.type} {c.id}")


def refer(book: Book, case_ref: str, partner: str, note: str = "", at: datetime | None = None,
          contact_shared: bool = False) -> WriteResult:
    text = clean_text(note, "--note")
    p = book.roster.partner(partner)
    if p is None:
        known = ", ".join(x.id for x in book.roster.partners) or "none"
        raise UsageError(f"unknown partner '{partner}'; partners in roster.yaml: {known}")

    def make(case: Case, actor: Person) -> Event:
        _require_open(case, "a referral")
        return Event(type="refer", at=_event_time(book, case, at), by=actor.id, to=p.id, note=text,
                     contact_shared=contact_shared)

    return _append(book, case_ref, make, lambda c, e: f"refer {c.id} to {p.id}")


def urge(book: Book, case_ref: str, note: str = "", at: datetime | None = None) -> WriteResult:
    text = clean_text(note, "--note")

    def make(case: Case, actor: Person) -> Event:
        _require_open(case, "urging")
        return Event(type="urge", at=_event_time(book, case, at), by=actor.id, note=text)

    return _append(book, case_ref, make, lambda c, e: f"urge {c.id} ({c.urges()})")


def assign(book: Book, case_ref: str, person: str, note: str = "", at: datetime | None = None) -> WriteResult:
    text = clean_text(note, "--note")
    to = book.person(person, "--to")
    if not to.active:
        raise UsageError(f"'{to.id}' is not active in roster.yaml; hand the case to an active person")

    def make(case: Case, actor: Person) -> Event:
        _require_open(case, "a reassignment")  # re-assigning to the current owner just records the hand-over note
        return Event(type="assign", at=_event_time(book, case, at), by=actor.id, to=to.id, note=text)

    return _append(book, case_ref, make, lambda c, e: f"assign {c.id} to {to.id}")


def close(book: Book, case_ref: str, outcome: str, reason: str = "", note: str = "",
          at: datetime | None = None) -> WriteResult:
    out = book.rules.vocab["outcome"].resolve(outcome, "--outcome")
    why = clean_text(reason, "--reason")
    text = clean_text(note, "--note")
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
