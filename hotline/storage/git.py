"""git, through its command line: commit exactly the paths a command touched, read history.

How hotline commits (one policy, whatever the number of files):
- the new commit is built with git's plumbing, never through the real index: blobs with
  `hash-object` (the path's attributes and filters apply), trees rewritten from HEAD's
  along the changed paths only (by object id, so any path works), `commit-tree`, then
  `update-ref HEAD new old` — a compare-and-swap, so a commit someone made meanwhile is
  never lost nor swallowed: hotline rebuilds on top of it and tries again;
- git hooks never run (hotline checks what it writes itself); a commit is signed exactly
  when git's `commit.gpgSign` is true, as `git commit` would do;
- afterwards the real index is refreshed for those paths, so `git status` stays clean; if
  another git command holds the index lock, that refresh waits for the next write;
- before trying, the commit is written down in the clone's git folder
  (`hotline-pending/`); a commit that failed or was killed is finished, under its own
  author and message, by the next write — so nobody else's commit ever carries it;
- a lock file of git's that a killed process left (`index.lock`, `HEAD.lock`, `refs/…/*.lock`,
  …) is removed by the next write, once nothing can still hold it (`clear_stale_locks`).
"""
from __future__ import annotations

import json
import os
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from ..i18n import _
from ..errors import GitError

TIMEOUT = 120
RETRY_SECONDS = 10.0   # how long to keep rebuilding on top of a HEAD that others move
INDEX_WAIT = 1.0       # how long to wait for git's index lock before leaving the refresh for later
PENDING = "hotline-pending"


def _run(root: Path, args: list[str], env: dict | None = None, check: bool = True,
         stdin: str | bytes | None = None, text: bool = True) -> subprocess.CompletedProcess:
    from .lock import inherited

    try:
        p = subprocess.run(["git", *args], cwd=root, capture_output=True, env=env, timeout=TIMEOUT, input=stdin,
                           pass_fds=inherited(),
                           **({"text": True, "encoding": "utf-8", "errors": "replace"} if text else {}))
    except FileNotFoundError:
        raise GitError(_("git is not installed or not on PATH; hotline keeps its audit trail in git")) from None
    except subprocess.TimeoutExpired:
        raise GitError(_("git {value} took longer than {TIMEOUT} s").format(value=args[0], TIMEOUT=TIMEOUT)) from None
    if check and p.returncode != 0:
        raise GitError(_why(p, args[0]))
    return p


def _why(p: subprocess.CompletedProcess, what: str) -> str:
    out = p.stderr or p.stdout or ""
    if isinstance(out, bytes):
        out = out.decode("utf-8", "replace")
    held = locked_by(out)
    if held is not None:
        return _("git's lock file {path} is there: another git command is working in this clone (a git window "
                 "or editor?); wait for it to finish and try again — if none is running, the next hotline "
                 "command removes it").format(path=held)
    lines = [ln for ln in out.strip().splitlines() if ln.strip()]
    return lines[-1] if lines else f"git {what} failed"


def locked_by(text: str) -> str | None:
    """The lock file git names when it stopped because the file was there ("Unable to create
    '…/x.lock': File exists"), else None."""
    import re

    m = re.search(r"Unable to create '([^']+\.lock)': File exists", text)
    return m.group(1) if m else None


run = _run  # for the other storage modules: git's command line, failures as GitError
why = _why


def toplevel(path: Path) -> Path | None:
    """The work tree holding `path`: the nearest folder up with a `.git` (a folder, or a
    worktree's `.git` file); None outside git.  No git process is started."""
    path = Path(path).resolve()
    for d in (path, *path.parents):
        if (d / ".git").exists():
            return d
    return None


def git_dir(top: Path) -> Path:
    """The git folder of the work tree at `top` (`.git`, or where a worktree's `.git` file points)."""
    g = top / ".git"
    if g.is_file():
        try:
            text = g.read_text(encoding="utf-8").strip()
        except OSError:
            text = ""
        if text.startswith("gitdir:"):
            d = Path(text[7:].strip())
            return d if d.is_absolute() else (top / d)
    return g


def init(path: Path) -> None:
    _run(path, ["init", "-q"])


def config_value(root: Path, key: str) -> str | None:
    """A git setting as seen from `root` (the repository's, else the user's), or None."""
    p = _run(root, ["config", key], check=False)
    return p.stdout.strip() or None


