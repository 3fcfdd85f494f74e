"""Several offices, one book: the merge driver, `hotline sync`, `hotline resolve`, a new office's
clone, and the upgrade of a book written before these existed.

git is the distributed engine.  Case files, ledger months and leave years are append-only
lists of entries with stable ids; `.gitattributes` (written by `init` and `upgrade`) sends
them to hotline's merge driver (`storage/merge.py`), which keeps both sides' events once each.
git does not clone configuration, so every hotline command registers the driver in its
clone (`ensure_driver`, one small file read when it is already there).

The driver runs inside `git merge`, in a separate process: it finds the commits being merged
from git's own environment (`GITHEAD_<id>`), so the personal data it merges is encrypted again
to the staff keys both sides agree on (three-way, like any other change), and pseudonyms are
made with the caller key the merge keeps.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..trust import keyring, privacy
from ..book import Book
from ..domain.model import Case, Event, Personal
from ..errors import BookError, GitError, UsageError
from ..i18n import _
from ..storage import git, gitsync, ids, keystore, merge, yamlio
from ..storage.config import parse_roster

DRIVER = gitsync.DRIVER
REKEY_NOTE = gitsync.REKEY_NOTE
ensure_driver = gitsync.ensure_driver
write_attributes = gitsync.write_attributes


# ---------------------------------------------------------------- registration

# ---------------------------------------------------------------- the driver

def run_driver(base: Path, ours: Path, theirs: Path, pathname: str) -> int:
    """git's merge driver: the merged file into `ours`; 0 when merged, else the number of
    conflicts git's line merge left (files hotline does not know how to read)."""
    top = Path.cwd()
    kind = merge.kind_of(pathname)
    try:
        if kind is None:
            raise merge.NotMergeable(pathname)
        context = _Context(top, pathname)
        if kind == "caller-key":
            text = context.caller_key_armor()
        elif kind == "recipients":
            text = merge.merge_key_lines(*(_text(p) for p in (base, ours, theirs)))
        else:
            notes: list = []
            text = merge.merge_file(base, ours, theirs, kind, context.open_personal, notes)
            from ..trust.arrivals import record_driver_notes

            record_driver_notes(top, pathname, notes)
    except merge.NotMergeable:
        return gitsync.line_merge(ours, base, theirs, pathname)
    ours.write_bytes(text.encode("utf-8"))
    return 0


def _text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise merge.NotMergeable(str(e)) from None


