"""Who may change who may read (SPEC §7): what the rest of hotline asks before it encrypts.

Whoever can push (another office, the USB stick) can edit roster.yaml or replace
keys/caller-key.age; neither may decide who reads.  A person's key, roles and group count for
reading only once a director of the line has signed them (`hotline approve`, kept in
keys/approvals.yaml, verified against what this clone pinned in `.git/`):

- `reading_roster(book)`: roster.yaml as far as reading goes — every encryption asks it;
- `caller_key_approved(book, key)`: the caller key may be used for pseudonyms;
- `pending(book)`: what roster.yaml (or the caller key) grants that no director approved yet,
  one item each, named by `sync` and `check`;
- `problems(book)`: a damaged, rewritten or forked chain of approvals, for `check`;
- `plan` / `approve`: a director's approval, one commit; `first_approval` at `hotline init`.
"""
from __future__ import annotations

import hmac
from dataclasses import dataclass
from pathlib import Path

from . import privacy
from ..book import Book
from ..domain import approvals as rules
from ..domain.approvals import Approval, Chain, Change, Pin
from ..domain.model import Roster
from ..errors import BookError, UsageError
from ..i18n import _
from ..storage import git, gitsync, yamlio
from ..storage import approvals as store

APPROVALS = store.APPROVALS


_SEEN: dict[tuple, tuple[Chain, list[Approval]]] = {}


def _stamp(path: Path) -> tuple | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def chain(book: Book) -> tuple[Chain, list[Approval]]:
    """The chain of approvals as this clone sees it (and pins what it verified).  Read once per
    version of the file and the pin: a command asks several times."""
    gdir = git.git_dir(book.git_root)
    key = (str(book.root), _stamp(book.root / APPROVALS), _stamp(gdir / store.PIN))
    if key in _SEEN:
        return _SEEN[key]
    present = (book.root / APPROVALS).exists() or (book.root / APPROVALS).is_symlink()
    damaged = None
    try:
        entries, _text = store.read(book.root)
    except BookError as e:
        entries, damaged = [], e
    pin = store.read_pin(gdir)
    ch = rules.verify(entries, pin, present)
    if damaged is not None:
        ch.problems.insert(0, (None, damaged.message))
    if ch.current is not None and ch.current.id in ch.valid and ch.root is not None and (
            pin is None or pin.last.id != ch.current.id or not ch.sound <= pin.verified):
        known = (pin.verified if pin is not None else frozenset()) | ch.sound
        store.write_pin(gdir, Pin(pin.genesis if pin is not None else ch.root, ch.current, frozenset(known)))
        key = (str(book.root), _stamp(book.root / APPROVALS), _stamp(gdir / store.PIN))
    _SEEN.clear()
    _SEEN[key] = (ch, entries)
    return ch, entries


def chain_of_texts(git_dir: Path, texts: list[str | None]) -> Chain:
    """The chain of approvals made of several versions of keys/approvals.yaml (the two sides of a
    merge, inside git's merge driver), verified against this clone's pin; nothing is pinned."""
    entries: dict[str, Approval] = {}
    damaged = False
    for t in texts:
        if t is None:
            continue
        try:
            for a in store.parse(t, APPROVALS):
                entries.setdefault(a.id + a.signature, a)
        except BookError:
            damaged = True
    return rules.verify(list(entries.values()), store.read_pin(git_dir), damaged or any(t is not None for t in texts))


def reading_roster(book: Book, ch: Chain | None = None) -> Roster:
    """roster.yaml as far as reading goes: each person's key, roles and group as the approval in
    force says; a key no director approved is None (nothing is encrypted to it)."""
    return rules.reading(book.roster, ch if ch is not None else chain(book)[0])


def staff_keys(book: Book) -> list[str]:
    """The public keys personal data is encrypted to: the approved keys of the active staff."""
    return [p.key for p in reading_roster(book).recipients()]


def caller_key_approved(book: Book, key: bytes, ch: Chain | None = None) -> bool:
    """True when `key` is the caller key a director approved (or the book has no approvals yet)."""
    ch = ch if ch is not None else chain(book)[0]
    if ch.legacy:
        return True
    if ch.current is None or ch.current.caller is None:
        return False
    return hmac.compare_digest(privacy.caller_check(key), ch.current.caller)


