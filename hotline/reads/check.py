"""`hotline check`: validate every file of the book, bean-check style.

Each problem is (path, line, message); the CLI prints `path:line: message`, exits 1
when there are any and stays silent when there are none.  Nothing is fixed here.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from ..i18n import _
from ..book import Book
from ..domain import cases, labels
from ..domain.model import Case
from ..errors import BookError
from ..storage import ids


@dataclass
class Problem:
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


def _from_error(book: Book, e: BookError, fallback: Path) -> Problem:
    return Problem(book.rel(e.path or fallback), e.line, e.message)


def check_book(book: Book, progress: Callable[[int, int], None] | None = None) -> list[Problem]:
    return check_all(book, progress).problems


@dataclass
class Checked:
    problems: list[Problem]
    reminders: list[str]   # said beside the problems, exit status unchanged (erasure.reminders)


def check_all(book: Book, progress: Callable[[int, int], None] | None = None) -> Checked:
    """Every problem of the book, and the reminders, from one parse of the case files (a cold
    `check` builds no index: the key store's checks and the reminders use the cases it parsed)."""
    problems: list[Problem] = []
    # rules and roster first: without them the cases cannot be judged
    for name, attr in (("rules.yaml", "rules"), ("roster.yaml", "roster")):
        try:
            getattr(book, attr)
        except BookError as e:
            problems.append(_from_error(book, e, book.root / name))
    if problems:
        return Checked(problems + _check_operation(book), [])
    files = list(book.store.files())
    seen: dict[str, str] = {}
    personal: list[Case] = []  # the cases with a personal block, from this parse (never a second one)
    for rel, found, case_id, case in _check_all(book, files, progress):
        problems.extend(found)
        if case is not None:
            personal.append(case)
        if case_id is None:
            continue
        if case_id in seen:
            problems.append(Problem(rel, 1, _("duplicate case id '{case_id}', also in {value}: give one of them a new id with `git mv` and edit its id: line").format(case_id=case_id, value=seen[case_id])))
        else:
            seen[case_id] = rel
    problems.extend(Problem(book.rel(path), line, msg) for path, line, msg in ledger_problems(book))
    from .staff import check_problems  # the duty rota's groups, the leave files

    problems.extend(Problem(book.rel(path), line, msg) for path, line, msg in check_problems(book))
    problems.extend(personal_data_elsewhere(book))
    problems.extend(Problem(book.rel(path), line, msg) for path, line, msg in calls_problems(book))
    problems.extend(_check_leftovers(book))
    problems.extend(_check_links(book))
    problems.extend(_check_deleted(book))
    problems.extend(_check_caller_key(book, any(c.personal.caller for c in personal)))
    problems.extend(_check_keys(book, personal))
    problems.extend(approval_problems(book))
    problems.extend(_check_git(book))
    from ..trust.erasure import reminders

    return Checked(problems, reminders(book, personal))


def keystore_ref() -> str:
    from ..storage.keystore import REF

    return REF


def _check_keys(book: Book, personal: list[Case]) -> list[Problem]:
    """The key store against the cases with a personal block (keyring.problems), each on its case
    file when it has one."""
    from ..trust import keyring

    out = []
    for case_id, where, message in keyring.problems(book, personal):
        path = book.rel(book.store.path_for(case_id)) if case_id else (where or keystore_ref())
        out.append(Problem(path, None, message))
    return out


def approval_problems(book: Book) -> list[Problem]:
    """Who may change who may read (SPEC §7): each change of roster.yaml (or the caller key) no
    director approved yet, and a chain of approvals damaged, rewritten, forged or forked."""
    from ..trust import approvals, privacy
    from ..errors import UsageError

    try:
        ident = privacy.load_identity()
    except UsageError:
        ident = None
    ch, _entries = approvals.chain(book)
    found = [Problem(path, line, msg) for path, line, msg in approvals.problems(book)]
    return found + [Problem(p.path, p.line, p.message()) for p in approvals.pending(book, ident, ch)]


def ledger_problems(book: Book) -> list[tuple[Path, int | None, str]]:
    """Every problem of the points ledger, as (path, line, message): unreadable files, and
    entries the rules or roster refuse."""
    from ..domain.points import entry_problems
    from ..storage import ledger

    out: list[tuple[Path, int | None, str]] = []
    for path, line, problem, entries in ledger.scan(book.root):
        if problem is not None:
            out.append((path, line, problem))
        for i, (le, ln) in enumerate(entries):
            out.extend((path, ln, f"entries[{i}]: {msg}") for msg in entry_problems(le, book.rules, book.roster))
    return out


def check_file(book: Book, f: Path) -> tuple[str, list[Problem], str | None, Case | None]:
    """(relative path, problems, case id or None when unreadable, the case when it has a personal
    block) of one case file."""
    from ..storage import yamlio
    from ..storage.casefile import parse_case

    rel = book.rel(f)
    try:
        text = yamlio.read_text(f)
        case = parse_case(text, f)
    except BookError as e:
        return rel, [_from_error(book, e, f)], None, None
    return (rel, [Problem(rel, yamlio.line_of(text, keys), msg) for keys, msg in check_case(book, case, f)], case.id,
            case if case.personal is not None else None)


PARALLEL_FROM = 3000  # files; below this a second process costs more than it saves
_worker_book: Book | None = None


def _worker_init(root: str) -> None:
    global _worker_book
    _worker_book = Book(Path(root))


def _worker(chunk: list[str]) -> list[tuple[str, list[Problem], str | None, Case | None]]:
    assert _worker_book is not None
    return [check_file(_worker_book, Path(f)) for f in chunk]


def _check_all(book: Book, files: list[Path], progress):
    """Check every case file, on every core when there are many (parsing is the cost)."""
    import os

    cores = os.cpu_count() or 1
    if len(files) < PARALLEL_FROM or cores < 2:
        for n, f in enumerate(files, 1):
            if progress:
                progress(n, len(files))
            yield check_file(book, f)
        return
    import multiprocessing

    size = 500
    chunks = [[str(f) for f in files[i:i + size]] for i in range(0, len(files), size)]
    done = 0
    with multiprocessing.get_context("spawn").Pool(min(cores, 8), _worker_init, (str(book.root),)) as pool:
        for result in pool.imap(_worker, chunks):
            done += len(result)
            if progress:
                progress(done, len(files))
            yield from result


def check_case(book: Book, case: Case, path: Path) -> Iterable[tuple[list, str]]:
    """Semantic problems of one loaded case: (keypath for the line, message)."""
    rules, roster = book.rules, book.roster
    v = rules.vocab
    if path.stem != case.id:
        yield ["id"], _("id '{id}' does not match the file name '{stem}'").format(id=case.id, stem=path.stem)
    if not ids.is_valid(case.id):
        yield ["id"], _("id '{id}' is not of the form YYMMDD-XXXXX").format(id=case.id)
    local = case.received.astimezone(book.tz)
    if path.parent.name != f"{local:%m}" or path.parent.parent.name != f"{local:%Y}":
        yield ["received"], _("received {local:%Y-%m} but the file is under {name}/{name2}").format(local=local, name=path.parent.parent.name, name2=path.parent.name)
    yield from _field_problems(case, rules)
    yield from _control_characters(case)
    yield from personal_data(case)
    for name, rec in (case.conflicts or {}).items():
        yield ["conflicts", name], _("two offices gave {field} ({name}) different values ({n}), both kept: choose one "
                                     "with `hotline resolve {id}`").format(field=labels.field(name), name=name,
                                                                           n=len(rec.get("values", [])), id=case.id)
    from ..domain.safety import case_problems  # crisis level, victim's age group

    yield from case_problems(case, rules)
    if roster.person(case.owner) is None:
        yield ["owner"], _("owner '{owner}' is not in roster.yaml").format(owner=case.owner)
    events = case.events
    if events[0].type != "intake":
        yield ["events", 0], _("the first event must be the intake, not '{type}'").format(type=events[0].type)
    first_with: dict[str, int] = {}
    for i, e in enumerate(events):
        kp = ["events", i]
        if e.id and e.id in first_with:
            yield kp + ["id"], _("event id {id} is also the id of events[{j}]: each event needs its own (a hand edit "
                                 "or another office reused it); `hotline sync` or `hotline resolve` gives it one"
                                 ).format(id=e.id, j=first_with[e.id])
        elif e.id:
            first_with[e.id] = i
        if i and e.type == "intake":
            yield kp, _("a second intake event")
        if i and e.at < events[i - 1].at:
            yield kp + ["at"], _("event is earlier than the one before it: events must be in time order")
        if e.at < case.received:
            yield kp + ["at"], _("event is earlier than the case's received time")
        if roster.person(e.by) is None:
            yield kp + ["by"], _("'{by}' is not in roster.yaml").format(by=e.by)
        if e.type == "refer" and (not isinstance(e.to, str) or roster.partner(e.to) is None):
            yield kp + ["to"], _("referral to unknown partner '{to}'").format(to=e.to)
        if e.partner_answer and case.referral_before(e.at) is None:
            yield kp + ["partner_answer"], _("a partner's answer ({answer}) with no referral before it").format(
                answer=labels.answer(e.partner_answer))
        if e.type == "assign" and (not isinstance(e.to, str) or roster.person(e.to) is None):
            yield kp + ["to"], _("reassignment to unknown person '{to}'").format(to=e.to)
        if e.type == "close":  # closed in two offices: the first close counts, the other stays in the history
            if e.outcome not in v["outcome"].labels:
                yield kp + ["outcome"], _("unknown outcome '{outcome}'; allowed: {items}").format(outcome=e.outcome, items=', '.join(v['outcome'].labels))
            if cases.needs_reason(e.outcome, e.reason):
                yield kp, _("an unresolved closure needs a reason")
        # a follow-up, a referral or an urge after the close: another office's work, merged — kept
        if e.type == "revisit" and case.closed_event(e.at) is None:   # the close that counts (model.first_close)
            yield kp, _("a revisit before the case was closed")
        if e.type == "void" and not (e.reason or "").strip():
            yield kp, _("a withdrawal (void) needs a reason")


CALLER_KEYS = ("role", "gender", "age_group")  # fields the case file keeps under `caller:`


def _field_problems(case: Case, rules) -> Iterable[tuple[list, str]]:
    """A vocabulary's unknown ids and the required fields left empty (domain.cases' rules)."""
    v = rules.vocab
    for key, vocab, value in cases.unknown_codes(rules, case):
        where = ["caller", key] if key in CALLER_KEYS else [key]
        if key in {k for k, _v, _o in cases.LIST_FIELDS}:
            yield where, _("unknown {vocab} '{x}'").format(vocab=labels.field(vocab), x=value)
        else:
            yield where, _("unknown {vocab} '{value}'; allowed: {items}").format(
                vocab=labels.field(vocab), value=value, items=', '.join(v[vocab].labels))
    for key in cases.missing_fields(case):
        if key == "summary":
            yield ["summary"], _("summary is empty")
        elif key in ("categories", "needs"):
            yield [key], _("'{key}' is empty: every case needs at least one").format(key=key)


def _control_characters(case: Case) -> Iterable[tuple[list, str]]:
    """Clear-text fields holding a terminal control character (they arrive by hand edits and
    merges; hotline shows them escaped, and names them here)."""
    from ..domain.text import first_control

    fields = [(["summary"], case.summary), (["caller", "region"], case.region),
              (["caller", "occupation"], case.occupation)]
    for i, e in enumerate(case.events):
        fields += [(["events", i, "note"], e.note), (["events", i, "reason"], e.reason or "")]
    for keys, text in fields:
        found = first_control(text)
        if found:
            yield keys, _("{value} holds a control character ({found}); it could rewrite a terminal's screen: remove it").format(value=keys[-1], found=found)


def _clear_fields(case: Case) -> Iterable[tuple[list, str]]:
    """Every clear-text field of a case file: (keypath, text)."""
    yield ["summary"], case.summary
    yield ["response"], case.response
    yield ["caller", "region"], case.region
    yield ["caller", "occupation"], case.occupation
    if case.source is not None:
        yield ["source", "ref"], case.source.ref
    for i, e in enumerate(case.events):
        yield ["events", i, "note"], e.note
        yield ["events", i, "reason"], e.reason or ""
        for name, rec in (e.changes or {}).items():
            if name in PERSONAL_KEYS or not isinstance(rec, dict):
                continue
            for side in ("old", "new"):
                if isinstance(rec.get(side), str):
                    yield ["events", i, "changes", name, side], rec[side]
    for name, rec in (case.conflicts or {}).items():
        if name in PERSONAL_KEYS or not isinstance(rec, dict):
            continue
        for j, value in enumerate(rec.get("values") or []):
            if isinstance(value, str):
                yield ["conflicts", name, "values", j], value


PERSONAL_KEYS = ("personal", "name", "contact", "address", "notes")  # encrypted: never clear text


def _keypath(keys: list) -> str:
    return "".join(f"[{k}]" if isinstance(k, int) else (f".{k}" if n else str(k)) for n, k in enumerate(keys))


def personal_data_message(keys: list, findings: list) -> str:
    """`check`'s words for personal data found in clear: the field, the kinds, each finding masked."""
    from ..domain import detect

    found = ", ".join(f"{_(detect.KINDS[f.kind])} {detect.mask(f.text)}" for f in findings)
    return _("{field} holds what looks like personal data ({found}); in clear it stays in git for good: take it out "
             "of the file and keep it in the encrypted fields").format(field=_keypath(keys), found=found)


def personal_data(case: Case) -> Iterable[tuple[list, str]]:
    """Personal data the detector finds in a case file's clear text — typed there by hand or
    merged from another office (hotline's own writes refuse it)."""
    from ..domain import detect

    for keys, text in _clear_fields(case):
        findings = detect.find(text) if text else []
        if findings:
            yield keys, personal_data_message(keys, findings)


def personal_data_elsewhere(book: Book) -> list[Problem]:
    """Personal data in the clear text of the points ledger (notes), the call counts (notes,
    sources) and the leave files (reasons)."""
    from ..domain import detect
    from ..storage import calls, leave, ledger, yamlio

    out: list[Problem] = []
    for path, _line, _problem, entries in ledger.scan(book.root):
        for i, (entry, _at) in enumerate(entries):
            findings = detect.find(entry.note or "")
            if findings:
                keys = ["entries", i, "note"]
                line = yamlio.line_of(yamlio.read_text(path), keys)
                out.append(Problem(book.rel(path), line, personal_data_message(keys, findings)))
    for path, _line, _problem, counts in calls.scan(book.root):
        for i, x in enumerate(counts):
            for key in ("note", "source"):
                findings = detect.find(getattr(x, key, "") or "")
                if findings:
                    keys = ["entries", i, key]
                    line = yamlio.line_of(yamlio.read_text(path), keys)
                    out.append(Problem(book.rel(path), line, personal_data_message(keys, findings)))
    for path, text, _line, _problem, found in leave.scan(book.root):
        for i, x in enumerate(found):
            findings = detect.find(x.reason or "")
            if findings:
                keys = ["entries", i, "reason"]
                out.append(Problem(book.rel(path), yamlio.line_of(text or "", keys), personal_data_message(keys, findings)))
    return out


def _check_leftovers(book: Book) -> list[Problem]:
    """Temporary files of interrupted writes (the next write in that folder removes them)."""
    from ..storage import yamlio

    dirs = [book.root / "ledger", book.root / "keys", book.root / "leave"]
    cases = book.root / "cases"
    if cases.is_dir():
        dirs += [m for y in cases.iterdir() if y.is_dir() for m in y.iterdir() if m.is_dir()]
    return [Problem(book.rel(f), None, _("left by an interrupted write; the next hotline write here removes it"))
            for d in dirs for f in yamlio.leftovers(d)]


def _check_deleted(book: Book) -> list[Problem]:
    """Cases, ledger months and leave years a commit deleted (they are append-only), whatever
    brought the deletion in."""
    from ..trust.arrivals import deleted_files

    try:
        found = deleted_files(book)
    except Exception:  # outside git, or git cannot tell: `_check_git` says so
        return []
    return [Problem(rel, None, _("deleted by commit {commit} ({author}); cases, points and leave are never deleted: "
                                 "put it back with `hotline resolve`").format(commit=commit, author=author))
            for rel, commit, author in found]


BOOK_FOLDERS = ("cases", "ledger", "leave", "keys", "templates")
BOOK_FILES = ("rules.yaml", "roster.yaml", ".gitattributes")


def _check_links(book: Book) -> list[Problem]:
    """Symbolic links where the book keeps its files (they arrive by a merge or a hand edit): a
    link can send writes outside the book or feed it a file from elsewhere, so hotline never
    follows one, and names each here."""
    import os

    found: list[Path] = [book.root / n for n in (*BOOK_FOLDERS, *BOOK_FILES) if (book.root / n).is_symlink()]
    for name in BOOK_FOLDERS:
        top = book.root / name
        if top.is_symlink() or not top.is_dir():
            continue
        depth = 2 if name == "cases" else 0  # cases/YYYY/MM; the files themselves are named when read
        level = [top]
        for d in range(depth + 1):
            nxt = []
            for folder in level:
                try:
                    entries = list(os.scandir(folder))
                except OSError:
                    continue
                for e in entries:
                    if e.is_symlink() and (name != "cases" or d < depth):
                        found.append(Path(e.path))
                    elif e.is_dir(follow_symlinks=False):
                        nxt.append(Path(e.path))
            level = nxt
    return [Problem(book.rel(p), None, _("is a symbolic link (to {target}); hotline never follows links in a book: "
                                         "replace it by the real folder or file (it came from a hand edit or "
                                         "another office)").format(target=_link_target(p))) for p in sorted(found)]


def _link_target(p: Path) -> str:
    import os

    try:
        return os.readlink(p)
    except OSError:
        return "?"


def _check_caller_key(book: Book, has_pseudonyms: bool) -> list[Problem]:
    from ..trust import privacy

    from ..storage import git, gitsync

    if privacy.caller_key_lost(book.root, has_pseudonyms):
        return [Problem("keys/caller-key.age", None, _(privacy.LOST_KEY))]
    if (git.git_dir(book.git_root) / gitsync.REKEY_NOTE).exists():
        return [Problem("keys/caller-key.age", None, _("two offices made new caller keys at the same time and a merge "
                                                       "kept one: run `hotline rekey` so repeat callers are recognised "
                                                       "again"))]
    return []


PERSONAL_MARK = "hotline: personal data of a caller"


def _personal_in_clear(book: Book, top: Path, untracked: list[str]) -> list[Problem]:
    """Untracked files in the book that carry a caller's personal data in clear (a referral
    form with the contact, written there by hand or by an older hotline)."""
    from ..storage import yamlio

    found = []
    for rel in untracked:
        path = top / rel
        try:
            text = yamlio.read_bytes(path, 2_000_000).decode("utf-8", "replace")
        except BookError:
            continue
        if PERSONAL_MARK in text:
            found.append(Problem(book.rel(path), None, _("holds a caller's personal data in clear: move it out of the "
                                                       "book (or delete it) before anyone runs `git add`")))
    return found


def _check_git(book: Book) -> list[Problem]:
    """What git holds or lacks: lock files of git's left behind, a git operation under way,
    writes and a sync interrupted, commits hotline could not finish, files not committed,
    deleted, unmerged or ignored.  GitError when git cannot tell."""
    from ..storage import git, gitsync, journal

    try:
        top = book.git_root
    except Exception:
        return [Problem(".", None, _("the book is not inside a git work tree: run `git init` (git is the audit trail)"))]
    out = []
    for lock in git.git_locks(top):
        out.append(Problem(_shown(book, top, lock), None, _(
            "a lock file of git's: left by a git command that was stopped (the next hotline write removes it once no "
            "git command holds it), or held by one running now; if no git command is running, you may delete it")))
    out += _check_operation(book)
    named: set[str] = set()
    from ..storage.lock import busy

    in_flight = busy(git.git_dir(top))  # a write at work now: its journal is not a killed one's
    merge = None if in_flight else journal.interrupted_merge(top)
    if merge is not None:
        out.append(Problem(_shown(book, top, git.git_dir(top)), None, _(
            "a `hotline sync` was stopped during its merge ({n} file(s) half merged); the next hotline command puts "
            "them back as they were, and `hotline sync` merges again").format(n=len(merge["paths"]))))
        named |= set(merge["paths"])
    for rel in [] if in_flight else journal.unsettled(top):
        out.append(Problem(book.rel(top / rel), None, _(
            "changed by a hotline write that was stopped before its commit; the next hotline write puts it back as it "
            "was — do not commit it")))
        named.add(rel)
    git.refresh_pending_index(top)  # harmless bookkeeping a write could not finish: do it now
    for rec in git.pending(top):
        if rec.get("kind") == "index":
            continue
        for rel in rec["paths"]:
            named.add(rel)
            out.append(Problem(book.rel(top / rel), None, _("'{message}' by {name} is not committed yet (interrupted or refused by git): the next hotline write commits it").format(message=rec['message'], name=rec['name'])))
    sub = book.root.relative_to(top).as_posix() if book.root != top else ""
    from ..storage.merge import APPEND_ONLY_FOLDERS

    under = [f"{sub}/{d}" if sub else d for d in (*APPEND_ONLY_FOLDERS, "keys")]
    out += _personal_in_clear(book, top, git.untracked(top, sub or "."))
    if gitsync.merging(top):
        for rel in gitsync.unmerged(top):
            if not any(rel.startswith(u + "/") for u in under):
                named.add(rel)
                out.append(Problem(book.rel(top / rel), None, _(
                    "not merged yet (two offices changed the same lines): keep what both sides need between the "
                    "<<<<<<< ======= >>>>>>> lines, delete those marker lines, then run `hotline sync`")))
    for status, rel in git.uncommitted(top, under):
        if rel in named:
            continue
        if status == "!!":
            msg = _("ignored by git (.gitignore): it is in the book but will never be committed; un-ignore it")
        elif "D" in status:
            msg = _("deleted, but the deletion is not committed: cases, points and leave are never deleted — put it "
                    "back with `hotline resolve`")
        elif "U" in status or status in ("AA", "DD"):
            msg = _("not merged yet (two offices changed it): run `hotline resolve` — it keeps both sides' events and "
                    "entries; for roster.yaml, rules.yaml or a template, keep what both sides need, then `hotline sync`")
        else:
            msg = _("not committed: commit it (`git add` + `git commit`) so the audit trail holds it")
        if not rel.rsplit("/", 1)[-1].startswith("."):  # leftovers of writes are named apart
            out.append(Problem(book.rel(top / rel), None, msg))
    return out


def _check_operation(book: Book) -> list[Problem]:
    """A rebase, cherry-pick, revert or `git am` started with git and not finished."""
    from ..storage import git, gitsync

    try:
        top = book.git_root
    except Exception:
        return []
    what = gitsync.operation_under_way(top)
    if what is None:
        return []
    return [Problem(_shown(book, top, git.git_dir(top)), None, _(
        "{what} is under way (started with git, e.g. `git pull --rebase`): finish it (`git {command} --continue` "
        "once the files are settled) or undo it (`git {command} --abort`)").format(what=what, command=what.split()[-1]))]


def _shown(book: Book, top: Path, path: Path) -> str:
    """A path in the clone's git folder as people see it: `.git/index.lock` (from the work tree's top)."""
    try:
        return Path(path).resolve().relative_to(top.resolve()).as_posix()
    except ValueError:
        return str(path)


def calls_problems(book: Book) -> list[tuple[Path, int | None, str]]:
    """The call count files (calls/YYYY-MM.yaml) that cannot be read, and rules.yaml's home_region
    names the place table does not know."""
    from ..storage import calls, yamlio
    from ..storage import places as placestore

    out: list[tuple[Path, int | None, str]] = [(path, line, problem) for path, line, problem, _e in calls.scan(book.root)
                                               if problem is not None]
    _places, _home, bad = placestore.for_rules(book.rules.lines.home_region)
    if bad:
        path = book.root / "rules.yaml"
        text = yamlio.read_text(path)
        out += [(path, yamlio.line_of(text, keys), msg) for keys, msg in bad]
    return out


def unplaced_regions(book: Book) -> list[Problem]:
    """`check --regions`: every case whose region the place table cannot place (local, elsewhere in
    the province, another province), with the line of its region; the line's own names go in
    rules.yaml's `home_region: places:`."""
    from ..domain.detect import redact
    from ..domain.regions import place
    from ..storage import yamlio
    from ..storage import places as placestore

    places, _home, _bad = placestore.for_rules(book.rules.lines.home_region)
    out = []
    for c in book.store.query("1", [], []):
        if c.region.strip() and place(c.region, places) is None:
            path = book.store.resolve(c.id)
            line = yamlio.line_of(yamlio.read_text(path), ["caller", "region"])
            out.append(Problem(book.rel(path), line, _("region '{region}' cannot be placed in a city or province (add "
                                                       "it to rules.yaml's home_region: places:, e.g. {region}: 东莞)")
                               .format(region=redact(c.region))))
    return sorted(out, key=lambda p: p.path)