class _Context:
    """What the driver knows of the merge it runs in: the two commits (HEAD and the one git
    names in GITHEAD_<id>), their ancestor, and the book's place in the work tree."""

    def __init__(self, top: Path, pathname: str):
        self.top = top
        self.case_path = pathname
        parts = pathname.replace("\\", "/").split("/")
        depth = {"case": 4, "ledger": 2, "leave": 2, "calls": 2, "caller-key": 2, "recipients": 2, "approvals": 2}[merge.kind_of(pathname) or "case"]
        self.book = "/".join(parts[:-depth])
        theirs = next((k[len("GITHEAD_"):] for k in os.environ if k.startswith("GITHEAD_")), None)
        self.revs = None
        if theirs is not None:
            ancestor = gitsync.merge_base(top, "HEAD", theirs)
            self.revs = (ancestor, "HEAD", theirs)
        self._identity = None
        self._keys: list[str] | None = None

    def _path(self, name: str) -> str:
        return f"{self.book}/{name}" if self.book else name

    def _versions(self, name: str) -> tuple[str | None, str | None, str | None]:
        """(ancestor, ours, theirs) texts of a book file; without the commits, ours from disk."""
        if self.revs is None:
            p = self.top / self._path(name)
            here = p.read_text(encoding="utf-8") if p.is_file() else None
            return here, here, here
        out = []
        for r in self.revs:
            b = gitsync.show(self.top, r, self._path(name)) if r else None
            out.append(b.decode("utf-8", "replace") if b is not None else None)
        return out[0], out[1], out[2]

    def identity(self):
        if self._identity is None:
            self._identity = privacy.load_identity() or False
        return self._identity or None

    def keys(self) -> list[str]:
        """The staff keys both sides agree on: three-way over the rosters' recipients."""
        if self._keys is None:
            sets = []
            for text in self._versions("roster.yaml"):
                try:
                    roster = parse_roster(text, Path("roster.yaml")) if text else None
                except BookError:
                    roster = None
                sets.append({p.key for p in roster.recipients()} if roster else None)
            o, a, b = sets
            if a is None or b is None:
                keys = a or b or set()
            else:
                o = o if o is not None else a & b
                keys = (a & b) | (a - o) | (b - o)
            ch = self.approvals()
            if not ch.legacy:  # only keys a director approved (SPEC §7): never one roster.yaml alone added
                keys &= {p.get("key") for p in (ch.current.people if ch.current else [])}
            self._keys = sorted(keys)
        return self._keys

    def approvals(self):
        """The directors' approvals both sides hold, verified against this clone's pin."""
        from ..trust.approvals import APPROVALS, chain_of_texts

        _o, a, b = self._versions(APPROVALS.as_posix())
        return chain_of_texts(git.git_dir(self.top), [a, b])

    def caller_key_armor(self) -> str:
        o, a, b = self._versions("keys/caller-key.age")
        armor, clash = choose_caller_key(o, a, b, self.identity())
        if clash:
            (git.git_dir(self.top) / REKEY_NOTE).write_text("caller keys made in two clones at once\n",
                                                             encoding="utf-8")
        return armor

    def caller_key(self) -> bytes | None:
        ident = self.identity()
        if ident is None:
            return None
        try:
            armor = self.caller_key_armor()
            key = bytes.fromhex(privacy.decrypt(armor, ident).decode("ascii")) if armor else None
        except (UsageError, ValueError, UnicodeDecodeError):
            return None
        ch = self.approvals()
        if key is not None and not ch.legacy and (ch.current is None or ch.current.caller is None or
                                                  privacy.caller_check(key) != ch.current.caller):
            return None  # a caller key no director approved makes no pseudonym
        return key

    def open_personal(self, a: Personal, b: Personal, o: Personal | None) -> Personal | None:
        """Both sides changed a personal block: merge the decrypted fields three-way; None (kept as
        a named conflict) without a key that opens both, or when one field was changed both ways.
        Blocks with the case's own data key are opened with it (from the key store) and sealed to it
        again; two different data keys for one case are a conflict."""
        ident = self.identity()
        if ident is None or a.armor is None or b.armor is None:
            return None
        if a.key or b.key:
            return self._open_per_case(a, b, o, ident)
        try:
            da, db = privacy.decrypt_personal(a.armor, ident), privacy.decrypt_personal(b.armor, ident)
        except UsageError:
            return None
        try:
            do = privacy.decrypt_personal(o.armor, ident) if o is not None and o.armor else {}
        except UsageError:
            do = {}
        fields = _fields_three_way(do, da, db)
        if fields is None:
            return None
        contact = fields.get("contact")
        key = self.caller_key() if contact else None
        if fields == da == db:  # the same data encrypted twice (a rekey on either side): keep one
            kept = min((a, b), key=lambda p: p.armor)
            caller = privacy.caller_tag(str(contact), key) if key else _side_value(o, a, b, "caller")
            return Personal(kept.armor, kept.recipients, caller)
        keys = self.keys()
        if not keys:
            return None
        caller = privacy.caller_tag(str(contact), key) if key else (
            a.caller if da.get("contact") == contact else b.caller if db.get("contact") == contact else None)
        return Personal(privacy.encrypt_personal(fields, keys), len(keys), caller if contact else None)

    def _open_per_case(self, a: Personal, b: Personal, o: Personal | None, ident) -> Personal | None:
        from ..storage import keystore

        if a.key != b.key:
            return None   # two data keys for one case: `hotline resolve` chooses
        case_id = Path(self.case_path).stem
        store = keystore.Store(self.top)
        try:
            entry = store.entry(case_id)
        finally:
            store.close()
        mine = privacy.public_key(ident)
        data = next((k for w in (entry.wraps if entry else []) if w.key == mine
                     and (k := privacy.unwrap(w.sealed, ident)) is not None and str(k.to_public()) == a.key), None)
        if data is None:
            return None
        try:
            da, db = privacy.decrypt_personal(a.armor, data), privacy.decrypt_personal(b.armor, data)
        except UsageError:
            return None
        do: dict = {}
        if o is not None and o.armor:
            try:
                do = privacy.decrypt_personal(o.armor, data if o.key == a.key else ident)
            except UsageError:
                do = {}
        fields = _fields_three_way(do, da, db)
        if fields is None:
            return None
        if fields == da == db:
            return min((a, b), key=lambda p: p.armor or "")
        caller = a.caller if da.get("contact") == fields.get("contact") else b.caller
        return Personal(privacy.seal_personal(fields, a.key), 0, caller if fields.get("contact") else None, a.key)


