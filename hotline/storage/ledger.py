"""The points ledger's files (`ledger/YYYY-MM.yaml`): reading with `path:line` errors, and
appending an entry.  The arithmetic and the judgement of entries are in `domain/points.py`.

A ledger file holds the awards and penalties that do not come from cases:

    entries:
    - id: 3QX7K2M9
      date: '2026-11-05'
      person: li
      item: lecture_outreach
      points: 10
      by: wang
    - id: B8T0VN4C
      date: '2026-11-12'
      person: chen
      item: donation
      points: 3
      amount: 350
      note: 春节募捐
      by: xu

`id` is the entry's own (two offices' months merge by it); `count` (when not 1), `amount` (donations, in yuan) and `note` are optional; `points`
is the entry's total (item points × count, or one point per whole `per_yuan`).
"""
from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterator

from ..i18n import _
from ..domain import dates
from ..domain import points as pts
from ..domain.model import LedgerEntry
from ..errors import BookError
from . import ids, yamlio

LEDGER = "ledger"
FILE_RE = re.compile(r"^(\d{4})-(\d{2})\.yaml$")
KEYS = ("id", "date", "person", "item", "points", "count", "amount", "note", "by")


# ---------------------------------------------------------------- paths

def ledger_dir(root: Path) -> Path:
    return root / LEDGER


def path_for(root: Path, d: date) -> Path:
    return ledger_dir(root) / f"{d:%Y-%m}.yaml"


def rel(root: Path, path: Path) -> str:
    """A path as shown to people: relative to the book, with forward slashes."""
    try:
        return path.resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def month_of(path: Path) -> tuple[int, int] | None:
    m = FILE_RE.match(path.name)
    if not m or not 1 <= int(m.group(2)) <= 12 or not dates.FIRST_YEAR <= int(m.group(1)) <= dates.LAST_YEAR:
        return None
    return int(m.group(1)), int(m.group(2))


# ---------------------------------------------------------------- reading

def _entry_lines(text: str) -> list[int]:
    """1-based line of each item of the `entries:` list (one compose, not one per entry)."""
    import yaml  # only where a ledger file is read (a read without one imports no YAML)

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


def parse_ledger(text: str, path: Path) -> list[tuple[LedgerEntry, int | None]]:
    """The entries of one ledger file, each with its line; structure errors are BookErrors with path:line.

    Checks shape and types, and that every date lies in the file's month (so a month's
    score reads one file).  Roster and rules references are judged by `points.entry_problems`.
    """
    data = yamlio.load_text(text, path)
    if data is None:
        return []
    if not isinstance(data, dict):
        raise BookError(_("a ledger file must be a mapping with an 'entries:' list"), path, 1)
    extra = [k for k in data if k != "entries"]
    if extra:
        raise BookError(_("unknown key '{value}'; a ledger file holds only 'entries:'").format(value=extra[0]), path,
                        yamlio.line_of(text, [extra[0]]))
    raw = data.get("entries")
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise BookError(_("'entries' must be a list of {date, person, item, points, by}"), path, yamlio.line_of(text, ["entries"]))
    lines = _entry_lines(text)
    month = month_of(path)
    out = [(_entry(text, path, i, e, month), lines[i] if i < len(lines) else None) for i, e in enumerate(raw)]
    give_ids([le for le, _line in out])
    return out


def give_ids(entries: list[LedgerEntry]) -> None:
    """Entries written before ids existed get one derived from their content and their place
    among identical ones, so clones that upgrade separately agree."""
    seen: dict[tuple, int] = {}
    for e in entries:
        if e.id:
            continue
        content = (e.date.isoformat(), e.person, e.item, e.points, e.count, e.amount, e.note, e.by)
        n = seen.get(content, 0)
        seen[content] = n + 1
        e.id = ids.content_id("ledger", *content, n)