def require_approved_key(book: Book, actor_id: str) -> None:
    """Intake refuses, in one line, when the acting person's key is not among the readers of the
    personal data they are writing (a key added to roster.yaml that no director approved)."""
    me = book.roster.person(actor_id)
    if me is None or not me.key:
        return
    mine = reading_roster(book).person(actor_id)
    if mine is None or mine.key != me.key:
        raise UsageError(_("your key ({key}…) in roster.yaml is not approved for reading: the caller's data you "
                           "write would not open for you — ask a director to run `hotline approve`; nothing was "
                           "written").format(key=me.key[:16]))


# ---------------------------------------------------------------- what awaits approval

@dataclass
class Pending:
    change: Change
    path: str          # roster.yaml or keys/caller-key.age
    line: int | None
    commit: str
    author: str

    def message(self) -> str:
        by = _("commit {commit} by {author}").format(commit=self.commit, author=self.author) \
            if self.commit not in ("", "?") else _("not committed")
        return _("{what} ({by}): not approved by a director, so nothing is encrypted to it — a director runs "
                 "`hotline approve`").format(what=describe(self.change), by=by)


def describe(c: Change) -> str:
    """One change for reading, in words."""
    words = {
        "added": _("{person}: new key {detail}"),
        "key": _("{person}: key replaced by {detail}"),
        "sign": _("{person}: signing key set to {detail}"),
        "roles": _("{person}: new role(s) {detail}"),
        "group": _("{person}: group {detail}"),
        "key-removed": _("{person}: key removed"),
        "sign-removed": _("{person}: signing key removed"),
        "roles-removed": _("{person}: role(s) taken away: {detail}"),
        "removed": _("{person}: no longer reads (left the roster or inactive)"),
        "caller": _("a caller key no director approved (replaced?)"),
    }
    return words[c.what].format(person=c.person, detail=c.detail)


def pending(book: Book, identity=None, ch: Chain | None = None) -> list[Pending]:
    """What roster.yaml grants for reading (and a caller key) that no director approved yet."""
    ch = ch if ch is not None else chain(book)[0]
    if ch.legacy:
        return []
    before = ch.current.people if ch.current else []
    after = rules.statement(book.roster)
    key = privacy.open_caller_key(book.root, identity) if identity is not None and ch.current else None
    caller_now = privacy.caller_check(key) if key is not None else None
    found = rules.changes(before, after, ch.current.caller if ch.current else None, caller_now)
    return [_located(book, c) for c in found]


def _located(book: Book, c: Change) -> Pending:
    top = book.git_root
    name = "roster.yaml" if c.person is not None else "keys/caller-key.age"
    rel = (book.root / name).resolve().relative_to(top.resolve()).as_posix()
    commit, author = gitsync.last_commit(top, "HEAD", rel)
    if git.uncommitted(top, [rel]):
        commit, author = "", ""
    line = None
    if c.person is not None:
        try:
            text = yamlio.read_text(book.root / name)
            i = next(n for n, p in enumerate(book.roster.people) if p.id == c.person)
            line = yamlio.line_of(text, ["people", i, {"roles": "roles", "group": "group",
                                                      "sign": "sign"}.get(c.what, "key")])
        except (BookError, StopIteration):
            line = None
    return Pending(c, name, line, commit, author)


def unapproved_book(book: Book) -> str | None:
    """What `check` says once of a book made before approvals (nobody signed its readers yet)."""
    if not chain(book)[0].legacy:
        return None
    return _("{path}: no director has approved who may read yet: a director runs `hotline approve` (until then "
             "roster.yaml decides alone)").format(path=APPROVALS.as_posix())


def problems(book: Book) -> list[tuple[str, int | None, str]]:
    """(path, line, message) of the chain of approvals, for `check`: damaged, rewritten, forged
    or forked approvals."""
    ch, entries = chain(book)
    if ch.legacy:
        return []
    text = None
    try:
        text = yamlio.read_text(book.root / APPROVALS) if (book.root / APPROVALS).is_file() else None
    except BookError:
        pass
    out = []
    index = {a.id: i for i, a in enumerate(entries)}
    for aid, msg in ch.problems:
        line = yamlio.line_of(text, ["entries", index[aid]]) if text and aid in index else None
        out.append((APPROVALS.as_posix(), line, msg))
    return out


# ---------------------------------------------------------------- approving

@dataclass
class Plan:
    people: list[dict]
    caller: str | None
    caller_opened: bool
    prev: list[str]
    changes: list[Change]
    first: bool