def _fields_three_way(do: dict, da: dict, db: dict) -> dict | None:
    """The personal fields merged three-way; None when one field was changed both ways."""
    fields: dict = {}
    for k in sorted({*da, *db, *do}):
        value, clash = merge.three_way(do.get(k), da.get(k), db.get(k))
        if clash is not None:
            return None
        if value not in (None, ""):
            fields[k] = value
    return fields


def _side_value(o, a, b, name: str):
    va, vb = getattr(a, name), getattr(b, name)
    if va == vb or o is None:
        return va if va is not None else vb
    return vb if va == getattr(o, name) else va


def choose_caller_key(o: str | None, a: str | None, b: str | None, identity) -> tuple[str, bool]:
    """The caller key a merge keeps (armored), and whether two different keys met (then every
    pseudonym must be made again: `hotline rekey`).  One side changed it: that side's.  Both
    re-encrypted the same key: either (the first, so both offices keep the same file)."""
    if a == b or b is None:
        return a or "", False
    if a is None or a == o:
        return b, False
    if b == o:
        return a, False
    first = min(a, b)
    if identity is None:
        return first, True
    try:
        same = privacy.decrypt(a, identity) == privacy.decrypt(b, identity)
    except UsageError:
        return first, True
    return first, not same


# ---------------------------------------------------------------- sync

@dataclass
class SyncResult:
    remote: str
    came_in: int = 0                 # commits received
    went_out: int = 0                # commits sent
    cases: list[str] = field(default_factory=list)        # cases changed by what came in
    conflicts: list[str] = field(default_factory=list)    # cases with fields to choose (resolve)
    repaired: list[str] = field(default_factory=list)     # files git could not merge, merged by hotline
    held: list = field(default_factory=list)              # arrivals.Held: what came in and was put back or named
    approvals: list[str] = field(default_factory=list)    # what awaits a director's approval; a chain refused
    erased_in: list = field(default_factory=list)  # (case id, by whom) erased by another office, taken in
    keys_dropped: int = 0            # data-key wraps taken from people who may no longer read
    keys_added: int = 0              # wraps given to new readers
    keys_waiting: list[str] = field(default_factory=list)  # cases whose new readers wait for a reader's rekey
    pruned: bool = False             # old key stores dropped from this clone (an erasure is complete here)
    pruned_remote: bool = False      # ... and from the remote folder


class SyncStopped(GitError):
    """A merge stopped on files hotline does not merge itself (roster.yaml, rules.yaml, a
    template): they are named; the merge stays under way until they are settled."""

    def __init__(self, paths: list[str]):
        self.paths = paths
        super().__init__(_("both offices changed the same lines of {files}: open each, keep what both sides "
                           "need between the <<<<<<< ======= >>>>>>> lines, delete those marker lines, then run "
                           "`hotline sync` again (nothing else is lost; cases and points are merged already)")
                         .format(files=", ".join(paths)))


