"""A derived index of the case files: SQLite, outside the tracked files, deletable at will.

It lives in the clone's git folder (`.git/hotline-index.sqlite`), so it is never committed
or pushed.  Each row is keyed on the file's path, mtime and size: a file that changed
(a write, an edit by hand, a `git pull`) is parsed again, a file that vanished is dropped.
A broken file is indexed *as broken* — its `path:line: message` is returned on every read,
never hidden.  A schema version mismatch or a damaged index file is dropped and rebuilt;
if the index cannot be written at all, reads fall back to parsing the files.

The index holds each case as JSON (the same content as the YAML file) plus a few columns
that let reads fetch only the cases a question can concern, e.g. cases still open at a time.
"""
from __future__ import annotations

import json
import os
import sqlite3
import time
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ..domain.clocks import settle_fingerprint, settled_at
from ..domain.model import Case
from ..errors import BookError
from .casefile import case_to_json, utc_text

SCHEMA_VERSION = 6
RACY_SECONDS = 3  # a file changed this recently may change again within the same mtime tick


def summarise(c: Case, rules) -> dict:
    """The indexed columns of a case (`settled_at` from the domain's one definition)."""
    return {
        "id": c.id,
        "received": utc_text(c.received),
        "last_event": utc_text(max(e.at for e in c.events)),
        "settled_at": utc_text(settled_at(c, rules)) if rules is not None else None,
        "grade": c.grade,
        "owner": c.current_owner(),
        "status": c.status(),
        "caller": c.personal.caller if c.personal else None,
    }


