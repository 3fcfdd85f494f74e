"""The domain's plain data: cases and their events, the roster, ledger entries.

No I/O here.  A case's status, current owner and referrals are derived from its
append-only event list, never stored.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Iterable

# event types, in the words of the seeds
EVENT_TYPES = (
    "intake",     # 受理 (always the first event)
    "escalate",   # 报告主任 (red cases, at intake)
    "followup",   # 跟进
    "refer",      # 转介 (to a partner)
    "urge",       # 催办 (by a leader)
    "assign",     # 移交 (hand the case to a new owner)
    "close",      # 结案 (outcome resolved|unresolved, reason when unresolved)
    "revisit",    # 回访 (after closing)
    "amend",      # 更正 (intake fields corrected: `changes` names them, old → new for clear ones)
    "void",       # 作废 (a case entered by mistake: it stays, but no longer counts; reason required)
    "hold",       # 保全 (legal hold: the caller's data is kept past the retention period; reason required)
    "release",    # 解除保全 (the hold ends)
    "erase",      # 删除个人信息 (the caller's data key destroyed; coded fields stay; reason)
)
STATUSES = ("open", "referred", "closed")
# a partner's answer to a referral (转介是否被接收), recorded on a follow-up, a revisit or the close that
# reports it; it answers the latest referral before that event
ANSWERS = ("accepted", "declined")
ANSWER_EVENTS = ("followup", "revisit", "close")
# registration fields two offices may change differently; a merge keeps every value as a named
# conflict (`Case.conflicts`) until `hotline resolve` settles it
CONFLICT_FIELDS = ("channel", "grade", "owner", "role", "gender", "age_group", "region", "occupation",
                   "categories", "needs", "summary", "response", "consent_publish", "risk", "victim_age_group",
                   "personal", "difficult", "key_case")


@dataclass
class Event:
    type: str
    at: datetime          # aware
    by: str               # person id
    note: str = ""
    to: Any = None        # refer: partner id; assign: person id; escalate: [person ids]
    outcome: str | None = None   # close
    reason: str | None = None    # close (required when unresolved)
    contact_shared: bool = False # refer: the form carried the caller's contact, with consent
    changes: dict | None = None  # amend: field -> {"old": ..., "new": ...} (personal fields: {"changed": True})
    id: str | None = None        # stable, unique without coordination: two offices' events merge by it
    reported_police: bool = False  # followup/revisit: reported to the police (强制报告, repeated threats)
    partner_answer: str | None = None  # followup/revisit/close: the partner accepted or declined the referral (ANSWERS)


@dataclass
class Personal:
    """The caller's personal data, as stored: age-encrypted, never in clear.

    Since per-case keys (SPEC §7) the block is encrypted to the case's own data key, whose public
    half is `key`; the data key itself, wrapped for each reader, lives in the key store
    (storage.keystore), and `caller` is a random caller id (the link from a contact to it lives
    there too).  A block written before (`key` None) is encrypted to `recipients` staff keys and
    `caller` is a keyed tag of the contact; `hotline upgrade` moves it.  After `erase`, `armor`
    and `key` are gone and only the caller id stays (statistics of repeat callers do not change).
    """

    armor: str | None     # ASCII-armored age file (name, contact, address, notes as YAML); None once erased
    recipients: int       # legacy blocks: how many staff keys it was encrypted to (0 for per-case keys)
    caller: str | None = None  # the caller id (random); legacy: keyed tag of the normalised contact
    key: str | None = None     # the case's data key (public half, age1…); None for a legacy block

    @property
    def legacy(self) -> bool:
        return self.key is None and self.armor is not None

    @property
    def erased(self) -> bool:
        return self.armor is None


@dataclass
class Source:
    """Where an imported case came from (`hotline import`): the fingerprint of its source row
    (`domain.importing.fingerprints`; never personal data) and the old register's own number."""

    fingerprint: str
    ref: str = ""