def choose_remote(top: Path, given: str | None) -> str:
    known = gitsync.remotes(top)
    if given:
        if given not in known:
            raise UsageError(_("remote '{remote}' is not known; remotes of this clone: {known} "
                               "(add one with `git remote add NAME URL`)").format(
                remote=given, known=", ".join(known) or _("none")))
        return given
    name = gitsync.branch(top)
    up = gitsync.upstream_remote(top, name) if name else None
    if up in known:
        return up
    if "origin" in known:
        return "origin"
    if len(known) == 1:
        return known[0]
    if not known:
        raise UsageError(_("this clone has no remote to sync with: add one with `git remote add origin URL` "
                           "(a shared folder, a USB disk, a NAS, or an SSH or HTTPS address)"))
    raise UsageError(_("several remotes ({known}): name the one to sync with, e.g. `hotline sync {first}`")
                     .format(known=", ".join(known), first=known[0]))


def sync_book(book: Book, remote: str | None = None, tries: int = 5) -> SyncResult:
    """Fetch, merge with the driver, refresh the index, push; again when the remote moved meanwhile."""
    from ..trust.arrivals import keep

    top = book.git_root
    refuse_during_git_operation(top)
    actor = sync_author(book)
    email = actor.email or f"{actor.id}@hotline.invalid"
    ensure_driver(top)
    name = gitsync.branch(top)
    if name is None:
        raise UsageError(_("this clone is not on a branch (a detached HEAD): `git switch main` first"))
    chosen = choose_remote(top, remote)
    res = SyncResult(chosen)
    with book.lock():
        ensure_driver(top)  # again: a config.lock a killed command left may have kept it out
        if gitsync.merging(top):
            _finish_merge(book, res, actor.name, email)
        upgrade_book(book, actor, ids=False)
        start_keys = gitsync.rev(top, keystore.REF)
        their_keys = None
        for _attempt in range(tries):
            gitsync.fetch(top, chosen)
            their_keys = gitsync.fetch_keys(top, chosen)
            rewrap_ids, erased = keyring.take_theirs(book, gitsync.keys_tracking(chosen))
            res.erased_in = sorted(set(res.erased_in) | set(erased))
            theirs = gitsync.rev(top, f"refs/remotes/{chosen}/{name}")
            before = gitsync.rev(top, "HEAD")
            if theirs is not None and gitsync.count(top, f"HEAD..{theirs}"):
                res.came_in += gitsync.count(top, f"HEAD..{theirs}")
                merged = _merge(book, before, theirs, f"{chosen}/{name}", actor.name, email)
                if not merged.clean:
                    _finish_merge(book, res, actor.name, email)
                res.held += keep(book, before, actor.name, email)
                res.cases += _cases_changed(book, before, "HEAD")
            _settle_readers(book, before, rewrap_ids | set(res.cases), res)
            mine = gitsync.rev(top, keystore.REF)
            if mine is not None and mine != their_keys:   # the keys first: a case never arrives before its key
                if gitsync.push_keys(top, chosen, their_keys) != "ok":
                    continue
            ahead = gitsync.count(top, f"{theirs}..HEAD") if theirs else gitsync.count(top, "HEAD")
            if ahead:
                if gitsync.push(top, chosen, name, set_upstream=gitsync.upstream_remote(top, name) is None) != "ok":
                    continue
                # this office's own changes (and what sync put back), not the merge commits
                res.went_out = gitsync.count(top, f"{theirs}..HEAD", merges=False) if theirs else ahead
            break
        else:
            raise GitError(_("the remote kept moving while syncing ({tries} tries); run `hotline sync` again")
                           .format(tries=tries))
        _prune_erased(book, chosen, start_keys, their_keys, res)
    book.store.index()
    res.approvals = awaiting_approval(book)
    res.cases = sorted(set(res.cases))
    for cid in res.cases:
        try:
            if book.store.get(cid).conflicts:
                res.conflicts.append(cid)
        except (BookError, UsageError):
            continue  # a file a merge broke is named by `check`
    return res


