"""A derived index of the case files: SQLite, outside the tracked files, deletable at will.

It lives in the clone's git folder (`.git/hotline-index.sqlite`), so it is never committed
or pushed.  Freshness comes from the files themselves, never from git's opinion of them:
each row is keyed on its file's signature (mtime, size, inode, ctime), and a read compares
every file's signature with its row — a write, an edit by hand, a `git pull`, a branch
switch, an ignored or assume-unchanged file all look the same.  A file that changed is
parsed again, a file that vanished is dropped.  A broken file is indexed *as broken*: its
`path:line: message` is returned on every read, never hidden.  A refresh is one SQLite
transaction (schema, rows and bookkeeping together), so two processes refreshing at once
serialise and never leave a half-built index.  A schema or rules mismatch, or a damaged
file, is dropped and rebuilt; if the index cannot be written at all, reads parse the files.

The index holds each case as JSON (the same content as the YAML file) plus a few columns
that let reads fetch only the cases a question can concern, e.g. cases still open at a time.
"""
from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ..domain import retention
from ..domain.clocks import settle_fingerprint, settled_at
from ..domain.model import Case
from ..errors import BookError
from .casefile import case_to_json, utc_text

SCHEMA_VERSION = 12  # 9: fingerprint; 10: risk, victim_age_group, reported_police in the cases' JSON; 11: partner_answer (and difficult, key_case); 12: retained_from
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
        "void": int(c.voided),
        "fingerprint": c.source.fingerprint if c.source else None,
        "retained_from": utc_text(t) if (t := retention.counting_from(c)) is not None else None,
    }


