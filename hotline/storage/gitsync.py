"""git for several offices: remotes, fetch, merge, push, and what a merge left behind.

Every network command runs without asking anything (no password prompt can hang a volunteer's
terminal: `GIT_TERMINAL_PROMPT=0`, ssh in batch mode) and its failure is sorted into what a
person can act on: offline (the shared folder, the USB disk or the server cannot be reached),
refused credentials, or something else — each said in plain words by the caller.
"""
from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..errors import GitError
from ..i18n import _
from . import yamlio
from .git import common_dir, git_dir, locked_by, run as _run, stale, why as _why

NETWORK_TIMEOUT = 300

# what git and ssh print, sorted by what the person can do about it (compiled only when a sync fails)
_OFFLINE = (
    r"could not resolve host|could not resolve hostname|name or service not known|temporary failure in name "
    r"resolution|network is unreachable|no route to host|connection timed out|operation timed out|connection "
    r"refused|failed to connect|could not connect|connection reset|unable to access|does not appear to be a git "
    r"repository|no such file or directory|not a git repository|repository .* (not found|does not exist)|could not read from "
    r"remote repository|the remote end hung up")
_AUTH = (
    r"authentication failed|permission denied|could not read username|could not read password|terminal prompts "
    r"disabled|access denied|http basic|invalid username or password|\b401\b|\b403\b|host key verification failed")


class RemoteError(GitError):
    """A fetch or push that could not reach the remote, or was refused by it."""

    def __init__(self, kind: str, remote: str, detail: str):
        self.kind, self.remote, self.detail = kind, remote, detail
        super().__init__(detail)


def network_env() -> dict:
    env = dict(os.environ)
    env["GIT_TERMINAL_PROMPT"] = "0"
    env.setdefault("GCM_INTERACTIVE", "never")
    env.setdefault("GIT_SSH_COMMAND", "ssh -o BatchMode=yes -o ConnectTimeout=20")
    return env