def _settle_readers(book: Book, before: str | None, ids: set[str], res: SyncResult) -> None:
    """After the merge, every case's data key wrapped for exactly who may read it now: all cases when
    the roster or the rules changed, else those the merge or the other office's key store touched."""
    fresh = Book(book.root, book._acting, book.now)   # the roster and rules as merged
    after = gitsync.rev(book.git_root, "HEAD")
    changed = gitsync.changed(book.git_root, before, after) if before and after and before != after else []
    where = book.root.resolve().relative_to(book.git_root.resolve()).as_posix()
    prefix = "" if where == "." else where + "/"
    every = any(p in (prefix + "roster.yaml", prefix + "rules.yaml") for p in changed)
    done = keyring.settle_readers(fresh, None if every else ids)
    res.keys_dropped += done.dropped
    res.keys_added += done.added
    res.keys_waiting = sorted(set(res.keys_waiting) | set(done.waiting))


def _prune_erased(book: Book, remote: str, start: str | None, theirs: str | None, res: SyncResult) -> None:
    """An erasure is complete only once no object holds the old key store: this clone, and a remote
    that is a folder here, drop every unreachable object when the store lost something."""
    top = book.git_root
    final = gitsync.rev(top, keystore.REF)
    if keystore.lost(top, start, final) or keystore.lost(top, theirs, final):
        keystore.prune(top)
        res.pruned = True
        folder = gitsync.remote_folder(top, remote)
        if folder is not None and keystore.lost(top, theirs, final):
            keystore.prune(folder)
            res.pruned_remote = True


def awaiting_approval(book: Book) -> list[str]:
    """One line for each change of who may read that no director approved yet, and for each
    approval refused (forged, changed, removed): what `sync` names after its merge."""
    from ..trust import approvals

    try:
        ident = privacy.load_identity()
    except UsageError:
        ident = None
    book = Book(book.root, book.acting_id(), book.now)  # the roster as the merge left it, not as it was read before
    ch, _entries = approvals.chain(book)
    if ch.legacy:
        return []
    lines = [f"{p.path}: {p.message()}" for p in approvals.pending(book, ident, ch)]
    return lines + [f"{path}: {msg}" for path, _line, msg in approvals.problems(book)]


def refuse_during_git_operation(top: Path) -> None:
    """sync cannot start while git is half-way through a rebase, cherry-pick, revert or `git am`
    (a `git pull --rebase`, say): one line saying what is under way and how to end it."""
    what = gitsync.operation_under_way(top)
    if what is not None:
        raise GitError(_("{what} is under way in this clone (started with git, e.g. `git pull --rebase`): finish it "
                         "(`git {command} --continue` once the files are settled) or undo it (`git {command} "
                         "--abort`), then run `hotline sync`").format(what=what, command=what.split()[-1]))


def _merge(book: Book, before: str | None, theirs: str, label: str, name: str, email: str) -> gitsync.Merged:
    """`git merge` of what came in, written down first (`journal.begin_merge`) so that a sync
    killed inside it is undone by the next command; refused in one line when the two histories
    have nothing in common or when a file it would change was changed here by hand."""
    from ..storage import journal

    top = book.git_root
    base = gitsync.merge_base(top, before, theirs) if before else None
    if before is not None and base is None:
        raise GitError(_("{remote} holds a book with no history in common with this one (another book, or one made by "
                         "a separate `hotline init`); nothing was merged: check the remote's address with `git remote "
                         "-v`").format(remote=label))
    paths = gitsync.changed(top, base, theirs) if base else gitsync.tracked(top, theirs)
    busy = sorted(set(paths) & set(gitsync.dirty(top)))
    if busy:
        shown = ", ".join(busy[:3]) + (" …" if len(busy) > 3 else "")
        raise GitError(_("{files}: changed here and not committed, and what came in from {remote} changes it too; "
                         "nothing was merged: commit the change (`hotline check` names it) or undo it with `git "
                         "checkout -- FILE`, then run `hotline sync` again").format(files=shown, remote=label))
    journal.begin_merge(top, before, theirs, paths)
    try:
        merged = gitsync.merge(top, theirs, f"sync: merge {label}", name, email)
    except GitError:
        journal.recover_merge(top)  # refused, or stopped half-way: back as it was
        raise
    journal.end_merge(top)
    return merged


