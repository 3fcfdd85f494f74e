"""Leave requests' files (`leave/YYYY.yaml`, the year of the first day away): reading with
`path:line` errors, and appending a request.  The rules (lateness, the roster) are in
`domain/leave.py`.

    entries:
    - id: 261120-A3K7Q
      person: li
      from: '2026-11-25'
      to: '2026-11-27'
      requested: '2026-11-20T10:00:00+08:00'
      by: li
      late: true
      reason: 家中有事

`late` is written only when the request came later than the notice (`leave: notice_days`
in rules.yaml, judged when it was recorded); `reason` only when given.  The id is made like a
case id from the time of the request, so two clones never give the same one.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterator

from ..domain import dates
from ..domain.leave import MAX_DAYS, Leave
from ..errors import BookError
from ..i18n import _
from . import yamlio

LEAVE = "leave"
FILE_RE = re.compile(r"^(\d{4})\.yaml$")
KEYS = ("id", "person", "from", "to", "requested", "by", "late", "reason")


def path_for(root: Path, year: int) -> Path:
    return root / LEAVE / f"{year:04d}.yaml"


def _day(fail, e: dict, key: str) -> date:
    v = e.get(key)
    if isinstance(v, str):
        try:
            v = date.fromisoformat(v.strip())
        except ValueError:
            pass
    if not isinstance(v, date) or isinstance(v, datetime) or not dates.in_range(v):
        raise fail(_("'{key}' must be a date 'YYYY-MM-DD' ({range}), not {value}").format(
            key=key, range=dates.RANGE_TEXT, value=repr(e.get(key))), key)
    return v


def _entry(text: str, path: Path, i: int, e: Any) -> Leave:
    def fail(msg: str, key: str | None = None) -> BookError:
        return BookError(f"entries[{i}]: {msg}", path, yamlio.line_of(text, ["entries", i] + ([key] if key else [])))

    if not isinstance(e, dict):
        raise fail(_("must be a mapping (id, person, from, to, requested, by)"))
    for k in e:
        if k not in KEYS:
            raise fail(_("unknown key '{key}'; allowed: {allowed}").format(key=k, allowed=", ".join(KEYS)), str(k))
    for k in ("id", "person", "by"):
        if not isinstance(e.get(k), str) or not e[k].strip():
            raise fail(_("'{key}' must be an id (text), not {value}").format(key=k, value=repr(e.get(k))), k)
    req = e.get("requested")
    try:
        req = datetime.fromisoformat(req) if isinstance(req, str) else req
    except ValueError:
        pass
    if not isinstance(req, datetime) or req.tzinfo is None or not dates.in_range(req):
        raise fail(_("'requested' must be a time with its UTC offset, not {value}").format(
            value=repr(e.get("requested"))), "requested")
    if not isinstance(e.get("late", False), bool) or not isinstance(e.get("reason", "") or "", str):
        raise fail(_("'late' must be true or false and 'reason' text"))
    start, end = _day(fail, e, "from"), _day(fail, e, "to")
    if (end - start).days >= MAX_DAYS:
        raise fail(_("a leave of more than {days} days").format(days=MAX_DAYS), "to")
    return Leave(id=e["id"], person=e["person"], start=start, end=end, requested=req, by=e["by"],
                 late=e.get("late", False), reason=e.get("reason") or "")


def parse(text: str, path: Path) -> list[Leave]:
    """The requests of one file; a structure error is a BookError with its path and line."""
    data = yamlio.load_text(text, path)
    if data is None:
        return []
    if not isinstance(data, dict) or set(data) - {"entries"}:
        raise BookError(_("a leave file must be a mapping with one key, 'entries:'"), path, 1)
    raw = data.get("entries") or []
    if not isinstance(raw, list):
        raise BookError(_("'entries' must be a list of leave requests"), path, yamlio.line_of(text, ["entries"]))
    return [_entry(text, path, i, e) for i, e in enumerate(raw)]


def read(root: Path, first: date, last: date) -> list[Leave]:
    """Every request that overlaps first..last (from the files of the years it can be in)."""
    out: list[Leave] = []
    for year in range(first.year - 1, last.year + 1):  # a leave can start the year before
        path = path_for(root, year)
        if path.exists() or path.is_symlink():
            out += [x for x in parse(yamlio.read_text(path), path) if x.overlaps(first, last)]
    return sorted(out, key=lambda x: (x.start, x.person, x.id))


def scan(root: Path) -> Iterator[tuple[Path, str | None, int | None, str | None, list[Leave]]]:
    """Every file in leave/: (path, text, line, problem, requests) — a problem for a file that is
    not a readable leave file, else its requests."""
    folder = root / LEAVE
    if not folder.is_dir():
        return
    for path in sorted(p for p in folder.iterdir() if not p.name.startswith(".")):
        m = FILE_RE.match(path.name)
        if path.is_dir() or not m or not dates.FIRST_YEAR <= int(m.group(1)) <= dates.LAST_YEAR:
            yield path, None, None, _("not a leave file: leave/ holds only YYYY.yaml files"), []
            continue
        try:
            text = yamlio.read_text(path)
            found = parse(text, path)
        except BookError as e:
            yield e.path or path, None, e.line, e.message, []
            continue
        bad = [x for x in found if x.start.year != int(m.group(1))]
        for x in bad:
            yield path, text, None, _("leave {id} starts in {year}: move it to leave/{year}.yaml").format(
                id=x.id, year=x.start.year), []
        yield path, text, None, None, found


def to_dict(x: Leave) -> dict[str, Any]:
    d: dict[str, Any] = {"id": x.id, "person": x.person, "from": x.start.isoformat(), "to": x.end.isoformat(),
                         "requested": x.requested.isoformat(timespec="seconds"), "by": x.by}
    if x.late:
        d["late"] = True
    if x.reason:
        d["reason"] = x.reason
    return d


def append(root: Path, leave: Leave) -> Path:
    """Add a request to its year's file, atomically (call under the book's write lock): the
    new entry is appended as text, so comments and hand layout stay and the diff is one hunk."""
    path = path_for(root, leave.start.year)
    yamlio.real_folder(root, path.parent)
    yamlio.clear_leftovers(path.parent)
    old = yamlio.read_text(path) if path.exists() else ""
    before = parse(old, path) if old.strip() else []  # a broken file is named, never overwritten
    text = yamlio.dump({"entries": [to_dict(x) for x in [*before, leave]]})
    if old.strip():
        candidate = (old if old.endswith("\n") else old + "\n") + yamlio.dump([to_dict(leave)])
        try:
            if parse(candidate, path) == [*before, leave]:
                text = candidate
        except BookError:
            pass  # the hand layout does not take a plain append: write the file afresh
    yamlio.atomic_write(path, text, root)
    return path
