"""Erasure, retention and legal hold (SPEC §7), as writes.

`erase` destroys a case's data key in the key store (a record `erased/…` that wins every merge),
drops the caller's link once no case of theirs keeps data, takes the ciphertext out of the case
file and appends an `erase` event (who, when, why).  The coded fields and the random caller id
stay, so every statistic of past months is unchanged.  `hold` keeps a case out of retention
until `release`.  Only the people the line trusts with every case (`access: all:`, by default
the directors and the secretary) may do any of it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from . import keyring
from ..book import Book
from ..domain import retention
from ..domain.cases import clear_text
from ..domain.model import Case, Event, Person, Personal
from ..errors import UsageError
from ..i18n import _
from ..storage import ids, keystore
from ..storage.casefile import utc_text


@dataclass
class EraseResult:
    cases: list[str]
    commit: str | None
    legacy: list[str] = field(default_factory=list)   # written before per-case keys: history still holds them
    links: int = 0                                    # callers' links dropped


def _require_keeper(book: Book, what: str) -> Person:
    """The acting person holds a role that reads every case (`access: all:`)."""
    actor = book.actor()
    allowed = book.rules.lines.access.all_roles
    if not any(r in allowed for r in actor.roles):
        raise UsageError(_("{person} may not {what}: only {roles} may (rules.yaml `access: all:`)")
                         .format(person=actor.id, what=what, roles=", ".join(allowed) or _("nobody")))
    return actor


def _at(book: Book, case: Case) -> datetime:
    """Now, or the case's last event if that is later (events stay in order)."""
    now = book.record_time(None)
    return max(now, max(e.at for e in case.events))


def due(book: Book) -> list[Case]:
    """Every case whose personal data is past the retention period and not on hold."""
    years, now = book.rules.lines.retention_years, book.now
    cases = book.store.query("retained_from <= ?", (utc_text(retention.threshold(years, now)),), problems=[],
                             include_void=True, fallback=lambda c: retention.erase_due(c, years, now))
    return sorted((c for c in cases if retention.erase_due(c, years, now)), key=lambda c: c.id)


def due_count(book: Book, cases: list[Case] | None = None) -> int:
    """How many cases are past the retention period (what `report` and `check` remind of): one indexed
    question, or counted among `cases` (those with a personal block) when they are at hand."""
    years, now = book.rules.lines.retention_years, book.now
    if cases is not None:
        return sum(1 for c in cases if retention.erase_due(c, years, now))
    return book.store.count("retained_from <= ?", (utc_text(retention.threshold(years, now)),), include_void=True,
                            light=True, fallback=lambda c: retention.erase_due(c, years, now))


def erase(book: Book, refs: list[str], reason: str, whole_caller: bool = False, only_due: bool = False) -> EraseResult:
    """Erase the personal data of the cases `refs` (with `whole_caller`: of every case of their callers;
    with `only_due`: of every case past the retention period).  One key-store change, one commit."""
    actor = _require_keeper(book, _("erase personal data"))
    why = clear_text(reason, "--reason", required=True)
    with book.lock(), keyring.session(book) as store:
        cases = due(book) if only_due else _named(book, store, refs, whole_caller)
        if not cases:
            return EraseResult([], None)
        res = EraseResult([c.id for c in cases], None)
        gone = {c.id for c in cases}
        callers: set[str] = set()
        paths: list[Path] = []
        for case in cases:
            at = _at(book, case)
            store.put_erased(case.id, keystore.Erased(at.isoformat(timespec="seconds"), actor.id))
            if case.personal is not None and case.personal.legacy:
                res.legacy.append(case.id)
            caller = case.personal.caller if case.personal is not None else None
            if caller:
                callers.add(caller)
            case.personal = Personal(None, 0, caller, None)
            case.events.append(ids.identified(Event(type="erase", at=at, by=actor.id, reason=why)))
            paths.append(book.store.resolve(case.id))
        from ..reads.callers import cases_of

        for caller in sorted(callers):
            if not any(retention.has_data(c) for c in cases_of(book, [caller]) if c.id not in gone):
                store.drop_caller(caller)
                res.links += 1
        store.save()   # the keys are destroyed first: a kill after this leaves nothing readable
        for case, path in zip(cases, paths):
            book.store.write(case, path)
        res.commit = book.commit(paths, f"erase personal data of {len(cases)} case(s)", actor)
        keyring.forget_old(book)   # the replaced key store (holding the keys) leaves this clone now
    return res


def _named(book: Book, store: keystore.Store, refs: list[str], whole_caller: bool) -> list[Case]:
    cases: dict[str, Case] = {}
    for ref in refs:
        case = book.store.get(ref)
        if not retention.has_data(case):
            raise UsageError(_("case {id} holds no personal data to erase").format(id=case.id))
        cases[case.id] = case
        if whole_caller:
            if case.personal is None or not case.personal.caller:
                raise UsageError(_("case {id} has no contact recorded, so its caller's other cases cannot be "
                                   "found; erase it alone").format(id=case.id))
            from ..reads.callers import cases_of

            same = keyring.same_caller(store, case.personal.caller) if case.personal.key else [case.personal.caller]
            for other in cases_of(book, same):
                if retention.has_data(other):
                    cases.setdefault(other.id, other)
    return [cases[k] for k in sorted(cases)]


def hold(book: Book, case_ref: str, reason: str) -> tuple[Case, str]:
    """Keep a case's personal data past the retention period (legal hold), with the reason."""
    return _mark(book, case_ref, "hold", clear_text(reason, "--reason", required=True))


def release(book: Book, case_ref: str, reason: str = "") -> tuple[Case, str]:
    """End a legal hold: the case is erased when its retention period has passed."""
    return _mark(book, case_ref, "release", clear_text(reason, "--reason"))


def _mark(book: Book, case_ref: str, kind: str, why: str) -> tuple[Case, str]:
    actor = _require_keeper(book, _("put a case on hold") if kind == "hold" else _("release a hold"))
    with book.lock():
        path = book.store.resolve(case_ref)
        case = book.store.load(path)
        if case.erased:
            raise UsageError(_("the caller's data of case {id} was erased; there is nothing left to hold")
                             .format(id=case.id))
        if kind == "hold" and case.on_hold:
            raise UsageError(_("case {id} is already on hold; `hotline release {id}` ends it").format(id=case.id))
        if kind == "release" and not case.on_hold:
            raise UsageError(_("case {id} is not on hold").format(id=case.id))
        case.events.append(ids.identified(Event(type=kind, at=_at(book, case), by=actor.id, reason=why or None)))
        book.store.write(case, path)
        commit = book.commit([path], f"{kind} {case.id}", actor)
    return case, commit


def reminders(book: Book, cases: list[Case] | None = None) -> list[str]:
    """What `check` and `report` remind of without calling the book broken: cases still on staff keys
    (`hotline upgrade`), cases past the retention period (`hotline erase --due`); counted among
    `cases` (every case with a personal block) when the caller has them, else asked of the index."""
    out = []
    legacy = keyring.legacy_count(book, cases)
    if legacy:
        out.append(_("{n} case(s) are still encrypted to every staff key (written before per-case keys): a director "
                     "runs `hotline upgrade` so each opens only for its readers and can be erased").format(n=legacy))
    due = due_count(book, cases)
    if due:
        out.append(retention_reminder(due, book.rules.lines.retention_years))
    return out


def retention_reminder(n: int, years: int) -> str:
    return _("{n} case(s) are past the retention period ({years} year(s) after closing) and not on hold: their "
             "personal data should be erased — `hotline erase --due`").format(n=n, years=years)