def sync_author(book: Book):
    """Who a sync's merge commits are by: the acting roster person, else this clone's own git
    identity — a new office syncs before the roster that lists it has arrived (it brings it)."""
    from ..domain.model import Person

    try:
        return book.actor()
    except UsageError:
        name, email = git.config_value(book.git_root, "user.name"), git.config_email(book.git_root)
        if not name or not email:
            raise
        return Person(id=email.split("@")[0], name=name, email=email)


def _cases_changed(book: Book, a: str | None, b: str) -> list[str]:
    if a is None:
        return []
    out = []
    for rel in gitsync.changed(book.git_root, a, b):
        if merge.kind_of(rel) == "case":
            out.append(Path(rel).stem)
    return out


def _finish_merge(book: Book, res: SyncResult, name: str, email: str) -> None:
    """A merge git could not finish: hotline merges the book's files itself (from git's stages);
    anything else is named and the merge waits for the person."""
    from ..storage import journal

    top = book.git_root
    left, written = [], []
    with journal.paused():  # the merge under way holds these files, not a write's journal
        for rel in gitsync.unmerged(top):
            done = _merge_stages(book, rel) if merge.kind_of(rel) in merge.APPEND_ONLY else []
            if done:
                res.repaired.append(rel)
                written += done
            elif settled_by_hand(top, rel):
                written.append(rel)
            else:
                left.append(rel)
    if written:
        gitsync.mark_resolved(top, written)
    if left:
        raise SyncStopped(left)
    gitsync.conclude(top, name, email)


def settled_by_hand(top: Path, rel: str) -> bool:
    """An unmerged file hotline does not merge (roster.yaml, rules.yaml, a template) that the
    person has settled: it is there and holds no conflict marker line any more."""
    path = top / rel
    try:
        if path.is_symlink() or not path.is_file():
            return False
        text = path.read_bytes().decode("utf-8", "replace")
    except OSError:
        return False
    return not any(line.startswith(("<<<<<<<", ">>>>>>>")) or line.rstrip() == "=======" for line in text.splitlines())


def _merge_stages(book: Book, rel: str) -> list[str]:
    """Merge an unmerged book file from git's stages into place; the paths written (relative to
    the work tree), none when it could not be merged."""
    top = book.git_root
    st = gitsync.stages(top, rel)
    if 2 not in st and 3 not in st:
        return []
    texts = (st.get(1), st.get(2), st.get(3))
    return _merge_texts(book, top / rel, rel, texts)


def _merge_texts(book: Book, path: Path, rel: str, texts: tuple) -> list[str]:
    import tempfile

    kind = merge.kind_of(rel)
    with tempfile.TemporaryDirectory(prefix="hotline-merge-") as tmp:
        files = []
        for i, t in enumerate(texts):
            f = Path(tmp) / f"{i}.yaml"
            if t is not None:
                f.write_bytes(t if isinstance(t, bytes) else t.encode("utf-8"))
            files.append(f)
        ours, theirs = files[1], files[2]
        if not ours.exists() or not theirs.exists():  # deleted on one side: keep the one there is
            kept = ours if ours.exists() else theirs
            yamlio.atomic_write(path, kept.read_text(encoding="utf-8"), book.git_root)
            return [rel]
        context = _Context(book.git_root, rel)
        try:
            text = merge.merge_file(files[0], ours, theirs, kind, context.open_personal)
        except merge.NotMergeable:
            return _two_cases(book, path, rel, ours, theirs) if kind == "case" else []
    yamlio.atomic_write(path, text, book.git_root)
    return [rel]


def _two_cases(book: Book, path: Path, rel: str, ours: Path, theirs: Path) -> list[str]:
    """Two offices' different cases that drew the same id: the other one gets a new id."""
    from ..storage import casefile

    try:
        a = casefile.parse_case(ours.read_text(encoding="utf-8"), path)
        b = casefile.parse_case(theirs.read_text(encoding="utf-8"), path)
    except BookError:
        return []
    if a.id != b.id or a.events[0].id == b.events[0].id:
        return []
    b.id = book.store.allocate(b.received)
    yamlio.atomic_write(path, casefile.dump_case(a), book.git_root)
    other = book.store.write(b)
    return [rel, other.resolve().relative_to(book.git_root.resolve()).as_posix()]


