"""`hotline check`: validate every file of the book, bean-check style.

Each problem is (path, line, message); the CLI prints `path:line: message`, exits 1
when there are any and stays silent when there are none.  Nothing is fixed here.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from . import ids
from .book import Book
from .errors import BookError
from .model import Case


@dataclass
class Problem:
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


def _rel(book: Book, path: Path | None) -> str:
    if path is None:
        return "."
    try:
        return Path(path).resolve().relative_to(book.root).as_posix()
    except ValueError:
        return str(path)


def _from_error(book: Book, e: BookError, fallback: Path) -> Problem:
    return Problem(_rel(book, e.path or fallback), e.line, e.message)


def check_book(book: Book, progress: Callable[[int, int], None] | None = None) -> list[Problem]:
    problems: list[Problem] = []
    # rules and roster first: without them the cases cannot be judged
    for name, attr in (("rules.yaml", "rules"), ("roster.yaml", "roster")):
        try:
            getattr(book, attr)
        except BookError as e:
            problems.append(_from_error(book, e, book.root / name))
    if problems:
        return problems
    files = list(book.store.files())
    seen: dict[str, str] = {}
    from . import yamlio

    for n, f in enumerate(files, 1):
        if progress:
            progress(n, len(files))
        try:
            text = yamlio.read_text(f)
            case = _parse(text, f)
        except BookError as e:
            problems.append(_from_error(book, e, f))
            continue
        rel = _rel(book, f)
        for line_keys, msg in check_case(book, case, f):
            problems.append(Problem(rel, yamlio.line_of(text, line_keys), msg))
        if case.id in seen:
            problems.append(Problem(rel, 1, f"duplicate case id '{case.id}', also in {seen[case.id]}: "
                                            f"give one of them a new id with `git mv` and edit its id: line"))
        else:
            seen[case.id] = rel
    from .ledger import check_ledger

    problems.extend(Problem(_rel(book, path), line, msg) for path, line, msg in check_ledger(book))
    problems.extend(_check_uncommitted(book))
    return problems


def _parse(text: str, path: Path) -> Case:
    from .store import parse_case

    return parse_case(text, path)


def check_case(book: Book, case: Case, path: Path) -> Iterable[tuple[list, str]]:
    """Semantic problems of one loaded case: (keypath for the line, message)."""
    rules, roster = book.rules, book.roster
    v = rules.vocab
    if path.stem != case.id:
        yield ["id"], f"id '{case.id}' does not match the file name '{path.stem}'"
    if not ids.is_valid(case.id):
        yield ["id"], f"id '{case.id}' is not of the form YYMMDD-XXXXX"
    local = case.received.astimezone(book.tz)
    if path.parent.name != f"{local:%m}" or path.parent.parent.name != f"{local:%Y}":
        yield ["received"], f"received {local:%Y-%m} but the file is under {path.parent.parent.name}/{path.parent.name}"
    for key, vocab, value in (("channel", "channel", case.channel), ("grade", "grade", case.grade)):
        if value not in v[vocab].labels:
            yield [key], f"unknown {vocab} '{value}'; allowed: {', '.join(v[vocab].labels)}"
    for key, vocab, value in (("role", "role", case.role), ("gender", "gender", case.gender),
                              ("age_group", "age_group", case.age_group)):
        if value not in v[vocab].labels:
            yield ["caller", key], f"unknown {vocab} '{value}'; allowed: {', '.join(v[vocab].labels)}"
    for key, vocab, values in (("categories", "category", case.categories), ("needs", "need", case.needs)):
        if not values:
            yield [key], f"'{key}' is empty: every case needs at least one"
        for x in values:
            if x not in v[vocab].labels:
                yield [key], f"unknown {vocab} '{x}'"
    if not case.summary.strip():
        yield ["summary"], "summary is empty"
    if roster.person(case.owner) is None:
        yield ["owner"], f"owner '{case.owner}' is not in roster.yaml"
    events = case.events
    if events[0].type != "intake":
        yield ["events", 0], f"the first event must be the intake, not '{events[0].type}'"
    closed = False
    for i, e in enumerate(events):
        kp = ["events", i]
        if i and e.type == "intake":
            yield kp, "a second intake event"
        if i and e.at < events[i - 1].at:
            yield kp + ["at"], "event is earlier than the one before it: events must be in time order"
        if e.at < case.received:
            yield kp + ["at"], "event is earlier than the case's received time"
        if roster.person(e.by) is None:
            yield kp + ["by"], f"'{e.by}' is not in roster.yaml"
        if e.type == "refer" and (not isinstance(e.to, str) or roster.partner(e.to) is None):
            yield kp + ["to"], f"referral to unknown partner '{e.to}'"
        if e.type == "assign" and (not isinstance(e.to, str) or roster.person(e.to) is None):
            yield kp + ["to"], f"reassignment to unknown person '{e.to}'"
        if e.type == "close":
            if closed:
                yield kp, "the case is closed twice"
            if e.outcome not in v["outcome"].labels:
                yield kp + ["outcome"], f"unknown outcome '{e.outcome}'; allowed: {', '.join(v['outcome'].labels)}"
            if e.outcome == "unresolved" and not e.reason:
                yield kp, "an unresolved closure needs a reason"
            closed = True
        elif closed and e.type != "revisit":
            yield kp, f"'{e.type}' after the case was closed (only revisits may follow)"
        if e.type == "revisit" and not closed:
            yield kp, "a revisit before the case was closed"


def _check_uncommitted(book: Book) -> list[Problem]:
    from . import git

    try:
        top = book.git_root
    except Exception:
        return [Problem(".", None, "the book is not inside a git work tree: run `git init` (git is the audit trail)")]
    out = []
    sub = book.root.relative_to(top).as_posix() if book.root != top else ""
    under = [f"{sub}/{d}" if sub else d for d in ("cases", "ledger")]
    for status, rel in git.uncommitted(top, under):
        if rel.endswith(".yaml"):
            if "D" in status:
                msg = "deleted, but the deletion is not committed: `git rm` it and commit, or `git checkout` it back"
            elif "U" in status or status in ("AA", "DD"):
                msg = "unmerged (a git conflict): resolve it, then `git add` and `git commit`"
            else:
                msg = "not committed: commit it (`git add` + `git commit`) so the audit trail holds it"
            out.append(Problem(_rel(book, top / rel), None, msg))
    return out