def first_close(events: Iterable[Event]) -> Event | None:
    """The close that counts: the first in the order of the events (two offices that closed one
    case before they synced both keep theirs; the register, the status, the points and the
    bulletin read this one)."""
    return next((e for e in events if e.type == "close"), None)


@dataclass
class Case:
    id: str
    received: datetime
    channel: str
    grade: str
    owner: str            # first-responsible person (首问负责人)
    role: str
    gender: str = "unknown"
    age_group: str = "unknown"
    region: str = ""
    occupation: str = ""
    categories: list[str] = field(default_factory=list)
    needs: list[str] = field(default_factory=list)
    summary: str = ""
    response: str = ""     # 需求回应: what the volunteer said or did
    consent_publish: bool = False
    personal: Personal | None = None
    events: list[Event] = field(default_factory=list)
    # field -> {"values": [every value two offices gave it]}; the field holds the first meanwhile
    conflicts: dict | None = None
    source: Source | None = None  # imported from a spreadsheet row (absent for cases taken by intake)
    risk: str | None = None              # crisis level (危机程度); None: not assessed
    victim_age_group: str | None = None  # the person harmed, when not the caller (强制报告)
    difficult: bool = False              # 困难来电: marked by the volunteer (the upward report counts it)
    key_case: bool = False               # 重点个案: marked for the line's attention (the upward report counts it)

    # --- derived state, optionally as it stood at time T (events after T ignored) ---
    def events_until(self, as_of: datetime | None = None) -> list[Event]:
        if as_of is None:
            return self.events
        return [e for e in self.events if e.at <= as_of]

    def status(self, as_of: datetime | None = None) -> str:
        status = "open"
        for e in self.events:  # (the kind first: a time is compared only for the two that matter)
            if e.type == "close":
                if as_of is None or e.at <= as_of:
                    status = "closed"
            elif e.type == "refer" and status != "closed" and (as_of is None or e.at <= as_of):
                status = "referred"
        return status

    @property
    def erased(self) -> bool:
        """The caller's data was erased (its data key destroyed)."""
        return any(e.type == "erase" for e in self.events)

    @property
    def on_hold(self) -> bool:
        """A legal hold stands: the last hold is not followed by a release."""
        held = False
        for e in self.events:
            if e.type in ("hold", "release"):
                held = e.type == "hold"
        return held

    def closed_event(self, as_of: datetime | None = None) -> Event | None:
        return first_close(self.events if as_of is None else (e for e in self.events if e.at <= as_of))

    def closes(self, as_of: datetime | None = None) -> list[Event]:
        """Every close of the case, in the order of its events.  Two offices that closed the same
        case before they synced both keep theirs; the first (`closed_event`) is the one that counts
        — for the status, the outcome, the points and the bulletin."""
        return [e for e in self.events_until(as_of) if e.type == "close"]

    def current_owner(self, as_of: datetime | None = None) -> str:
        owner = self.owner
        for e in self.events_until(as_of):
            if e.type == "assign" and e.to:
                owner = e.to
        return owner

    def referrals(self, as_of: datetime | None = None) -> list[Event]:
        return [e for e in self.events_until(as_of) if e.type == "refer"]

    def referral_before(self, at: datetime) -> Event | None:
        """The referral an event at `at` answers (the latest at or before it), None when there is
        none: a partner's answer (accepted, declined) needs a referral to answer."""
        refs = self.referrals(at)
        return refs[-1] if refs else None

    def referral_answers(self, as_of: datetime | None = None) -> list[tuple[Event, str | None]]:
        """Each referral (in time order) with the partner's answer to it: the last `partner_answer`
        recorded after it and before the next referral — None while none is recorded (an unknown
        answer is never taken for an acceptance)."""
        order = [e for _i, e in sorted(enumerate(self.events_until(as_of)), key=lambda p: (p[1].at, p[0]))]
        out: list[tuple[Event, str | None]] = []
        for e in order:
            if e.type == "refer":
                out.append((e, None))
            elif e.partner_answer and e.type in ANSWER_EVENTS and out:
                out[-1] = (out[-1][0], e.partner_answer)
        return out

    def urges(self, as_of: datetime | None = None) -> int:
        return sum(1 for e in self.events_until(as_of) if e.type == "urge")

    @property
    def voided(self) -> bool:
        """Withdrawn as entered by mistake: kept in its file and in history, counted nowhere."""
        return any(e.type == "void" for e in self.events)

    @property
    def month(self) -> str:
        return self.received.strftime("%Y-%m")


