"""The Typer application and its global options (`--book`, `--as`).

Command modules register themselves on `app`; `hotline/cli/__init__.py` imports them.
"""
from __future__ import annotations

import sys
from typing import Any, Optional

import typer
from typer.core import TyperGroup

from . import common


def _not_text(args: list[str]) -> str | None:
    """The first argument that is not UTF-8 text (on POSIX, bytes that are not UTF-8 arrive
    as lone surrogates), shown safely; None when all are text."""
    for a in args:
        if any(0xD800 <= ord(ch) <= 0xDFFF for ch in a):
            return a.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return None


class HotlineGroup(TyperGroup):
    """The command group, with the project's own error handling around the framework's:
    every usage error is one line on stderr and exit 2, an argument that is not text is
    refused before anything runs, and output never fails on the console's encoding."""

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        from typer import _click  # the framework's exceptions (Typer vendors click)

        for stream in (sys.stdout, sys.stderr):
            if hasattr(stream, "reconfigure"):
                try:
                    stream.reconfigure(errors="replace")  # a GBK console shows '?' for an emoji, never a traceback
                except (ValueError, OSError):
                    pass
        args = list(sys.argv[1:] if args is None else args)
        bad = _not_text(args)
        if bad is not None:
            common.err(f"the argument '{bad}' is not UTF-8 text; type it again (or check the terminal's encoding)")
            sys.exit(2)
        try:
            code = super().main(args=args, prog_name=prog_name or "hotline", complete_var=complete_var,
                                standalone_mode=False, **extra)
        except _click.exceptions.NoArgsIsHelpError as e:
            typer.echo(e.format_message(), err=True)
            sys.exit(2)
        except _click.exceptions.UsageError as e:
            hint = f" (see `{e.ctx.command_path} --help`)" if e.ctx is not None else ""
            common.err(e.format_message().rstrip(".") + hint)
            sys.exit(2)
        except _click.exceptions.ClickException as e:
            common.err(e.format_message())
            sys.exit(e.exit_code)
        except typer.Abort:
            common.err("interrupted; nothing was written")
            sys.exit(130)
        sys.exit(code if isinstance(code, int) else 0)


app = typer.Typer(
    name="hotline",
    cls=HotlineGroup,
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