def _entry(text: str, path: Path, i: int, e: Any, month: tuple[int, int] | None) -> LedgerEntry:
    def fail(msg: str, key: str | None = None) -> BookError:
        return BookError(_("entries[{i}]: {msg}").format(i=i, msg=msg), path, yamlio.line_of(text, ["entries", i] + ([key] if key else [])))

    if not isinstance(e, dict):
        raise fail(_("must be a mapping (date, person, item, points, by)"))
    for k in e:
        if k not in KEYS:
            raise fail(_("unknown key '{k}'; allowed: {items}").format(k=k, items=', '.join(KEYS)), str(k))
    for k in ("date", "person", "item", "points", "by"):
        if e.get(k) is None:
            raise fail(_("missing '{k}'").format(k=k))
    d = e["date"]
    if isinstance(d, datetime):
        raise fail(_("date {d} is a time; write the day as 'YYYY-MM-DD'").format(d=d), _("date"))
    if isinstance(d, str):
        try:
            d = date.fromisoformat(d)
        except ValueError:
            raise fail(_("date '{date}' is not a date; write 'YYYY-MM-DD'").format(date=e['date']), _("date")) from None
    if not isinstance(d, date):
        raise fail(_("date {date!r} is not a date; write 'YYYY-MM-DD'").format(date=e['date']), _("date"))
    if not dates.in_range(d):
        raise fail(_("date {isoformat} is outside the dates a book holds ({RANGE_TEXT})").format(isoformat=d.isoformat(), RANGE_TEXT=dates.range_text()), _("date"))
    if month is not None and (d.year, d.month) != month:
        raise fail(_("date {isoformat} is not in {value:04d}-{value2:02d}; move the entry to ledger/{d:%Y-%m}.yaml").format(isoformat=d.isoformat(), value=month[0], value2=month[1], d=d), _("date"))
    for k in ("person", "item", "by"):
        if not isinstance(e[k], str) or not e[k].strip():
            raise fail(_("'{k}' must be an id (text), not {value!r}").format(k=k, value=e[k]), k)
    note = e.get("note", "")
    if note is None:
        note = ""
    if not isinstance(note, str):
        raise fail(_("'note' must be text, not {note!r}").format(note=note), _("note"))

    def whole(k: str, minimum: int | None, default: Any) -> Any:
        v = e.get(k, default)
        if v is default:
            return v
        if not isinstance(v, int) or isinstance(v, bool) or (minimum is not None and v < minimum):
            more = f" ≥ {minimum}" if minimum is not None else ""
            raise fail(_("'{k}' must be a whole number{more}, not {v!r}").format(k=k, more=more, v=v), k)
        return v

    eid = e.get("id")
    if eid is not None and not (isinstance(eid, str) and ids.ENTRY_ID_RE.match(eid)):
        raise fail(_("entry id {id!r} is not 8 letters and digits (like 7K3M9QX2)").format(id=eid), "id")
    return LedgerEntry(date=d, person=e["person"], item=e["item"], points=whole("points", None, None),
                       count=whole("count", 1, 1), amount=whole("amount", 1, None), note=note, by=e["by"], id=eid)


def read_file(path: Path) -> list[tuple[LedgerEntry, int | None]]:
    return parse_ledger(yamlio.read_text(path), path)


def read_entries(root: Path, start: date, end: date, problems: list[str] | None = None) -> list[pts.Entry]:
    """The ledger entries dated start..end, as points entries with `ledger/YYYY-MM.yaml:<line>` sources.

    A broken file raises BookError, or, with `problems`, is named there and skipped.
    """
    out: list[pts.Entry] = []
    for y, m in dates.months_between(start, end):
        path = ledger_dir(root) / f"{dates.text(y, m)}.yaml"
        if not path.exists() and not path.is_symlink():
            continue
        try:
            entries = read_file(path)
        except BookError as e:
            if problems is None:
                raise
            problems.append(_("{rel}{value}: {message} (this file's entries are not counted)").format(rel=rel(root, e.path or path), value=':' + str(e.line) if e.line else '', message=e.message))
            continue
        where = rel(root, path)
        for le, line in entries:
            if start <= le.date <= end:
                out.append(pts.from_ledger(le, f"{where}:{line}" if line else where))
    return out


def scan(root: Path) -> Iterator[tuple[Path, int | None, str | None, list[tuple[LedgerEntry, int | None]]]]:
    """Every file in ledger/: (path, line, problem, entries) — a problem with no entries for a
    file that is not a readable ledger file, else no problem and the file's entries."""
    d = ledger_dir(root)
    if not d.exists():
        return
    if not d.is_dir():
        yield d, None, _("'ledger' must be a folder of YYYY-MM.yaml files"), []
        return
    for path in sorted(p for p in d.iterdir() if not p.name.startswith(".")):
        if path.is_dir() or path.suffix != ".yaml":
            if path.name not in (".gitkeep", "README.md"):
                yield path, None, _("not a ledger file: the ledger holds only YYYY-MM.yaml files"), []
            continue
        if month_of(path) is None:
            yield path, None, _("ledger file name '{name}' is not YYYY-MM.yaml").format(name=path.name), []
            continue
        try:
            entries = read_file(path)
        except BookError as e:
            yield e.path or path, e.line, e.message, []
            continue
        yield path, None, None, entries


# ---------------------------------------------------------------- writing

def entry_to_dict(e: LedgerEntry) -> dict[str, Any]:
    d: dict[str, Any] = {"id": e.id} if e.id else {}
    d.update(date=e.date.isoformat(), person=e.person, item=e.item, points=e.points)
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


def append(root: Path, entry: LedgerEntry) -> Path:
    """Append `entry` to its month's file, atomically (call under the book's write lock)."""
    path = path_for(root, entry.date)
    entry.id = entry.id or ids.new_entry_id()
    yamlio.real_folder(root, path.parent)
    yamlio.clear_leftovers(path.parent)
    old = yamlio.read_text(path) if path.exists() else None
    old_entries = [le for le, _ in parse_ledger(old, path)] if old is not None else []
    yamlio.atomic_write(path, _new_text(old, path, old_entries, entry), root)
    return path