def config_email(root: Path) -> str | None:
    return config_value(root, "user.email")


def _config_bool(root: Path, key: str) -> bool:
    p = _run(root, ["config", "--bool", "--get", key], check=False)
    return p.stdout.strip() == "true"


# ---------------------------------------------------------------- git's lock files

LOCK_GRACE = 2.0     # seconds a lock file of git's must have stood, unchanged, to count as left behind
LOCK_WATCH = 0.25    # and at least this long watched by hotline (a running git changes or removes it)
OWN_LOCK = "hotline-write.lock"   # hotline's own: an OS lock on a file that stays, never stale


def common_dir(top: Path) -> Path:
    """The git folder shared by all worktrees of the clone (refs, packed-refs, config)."""
    d = git_dir(top)
    common = d / "commondir"
    if common.is_file():
        try:
            text = common.read_text(encoding="utf-8").strip()
            return Path(text) if Path(text).is_absolute() else (d / text)
        except OSError:
            pass
    return d


def git_locks(top: Path) -> list[Path]:
    """git's lock files in this clone: `index.lock`, `HEAD.lock`, `config.lock`, `packed-refs.lock`,
    `refs/…/*.lock` and the like (never hotline's own write lock, never another worktree's)."""
    own, common = git_dir(top), common_dir(top)
    found: set[Path] = set()
    try:
        found |= {p for p in own.glob("*.lock") if p.name != OWN_LOCK and p.is_file()}
    except OSError:
        pass
    for name in ("packed-refs.lock", "config.lock", "shallow.lock"):  # shared by a clone's worktrees
        if (common / name).is_file():
            found.add(common / name)
    for sub in ("refs", "logs", "objects/info"):
        d = common / sub
        if d.is_dir():
            found |= {p for p in d.rglob("*.lock") if p.is_file()}
    return sorted(found)