def plan(book: Book, identity) -> Plan:
    """What an approval by the acting person would state; UsageError (one line) when they may not sign."""
    actor = book.actor()
    if identity is None:
        raise UsageError(_("no identity at {path}: approving needs your key to sign").format(
            path=privacy.identity_path()))
    sign = privacy.signing_public(identity)
    ch, entries = chain(book)
    mine = book.roster.person(actor.id)
    if mine is None or mine.sign != sign:
        raise UsageError(_("your roster entry needs your signing key: add `sign: {sign}` under {person} in "
                           "roster.yaml (from `hotline key show`)").format(sign=sign, person=actor.id))
    first = ch.current is None and not entries and ch.legacy
    if first:
        if rules.APPROVER not in mine.roles or mine.key != privacy.public_key(identity):
            raise UsageError(_("only a director whose key is this identity's may make the first approval; {person} "
                               "is not").format(person=actor.id))
        prev: list[str] = []
    elif ch.current is None:
        raise UsageError(_("no approval counts in this clone (`hotline check` says why); nothing was written"))
    else:
        if ch.current.id not in ch.valid:
            raise UsageError(_("keys/approvals.yaml no longer holds the approval in force ({id}): put it back "
                               "(`hotline resolve`, or `git checkout`) before approving").format(id=ch.current.id[:12]))
        if not _signs(ch.current, actor.id, sign):
            raise UsageError(_("{person} is not a director with this signing key in the approval in force: only "
                               "its directors may approve who reads").format(person=actor.id))
        by_id = {a.id: a for a in entries}
        prev = sorted({t for t in rules.tips(ch, entries) if t in by_id and _signs(by_id[t], actor.id, sign)}
                      | {ch.current.id})
    key = privacy.open_caller_key(book.root, identity)
    caller = privacy.caller_check(key) if key is not None else (ch.current.caller if ch.current else None)
    before = ch.current.people if ch.current else []
    people = rules.statement(book.roster)
    if not any(p.get("sign") and rules.APPROVER in p["roles"] for p in people):
        raise UsageError(_("after this approval no director would hold a signing key, so nobody could approve "
                           "again: keep `sign:` on at least one director in roster.yaml; nothing was written"))
    found = rules.changes(before, people, ch.current.caller if ch.current else None, caller, taken=True)
    return Plan(people, caller, key is not None, prev, found, first)


def _signs(a: Approval, pid: str, sign: str) -> bool:
    return next((p.get("sign") for p in a.people if p.get("id") == pid and rules.APPROVER in (p.get("roles") or [])),
                None) == sign


def approve(book: Book, identity, expected: Plan) -> tuple[Approval, str]:
    """Append the approval `expected` describes (checked again under the lock); one commit."""
    actor = book.actor()
    with book.lock():
        now = plan(book, identity)
        if (now.people, now.caller, now.prev) != (expected.people, expected.caller, expected.prev):
            raise UsageError(_("the roster or the approvals changed meanwhile; run `hotline approve` again"))
        a = rules.make(now.prev, actor.id, book.now.isoformat(timespec="seconds"), now.people, now.caller,
                       privacy.signing_key(identity))
        path = store.append(book.root, a)
        # the roster it approves travels with it (a hand edit not yet committed would leave the approval alone)
        commit = book.commit([path, book.root / "roster.yaml"], f"approve readers: {len(now.changes)} change(s)", actor)
    chain(book)  # pin it
    return a, commit


def approve_caller_key(book: Book, identity, key: bytes, ch: Chain) -> Path | None:
    """A director's `rekey` that made a new caller key approves that key at once (the people stay
    as approved before); the path written, None when the acting person cannot sign for readers."""
    if ch.legacy or ch.current is None or ch.current.id not in ch.valid or identity is None:
        return None
    actor = book.actor()
    sign = privacy.signing_public(identity)
    if not _signs(ch.current, actor.id, sign):
        return None
    a = rules.make([ch.current.id], actor.id, book.now.isoformat(timespec="seconds"), ch.current.people,
                   privacy.caller_check(key), privacy.signing_key(identity))
    return store.append(book.root, a)


def first_approval(root: Path, roster: Roster, pid: str, at: str, caller_key: bytes, identity) -> Path:
    """The book's first approval at `hotline init`, by its founding director."""
    a = rules.make([], pid, at, rules.statement(roster), privacy.caller_check(caller_key),
                   privacy.signing_key(identity))
    return store.append(root, a)


def pin_received(book: Book) -> Approval | None:
    """A new office's clone trusts the chain it received (`hotline init --clone`): the approval in
    force, now pinned; None when the book has none."""
    ch, _entries = chain(book)
    return ch.current
