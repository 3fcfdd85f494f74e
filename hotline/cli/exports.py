"""`--format xlsx --output FILE` for the listings (`list`, `overdue`, `score`, `report`): the
shared part — checking the options, writing the workbook whole, saying what was written.

A workbook is a file, never printed: xlsx without --output is refused (the other formats are
printed, or written whole to --output FILE).  A workbook with personal data (`list --reveal`) is
never written inside the book's git work tree, where git could pick it up in clear.
"""

from pathlib import Path
from typing import Optional

import typer

from ..i18n import N_, _
from .common import out

FORMATS = ("table", "json", "csv", "xlsx")
OUTPUT_HELP = N_("Write the listing to FILE instead of printing it (with --format xlsx: the workbook, .xlsx).")
XLSX_OUTPUT = typer.Option(None, "--output", metavar=N_("FILE"), help=OUTPUT_HELP)


def check_output(fmt: str, output: Optional[Path], reveal: bool = False, option: str = "--output") -> None:
    """Before anything is read: xlsx needs --output FILE.xlsx; --reveal needs xlsx."""
    from ..errors import UsageError

    if fmt == "xlsx":
        if output is None:
            raise UsageError(_("--format xlsx needs --output FILE.xlsx: a workbook is written to a file, not printed"))
        if Path(output).suffix.lower() != ".xlsx":
            raise UsageError(_("{option} '{file}' must end in .xlsx (Excel and WPS open it by its name)")
                             .format(option=option, file=output))
        if Path(output).is_dir():
            raise UsageError(_("{option} '{file}' is a folder; give the workbook's file name")
                             .format(option=option, file=output))
        return
    if reveal:
        raise UsageError(_("--reveal is for --format xlsx --output FILE: personal data is never printed"))


def inside_book(book, path: Path) -> bool:
    """Whether `path` is inside the book's git work tree (where `git add` could take it)."""
    top = book.git_root.resolve()
    where = Path(path).expanduser().resolve()
    return where == top or top in where.parents


def outside_book(book, output: Path) -> None:
    """A file with callers' personal data in clear must be written outside the book."""
    from ..errors import UsageError

    if inside_book(book, output):
        raise UsageError(_("--output '{file}' is inside the book: a workbook with personal data must be written "
                           "outside it (git would keep it in clear), e.g. on the desktop").format(file=output))


def save(book, output: Path, sheets: list, what: str) -> None:
    """Write the workbook atomically and say what it holds."""
    from ..render.xlsx import workbook
    from ..storage.yamlio import atomic_write

    try:
        atomic_write(Path(output).expanduser(), workbook(sheets, book.tz))
    except OSError as e:
        from ..errors import UsageError, os_message

        raise UsageError(_("--output '{file}' cannot be written ({why}); nothing was written")
                         .format(file=output, why=os_message(e))) from None
    out(_("Wrote {what} to {file} ({sheets} sheet(s))").format(
        what=what, file=output, sheets=sum(1 for s in sheets if not s.hidden)))


def export_list(book, cases: list, output: Path, reveal: bool) -> None:
    """`list --format xlsx`: the register (个案) and every event (事件) of the listed cases;
    with --reveal, the personal columns decrypted with your key."""
    from ..writes import actions
    from ..trust import privacy
    from ..domain.register import case_row, event_rows
    from ..errors import HotlineError, UsageError
    from ..render.sheets import register_sheets

    identity = None
    if reveal:
        outside_book(book, output)
        from ..trust.readers import require_reader

        require_reader(book, [c for c in cases if c.personal is not None])  # before anything is decrypted
        identity = privacy.load_identity()
    rows, events = [], []
    for c in cases:
        personal = None
        if reveal:
            try:
                personal = actions.reveal(book, c, identity) if c.personal is not None else {}
            except HotlineError as e:

                raise UsageError(_("case {id}: {why}; nothing was written").format(id=c.id, why=e)) from None
        rows.append(case_row(c, book.rules, book.roster, book.tz, personal))
        events += event_rows(c, book.rules, book.roster, book.tz)
    what = _("{n} case(s)").format(n=len(rows)) + (" " + _("with personal data") if reveal else "")
    save(book, output, register_sheets(rows, events, reveal), what)
