"""Per-case data keys (SPEC §7 "need to know", "keys outside history", "erasure"), as a service.

A case's personal block is encrypted to the case's own data key; the key store
(storage.keystore, the ref refs/hotline/keys) holds that key wrapped for each person who may
read the case (domain.access over the reading roster) and nobody else.  Changing who may read
rewraps in the store and touches no case file.  `erase` destroys the wraps; the ciphertext
left in history can then be opened by nobody.

Repeat callers: the case file keeps a random caller id; the link from a contact (its keyed tag
under the book's caller key) to caller ids lives in the store, so an erased caller cannot be
found again from their number.
"""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from dataclasses import dataclass, field
from datetime import datetime

from . import privacy
from ..book import Book
from ..domain.model import Case, Personal, Roster
from ..errors import UsageError
from ..i18n import _
from ..storage import keystore


def reading_roster(book: Book) -> Roster:
    """The roster as far as reading goes: each person's key, roles and group as a director approved
    them (approvals.reading_roster); a key nobody approved gets nothing."""
    from .approvals import reading_roster as approved

    return approved(book)


def reader_keys(book: Book, case: Case, as_of: datetime | None = None) -> dict[str, str]:
    """Person id → the public key a data key is wrapped to, for everyone who may read `case`."""
    from ..domain.access import readers

    roster = reading_roster(book)
    out = {}
    for pid in readers(case, roster, book.rules.lines.access, as_of):
        p = roster.person(pid)
        if p is not None and p.key:
            out[pid] = p.key
    return out


def open_store(book: Book) -> keystore.Store:
    return keystore.Store(book.git_root)


def store_missing(book: Book, store: keystore.Store) -> bool:
    """The store is gone although cases were written with per-case keys: it is never silently
    started again empty (that would lose every reader's key) — `check` names it."""
    return not store.exists() and book.store.exists(
        "personal = 'keyed'", fallback=lambda c: bool(c.personal and c.personal.key))


def refuse_missing(book: Book, store: keystore.Store) -> None:
    if store_missing(book, store):
        raise UsageError(_("the key store ({ref}) is missing although cases were written with per-case keys: "
                           "get it back with `hotline sync` from another office, or from a backup; nothing was "
                           "written").format(ref=keystore.REF))


@contextmanager
def session(book: Book):
    """The key store for one command (its `git cat-file` reader closed at the end)."""
    store = open_store(book)
    try:
        yield store
    finally:
        store.close()


# ---------------------------------------------------------------- writing

def require_own_key(book: Book, case: Case) -> None:
    """Intake refuses, in one line, when the acting person's own key is not among the readers of
    what they are writing (SPEC §7): they could not read it back."""
    from .approvals import require_approved_key

    actor = book.actor()
    require_approved_key(book, actor.id)   # the clearer line when it is their key that waits
    keys = reader_keys(book, case)
    if actor.id not in keys:
        raise UsageError(_("{person}'s key is not among the readers of this case ({readers}): what you write "
                           "could not be read back by you — put your key in roster.yaml (`hotline key show`) and "
                           "have it approved; nothing was written").format(
            person=actor.id, readers=", ".join(sorted(keys)) or _("nobody")))


def seal(book: Book, store: keystore.Store, case: Case, fields: dict, caller: str | None) -> Personal | None:
    """`case`'s personal block holding `fields`: encrypted to its existing data key, else to a new one
    wrapped for each reader of the case.  The actor's own key must be among those readers."""
    if not any(fields.values()):
        return None
    p = case.personal
    if p is not None and p.key:
        return Personal(privacy.seal_personal(fields, p.key), 0, caller, p.key)
    refuse_missing(book, store)
    keys = reader_keys(book, case)
    data = privacy.new_data_key()
    public = str(data.to_public())
    store.put_entry(case.id, keystore.Entry(public, [keystore.Wrap(pid, k, privacy.wrap(data, k))
                                                     for pid, k in sorted(keys.items())]))
    return Personal(privacy.seal_personal(fields, public), 0, caller, public)


def data_key(store: keystore.Store, case: Case, identity):
    """The case's data key, unwrapped with `identity`; UsageError in one line when it cannot be."""
    if identity is None:
        raise UsageError(_("no identity file at {path}: only staff with a key can reveal personal data")
                         .format(path=privacy.identity_path()))
    if store.erased(case.id) is not None or case.erased:
        raise UsageError(_("the caller's data of case {id} was erased; it can no longer be opened").format(id=case.id))
    entry = store.entry(case.id)
    if entry is None:
        raise UsageError(_("the key store holds no data key for case {id}: `hotline check` says more")
                         .format(id=case.id))
    mine = privacy.public_key(identity)
    for w in entry.wraps:
        if w.key == mine:
            key = privacy.unwrap(w.sealed, identity)
            if key is not None and str(key.to_public()) == entry.public:
                return key
    raise UsageError(_("your key ({value}...) holds no wrap of case {id}'s data key: a reader of it runs "
                       "`hotline rekey` once your key is in the roster").format(value=mine[:16], id=case.id))