def _id(text: str | None) -> str | None:
    """A roster id as typed: full-width letters (ｗａｎｇ) as ASCII, surrounding spaces dropped."""
    if not isinstance(text, str) or text.isascii():
        return text
    import unicodedata

    return unicodedata.normalize("NFKC", text).strip()


@dataclass
class Group:
    id: str
    name: str


@dataclass
class Person:
    id: str
    name: str
    group: str | None = None
    roles: list[str] = field(default_factory=list)
    email: str | None = None
    phone: str | None = None
    key: str | None = None
    active: bool = True
    joined: date | None = None   # start of the trial period (试用期)
    trial: str | None = None     # the committee's decision after it: passed | ended
    sign: str | None = None      # signing public key (ed25519:...): a director signs approvals of readers with it


@dataclass
class Partner:
    id: str
    name: str
    kind: str = "external"
    contact: str | None = None


@dataclass
class Roster:
    groups: list[Group]
    people: list[Person]
    partners: list[Partner]

    def person(self, pid: str) -> Person | None:
        pid = _id(pid)
        return next((p for p in self.people if p.id == pid), None)

    def group(self, gid: str) -> Group | None:
        gid = _id(gid)
        return next((g for g in self.groups if g.id == gid), None)

    def partner(self, pid: str) -> Partner | None:
        pid = _id(pid)
        return next((p for p in self.partners if p.id == pid), None)

    def find(self, kind: str, text: str) -> list:
        """Who (or what) `text` names among people, groups or partners (`kind`): the one with that
        id, else those whose name is exactly it, else those whose name contains it.  Several
        means ambiguous — the caller lists them."""
        items = {"person": self.people, "group": self.groups, "partner": self.partners}[kind]
        t = _id(text) or ""
        exact = [x for x in items if x.id == t]
        if exact:
            return exact
        named = [x for x in items if x.name == t]
        if named or not t:
            return named
        return [x for x in items if t in x.name]

    def one(self, kind: str, text: str, option: str):
        """The person, group or partner `text` names (see `find`); UsageError naming the
        candidates when it is ambiguous, or what there is when it names nothing."""
        from ..errors import UsageError
        from ..i18n import _

        found = self.find(kind, text)
        if len(found) == 1:
            return found[0]
        if not option.startswith("-"):
            option = _(option)  # an argument by its name in the reader's language (PERSON: 人员)
        if found:
            raise UsageError(_("{option} '{text}' could be: {candidates}; give the id").format(
                option=option, text=text, candidates=", ".join(f"{x.id} ({x.name})" for x in found)))
        items = {"person": self.people, "group": self.groups, "partner": self.partners}[kind]
        known = ", ".join(x.id for x in items) + (f" ({'、'.join(x.name for x in items)})" if items else "—")
        raise UsageError(_("unknown {option} '{text}'; in roster.yaml: {known}").format(option=option, text=text, known=known))

    def with_role(self, role: str) -> list[Person]:
        return [p for p in self.people if role in p.roles and p.active]

    def recipients(self) -> list[Person]:
        """Staff whose public keys personal data is encrypted to."""
        return [p for p in self.people if p.active and p.key]


@dataclass
class LedgerEntry:
    """A points entry that does not come from a case (award or penalty)."""

    date: date
    person: str
    item: str
    points: int
    count: int = 1
    amount: int | None = None   # donation, in yuan
    note: str = ""
    by: str = ""
    id: str | None = None   # stable, unique without coordination: two offices' entries merge by it
