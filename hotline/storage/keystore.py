"""The key store (SPEC §7 "keys outside history"): each case's data key, wrapped for each of its
readers, kept on the ref `refs/hotline/keys` — one commit without parents, replaced on every
change, so once the old one is pruned git holds no earlier version of it.

Layout of its tree (sharded so a change rewrites three small trees):

    cases/<YYMM>/<case id>     public age1… of the case's data key, then one line per reader:
                               `wrap <person> <their age1…> <base64 of the data key age-encrypted to them>`
    erased/<YYMM>/<case id>    `erased <iso time> <person>`: the case's data key was destroyed
    links/<tag[:2]>/<tag>      caller ids (one a line) of the contact whose keyed tag is <tag>
    callers/<id[:2]>/<id>      the tag of that caller id's link (to find and drop the link)

Objects are read through one `git cat-file --batch` and written as loose objects in Python
(one `update-ref`, a compare-and-swap, makes the new commit the store): an intake adds about
two milliseconds, not a git process per tree.  Nothing here decrypts or decides who reads.
"""
from __future__ import annotations

import base64
import hashlib
import os
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import BookError, GitError
from ..i18n import _
from . import git

REF = "refs/hotline/keys"
MESSAGE = b"hotline key store\n"
_WHO = b"hotline <hotline@localhost> 1 +0000"


@dataclass
class Wrap:
    reader: str
    key: str          # the reader's age public key the data key was encrypted to
    sealed: bytes     # age (binary) of the data key's AGE-SECRET-KEY line


@dataclass
class Entry:
    public: str                      # the data key's public half (the case file's personal.key)
    wraps: list[Wrap] = field(default_factory=list)

    def wrap_of(self, reader: str, key: str | None = None) -> Wrap | None:
        return next((w for w in self.wraps if w.reader == reader and (key is None or w.key == key)), None)


@dataclass
class Erased:
    at: str
    by: str


class Damaged(BookError):
    """A blob of the key store cannot be read: named, never silently replaced."""


def case_path(case_id: str) -> str:
    return f"cases/{case_id[:4]}/{case_id}"


def erased_path(case_id: str) -> str:
    return f"erased/{case_id[:4]}/{case_id}"


def link_path(tag: str) -> str:
    return f"links/{tag[:2]}/{tag}"


def caller_path(caller: str) -> str:
    return f"callers/{caller[:2]}/{caller}"


# ---------------------------------------------------------------- blobs

def entry_text(e: Entry) -> bytes:
    lines = [f"public {e.public}"]
    for w in sorted(e.wraps, key=lambda w: (w.reader, w.key)):
        lines.append(f"wrap {w.reader} {w.key} {base64.b64encode(w.sealed).decode('ascii')}")
    return ("\n".join(lines) + "\n").encode("ascii")


def parse_entry(data: bytes, where: str) -> Entry:
    try:
        lines = data.decode("ascii").splitlines()
        head = lines[0].split(" ")
        if len(head) != 2 or head[0] != "public" or not head[1].startswith("age1"):
            raise ValueError
        wraps = []
        for ln in lines[1:]:
            kind, reader, key, b64 = ln.split(" ")
            if kind != "wrap" or not key.startswith("age1"):
                raise ValueError
            wraps.append(Wrap(reader, key, base64.b64decode(b64, validate=True)))
        return Entry(head[1], wraps)
    except (ValueError, IndexError, UnicodeDecodeError):
        raise Damaged(_("the key store's entry {path} is damaged").format(path=where)) from None


def erased_text(e: Erased) -> bytes:
    return f"erased {e.at} {e.by}\n".encode("utf-8")


def parse_erased(data: bytes, where: str) -> Erased:
    parts = data.decode("utf-8", "replace").split()
    if len(parts) != 3 or parts[0] != "erased":
        raise Damaged(_("the key store's entry {path} is damaged").format(path=where))
    return Erased(parts[1], parts[2])


def ids_text(ids: list[str]) -> bytes:
    return "".join(f"{i}\n" for i in sorted(set(ids))).encode("ascii")


def parse_ids(data: bytes) -> list[str]:
    return [ln.strip() for ln in data.decode("ascii", "replace").splitlines() if ln.strip()]


# ---------------------------------------------------------------- the store