_DDL = """
CREATE TABLE IF NOT EXISTS cases (
  path TEXT PRIMARY KEY, mtime_ns INTEGER, size INTEGER,
  id TEXT, received TEXT, last_event TEXT, settled_at TEXT,
  grade TEXT, owner TEXT, status TEXT, caller TEXT,
  error TEXT, error_line INTEGER
);
-- the cases' content apart, so a question scans narrow rows and reads only the answers
CREATE TABLE IF NOT EXISTS bodies (path TEXT PRIMARY KEY, data TEXT);
CREATE INDEX IF NOT EXISTS cases_received ON cases(received);
CREATE INDEX IF NOT EXISTS cases_settled ON cases(settled_at);
CREATE INDEX IF NOT EXISTS cases_last ON cases(last_event);
CREATE INDEX IF NOT EXISTS cases_caller ON cases(caller);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""


def scan(cases_dir: Path) -> dict[str, tuple[int, int]]:
    """Every case file under cases/YYYY/MM/: relative path -> (mtime_ns, size)."""
    out: dict[str, tuple[int, int]] = {}
    if not cases_dir.is_dir():
        return out
    for year in os.scandir(cases_dir):
        if not year.is_dir() or year.name.startswith("."):
            continue
        for month in os.scandir(year.path):
            if not month.is_dir() or month.name.startswith("."):
                continue
            prefix = f"{year.name}/{month.name}/"
            for f in os.scandir(month.path):
                name = f.name
                if name.endswith(".yaml") and not name.startswith("."):
                    st = f.stat()
                    out[prefix + name] = (st.st_mtime_ns, st.st_size)
    return out


def _start_git(root: Path, *args: str):
    """Start a git command in the background; `_finish_git` collects its output."""
    import subprocess

    try:
        return subprocess.Popen(["git", *args], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    except OSError:
        return None


def _finish_git(proc) -> str | None:
    import subprocess

    if proc is None:
        return None
    try:
        out, _ = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        return None
    return out.decode("utf-8", "surrogateescape") if proc.returncode == 0 else None


def _git(root: Path, *args: str) -> str | None:
    return _finish_git(_start_git(root, *args))


def _questions(cases_rel: str) -> dict[str, tuple[str, ...]]:
    """The two git questions a refresh asks: the committed tree of cases/, and what differs from it."""
    return {
        "tree": ("rev-parse", "-q", "--verify", f"HEAD:{cases_rel}"),
        "status": ("status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames", "--", cases_rel),
    }


def _is_case_path(rel: str) -> bool:
    parts = rel.split("/")
    return len(parts) == 3 and parts[2].endswith(".yaml") and not parts[2].startswith(".")


class Index:
    def __init__(self, cases_dir: Path, db_path: Path, git_root: Path | None = None, rules=None):
        self.cases_dir = cases_dir
        self.db_path = db_path
        self.git_root = git_root
        self._rules = rules       # callable: the book's rules (derived columns depend on them)
        self.db: sqlite3.Connection | None = None
        self._asked: dict = {}  # git questions already running in the background (prefetch)

    def _cases_rel(self) -> str | None:
        try:
            return self.cases_dir.resolve().relative_to(self.git_root.resolve()).as_posix()
        except (ValueError, AttributeError):
            return None

    def prefetch(self) -> None:
        """Ask git what changed now, in the background, while the command gets ready."""
        rel = self._cases_rel() if self.git_root is not None else None
        if rel is not None and not self._asked:
            self._asked = {k: _start_git(self.git_root, *args) for k, args in _questions(rel).items()}

    def _answer(self, key: str, rel: str) -> str | None:
        proc = self._asked.pop(key, None)
        return _finish_git(proc) if proc is not None else _git(self.git_root, *_questions(rel)[key])

    # ------------------------------------------------------------ opening
    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.db_path, timeout=30, isolation_level=None)
        db.execute("PRAGMA synchronous=OFF")  # derived data: a crash costs a rebuild, nothing else
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version == SCHEMA_VERSION and self._meta(db, "rules") != self._fingerprint():
            version = -1  # the rules the derived columns were computed with have changed
        if version != SCHEMA_VERSION:
            db.execute("DROP TABLE IF EXISTS cases")
            db.execute("DROP TABLE IF EXISTS meta")
            db.execute("DROP TABLE IF EXISTS bodies")
            db.executescript(_DDL)
            db.execute("INSERT OR REPLACE INTO meta VALUES ('rules', ?)", (self._fingerprint(),))
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        return db

    def _fingerprint(self) -> str:
        return settle_fingerprint(self._rules()) if self._rules is not None else ""

    def open(self) -> sqlite3.Connection:
        if self.db is not None:
            return self.db
        try:
            self.db = self._connect()
            self.db.execute("SELECT count(*) FROM cases").fetchone()
        except sqlite3.DatabaseError:  # damaged or not a database: drop it, it is only derived data
            if self.db is not None:
                self.db.close()
            for suffix in ("", "-journal", "-wal", "-shm"):
                Path(str(self.db_path) + suffix).unlink(missing_ok=True)
            self.db = self._connect()
        return self.db

    # ------------------------------------------------------------ freshness
    def refresh(self, parse: Callable[[Path], Case], progress: Callable[[int, int], None] | None = None,
                light: bool = False) -> None:
        """Bring the index up to date with the files.

        Inside git, git itself says what changed: the committed tree of cases/ against the one
        seen last time (`git diff-tree`), and the working tree against HEAD (`git status`, which
        uses git's own stat cache, so edits by hand and `git pull` are both seen).  Only those
        files are parsed again.  Without git, every file's mtime and size are compared.
        `light`: only what arrived through commits (for intake's repeat-caller hint, which must
        not cost a scan of the whole book); work in progress seen by the last full refresh stays.
        """
        db = self.open()
        if self.git_root is not None and self._refresh_by_git(db, parse, progress, light):
            return
        self._refresh_by_stat(db, parse, progress)

    @staticmethod
    def _meta(db, key: str) -> str | None:
        try:
            row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        except sqlite3.OperationalError:  # no meta table yet
            return None
        return row[0] if row else None

    def _refresh_by_git(self, db, parse, progress, light: bool = False) -> bool:
        rel = self._cases_rel()
        if rel is None:
            return False
        tree = (self._answer("tree", rel) or "").strip() or None
        old_tree, old_dirty = self._meta(db, "tree"), self._meta(db, "dirty")
        if light and old_dirty is not None and old_tree and tree:
            dirty = json.loads(old_dirty)
        else:
            light = False
            status = self._answer("status", rel)
            if status is None:
                return False
            prefix = rel + "/"
            dirty = sorted({e[3:][len(prefix):] for e in status.split("\0") if len(e) > 3 and e[3:].startswith(prefix)})
            dirty = [p for p in dirty if _is_case_path(p)]
        if old_dirty is None or not old_tree or not tree:
            self._refresh_by_stat(db, parse, progress)  # first build, or no commit to compare with
        else:
            todo = set() if light else set(dirty) | set(json.loads(old_dirty))
            if tree != old_tree:
                diff = _git(self.git_root, "diff-tree", "-r", "--name-only", "--no-renames", "-z", old_tree, tree)
                if diff is None:
                    self._refresh_by_stat(db, parse, progress)
                    todo = set()
                else:
                    todo |= {p for p in diff.split("\0") if _is_case_path(p)}
            if todo:
                stale, gone = [], []
                for p in todo:
                    try:
                        st = (self.cases_dir / p).stat()
                    except FileNotFoundError:
                        gone.append(p)
                        continue
                    stale.append((p, st.st_mtime_ns, st.st_size))
                self._apply(db, parse, progress, stale, gone)
        db.execute("INSERT OR REPLACE INTO meta VALUES ('tree', ?), ('dirty', ?)", (tree or "", json.dumps(dirty)))
        return True

    def _refresh_by_stat(self, db, parse, progress) -> None:
        on_disk = scan(self.cases_dir)
        known = {p: (m, s) for p, m, s in db.execute("SELECT path, mtime_ns, size FROM cases")}
        stale = [(p, *ms) for p, ms in on_disk.items() if known.get(p) != ms]
        gone = [p for p in known if p not in on_disk]
        if stale or gone:
            self._apply(db, parse, progress, stale, gone)

    def _apply(self, db, parse, progress, stale: list[tuple[str, int, int]], gone: list[str]) -> None:
        racy_after = (time.time() - RACY_SECONDS) * 1e9
        rows: list = []
        bodies: list = []

        def flush() -> None:
            db.executemany("INSERT OR REPLACE INTO cases VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
            db.executemany("INSERT OR REPLACE INTO bodies VALUES (?,?)", bodies)
            rows.clear()
            bodies.clear()

        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany("DELETE FROM cases WHERE path = ?", [(p,) for p in gone])
            db.executemany("DELETE FROM bodies WHERE path = ?", [(p,) for p in gone])
            for n, (rel, mtime, size) in enumerate(stale, 1):
                if progress:
                    progress(n, len(stale))
                self._index_one(parse, rel, mtime, size, racy_after, rows, bodies)
                if len(rows) >= 2000:  # memory stays flat while a whole book is indexed
                    flush()
            flush()
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def _index_one(self, parse, rel: str, mtime: int, size: int, racy_after: float, rows: list, bodies: list) -> None:
        if mtime > racy_after:
            mtime = -1  # changed just now: parse it again next time, whatever its mtime says
        try:
            case = parse(self.cases_dir / rel)
        except BookError as e:
            rows.append((rel, mtime, size, None, None, None, None, None, None, None, None, e.message, e.line))
            bodies.append((rel, None))
            return
        s = summarise(case, self._rules() if self._rules is not None else None)
        rows.append((rel, mtime, size, s["id"], s["received"], s["last_event"], s["settled_at"],
                     s["grade"], s["owner"], s["status"], s["caller"], None, None))
        bodies.append((rel, case_to_json(case)))

    # ------------------------------------------------------------ reading
    def select(self, where: str = "1", params: Iterable = ()) -> Iterator[tuple[str, str | None, str | None, int | None]]:
        """(relative path, case JSON, error, error line) for rows matching `where` (broken rows always)."""
        db = self.open()
        sql = (f"SELECT c.path, b.data, c.error, c.error_line FROM cases c JOIN bodies b ON b.path = c.path "
               f"WHERE c.path IN (SELECT path FROM cases WHERE error IS NOT NULL OR ({where})) ORDER BY c.path")
        yield from db.execute(sql, tuple(params))

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None
