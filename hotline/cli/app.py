"""The Typer application and its global options (`--book`, `--as`).

Command modules register themselves on `app`; `hotline/cli/__init__.py` imports them.
"""
from __future__ import annotations

from typing import Optional

import typer

from . import common

app = typer.Typer(
    name="hotline",
    help="A case register for counselling hotlines, kept as plain files in git.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
key_app = typer.Typer(help="Your personal age key (identity) for reading callers' personal data.",
                      no_args_is_help=True, rich_markup_mode=None)
app.add_typer(key_app, name="key")

READS_MANY = ("list", "overdue", "report", "score")  # read commands over many cases


@app.callback()
def main_options(
    ctx: typer.Context,
    book: Optional[str] = typer.Option(None, "--book", help="The case book folder (default: $HOTLINE_BOOK, else the nearest one above)."),
    as_: Optional[str] = typer.Option(None, "--as", help="Act as this roster person (default: $HOTLINE_USER, else your git email)."),
):
    common.state.update(book=book, acting=as_, opened=None)
    if ctx.invoked_subcommand in READS_MANY:
        # ask git what changed at once: it works on the other core while the command starts
        from ..book import Book
        from ..errors import HotlineError

        try:
            opened = Book.open(book, as_)
            opened.store.prefetch()
            common.state["opened"] = opened
        except HotlineError:
            pass  # the command itself will say what is wrong
