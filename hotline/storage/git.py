"""git, through its command line: commit exactly the paths a command touched, read history.

Every write command is one commit of exactly its files (`git commit --only`), with the
acting person as author.  A failed commit never removes the file: the error says how
to commit it by hand.
"""
from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import GitError


def _run(root: Path, args: list[str], env: dict | None = None, check: bool = True,
         stdin: str | None = None) -> subprocess.CompletedProcess:
    try:
        p = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, encoding="utf-8", errors="replace",
            env=env, timeout=120, input=stdin,
        )
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH; hotline keeps its audit trail in git") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} took longer than 120 s") from None
    if check and p.returncode != 0:
        raise GitError((p.stderr or p.stdout).strip().splitlines()[-1] if (p.stderr or p.stdout).strip() else f"git {args[0]} failed")
    return p


def toplevel(path: Path) -> Path | None:
    p = _run(path, ["rev-parse", "--show-toplevel"], check=False)
    return Path(p.stdout.strip()) if p.returncode == 0 else None


def init(path: Path) -> None:
    _run(path, ["init", "-q"])


def config_email(root: Path) -> str | None:
    p = _run(root, ["config", "user.email"], check=False)
    return p.stdout.strip() or None


FAST_MAX_PATHS = 20  # up to this many paths, commit by rewriting only the trees they live in
BUSY_WAIT = 5.0      # seconds to wait for another git command's index.lock before giving up


def _recover(rel: list[str], message: str, why: str) -> GitError:
    return GitError(
        f"the change is saved in {', '.join(rel)} but git could not commit it ({why}); "
        f"fix that, then run: git add {' '.join(rel)} && git commit -m \"{message}\""
    )


def commit(root: Path, paths: list[Path], message: str, author_name: str, author_email: str) -> str:
    """Stage and commit exactly `paths`; return the new commit id.

    A few paths (every case command) are committed with git's plumbing, rewriting only the
    trees on their way to the root, so the cost does not grow with the book; many paths
    (init, rekey) or an unborn branch go through `git commit --only`.
    """
    rel = [Path(p).resolve().relative_to(root.resolve()).as_posix() for p in paths]
    env = dict(os.environ)
    env.update(
        GIT_AUTHOR_NAME=author_name, GIT_AUTHOR_EMAIL=author_email,
        GIT_COMMITTER_NAME=author_name, GIT_COMMITTER_EMAIL=author_email,
    )
    if len(rel) <= FAST_MAX_PATHS:
        deadline = time.monotonic() + BUSY_WAIT
        while True:
            try:
                done = _commit_plumbing(root, rel, message, env)
            except _Busy as e:
                if time.monotonic() > deadline:
                    raise _recover(rel, message, str(e) or "another git command holds the index") from None
                time.sleep(0.1)
                continue
            except GitError as e:
                raise _recover(rel, message, str(e)) from None
            if done is not None:
                return done
            break  # not possible here (unborn branch, odd tree): the porcelain way
    return _commit_porcelain(root, rel, message, author_name, author_email)


class _Busy(Exception):
    """Someone else holds git's index lock or moved HEAD meanwhile: try again."""


def _read_objects(root: Path, names: list[str]) -> list[tuple[str, str, bytes] | None]:
    """(id, type, content) of each object name, via one `git cat-file --batch`; None if missing."""
    p = subprocess.run(["git", "cat-file", "--batch"], cwd=root, input=("\n".join(names) + "\n").encode("utf-8"),
                       capture_output=True, timeout=120)
    if p.returncode != 0:
        raise GitError(p.stderr.decode("utf-8", "replace").strip() or "git cat-file failed")
    out, pos, data = [], 0, p.stdout
    for _ in names:
        nl = data.index(b"\n", pos)
        header = data[pos:nl].decode("utf-8", "replace").split()
        pos = nl + 1
        if len(header) == 3 and header[1] != "missing":
            size = int(header[2])
            out.append((header[0], header[1], data[pos:pos + size]))
            pos += size + 1
        else:
            out.append(None)
    return out


def _parse_tree(content: bytes) -> dict[bytes, tuple[bytes, bytes]]:
    entries, pos = {}, 0
    while pos < len(content):
        sp = content.index(b" ", pos)
        nul = content.index(b"\0", sp)
        entries[content[sp + 1:nul]] = (content[pos:sp], content[nul + 1:nul + 21])
        pos = nul + 21
    return entries


def _tree_bytes(entries: dict[bytes, tuple[bytes, bytes]]) -> bytes:
    def key(name: bytes) -> bytes:  # git orders a tree's entries as if sub-trees ended in '/'
        return name + b"/" if entries[name][0] == b"40000" else name

    return b"".join(entries[n][0] + b" " + n + b"\0" + entries[n][1] for n in sorted(entries, key=key))


