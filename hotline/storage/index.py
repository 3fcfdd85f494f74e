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
from ..domain.calendar import CalendarError
from ..domain.clocks import next_due, settle_fingerprint, settled_at
from ..domain.model import Case
from ..errors import BookError
from .casefile import case_to_json, utc_text

SCHEMA_VERSION = 14  # 9: fingerprint; 10: risk, victim_age_group, reported_police; 11: signatures as integers, stamp; 12: retained_from (main); 13: next_due; 14: personal
RACY_SECONDS = 3  # a file changed this recently may change again within the same clock tick
FIND = "find"  # GNU find: the stat of every file in C (`changed_since`); without it, Python does the same
PARALLEL_FROM = 3000  # files to parse; below this a second process costs more than it saves
Sig = tuple  # (mtime_ns, size, inode, ctime_ns) of a file; all None when it changed too recently to trust
RACY: Sig = (None, None, None, None)


NO_DUE = "~"  # next_due of a case no clock of which runs any more (sorts after every time)


def summarise(c: Case, rules, cal=None) -> dict:
    """The indexed columns of a case (`settled_at` and `next_due` from the domain's one
    definition each; next_due None: not known — no calendar, or the calendar cannot say)."""
    settled = settled_at(c, rules) if rules is not None else None
    due = None
    if rules is not None and settled is not None:
        due = NO_DUE
    elif rules is not None and cal is not None:
        try:
            found = next_due(c, rules, cal)
            due = NO_DUE if found is None else utc_text(found)
        except CalendarError:
            due = None
    return {"next_due": due,
        "id": c.id,
        "received": utc_text(c.received),
        "last_event": utc_text(max(e.at for e in c.events)),
        "settled_at": utc_text(settled),
        "grade": c.grade,
        "owner": c.current_owner(),
        "status": c.status(),
        "caller": c.personal.caller if c.personal else None,
        "void": int(c.voided),
        "fingerprint": c.source.fingerprint if c.source else None,
        "retained_from": utc_text(t) if (t := retention.counting_from(c)) is not None else None,
        "personal": personal_kind(c),
    }


def personal_kind(c: Case) -> str | None:
    """The `personal` column: None (no personal block), 'keyed' (its own data key), 'legacy' (on
    staff keys, written before per-case keys), 'erased' (the block was taken out)."""
    p = c.personal
    if p is None:
        return None
    return "erased" if p.armor is None else "legacy" if p.legacy else "keyed"


