"""Setting up: `init` a book, `key new|show` for your personal key."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..i18n import N_
from .app import command, key_command
from .common import handle, out


@command(help=N_('Create a case book: rules, example roster, templates, cases/, ledger/, your key, first commit.'))
@handle
def init(
    directory: Path = typer.Argument(..., help="Folder for the new case book (created if missing)."),
    person: Optional[str] = typer.Option(None, "--id", help="Your roster id (default: from your git email)."),
    name: Optional[str] = typer.Option(None, "--name", help="Your name for the roster (default: git user.name)."),
):
    from ..setup import init_book

    res = init_book(directory, person, name)
    out(f"Created case book in {res.root}")
    out(f"  you are '{res.person}' in roster.yaml (edit it to add your groups, people and partners)")
    if res.new_identity:
        out(f"  your private key: {res.identity} (keep it safe, outside the book; never commit it)")
    else:
        out(f"  using your existing key: {res.identity}")
    out("  next: cd into it and run `hotline intake`")


@key_command("new", help=N_('Create your private key (identity) outside the book and print its public key.'))
@handle
def key_new():
    from .. import privacy

    path, public = privacy.new_identity()
    out(f"Created {path}")
    out("Your public key (put it as `key:` on your roster entry, then ask a key holder to run `hotline rekey`):")
    out(public)


@key_command("show", help=N_('Print your public key.'))
@handle
def key_show():
    from .. import privacy
    from ..errors import UsageError

    ident = privacy.load_identity()
    if ident is None:
        raise UsageError(f"no identity at {privacy.identity_path()}; create one with `hotline key new`")
    out(privacy.public_key(ident))
