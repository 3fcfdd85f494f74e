"""What a write is about to change, written down before it changes it, so that a write that
was killed half-way is undone by the next one: one commit, or nothing.

A hotline write (under the write lock) replaces files, then commits them in one commit.
Killed in between — or half-way through the hundreds of files of an import or a rekey — it
would leave files no commit holds: the next write would commit them under its own name, a
retried import would take them for rows already imported, a rekey's cases would carry
pseudonyms of a caller key that was never saved.  So:

- before a file of the work tree is replaced (`yamlio.atomic_write` calls `note`), its present
  content is kept in the clone's git folder (`hotline-pending/ID.d/`: a hard link, since a write
  replaces a file and never changes it in place; a copy where links cannot be made) and its
  path written down (`hotline-pending/ID.writing`);
- once the commit is written down (`git.commit`'s own record names this journal), the journal
  is settled and removed: from then on the commit is finished by the next write if need be;
- the next write (`recover`, under the lock) puts every file of a journal that was never
  settled back as it was, and deletes the files it had created.

`sync`'s merge is written down the same way (`begin_merge`): HEAD before, the commit merged and
the paths the merge may change, which sync checked were unchanged here.  A merge killed before
it could end (no merge commit, no merge waiting on a conflict) is undone on those paths from
HEAD by the next write (`recover_merge`), and the next sync merges again.
"""
from __future__ import annotations

import json
import os
import shutil
import threading
import uuid
from contextlib import contextmanager
from pathlib import Path

from . import git

MERGE_INTENT = "sync-merge.intent"

_guard = threading.Lock()     # import writes its files on several threads
_active: "Journal | None" = None


class Journal:
    """The journal of the write in progress (one per hold of the write lock)."""

    def __init__(self, top: Path):
        self.top = Path(top).resolve()
        self.dir = git.git_dir(self.top) / git.PENDING
        self.id: str | None = None
        self._kept: set[str] = set()
        self._n = 0

    def note(self, path: Path) -> None:
        """`path` is about to be replaced: keep what it holds now (first time only)."""
        path = Path(path)
        try:
            rel = (path.parent.resolve() / path.name).relative_to(self.top).as_posix()
        except (ValueError, OSError):
            return  # outside the work tree (an export, a form): not the book's
        with _guard:
            if rel in self._kept:
                return
            if self.id is None:
                self.id = uuid.uuid4().hex
                self._pre().mkdir(parents=True, exist_ok=True)
            before = None
            if path.is_file():
                self._n += 1
                before = str(self._n)
                try:
                    os.link(path, self._pre() / before)
                except OSError:
                    shutil.copy2(path, self._pre() / before)
            with open(self._file(), "a", encoding="utf-8") as f:
                f.write(json.dumps({"path": rel, "before": before}, ensure_ascii=False) + "\n")
            self._kept.add(rel)

    def _file(self) -> Path:
        return self.dir / f"{self.id}.writing"

    def _pre(self) -> Path:
        return self.dir / f"{self.id}.d"

    def settle(self) -> None:
        """What was written so far is committed, or its commit written down: forget it."""
        with _guard:
            if self.id is not None:
                _remove(self.dir, self.id)
            self.id, self._kept, self._n = None, set(), 0

    def rollback(self) -> list[str]:
        """Put back every file written since the last settle; the paths put back."""
        with _guard:
            done = _undo(self.dir, self.id, self.top) if self.id is not None else []
            self.id, self._kept, self._n = None, set(), 0
            return done


def note(path: Path) -> None:
    """Called by `yamlio.atomic_write` before it replaces `path`."""
    j = _active
    if j is not None:
        j.note(path)


def current() -> Journal | None:
    return _active


@contextmanager
def writing(top: Path):
    """The journal of a write: settled when the write ends, rolled back when it fails."""
    global _active
    j = Journal(top)
    _active = j
    try:
        yield j
    except BaseException:
        j.rollback()
        raise
    else:
        j.settle()
    finally:
        _active = None


@contextmanager
def paused():
    """Files written here are not journaled (a merge's files: the merge's own state holds them)."""
    global _active
    j, _active = _active, None
    try:
        yield
    finally:
        _active = j


def _remove(d: Path, jid: str) -> None:
    (d / f"{jid}.writing").unlink(missing_ok=True)
    shutil.rmtree(d / f"{jid}.d", ignore_errors=True)


def _entries(path: Path) -> list[dict]:
    out = []
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return out
    for line in lines:
        try:
            rec = json.loads(line)
        except ValueError:
            continue  # the last line of a journal killed while writing it
        if isinstance(rec, dict) and isinstance(rec.get("path"), str):
            out.append(rec)
    return out


def _undo(d: Path, jid: str, top: Path) -> list[str]:
    pre = d / f"{jid}.d"
    done = []
    for rec in reversed(_entries(d / f"{jid}.writing")):
        rel = rec["path"]
        if ".." in rel.split("/") or rel.startswith("/"):
            continue
        target = top / rel
        before = rec.get("before")
        try:
            if before is None:
                target.unlink(missing_ok=True)
            elif (pre / str(before)).is_file():
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(pre / str(before), target)
            else:
                continue
        except OSError:
            continue
        _clear_temporaries(target)
        done.append(rel)
    _remove(d, jid)
    return sorted(done)


