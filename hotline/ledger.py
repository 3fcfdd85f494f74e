"""The points ledger (`ledger/YYYY-MM.yaml`) and the scoring entry points that read a book.

A ledger file holds the awards and penalties that do not come from cases:

    entries:
    - date: '2026-11-05'
      person: li
      item: lecture_outreach
      points: 10
      by: wang
    - date: '2026-11-12'
      person: chen
      item: donation
      points: 3
      amount: 350
      note: 春节募捐
      by: xu

`count` (when not 1), `amount` (donations, in yuan) and `note` are optional; `points`
is the entry's total (item points × count, or one point per whole `per_yuan`).

Reading (with path:line errors): `parse_ledger`, `read_ledger`, `check_ledger`.
Writing: `add_entry` (under the book's lock, atomic, one commit).
Scoring a book (used by `hotline score` and the monthly bulletin):
`load_entries(book, start, end)`, `score_month(book, year, month)`, `score_year(book, year)`.
The computation itself is in `points.py`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import yaml

from . import points as pts
from . import yamlio
from .errors import BookError, UsageError
from .model import LedgerEntry

LEDGER = "ledger"
FILE_RE = re.compile(r"^(\d{4})-(\d{2})\.yaml$")
KEYS = ("date", "person", "item", "points", "count", "amount", "note", "by")
MAX_NOTE = 500


# ---------------------------------------------------------------- paths

def ledger_dir(book) -> Path:
    return book.root / LEDGER


def path_for(book, d: date) -> Path:
    return ledger_dir(book) / f"{d:%Y-%m}.yaml"


def _rel(book, path: Path) -> str:
    try:
        return path.resolve().relative_to(Path(book.root).resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def files(book) -> list[Path]:
    d = ledger_dir(book)
    if not d.is_dir():
        return []
    return sorted(p for p in d.iterdir() if p.is_file() and p.suffix == ".yaml" and not p.name.startswith("."))


# ---------------------------------------------------------------- reading

def _entry_lines(text: str) -> list[int]:
    """1-based line of each item of the `entries:` list (one compose, not one per entry)."""
    try:
        node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return []
    if not isinstance(node, yaml.MappingNode):
        return []
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == "entries" and isinstance(v, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in v.value]
    return []


def _month_of(path: Path) -> tuple[int, int] | None:
    m = FILE_RE.match(path.name)
    if not m or not 1 <= int(m.group(2)) <= 12:
        return None
    return int(m.group(1)), int(m.group(2))


def parse_ledger(text: str, path: Path) -> list[tuple[LedgerEntry, int | None]]:
    """The entries of one ledger file, each with its line; structure errors are BookErrors with path:line.

    Checks shape and types, and that every date lies in the file's month (so a month's
    score reads one file).  Roster and rules references are checked by `check_ledger`.
    """
    data = yamlio.load_text(text, path)
    if data is None:
        return []
    if not isinstance(data, dict):
        raise BookError("a ledger file must be a mapping with an 'entries:' list", path, 1)
    extra = [k for k in data if k != "entries"]
    if extra:
        raise BookError(f"unknown key '{extra[0]}'; a ledger file holds only 'entries:'", path,
                        yamlio.line_of(text, [extra[0]]))
    raw = data.get("entries")
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise BookError("'entries' must be a list of {date, person, item, points, by}", path, yamlio.line_of(text, ["entries"]))
    lines = _entry_lines(text)
    month = _month_of(path)
    out: list[tuple[LedgerEntry, int | None]] = []
    for i, e in enumerate(raw):
        line = lines[i] if i < len(lines) else None

        def fail(msg: str, key: str | None = None) -> BookError:
            ln = yamlio.line_of(text, ["entries", i, key]) if key else line
            return BookError(f"entries[{i}]: {msg}", path, ln)

        if not isinstance(e, dict):
            raise fail("must be a mapping (date, person, item, points, by)")
        for k in e:
            if k not in KEYS:
                raise fail(f"unknown key '{k}'; allowed: {', '.join(KEYS)}", str(k))
        for k in ("date", "person", "item", "points", "by"):
            if e.get(k) is None:
                raise fail(f"missing '{k}'")
        d = e["date"]
        if isinstance(d, datetime):
            raise fail(f"date {d} is a time; write the day as 'YYYY-MM-DD'", "date")
        if isinstance(d, str):
            try:
                d = date.fromisoformat(d)
            except ValueError:
                raise fail(f"date '{e['date']}' is not a date; write 'YYYY-MM-DD'", "date") from None
        if not isinstance(d, date):
            raise fail(f"date {e['date']!r} is not a date; write 'YYYY-MM-DD'", "date")
        if month is not None and (d.year, d.month) != month:
            raise fail(f"date {d.isoformat()} is not in {month[0]:04d}-{month[1]:02d}; "
                       f"move the entry to ledger/{d:%Y-%m}.yaml", "date")
        for k in ("person", "item", "by"):
            if not isinstance(e[k], str) or not e[k].strip():
                raise fail(f"'{k}' must be an id (text), not {e[k]!r}", k)
        note = e.get("note", "")
        if note is None:
            note = ""
        if not isinstance(note, str):
            raise fail(f"'note' must be text, not {note!r}", "note")

        def whole(k: str, minimum: int | None, default: Any) -> Any:
            v = e.get(k, default)
            if v is default:
                return v
            if not isinstance(v, int) or isinstance(v, bool) or (minimum is not None and v < minimum):
                more = f" ≥ {minimum}" if minimum is not None else ""
                raise fail(f"'{k}' must be a whole number{more}, not {v!r}", k)
            return v

        out.append((LedgerEntry(
            date=d, person=e["person"], item=e["item"], points=whole("points", None, None),
            count=whole("count", 1, 1), amount=whole("amount", 1, None), note=note, by=e["by"],
        ), line))
    return out


def read_file(book, path: Path) -> list[tuple[LedgerEntry, int | None]]:
    return parse_ledger(yamlio.read_text(path), path)


def _months(start: date, end: date) -> list[tuple[int, int]]:
    out = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def read_ledger(book, start: date, end: date, problems: list[str] | None = None) -> list[pts.Entry]:
    """The ledger entries dated start..end, as points entries with `ledger/YYYY-MM.yaml:<line>` sources.

    A broken file raises BookError, or, with `problems`, is named there and skipped.
    """
    out: list[pts.Entry] = []
    for y, m in _months(start, end):
        path = ledger_dir(book) / f"{y:04d}-{m:02d}.yaml"
        if not path.is_file():
            continue
        try:
            entries = read_file(book, path)
        except BookError as e:
            if problems is None:
                raise
            problems.append(f"{_rel(book, e.path or path)}{':' + str(e.line) if e.line else ''}: {e.message} "
                            f"(this file's entries are not counted)")
            continue
        rel = _rel(book, path)
        for le, line in entries:
            if start <= le.date <= end:
                out.append(pts.Entry(le.date, le.person, le.item, le.points,
                                     f"{rel}:{line}" if line else rel, le.note, le.count, le.amount, le.by))
    return out


def check_ledger(book) -> list[tuple[Path, int | None, str]]:
    """Every problem of the ledger files: (path, line, message); for `hotline check`."""
    out: list[tuple[Path, int | None, str]] = []
    d = ledger_dir(book)
    if not d.exists():
        return out
    if not d.is_dir():
        return [(d, None, "'ledger' must be a folder of YYYY-MM.yaml files")]
    rules, roster = book.rules, book.roster
    awards = rules.points.get("awards") or {}
    penalties = rules.points.get("penalties") or {}
    for path in sorted(p for p in d.iterdir() if not p.name.startswith(".")):
        if path.is_dir() or path.suffix != ".yaml":
            if path.name not in (".gitkeep", "README.md"):
                out.append((path, None, "not a ledger file: the ledger holds only YYYY-MM.yaml files"))
            continue
        if _month_of(path) is None:
            out.append((path, None, f"ledger file name '{path.name}' is not YYYY-MM.yaml"))
            continue
        try:
            text = yamlio.read_text(path)
            entries = parse_ledger(text, path)
        except BookError as e:
            out.append((e.path or path, e.line, e.message))
            continue
        for i, (le, line) in enumerate(entries):
            where = f"entries[{i}]: "
            if roster.person(le.person) is None:
                out.append((path, line, f"{where}person '{le.person}' is not in roster.yaml"))
            if roster.person(le.by) is None:
                out.append((path, line, f"{where}by '{le.by}' is not in roster.yaml"))
            if le.item in pts.CASE_ITEMS:
                out.append((path, line, f"{where}item '{le.item}' comes from the cases automatically; "
                                        f"it must not be in the ledger"))
            elif le.item not in awards and le.item not in penalties:
                allowed = ", ".join([*awards, *penalties])
                out.append((path, line, f"{where}unknown item '{le.item}'; allowed: {allowed}"))
            else:
                try:
                    yuan = pts.per_yuan(rules, le.item)
                except BookError:
                    yuan = None
                if yuan is not None and le.amount is None:
                    out.append((path, line, f"{where}'{le.item}' needs 'amount' (in yuan)"))
                if yuan is None and le.amount is not None:
                    out.append((path, line, f"{where}'amount' applies only to donations, not to '{le.item}'"))
                sign = 1 if le.item in awards else -1
                if le.points * sign < 0:
                    kind = "an award" if sign > 0 else "a penalty"
                    out.append((path, line, f"{where}'{le.item}' is {kind}, but points is {le.points}"))
    return out


# ---------------------------------------------------------------- writing

@dataclass
class AddResult:
    entry: LedgerEntry
    path: Path
    commit: str
    message: str


def _items(rules, kind: str) -> dict[str, dict]:
    return rules.points.get("awards" if kind == "award" else "penalties") or {}


def resolve_item(rules, kind: str, value: str) -> str:
    """An award/penalty item by id or Chinese label (exact, then case-insensitive id)."""
    items = _items(rules, kind)
    v = str(value).strip()
    if v in items:
        return v
    for k, spec in items.items():
        if v == spec.get("label") or v.lower() == k.lower():
            return k
    # a label without its parenthesised part, e.g. 中心讲座 for 中心讲座(20人以上)
    short = [k for k, spec in items.items() if v and str(spec.get("label", "")).split("(")[0].split("（")[0] == v]
    if len(short) == 1:
        return short[0]
    allowed = ", ".join(f"{k} ({spec.get('label', k)})" for k, spec in items.items())
    what = "award item" if kind == "award" else "penalty item"
    hint = ""
    if v in pts.CASE_ITEMS:
        hint = f" ('{v}' comes from the cases automatically)"
    else:
        other = "penalize" if kind == "award" else "award"
        if v in _items(rules, other) or any(v == s.get("label") for s in _items(rules, other).values()):
            hint = f" ('{v}' is used with `hotline {other}`)"
    raise UsageError(f"unknown {what} '{value}'{hint}; allowed: {allowed}")


def make_entry(book, kind: str, person: str, item: str, on: date, by: str,
               count: int | None = None, amount: int | None = None, note: str = "") -> LedgerEntry:
    """Validate an award/penalty and compute its points; UsageError names the bad value. No I/O."""
    from .actions import clean_text

    p = book.roster.person(person)
    if p is None:
        known = ", ".join(x.id for x in book.roster.people)
        raise UsageError(f"unknown person '{person}'; people in roster.yaml: {known}")
    item_id = resolve_item(book.rules, kind, item)
    spec = _items(book.rules, kind)[item_id]
    label = spec.get("label", item_id)
    yuan = pts.per_yuan(book.rules, item_id)
    if count is not None and count < 1:
        raise UsageError(f"--count {count} is not allowed; give a whole number of times, 1 or more")
    if yuan is not None:
        if amount is None:
            raise UsageError(f"'{item_id}' ({label}) needs --amount YUAN (one point per whole {yuan} yuan)")
        if amount < 1:
            raise UsageError(f"--amount {amount} is not allowed; give the donation in whole yuan, 1 or more")
        if count is not None and count != 1:
            raise UsageError(f"--count does not apply to '{item_id}' ({label}); give the total with --amount")
        total = spec["points"] * (amount // yuan)
        n = 1
    else:
        if amount is not None:
            raise UsageError(f"--amount applies only to donations, not to '{item_id}' ({label})")
        n = count or 1
        total = spec["points"] * n
    return LedgerEntry(date=on, person=p.id, item=item_id, points=total, count=n, amount=amount,
                       note=clean_text(note, "--note", limit=MAX_NOTE), by=by)


def entry_to_dict(e: LedgerEntry) -> dict[str, Any]:
    d: dict[str, Any] = {"date": e.date.isoformat(), "person": e.person, "item": e.item, "points": e.points}
    if e.count != 1:
        d["count"] = e.count
    if e.amount is not None:
        d["amount"] = e.amount
    if e.note:
        d["note"] = e.note
    d["by"] = e.by
    return d


def _new_text(old: str | None, path: Path, old_entries: list[LedgerEntry], entry: LedgerEntry) -> str:
    """The file with `entry` appended: as text after the existing lines when that parses back to
    exactly old + new (comments and hand layout kept, a one-hunk diff), else a clean re-dump."""
    item = entry_to_dict(entry)
    if old is not None and old.strip():
        tail = yamlio.dump([item])
        candidate = (old if old.endswith("\n") else old + "\n") + tail
        try:
            back = [le for le, _ in parse_ledger(candidate, path)]
            if back == [*old_entries, entry]:
                return candidate
        except BookError:
            pass
    return yamlio.dump({"entries": [entry_to_dict(e) for e in old_entries] + [item]})


def add_entry(book, kind: str, person: str, item: str, on: date | None = None,
              count: int | None = None, amount: int | None = None, note: str = "") -> AddResult:
    """Record an award or a penalty: validate (UsageError, nothing written), then under the
    lock append it to ledger/YYYY-MM.yaml atomically and commit that file alone."""
    from .times import now

    if kind not in ("award", "penalty"):
        raise ValueError(kind)
    actor = book.actor()
    on = on or now(book.tz).date()
    entry = make_entry(book, kind, person, item, on, actor.id, count, amount, note)
    path = path_for(book, on)
    verb = "award" if kind == "award" else "penalize"
    extra = f" (x{entry.count})" if entry.count != 1 else ""
    message = f"{verb} {entry.person} {entry.item} {entry.points:+d}{extra}"
    with book.lock():
        old = yamlio.read_text(path) if path.exists() else None
        old_entries = [le for le, _ in parse_ledger(old, path)] if old is not None else []
        yamlio.atomic_write(path, _new_text(old, path, old_entries, entry))
        commit = book.commit([path], message, actor)
    return AddResult(entry, path, commit, message)


# ---------------------------------------------------------------- scoring a book

def _start_of(book, d: date) -> datetime:
    return datetime.combine(d, time(0, 0), tzinfo=book.tz)


def load_entries(book, start: date, end: date, problems: list[str] | None = None,
                 cases: list | None = None) -> list[pts.Entry]:
    """Every points entry dated start..end: derived from the cases as they stood at the end of
    `end` (or now, if earlier), plus the ledger's.  Broken files raise BookError, or with
    `problems` are named there and left out (never hiding the rest)."""
    from .times import now

    until = min(_start_of(book, end + timedelta(days=1)), now(book.tz))
    if cases is None:
        loaded: list = []
        cases = book.store.for_period(_start_of(book, start), until, loaded if problems is not None else None)
        if problems is not None:
            for lp in loaded:
                e = lp.error
                problems.append(f"{_rel(book, e.path or lp.path)}{':' + str(e.line) if e.line else ''}: "
                                f"{e.message} (this case is not counted)")
    found = pts.case_entries(cases, book.rules, book.calendar, until, since=_start_of(book, start), problems=problems)
    entries = [e for e in found if start <= e.date <= end]
    entries += read_ledger(book, start, end, problems)
    entries.sort(key=lambda e: (e.date, e.source))
    return entries


def score_month(book, year: int, month: int, problems: list[str] | None = None, cases: list | None = None) -> pts.Scores:
    """The month's scores and ranks, with warnings from the consecutive months before it.

    For the monthly bulletin: `from hotline.ledger import score_month`.  Pass `cases` when
    already loaded (book.store.all(problems=[])) to avoid reading them again.  Problems
    (broken files, calendar gaps) end up in `Scores.problems` as well as in `problems`.
    """
    back = pts.lookback(book.rules) - 1
    y0, m0 = pts.prev_month(year, month, back)
    start = pts.month_bounds(y0, m0)[0]
    end = pts.month_bounds(year, month)[1]
    probs: list[str] = [] if problems is None else problems
    entries = load_entries(book, start, end, probs, cases)
    s = pts.month_scores(entries, book.roster, book.rules, year, month)
    s.problems = list(probs)
    return s


def score_year(book, year: int, problems: list[str] | None = None, cases: list | None = None) -> pts.Scores:
    """The year's scores (start + the year's entries) and the top group to recommend."""
    probs: list[str] = [] if problems is None else problems
    entries = load_entries(book, date(year, 1, 1), date(year, 12, 31), probs, cases)
    s = pts.year_scores(entries, book.roster, book.rules, year)
    s.problems = list(probs)
    return s
