"""Merging two offices' versions of a case file, a ledger file or a leave file (git's merge driver).

Cases, ledger files and leave files are append-only lists of entries with stable ids, so two
clones' changes are a union, not a conflict (git-bug's idea, at file granularity):

- events (ledger entries, leave requests) of both sides are kept, once each by id, in time
  order — each side's own order kept, ties between the sides broken by id, so both offices
  compute the very same file;
- a field of the registration form changed on one side only takes that side's value; changed
  differently on both sides, it is kept as a *named conflict* inside the file (`conflicts:`,
  every value kept, the field holding the first in a fixed order) — `hotline check` names it,
  `hotline resolve CASE` settles it by a choice;
- the encrypted personal block changed on both sides (an edit racing a `rekey`) is merged from
  its decrypted contents when a key is at hand (`open_personal`), else kept as a named conflict
  of its ciphertexts.

Nothing here decides a rule of the spec: what a merged case means (the first close counts,
a follow-up after a close stays in the history) is read by the domain as usual.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

from ..domain.model import CONFLICT_FIELDS, Case, Event, Personal
from ..errors import BookError
from . import approvals, calls, casefile, leave, ledger, yamlio

CLEAR_FIELDS = tuple(f for f in CONFLICT_FIELDS if f != "personal")
PERSONAL = "personal"

# (armor of one side, armor of the other, armor of the ancestor or None) -> merged Personal, or None
OpenPersonal = Callable[[Personal, Personal, "Personal | None"], "Personal | None"]


class NotMergeable(Exception):
    """A version is not a readable case or ledger file: fall back to git's line merge."""


def _key(value: Any) -> str:
    return repr(value)


def three_way(base: Any, ours: Any, theirs: Any) -> tuple[Any, list | None]:
    """(merged value, None) — or (a value, every value) when both sides changed it differently."""
    if _key(ours) == _key(theirs):
        return ours, None
    if _key(ours) == _key(base):
        return theirs, None
    if _key(theirs) == _key(base):
        return ours, None
    values = sorted([ours, theirs], key=_key)
    return values[0], values


def distinct_events(base: list, *sides: list) -> tuple[list[list], list[tuple[str, str]]]:
    """An event id (a ledger entry's, a leave request's) names one event forever.  When versions under one id differ — an event changed
    by hand, or another office reusing an id for a new event — every version is kept: the
    ancestor's (else the first in a fixed order) keeps the id, each other version gets an id
    derived from its content (so every office computes the same one), and exact repeats are
    dropped.  Returns the sides so fixed and (old id, new id) for each version that moved."""
    from . import ids

    in_base: dict[str, str] = {}
    for e in base:
        if e.id:
            in_base.setdefault(e.id, _key(e))  # the first under an id is the one that had it
    versions: dict[str, set[str]] = {}
    for side in sides:
        for e in side:
            if e.id:
                versions.setdefault(e.id, set()).add(_key(e))
    keeper = {eid: (in_base[eid] if in_base.get(eid) in vs else min(vs))
              for eid, vs in versions.items() if len(vs) > 1}
    moved: dict[tuple[str, str], str] = {}
    out = []
    for side in sides:
        fixed: list[Event] = []
        seen: set[tuple[str | None, str]] = set()
        for e in side:
            k = _key(e)
            if e.id in keeper and k != keeper[e.id]:
                new = moved.setdefault((e.id, k), ids.content_id("moved", e.id, k))
                e = replace(e, id=new)
            if e.id and (e.id, _key(e)) in seen:
                continue  # the same event twice in one file
            seen.add((e.id, _key(e)))
            fixed.append(e)
        out.append(fixed)
    return out, sorted((old, new) for (old, _k), new in moved.items())


def _events(ours: list[Event], theirs: list[Event], late: frozenset = frozenset()) -> list[Event]:
    """Every event of both sides once (by id), in time order.

    The events both sides hold come first, in their order; then each side's new events, merged
    by their heads (earlier first, equal times by id) so that each side keeps its own order — an
    intake stays before its escalation, a close before its revisit — and either office computes
    the same list.  A stable sort by time finally places anything typed with an earlier --at.
    Versions that moved to an id of their own (`late`) come after the events of their time, so
    an event and its rewritten copy keep their order (the first close counts)."""
    in_theirs = {e.id for e in theirs}
    in_ours = {e.id for e in ours}
    common = [e for e in ours if e.id in in_theirs]
    a = [e for e in ours if e.id not in in_theirs]
    b = [e for e in theirs if e.id not in in_ours]
    merged: list[Event] = []
    i = j = 0
    while i < len(a) or j < len(b):
        if j >= len(b) or (i < len(a) and (a[i].at, a[i].id in late, a[i].id or "")
                           <= (b[j].at, b[j].id in late, b[j].id or "")):
            merged.append(a[i])
            i += 1
        else:
            merged.append(b[j])
            j += 1
    return sorted(common + merged, key=lambda e: e.at)


