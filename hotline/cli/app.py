"""The Typer application, its global options (`--book`, `--as`), and the project's own handling
around the framework: the language chosen before anything is shown, one-line usage errors in
that language, help pages in that language, output that never fails on the console's encoding.

Command modules register themselves with `command(...)`; `hotline/cli/__init__.py` imports them.
"""
from __future__ import annotations

import functools
import os
import re
import sys
from pathlib import Path
from typing import Any, Optional

import typer
from typer.core import TyperCommand, TyperGroup

from ..i18n import N_, _
from . import common


def _not_text(args: list[str]) -> str | None:
    """The first argument that is not UTF-8 text (on POSIX, bytes that are not UTF-8 arrive
    as lone surrogates), shown safely; None when all are text."""
    for a in args:
        if any(0xD800 <= ord(ch) <= 0xDFFF for ch in a):
            return a.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return None


def book_language(args: list[str]) -> str | None:
    """The `language:` of the book this command line will open, read cheaply before anything is
    shown (so `--help` and usage errors speak it too); None when there is no book to be found."""
    root = None
    for i, a in enumerate(args):
        if a == "--book" and i + 1 < len(args):
            root = Path(args[i + 1])
        elif a.startswith("--book="):
            root = Path(a[7:])
    if root is None and os.environ.get("HOTLINE_BOOK"):
        root = Path(os.environ["HOTLINE_BOOK"])
    if root is None:
        here = Path.cwd()
        root = next((d for d in (here, *here.parents) if (d / "rules.yaml").is_file() and (d / "cases").is_dir()), None)
    try:
        with open(root / "rules.yaml", "rb") as f:  # type: ignore[operator]
            head = f.read(65536).decode("utf-8", "replace")
    except (OSError, TypeError):
        return None
    m = re.search(r"^language:\s*['\"]?([A-Za-z_-]+)", head, re.M)
    return m.group(1) if m else None


def kinds(e: BaseException) -> set[str]:
    """The names of the framework's exception classes `e` is an instance of (click's public
    names: UsageError, MissingParameter, ...).  Typer vendors click under a private module, so
    its exceptions are told apart by name, never imported from there."""
    return {c.__name__ for c in type(e).__mro__}


def usage_message(e: Any) -> str:
    """A framework usage error as one line in the book's language."""
    kind = kinds(e)
    see = _("see `{command} --help`")
    where = f" ({see.format(command=e.ctx.command_path)})" if e.ctx is not None else ""
    if "MissingParameter" in kind and e.param is not None:
        name = e.param.opts[0] if e.param.param_type_name == "option" else _(e.param.metavar or e.param.name)
        return _("{name} is missing").format(name=name) + where
    if "NoSuchOption" in kind:
        near = sorted(e.possibilities or [])
        hint = " " + _("(did you mean {options}?)").format(options=", ".join(near)) if near else ""
        return _("no such option: {option}").format(option=e.option_name) + hint + where
    if "BadOptionUsage" in kind:
        key = _("{option} takes no value") if "does not take" in e.message else _("{option} needs a value")
        return key.format(option=e.option_name) + where
    if "BadParameter" in kind:
        name = e.param.opts[0] if e.param is not None and e.param.opts else _("a value")
        return _("{name} has a value that is not allowed").format(name=name) + where
    m = re.match(r"Got unexpected extra arguments? ?\(?s?\)? ?\((.*)\)", e.message)
    if m:
        return _("unexpected extra argument(s): {args}").format(args=m.group(1)) + where
    m = re.match(r"No such command (['\"])(.*?)\1\.(?: Did you mean .*\?)?$", e.message, re.S)
    if m:  # the framework's suggestion is English; the suggestion is made here, in the reader's words
        import difflib

        name = m.group(2)
        known = list(getattr(e.ctx.command, "commands", {})) if e.ctx is not None else []
        near = difflib.get_close_matches(name, known)
        hint = " " + _("(did you mean {commands}?)").format(commands=", ".join(near)) if near else ""
        return _("no such command: {name}").format(name=name) + hint + where
    if e.message.startswith("Missing command"):
        return _("a command is needed") + where
    return e.format_message().rstrip(".") + where


class HotlineCommand(TyperCommand):
    """A command whose help page is in the book's language (`helptext.render`)."""

    def format_help(self, ctx, formatter) -> None:
        from .helptext import render

        formatter.write(render(ctx))


class HotlineGroup(TyperGroup):
    """The command group, with the project's own error handling around the framework's:
    every usage error is one line on stderr and exit 2, an argument that is not text is
    refused before anything runs, and output never fails on the console's encoding."""

    def format_help(self, ctx, formatter) -> None:
        from .helptext import render

        formatter.write(render(ctx))

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        from .. import i18n

        for stream in (sys.stdout, sys.stderr):
            if hasattr(stream, "reconfigure"):
                try:
                    stream.reconfigure(errors="replace")  # a GBK console shows '?' for an emoji, never a traceback
                except (ValueError, OSError):
                    pass
        args = list(sys.argv[1:] if args is None else args)
        with i18n.speaking(book_language(args)):
            return self._run(args, prog_name, complete_var, **extra)

    def _run(self, args: list[str], prog_name: str | None, complete_var: str | None, **extra: Any) -> Any:
        bad = _not_text(args)
        if bad is not None:
            common.err(_("the argument '{arg}' is not UTF-8 text; type it again (or check the terminal's encoding)")
                       .format(arg=bad))
            sys.exit(2)
        try:
            code = super().main(args=args, prog_name=prog_name or "hotline", complete_var=complete_var,
                                standalone_mode=False, **extra)
        except typer.Abort:
            common.err(_("interrupted; nothing was written"))
            sys.exit(130)
        except Exception as e:
            kind = kinds(e)
            if "NoArgsIsHelpError" in kind:
                typer.echo(e.ctx.get_help() if e.ctx is not None else e.format_message(), err=True)
                sys.exit(2)
            if "UsageError" in kind:
                common.err(usage_message(e))
                sys.exit(2)
            if "ClickException" in kind:
                common.err(e.format_message())
                sys.exit(e.exit_code)
            raise
        sys.exit(code if isinstance(code, int) else 0)


app = typer.Typer(
    name="hotline",
    cls=HotlineGroup,
    help=N_("A case register for counselling hotlines, kept as plain files in git."),
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
key_app = typer.Typer(cls=HotlineGroup, help=N_("Your personal age key, for reading callers' personal data."),
                      no_args_is_help=True, rich_markup_mode=None)
app.add_typer(key_app, name="key")
command = functools.partial(app.command, cls=HotlineCommand)
key_command = functools.partial(key_app.command, cls=HotlineCommand)

READS_MANY = ("list", "overdue", "report", "score")  # read commands over many cases


@app.callback()
def main_options(
    ctx: typer.Context,
    book: Optional[str] = typer.Option(None, "--book", metavar=N_("FOLDER"),
                                       help=N_("The case book folder (default: $HOTLINE_BOOK, else the nearest one above).")),
    as_: Optional[str] = typer.Option(None, "--as", metavar=N_("PERSON"),
                                      help=N_("Act as this roster person (default: $HOTLINE_USER, else your git e-mail).")),
):
    inv = ctx.obj = common.Invocation(book=book, acting=as_)
    if ctx.invoked_subcommand in READS_MANY:
        # start looking at the files at once: it runs while the command gets ready
        from ..book import Book
        from ..errors import HotlineError

        try:
            opened = Book.open(book, as_)
            opened.store.prefetch()
            inv.opened = opened
        except HotlineError:
            pass  # the command itself will say what is wrong