def open_block(store: keystore.Store, case: Case, identity) -> dict:
    """The decrypted personal fields of `case` (legacy blocks with the staff key directly)."""
    p = case.personal
    if p is None:
        return {}
    if p.armor is None:
        raise UsageError(_("the caller's data of case {id} was erased; it can no longer be opened").format(id=case.id))
    if p.legacy:
        return privacy.decrypt_personal(p.armor, identity)
    return privacy.decrypt_personal(p.armor, data_key(store, case, identity))


@dataclass
class Rewrap:
    added: int = 0
    dropped: int = 0
    waiting: list[str] = field(default_factory=list)   # cases whose new readers wait for a reader's rekey
    cases: list[str] = field(default_factory=list)     # cases whose wraps changed


def rewrap(book: Book, store: keystore.Store, cases: list[Case], identity=None, result: Rewrap | None = None) -> Rewrap:
    """Make each case's wraps match who may read it now: wraps for people who may not are dropped (no
    key needed); missing ones are added when `identity` opens the data key, else the case waits."""
    res = result or Rewrap()
    for case in cases:
        if case.personal is None or not case.personal.key or case.erased:
            continue
        entry = store.entry(case.id)
        if entry is None:
            continue
        want = reader_keys(book, case)
        keep = [w for w in entry.wraps if want.get(w.reader) == w.key]
        missing = {pid: k for pid, k in want.items() if not any(w.reader == pid and w.key == k for w in keep)}
        dropped = len(entry.wraps) - len(keep)
        added = []
        if missing:
            key = None
            if identity is not None:
                mine = privacy.public_key(identity)
                key = next((k for w in entry.wraps if w.key == mine
                            and (k := privacy.unwrap(w.sealed, identity)) is not None
                            and str(k.to_public()) == entry.public), None)
            if key is None:
                res.waiting.append(case.id)
            else:
                added = [keystore.Wrap(pid, k, privacy.wrap(key, k)) for pid, k in sorted(missing.items())]
        if dropped or added:
            store.put_entry(case.id, keystore.Entry(entry.public, keep + added))
            res.dropped += dropped
            res.added += len(added)
            res.cases.append(case.id)
    return res


def forget_old(book: Book) -> None:
    """A wrap or a data key was taken away: the replaced key store (which still held it) leaves
    this clone now; `sync` does the same in every office and a remote folder."""
    keystore.prune(book.git_root)


def wraps_of(store: keystore.Store, case: Case) -> list[keystore.Wrap]:
    entry = store.entry(case.id)
    return entry.wraps if entry is not None else []


def export_data_key(book: Book, case: Case, path) -> Path:
    """Write `case`'s data key (its AGE-SECRET-KEY line) to a new file only its owner reads, for a
    reader of the case: the standard `age -d -i FILE` then opens the case's personal block."""
    import os

    from .readers import require_reader

    require_reader(book, [case])
    if case.personal is None or not case.personal.key:
        raise UsageError(_("case {id} has no data key of its own (no personal data, or written before per-case "
                           "keys: `hotline upgrade`)").format(id=case.id))
    path = Path(path)
    if path.exists() or path.is_symlink():
        raise UsageError(_("{path} already exists; choose a new file").format(path=path))
    with session(book) as store:
        key = data_key(store, case, privacy.load_identity())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(f"# the data key of case {case.id}\n{key}\n")
    return path


def wrap_count(book: Book, case: Case) -> int:
    """How many readers hold the case's data key (what `show` says the block is encrypted for)."""
    with session(book) as store:
        return len(wraps_of(store, case))


# ---------------------------------------------------------------- repeat callers

def caller_of(store: keystore.Store, tag: str) -> tuple[str, bool]:
    """(the caller id of the contact whose keyed tag is `tag`, whether it was known): the link's
    first id, else a new one (linked)."""
    ids = store.link(tag)
    if ids:
        return ids[0], True
    new = privacy.new_caller_id()
    store.put_link(tag, [new])
    return new, False


def same_caller(store: keystore.Store, caller: str) -> list[str]:
    """Every caller id linked with `caller` (two offices that met one contact at once made two)."""
    tag = store.tag_of(caller)
    return sorted(set(store.link(tag)) | {caller}) if tag else [caller]


# ---------------------------------------------------------------- between offices