def merge_cases(base: Case | None, ours: Case, theirs: Case, open_personal: OpenPersonal | None = None,
                notes: list | None = None) -> Case:
    """The union of two versions of one case (see the module docstring); events that shared an
    id with another version are added to `notes` as (case id, old id, new id)."""
    if ours.id != theirs.id:
        raise NotMergeable(f"two different cases: {ours.id} / {theirs.id}")
    if base is None and ours.events[0].id != theirs.events[0].id:
        raise NotMergeable(f"two different cases took the same id {ours.id}")
    conflicts = _open_conflicts(base, ours, theirs)
    merged = replace(ours)
    for name in CLEAR_FIELDS:
        value, clash = three_way(getattr(base, name) if base else getattr(ours, name), getattr(ours, name),
                                  getattr(theirs, name))
        setattr(merged, name, value)
        if clash is not None:
            old = conflicts.get(name, {}).get("values", [])
            conflicts[name] = {"values": sorted({_key(v): v for v in [*old, *clash]}.values(), key=_key)}
    merged.personal = _personal(base, ours, theirs, conflicts, open_personal)
    (a, b), moved = distinct_events(base.events if base else [], ours.events, theirs.events)
    if moved and notes is not None:
        notes += [(ours.id, old, new) for old, new in moved]
    merged.events = _events(a, b, frozenset(new for _old, new in moved))
    merged.conflicts = conflicts or None
    return merged


def _open_conflicts(base: Case | None, ours: Case, theirs: Case) -> dict[str, dict]:
    """The named conflicts that stay open: those either side named since the ancestor, and those
    both still hold — one settled by `hotline resolve` on one side is settled."""
    before = (base.conflicts or {}) if base else {}
    a, b = ours.conflicts or {}, theirs.conflicts or {}
    out: dict[str, dict] = {}
    for name in sorted({*a, *b}):
        if name in before and (name not in a or name not in b):
            continue  # resolved on one side
        values = [*a.get(name, {}).get("values", []), *b.get(name, {}).get("values", [])]
        out[name] = {"values": sorted({_key(v): v for v in values}.values(), key=_key)}
    return out


def _personal(base: Case | None, ours: Case, theirs: Case, conflicts: dict,
              open_personal: OpenPersonal | None) -> Personal | None:
    a, b, o = ours.personal, theirs.personal, base.personal if base else None
    value, clash = three_way(o, a, b)
    if clash is None:
        return value
    erased = next((p for p in (a, b) if p is not None and p.armor is None), None)
    if erased is not None:
        return erased   # an erasure always wins: the other side's block is encrypted to a destroyed key
    if a is not None and b is not None and open_personal is not None:
        opened = open_personal(a, b, o)
        if opened is not None:
            return opened
    armors = sorted({p.armor: p for p in clash if p is not None}.values(), key=lambda p: p.armor)
    conflicts[PERSONAL] = {"values": [p.armor for p in armors]}
    return armors[0] if armors else None


def merge_entries(base: list, ours: list, theirs: list, order: Callable[[Any], Any], notes: list | None = None) -> list:
    """Every ledger entry (or leave request) of both sides once (by id), in `order`, ties by id;
    two different entries under one id are both kept (`distinct_events`)."""
    (ours, theirs), moved = distinct_events(base, ours, theirs)
    if moved and notes is not None:
        notes += [(None, old, new) for old, new in moved]
    by_id: dict[str, Any] = {}
    for e in [*ours, *theirs]:
        by_id.setdefault(e.id or "", e)
    return sorted(by_id.values(), key=lambda e: (order(e), e.id or ""))


# ---------------------------------------------------------------- files

def _read(path: Path | None, parse) -> Any:
    if path is None or not path.exists():
        return None
    try:
        text = yamlio.read_bytes(path).decode("utf-8")
    except (UnicodeDecodeError, BookError) as e:
        raise NotMergeable(str(e)) from None
    if not text.strip():
        return None
    try:
        return parse(text, path)
    except BookError as e:
        raise NotMergeable(str(e)) from None


class _Entries:
    """How a file of entries with ids reads, writes and orders them (ledger months, leave years,
    call counts): the one table every merge and `kept_text` use."""

    def __init__(self, parse, dump, order):
        self.parse, self.dump, self.order = parse, dump, order


ENTRY_FILES: dict[str, _Entries] = {
    "ledger": _Entries(lambda text, path: [le for le, _l in ledger.parse_ledger(text, path)],
                       lambda xs: yamlio.dump({"entries": [ledger.entry_to_dict(e) for e in xs]}), lambda e: e.date),
    "leave": _Entries(leave.parse, lambda xs: yamlio.dump({"entries": [leave.to_dict(x) for x in xs]}),
                      lambda x: x.requested),
    "calls": _Entries(calls.parse, lambda xs: yamlio.dump({"entries": [calls.to_dict(x) for x in xs]}), calls.order),
    "approvals": _Entries(approvals.parse, approvals.dump, approvals.order),   # a director's signed approvals of readers
}
APPEND_ONLY = ("case", *ENTRY_FILES)                  # files nobody deletes and whose events stay (kind_of)
APPEND_ONLY_FOLDERS = ("cases", "ledger", leave.LEAVE, calls.CALLS, approvals.APPROVALS.parent.as_posix())


