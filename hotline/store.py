"""The case store: files, ids, (de)serialisation, the write lock.

A case lives at cases/YYYY/MM/<id>.yaml (year and month of intake).  The file is
the electronic registration form: intake record first, then the append-only events.
Loading checks structure and types (path:line on error); vocabulary and roster
references are checked by `check.py`, so a relabelled rule never hides old cases.
"""
from __future__ import annotations

import os
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator

from . import ids, yamlio
from .errors import BookError, UsageError
from .model import EVENT_TYPES, Case, Event, Personal

CASES = "cases"


# ---------------------------------------------------------------- (de)serialisation

def _iso(t: datetime) -> str:
    return t.isoformat(timespec="seconds")


def event_to_dict(e: Event) -> dict[str, Any]:
    d: dict[str, Any] = {"at": _iso(e.at), "type": e.type, "by": e.by}
    if e.to is not None:
        d["to"] = list(e.to) if isinstance(e.to, (list, tuple)) else e.to
    if e.outcome is not None:
        d["outcome"] = e.outcome
    if e.reason:
        d["reason"] = e.reason
    if e.contact_shared:
        d["contact_shared"] = True
    if e.note:
        d["note"] = e.note
    return d


def case_to_dict(c: Case) -> dict[str, Any]:
    d: dict[str, Any] = {
        "id": c.id,
        "received": _iso(c.received),
        "channel": c.channel,
        "grade": c.grade,
        "owner": c.owner,
        "caller": {
            "role": c.role,
            "gender": c.gender,
            "age_group": c.age_group,
            "region": c.region,
            "occupation": c.occupation,
        },
        "categories": list(c.categories),
        "needs": list(c.needs),
        "summary": c.summary,
        "consent_publish": bool(c.consent_publish),
    }
    if c.personal is not None:
        p: dict[str, Any] = {"recipients": c.personal.recipients}
        if c.personal.caller:
            p["caller"] = c.personal.caller
        p["age"] = c.personal.armor
        d["personal"] = p
    d["events"] = [event_to_dict(e) for e in c.events]
    return d


def dump_case(c: Case) -> str:
    return yamlio.dump(case_to_dict(c))


class _Reader:
    """Typed access to a loaded mapping, failing with path:line."""

    def __init__(self, text: str, path: Path):
        self.text, self.path = text, path

    def fail(self, keypath: list, msg: str) -> BookError:
        return BookError(msg, self.path, yamlio.line_of(self.text, keypath))

    def text_of(self, d: dict, key: str, kp: list, required: bool = True, default: str = "") -> str:
        if key not in d or d[key] is None:
            if required:
                raise self.fail(kp, f"missing '{key}'")
            return default
        v = d[key]
        if isinstance(v, bool) or not isinstance(v, str):
            hint = " (a number here loses leading zeros: put it in quotes)" if isinstance(v, (int, float)) else ""
            raise self.fail(kp + [key], f"'{key}' must be text, not {v!r}{hint}")
        return v

    def time_of(self, d: dict, key: str, kp: list) -> datetime:
        v = d.get(key)
        if isinstance(v, datetime):
            t = v
        elif isinstance(v, str):
            try:
                t = datetime.fromisoformat(v)
            except ValueError:
                raise self.fail(kp + [key], f"'{key}' is not an ISO time: {v!r}") from None
        elif v is None:
            raise self.fail(kp, f"missing '{key}'")
        else:
            raise self.fail(kp + [key], f"'{key}' must be a time like 2026-11-20T15:00:00+08:00, not {v!r}")
        if t.tzinfo is None:
            raise self.fail(kp + [key], f"'{key}' has no UTC offset: {v!r}")
        return t

    def list_of(self, d: dict, key: str, kp: list) -> list[str]:
        v = d.get(key) or []
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise self.fail(kp + [key], f"'{key}' must be a list of ids")
        return v


