"""Merging two offices' versions of a case file or a ledger file (git's merge driver).

Cases and ledger files are append-only lists of entries with stable ids, so two clones'
changes are a union, not a conflict (git-bug's idea, at file granularity):

- events (and ledger entries) of both sides are kept, once each by id, in time order — ties
  broken by id, so both offices compute the very same file;
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

from ..domain.model import CONFLICT_FIELDS, Case, Event, LedgerEntry, Personal
from ..errors import BookError
from . import casefile, ledger, yamlio

CLEAR_FIELDS = tuple(f for f in CONFLICT_FIELDS if f != "personal")
PERSONAL = "personal"

# (armor of one side, armor of the other, armor of the ancestor or None) -> merged Personal, or None
OpenPersonal = Callable[[Personal, Personal, "Personal | None"], "Personal | None"]


class NotMergeable(Exception):
    """A version is not a readable case or ledger file: fall back to git's line merge."""


def _key(value: Any) -> str:
    return repr(value)


def _three_way(base: Any, ours: Any, theirs: Any) -> tuple[Any, list | None]:
    """(merged value, None) — or (a value, every value) when both sides changed it differently."""
    if _key(ours) == _key(theirs):
        return ours, None
    if _key(ours) == _key(base):
        return theirs, None
    if _key(theirs) == _key(base):
        return ours, None
    values = sorted([ours, theirs], key=_key)
    return values[0], values


def _events(base: list[Event], ours: list[Event], theirs: list[Event]) -> list[Event]:
    """Every event of both sides once (by id), in time order, ties by id."""
    by_id: dict[str, Event] = {}
    for e in [*ours, *theirs]:
        by_id.setdefault(e.id or "", e)
    return sorted(by_id.values(), key=lambda e: (e.at, e.id or ""))


def merge_cases(base: Case | None, ours: Case, theirs: Case, open_personal: OpenPersonal | None = None) -> Case:
    """The union of two versions of one case (see the module docstring)."""
    if ours.id != theirs.id:
        raise NotMergeable(f"two different cases: {ours.id} / {theirs.id}")
    conflicts: dict[str, dict] = {}
    for name, rec in {**(ours.conflicts or {}), **(theirs.conflicts or {})}.items():
        conflicts[name] = rec  # conflicts already named on either side stay until resolved
    merged = replace(ours)
    for name in CLEAR_FIELDS:
        value, clash = _three_way(getattr(base, name) if base else getattr(ours, name), getattr(ours, name),
                                  getattr(theirs, name))
        setattr(merged, name, value)
        if clash is not None:
            old = conflicts.get(name, {}).get("values", [])
            conflicts[name] = {"values": sorted({_key(v): v for v in [*old, *clash]}.values(), key=_key)}
    merged.personal = _personal(base, ours, theirs, conflicts, open_personal)
    merged.events = _events(base.events if base else [], ours.events, theirs.events)
    merged.conflicts = conflicts or None
    return merged


def _personal(base: Case | None, ours: Case, theirs: Case, conflicts: dict,
              open_personal: OpenPersonal | None) -> Personal | None:
    a, b, o = ours.personal, theirs.personal, base.personal if base else None
    value, clash = _three_way(o, a, b)
    if clash is None:
        return value
    if a is not None and b is not None and open_personal is not None:
        opened = open_personal(a, b, o)
        if opened is not None:
            return opened
    armors = sorted({p.armor: p for p in clash if p is not None}.values(), key=lambda p: p.armor)
    conflicts[PERSONAL] = {"values": [p.armor for p in armors]}
    return armors[0] if armors else None


def merge_entries(base: list[LedgerEntry], ours: list[LedgerEntry], theirs: list[LedgerEntry]) -> list[LedgerEntry]:
    """Every ledger entry of both sides once (by id), by date, ties by id."""
    by_id: dict[str, LedgerEntry] = {}
    for e in [*ours, *theirs]:
        by_id.setdefault(e.id or "", e)
    return sorted(by_id.values(), key=lambda e: (e.date, e.id or ""))


# ---------------------------------------------------------------- files

def _read(path: Path | None, parse) -> Any:
    if path is None:
        return None
    text = yamlio.read_bytes(path).decode("utf-8", "replace") if path.exists() else ""
    if not text.strip():
        return None
    try:
        return parse(text, path)
    except BookError as e:
        raise NotMergeable(str(e)) from None


def merge_file(base: Path, ours: Path, theirs: Path, kind: str, open_personal: OpenPersonal | None = None) -> str:
    """The merged text of a case file (`kind` "case") or a ledger file ("ledger")."""
    if kind == "case":
        b, a, t = (_read(p, casefile.parse_case) for p in (base, ours, theirs))
        if a is None or t is None:
            raise NotMergeable("one side is empty")
        return casefile.dump_case(merge_cases(b, a, t, open_personal))
    b, a, t = (_read(p, lambda text, path: [le for le, _l in ledger.parse_ledger(text, path)]) or []
               for p in (base, ours, theirs))
    return yamlio.dump({"entries": [ledger.entry_to_dict(e) for e in merge_entries(b, a, t)]})


def kind_of(path: str) -> str | None:
    """'case' for cases/YYYY/MM/*.yaml, 'ledger' for ledger/YYYY-MM.yaml, else None."""
    parts = path.replace("\\", "/").split("/")
    if len(parts) >= 4 and parts[-4] == "cases" and parts[-1].endswith(".yaml"):
        return "case"
    if len(parts) >= 2 and parts[-2] == "ledger" and ledger.FILE_RE.match(parts[-1]):
        return "ledger"
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
