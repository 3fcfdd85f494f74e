"""Several offices, one book: `sync`, `resolve`, `upgrade`, and git's merge driver (`merge-file`)."""

import sys
from pathlib import Path
from typing import List, Optional

import typer

from ..i18n import N_, _
from .app import command
from .common import err, handle, open_book, out, progress


@command(help=N_("Bring in the other offices' changes and send yours: fetch, merge, push (any git remote)."))
@handle
def sync(ctx: typer.Context, remote: Optional[str] = typer.Argument(None, metavar=N_("REMOTE"),
                                                help=N_("The git remote to sync with (default: the branch's, else origin)."))):
    from ..writes.offices import sync_book
    from ..storage.gitsync import RemoteError

    book = open_book(ctx)
    try:
        res = sync_book(book, remote)
    except RemoteError as e:
        raise remote_error(e) from None
    if res.came_in or res.went_out:
        out(_("Synced with {remote}: {came_in} change(s) came in ({cases} case(s)), {went_out} went out.").format(
            remote=res.remote, came_in=res.came_in, cases=len(res.cases), went_out=res.went_out))
    else:
        out(_("Synced with {remote}: nothing new either way.").format(remote=res.remote))
    for h in res.held:
        err(held_line(h))
    for line in res.approvals:
        err(line)
    for cid, by in res.erased_in:
        err(_("case {id}: its caller's data was erased in another office (by {by}); its key is gone here too")
            .format(id=cid, by=by))
    if res.keys_dropped or res.keys_added:
        out(_("Case keys: {added} given to new readers, {dropped} taken from people who may no longer read.")
            .format(added=res.keys_added, dropped=res.keys_dropped))
    if res.keys_waiting:
        err(_("{n} case(s) have new readers still without their key: your key cannot open them; one of their readers "
              "runs `hotline rekey` (first: {ids}).").format(n=len(res.keys_waiting), ids=", ".join(res.keys_waiting[:5])))
    if res.pruned:
        out(_("Old key stores were removed from this clone{remote}: an erased case can no longer be opened from "
              "here.").format(remote=_(" and from {remote}").format(remote=res.remote) if res.pruned_remote else ""))
    for cid in res.conflicts:
        err(_("case {id}: two offices gave a field different values; both are kept — choose with `hotline resolve {id}`")
            .format(id=cid))
    closed_differently(book, res.cases)


def closed_differently(book, ids) -> None:
    """The merged cases that two offices closed with different outcomes: which close counts (the
    first), said to both offices — the one told "closed: resolved" may not hold the close that counts."""
    from ..writes.actions import closes_differ, describe_close
    from ..errors import HotlineError

    for cid in ids:
        try:
            case = book.store.get(cid)
        except HotlineError:
            continue  # a case file the merge left unreadable is reported by check
        if not closes_differ(case):
            continue
        first, *later = case.closes()
        err(_("case {id} was closed differently by two offices; the first close counts: {first} — kept in the "
              "history only: {later}").format(id=case.id, first=describe_close(book, first),
                                              later=_("; ").join(describe_close(book, e) for e in later)))


def held_line(h) -> str:
    """One line for what came in and was put back, refused or is worth knowing (arrivals.Held)."""
    by = _("commit {commit} by {author}").format(commit=h.commit, author=h.author) if h.author else _("the merge")
    if h.kind == "deleted":
        return _("{path}: deleted by {by}; cases, points and leave are never deleted — put back").format(path=h.path, by=by)
    if h.kind == "link":
        return _("{path}: a symbolic link from {by}; hotline never takes in links — refused, the file as it was is "
                 "kept").format(path=h.path, by=by)
    if h.kind == "event":
        moved = ", ".join(f"{old} → {new}" for old, new in h.ids)
        if moved:
            return _("{path}: {by} changed or reused the id of an event ({moved}); events are never changed — both "
                     "versions are kept, the other one under its own id").format(path=h.path, by=by, moved=moved)
        return _("{path}: {by} removed or changed an event; events are never removed — put back").format(path=h.path, by=by)
    return _("{path}: changed by {by} (it changes how this book works or who may read it: look at it with "
             "`git show {commit} -- {path}`)").format(path=h.path, by=by, commit=h.commit)