# ---------------------------------------------------------------- resolve

@dataclass
class Choice:
    field: str
    values: list
    current: object


def open_conflicts(case: Case) -> list[Choice]:
    return [Choice(name, list(rec.get("values", [])), getattr(case, name) if name != "personal" else None)
            for name, rec in (case.conflicts or {}).items()]


def repair_files(book: Book) -> list[str]:
    """Book files a merge left unmerged or with conflict markers, merged without losing an entry
    (both sides' events and entries kept); the paths repaired."""
    from ..storage import journal

    top = book.git_root
    done: list[str] = []
    with journal.paused():  # the merge under way holds these files, not a write's journal
        for rel in gitsync.unmerged(top):
            if merge.kind_of(rel) in merge.APPEND_ONLY:
                done += _merge_stages(book, rel)
        for path in _files_with_markers(book):
            rel = path.resolve().relative_to(top.resolve()).as_posix()
            if rel in done:
                continue
            parts = merge.split_markers(path.read_text(encoding="utf-8", errors="replace"))
            if parts is not None:
                done += _merge_texts(book, path, rel, (parts[2], parts[0], parts[1]))
    return done


def hand_settled(book: Book) -> list[str]:
    """Unmerged files hotline does not merge that the person has settled (`settled_by_hand`)."""
    top = book.git_root
    return [rel for rel in gitsync.unmerged(top) if merge.kind_of(rel) not in merge.APPEND_ONLY
            and settled_by_hand(top, rel)]


def left_unmerged(book: Book) -> list[str]:
    """Files a merge under way still waits on: ones hotline does not merge, to settle by hand."""
    return [rel for rel in gitsync.unmerged(book.git_root) if not settled_by_hand(book.git_root, rel)]


def _files_with_markers(book: Book) -> list[Path]:
    out = []
    for folder in merge.APPEND_ONLY_FOLDERS:
        d = book.root / folder
        if not d.is_dir():
            continue
        for p in sorted(d.rglob("*.yaml")):
            try:
                if p.is_file() and b"\n<<<<<<< " in b"\n" + p.read_bytes():
                    out.append(p)
            except OSError:
                continue
    return out


def settle(book: Book, case_id: str, chosen: dict[str, int]) -> tuple[Path, Case]:
    """Settle named conflicts of a case: `chosen` maps a field to the index of the value kept.
    The field takes it, the conflict is closed, and an `amend` event records who chose what."""
    with book.lock():
        path = book.store.resolve(case_id)
        case = book.store.load(path)
        open_ = {c.field: c for c in open_conflicts(case)}
        if not open_:
            raise UsageError(_("case {id} has no fields to choose between").format(id=case.id))
        changes: dict = {}
        for name, i in chosen.items():
            c = open_.get(name)
            if c is None:
                raise UsageError(_("case {id} has no conflict on '{field}'; open: {items}").format(
                    id=case.id, field=name, items=", ".join(open_)))
            if not 0 <= i < len(c.values):
                raise UsageError(_("'{field}' has {n} values to choose from; choose 1 to {n}").format(
                    field=name, n=len(c.values)))
            value = c.values[i]
            if name == "personal":
                current = case.personal
                case.personal = Personal(value, current.recipients if current else 0,
                                         current.caller if current else None, current.key if current else None)
                changes[name] = {"changed": True}
            else:
                from ..domain import detect

                old = getattr(case, name)  # personal data in the old value is not copied into the event
                changes[name] = {"old": detect.redact(old) if isinstance(old, str) else old, "new": value}
                setattr(case, name, value)
            del case.conflicts[name]
        case.conflicts = case.conflicts or None
        actor = book.actor()
        at = max(book.now, case.events[-1].at)
        case.events.append(ids.identified(Event("amend", at, actor.id, note=_("chosen between two offices' values"),
                                                changes=changes)))
        book.store.write(case, path)
        book.commit([path], f"resolve {case.id}: {', '.join(chosen)} chosen", actor)
    return path, case