def _network(top: Path, args: list[str], remote: str) -> subprocess.CompletedProcess:
    try:
        p = subprocess.run(["git", *args], cwd=top, capture_output=True, text=True, encoding="utf-8",
                           errors="replace", env=network_env(), timeout=NETWORK_TIMEOUT, stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise GitError(_("git is not installed or not on PATH; hotline keeps its audit trail in git")) from None
    except subprocess.TimeoutExpired:
        raise RemoteError("offline", remote, f"git {args[0]}: no answer in {NETWORK_TIMEOUT} s") from None
    return p


def classify(p: subprocess.CompletedProcess, remote: str, what: str) -> RemoteError:
    text = (p.stderr or "") + (p.stdout or "")
    kind = "auth" if re.search(_AUTH, text, re.I) else "offline" if re.search(_OFFLINE, text, re.I) else "other"
    return RemoteError(kind, remote, _why(p, what))


# ---------------------------------------------------------------- remotes and branches

def remotes(top: Path) -> list[str]:
    return [r for r in _run(top, ["remote"], check=False).stdout.split() if r]


def branch(top: Path) -> str | None:
    """The current branch's short name; None when HEAD is detached."""
    p = _run(top, ["symbolic-ref", "-q", "--short", "HEAD"], check=False)
    return p.stdout.strip() or None


def upstream_remote(top: Path, name: str) -> str | None:
    p = _run(top, ["config", f"branch.{name}.remote"], check=False)
    return p.stdout.strip() or None


def rev(top: Path, ref: str) -> str | None:
    p = _run(top, ["rev-parse", "-q", "--verify", f"{ref}^{{commit}}"], check=False)
    return p.stdout.strip() or None


def count(top: Path, spec: str, merges: bool = True) -> int:
    p = _run(top, ["rev-list", "--count", *([] if merges else ["--no-merges"]), spec], check=False)
    return int(p.stdout.strip() or 0) if p.returncode == 0 else 0


def merge_base(top: Path, a: str, b: str) -> str | None:
    p = _run(top, ["merge-base", a, b], check=False)
    return p.stdout.strip() or None


def changed(top: Path, a: str, b: str) -> list[str]:
    """Paths (relative to top) that differ between two commits."""
    p = _run(top, ["diff", "--name-only", "-z", "--no-renames", a, b], check=False)
    return [x for x in p.stdout.split("\0") if x]


def tracked(top: Path, commit: str) -> list[str]:
    """Every path of a commit (relative to top)."""
    p = _run(top, ["ls-tree", "-r", "-z", "--name-only", "--full-tree", commit], check=False)
    return [x for x in p.stdout.split("\0") if x]


def dirty(top: Path) -> list[str]:
    """Paths (relative to top) that differ from HEAD here or that git does not track."""
    p = _run(top, ["--no-optional-locks", "status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames"],
             check=False)
    return [entry[3:] for entry in p.stdout.split("\0") if len(entry) > 3]


def operation_under_way(top: Path) -> str | None:
    """A git operation started by hand and not finished: 'a rebase', 'a cherry-pick', 'a revert',
    'git am'; None when there is none (a merge is hotline's own: see `merging`)."""
    d = git_dir(top)
    if (d / "rebase-merge").is_dir() or ((d / "rebase-apply").is_dir() and not (d / "rebase-apply" / "applying").exists()):
        return "git rebase"
    if (d / "rebase-apply").is_dir():
        return "git am"
    if (d / "CHERRY_PICK_HEAD").exists():
        return "git cherry-pick"
    if (d / "REVERT_HEAD").exists():
        return "git revert"
    return None


def show(top: Path, rev_: str, path: str) -> bytes | None:
    """The bytes of `path` (relative to top) at a commit, or None when it is not there."""
    p = _run(top, ["cat-file", "blob", f"{rev_}:{path}"], check=False, text=False)
    return p.stdout if p.returncode == 0 else None


def fetch(top: Path, remote: str) -> None:
    p = _network(top, ["fetch", "--quiet", "--no-tags", remote], remote)
    if p.returncode != 0:
        raise classify(p, remote, "fetch")


def keys_tracking(remote: str) -> str:
    """Where this clone keeps the remote's key store (storage.keystore) as last fetched."""
    return f"refs/hotline/remote/{remote}/keys"


def fetch_keys(top: Path, remote: str) -> str | None:
    """Fetch the remote's key store; its commit id, None when the remote has none."""
    from .keystore import REF

    p = _network(top, ["fetch", "--quiet", "--no-tags", "--prune", remote,
                       f"+{REF}*:{keys_tracking(remote)}*"], remote)
    if p.returncode != 0:
        raise classify(p, remote, "fetch")
    return rev(top, keys_tracking(remote))


def push_keys(top: Path, remote: str, expected: str | None) -> str:
    """Replace the remote's key store with this clone's, only if it is still `expected` (what was
    fetched and merged): 'ok', or 'moved' when another office replaced it meanwhile."""
    from .keystore import REF

    p = _network(top, ["push", "--quiet", "--no-verify", f"--force-with-lease={REF}:{expected or ''}", remote,
                       f"{REF}:{REF}"], remote)
    if p.returncode == 0:
        _run(top, ["update-ref", keys_tracking(remote), REF], check=False)
        return "ok"
    text = (p.stderr or "") + (p.stdout or "")
    if re.search(r"stale info|rejected|fetch first", text, re.I) and not re.search(_AUTH, text, re.I):
        return "moved"
    raise classify(p, remote, "push")


def remote_url(top: Path, remote: str) -> str | None:
    p = _run(top, ["remote", "get-url", remote], check=False)
    return p.stdout.strip() or None if p.returncode == 0 else None


def remote_folder(top: Path, remote: str) -> Path | None:
    """The remote's repository when it is a folder on this machine (a shared drive, a USB disk), else None."""
    url = remote_url(top, remote)
    if not url:
        return None
    if url.startswith("file://"):
        url = url[7:]
    elif re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", url) or re.match(r"^[^/\\]+@[^:]+:", url):
        return None
    path = Path(url) if Path(url).is_absolute() else (top / url)
    return path if path.is_dir() else None


def clone(url: str, target: Path) -> None:
    """`git clone` of a book's remote into `target` (never asking anything)."""
    try:
        p = subprocess.run(["git", "clone", "--quiet", url, str(target)], capture_output=True, text=True,
                           encoding="utf-8", errors="replace", env=network_env(), stdin=subprocess.DEVNULL,
                           timeout=NETWORK_TIMEOUT)
    except FileNotFoundError:
        raise GitError(_("git is not installed or not on PATH; hotline keeps its audit trail in git")) from None
    except subprocess.TimeoutExpired:
        raise RemoteError("offline", url, f"git clone: no answer in {NETWORK_TIMEOUT} s") from None
    if p.returncode != 0:
        raise classify(p, url, "clone")


REMOTE_LOCK_GRACE = 5.0  # a push holds the shared repository's lock for a moment; one standing this long was left


def push(top: Path, remote: str, name: str, set_upstream: bool) -> str:
    """'ok', or 'moved' when the remote has commits this clone has not merged yet.  A lock file
    a stopped push left in a remote reachable as a folder (a shared drive, a USB disk) is
    removed once it has stood unchanged for a while, and the push tried again."""
    args = ["push", "--quiet", "--no-verify", *(["--set-upstream"] if set_upstream else []), remote,
            f"HEAD:refs/heads/{name}"]
    for _try in range(2):
        p = _network(top, args, remote)
        if p.returncode == 0:
            return "ok"
        text = (p.stderr or "") + (p.stdout or "")
        held = locked_by(text)
        if held is None:
            break
        lock = Path(held)
        if _try or not lock.is_absolute() or not stale([lock], REMOTE_LOCK_GRACE):
            raise RemoteError("locked", remote, held)
        try:
            lock.unlink()
        except FileNotFoundError:
            pass
        except OSError:
            raise RemoteError("locked", remote, held) from None
    if re.search(r"non-fast-forward|fetch first|rejected|stale info", text, re.I) and not re.search(_AUTH, text, re.I):
        return "moved"
    raise classify(p, remote, "push")


# ---------------------------------------------------------------- merging

@dataclass
class Merged:
    clean: bool
    unmerged: list[str]        # paths git left unmerged (relative to top)


def merging(top: Path) -> bool:
    """Whether a merge is under way (MERGE_HEAD exists)."""
    return (git_dir(top) / "MERGE_HEAD").exists()


def merge(top: Path, ref: str, message: str, name: str, email: str) -> Merged:
    """`git merge` of `ref` into HEAD (fast-forward when possible), hooks off, as this person."""
    env = dict(os.environ, GIT_AUTHOR_NAME=name, GIT_AUTHOR_EMAIL=email, GIT_COMMITTER_NAME=name,
               GIT_COMMITTER_EMAIL=email, GIT_MERGE_AUTOEDIT="no")
    # a `gc --auto` the merge starts runs in the foreground: detached, it would inherit the write
    # lock (storage.lock) and hold it long after the sync ended
    n = int(env.get("GIT_CONFIG_COUNT") or 0) if (env.get("GIT_CONFIG_COUNT") or "0").isdigit() else 0
    env[f"GIT_CONFIG_KEY_{n}"], env[f"GIT_CONFIG_VALUE_{n}"] = "gc.autoDetach", "false"
    env["GIT_CONFIG_COUNT"] = str(n + 1)
    p = _run(top, ["merge", "--no-verify", "--no-edit", "-m", message, ref], env=env, check=False)
    if p.returncode == 0:
        return Merged(True, [])
    left = unmerged(top)
    if not left and not merging(top):
        raise GitError(_why(p, "merge"))  # refused before starting (local changes in the way, ...)
    return Merged(False, left)


def unmerged(top: Path) -> list[str]:
    p = _run(top, ["diff", "--name-only", "--diff-filter=U", "-z"], check=False)
    return sorted({x for x in p.stdout.split("\0") if x})


def stages(top: Path, path: str) -> dict[int, bytes]:
    """The versions git keeps of an unmerged path: 1 the ancestor, 2 ours, 3 theirs (those present)."""
    p = _run(top, ["ls-files", "-u", "-z", "--", path], check=False)
    out: dict[int, bytes] = {}
    for entry in p.stdout.split("\0"):
        if "\t" not in entry:
            continue
        meta, _name = entry.split("\t", 1)
        _mode, oid, stage = meta.split(" ")
        blob = _run(top, ["cat-file", "blob", oid], check=False, text=False)
        if blob.returncode == 0:
            out[int(stage)] = blob.stdout
    return out


def mark_resolved(top: Path, paths: list[str]) -> None:
    _run(top, ["add", "--", *paths])


def conclude(top: Path, name: str, email: str) -> None:
    """Commit a merge whose conflicts are all settled (its prepared message, hooks off)."""
    env = dict(os.environ, GIT_AUTHOR_NAME=name, GIT_AUTHOR_EMAIL=email, GIT_COMMITTER_NAME=name,
               GIT_COMMITTER_EMAIL=email)
    _run(top, ["commit", "--no-verify", "--no-edit", "--quiet"], env=env)


def abort(top: Path) -> None:
    _run(top, ["merge", "--abort"], check=False)


def line_merge(ours: Path, base: Path, theirs: Path, label: str) -> int:
    """git's own line merge into `ours` (conflict markers where both sides changed the same
    lines); the number of conflicts, 0 when clean."""
    p = subprocess.run(["git", "merge-file", "-L", f"{label} (ours)", "-L", f"{label} (ancestor)", "-L",
                        f"{label} (theirs)", str(ours), str(base), str(theirs)], capture_output=True)
    return max(p.returncode, 0)


# ---------------------------------------------------------------- the merge driver's registration

def config_path(top: Path) -> Path:
    """The clone's config file (a linked worktree shares its main clone's)."""
    return common_dir(top) / "config"


def set_config(top: Path, key: str, value: str) -> bool:
    return _run(top, ["config", key, value], check=False).returncode == 0


DRIVER = "hotline"
REKEY_NOTE = "hotline-rekey-needed"  # left in the git folder by a merge that met two different caller keys


def driver_command() -> str:
    """How git runs hotline's merge driver: this Python, so the same hotline answers."""
    import sys

    return f'"{Path(sys.executable).as_posix()}" -m hotline merge-file %O %A %B %P'


def ensure_driver(top: Path) -> None:
    """Register the merge driver in this clone's git config unless a working one is there —
    git does not clone configuration.  One small file read when nothing is to do.  A driver
    registered by another Python that still exists is kept (two installs sharing a clone do not
    rewrite the config in turn); one whose Python is gone is replaced.  Best effort: a clone
    whose config cannot be written merges line by line.  The same visit sets `core.quotepath=false`
    (git shows Chinese file names as they are) and `core.splitIndex=true` (a commit's refresh of
    git's index rewrites only what changed, not the whole index) unless the clone already says
    otherwise."""
    import re

    path = config_path(top)
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return
    if not re.search(r"^\s*quotepath\s*=", text, re.M | re.I):
        # `git status` and `git log` show 登记表.xlsx as it is, not as "\347\231\273..." (a value the
        # clone already set is left alone)
        set_config(top, "core.quotepath", "false")
    if not re.search(r"^\s*splitindex\s*=", text, re.M | re.I):
        # git's own index (a 100,000-case book: 10 MB) is otherwise rewritten whole by every commit's
        # refresh of it; split, a write rewrites only the entries it changed (issue #26: 70–170 ms of
        # CPU per intake at 100,000 cases, 20–30 ms split).  A value the clone already set is kept.
        set_config(top, "core.splitIndex", "true")
    if f'[merge "{DRIVER}"]' in text:
        m = re.search(r'driver\s*=\s*"?\\?"([^"\\]+)\\?"\s+-m hotline merge-file', text)
        if m and Path(m.group(1)).exists():
            return
    try:
        set_config(top, f"merge.{DRIVER}.name", "hotline: union of events and entries by id")
        set_config(top, f"merge.{DRIVER}.driver", driver_command())
    except GitError:
        pass


# ---------------------------------------------------------------- .gitattributes

ATTRIBUTES = ("cases/**/*.yaml", "ledger/*.yaml", "leave/*.yaml", "keys/caller-key.age", "keys/recipients.txt",
              "calls/*.yaml", "keys/approvals.yaml")
ATTRIBUTES_HEAD = ("# hotline: two offices' changes to the same case, ledger month or leave year merge without "
                   "losing an event (the `hotline` merge driver; hotline registers it in every clone)\n")


def attributes_text(current: str) -> str | None:
    """`.gitattributes` with hotline's lines added, None when they are all there."""
    lines = current.splitlines()
    missing = [p for p in ATTRIBUTES if f"{p} merge={DRIVER}" not in lines]
    if not missing:
        return None
    head = "" if ATTRIBUTES_HEAD.strip() in lines else ATTRIBUTES_HEAD
    body = current if not current or current.endswith("\n") else current + "\n"
    return body + head + "".join(f"{p} merge={DRIVER}\n" for p in missing)


def write_attributes(root: Path) -> Path | None:
    """Add hotline's merge lines to the book's `.gitattributes`; the path when it changed."""
    path = root / ".gitattributes"
    current = yamlio.read_text(path) if path.exists() else ""
    text = attributes_text(current)
    if text is None:
        return None
    yamlio.atomic_write(path, text, root)
    return path


# ---------------------------------------------------------------- what arrived

@dataclass
class Change:
    old_mode: str
    new_mode: str
    status: str      # A, M, D, T (type changed)
    path: str        # relative to top


def changes(top: Path, a: str, b: str, under: str = ".") -> list[Change]:
    """Every path that differs between commits `a` and `b` under a folder, with git's modes
    (120000 is a symbolic link, 160000 another repository)."""
    p = _run(top, ["diff", "--raw", "-z", "--no-renames", "--no-abbrev", a, b, "--", under], check=False)
    out, parts = [], p.stdout.split("\0")
    for meta, path in zip(parts[0::2], parts[1::2]):
        if not meta.startswith(":"):
            continue
        f = meta[1:].split()
        if len(f) >= 5:
            out.append(Change(f[0], f[1], f[4][:1], path))
    return out


def last_commit(top: Path, spec: str, path: str, deleted: bool = False) -> tuple[str, str]:
    """(short id, author) of the newest commit in `spec` that touched `path` (deleted it)."""
    args = ["log", "-1", "--format=%h%x1f%an", *(["--diff-filter=D"] if deleted else []), spec, "--", path]
    p = _run(top, args, check=False)
    parts = p.stdout.strip().split("\x1f")
    return (parts[0], parts[1]) if len(parts) == 2 else ("?", "?")


def is_ancestor(top: Path, a: str, b: str) -> bool:
    return _run(top, ["merge-base", "--is-ancestor", a, b], check=False).returncode == 0


def deletions(top: Path, spec: str, under: list[str]) -> list[tuple[str, str, str]]:
    """(path, short id, author) of every file deleted by a commit in `spec` under the folders,
    newest first."""
    p = _run(top, ["log", "--diff-filter=D", "--name-only", "-z", "--no-renames", "--format=%x01%h%x1f%an",
                   spec, "--", *under], check=False)
    out, commit, author = [], "?", "?"
    for item in p.stdout.split("\0"):
        for piece in item.split("\n"):
            piece = piece.strip("\n")
            if piece.startswith("\x01"):
                commit, _sep, author = piece[1:].partition("\x1f")
            elif piece:
                out.append((piece, commit, author))
    return out
