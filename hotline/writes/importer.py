"""`hotline import`: cases from a spreadsheet, callable from Python (the CLI is a skin over it).

`plan` reads the workbook (`storage.sheets`), checks every cell (`domain.importing`), tells
the rows already in the book (same id, or same source-row fingerprint) from the new ones, and
checks each new case as `hotline check` would (`check.check_case`) — nothing is written.
`write` then, under the book's write lock, builds each case as intake does (personal data
encrypted to the staff keys, the caller pseudonym for repeat callers), writes the files and
commits them all in one commit naming the count and the file, never any data.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..trust import keyring, privacy
from ..book import Book
from ..domain.importing import Context, Entry, Problem, Register, column_letter, fingerprints, read_register
from ..domain.model import Case, Personal, Source
from ..domain.register import EVENTS_SHEET, PERSONAL
from ..errors import UsageError
from ..i18n import N_, _
from ..storage import ids


@dataclass
class Plan:
    """What an import would do: the new cases, the rows already in the book, the problems."""

    file: Path
    register: Register
    new: list[Entry]
    existing: list[tuple[Entry, str]]      # (row, the case id it already is)
    problems: list[Problem]
    encoding: str | None = None            # a CSV file's encoding
    bad_rows: list[int] = field(default_factory=list)


@dataclass
class ImportResult:
    cases: list[Case]
    paths: list[Path]
    commit: str
    message: str


def plan(book: Book, path: Path, sheet: str | None = None, mapping: Path | None = None,
         encoding: str | None = None) -> Plan:
    """Read and check the workbook at `path` against the book (a CSV file in `encoding`, when
    given); UsageError when it cannot be a register at all (no file, a damaged workbook, past
    the limits of `storage.sheets`, no header row, a required column missing)."""
    from ..domain.importing import Mapping
    from ..storage import sheets

    actor = book.actor()
    book.settle()  # an import killed half-way is undone before its rows are told from the book's
    maps = sheets.load_mapping(mapping) if mapping is not None else Mapping()
    wb = sheets.read(path, sheet, encoding)
    ctx = Context(book.rules, book.roster, book.tz, book.now, actor.id, maps)
    reg = read_register(ctx, wb.main, wb.events)
    problems = list(reg.problems)
    problems += _ids(book, reg.entries)
    fingerprints(reg.entries)
    known = book.store.fingerprints()
    new: list[Entry] = []
    existing: list[tuple[Entry, str]] = []
    bad = {p.row for p in problems if not p.sheet}
    for e in reg.entries:
        if e.row in bad:
            continue
        if e.case_id is not None and book.store.path_for(e.case_id).exists():
            existing.append((e, e.case_id))
        elif e.fingerprint in known:
            existing.append((e, known[e.fingerprint]))
        else:
            new.append(e)
    checked = [p for e in new for p in _check(book, e)]
    problems += checked
    bad |= {p.row for p in checked if not p.sheet}
    problems.sort(key=lambda p: (p.sheet != "", p.sheet, p.row, len(p.column), p.column))
    bad_rows = sorted(set(reg.bad_rows) | bad)
    return Plan(Path(path), reg, [e for e in new if e.row not in bad], existing, problems, wb.encoding, bad_rows)


def _ids(book: Book, entries: list[Entry]) -> list[Problem]:
    """The 个案编号 of each row: a hotline id is kept (its date must be the day received, and
    no other row may have it); anything else there is the old register's own number."""
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for e in entries:
        if not e.key:
            continue
        cid = ids.normalise(e.key)
        if not ids.is_valid(cid):
            e.ref = e.ref or e.key
            continue
        col = column_letter(e.where["id"])
        local = e.intake.at.astimezone(book.tz) if e.intake.at else None
        if local is not None and cid[:6] != f"{local:%y%m%d}":
            problems.append(Problem(e.row, col, _("个案编号 {id} does not match 受理时间 {day}: an id begins with the "
                                                  "day received (YYMMDD)").format(id=cid, day=f"{local:%Y-%m-%d}")))
        elif cid in seen:
            problems.append(Problem(e.row, col, _("个案编号 {id} is also on row {other}").format(id=cid, other=seen[cid])))
        else:
            seen[cid] = e.row
            e.case_id = cid
    return problems


def _case(e: Entry, cid: str, personal: Personal | None = None) -> Case:
    i = e.intake
    assert i.at is not None and i.owner is not None
    return Case(id=cid, received=i.at, channel=i.channel, grade=i.grade, owner=i.owner, role=i.role,
                gender=i.gender, age_group=i.age_group, region=i.region, occupation=i.occupation,
                categories=list(i.categories), needs=list(i.needs), summary=i.summary, response=i.response,
                consent_publish=i.consent_publish, personal=personal, events=list(e.events),
                difficult=i.difficult, key_case=i.key_case,
                source=Source(e.fingerprint, e.ref))


def _check(book: Book, e: Entry) -> list[Problem]:
    """The checks of `hotline check` on the case a row would become, each placed on a cell."""
    from ..reads.check import check_case

    assert e.intake.at is not None
    cid = e.case_id or ids.new_id(e.intake.at.astimezone(book.tz))
    case = _case(e, cid)
    out = []
    for keys, msg in check_case(book, case, book.store.path_for(cid)):
        out.append(_place(e, keys, msg))
    return out