def remote_error(e):
    from ..errors import GitError

    if e.kind == "offline":
        msg = _("cannot reach {remote} ({detail}): offline, or the shared folder, disk or server is not there; "
                "nothing was changed — your work is safe here, sync again later")
    elif e.kind == "locked":
        msg = _("{remote} is locked by {detail}, a file a push that was stopped left there; if no other office is "
                "syncing right now, delete that file and run `hotline sync` again; nothing was lost")
    elif e.kind == "auth":
        msg = _("{remote} refused the credentials ({detail}): check the user name and password or token saved for "
                "it (Git Credential Manager on Windows), or that your SSH key is added on the server; nothing was "
                "changed")
    else:
        msg = _("git could not sync with {remote}: {detail}; nothing was lost")
    return GitError(msg.format(remote=e.remote, detail=e.detail))


@command(help=N_("Settle what two offices changed differently: choose a field's value, repair merged files."))
@handle
def resolve(
    ctx: typer.Context,
    case: Optional[str] = typer.Argument(None, metavar=N_("CASE"), help=N_("The case whose fields to choose (default: every one).")),
    take: Optional[List[str]] = typer.Option(None, "--take", metavar=N_("FIELD=N"),
                                             help=N_("Keep value N (as listed) of FIELD, without asking.")),
):
    from ..writes import offices
    from ..domain import labels
    from ..errors import UsageError

    from ..trust import arrivals
    from ..storage import gitsync

    book = open_book(ctx)
    offices.refuse_during_git_operation(book.git_root)
    with book.lock():
        repaired = offices.repair_files(book)
        by_hand = offices.hand_settled(book)
        who = offices.sync_author(book)
        email = who.email or f"{who.id}@hotline.invalid"
        restored = arrivals.restore_deleted(book, who.name, email) if not repaired else []
        own = arrivals.own_ids(book, who.name, email) if not repaired else []
        if repaired or by_hand:
            gitsync.mark_resolved(book.git_root, repaired + by_hand)
    for rel in repaired:
        out(_("Merged {file}: both offices' events and entries kept.").format(file=rel))
    for rel in by_hand:
        out(_("{file}: settled by hand (no conflict markers left), taken into the merge.").format(file=rel))
    for rel in restored:
        out(_("Put back {file} (cases, points and leave are never deleted).").format(file=rel))
    for cid in own:
        out(_("Case {id}: events that shared an id now each have their own.").format(id=cid))
    if offices.conclude_merge(book):
        out(_("The merge is complete and committed."))
    waiting = offices.left_unmerged(book) if gitsync.merging(book.git_root) else []
    cases = [book.store.get(case)] if case else [c for c in book.store.all() if c.conflicts]
    if case and not cases[0].conflicts:
        raise UsageError(_("case {id} has no fields to choose between").format(id=cases[0].id))
    choices = _parse_take(take or [])
    left = []
    for c in cases:
        chosen = dict(choices) if case else {}
        if not chosen:
            chosen = _ask(book, c)
        if chosen is None:
            left.append(c.id)
            continue
        offices.settle(book, c.id, chosen)
        out(_("Case {id}: {fields} chosen.").format(id=c.id, fields=labels.fields(chosen)))
    if waiting:
        raise offices.SyncStopped(waiting)
    if not cases and not repaired and not by_hand and not restored and not own:
        out(_("Nothing to resolve."))
    if left:
        from ..errors import HotlineError

        raise HotlineError(_("fields to choose in {ids}: run `hotline resolve CASE` on a terminal, or give "
                             "--take FIELD=N").format(ids=", ".join(left)))


def _parse_take(items: list[str]) -> dict[str, int]:
    from ..errors import UsageError

    out_: dict[str, int] = {}
    for item in items:
        name, sep, n = item.partition("=")
        if not sep or not n.strip().isdigit() or int(n) < 1:
            raise UsageError(_("--take '{item}' must be FIELD=N, N the number of the value as listed (1, 2, ...)")
                             .format(item=item))
        out_[name.strip()] = int(n) - 1
    return out_


