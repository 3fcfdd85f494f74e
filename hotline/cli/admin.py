"""Setting up: `init` a book, `key new|show` for your personal key."""

from pathlib import Path
from typing import Optional

import typer

from ..i18n import N_, _
from .app import command, key_command
from .common import handle, out


@command(help=N_('Create a case book: rules, example roster, templates, cases/, ledger/, your key, first commit.'))
@handle
def init(
    directory: Path = typer.Argument(..., metavar=N_("FOLDER"), help=N_("Folder for the new case book (created if missing).")),
    person: Optional[str] = typer.Option(None, "--id", metavar=N_("ID"), help=N_("Your roster id (default: from your git email).")),
    name: Optional[str] = typer.Option(None, "--name", metavar=N_("TEXT"), help=N_("Your name for the roster (default: git user.name).")),
    clone: Optional[str] = typer.Option(None, "--clone", metavar=N_("URL"),
                                        help=N_("A new office's copy of an existing book: its git remote (a shared folder, USB disk, NAS, SSH or HTTPS address).")),
):
    if clone is not None:
        return _clone(clone, directory, person, name)
    from ..writes.setup import init_book

    res = init_book(directory, person, name)
    out(_("Created case book in {root}").format(root=res.root))
    out(_("  you are '{person}' in roster.yaml (edit it to add your groups, people and partners)").format(person=res.person))
    if res.new_identity:
        out(_("  your private key: {identity} (keep it safe, outside the book; never commit it)").format(identity=res.identity))
    else:
        out(_("  using your existing key: {identity}").format(identity=res.identity))
    out(_("  next: cd into it and run `hotline intake`"))


def _clone(url: str, directory: Path, person: Optional[str], name: Optional[str]) -> None:
    from ..writes.offices import clone_book
    from ..storage.gitsync import RemoteError
    from .offices import remote_error

    try:
        res = clone_book(url, directory, person, name)
    except RemoteError as e:
        raise remote_error(e) from None
    out(_("Copied the case book into {root}; merges with the other offices keep every event.").format(root=res.root))
    if res.approved is not None:
        out(_("  who may read was last approved by {person} at {at}; this copy trusts that from now on").format(
            person=res.approved.by, at=res.approved.at))
    else:
        out(_("  no director has approved who may read in this book yet"))
    if res.new_identity:
        out(_("  your private key: {identity} (keep it safe, outside the book; never commit it)").format(identity=res.identity))
    else:
        out(_("  using your existing key: {identity}").format(identity=res.identity))
    if res.in_roster:
        out(_("  your key is already in roster.yaml as '{person}': cd into it and run `hotline sync`").format(person=res.in_roster))
        return
    out(_("  to read callers' personal data here, a key holder adds you under people: in roster.yaml, a director "
          "runs `hotline approve`, then `hotline rekey` and `hotline sync`:"))
    out(res.roster_line.rstrip("\n"))
    out(_("  then run `hotline sync` here"))


@key_command("new", help=N_('Create your private key (identity) outside the book and print its public key.'))
@handle
def key_new():
    from ..trust import privacy

    path, public = privacy.new_identity()
    out(_("Created {path}").format(path=path))
    out(_("Your public key (put it as `key:` on your roster entry; a director approves it with `hotline approve`, "
          "then a key holder runs `hotline rekey`; `hotline key show` also prints your signing key):"))
    out(public)


@key_command("show", help=N_('Print your public key.'))
@handle
def key_show():
    from ..trust import privacy
    from ..errors import UsageError

    ident = privacy.load_identity()
    if ident is None:
        raise UsageError(_("no identity at {identity_path}; create one with `hotline key new`").format(identity_path=privacy.identity_path()))
    out(privacy.public_key(ident))
    out(privacy.signing_public(ident))
