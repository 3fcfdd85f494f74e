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

from .errors import GitError, UsageError


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


def commit(root: Path, paths: list[Path], message: str, author_name: str, author_email: str) -> str:
    """Stage and commit exactly `paths`; return the new commit id. Retries on a busy index."""
    rel = [str(Path(p).resolve().relative_to(root.resolve())) for p in paths]
    env = dict(os.environ)
    env.update(
        GIT_AUTHOR_NAME=author_name, GIT_AUTHOR_EMAIL=author_email,
        GIT_COMMITTER_NAME=author_name, GIT_COMMITTER_EMAIL=author_email,
    )
    last = ""
    for attempt in range(40):
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
        if "index.lock" in last or "cannot lock ref" in last or "Unable to create" in last:
            time.sleep(0.05 + 0.05 * attempt)
            continue
        break
    first = last.splitlines()[0] if last else "git commit failed"
    raise GitError(
        f"the change is saved in {', '.join(rel)} but git could not commit it ({first}); "
        f"fix that, then run: git add {' '.join(rel)} && git commit -m \"{message}\""
    )


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


def require_repo(root: Path) -> None:
    if toplevel(root) is None:
        raise UsageError(f"{root} is not inside a git work tree: run `git init` there (hotline's audit trail is git)")