def _ask(book, case) -> dict[str, int] | None:
    """On a terminal: each conflicting field's values, numbered, and the person's choice."""
    from ..writes import offices
    from ..domain import labels
    from ..errors import UsageError
    from .terminal import Cancelled, interactive_terminal

    term = interactive_terminal(False)
    if term is None:
        for c in offices.open_conflicts(case):
            err(_("case {id}: {field} ({name}) = {values}").format(
                id=case.id, field=labels.field(c.field), name=c.field, values=" | ".join(f"{i}) {_shown(book, c.field, v, case)}"
                                                             for i, v in enumerate(c.values, 1))))
        return None
    chosen: dict[str, int] = {}
    for c in offices.open_conflicts(case):
        term.say(_("Case {id}: two offices gave {field} different values:").format(id=case.id, field=labels.field(c.field)))
        for i, v in enumerate(c.values, 1):
            term.say(f"  {i}) {_shown(book, c.field, v, case)}")

        def number(text: str, n: int = len(c.values)) -> int:
            t = text.strip()
            if not t.isdigit() or not 1 <= int(t) <= n:
                raise UsageError(_("type a number from 1 to {n}").format(n=n))
            return int(t) - 1

        try:
            chosen[c.field] = term.ask(_("Keep which one (1-{n})?").format(n=len(c.values)), number)
        except Cancelled:
            raise UsageError(_("nothing was chosen; the values stay as they are")) from None
    return chosen


def _shown(book, name: str, value, case) -> str:
    """A value as people read it: labels for ids, personal blocks opened with your key (when
    you may open the case's personal data)."""
    from ..render.text import one_line

    if name == "personal":
        from ..trust import privacy
        from ..domain.access import may_read

        if not may_read(case, book.roster, book.rules.lines.access, book.actor().id):
            return _("(encrypted; only the case's readers may open it: `hotline access {id}`)").format(id=case.id)
        ident = privacy.load_identity()
        try:
            fields = privacy.decrypt_personal(value, ident) if ident else None
        except Exception:  # noqa: BLE001 - a block this key cannot open is shown as such
            fields = None
        if fields is None:
            return _("(encrypted; your key cannot open it)")
        return one_line("; ".join(f"{k}: {v}" for k, v in fields.items()))
    vocab = {"channel": "channel", "grade": "grade", "role": "role", "gender": "gender", "age_group": "age_group",
             "categories": "category", "needs": "need", "risk": "risk", "victim_age_group": "age_group"}.get(name)
    if vocab and isinstance(value, list):
        return one_line("、".join(book.rules.label(vocab, x) for x in value))
    if vocab and isinstance(value, str):
        return one_line(book.rules.label(vocab, value))
    if name == "owner":
        p = book.roster.person(value)
        return one_line(f"{p.name} ({p.id})" if p else str(value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return one_line(str(value))


@command(help=N_("Bring a book up to date: every event's id in the files, the merge driver, and each case's "
                 "personal data under a key of its own (need to know)."))
@handle
def upgrade(ctx: typer.Context):
    from ..trust import keyring
    from ..writes.offices import upgrade_book
    from ..writes.setup import rekey_book

    book = open_book(ctx)
    actor = book.actor()
    with book.lock():
        touched = upgrade_book(book, actor)
    if touched:
        out(_("Upgraded {n} file(s) in one commit.").format(n=len(touched)))
    legacy = keyring.legacy_count(book)
    if legacy:
        res = rekey_book(book, progress=progress(_("moving to per-case keys")))
        out(_("Moved {n} case(s) to a key of their own: each now opens only for the people who may read it, and "
              "can be erased.").format(n=res.upgraded))
        out("!! " + _("What this cannot undo: the copies committed before stay in the history, encrypted to every "
                      "staff key of the time, with the old caller tags; whoever held one of those keys and a copy of "
                      "the history can still read them. Only what is written from now on is protected."))
    elif not touched:
        out(_("The book is up to date."))


@command("merge-file", hidden=True, help=N_("git's merge driver for case, ledger and leave files (run by git)."))
def merge_file(base: Path = typer.Argument(...), ours: Path = typer.Argument(...), theirs: Path = typer.Argument(...),
               pathname: str = typer.Argument(...)):
    from ..writes.offices import run_driver

    try:
        code = run_driver(base, ours, theirs, pathname)
    except Exception as e:  # noqa: BLE001 - git must get an answer: fall back to its own line merge
        from ..storage.gitsync import line_merge

        print(f"hotline merge-file {pathname}: {e}", file=sys.stderr)
        code = line_merge(ours, base, theirs, pathname) or 1
    raise typer.Exit(code)