EVENT_CELL = {"intake": "received", "refer": "referred_at", "close": "closed_at"}


def _place(e: Entry, keys: list, msg: str) -> Problem:
    """The cell a problem of `check` is about (a path of keys in the case file)."""
    if keys and keys[0] == "events" and len(keys) > 1:
        i = keys[1]
        if e.event_rows:
            where = e.event_where.get(keys[2] if len(keys) > 2 else "type", 0)
            return Problem(e.event_rows[i], column_letter(where), msg, EVENTS_SHEET)
        field_key = EVENT_CELL.get(e.events[i].type, "received")
    else:
        field_key = keys[-1] if keys else "received"
    col = e.where.get(field_key, e.where.get("received", 0))
    return Problem(e.row, column_letter(col), msg)


# ---------------------------------------------------------------- writing

UNAPPROVED_CALLER_KEY = N_("keys/caller-key.age is missing or holds a caller key no director approved, so the contacts "
                           "of the rows could not be recognised as repeat callers: a director runs `hotline rekey` "
                           "(a director's new caller key is approved with it); nothing was written")


def _caller_key(book: Book, keys: list[str], identity) -> tuple[bytes, list[Path]]:
    """The book's caller key (made, and written encrypted, when the book has none yet) and the
    files written.  Refused when it cannot be opened: imported contacts must be recognised as
    repeat callers like every other."""
    from ..trust.approvals import caller_key_approved, chain
    from ..storage.keys import CALLER_KEY

    if (book.root / CALLER_KEY).exists():
        key = privacy.open_caller_key(book.root, identity)
        if key is None:
            raise UsageError(_("your key cannot open keys/caller-key.age, so the contacts of the rows could not be "
                               "recognised as repeat callers: import as a staff member whose key is in roster.yaml "
                               "(see `hotline key show`)"))
        if not caller_key_approved(book, key):
            raise UsageError(_(UNAPPROVED_CALLER_KEY))
        return key, []
    if privacy.caller_key_lost(book.root, book.store.has_pseudonyms()):
        raise UsageError(_(privacy.LOST_KEY))
    if not chain(book)[0].legacy:
        raise UsageError(_(UNAPPROVED_CALLER_KEY))
    key = privacy.new_caller_key()
    return key, privacy.write_caller_key(book.root, key, keys)


def _allocate(book: Book, e: Entry, taken: set[str]) -> str:
    if e.case_id is not None:
        return e.case_id
    assert e.intake.at is not None
    local = e.intake.at.astimezone(book.tz)
    for _try in range(64):
        cid = ids.new_id(local)
        if cid not in taken and not book.store.path_for(cid).exists():
            taken.add(cid)
            return cid
    raise UsageError(_("could not find a free case id for row {row} in 64 tries").format(row=e.row))


def message(count: int, file: Path) -> str:
    """The commit message: the count and the file's name, no data."""
    from ..render.text import one_line

    return f"import {count} case(s) from {one_line(Path(file).name)}"


def write(book: Book, p: Plan, identity=None) -> ImportResult:
    """Write the plan's new cases, one commit.  Nothing is left behind if a file cannot be written."""
    actor = book.actor()
    if not p.new:
        raise UsageError(_("nothing to import from {file}").format(file=p.file))
    from ..trust.approvals import staff_keys

    keys = staff_keys(book)  # only keys a director approved
    if any(e.personal for e in p.new) and not keys:
        privacy.encrypt(b"", keys)  # raises the clear refusal: no recipients, no plaintext
    with book.lock(), keyring.session(book) as store:
        known = book.store.fingerprints(again=True)  # under the lock: another import may have written meanwhile
        clash = [e.row for e in p.new if e.fingerprint in known or e.case_id and book.store.path_for(e.case_id).exists()]
        if clash:
            raise UsageError(_("row {row} was imported meanwhile (by another import?); nothing was written: run the "
                               "import again").format(row=clash[0]))
        contacts = any(e.intake.contact for e in p.new)
        caller_key, touched = _caller_key(book, keys, identity) if contacts else (b"", [])
        planned: list[Path] = []
        try:
            cases = _build(book, store, p.new, caller_key)
            store.save()   # the data keys are kept before the cases that need them
            planned = [book.store.path_for(c.id) for c in cases]  # none of them existed: see _allocate
            paths = book.store.write_many(cases)
        except BaseException:
            for f in touched + planned:
                f.unlink(missing_ok=True)
            raise
        msg = message(len(cases), p.file)
        commit = book.commit(touched + paths, msg, actor)
    return ImportResult(cases, paths, commit, msg)


def _build(book: Book, store, entries: list[Entry], caller_key: bytes) -> list[Case]:
    """The cases of `entries`; personal data sealed with a data key of each case's own (SPEC §7),
    which the importing person must be able to read back."""
    taken: set[str] = set()
    cases = []
    for e in entries:
        case = _case(e, _allocate(book, e, taken), None)
        if e.personal:
            keyring.require_own_key(book, case)
            fields = {k: getattr(e.intake, k) for k in PERSONAL}
            caller = keyring.caller_of(store, privacy.caller_tag(e.intake.contact, caller_key))[0] \
                if e.intake.contact else None
            case.personal = keyring.seal(book, store, case, fields, caller)
        cases.append(case)
    return cases