def parse_case(text: str, path: Path) -> Case:
    data = yamlio.load_text(text, path)
    r = _Reader(text, path)
    if not isinstance(data, dict):
        raise BookError("a case file must be a mapping (id:, received:, ..., events:)", path, 1)
    caller = data.get("caller") or {}
    if not isinstance(caller, dict):
        raise r.fail(["caller"], "'caller' must be a mapping (role, gender, age_group, region, occupation)")
    consent = data.get("consent_publish", False)
    if not isinstance(consent, bool):
        raise r.fail(["consent_publish"], f"'consent_publish' must be true or false, not {consent!r}")
    personal = None
    if data.get("personal") is not None:
        p = data["personal"]
        if not isinstance(p, dict):
            raise r.fail(["personal"], "'personal' must be a mapping (recipients, caller, age)")
        armor = r.text_of(p, "age", ["personal"])
        if not armor.startswith("-----BEGIN AGE ENCRYPTED FILE-----"):
            raise r.fail(["personal", "age"], "'personal.age' must be an age-encrypted block; personal data is never stored in clear")
        n = p.get("recipients", 0)
        if not isinstance(n, int) or isinstance(n, bool):
            raise r.fail(["personal", "recipients"], f"'recipients' must be a number, not {n!r}")
        personal = Personal(armor=armor, recipients=n, caller=r.text_of(p, "caller", ["personal"], required=False) or None)
    raw_events = data.get("events")
    if not isinstance(raw_events, list) or not raw_events:
        raise r.fail(["events"], "'events' must be a non-empty list (the first is the intake)")
    events: list[Event] = []
    for i, ev in enumerate(raw_events):
        kp = ["events", i]
        if not isinstance(ev, dict):
            raise r.fail(kp, f"events[{i}] must be a mapping (at, type, by, ...)")
        typ = r.text_of(ev, "type", kp)
        if typ not in EVENT_TYPES:
            raise r.fail(kp + ["type"], f"unknown event type '{typ}'; allowed: {', '.join(EVENT_TYPES)}")
        to = ev.get("to")
        if to is not None and not (isinstance(to, str) or (isinstance(to, list) and all(isinstance(x, str) for x in to))):
            raise r.fail(kp + ["to"], f"'to' must be an id (or a list of ids), not {to!r}")
        outcome = r.text_of(ev, "outcome", kp, required=False) or None
        events.append(
            Event(
                type=typ,
                at=r.time_of(ev, "at", kp),
                by=r.text_of(ev, "by", kp),
                note=r.text_of(ev, "note", kp, required=False),
                to=to,
                outcome=outcome,
                reason=r.text_of(ev, "reason", kp, required=False) or None,
                contact_shared=ev.get("contact_shared") is True,
            )
        )
    case_id = r.text_of(data, "id", [])
    return Case(
        id=case_id,
        received=r.time_of(data, "received", []),
        channel=r.text_of(data, "channel", []),
        grade=r.text_of(data, "grade", []),
        owner=r.text_of(data, "owner", []),
        role=r.text_of(caller, "role", ["caller"]),
        gender=r.text_of(caller, "gender", ["caller"], required=False, default="unknown"),
        age_group=r.text_of(caller, "age_group", ["caller"], required=False, default="unknown"),
        region=r.text_of(caller, "region", ["caller"], required=False),
        occupation=r.text_of(caller, "occupation", ["caller"], required=False),
        categories=r.list_of(data, "categories", []),
        needs=r.list_of(data, "needs", []),
        summary=r.text_of(data, "summary", [], required=False),
        consent_publish=consent,
        personal=personal,
        events=events,
    )


# ---------------------------------------------------------------- the store

@dataclass
class LoadProblem:
    path: Path
    error: BookError


