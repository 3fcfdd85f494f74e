"""Spreadsheets read from disk, as `domain.importing.Table`s of cells with their row numbers.

- `.xlsx` (Excel, WPS) through openpyxl, read-only, the values the sheet shows (a formula's
  last computed value); dates come as dates, numbers as numbers.
- `.csv` as Excel and WPS write it: UTF-8 with or without a byte-order mark, else GBK (Chinese
  Excel's "CSV" — read as GB18030, its superset); a file that is neither is refused, naming
  where it stopped being UTF-8.  A row is a CSV record, numbered as the spreadsheet shows it.
- Old `.xls` / WPS `.et` files are refused with the way out: save as .xlsx (or .csv).

openpyxl is imported here only, when a workbook is read (start-up time matters).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..domain.importing import Table
from ..domain.register import CASES_SHEET, EVENTS_SHEET
from ..errors import UsageError
from ..i18n import _
from .yamlio import read_bytes

MAX_BYTES = 100_000_000   # a register of many years is a few MB; refuse what cannot be one
READABLE = (".xlsx", ".xlsm", ".csv")


@dataclass
class Workbook:
    """The sheets an import reads: the case sheet, the 事件 sheet when there is one."""

    path: Path
    main: Table
    events: Table | None
    sheets: list[str]
    encoding: str | None = None   # a CSV file's encoding: "UTF-8" or "GBK"


def read(path: Path, sheet: str | None = None) -> Workbook:
    """The workbook at `path`: its sheet `sheet` (default: 个案 if it has one, else the first)
    and its 事件 sheet; UsageError for a file that is missing or cannot be a register."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".xls", ".et", ".ett", ".wps"):
        raise UsageError(_("{file} is an old Excel/WPS file; open it and save it as .xlsx (Excel workbook) or .csv, "
                           "then import that").format(file=path))
    if suffix not in READABLE:
        raise UsageError(_("{file}: import reads .xlsx or .csv files").format(file=path))
    if not path.is_file():
        raise UsageError(_("{file}: no such file").format(file=path))
    if suffix == ".csv":
        if sheet is not None:
            raise UsageError(_("--sheet is for .xlsx workbooks; a .csv file has one sheet"))
        table, encoding = read_csv(path)
        return Workbook(path, table, None, [table.name], encoding)
    return read_xlsx(path, sheet)


def read_xlsx(path: Path, sheet: str | None) -> Workbook:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = load_workbook(io.BytesIO(read_bytes(path, MAX_BYTES)), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError):
        raise UsageError(_("{file} is not an .xlsx workbook that can be read (saved by another program under this "
                           "name?); open it and save it again as .xlsx").format(file=path)) from None
    try:
        names = list(wb.sheetnames)
        if sheet is not None and sheet not in names:
            raise UsageError(_("--sheet '{sheet}' is not in {file}; its sheets: {names}").format(
                sheet=sheet, file=path, names=", ".join(names)))
        main = sheet or (CASES_SHEET if CASES_SHEET in names else names[0])
        events = _table(wb[EVENTS_SHEET], EVENTS_SHEET) if EVENTS_SHEET in names and main != EVENTS_SHEET else None
        return Workbook(path, _table(wb[main], main), events, names)
    finally:
        wb.close()


def _table(ws: Any, name: str) -> Table:
    ws.reset_dimensions()  # some programs write wrong dimensions: read every row there is
    rows = []
    for n, values in enumerate(ws.iter_rows(values_only=True), 1):
        vals = list(values)
        while vals and (vals[-1] is None or (isinstance(vals[-1], str) and not vals[-1].strip())):
            vals.pop()
        if vals:
            rows.append((n, vals))
    return Table(name, rows)


def decode(data: bytes, path: Path) -> tuple[str, str]:
    """(text, encoding): UTF-8 (a byte-order mark dropped), else GBK; UsageError naming both."""
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError as e:
        first = e
    try:
        return data.decode("gb18030"), "GBK"
    except UnicodeDecodeError:
        raise UsageError(_("{file} is neither UTF-8 text (byte {pos} is not UTF-8) nor GBK: save it again as "
                           "\"CSV UTF-8\" or as .xlsx").format(file=path, pos=first.start + 1)) from None


def read_csv(path: Path) -> tuple[Table, str]:
    text, encoding = decode(read_bytes(path, MAX_BYTES), path)
    rows = []
    try:
        for n, record in enumerate(csv.reader(io.StringIO(text, newline="")), 1):
            while record and not record[-1].strip():
                record.pop()
            if record:
                rows.append((n, list(record)))
    except csv.Error as e:
        raise UsageError(_("{file} is not a CSV file that can be read ({why})").format(file=path, why=e)) from None
    return Table(path.stem, rows), encoding


def load_mapping(path: Path):
    """A mapping file (`--map`): YAML, `columns:` and `values:`; UsageError as `path:line: message`."""
    from ..domain.importing import mapping_from_data
    from ..errors import BookError, DataError
    from . import yamlio

    try:
        text = yamlio.read_text(Path(path))
        data = yamlio.load_text(text, path)
    except BookError as e:
        raise UsageError(str(e)) from None
    try:
        return mapping_from_data(data)
    except DataError as e:
        line = yamlio.line_of(text, e.keypath) if e.keypath else 1
        raise UsageError(f"{path}:{line}: {e.message}") from None
