"""What arrives from another office, and what it may not do to this one.

Whoever can write the shared repository (another office, whoever holds the USB stick or the
shared drive) is untrusted.  After every merge `sync` looks at what came in against what this
office had (`keep`):

- a case, ledger month or leave year is never deleted: a deleted one is put back;
- an event (ledger entry, leave request) is never removed nor rewritten: each one this office
  had is put back unchanged; a different version under its id, or a new event reusing an id,
  is kept too, under an id of its own (`storage.merge.distinct_events`);
- a symbolic link is never taken in: the file or folder that was there is put back, or the link
  is removed;
- what changes how the book works or who reads it (rules.yaml, roster.yaml, templates, keys,
  .gitattributes) is named, with the commit and its author.

Everything put back is one commit by the person syncing, so the other offices get it too.  A
deletion that came in some other way (a plain `git pull`, a hand `git rm`) is named by `check`
(`deleted_files`) until `hotline resolve` puts it back (`restore_deleted`).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..book import Book
from ..errors import BookError
from ..storage import git, gitsync, merge, yamlio

LINK, REGULAR = "120000", ("100644", "100755")
WATCHED = ("rules.yaml", "roster.yaml", ".gitattributes", "templates/", "keys/")
APPEND_ONLY = merge.APPEND_ONLY
DRIVER_NOTES = "hotline-arrivals.jsonl"   # what the merge driver moved, for `sync` to name
DELETED_CACHE = "hotline-deleted.json"


@dataclass
class Held:
    kind: str        # deleted | event | link | changed
    path: str        # relative to the book
    commit: str
    author: str
    ids: tuple = ()  # event: (old id, new id) pairs


def _prefix(book: Book) -> str:
    sub = book.root.resolve().relative_to(book.git_root.resolve()).as_posix()
    return "" if sub == "." else sub + "/"


def keep(book: Book, before: str | None, name: str, email: str) -> list[Held]:
    """Put back what the commits since `before` removed, rewrote or linked (see the module
    docstring) and commit that; return everything held or worth naming.  Call under the write
    lock, with the merge concluded."""
    top = book.git_root
    after = gitsync.rev(top, "HEAD")
    held = driver_notes(book)
    if before is None or after is None or after == before:
        return held
    pre = _prefix(book)
    spec = f"{before}..{after}"
    touched: list[Path] = []
    for ch in gitsync.changes(top, before, after, pre or "."):
        rel = ch.path[len(pre):]
        path = top / ch.path
        if ch.new_mode == LINK:
            commit, author = gitsync.last_commit(top, spec, ch.path)
            if path.is_symlink():
                path.unlink()
            if ch.old_mode in REGULAR:
                old = gitsync.show(top, before, ch.path)
                if old is not None:
                    yamlio.atomic_write(path, old, book.root)
            touched.append(path)
            held.append(Held("link", rel, commit, author))
            continue
        kind = merge.kind_of(rel)
        if kind in APPEND_ONLY and ch.status == "D":
            old = gitsync.show(top, before, ch.path)
            if old is None:
                continue
            commit, author = gitsync.last_commit(top, spec, ch.path, deleted=True)
            yamlio.atomic_write(path, old, book.root)
            touched.append(path)
            held.append(Held("deleted", rel, commit, author))
        elif kind in APPEND_ONLY and ch.status == "M" and ch.old_mode in REGULAR and ch.new_mode in REGULAR:
            old, new = gitsync.show(top, before, ch.path), gitsync.show(top, after, ch.path)
            if old is None or new is None:
                continue
            try:
                text, moved = merge.kept_text(kind, old.decode("utf-8"), new.decode("utf-8"), path)
            except (BookError, UnicodeDecodeError):
                continue  # an unreadable file: `check` names it
            if text is None or text.encode("utf-8") == new:
                continue
            commit, author = gitsync.last_commit(top, spec, ch.path)
            yamlio.atomic_write(path, text, book.root)
            touched.append(path)
            held.append(Held("event", rel, commit, author, tuple((o, n) for _c, o, n in moved)))
        elif rel.startswith(WATCHED) or rel in WATCHED:
            commit, author = gitsync.last_commit(top, spec, ch.path)
            held.append(Held("changed", rel, commit, author))
    if touched:
        git.commit(top, touched, "sync: put back what arrived deleted, rewritten or linked "
                                 "(cases, events and entries are append-only)", name, email)
    return held


def record_driver_notes(top: Path, pathname: str, notes: list) -> None:
    """The merge driver (a separate process) writes down the events it gave ids of their own."""
    if not notes:
        return
    with open(git.git_dir(top) / DRIVER_NOTES, "a", encoding="utf-8") as f:
        for _case, old, new in notes:
            f.write(json.dumps({"path": pathname, "old": old, "new": new}, ensure_ascii=False) + "\n")


def driver_notes(book: Book) -> list[Held]:
    """What the merge driver noted during the last merge (read once, then forgotten)."""
    f = git.git_dir(book.git_root) / DRIVER_NOTES
    if not f.is_file() or f.is_symlink():
        return []
    pre = _prefix(book)
    by_path: dict[str, list] = {}
    try:
        for line in f.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            by_path.setdefault(rec["path"], []).append((rec["old"], rec["new"]))
    except (OSError, ValueError, KeyError):
        pass
    f.unlink(missing_ok=True)
    return [Held("event", p[len(pre):] if p.startswith(pre) else p, "merge", "", tuple(v))
            for p, v in sorted(by_path.items())]


# ---------------------------------------------------------------- deletions in the history

def deleted_files(book: Book) -> list[tuple[str, str, str]]:
    """(path relative to the book, commit, author) of every case, ledger month or leave year
    some commit deleted and that is not back in the work tree — whatever brought the deletion.
    What was scanned is remembered in the clone's git folder, so a later call reads only the
    commits since."""
    top = book.git_root
    head = gitsync.rev(top, "HEAD")
    if head is None:
        return []
    pre = _prefix(book)
    cache = git.git_dir(top) / DELETED_CACHE
    found: dict[str, list[str]] = {}
    spec = head
    try:
        saved = json.loads(cache.read_text(encoding="utf-8")) if cache.is_file() and not cache.is_symlink() else None
    except (OSError, ValueError):
        saved = None
    if isinstance(saved, dict) and saved.get("head") and isinstance(saved.get("found"), dict):
        if saved["head"] == head:
            spec = None
            found = saved["found"]
        elif gitsync.is_ancestor(top, saved["head"], head):
            spec = f"{saved['head']}..{head}"
            found = saved["found"]
    if spec is not None:
        newest: dict[str, list[str]] = {}
        for path, commit, author in gitsync.deletions(top, spec, [f"{pre}{d}" for d in merge.APPEND_ONLY_FOLDERS]):
            if merge.kind_of(path[len(pre):]) in APPEND_ONLY:
                newest.setdefault(path, [commit, author])  # git lists the newest first
        found = {**found, **newest}
        try:
            yamlio.atomic_write(cache, json.dumps({"head": head, "found": found}, ensure_ascii=False))
        except OSError:
            pass
    gone = sorted((p[len(pre):], c, a) for p, (c, a) in found.items() if not (top / p).exists())
    return _not_renumbered(book, gone)


def _not_renumbered(book: Book, gone: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """Leave out deleted case files whose case is still in the book under another id (a case
    renumbered by hand, `git mv`): the same received time as a case present now."""
    from ..storage import casefile

    cases = [g for g in gone if merge.kind_of(g[0]) == "case"]
    if not cases:
        return gone
    top, pre = book.git_root, _prefix(book)
    present = {c.received for c in book.store.all([])}
    out = []
    for rel, commit, author in gone:
        if merge.kind_of(rel) == "case":
            old = gitsync.show(top, f"{commit}^", pre + rel)
            try:
                if old is not None and casefile.parse_case(old.decode("utf-8"), Path(rel)).received in present:
                    continue
            except (BookError, UnicodeDecodeError):
                pass
        out.append((rel, commit, author))
    return out


def restore_deleted(book: Book, name: str, email: str) -> list[str]:
    """Put back every case, ledger month and leave year a commit deleted (as it was just before
    that commit), and every deletion not committed yet; one commit.  The paths restored."""
    top = book.git_root
    pre = _prefix(book)
    back: list[Path] = []
    for rel, commit, _author in deleted_files(book):
        full = gitsync.rev(top, commit)
        old = gitsync.show(top, f"{full}^", pre + rel) if full else None
        if old is not None:
            path = book.root / rel
            yamlio.atomic_write(path, old, book.root)
            back.append(path)
    for status, rel in git.uncommitted(top, [f"{pre}{d}" for d in merge.APPEND_ONLY_FOLDERS]):
        if "D" in status and merge.kind_of(rel[len(pre):]) in APPEND_ONLY:
            old = gitsync.show(top, "HEAD", rel)
            if old is not None:
                yamlio.atomic_write(top / rel, old, book.root)
                back.append(top / rel)
    if back:
        git.commit(top, back, f"resolve: put back {len(back)} deleted file(s) (cases and entries are append-only)",
                   name, email)
    return [book.rel(p) for p in back]


def own_ids(book: Book, name: str, email: str) -> list[str]:
    """Give every event that shares its id with an earlier event of its case an id of its own
    (derived from its content, as a merge would); one commit.  The cases changed."""
    from ..storage import casefile

    fixed: list[Path] = []
    for case in book.store.all([]):
        seen = [e.id for e in case.events if e.id]
        if len(set(seen)) == len(seen):
            continue
        firsts: dict[str, object] = {}
        for e in case.events:
            firsts.setdefault(e.id, e)
        (events,), _moved = merge.distinct_events(list(firsts.values()), case.events)
        case.events = events
        path = book.store.resolve(case.id)
        yamlio.atomic_write(path, casefile.dump_case(case), book.root)
        fixed.append(path)
    if fixed:
        git.commit(book.git_root, fixed, f"resolve: an id of its own for events that shared one ({len(fixed)} case(s))",
                   name, email)
    return [Path(p).stem for p in fixed]
