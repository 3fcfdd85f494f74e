"""The case store: where case files live, finding them by id, loading and writing them.

A case lives at cases/YYYY/MM/<id>.yaml (year and month of intake); its text is
`casefile.py`'s business.  Reads go through the derived index (`index.py`) when the book
is in git, else parse the files; the answers are the same either way.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterator

from ..i18n import _
from ..domain.model import Case
from ..errors import BookError, UsageError
from . import ids, yamlio
from .casefile import dump_case, parse_case, utc_text

CASES = "cases"


# ---------------------------------------------------------------- the store

@dataclass(frozen=True)
class Period:
    """A question about [start, end] (`Store.for_period`): the cases received by `end` and not
    settled before `start`; plus every case received since `received_since`, and with
    `with_earlier_callers` the earlier cases of the callers of cases received in the period."""

    start: datetime
    end: datetime
    received_since: datetime | None = None
    with_earlier_callers: bool = False

    def where(self) -> tuple[str, list]:
        """The question as SQL over the index's columns, with its parameters."""
        S, E = utc_text(self.start), utc_text(self.end)
        clauses = ["settled_at IS NULL", "settled_at >= ?", "last_event >= ?"]
        params: list = [S, S]
        if self.received_since is not None:
            clauses.append("received >= ?")
            params.append(utc_text(self.received_since))
        if self.with_earlier_callers:
            clauses.append("caller IN (SELECT caller FROM cases WHERE caller IS NOT NULL AND received >= ? AND received <= ?)")
            params += [S, E]
        return f"received <= ? AND ({' OR '.join(clauses)})", [E, *params]


@dataclass
class LoadProblem:
    path: Path
    error: BookError