_DDL = """
CREATE TABLE IF NOT EXISTS cases (
  path TEXT PRIMARY KEY, sig TEXT,
  id TEXT, received TEXT, last_event TEXT, settled_at TEXT,
  grade TEXT, owner TEXT, status TEXT, caller TEXT, void INTEGER,
  error TEXT, error_line INTEGER, fingerprint TEXT, retained_from TEXT
);
-- the cases' content apart, so a question scans narrow rows and reads only the answers
CREATE TABLE IF NOT EXISTS bodies (path TEXT PRIMARY KEY, data TEXT);
-- each month folder's mtime at the last refresh (a light refresh looks only where it moved)
CREATE TABLE IF NOT EXISTS dirs (path TEXT PRIMARY KEY, mtime_ns INTEGER);
CREATE INDEX IF NOT EXISTS cases_received ON cases(received);
CREATE INDEX IF NOT EXISTS cases_settled ON cases(settled_at);
CREATE INDEX IF NOT EXISTS cases_last ON cases(last_event);
CREATE INDEX IF NOT EXISTS cases_caller ON cases(caller);
CREATE INDEX IF NOT EXISTS cases_fingerprint ON cases(fingerprint);
CREATE INDEX IF NOT EXISTS cases_retained ON cases(retained_from);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""
RACY = "racy"   # the signature of a file (or folder) changed too recently to be trusted next time


def _sig(st: os.stat_result, racy_after: float) -> str:
    if st.st_mtime_ns > racy_after or st.st_ctime_ns > racy_after:
        return RACY  # it may change again within the same clock tick: look again next time
    return f"{st.st_mtime_ns}:{st.st_size}:{st.st_ino}:{st.st_ctime_ns}"


def month_dirs(cases_dir: Path) -> dict[str, int]:
    """Every cases/YYYY/MM folder: relative path -> mtime_ns."""
    out: dict[str, int] = {}
    try:
        years = list(os.scandir(cases_dir))
    except (FileNotFoundError, NotADirectoryError):
        return out
    for year in years:
        if not year.is_dir(follow_symlinks=False) or year.name.startswith("."):
            continue
        for month in os.scandir(year.path):
            if month.is_dir(follow_symlinks=False) and not month.name.startswith("."):
                out[f"{year.name}/{month.name}"] = month.stat(follow_symlinks=False).st_mtime_ns
    return out


def scan(cases_dir: Path, dirs: list[str] | None = None, racy_after: float = 0.0) -> dict[str, str]:
    """Every case file under cases/YYYY/MM/ (or only under `dirs`): relative path -> signature.
    Symbolic links are listed too (never followed): reading one is refused, and says so."""
    out: dict[str, str] = {}
    for d in dirs if dirs is not None else month_dirs(cases_dir):
        try:
            entries = list(os.scandir(cases_dir / d))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for f in entries:
            name = f.name
            if name.endswith(".yaml") and not name.startswith("."):
                out[f"{d}/{name}"] = _sig(f.stat(follow_symlinks=False), racy_after)
    return out


class Index:
    def __init__(self, cases_dir: Path, db_path: Path, rules=None):
        self.cases_dir = cases_dir
        self.db_path = db_path
        self._rules = rules       # callable: the book's rules (derived columns depend on them)
        self.db: sqlite3.Connection | None = None
        self._scan = None         # a scan of the files started in the background (prefetch)

    def prefetch(self) -> None:
        """Start looking at the files now, on a thread, while the command gets ready
        (the file system calls release the interpreter)."""
        import threading

        if self._scan is None:
            result: dict = {}

            def work() -> None:
                try:
                    result["dirs"] = month_dirs(self.cases_dir)
                    result["files"] = scan(self.cases_dir, list(result["dirs"]), self._racy_after())
                except OSError as e:
                    result["error"] = e

            t = threading.Thread(target=work, daemon=True)
            t.start()
            self._scan = (t, result)

    @staticmethod
    def _racy_after() -> float:
        return (time.time() - RACY_SECONDS) * 1e9

    # ------------------------------------------------------------ opening
    def _fingerprint(self) -> str:
        return settle_fingerprint(self._rules()) if self._rules is not None else ""

    def open(self) -> sqlite3.Connection:
        if self.db is None:
            try:
                self.db = sqlite3.connect(self.db_path, timeout=30, isolation_level=None)
                self.db.execute("PRAGMA synchronous=OFF")  # derived data: a crash costs a rebuild, nothing else
                self.db.execute("PRAGMA user_version").fetchone()
            except sqlite3.DatabaseError:  # damaged or not a database: drop it, it is only derived data
                self.close()
                for suffix in ("", "-journal", "-wal", "-shm"):
                    Path(str(self.db_path) + suffix).unlink(missing_ok=True)
                self.db = sqlite3.connect(self.db_path, timeout=30, isolation_level=None)
                self.db.execute("PRAGMA synchronous=OFF")
        return self.db

    def _ensure_schema(self, db: sqlite3.Connection) -> None:
        """Inside the refresh's transaction: drop and recreate when the schema or the rules differ."""
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version == SCHEMA_VERSION and self._meta(db, "rules") == self._fingerprint():
            return
        for table in ("cases", "bodies", "dirs", "meta"):
            db.execute(f"DROP TABLE IF EXISTS {table}")
        for statement in _DDL.split(";"):  # one by one: executescript() would commit the transaction
            if statement.strip():
                db.execute(statement)
        db.execute("INSERT OR REPLACE INTO meta VALUES ('rules', ?)", (self._fingerprint(),))
        db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    @staticmethod
    def _meta(db, key: str) -> str | None:
        try:
            row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        except sqlite3.OperationalError:  # no meta table yet
            return None
        return row[0] if row else None

    # ------------------------------------------------------------ freshness
    def refresh(self, parse: Callable[[Path], Case], progress: Callable[[int, int], None] | None = None,
                light: bool = False) -> None:
        """Bring the index up to date with the files, in one transaction.

        Full: every file's signature is compared with its row.  `light` (for intake's
        repeat-caller hint, which must not cost a look at every file): only the month folders
        whose mtime moved since the last refresh — new, replaced and deleted files (hotline's
        own writes, `git pull`, branch switches) — not edits made in place by hand.
        """
        db = self.open()
        db.execute("BEGIN IMMEDIATE")
        try:
            self._ensure_schema(db)
            stale, gone, dirs = self._changes(db, light)
            self._apply(db, parse, progress, stale, gone)
            db.execute("DELETE FROM dirs")
            db.executemany("INSERT INTO dirs VALUES (?, ?)", dirs)
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    def _changes(self, db, light: bool) -> tuple[list[tuple[str, str]], list[str], list[tuple[str, int]]]:
        """(files to parse again with their signature, rows to drop, folder mtimes to remember)."""
        racy_after = self._racy_after()
        found = None
        if self._scan is not None:
            thread, result = self._scan
            thread.join()
            self._scan = None
            if "error" not in result:
                found = result
        dirs = found["dirs"] if found else month_dirs(self.cases_dir)
        known_dirs = dict(db.execute("SELECT path, mtime_ns FROM dirs"))
        if light and known_dirs:
            look = [d for d, m in dirs.items() if known_dirs.get(d) != m]
            gone_dirs = [d for d in known_dirs if d not in dirs]
            files = scan(self.cases_dir, look, racy_after)
            where = [*look, *gone_dirs]
            known = {}
            for d in where:
                known.update(db.execute("SELECT path, sig FROM cases WHERE path >= ? AND path < ?", (d + "/", d + "0")))
        else:
            files = found["files"] if found else scan(self.cases_dir, list(dirs), racy_after)
            known = dict(db.execute("SELECT path, sig FROM cases"))
        stale = [(p, sig) for p, sig in files.items() if sig == RACY or known.get(p) != sig]
        gone = [p for p in known if p not in files]
        remember = [(d, -1 if m > racy_after else m) for d, m in dirs.items()]
        return stale, gone, remember

    def _apply(self, db, parse, progress, stale: list[tuple[str, str]], gone: list[str]) -> None:
        rows: list = []
        bodies: list = []

        def flush() -> None:
            db.executemany("INSERT OR REPLACE INTO cases VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
            db.executemany("INSERT OR REPLACE INTO bodies VALUES (?,?)", bodies)
            rows.clear()
            bodies.clear()

        db.executemany("DELETE FROM cases WHERE path = ?", [(p,) for p in gone])
        db.executemany("DELETE FROM bodies WHERE path = ?", [(p,) for p in gone])
        rules = self._rules() if self._rules is not None else None
        for n, (rel, sig) in enumerate(stale, 1):
            if progress:
                progress(n, len(stale))
            self._index_one(parse, rules, rel, sig, rows, bodies)
            if len(rows) >= 2000:  # memory stays flat while a whole book is indexed
                flush()
        flush()

    def _index_one(self, parse, rules, rel: str, sig: str, rows: list, bodies: list) -> None:
        try:
            case = parse(self.cases_dir / rel)
        except BookError as e:
            rows.append((rel, sig, None, None, None, None, None, None, None, None, None, e.message, e.line, None, None))
            bodies.append((rel, None))
            return
        s = summarise(case, rules)
        rows.append((rel, sig, s["id"], s["received"], s["last_event"], s["settled_at"],
                     s["grade"], s["owner"], s["status"], s["caller"], s["void"], None, None, s["fingerprint"],
                     s["retained_from"]))
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