class Store:
    """One snapshot of the key store (`ref`), read lazily; changes are kept until `save`."""

    def __init__(self, top: Path, ref: str = REF):
        self.top = top
        self.ref = ref
        self._objs: git.Objects | None = None
        self._read: dict[str, bytes | None] = {}
        self.changes: dict[str, bytes | None] = {}
        self._tip: tuple[str | None, str | None] | None = None   # (commit, tree), read when first asked

    def _load(self) -> tuple[str | None, str | None]:
        if self._tip is None:
            got = self._objects().get(self.ref)
            if got is None:
                self._tip = (None, None)
            elif got[0] != "commit":
                raise Damaged(_("{ref} is not a commit: the key store is damaged").format(ref=self.ref))
            else:
                self._tip = (self._last_oid, got[1].split(b"\n", 1)[0].split(b" ")[1].decode("ascii"))
        return self._tip

    @property
    def head(self) -> str | None:
        return self._load()[0]

    @property
    def tree(self) -> str | None:
        return self._load()[1]

    # -- reading
    def _objects(self) -> git.Objects:
        if self._objs is None:
            self._objs = git.Objects(self.top)
        return self._objs

    @property
    def _last_oid(self) -> str:
        return self._objects().last_oid

    def exists(self) -> bool:
        return self.head is not None

    def blob(self, path: str) -> bytes | None:
        if path in self.changes:
            return self.changes[path]
        if path not in self._read:
            got = self._objects().get(f"{self.tree}:{path}") if self.tree else None
            self._read[path] = got[1] if got is not None and got[0] == "blob" else None
        return self._read[path]

    def paths(self, under: str) -> list[str]:
        """Every blob path below the folder `under` (e.g. 'cases'), changes included."""
        out: set[str] = set()
        if self.tree:
            p = git.run(self.top, ["ls-tree", "-r", "--name-only", "-z", self.tree, "--", under], check=False)
            if p.returncode == 0:
                out = {x for x in p.stdout.split("\0") if x}
        for path, data in self.changes.items():
            if path.startswith(under + "/"):
                (out.add if data is not None else out.discard)(path)
        return sorted(out)

    def entry(self, case_id: str) -> Entry | None:
        data = self.blob(case_path(case_id))
        return parse_entry(data, case_path(case_id)) if data is not None else None

    def erased(self, case_id: str) -> Erased | None:
        data = self.blob(erased_path(case_id))
        return parse_erased(data, erased_path(case_id)) if data is not None else None

    def link(self, tag: str) -> list[str]:
        data = self.blob(link_path(tag))
        return parse_ids(data) if data is not None else []

    def tag_of(self, caller: str) -> str | None:
        data = self.blob(caller_path(caller))
        return data.decode("ascii", "replace").strip() or None if data is not None else None

    def case_ids(self) -> list[str]:
        return [p.rsplit("/", 1)[1] for p in self.paths("cases")]

    def erased_ids(self) -> list[str]:
        return [p.rsplit("/", 1)[1] for p in self.paths("erased")]

    # -- changing
    def put_entry(self, case_id: str, e: Entry | None) -> None:
        self.changes[case_path(case_id)] = entry_text(e) if e is not None else None

    def put_erased(self, case_id: str, e: Erased) -> None:
        self.changes[erased_path(case_id)] = erased_text(e)
        self.changes[case_path(case_id)] = None

    def put_link(self, tag: str, ids: list[str]) -> None:
        self.changes[link_path(tag)] = ids_text(ids) if ids else None
        for i in ids:
            self.changes[caller_path(i)] = (tag + "\n").encode("ascii")

    def drop_caller(self, caller: str) -> None:
        """Forget a caller id: its reverse entry, and it in its link (the link goes when empty)."""
        tag = self.tag_of(caller)
        self.changes[caller_path(caller)] = None
        if tag:
            rest = [i for i in self.link(tag) if i != caller]
            self.changes[link_path(tag)] = ids_text(rest) if rest else None

    def save(self) -> str | None:
        """Write the changed store as a new commit without parents and move the ref to it (only
        if nobody moved it meanwhile); the new commit id, or the old one when nothing changed."""
        if not self.changes:
            return self._tip[0] if self._tip else None
        probe = self.head
        if probe is None and self._objects().get("HEAD") is not None:
            probe = self._last_oid   # a new store: the repository's object format from its HEAD
        width = 32 if probe and len(probe) == 64 else 20
        writer = _Writer(self.top, width)
        entries = {path: None if data is None else (b"100644", bytes.fromhex(writer.put(b"blob", data)))
                   for path, data in self.changes.items()}
        tree = git.rewrite_tree(self.top, self._objects(), self.tree, entries, width,
                                lambda body: writer.put(b"tree", body))
        commit = writer.put(b"commit", b"tree " + tree.encode("ascii") + b"\nauthor " + _WHO + b"\ncommitter "
                            + _WHO + b"\n\n" + MESSAGE)
        if commit != self.head:
            old = self.head or "0" * (width * 2)
            p = git.run(self.top, ["update-ref", self.ref, commit, old], check=False)
            if p.returncode != 0:
                raise GitError(_("the key store {ref} changed while this command wrote it; run it again")
                               .format(ref=self.ref))
        self._tip = (commit, tree)
        self._read.update(self.changes)
        self.changes = {}
        return commit

    def close(self) -> None:
        if self._objs is not None:
            self._objs.close()
            self._objs = None


