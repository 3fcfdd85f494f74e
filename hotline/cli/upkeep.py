"""Looking after the book: `check` every file, `rekey` the personal data."""

from pathlib import Path
from typing import Optional

import typer

from ..i18n import N_, _
from .app import command
from .common import OUTPUT, check_format, columns, err, handle, open_book, out, progress, write_out


@command(help=N_('Validate every file of the book: path:line: message per problem; exit 1 if any.'))
@handle
def check(ctx: typer.Context, fmt: str = typer.Option("text", "--format", metavar=N_("FORMAT"), help=N_("text, json or csv.")),
          output: Optional[Path] = OUTPUT,
          regions: bool = typer.Option(False, "--regions", help=N_("List the cases whose region cannot be placed "
                                                                   "(local, in the province, another province)."))):
    from ..reads.check import check_all, unplaced_regions
    from ..render.tables import rows_out

    check_format(fmt, ("text", "json", "csv"))
    book = open_book(ctx)
    reminders: list[str] = []
    if regions:
        problems = unplaced_regions(book)
    else:
        checked = check_all(book, progress=progress(_("checking")) if fmt == "text" and output is None else None)
        problems, reminders = checked.problems, checked.reminders
    rows = [{"path": p.path, "line": p.line, "message": p.message} for p in problems]
    if fmt == "text":
        text = "".join(f"{p}\n" for p in problems)
    else:
        text = rows_out(rows, fmt, columns([("path", N_("file")), ("line", N_("line")), ("message", N_("problem"))]))
    if output is not None or text:
        write_out(text, output, fmt, count=len(problems) if output is not None else None)
    if not regions:
        for line in reminders:   # not problems of the book: said, exit status unchanged
            err(line)
        from ..trust.approvals import unapproved_book

        note = unapproved_book(book)  # said, not a problem: a book made before approvals still works as before
        if note:
            err(note)
    if problems:
        raise typer.Exit(1)


@command(help=N_("Give each case's key to everyone who may now read it and take it from everyone who may not."))
@handle
def rekey(ctx: typer.Context):
    from ..writes.setup import rekey_book

    book = open_book(ctx)
    res = rekey_book(book, progress=progress(_("re-encrypting")))
    if res.cases or res.files:
        out(_("Keys of {cases} case(s) changed: {added} reader key(s) given, {dropped} taken away, {upgraded} case(s) "
              "moved to a key of their own.").format(cases=res.cases, added=res.added, dropped=res.dropped,
                                                     upgraded=res.upgraded))
        if res.rotated:
            out(_("A new caller key was made: every contact's link was made again."))
        if res.upgraded:
            out(_("Note: old commits stay readable to the keys they were encrypted to; rekey cannot undo that."))
    else:
        out(_("Nothing to change; every reader holds the keys of the cases they may read ({recipients} key(s) "
              "in roster.yaml).").format(recipients=res.recipients))
    if res.waiting:
        out(_("{n} case(s) have readers still without their key: your key cannot open them; one of their readers "
              "runs `hotline rekey` (first: {ids}).").format(n=len(res.waiting), ids=", ".join(res.waiting[:5])))
    if not res.approved:
        out(_("The new caller key waits for a director's approval (`hotline approve`); until then intake does not "
              "use it."))


@command(help=N_("A director approves who may read: the roster's keys, roles and groups and the caller key "
                 "(signed; one commit)."))
@handle
def approve(ctx: typer.Context,
            yes: bool = typer.Option(False, "--yes", help=N_("Do not ask for confirmation (for scripts)."))):
    import sys

    from ..trust import approvals, privacy
    from ..errors import UsageError

    book = open_book(ctx)
    identity = privacy.load_identity()
    plan = approvals.plan(book, identity)
    if not plan.changes and len(plan.prev) <= 1 and not plan.first:
        out(_("Nothing changed for reading since the last approval; nothing was written."))
        return
    out(_("The first approval of this book: these people may read:") if plan.first
        else _("What changes for reading:"))
    for c in plan.changes:
        out("  " + approvals.describe(c))
    if len(plan.prev) > 1:
        out("  " + _("joins {n} approvals made at the same time in different offices").format(n=len(plan.prev)))
    if not plan.caller_opened:
        out("  " + _("your key cannot open keys/caller-key.age: the caller key approved before stays approved, "
                     "a new one is not"))
    if not yes:
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            raise UsageError(_("approving needs a yes on a terminal; in a script pass --yes"))
        if not typer.confirm(_("Sign this approval?"), default=False):
            out(_("Nothing was written."))
            raise typer.Exit(1)
    a, _commit = approvals.approve(book, identity, plan)
    out(_("Approved by {person} at {at} ({id}); sync sends it to the other offices.").format(
        person=a.by, at=a.at, id=a.id[:12]))
