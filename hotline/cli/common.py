"""What every command shares: errors to exit codes, opening the book, small renderings.

Exit codes: 0 success; 1 check found problems or a read could not finish;
2 bad usage or bad input (one line naming the value and what is allowed).
"""
from __future__ import annotations

import functools
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

import typer

from ..i18n import N_, _

@dataclass
class Invocation:
    """What the global options of one command line chose: held by its context (`ctx.obj`),
    never by the module, so two invocations in one process share nothing."""

    book: Optional[str] = None       # --book
    acting: Optional[str] = None     # --as
    opened: Any = None               # the Book, opened ahead for a read over many cases


def out(text: str = "", nl: bool = True) -> None:
    """Print to stdout, terminal control characters made visible."""
    from ..render.text import safe

    typer.echo(safe(text), nl=nl)


def err(message: str) -> None:
    """An error or a warning: always one line on stderr, `hotline: ` first."""
    from ..render.text import one_line

    typer.echo(f"hotline: {one_line(message)}", err=True)


def notice(text: str) -> None:
    """Several lines on stderr that must catch the eye (an escalation), made safe."""
    from ..render.text import safe

    typer.echo(safe(text), err=True)


def handle(fn: Callable) -> Callable:
    """Turn library errors into one clear line and the SPEC exit code; never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from ..errors import HotlineError

        try:
            return fn(*args, **kwargs)
        except HotlineError as e:
            from ..errors import os_hint

            err(str(e) + os_hint(str(e)))
            raise typer.Exit(e.exit_code) from None
        except KeyboardInterrupt:
            err(_("interrupted; nothing was written"))
            raise typer.Exit(130) from None
        except BrokenPipeError:
            quiet_stdout()  # the reader went away (`| head`): stop quietly, like every filter
            raise typer.Exit(1) from None
        except OSError as e:
            from ..errors import os_message

            err(os_message(e))
            raise typer.Exit(1) from None

    return wrapper


def quiet_stdout() -> None:
    """Point stdout at the null device, so that nothing more (not even the flush at exit)
    writes to a pipe whose reader has gone."""
    import os
    import sys

    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def open_book(ctx: typer.Context):
    """The book of this command (already opened, with the index's freshness check running in
    the background, when the command reads many cases).  Opening writes nothing: the merge
    driver is registered by the first write (`Book.lock`) and by `sync`."""
    from ..book import Book

    inv = ctx.find_object(Invocation) or Invocation()
    book = inv.opened or Book.open(inv.book, inv.acting)
    book.store.progress = progress(_("indexing cases"))
    return book


def check_format(fmt: str, allowed=("table", "json", "csv")) -> str:
    from ..errors import UsageError

    if fmt not in allowed:
        raise UsageError(_("--format '{value}' is not known; use one of: {allowed}").format(value=fmt, allowed=", ".join(allowed)))
    return fmt


def write_out(text: str, output: Optional[Path], fmt: str, count: int | None = None) -> None:
    """A listing printed, or, with `--output FILE`, written to FILE whole (atomically) and
    confirmed in one line.  CSV goes out as UTF-8 with a byte-order mark when it goes to a file
    (Excel and WPS then open Chinese correctly)."""
    from ..storage.yamlio import atomic_write

    bom = "\ufeff" if fmt == "csv" and (output is not None or not sys.stdout.isatty()) else ""
    if not text.endswith("\n"):
        text += "\n"
    if output is None:
        if bom:
            typer.echo(bom, nl=False)  # the byte-order mark itself, not escaped like text
        out(text, nl=False)
        return
    atomic_write(Path(output), bom + text)
    if count is None:
        out(_("Wrote {file}").format(file=output))
    else:
        out(_("Wrote {n} row(s) to {file}").format(n=count, file=output))


def columns(pairs) -> list[tuple[str, str]]:
    """(key, header) pairs with the headers in the book's language."""
    return [(k, _(h)) for k, h in pairs]


OUTPUT = typer.Option(None, "--output", metavar=N_("FILE"), help=N_("Write the listing to FILE instead of printing it."))
FORMAT_HELP = N_("table, json or csv.")


def parse_at(book, at: Optional[str], option: str = "--at"):
    from ..domain.dates import parse_time

    return parse_time(at, book.tz, option) if at is not None else None


def who(book, pid: str) -> str:
    p = book.roster.person(pid)
    return f"{p.name} ({pid})" if p else pid


def report_problems(book, problems) -> None:
    """Unreadable case files, one `path:line: message` line each, on stderr."""
    from ..reads.queries import problem_lines

    for line in problem_lines(book, problems):
        err(line)


def print_new_deadlines(book, case, since) -> None:
    """Print the clocks an event just started; a provisional due time says 暂定."""
    from ..domain import labels
    from ..domain.calendar import CalendarError
    from ..domain.clocks import started_at

    try:
        started = started_at(case, book.rules, book.calendar, since)
    except CalendarError as e:  # the write is done; say plainly which deadline cannot be computed
        err(_("deadlines of {case} cannot be computed yet: {why}").format(case=case.id, why=e))
        return
    for c in started:
        mark = " " + labels.provisional() if c.provisional else ""
        out("  " + _("deadline {label}: {due}{mark}").format(  # the kind in the reader's words, never its rules key
            label=labels.deadline(c.kind), due=f"{c.due.astimezone(book.tz):%Y-%m-%d %H:%M}", mark=mark))
    if any(c.provisional for c in started):
        provisional_note(book, with_lines=False)


def provisional_note(book, with_lines: bool = True) -> None:
    """Say on stderr which years' working days were provisional (暂定) in this command and, with
    `with_lines`, the rules.yaml lines that make them official (plain, to paste)."""
    from ..domain.calendar import provisional_yaml

    years = sorted(book.calendar.provisional_used)
    if not years:
        return
    ys = ", ".join(str(y) for y in years)
    err(_("the working days of {years} are provisional: computed from the statutory public holidays and "
          "their substitute days off, without the make-up working days that only the State Council's notice gives.")
        .format(years=ys))
    if not with_lines:
        err(_("when the notice is published, add its days to rules.yaml under calendar: holidays/workdays "
              "(`hotline overdue` prints the computed lines to start from)."))
        return
    err(_("when the notice is published, add these lines to rules.yaml (into its calendar: section, if it has "
          "one) and correct them from the notice; {years} then counts as official:").format(years=ys))
    notice(provisional_yaml(years).rstrip("\n"))


def progress(label: str):
    """A progress callback that draws on a terminal's stderr and stays quiet when piped."""
    if not sys.stderr.isatty():
        return None
    last = {"pct": -1}

    def tick(n: int, total: int) -> None:
        pct = n * 100 // max(total, 1)
        if pct != last["pct"] and total > 200:
            last["pct"] = pct
            sys.stderr.write(f"\r{label} {n}/{total} ({pct}%)")
            if n == total:
                sys.stderr.write("\r" + " " * 40 + "\r")
            sys.stderr.flush()

    return tick