class Store:
    def __init__(self, root: Path, rules: Callable[[], Any] | None = None, calendar: Callable[[], Any] | None = None):
        self.root = root
        self.cases_dir = root / CASES
        self.rules = rules        # the book's rules, asked for when the index derives its columns
        self.calendar = calendar  # the book's calendar (the index's next_due)
        self._index = None        # the derived index (index.py), opened on first read
        self._fresh = False       # refreshed once per process
        self.progress = None      # callback(n, total) while (re)indexing many files, set by the CLI

    # ------------------------------------------------------------ the derived index
    def _index_path(self) -> tuple[Path, Path] | None:
        """(the index file in the clone's git folder, the work tree's root); never tracked.
        None outside git or when disabled with $HOTLINE_NO_INDEX."""
        if os.environ.get("HOTLINE_NO_INDEX"):
            return None
        from .git import git_dir, toplevel

        top = toplevel(self.root)
        if top is None:
            return None
        return git_dir(top) / "hotline-index.sqlite", top

    def prefetch(self) -> None:
        """Start the index's freshness check in the background (for read commands: git works on
        the second core while Python imports and parses the rules)."""
        found = self._index_path()
        if found is None or self._index is not None:
            return
        from .index import Index

        self._index = Index(self.cases_dir, found[0], rules=self.rules, parallel=True, calendar=self.calendar)
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

        idx = self._index or Index(self.cases_dir, found[0], rules=self.rules, parallel=True, calendar=self.calendar)
        try:
            idx.refresh(self.load, progress or self.progress, light)
        except (sqlite3.Error, OSError):
            idx.close()
            return None  # cannot keep an index here: read the files instead
        self._index = idx
        return idx

    def query(self, where: str = "1", params=(), problems: list[LoadProblem] | None = None,
              fallback=None, light: bool = False, include_void: bool = False) -> list[Case]:
        """Cases whose index row matches `where` (SQL over the index columns).

        Without an index, every file is parsed and `fallback(case)` filters (default: keep all),
        so results never depend on the index.  Broken files go to `problems`.  Cases withdrawn
        as entered by mistake (`Case.voided`) count nowhere unless `include_void`.
        """
        idx = self.index(light=light)
        if idx is None:
            cases = [c for c in self._parse_all(problems) if include_void or not c.voided]
            return [c for c in cases if fallback(c)] if fallback else cases
        if not include_void:
            where = f"void = 0 AND ({where})"
        from .casefile import case_from_json

        out = []
        for rel, data, error, line in idx.select(where, params):
            if error is not None:
                self._broken(rel, error, line, problems)
                continue
            out.append(case_from_json(data))
        return out

    def _broken(self, rel: str, error: str, line: int | None, problems: list[LoadProblem] | None) -> None:
        """An index row of a file that could not be read: raised, or named in `problems`."""
        e = BookError(error, self.cases_dir / rel, line)
        if problems is None:
            raise e
        problems.append(LoadProblem(self.cases_dir / rel, e))

    def count(self, where: str, params=(), fallback=None, light: bool = False, include_void: bool = False) -> int:
        """How many readable cases match `where` (SQL over the index columns), none of them
        decoded; without an index, how many parsed cases pass `fallback` (as `query` would)."""
        idx = self.index(light=light)
        if idx is None:
            return len(self.query(where, params, [], fallback, light, include_void))
        if not include_void:
            where = f"void = 0 AND ({where})"
        return idx.open().execute(f"SELECT count(*) FROM cases WHERE error IS NULL AND ({where})",
                                  tuple(params)).fetchone()[0]

    def exists(self, where: str, params=(), fallback=None, light: bool = True) -> bool:
        """Whether any readable case matches `where` (SQL over the index columns); without an
        index, whether any parsed case passes `fallback`."""
        idx = self.index(light=light)
        if idx is None:
            return any(fallback(c) for c in self._parse_all([]))
        return idx.open().execute(f"SELECT 1 FROM cases WHERE error IS NULL AND ({where}) LIMIT 1",
                                  tuple(params)).fetchone() is not None

    def fingerprints(self, again: bool = False) -> dict[str, str]:
        """Source-row fingerprint -> case id of every readable imported case, withdrawn ones
        too (`hotline import` never brings back a case that was voided).  `again`: look once
        more at the folders that changed since this process last looked (under the write lock,
        what another writer added meanwhile)."""
        if again:
            self._fresh = False
        idx = self.index(light=again)
        if idx is None:
            return {c.source.fingerprint: c.id for c in self._parse_all([]) if c.source}
        rows = idx.open().execute("SELECT fingerprint, id FROM cases WHERE error IS NULL AND fingerprint IS NOT NULL")
        return dict(rows)

    def has_pseudonyms(self) -> bool:
        """Whether any case carries a caller pseudonym (made with the book's caller key)."""
        return self.exists("caller IS NOT NULL", fallback=lambda c: bool(c.personal and c.personal.caller))

    # paths and ids
    def path_for(self, case_id: str) -> Path:
        ym = ids.month_of(case_id)
        if ym is None:
            raise UsageError(_("'{case_id}' is not a case id (like 261120-4D7KQ)").format(case_id=case_id))
        return self.cases_dir / ym[0] / ym[1] / f"{case_id}.yaml"

    def resolve(self, text: str) -> Path:
        """A case id or an unambiguous prefix of one → the case file."""
        want = ids.normalise(text)
        if not want or len(want.replace("-", "")) < 4:
            raise UsageError(_("case '{text}' is too short: give at least the date part of the id (like 261120-4D)").format(text=text))
        ym = ids.month_of(want)
        if ym is not None and len(want) > 6 and want[6] != "-":
            want = want[:6] + "-" + want[6:]  # "2611204D7KQ" → "261120-4D7KQ"
        dirs = [self.cases_dir / ym[0] / ym[1]] if ym else []
        matches = []
        for d in dirs:
            if d.is_dir() and not d.is_symlink() and not d.parent.is_symlink():  # never through a link
                for f in d.iterdir():
                    if f.suffix == ".yaml" and f.stem.startswith(want):
                        matches.append(f)
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise UsageError(_("no case '{text}' in this book (`hotline list` shows the ids)").format(text=text))
        shown = ", ".join(sorted(m.stem for m in matches)[:8])
        raise UsageError(_("case '{text}' is ambiguous: it matches {len} cases ({shown}); give more of the id").format(text=text, len=len(matches), shown=shown))

    def load(self, path: Path) -> Case:
        return parse_case(yamlio.read_text(path), path)

    def get(self, text: str) -> Case:
        return self.load(self.resolve(text))

    def files(self) -> Iterator[Path]:
        if not self.cases_dir.is_dir():
            return
        # real folders only: a link (cases/2027 → elsewhere) is never followed (`check` names it)
        for year in sorted(p for p in self.cases_dir.iterdir() if p.is_dir() and not p.is_symlink()):
            for month in sorted(p for p in year.iterdir() if p.is_dir() and not p.is_symlink()):
                yield from sorted(p for p in month.iterdir() if p.suffix == ".yaml" and not p.name.startswith("."))

    def for_period(self, start: datetime, end: datetime, problems: list[LoadProblem] | None = None,
                   received_since: datetime | None = None, with_earlier_callers: bool = False) -> list[Case]:
        """Every case that can matter to a question about [start, end]: received by `end` and
        not settled before `start` (a clock may still run then, or an event came since — see
        `clocks.settled_at`); plus, optionally, every case received since `received_since`, and
        earlier cases of the callers of cases received in the period.  Consumers still judge
        each case themselves; this only leaves out what cannot count."""
        return self.for_periods([Period(start, end, received_since, with_earlier_callers)], problems)[0]

    def for_periods(self, periods: list["Period"], problems: list[LoadProblem] | None = None) -> list[list[Case]]:
        """`for_period` of each period (each list as `for_period` gives it, in the same order), from one
        pass over the index: a case several periods hold is decoded once, and is the same object in
        each list.  A broken file goes to `problems` once."""
        wheres = [p.where() for p in periods]
        idx = self.index()
        if idx is None:  # the same questions without the index: received by the period's end
            cases = [c for c in self._parse_all(problems) if not c.voided]
            return [[c for c in cases if c.received <= p.end] for p in periods]
        from .casefile import case_from_json

        out: list[list[Case]] = [[] for _p in periods]
        for rel, data, error, line, *flags in idx.select_each([(f"void = 0 AND ({w})", ps) for w, ps in wheres]):
            if error is not None:
                self._broken(rel, error, line, problems)
                continue
            if any(flags):
                case = case_from_json(data)
                for lst, flag in zip(out, flags):
                    if flag:
                        lst.append(case)
        return out

    def due_by(self, at: datetime, until: datetime, problems: list[LoadProblem] | None = None) -> list[Case]:
        """Every case that can have a clock running at `at` and due by `until` (`overdue`): a case
        whose events all came by `at` only if its index column next_due (`domain.clocks.next_due`)
        is by `until` or unknown; a case with later events as `for_period(at, at)` picks it.
        Consumers still judge each case themselves; this only leaves out what cannot count."""
        A, U = utc_text(at), utc_text(until)
        where = ("received <= ? AND ((last_event > ? AND (settled_at IS NULL OR settled_at >= ? OR last_event >= ?)) "
                 "OR (last_event <= ? AND (next_due IS NULL OR next_due <= ?)))")

        def keep(c: Case) -> bool:  # the same question without the index
            return c.received <= at

        return self.query(where, [A, A, A, A, A, U], problems, fallback=keep)

    def grade_counts(self, periods: dict) -> dict:
        """{key: {grade: n}} of the readable cases received in each (start, end) of `periods`
        — counts over many months without loading the cases themselves."""
        idx = self.index()
        if idx is None:
            cases = [c for c in self._parse_all([]) if not c.voided]
            out: dict = {}
            for key, (start, end) in periods.items():
                counts: dict[str, int] = {}
                for c in cases:
                    if start <= c.received <= end:
                        counts[c.grade] = counts.get(c.grade, 0) + 1
                out[key] = counts
            return out
        db = idx.open()
        sql = ("SELECT grade, count(*) FROM cases WHERE error IS NULL AND void = 0 AND received >= ? AND received <= ? "
               "GROUP BY grade")
        return {key: dict(db.execute(sql, (utc_text(start), utc_text(end)))) for key, (start, end) in periods.items()}

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
        if not all(e.id for e in case.events):  # a new event gets its id where it is added (ids.identified)
            raise ValueError(f"case {case.id}: an event without an id cannot be written")
        yamlio.real_folder(self.root, path.parent)  # never through a link to elsewhere
        yamlio.clear_leftovers(path.parent)
        yamlio.atomic_write(path, dump_case(case), self.root)
        return path

    def write_many(self, cases: list[Case]) -> list[Path]:
        """Write many new cases atomically, on a few threads: each file is still written whole and
        flushed to disk (`atomic_write`), but the disk's flushes overlap (an import of thousands
        of cases).  Call under the write lock."""
        from concurrent.futures import ThreadPoolExecutor

        paths = [self.path_for(c.id) for c in cases]
        texts = [dump_case(c) for c in cases]  # first: the threads then only wait on the disk
        for d in {p.parent for p in paths}:
            yamlio.real_folder(self.root, d)  # never through a link to elsewhere
            yamlio.clear_leftovers(d)
        with ThreadPoolExecutor(max_workers=16) as pool:
            list(pool.map(yamlio.atomic_write, paths, texts))
        return paths

    def allocate(self, received: datetime) -> str:
        """A fresh id not yet used in this clone (call under the write lock)."""
        for _try in range(64):
            cid = ids.new_id(received)
            if not self.path_for(cid).exists():
                return cid
        raise BookError(_("could not find a free case id in 64 tries; is the cases folder writable?"))