def merge_file(base: Path | None, ours: Path, theirs: Path, kind: str,
               open_personal: OpenPersonal | None = None, notes: list | None = None) -> str:
    """The merged text of a case file (`kind` "case") or a file of entries (`ENTRY_FILES`: ledger,
    leave, calls); NotMergeable when a side is not such a file."""
    if kind == "case":
        b, a, t = (_read(p, casefile.parse_case) for p in (base, ours, theirs))
        if a is None or t is None:
            raise NotMergeable("one side is empty")
        return casefile.dump_case(merge_cases(b, a, t, open_personal, notes))
    how = ENTRY_FILES.get(kind)
    if how is None:
        raise NotMergeable(f"not a file hotline merges: {kind}")
    b, a, t = (_read(p, how.parse) or [] for p in (base, ours, theirs))
    return how.dump(merge_entries(b, a, t, order=how.order, notes=notes))


def merge_key_lines(base: str | None, ours: str, theirs: str) -> str:
    """keys/recipients.txt of both sides: the public keys both keep, and those either added
    (three-way over sets: a key one side removed stays removed)."""
    def keys(text: str | None) -> set[str]:
        return {ln.strip() for ln in (text or "").splitlines() if ln.strip().startswith("age1")}

    o, a, b = keys(base), keys(ours), keys(theirs)
    merged = (a & b) | (a - o) | (b - o)
    head = "".join(ln + "\n" for ln in ours.splitlines() if ln.startswith("#"))
    return head + "".join(f"{k}\n" for k in sorted(merged))


def kind_of(path: str) -> str | None:
    """'case' for cases/YYYY/MM/*.yaml, 'ledger' for ledger/YYYY-MM.yaml, 'leave' for
    leave/YYYY.yaml, 'caller-key' for keys/caller-key.age, 'recipients' for keys/recipients.txt,
    'approvals' for keys/approvals.yaml, else None."""
    parts = path.replace("\\", "/").split("/")
    if len(parts) >= 4 and parts[-4] == "cases" and parts[-1].endswith(".yaml"):
        return "case"
    if len(parts) >= 2 and parts[-2] == "ledger" and ledger.FILE_RE.match(parts[-1]):
        return "ledger"
    if len(parts) >= 2 and parts[-2] == leave.LEAVE and leave.FILE_RE.match(parts[-1]):
        return "leave"
    if len(parts) >= 2 and parts[-2] == calls.CALLS and calls.FILE_RE.match(parts[-1]):
        return "calls"
    if len(parts) >= 2 and parts[-2] == "keys" and parts[-1] == "caller-key.age":
        return "caller-key"
    if len(parts) >= 2 and parts[-2] == "keys" and parts[-1] == "recipients.txt":
        return "recipients"
    if len(parts) >= 2 and parts[-2] == "keys" and parts[-1] == approvals.APPROVALS.name:
        return "approvals"
    return None


def split_markers(text: str) -> tuple[str, str, str | None] | None:
    """A file git left with conflict markers, as (ours, theirs, base or None); None without markers."""
    ours, theirs, base, where = [], [], [], "both"
    found = False
    for line in text.splitlines(keepends=True):
        if line.startswith("<<<<<<<"):
            where, found = "ours", True
        elif line.startswith("|||||||") and where == "ours":
            where = "base"
        elif line.startswith("=======") and where in ("ours", "base"):
            where = "theirs"
        elif line.startswith(">>>>>>>") and where == "theirs":
            where = "both"
        elif where == "both":
            ours.append(line)
            theirs.append(line)
            base.append(line)
        else:
            {"ours": ours, "theirs": theirs, "base": base}[where].append(line)
    if not found:
        return None
    return "".join(ours), "".join(theirs), "".join(base) if base else None


def kept_text(kind: str, before: str, after: str, path: Path) -> tuple[str | None, list]:
    """What arrived (`after`) against what this office had (`before`) for a case, ledger or leave
    file: every event or entry this office had is still there, unchanged — events are never
    removed nor rewritten.  Returns (the text to write instead, or None when `after` keeps them
    all; the (case id, old id, new id) of versions that moved to their own id).  The fields of
    the form take `after`'s values (a change there is a correction, recorded as such)."""
    notes: list = []
    if kind == "case":
        b, a = casefile.parse_case(before, path), casefile.parse_case(after, path)
        have = {(e.id, _key(e)) for e in a.events}
        ids_after = [e.id for e in a.events]
        if all((e.id, _key(e)) in have for e in b.events) and len(set(ids_after)) == len(ids_after):
            return None, []
        return casefile.dump_case(merge_cases(b, b, a, None, notes)), notes
    how = ENTRY_FILES.get(kind)
    if how is None:
        return None, []
    parse = lambda text: how.parse(text, path) if text.strip() else []  # noqa: E731
    b, a = parse(before) or [], parse(after) or []
    have = {(e.id, _key(e)) for e in a}
    ids_after = [e.id for e in a]
    if all((e.id, _key(e)) in have for e in b) and len(set(ids_after)) == len(ids_after):
        return None, []
    return how.dump(merge_entries(b, b, a, how.order, notes)), notes