def _ident(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


def stale(paths: list[Path], grace: float = LOCK_GRACE) -> list[Path]:
    """Of these lock files, those left behind: each watched (at most about `grace` seconds)
    until it has stood unchanged for `grace` seconds, by its date or by watching it.  A lock
    that goes away or keeps changing belongs to a git command at work and is not returned."""
    start = time.monotonic()
    seen = {p: (_ident(p), start) for p in paths}
    while True:
        now, mono = time.time(), time.monotonic()
        done: list[Path] = []
        waiting = False
        for p in list(seen):
            ident, since = seen[p]
            cur = _ident(p)
            if cur is None:
                del seen[p]
                continue
            if cur != ident:
                seen[p] = (cur, mono)
                waiting = True
                continue
            watched = mono - since
            if watched >= LOCK_WATCH and max(now - cur[1] / 1e9, watched) >= grace:
                done.append(p)
            else:
                waiting = True
        if not waiting or mono - start > grace + LOCK_WATCH:
            return done
        time.sleep(0.05)


def clear_stale_locks(top: Path, grace: float = LOCK_GRACE) -> list[Path]:
    """Remove git's lock files that a stopped process left; the paths removed.  Call only
    under hotline's write lock: then no git process started by another hotline writer runs
    (`lock.inherited`), hotline's readers take no git lock, and one that someone runs by hand
    holds its lock for a moment (it is waited for, and left alone while it changes).  When
    the writer before was killed holding the lock, what was made since it took the lock was
    made by it or its git children: removed at once."""
    from .lock import killed_holder_since

    found = git_locks(top)
    if not found:
        return []
    since = killed_holder_since()
    theirs = [p for p in found if since is not None and (_ident(p) or (0, 0, 0))[1] / 1e9 >= since - 1.0]
    removed = []
    for p in theirs + stale([p for p in found if p not in theirs], grace):
        try:
            p.unlink()
            removed.append(p)
        except FileNotFoundError:
            continue
        except OSError:
            continue  # cannot be removed here: git names it when it needs it
    return removed


# ---------------------------------------------------------------- reading objects

class _Objects:
    """One `git cat-file --batch` process answering object ids (never paths) one at a time."""

    def __init__(self, root: Path):
        try:
            self.proc = subprocess.Popen(["git", "cat-file", "--batch"], cwd=root, stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        except FileNotFoundError:
            raise GitError(_("git is not installed or not on PATH; hotline keeps its audit trail in git")) from None

    def get(self, oid: str) -> tuple[str, bytes] | None:
        """(type, content) of an object, None when it does not exist."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(oid.encode("ascii") + b"\n")
        self.proc.stdin.flush()
        header = self.proc.stdout.readline().decode("ascii", "replace").rstrip("\n")
        parts = header.split(" ")
        self.last_oid = parts[0]
        if len(parts) != 3 or not parts[2].isdigit():
            if not header:
                raise GitError(_("git cat-file stopped answering"))
            return None  # "<oid> missing" or "<oid> ambiguous"
        data = self.proc.stdout.read(int(parts[2]) + 1)
        return parts[1], data[:-1]

    def close(self) -> None:
        try:
            if self.proc.stdin:
                self.proc.stdin.close()
            self.proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()


def _parse_tree(content: bytes, width: int) -> dict[bytes, tuple[bytes, bytes]]:
    entries, pos = {}, 0
    while pos < len(content):
        sp = content.index(b" ", pos)
        nul = content.index(b"\0", sp)
        entries[content[sp + 1:nul]] = (content[pos:sp], content[nul + 1:nul + 1 + width])
        pos = nul + 1 + width
    return entries


Objects = _Objects     # for the key store (storage.keystore): the same reader, and the tree format


def rewrite_tree(root: Path, objs: _Objects, tree: str | None, changes: dict, width: int, put_tree) -> str:
    """`tree` with `changes` (path -> (mode, binary id) or None) applied, new trees stored by `put_tree`
    (the key store writes its own objects: storage.keystore)."""
    return _rewrite(root, objs, tree, changes, width, True, put_tree)


def _tree_bytes(entries: dict[bytes, tuple[bytes, bytes]]) -> bytes:
    def key(name: bytes) -> bytes:  # git orders a tree's entries as if sub-trees ended in '/'
        return name + b"/" if entries[name][0] == b"40000" else name

    return b"".join(entries[n][0] + b" " + n + b"\0" + entries[n][1] for n in sorted(entries, key=key))


# ---------------------------------------------------------------- committing

@dataclass
class _Commit:
    rel: list[str]
    message: str
    name: str
    email: str

    def env(self) -> dict:
        env = dict(os.environ)
        env.update(GIT_AUTHOR_NAME=self.name, GIT_AUTHOR_EMAIL=self.email,
                   GIT_COMMITTER_NAME=self.name, GIT_COMMITTER_EMAIL=self.email)
        return env


class _Moved(Exception):
    """HEAD moved while the commit was being built: build again on top of it."""


def _head(root: Path) -> str | None:
    p = _run(root, ["rev-parse", "-q", "--verify", "HEAD^{commit}"], check=False)
    return p.stdout.strip() or None


def _blobs(root: Path, c: _Commit) -> dict[str, tuple[bytes, bytes] | None]:
    """path -> (mode, binary id) of what git stores for each file now; None for a removed one."""
    present = [r for r in c.rel if (root / r).is_file()]
    ids: list[str] = []
    if present:
        p = _run(root, ["hash-object", "-w", "--stdin-paths"], stdin="\n".join(present) + "\n", check=False)
        if p.returncode != 0:
            raise GitError(_why(p, "hash-object"))
        ids = p.stdout.split()
    out: dict[str, tuple[bytes, bytes] | None] = {r: None for r in c.rel}
    for r, oid in zip(present, ids):
        mode = b"100755" if os.access(root / r, os.X_OK) and os.name != "nt" else b"100644"
        out[r] = (mode, bytes.fromhex(oid))
    return out


def _rewrite(root: Path, objs: _Objects, tree: str | None, changes: dict, width: int, top: bool,
             put_tree=None) -> str | None:
    """The id of `tree` with `changes` (relative path -> entry or None) applied; None if it ends empty.
    `put_tree(bytes) -> id` stores each new tree (default: `git hash-object -w`)."""
    entries: dict[bytes, tuple[bytes, bytes]] = {}
    if tree is not None:
        got = objs.get(tree)
        if got is None or got[0] != "tree":
            raise GitError(_("tree {tree} is missing from the repository").format(tree=tree))
        entries = _parse_tree(got[1], width)
    below: dict[str, dict] = {}
    for path, entry in changes.items():
        head, sep, rest = path.partition("/")
        if sep:
            below.setdefault(head, {})[rest] = entry
        elif entry is None:
            entries.pop(head.encode("utf-8"), None)
        else:
            entries[head.encode("utf-8")] = entry
    for name, sub in below.items():
        key = name.encode("utf-8")
        cur = entries.get(key)
        sub_id = _rewrite(root, objs, cur[1].hex() if cur and cur[0] == b"40000" else None, sub, width, False,
                          put_tree)
        if sub_id is None:
            entries.pop(key, None)
        else:
            entries[key] = (b"40000", bytes.fromhex(sub_id))
    if not entries and not top:
        return None
    if put_tree is not None:
        return put_tree(_tree_bytes(entries))
    p = _run(root, ["hash-object", "-w", "-t", "tree", "--stdin"], stdin=_tree_bytes(entries), text=False, check=False)
    if p.returncode != 0:
        raise GitError(_why(p, "hash-object"))
    return p.stdout.decode("ascii").strip()


def _commit_once(root: Path, c: _Commit, blobs: dict) -> str:
    head = _head(root)
    objs = _Objects(root)
    try:
        base = None
        if head is not None:
            got = objs.get(head)
            if got is None:
                raise GitError(_("HEAD commit {head} is missing from the repository").format(head=head))
            base = got[1].split(b"\n", 1)[0].split(b" ")[1].decode("ascii")
        tree = _rewrite(root, objs, base, blobs, len(head or "") // 2 or 20, True)
    finally:
        objs.close()
    if tree == base and head is not None:
        return head  # nothing changed: no empty commit
    args = ["commit-tree", tree, *(["-p", head] if head else []), "-m", c.message]
    if _config_bool(root, "commit.gpgSign"):
        args.insert(1, "-S")
    p = _run(root, args, env=c.env(), check=False)
    if p.returncode != 0:
        raise GitError(_why(p, "commit-tree"))
    new = p.stdout.strip()
    old = head or "0" * len(new)
    u = _run(root, ["update-ref", "-m", f"commit: {c.message}", "HEAD", new, old], env=c.env(), check=False)
    if u.returncode != 0:
        if _head(root) != head:
            raise _Moved()
        raise GitError(_why(u, "update-ref"))
    return new


def _refresh_index(root: Path, rel: list[str]) -> bool:
    """Make git's index agree with the new commit for these paths; False if its lock stayed busy."""
    deadline = time.monotonic() + INDEX_WAIT
    while True:
        p = _run(root, ["update-index", "--add", "--remove", "-z", "--stdin"], stdin="\0".join(rel) + "\0", check=False)
        if p.returncode == 0:
            return True
        if "index.lock" not in (p.stderr or "") or time.monotonic() > deadline:
            return False
        time.sleep(0.05)


def _pending_dir(root: Path) -> Path:
    return git_dir(root) / PENDING


def _remember(root: Path, c: _Commit, kind: str = "commit", journal: str | None = None) -> Path:
    """Write the commit down (whole or not at all: a killed write leaves no half record)."""
    d = _pending_dir(root)
    d.mkdir(exist_ok=True)
    name = uuid.uuid4().hex
    rec = {"kind": kind, "paths": c.rel, "message": c.message, "name": c.name, "email": c.email}
    if journal:
        rec["journal"] = journal
    tmp = d / f"{name}.tmp"
    tmp.write_text(json.dumps(rec, ensure_ascii=False), encoding="utf-8")
    path = d / f"{name}.json"
    os.replace(tmp, path)
    return path


def _recover_message(c: _Commit, why: str) -> GitError:
    return GitError(
        _('the change is saved in {items} but git could not commit it ({why}); hotline commits it at the next write, or run: git add {items2} && git commit -m "{message}"').format(items=', '.join(c.rel), why=why, items2=' '.join(c.rel), message=c.message)
    )


def _commit(root: Path, c: _Commit) -> str:
    deadline = time.monotonic() + RETRY_SECONDS
    blobs = _blobs(root, c)
    while True:
        try:
            new = _commit_once(root, c, blobs)
            break
        except _Moved:
            if time.monotonic() > deadline:
                raise GitError(_("other git commands kept moving HEAD; try again")) from None
    if not _refresh_index(root, c.rel):
        _remember(root, c, kind="index")
    return new


def commit(root: Path, paths: list[Path], message: str, author_name: str, author_email: str,
           journal=None) -> str:
    """Commit exactly `paths` (as they are on disk; a missing one is removed) with this author;
    return the new commit id.  Call under the book's write lock, after `finish_pending`.
    `journal` (the write's `storage.journal.Journal`) is settled once the commit is written
    down: from then on a killed write is finished, never undone."""
    c = _Commit([Path(p).resolve().relative_to(root.resolve()).as_posix() for p in paths],
                message, author_name, author_email)
    note = _remember(root, c, journal=getattr(journal, "id", None))
    if journal is not None:
        journal.settle()
    try:
        new = _commit(root, c)
    except GitError as e:
        raise _recover_message(c, str(e)) from None
    note.unlink(missing_ok=True)
    return new


def pending(root: Path) -> list[dict]:
    """Commits written down but not finished (a failed or killed write), oldest first."""
    d = _pending_dir(root)
    if not d.is_dir():
        return []
    out = []
    def when(f: Path) -> int:
        try:
            return f.stat().st_mtime_ns
        except OSError:
            return 0

    for f in sorted(d.glob("*.json"), key=when):
        try:
            rec = json.loads(f.read_text(encoding="utf-8"))
            rec["file"] = f
            out.append(rec)
        except (OSError, ValueError):
            continue  # being written by a commit in flight (a reader's look), or unreadable
    return out


def finish_pending(root: Path) -> None:
    """Finish what earlier writes left: each unfinished commit under its own author and message,
    and index refreshes that found git's index locked.  Raises GitError when git still refuses,
    so a new write never carries someone else's change."""
    for rec in pending(root):
        c = _Commit(rec["paths"], rec["message"], rec["name"], rec["email"])
        if rec.get("kind") == "index":
            if _refresh_index(root, c.rel):
                rec["file"].unlink(missing_ok=True)
            continue
        try:
            _commit(root, c)
        except GitError as e:
            raise GitError(_('an earlier change by {name} ({message}) is not committed yet and git still refuses it ({why}); fix that first, or run: git add {items} && git commit -m "{message2}"').format(name=c.name, message=c.message, why=e, items=' '.join(c.rel), message2=c.message)) from None
        rec["file"].unlink(missing_ok=True)


def refresh_pending_index(root: Path) -> None:
    """Refresh git's index where a write found it locked (safe without hotline's lock: git's
    own index lock protects it)."""
    for rec in pending(root):
        if rec.get("kind") == "index" and _refresh_index(root, rec["paths"]):
            rec["file"].unlink(missing_ok=True)


# ---------------------------------------------------------------- reading

@dataclass
class Commit:
    id: str
    time: str
    author: str
    email: str
    message: str


def history(root: Path, path: Path) -> list[Commit]:
    rel = str(path.resolve().relative_to(root.resolve()))
    p = _run(root, ["log", "--follow", "--format=%H%x1f%aI%x1f%an%x1f%ae%x1f%s", "--", rel], check=False)
    if p.returncode != 0:
        return []
    out = []
    for line in p.stdout.splitlines():
        parts = line.split("\x1f")
        if len(parts) == 5:
            out.append(Commit(*parts))
    return out


def uncommitted(root: Path, under: list[str]) -> list[tuple[str, str]]:
    """(two-letter status, path relative to root) under the given folders that differ from HEAD,
    are untracked, or are ignored (`!!`).  GitError when git cannot tell (a damaged index, a full disk)."""
    p = _run(root, ["status", "--porcelain=v1", "-z", "--untracked-files=all", "--ignored=matching", "--", *under],
             check=False)
    if p.returncode != 0:
        raise GitError(_("git status failed, so what is not committed cannot be told: {why}").format(why=_why(p, 'status')))
    out = []
    for entry in p.stdout.split("\0"):
        if len(entry) > 3:
            out.append((entry[:2], entry[3:]))
    return out


def untracked(root: Path, under: str) -> list[str]:
    """Files under `under` that git does not track and does not ignore (paths relative to root)."""
    p = _run(root, ["ls-files", "-z", "--others", "--exclude-standard", "--full-name", "--", under], check=False)
    if p.returncode != 0:
        raise GitError(_("git ls-files failed, so what is not committed cannot be told: {why}").format(why=_why(p, 'ls-files')))
    return [x for x in p.stdout.split("\0") if x]