def conclude_merge(book: Book) -> bool:
    """Commit a merge under way once nothing is left unmerged; True when it did."""
    top = book.git_root
    if not gitsync.merging(top) or gitsync.unmerged(top):
        return False
    actor = book.actor()
    gitsync.conclude(top, actor.name, actor.email or f"{actor.id}@hotline.invalid")
    return True


# ---------------------------------------------------------------- upgrade and clone

def upgrade_book(book: Book, actor=None, ids: bool = True) -> list[Path]:
    """Bring a book written before stable ids and the merge driver up to date: `.gitattributes`
    declaring the driver and (with `ids`) every event and ledger entry written down with its id
    (clones that upgrade separately write the same ones).  One commit; nothing when there is
    nothing to do.  Call under the write lock."""
    touched: list[Path] = []
    attrs = write_attributes(book.root)
    if attrs is not None:
        touched.append(attrs)
    if ids:
        touched += _write_ids(book)
    if touched:
        book.commit(touched, "upgrade: stable ids for every event and entry; the merge driver in .gitattributes",
                    actor or book.actor())
    return touched


def _write_ids(book: Book) -> list[Path]:
    from ..storage import casefile, ledger

    touched: list[Path] = []
    for f in book.store.files():
        try:
            text = yamlio.read_text(f)
            case = casefile.parse_case(text, f)
        except BookError:
            continue  # check names it
        if not all(_has_id_line(text, e.id) for e in case.events):
            book.store.write(case, f)
            touched.append(f)
    for f in sorted((book.root / "ledger").glob("*.yaml")) if (book.root / "ledger").is_dir() else []:
        try:
            text = yamlio.read_text(f)
            entries = [le for le, _l in ledger.parse_ledger(text, f)]
        except BookError:
            continue
        if entries and not all(_has_id_line(text, e.id) for e in entries):
            yamlio.atomic_write(f, yamlio.dump({"entries": [ledger.entry_to_dict(e) for e in entries]}), book.root)
            touched.append(f)
    return touched


def _has_id_line(text: str, eid: str | None) -> bool:
    return bool(eid) and f"id: {eid}" in text


@dataclass
class CloneResult:
    root: Path
    identity: Path
    new_identity: bool
    public_key: str
    in_roster: str | None      # the roster id whose key is this identity's, if any
    roster_line: str
    approved: object = None    # domain.approvals.Approval: the approval in force this clone now trusts


def clone_book(url: str, directory: Path, person: str | None = None, name: str | None = None) -> CloneResult:
    """A new office's copy: clone, register the driver, make sure this person has a key, and
    say what to add to roster.yaml."""
    from .setup import own_key, person_id

    if person:
        person_id(person, None)  # a bad --id is refused before anything is copied
    target = Path(directory).expanduser()
    if target.exists() and any(target.iterdir()):
        raise UsageError(_("{dir} exists and is not empty; give a new folder for the copy").format(dir=target))
    gitsync.clone(url, target)
    root = target.resolve()
    top = git.toplevel(root) or root
    if gitsync.fetch_keys(top, "origin") is not None and gitsync.rev(top, keystore.REF) is None:
        git.run(top, ["update-ref", keystore.REF, gitsync.keys_tracking("origin")])   # the case keys come along
    if not (root / "rules.yaml").is_file() or not (root / "cases").is_dir():
        raise UsageError(_("{url} was cloned into {dir}, but it is not a case book (no rules.yaml and cases/)")
                         .format(url=url, dir=root))
    ensure_driver(root)
    ident_path, public, new = own_key()
    book = Book(root)
    holder = next((x.id for x in book.roster.people if x.key == public), None)
    email = git.config_email(root)
    pid = person_id(person, email)
    shown = name or pid
    line = (f"  - id: {pid}\n    name: {shown}\n    group: g1\n    roles: [volunteer]\n"
            + (f"    email: {email}\n" if email else "") + f"    key: {public}\n")
    from ..trust.approvals import pin_received

    return CloneResult(root, ident_path, new, public, holder, line, pin_received(book))