def _write_tree(root: Path, content: bytes) -> str:
    p = subprocess.run(["git", "hash-object", "-w", "-t", "tree", "--stdin"], cwd=root, input=content,
                       capture_output=True, timeout=120)
    if p.returncode != 0:
        raise GitError(p.stderr.decode("utf-8", "replace").strip() or "git hash-object failed")
    return p.stdout.decode().strip()


def _commit_plumbing(root: Path, rel: list[str], message: str, env: dict) -> str | None:
    heads = _read_objects(root, ["HEAD"])
    if heads[0] is None or heads[0][1] != "commit":
        return None
    head, _, head_body = heads[0]
    root_tree = head_body.split(b"\n", 1)[0].split(b" ")[1].decode()
    # blobs and index entries (with stat data, so `git status` stays clean) for exactly these paths
    upd = _run(root, ["update-index", "--add", "--remove", "-z", "--stdin"], env=env, check=False,
               stdin="\0".join(rel) + "\0")
    if upd.returncode != 0:
        if "index.lock" in (upd.stderr or ""):
            raise _Busy((upd.stderr or "").strip().splitlines()[0])
        raise GitError((upd.stderr or "git update-index failed").strip().splitlines()[-1])
    staged: dict[str, tuple[bytes, bytes]] = {}  # what git stored (after its filters): path -> (mode, id)
    ls = _run(root, ["ls-files", "--stage", "-z", "--", *rel], check=False)
    for item in ls.stdout.split("\0"):
        if "\t" in item:
            meta, path = item.split("\t", 1)
            mode, sha, _stage = meta.split()
            staged[path] = (mode.lstrip("0").encode() or b"0", bytes.fromhex(sha))
    changes: dict[str, dict[bytes, tuple[bytes, bytes] | None]] = {}
    for r in rel:
        d, _, name = r.rpartition("/")
        changes.setdefault(d, {})[name.encode("utf-8")] = staged.get(r)  # None: removed
        while d:
            d = d.rpartition("/")[0]
            changes.setdefault(d, {})
    dirs = sorted(changes, key=lambda d: d.count("/") + (1 if d else 0), reverse=True)
    trees = _read_objects(root, [f"{head}:{d}" if d else root_tree for d in dirs])
    for d, obj in zip(dirs, trees):
        if obj is not None and obj[1] != "tree":
            return None
        entries = _parse_tree(obj[2]) if obj else {}
        for name, entry in changes[d].items():
            if entry is None:
                entries.pop(name, None)
            else:
                entries[name] = entry
        sha = _write_tree(root, _tree_bytes(entries)) if (entries or not d) else None
        if not d:
            new_root = sha
            break
        parent, _, base = d.rpartition("/")
        changes[parent][base.encode("utf-8")] = (b"40000", bytes.fromhex(sha)) if sha else None
    c = _run(root, ["commit-tree", new_root, "-p", head, "-m", message], env=env, check=False)
    if c.returncode != 0:
        raise GitError((c.stderr or "git commit-tree failed").strip().splitlines()[-1])
    new = c.stdout.strip()
    u = _run(root, ["update-ref", "-m", f"commit: {message}", "HEAD", new, head], env=env, check=False)
    if u.returncode != 0:
        raise _Busy()  # HEAD moved under us (another git command): start again from the new HEAD
    return new


def _commit_porcelain(root: Path, rel: list[str], message: str, author_name: str, author_email: str) -> str:
    env = dict(os.environ)
    env.update(
        GIT_AUTHOR_NAME=author_name, GIT_AUTHOR_EMAIL=author_email,
        GIT_COMMITTER_NAME=author_name, GIT_COMMITTER_EMAIL=author_email,
    )
    last = ""
    deadline = time.monotonic() + BUSY_WAIT
    while True:
        # paths go through stdin: a rekey of thousands of files must not hit command-line limits
        spec = "\0".join(rel)
        add = _run(root, ["add", "--pathspec-from-file=-", "--pathspec-file-nul"], env=env, check=False, stdin=spec)
        if add.returncode == 0:
            c = _run(root, ["commit", "-q", "--no-verify", "-m", message, "--only",
                            "--pathspec-from-file=-", "--pathspec-file-nul"], env=env, check=False, stdin=spec)
            if c.returncode == 0:
                return _run(root, ["rev-parse", "HEAD"]).stdout.strip()
            last = (c.stderr or c.stdout).strip()
        else:
            last = (add.stderr or add.stdout).strip()
        busy = "index.lock" in last or "cannot lock ref" in last or "Unable to create" in last
        if busy and time.monotonic() < deadline:
            time.sleep(0.1)
            continue
        break
    raise _recover(rel, message, last.splitlines()[0] if last else "git commit failed")


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
    """(two-letter status, path relative to root) under the given folders that differ from HEAD
    or are untracked."""
    p = _run(root, ["status", "--porcelain=v1", "-z", "--untracked-files=all", "--", *under], check=False)
    if p.returncode != 0:
        return []
    out = []
    for entry in p.stdout.split("\0"):
        if len(entry) > 3:
            out.append((entry[:2], entry[3:]))
    return out