def _clear_temporaries(target: Path) -> None:
    """The temporary file an interrupted `atomic_write` of `target` left beside it."""
    try:
        for p in target.parent.glob(f".{target.name}.*.tmp"):
            p.unlink(missing_ok=True)
    except OSError:
        pass


def unsettled(top: Path) -> list[str]:
    """Paths (relative to the work tree) changed by writes that were interrupted before their
    commit was written down: the next write puts them back."""
    d = git.git_dir(top) / git.PENDING
    settled = {r.get("journal") for r in git.pending(top)}
    out: set[str] = set()
    if d.is_dir():
        for f in d.glob("*.writing"):
            if f.stem not in settled:
                out |= {r["path"] for r in _entries(f)}
    return sorted(out)


def anything_left(top: Path) -> bool:
    """Whether a killed or failed command left something for the next write (one folder read)."""
    try:
        return any(True for _ in (git.git_dir(top) / git.PENDING).iterdir())
    except OSError:
        return False


def recover(top: Path) -> list[str]:
    """Under the write lock, before anything else: put back what writes killed before their
    commit left (their commit, when it was written down, is finished by `git.finish_pending`);
    the paths put back."""
    top = Path(top).resolve()
    d = git.git_dir(top) / git.PENDING
    if not d.is_dir():
        return []
    settled = {r.get("journal") for r in git.pending(top)}
    done: list[str] = []
    for f in sorted(d.glob("*.writing")):
        if f.stem in settled:
            _remove(d, f.stem)
        else:
            done += _undo(d, f.stem, top)
    for p in d.glob("*.d"):
        if p.is_dir() and not (d / f"{p.stem}.writing").exists():
            shutil.rmtree(p, ignore_errors=True)
    for p in d.glob("*.tmp"):  # a record killed before it was put in place: its write never started
        p.unlink(missing_ok=True)
    return done


# ---------------------------------------------------------------- sync's merge

def begin_merge(top: Path, head: str | None, theirs: str, paths: list[str]) -> None:
    """sync is about to run `git merge theirs` on HEAD `head`; `paths` are all it may change."""
    d = git.git_dir(top) / git.PENDING
    d.mkdir(exist_ok=True)
    tmp = d / f"{MERGE_INTENT}.tmp"
    tmp.write_text(json.dumps({"head": head, "theirs": theirs, "paths": paths}, ensure_ascii=False),
                   encoding="utf-8")
    os.replace(tmp, d / MERGE_INTENT)


def end_merge(top: Path) -> None:
    (git.git_dir(top) / git.PENDING / MERGE_INTENT).unlink(missing_ok=True)


def merge_intent(top: Path) -> dict | None:
    f = git.git_dir(top) / git.PENDING / MERGE_INTENT
    try:
        rec = json.loads(f.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return rec if isinstance(rec, dict) and isinstance(rec.get("paths"), list) else None


def interrupted_merge(top: Path) -> dict | None:
    """sync's merge, when it was killed before it could end: HEAD did not move and git keeps no
    merge under way."""
    rec = merge_intent(top)
    if rec is None:
        return None
    gd = git.git_dir(top)
    head = git.run(top, ["rev-parse", "-q", "--verify", "HEAD^{commit}"], check=False).stdout.strip() or None
    if (gd / "MERGE_HEAD").exists() or head != rec.get("head"):
        return None
    return rec


def recover_merge(top: Path) -> list[str]:
    """Under the write lock: undo a merge that sync started and that was killed before it
    ended — its paths back as at HEAD in the index and the work tree, the files git keeps for
    a merge removed; the paths put back.  A merge that ended (committed, or waiting on a
    conflict for `sync`/`resolve`) is left as it is."""
    rec = merge_intent(top)
    if rec is None:
        return []
    if interrupted_merge(top) is None:
        end_merge(top)
        return []
    paths = [p for p in rec["paths"] if isinstance(p, str) and p]
    env = dict(os.environ, GIT_LITERAL_PATHSPECS="1")
    if paths:
        listed = "\0".join(paths) + "\0"
        git.run(top, ["reset", "-q", "HEAD", "--pathspec-from-file=-", "--pathspec-file-nul"], env=env, stdin=listed)
        in_head = _in_head(top, paths)
        if in_head:
            git.run(top, ["checkout", "-q", "--pathspec-from-file=-", "--pathspec-file-nul"], env=env,
                    stdin="\0".join(in_head) + "\0")
        for rel in set(paths) - set(in_head):
            (Path(top) / rel).unlink(missing_ok=True)
    gd = git.git_dir(top)
    for name in ("MERGE_MSG", "MERGE_MODE", "AUTO_MERGE"):
        (gd / name).unlink(missing_ok=True)
    for p in Path(top).glob(".merge_file_*"):  # the merge driver's temporary copies
        try:
            p.unlink()
        except OSError:
            pass
    end_merge(top)
    return sorted(paths)


def _in_head(top: Path, paths: list[str]) -> list[str]:
    p = git.run(top, ["cat-file", "--batch-check"], stdin="".join(f"HEAD:{x}\n" for x in paths), check=False)
    return [x for x, line in zip(paths, p.stdout.splitlines()) if not line.endswith(" missing")]