class Store:
    def __init__(self, root: Path):
        self.root = root
        self.cases_dir = root / CASES
        self._index = None        # the derived index (index.py), opened on first read
        self._fresh = False       # refreshed once per process
        self.progress = None      # callback(n, total) while (re)indexing many files, set by the CLI

    # ------------------------------------------------------------ the derived index
    def _index_path(self) -> tuple[Path, Path] | None:
        """(.git/hotline-index.sqlite, work tree root) of the clone holding the book (never
        tracked); None outside git or when disabled with $HOTLINE_NO_INDEX."""
        if os.environ.get("HOTLINE_NO_INDEX"):
            return None
        for d in (self.root, *self.root.parents):
            g = d / ".git"
            if g.is_dir():
                return g / "hotline-index.sqlite", d
            if g.is_file():  # a worktree: .git names the real git folder
                try:
                    text = g.read_text(encoding="utf-8").strip()
                except OSError:
                    return None
                if text.startswith("gitdir:"):
                    gd = Path(text[7:].strip())
                    return (gd if gd.is_absolute() else d / gd) / "hotline-index.sqlite", d
                return None
        return None

    def prefetch(self) -> None:
        """Start the index's freshness check in the background (for read commands: git works on
        the second core while Python imports and parses the rules)."""
        found = self._index_path()
        if found is None or self._index is not None:
            return
        from .index import Index

        self._index = Index(self.cases_dir, *found)
        self._index.prefetch()

    def index(self, progress=None, light: bool = False):
        """The refreshed index, or None when there is none (outside git, read-only, disabled).
        `light`: see Index.refresh (committed changes only)."""
        if self._fresh:
            return self._index
        self._fresh = not light
        found = self._index_path()
        if found is None:
            return None
        from .index import Index
        import sqlite3

        idx = self._index or Index(self.cases_dir, *found)
        try:
            idx.refresh(self.load, progress or self.progress, light)
        except (sqlite3.Error, OSError):
            idx.close()
            return None  # cannot keep an index here: read the files instead
        self._index = idx
        return idx

    def query(self, where: str = "1", params=(), problems: list[LoadProblem] | None = None,
              fallback=None, light: bool = False) -> list[Case]:
        """Cases whose index row matches `where` (SQL over the index columns).

        Without an index, every file is parsed and `fallback(case)` filters (default: keep all),
        so results never depend on the index.  Broken files go to `problems`.
        """
        idx = self.index(light=light)
        if idx is None:
            cases = self._parse_all(problems)
            return [c for c in cases if fallback(c)] if fallback else cases
        from .index import case_from_json

        out = []
        for rel, data, error, line in idx.select(where, params):
            if error is not None:
                e = BookError(error, self.cases_dir / rel, line)
                if problems is None:
                    raise e
                problems.append(LoadProblem(self.cases_dir / rel, e))
                continue
            out.append(case_from_json(data))
        return out

    # paths and ids
    def path_for(self, case_id: str) -> Path:
        ym = ids.month_of(case_id)
        if ym is None:
            raise UsageError(f"'{case_id}' is not a case id (like 261120-4D7KQ)")
        return self.cases_dir / ym[0] / ym[1] / f"{case_id}.yaml"

    def resolve(self, text: str) -> Path:
        """A case id or an unambiguous prefix of one → the case file."""
        want = ids.normalise(text)
        if not want or len(want.replace("-", "")) < 4:
            raise UsageError(f"case '{text}' is too short: give at least the date part of the id (like 261120-4D)")
        ym = ids.month_of(want)
        if ym is not None and len(want) > 6 and want[6] != "-":
            want = want[:6] + "-" + want[6:]  # "2611204D7KQ" → "261120-4D7KQ"
        dirs = [self.cases_dir / ym[0] / ym[1]] if ym else []
        matches = []
        for d in dirs:
            if d.is_dir():
                for f in d.iterdir():
                    if f.suffix == ".yaml" and f.stem.startswith(want):
                        matches.append(f)
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise UsageError(f"no case '{text}' in this book (`hotline list` shows the ids)")
        shown = ", ".join(sorted(m.stem for m in matches)[:8])
        raise UsageError(f"case '{text}' is ambiguous: it matches {len(matches)} cases ({shown}); give more of the id")

    def load(self, path: Path) -> Case:
        return parse_case(yamlio.read_text(path), path)

    def get(self, text: str) -> Case:
        return self.load(self.resolve(text))

    def files(self) -> Iterator[Path]:
        if not self.cases_dir.is_dir():
            return
        for year in sorted(p for p in self.cases_dir.iterdir() if p.is_dir()):
            for month in sorted(p for p in year.iterdir() if p.is_dir()):
                yield from sorted(p for p in month.iterdir() if p.suffix == ".yaml" and not p.name.startswith("."))

    def for_period(self, start: datetime, end: datetime, problems: list[LoadProblem] | None = None,
                   revisit_grades: tuple[str, ...] = (), received_since: datetime | None = None,
                   with_earlier_callers: bool = False) -> list[Case]:
        """Every case that can matter to a question about [start, end]: received by `end` and
        not settled before `start` (open then, closed or touched since, or — for the grades in
        `revisit_grades` — still awaiting its revisit); plus, optionally, every case received
        since `received_since`, and earlier cases of the callers of cases received in the period.
        Consumers still judge each case themselves; this only leaves out what cannot count."""
        from .index import _utc

        S, E = _utc(start), _utc(end)
        g = ",".join("?" * len(revisit_grades)) or "NULL"
        clauses = ["closed_at IS NULL", "closed_at >= ?", "last_event >= ?",
                   f"(grade IN ({g}) AND (revisit_at IS NULL OR revisit_at >= ?))"]
        params: list = [S, S, *revisit_grades, S]
        if received_since is not None:
            clauses.append("received >= ?")
            params.append(_utc(received_since))
        if with_earlier_callers:
            clauses.append("caller IN (SELECT caller FROM cases WHERE caller IS NOT NULL AND received >= ? AND received <= ?)")
            params += [S, E]
        where = f"received <= ? AND ({' OR '.join(clauses)})"

        def keep(c: Case) -> bool:  # the same question without the index
            return c.received <= end  # everything else only narrows what cannot count

        return self.query(where, [E, *params], problems, fallback=keep)

    def grade_counts(self, periods: dict) -> dict:
        """{key: {grade: n}} of the readable cases received in each (start, end) of `periods`
        — counts over many months without loading the cases themselves."""
        idx = self.index()
        if idx is None:
            cases = self._parse_all([])
            out: dict = {}
            for key, (start, end) in periods.items():
                counts: dict[str, int] = {}
                for c in cases:
                    if start <= c.received <= end:
                        counts[c.grade] = counts.get(c.grade, 0) + 1
                out[key] = counts
            return out
        from .index import _utc

        db = idx.open()
        sql = "SELECT grade, count(*) FROM cases WHERE error IS NULL AND received >= ? AND received <= ? GROUP BY grade"
        return {key: dict(db.execute(sql, (_utc(start), _utc(end)))) for key, (start, end) in periods.items()}

    def all(self, problems: list[LoadProblem] | None = None) -> list[Case]:
        """Every case that loads; the broken ones go to `problems` (never hide the rest)."""
        return self.query("1", (), problems)

    def _parse_all(self, problems: list[LoadProblem] | None = None) -> list[Case]:
        out = []
        for f in self.files():
            try:
                out.append(self.load(f))
            except BookError as e:
                if problems is None:
                    raise
                problems.append(LoadProblem(f, e))
        return out

    def write(self, case: Case, path: Path | None = None) -> Path:
        """Write atomically (call under the write lock, so any temp file here is a crash's leftover)."""
        path = path or self.path_for(case.id)
        if path.parent.is_dir():
            for stale in path.parent.glob(".*.tmp"):
                stale.unlink(missing_ok=True)
        yamlio.atomic_write(path, dump_case(case))
        return path

    def allocate(self, received: datetime) -> str:
        """A fresh id not yet used in this clone (call under the write lock)."""
        for _ in range(64):
            cid = ids.new_id(received)
            if not self.path_for(cid).exists():
                return cid
        raise BookError("could not find a free case id in 64 tries; is the cases folder writable?")

    # the write lock: one writer at a time per clone (ids, files and the git index).
    # An OS file lock, so a writer killed at any moment never leaves the book locked.
    @contextmanager
    def lock(self, git_dir: Path | None = None, timeout: float = 120.0):
        lock_path = (git_dir or self.root) / "hotline-write.lock"
        try:
            fd = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o644)
        except PermissionError:
            raise UsageError(f"cannot write in {lock_path.parent}: the book is read-only here") from None
        deadline = time.monotonic() + timeout
        delay = 0.005
        try:
            while not _try_lock(fd):
                if time.monotonic() > deadline:
                    raise BookError(f"another hotline command has been writing for {timeout:.0f} s ({lock_path}); try again")
                time.sleep(delay)
                delay = min(delay * 1.5, 0.1)
            try:
                yield
            finally:
                _unlock(fd)
        finally:
            os.close(fd)


if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