def take_theirs(book: Book, tracking: str) -> tuple[set[str], list[tuple[str, str]]]:
    """Merge the key store another office has (`tracking`, as fetched) into this clone's: erasures
    win, wraps and links are united.  The ids of the cases whose entries changed, and the
    erasures taken in (case id, by whom) — `sync` names them."""
    with session(book) as store:
        theirs = keystore.Store(book.git_root, tracking)
        try:
            if theirs.head is None:
                return set(), []
            known = set(store.erased_ids()) if theirs.tree != store.tree else set()
            counts = keystore.merge_stores(store, theirs)
            erased = [(cid, e.by) for cid in sorted(counts["cases"]) if cid not in known
                      and (e := store.erased(cid)) is not None]
        finally:
            theirs.close()
        store.save()
    return counts["cases"], erased


def settle_readers(book: Book, case_ids: set[str] | None) -> Rewrap:
    """After a merge: every case in `case_ids` (None: every case) wrapped for exactly who may read
    it now — wraps for people no longer allowed dropped; new readers given the key when this
    person's key opens it (else they wait for a reader's `rekey`)."""
    if case_ids is not None and not case_ids:
        return Rewrap()
    if case_ids is None:
        cases = book.store.query("personal = 'keyed'", problems=[], include_void=True,
                                 fallback=lambda c: bool(c.personal and c.personal.key))
    else:
        cases = []
        for cid in sorted(case_ids):
            try:
                cases.append(book.store.get(cid))
            except Exception:   # a case named in the store but not (or not yet) in this clone
                continue
    try:
        identity = privacy.load_identity()
    except UsageError:
        identity = None
    with session(book) as store:
        res = rewrap(book, store, cases, identity)
        store.save()
    return res


def with_personal(book: Book) -> list[Case]:
    """Every case with a personal block (withdrawn ones too), asked of the index."""
    return book.store.query("personal IS NOT NULL", problems=[], include_void=True,
                            fallback=lambda c: c.personal is not None)


def legacy_count(book: Book, cases: list[Case] | None = None) -> int:
    """Cases whose personal block is still encrypted to staff keys (written before per-case keys),
    among `cases` (default: asked of the index)."""
    if cases is None:
        return book.store.count("personal = 'legacy'", include_void=True,
                                fallback=lambda c: bool(c.personal and c.personal.legacy))
    return sum(1 for c in cases if c.personal and c.personal.legacy)


# ---------------------------------------------------------------- check

def problems(book: Book, cases: list[Case] | None = None) -> list[tuple[str, str | None, str]]:
    """What `check` says of the key store: (case id or None, where, message), over `cases` (those
    with a personal block; default: asked of the index).  A store that is missing or damaged is
    named, never replaced; a wrap for someone who may not read is named (until `rekey` or `sync`
    takes it); so are readers still without the key."""
    out: list[tuple[str, str | None, str]] = []
    if cases is None:
        cases = with_personal(book)
    with session(book) as store:
        try:
            exists = store.exists()
        except keystore.Damaged as e:
            return [(None, keystore.REF, str(e))]
        if not exists and any(c.personal.key for c in cases):
            return [(None, keystore.REF, _("the key store is missing although cases were written with per-case keys: "
                                           "nothing can open them here; get it back with `hotline sync` from another "
                                           "office, or from a backup — never start a new one"))]
        for c in cases:
            p = c.personal
            try:
                gone = store.erased(c.id)
                entry = store.entry(c.id)
            except keystore.Damaged as e:
                out.append((c.id, None, str(e)))
                continue
            if gone is not None and p.armor is not None:
                out.append((c.id, None, _("the key store says case {id} was erased ({at}, by {by}) but its file still "
                                          "holds the encrypted block: `hotline erase {id}` records it").format(
                    id=c.id, at=gone.at, by=gone.by)))
                continue
            if p.armor is None:
                continue
            if p.legacy:
                continue
            if entry is None:
                out.append((c.id, None, _("the key store holds no data key for case {id}: nobody can open its caller's "
                                          "data (the store was damaged or rewritten?)").format(id=c.id)))
                continue
            if entry.public != p.key:
                out.append((c.id, None, _("the key store holds another data key for case {id} than its file names: "
                                          "its caller's data cannot be opened").format(id=c.id)))
                continue
            want = reader_keys(book, c)
            extra = sorted({w.reader for w in entry.wraps if want.get(w.reader) != w.key})
            if extra:
                out.append((c.id, None, _("case {id}: {people} still hold its key but may no longer read it: run "
                                          "`hotline rekey`").format(id=c.id, people=", ".join(extra))))
            lacking = sorted(pid for pid, k in want.items() if entry.wrap_of(pid, k) is None)
            if lacking:
                out.append((c.id, None, _("case {id}: {people} may read it but do not hold its key yet: one of its "
                                          "readers runs `hotline rekey`").format(id=c.id, people=", ".join(lacking))))
    return out