class _Writer:
    """Loose git objects written directly (SHA-1 repositories); through `git hash-object` otherwise."""

    def __init__(self, top: Path, width: int):
        self.top = top
        self.width = width
        self.objects = git.common_dir(top) / "objects"

    def put(self, kind: bytes, body: bytes) -> str:
        if self.width != 20:
            p = git.run(self.top, ["hash-object", "-w", "-t", kind.decode(), "--stdin"], stdin=body, text=False)
            return p.stdout.decode("ascii").strip()
        data = kind + b" " + str(len(body)).encode("ascii") + b"\0" + body
        oid = hashlib.sha1(data).hexdigest()
        path = self.objects / oid[:2] / oid[2:]
        if not path.exists():
            path.parent.mkdir(exist_ok=True)
            tmp = path.parent / f"tmp_obj_{os.getpid()}_{oid[:8]}"
            with open(tmp, "wb") as f:
                f.write(zlib.compress(data, 1))
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o444)
            os.replace(tmp, path)
        return oid


# ---------------------------------------------------------------- between offices

def merge_stores(ours: Store, theirs: Store) -> dict[str, Any]:
    """Take `theirs` into `ours` (changes only; the caller saves): an erasure always wins; the
    wraps of a case are united by (reader, key); links united.  Returns counts of what changed
    and the ids of the cases whose entries changed ('cases')."""
    counts: dict[str, Any] = {"erased": 0, "wraps": 0, "links": 0, "cases": set()}
    if theirs.tree is None or theirs.tree == ours.tree:
        return counts
    p = git.run(ours.top, ["diff-tree", "-r", "-z", "--no-renames", "--name-only", *( [ours.tree] if ours.tree else
                ["4b825dc642cb6eb9a060e54bf8d69288fbee4904"]), theirs.tree], check=False)
    changed = [x for x in p.stdout.split("\0") if x] if p.returncode == 0 else theirs.paths("cases") + \
        theirs.paths("erased") + theirs.paths("links") + theirs.paths("callers")
    for path in changed:
        kind, _shard, name = (path.split("/") + ["", ""])[:3]
        data = theirs.blob(path)
        if data is None:
            continue
        if kind == "erased":
            if ours.blob(path) is None:
                ours.changes[path] = data
                counts["erased"] += 1
                counts["cases"].add(name)
            ours.changes[case_path(name)] = None
        elif kind == "cases":
            if ours.blob(erased_path(name)) is not None or theirs.blob(erased_path(name)) is not None:
                continue
            mine = ours.entry(name)
            other = parse_entry(data, path)
            if mine is None:
                ours.put_entry(name, other)
                counts["wraps"] += len(other.wraps)
                counts["cases"].add(name)
                continue
            if mine.public != other.public:
                continue   # two data keys for one case: kept ours; `check` names the case
            have = {(w.reader, w.key) for w in mine.wraps}
            new = [w for w in other.wraps if (w.reader, w.key) not in have]
            if new:
                mine.wraps += new
                ours.put_entry(name, mine)
                counts["wraps"] += len(new)
                counts["cases"].add(name)
        elif kind == "links":
            ids = sorted(set(ours.link(name)) | set(parse_ids(data)))
            if ids != ours.link(name):
                ours.put_link(name, ids)
                counts["links"] += 1
        elif kind == "callers":
            if ours.blob(path) is None:
                ours.changes[path] = data
    return counts


def lost(top: Path, old: str | None, new: str | None) -> bool:
    """Whether the store `new` lacks something `old` held: a data key's wrap, a case's entry, a link
    (then the old store's objects must be pruned for an erasure to be complete)."""
    if not old or old == new:
        return False
    if not new:
        return True
    p = git.run(top, ["diff-tree", "-r", "-z", "--no-renames", old, new], check=False)
    if p.returncode != 0:
        return True
    fields = p.stdout.split("\0")
    before, after = Store(top, old), Store(top, new)
    try:
        for meta, path in zip(fields[0::2], fields[1::2]):
            status = meta.split(" ")[-1] if meta else ""
            if status == "D":
                return True
            if status == "M" and path.startswith(("cases/", "links/")):
                a, b = before.blob(path), after.blob(path)
                if path.startswith("links/"):
                    if set(parse_ids(a or b"")) - set(parse_ids(b or b"")):
                        return True
                elif {(w.reader, w.key) for w in parse_entry(a or b"", path).wraps} - \
                        {(w.reader, w.key) for w in parse_entry(b or b"", path).wraps}:
                    return True
    finally:
        before.close()
        after.close()
    return False


def prune(top: Path) -> None:
    """Drop every object no ref reaches (old key stores among them) from this repository now."""
    for args in (["repack", "-a", "-d", "-q"], ["prune", "--expire=now"]):
        p = git.run(top, args, check=False)
        if p.returncode != 0:
            raise GitError(git.why(p, args[0]))