_DDL = """
CREATE TABLE IF NOT EXISTS cases (
  path TEXT PRIMARY KEY, mtime_ns INTEGER, size INTEGER, ino INTEGER, ctime_ns INTEGER,
  id TEXT, received TEXT, last_event TEXT, settled_at TEXT,
  grade TEXT, owner TEXT, status TEXT, caller TEXT, void INTEGER,
  error TEXT, error_line INTEGER, fingerprint TEXT, retained_from TEXT, next_due TEXT, personal TEXT
);
-- the cases' content apart, so a question scans narrow rows and reads only the answers
CREATE TABLE IF NOT EXISTS bodies (path TEXT PRIMARY KEY, data TEXT);
-- each month folder's signature at the last refresh (a folder whose files came or went is listed again)
CREATE TABLE IF NOT EXISTS dirs (path TEXT PRIMARY KEY, mtime_ns INTEGER, ctime_ns INTEGER, ino INTEGER);
CREATE INDEX IF NOT EXISTS cases_received ON cases(received);
CREATE INDEX IF NOT EXISTS cases_settled ON cases(settled_at);
CREATE INDEX IF NOT EXISTS cases_last ON cases(last_event);
CREATE INDEX IF NOT EXISTS cases_caller ON cases(caller);
CREATE INDEX IF NOT EXISTS cases_fingerprint ON cases(fingerprint);
CREATE INDEX IF NOT EXISTS cases_retained ON cases(retained_from);
CREATE INDEX IF NOT EXISTS cases_racy ON cases(path) WHERE mtime_ns IS NULL;
CREATE INDEX IF NOT EXISTS cases_due ON cases(next_due);
CREATE INDEX IF NOT EXISTS cases_personal ON cases(personal) WHERE personal IS NOT NULL;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""
_ROW = "(" + ",".join("?" * 20) + ")"


def _sig(st: os.stat_result, racy_after: int) -> Sig:
    if st.st_mtime_ns > racy_after or st.st_ctime_ns > racy_after:
        return RACY  # it may change again within the same clock tick: look again next time
    return (st.st_mtime_ns, st.st_size, st.st_ino, st.st_ctime_ns)


def _case_name(name: str) -> bool:
    return name.endswith(".yaml") and not name.startswith(".")


def month_dirs(cases_dir: Path) -> dict[str, tuple[int, int, int]]:
    """Every cases/YYYY/MM folder (real folders, never links): relative path -> (mtime_ns, ctime_ns, inode)."""
    out: dict[str, tuple[int, int, int]] = {}
    try:
        years = list(os.scandir(cases_dir))
    except (FileNotFoundError, NotADirectoryError):
        return out
    for year in years:
        if not year.is_dir(follow_symlinks=False) or year.name.startswith("."):
            continue
        for month in os.scandir(year.path):
            if month.is_dir(follow_symlinks=False) and not month.name.startswith("."):
                st = month.stat(follow_symlinks=False)
                out[f"{year.name}/{month.name}"] = (st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
    return out


def scan(cases_dir: Path, dirs: Iterable[str], racy_after: int) -> dict[str, Sig]:
    """Every case file under the given month folders: relative path -> signature.
    Symbolic links are listed too (never followed): reading one is refused, and says so."""
    out: dict[str, Sig] = {}
    for d in dirs:
        try:
            entries = list(os.scandir(cases_dir / d))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for f in entries:
            if _case_name(f.name):
                out[f"{d}/{f.name}"] = _sig(f.stat(follow_symlinks=False), racy_after)
    return out


def changed_since(cases_dir: Path, since_ns: int) -> set[str]:
    """The case files (cases/YYYY/MM/*.yaml, relative) whose inode changed after `since_ns`: any
    write, in place or not, a rename, a new link, a `touch` of any time, sets a file's ctime to
    the clock's now, and nothing in user space can set it back.  GNU find does the one `lstat` per
    file in C; without it (or when it fails) Python does the same."""
    import shutil
    import subprocess

    find = shutil.which(FIND)
    if find:
        stamp = f"@{since_ns // 1_000_000_000}.{since_ns % 1_000_000_000:09d}"
        try:
            p = subprocess.run([find, ".", "-mindepth", "3", "-maxdepth", "3", "-newerct", stamp, "-print0"],
                               cwd=cases_dir, capture_output=True)
        except OSError:
            p = None
        if p is not None and p.returncode == 0:
            out = set()
            for raw in p.stdout.split(b"\0"):
                if not raw:
                    continue
                parts = os.fsdecode(raw)[2:].split("/")  # "./2026/11/x.yaml"
                if len(parts) == 3 and _case_name(parts[2]) and not parts[0].startswith(".") \
                        and not parts[1].startswith("."):
                    out.add("/".join(parts))
            return out
    out = set()
    for d in month_dirs(cases_dir):
        try:
            entries = list(os.scandir(cases_dir / d))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for f in entries:
            if _case_name(f.name) and f.stat(follow_symlinks=False).st_ctime_ns > since_ns:
                out.add(f"{d}/{f.name}")
    return out


def _parse_file(path: Path) -> Case:
    from . import yamlio
    from .casefile import parse_case

    return parse_case(yamlio.read_text(path), path)


_worker_rules = None
_worker_cal = None


def _worker_init(rules, with_calendar: bool) -> None:
    global _worker_rules, _worker_cal
    _worker_rules = rules
    if with_calendar and rules is not None:
        from ..domain.calendar import Calendar

        _worker_cal = Calendar.from_rules(rules)


def _worker(job: tuple[str, list[tuple[str, Sig]]]) -> tuple[list, list]:
    cases_dir, chunk = job
    rows: list = []
    bodies: list = []
    for rel, sig in chunk:
        _index_one(_parse_file, _worker_rules, _worker_cal, Path(cases_dir), rel, sig, rows, bodies)
    return rows, bodies


def _index_one(parse, rules, cal, cases_dir: Path, rel: str, sig: Sig, rows: list, bodies: list) -> None:
    try:
        case = parse(cases_dir / rel)
    except BookError as e:
        rows.append((rel, *sig, None, None, None, None, None, None, None, None, None, e.message, e.line, None, None, None, None))
        bodies.append((rel, None))
        return
    s = summarise(case, rules, cal)
    rows.append((rel, *sig, s["id"], s["received"], s["last_event"], s["settled_at"], s["grade"], s["owner"],
                 s["status"], s["caller"], s["void"], None, None, s["fingerprint"], s["retained_from"], s["next_due"],
                 s["personal"]))
    bodies.append((rel, case_to_json(case)))


class Index:
    def __init__(self, cases_dir: Path, db_path: Path, rules=None, parallel: bool = False, calendar=None):
        self.cases_dir = cases_dir
        self.db_path = db_path
        self._rules = rules       # callable: the book's rules (derived columns depend on them)
        self._calendar = calendar  # callable: the book's calendar (next_due depends on it)
        self._parallel = parallel  # parse many files on every core (the parser is _parse_file's)
        self.db: sqlite3.Connection | None = None
        self._scan = None         # a look at the files started in the background (prefetch)

    def prefetch(self) -> None:
        """Start looking at the files now, on a thread, while the command gets ready: the month
        folders, and (by the stamp of the last refresh) the files changed since — `find` runs in
        its own process, on the other core."""
        import threading

        if self._scan is not None:
            return
        result: dict = {}

        def work() -> None:
            try:
                result["now"] = time.time_ns()
                result["dirs"] = month_dirs(self.cases_dir)
                since = self._stored_stamp()
                if since is not None and since <= result["now"]:
                    result["since"] = since
                    result["recent"] = changed_since(self.cases_dir, since - int(RACY_SECONDS * 1e9))
            except (OSError, sqlite3.Error) as e:
                result["error"] = e

        t = threading.Thread(target=work, daemon=True)
        t.start()
        self._scan = (t, result)

    def _stored_stamp(self) -> int | None:
        """The stamp of the last full refresh, read on its own connection (prefetch's thread)."""
        if not self.db_path.exists():
            return None
        if os.name == "nt":
            from urllib.request import pathname2url as quote
        else:  # what pathname2url is on POSIX, without importing urllib.request (http, ssl, email: ~30 ms)
            from urllib.parse import quote

        db = sqlite3.connect(f"file:{quote(str(self.db_path))}?mode=ro", uri=True, timeout=5)
        try:
            if db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                return None
            value = self._meta(db, "stamp")
            return int(value) if value else None
        finally:
            db.close()

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

        Full: the month folders whose signature moved are listed again and every file in them
        compared with its row (files that came, went or were replaced); in the other folders,
        the files whose ctime is later than the last full refresh's stamp (less RACY_SECONDS)
        are compared with their rows (edits in place), and so are the rows kept as racy.  The
        first refresh (no stamp) compares every file.  `light` (for intake's repeat-caller hint,
        which must not cost a look at every file): only the folders — new, replaced and deleted
        files (hotline's own writes, `git pull`, branch switches), not edits made in place by
        hand; it leaves the stamp as it was.
        """
        found = None
        if self._scan is not None:
            thread, result = self._scan
            thread.join()
            self._scan = None
            if "error" not in result:
                found = result
        now = found["now"] if found else time.time_ns()  # taken before any file was looked at
        db = self.open()
        db.execute("BEGIN IMMEDIATE")
        try:
            self._ensure_schema(db)
            cal = self._due_calendar(db)
            stale, gone, dirs, stamp = self._changes(db, light, found, now)
            self._apply(db, parse, progress, stale, gone, cal)
            db.execute("DELETE FROM dirs")
            db.executemany("INSERT INTO dirs VALUES (?, ?, ?, ?)", dirs)
            if stamp is not None:
                db.execute("INSERT OR REPLACE INTO meta VALUES ('stamp', ?)", (str(stamp),))
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    def _changes(self, db, light: bool, found: dict | None, now: int):
        """(files to parse again with their signature, rows to drop, folder signatures to
        remember, the new stamp or None to keep the old one)."""
        racy_after = now - int(RACY_SECONDS * 1e9)
        dirs = found["dirs"] if found else month_dirs(self.cases_dir)
        remember = [(d, -1, -1, -1) if m > racy_after or c > racy_after else (d, m, c, i)
                    for d, (m, c, i) in dirs.items()]
        value = self._meta(db, "stamp")
        stamp = int(value) if value else None
        known_dirs = {d: (m, c, i) for d, m, c, i in db.execute("SELECT path, mtime_ns, ctime_ns, ino FROM dirs")}
        if stamp is not None and stamp > now:
            stamp = None  # the clock went back since: the stamp says nothing
        if stamp is None and not (light and known_dirs):  # a new index: compare every file
            files = scan(self.cases_dir, dirs, racy_after)
            known = {p: tuple(s) for p, *s in db.execute("SELECT path, mtime_ns, size, ino, ctime_ns FROM cases")}
            stale = [(p, sig) for p, sig in files.items() if sig == RACY or known.get(p) != sig]
            gone = [p for p in known if p not in files]
            return stale, gone, remember, now
        # the folders whose files came or went: every file there against its row
        look = [d for d, sig in dirs.items() if known_dirs.get(d) != sig]
        where = [*look, *(d for d in known_dirs if d not in dirs)]
        files = scan(self.cases_dir, look, racy_after)
        known: dict[str, Sig] = {}
        for d in where:
            known.update((p, tuple(s)) for p, *s in db.execute(
                "SELECT path, mtime_ns, size, ino, ctime_ns FROM cases WHERE path >= ? AND path < ?", (d + "/", d + "0")))
        stale = [(p, sig) for p, sig in files.items() if sig == RACY or known.get(p) != sig]
        gone = [p for p in known if p not in files]
        if light or stamp is None:
            return stale, gone, remember, None
        # elsewhere: files changed in place since the last stamp, and the rows kept as racy
        if found and found.get("since") == stamp:
            recent = found["recent"]
        else:
            recent = changed_since(self.cases_dir, stamp - int(RACY_SECONDS * 1e9))
        recent |= {p for (p,) in db.execute("SELECT path FROM cases WHERE mtime_ns IS NULL")}
        looked = set(where)
        for rel in recent:
            if rel.rsplit("/", 1)[0] in looked:
                continue
            row = db.execute("SELECT mtime_ns, size, ino, ctime_ns FROM cases WHERE path = ?", (rel,)).fetchone()
            try:
                sig = _sig(os.lstat(self.cases_dir / rel), racy_after)
            except FileNotFoundError:
                if row is not None:
                    gone.append(rel)
                continue
            if sig == RACY or row is None or tuple(row) != sig:
                stale.append((rel, sig))
        return stale, gone, remember, now

    def _due_fingerprint(self) -> str | None:
        """What next_due depends on: the rules' text, the calendar's data (the chinesecalendar
        package's files) and the code computing it; None when the rules come from no file."""
        import hashlib
        import importlib.util

        from .config import code_stamp

        rules = self._rules() if self._rules is not None else None
        path = getattr(rules, "path", None)
        if self._calendar is None or path is None:
            return None
        try:
            parts = [hashlib.sha256(Path(path).read_bytes()).hexdigest(), code_stamp()]
            spec = importlib.util.find_spec("chinese_calendar")
            if spec is not None and spec.origin:
                for entry in sorted(os.scandir(Path(spec.origin).parent), key=lambda e: e.name):
                    if entry.name.endswith(".py"):
                        st = entry.stat()
                        parts.append(f"{entry.name}:{st.st_size}:{st.st_mtime_ns}")
        except (OSError, ImportError, ValueError):
            return None
        return hashlib.sha256("|".join(parts).encode()).hexdigest()

    def _due_calendar(self, db):
        """The calendar for next_due, or None (then next_due stays unknown: every case is asked).
        When what next_due depends on changed, the cases still running get it anew."""
        fp = self._due_fingerprint()
        cal = self._calendar() if fp is not None else None
        if self._meta(db, "due") == (fp or ""):
            return cal
        from .casefile import case_from_json

        rules = self._rules() if self._rules is not None else None
        updates = []
        for path, data in db.execute("SELECT c.path, b.data FROM cases c JOIN bodies b ON b.path = c.path "
                                     "WHERE c.error IS NULL AND c.settled_at IS NULL").fetchall():
            updates.append((summarise(case_from_json(data), rules, cal)["next_due"], path))
        db.executemany("UPDATE cases SET next_due = ? WHERE path = ?", updates)
        db.execute("INSERT OR REPLACE INTO meta VALUES ('due', ?)", (fp or "",))
        return cal

    def _apply(self, db, parse, progress, stale: list[tuple[str, Sig]], gone: list[str], cal=None) -> None:
        rows: list = []
        bodies: list = []

        def flush() -> None:
            db.executemany(f"INSERT OR REPLACE INTO cases VALUES {_ROW}", rows)
            db.executemany("INSERT OR REPLACE INTO bodies VALUES (?,?)", bodies)
            rows.clear()
            bodies.clear()

        db.executemany("DELETE FROM cases WHERE path = ?", [(p,) for p in gone])
        db.executemany("DELETE FROM bodies WHERE path = ?", [(p,) for p in gone])
        rules = self._rules() if self._rules is not None else None
        cores = os.cpu_count() or 1
        if self._parallel and len(stale) >= PARALLEL_FROM and cores >= 2:
            import multiprocessing

            size = 500
            jobs = [(str(self.cases_dir), stale[i:i + size]) for i in range(0, len(stale), size)]
            done = 0
            with multiprocessing.get_context("spawn").Pool(min(cores, 8), _worker_init, (rules, cal is not None)) as pool:
                for more_rows, more_bodies in pool.imap(_worker, jobs):
                    rows += more_rows
                    bodies += more_bodies
                    done += len(more_rows)
                    if progress:
                        progress(done, len(stale))
                    flush()
            return
        for n, (rel, sig) in enumerate(stale, 1):
            if progress:
                progress(n, len(stale))
            _index_one(parse, rules, cal, self.cases_dir, rel, sig, rows, bodies)
            if len(rows) >= 2000:  # memory stays flat while a whole book is indexed
                flush()
        flush()

    # ------------------------------------------------------------ reading
    def select(self, where: str = "1", params: Iterable = ()) -> Iterator[tuple[str, str | None, str | None, int | None]]:
        """(relative path, case JSON, error, error line) for rows matching `where` (broken rows always)."""
        db = self.open()
        sql = (f"SELECT c.path, b.data, c.error, c.error_line FROM cases c JOIN bodies b ON b.path = c.path "
               f"WHERE c.path IN (SELECT path FROM cases WHERE error IS NOT NULL OR ({where})) ORDER BY c.path")
        yield from db.execute(sql, tuple(params))

    def select_each(self, wheres: list[tuple[str, list]]) -> Iterator[tuple]:
        """(relative path, case JSON, error, error line, *one flag per `where`) for the rows matching
        any of `wheres` (broken rows always): several questions answered by one pass, each row once."""
        db = self.open()
        flags = ", ".join(f"coalesce(({w}), 0)" for w, _p in wheres)
        params = [x for _w, p in wheres for x in p]
        sql = (f"SELECT c.path, b.data, c.error, c.error_line, {flags} FROM cases c JOIN bodies b ON b.path = c.path "
               f"WHERE c.path IN (SELECT path FROM cases WHERE error IS NOT NULL OR "
               f"{' OR '.join(f'({w})' for w, _p in wheres)}) ORDER BY c.path")
        yield from db.execute(sql, (*params, *params))

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None
