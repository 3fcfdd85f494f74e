"""Spreadsheets read from disk, as `domain.importing.Table`s of cells with their row numbers.

- `.xlsx` (Excel, WPS) through openpyxl, read-only, the values the sheet shows (a formula's
  last computed value); dates come as dates, numbers as numbers.
- `.csv` as Excel and WPS write it: UTF-8 with or without a byte-order mark; else GBK
  (Simplified Chinese Excel's "CSV", read as GB18030, its superset) or Big5 (Traditional
  Chinese Excel's), told apart by which reading gives the common characters of its script
  (`decode`); `--encoding` settles a file that reads well both ways.  A row is a CSV
  record, numbered as the spreadsheet shows it.
- Old `.xls` / WPS `.et` files are refused with the way out: save as .xlsx (or .csv).

A workbook comes from anyone, so it is read within limits, each named when it is hit, and a
damaged one is one line, never a traceback: the zip package is checked before openpyxl sees
it (`check_package`: not a zip, encrypted, more than MAX_UNPACKED bytes unpacked, more than
MAX_TEXTS texts (shared or inline) or a sheet of more than MAX_ROWS rows or MAX_CELLS cells, counted
on the unpacked stream), openpyxl's own failures and warnings are caught, and the rows are
read up to MAX_ROWS, MAX_COLUMNS and MAX_CELL characters a cell.  So a hostile file costs a
bounded time and memory.

A text cell that a CSV written by hotline carried behind an apostrophe (`'=1+1`, see
`domain.text.neutralise`) is read as it was.

openpyxl is imported here only, when a workbook is read (start-up time matters).
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..domain.importing import Table, column_letter
from ..domain.register import CASES_SHEET, EVENTS_SHEET
from ..domain.text import unneutralise
from ..errors import BookError, UsageError
from ..i18n import _
from .yamlio import read_bytes

MAX_BYTES = 100_000_000       # the file: a register of many years is a few MB
MAX_ROWS = 100_000            # rows of a sheet, title and header included (years of a busy line)
MAX_COLUMNS = 256             # a register has about 30
MAX_CELL = 32_767             # characters in a cell: what Excel itself can hold
MAX_UNPACKED = 256 * 2**20    # an .xlsx's parts unpacked, together
MAX_PARTS = 10_000            # files in the .xlsx package
MAX_TEXTS = 500_000           # texts of a workbook, shared or inline: openpyxl reads each slowly (~40 µs)
MAX_CELLS = 1_000_000         # cells written in one sheet (a register of 40,000 rows; each ~15 µs and more)
EXCEL_ROWS = 1_048_576        # the last row a spreadsheet has
READABLE = (".xlsx", ".xlsm", ".csv")
ENCODINGS = {"utf-8": ("UTF-8", "utf-8-sig"), "gbk": ("GBK", "gb18030"), "gb18030": ("GBK", "gb18030"),
             "big5": ("Big5", "cp950")}   # --encoding → (the name said, the codec)


@dataclass
class Workbook:
    """The sheets an import reads: the case sheet, the 事件 sheet when there is one."""

    path: Path
    main: Table
    events: Table | None
    sheets: list[str]
    encoding: str | None = None   # a CSV file's encoding: "UTF-8", "GBK" or "Big5"


def read(path: Path, sheet: str | None = None, encoding: str | None = None) -> Workbook:
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
    if encoding is not None and encoding.lower() not in ENCODINGS:
        raise UsageError(_("--encoding '{value}' is not known; use one of: {allowed}").format(
            value=encoding, allowed=", ".join(ENCODINGS)))
    try:
        data = read_bytes(path, MAX_BYTES)
    except BookError as e:
        raise UsageError(str(e)) from None
    if suffix == ".csv":
        if sheet is not None:
            raise UsageError(_("--sheet is for .xlsx workbooks; a .csv file has one sheet"))
        table, said = read_csv(path, data, encoding)
        return Workbook(path, table, None, [table.name], said)
    if encoding is not None:
        raise UsageError(_("--encoding is for .csv files; a workbook says its own"))
    return read_xlsx(path, sheet, data)


# ---------------------------------------------------------------- .xlsx

def _damaged(path: Path) -> UsageError:
    return UsageError(_("{file} is a damaged workbook that cannot be read; open it in Excel or WPS and save it again "
                        "as .xlsx").format(file=path))


def _too_many_rows(path: Path, sheet: str) -> UsageError:
    return UsageError(_("sheet '{sheet}' of {file} has more than {max} rows; hotline imports at most {max} rows at a "
                        "time: split it into several files").format(sheet=sheet, file=path, max=f"{MAX_ROWS:,}"))


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"   # a password-protected .xlsx is an OLE file, as an .xls is
_TAGS = {kind: re.compile(rb"<(?:[^\s<>/:!?=\"']*:)?" + kind + rb"[\s/>]") for kind in (b"si", b"is", b"row", b"c")}
_CHUNK = 1 << 20


def check_package(data: bytes, path: Path) -> None:
    """Refuse, before openpyxl reads it, a file that is no zip, is encrypted, or unpacks beyond
    the limits; the unpacked parts are streamed through once, counting texts, rows and cells
    (a declared size cannot lie: zipfile stops at it and checks the CRC)."""
    if data[:8] == OLE_MAGIC:
        raise UsageError(_("{file} is password-protected (or an old .xls file renamed); remove the password in Excel "
                           "or WPS and save it again as .xlsx").format(file=path))
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        infos = z.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise UsageError(_("{file} is not an .xlsx workbook that can be read (saved by another program under this "
                           "name?); open it and save it again as .xlsx").format(file=path)) from None
    if len(infos) > MAX_PARTS:
        raise UsageError(_("{file} holds more than {max} parts; no register workbook does (a damaged or hostile "
                           "file?)").format(file=path, max=f"{MAX_PARTS:,}"))
    if any(i.flag_bits & 0x1 for i in infos):
        raise UsageError(_("{file} is password-protected (or an old .xls file renamed); remove the password in Excel "
                           "or WPS and save it again as .xlsx").format(file=path))
    if sum(i.file_size for i in infos) > MAX_UNPACKED:
        raise UsageError(_("{file} unpacks to more than {max} MB; no register workbook does (a damaged or hostile "
                           "file?): save the register alone as .xlsx or .csv").format(
            file=path, max=MAX_UNPACKED // 2**20))
    texts = 0
    try:
        for info in infos:
            texts = _count_part(z, info, path, texts)
    except UsageError:
        raise
    except Exception:  # zlib, CRC, truncated data: a damaged package, whatever the library says
        raise _damaged(path) from None


def _count_part(z: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path, texts: int) -> int:
    """Stream one part, counting texts (workbook-wide, from `texts`), rows and cells; the texts so far."""
    rows = cells = 0
    tail = b""
    with z.open(info) as f:
        while True:
            chunk = f.read(_CHUNK)
            buf = tail + chunk
            if chunk:
                cut = buf.rfind(b"<", max(0, len(buf) - 4096))  # a tag cut by the chunk goes to the next
                cut = cut if cut >= 0 else len(buf)
                buf, tail = buf[:cut], buf[cut:]
            texts += len(_TAGS[b"si"].findall(buf)) + len(_TAGS[b"is"].findall(buf))
            rows += len(_TAGS[b"row"].findall(buf))
            cells += len(_TAGS[b"c"].findall(buf))
            if texts > MAX_TEXTS:
                raise UsageError(_("{file} holds more than {max} texts; no register workbook does (a damaged or "
                                   "hostile file?)").format(file=path, max=f"{MAX_TEXTS:,}"))
            if rows > MAX_ROWS:
                raise UsageError(_("{file} has a sheet of more than {max} rows; hotline imports at most {max} rows at "
                                   "a time: split it into several files").format(file=path, max=f"{MAX_ROWS:,}"))
            if cells > MAX_CELLS:
                raise UsageError(_("{file} has a sheet of more than {max} cells; hotline imports at most {max} cells "
                                   "a sheet: split it into several files").format(file=path, max=f"{MAX_CELLS:,}"))
            if not chunk:
                return texts


def read_xlsx(path: Path, sheet: str | None, data: bytes | None = None) -> Workbook:
    import warnings

    data = read_bytes(path, MAX_BYTES) if data is None else data
    check_package(data, path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl's remarks on odd styles and extensions are not the reader's business
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # any damage the check above cannot see: bad styles, XML, relations
            raise _damaged(path) from None
        try:
            names = list(wb.sheetnames)
            if not names:
                raise _damaged(path)
            if sheet is not None and sheet not in names:
                raise UsageError(_("--sheet '{sheet}' is not in {file}; its sheets: {names}").format(
                    sheet=sheet, file=path, names=", ".join(names)))
            main = sheet or (CASES_SHEET if CASES_SHEET in names else names[0])
            events = _table(wb, EVENTS_SHEET, path) if EVENTS_SHEET in names and main != EVENTS_SHEET else None
            return Workbook(path, _table(wb, main, path), events, names)
        finally:
            wb.close()


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _table(wb: Any, name: str, path: Path) -> Table:
    """The sheet's non-empty rows, within the limits; a damaged sheet is named with the last row read."""
    rows: list[tuple[int, list[Any]]] = []
    n = 0
    try:
        ws = wb[name]
        ws.reset_dimensions()  # some programs write wrong dimensions: read every row there is
        for n, values in enumerate(ws.iter_rows(values_only=True), 1):
            if n > EXCEL_ROWS:
                raise _too_many_rows(path, name)
            if values.count(None) == len(values):  # an empty row (and the gaps openpyxl fills): cheap
                continue
            vals = _cells(values, path, n)
            if vals:
                if n > MAX_ROWS:
                    raise _too_many_rows(path, name)
                rows.append((n, vals))
    except UsageError:
        raise
    except Exception:  # truncated or invalid XML, a number that is none, a text index out of range ...
        raise UsageError(_("sheet '{sheet}' of {file} is damaged after row {row} and cannot be read; open it in Excel "
                           "or WPS and save it again as .xlsx").format(sheet=name, file=path, row=n)) from None
    return Table(name, rows)


def _cells(values: Any, path: Path, row: int) -> list[Any]:
    """A row's cells, trailing empty ones dropped; too many columns or too long a cell refused
    (a row padded far to the right costs one pass in C, not one in Python per cell)."""
    if len(values) > MAX_COLUMNS:
        extra = values[MAX_COLUMNS:]
        if any(extra) and not all(_blank(v) for v in extra):
            i = MAX_COLUMNS + next(i for i, v in enumerate(extra) if not _blank(v))
            raise UsageError(_("{file}:{row}:{column}: there is something beyond column {last}; hotline reads at most "
                               "{max} columns: delete it or move it left").format(
                file=path, row=row, column=column_letter(i), last=column_letter(MAX_COLUMNS - 1), max=MAX_COLUMNS))
        values = values[:MAX_COLUMNS]
    vals = list(values)
    while vals and _blank(vals[-1]):
        vals.pop()
    for i, v in enumerate(vals):
        if isinstance(v, str):
            if len(v) > MAX_CELL:
                raise UsageError(_("{file}:{row}:{column}: a cell of {n} characters; a cell holds at most {max} (as "
                                   "in Excel)").format(file=path, row=row, column=column_letter(i), n=f"{len(v):,}",
                                                       max=f"{MAX_CELL:,}"))
            vals[i] = unneutralise(v)
    return vals


# ---------------------------------------------------------------- .csv

GBK_COMMON = (0xB0, 0xD7)    # GB2312's first level: the 3,755 frequent characters
BIG5_COMMON = (0xA4, 0xC6)   # Big5's first level: the 5,401 frequent characters
SAMPLE = 200_000             # characters looked at to tell GBK and Big5 apart
CLEAR_LEAD = 1.3             # how many more frequent characters the right reading gives, at least


def frequent_characters(text: str, codec: str, lead: tuple[int, int]) -> int:
    """How many of the (first SAMPLE) characters of `text` are Chinese characters of the
    first, frequent level of `codec`'s character set — known by their first byte there.
    Big5 bytes read as GBK give kana, Cyrillic and rare characters; GBK bytes read as Big5
    give Big5's second level and gaps: the right reading gives far more frequent ones."""
    good = 0
    for c, k in Counter(text[:SAMPLE]).items():
        if "\u4e00" <= c <= "\u9fff":
            try:
                b = c.encode(codec)
            except UnicodeEncodeError:
                continue
            if lead[0] <= b[0] <= lead[1]:
                good += k
    return good


def decode(data: bytes, path: Path, encoding: str | None = None) -> tuple[str, str]:
    """(text, the encoding's name): UTF-8 (a byte-order mark dropped); else GBK or Big5, the one
    whose reading gives the frequent characters of its script (GBK when there are none to
    tell by); or the encoding asked for.  UsageError naming the encodings when none reads,
    or when GBK and Big5 read about equally well."""
    if encoding is not None:
        said, codec = ENCODINGS[encoding.lower()]
        try:
            return data.decode(codec), said
        except UnicodeDecodeError as e:
            raise UsageError(_("{file} is not {encoding} text (byte {pos} is not); leave out --encoding to let hotline "
                               "tell").format(file=path, encoding=said, pos=e.start + 1)) from None
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError as e:
        first = e
    readings = []
    for said, codec, scored, lead in (("GBK", "gb18030", "gb2312", GBK_COMMON), ("Big5", "cp950", "cp950", BIG5_COMMON)):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        readings.append((frequent_characters(text, scored, lead), said, text))
    if not readings:
        raise UsageError(_("{file} is neither UTF-8 text (byte {pos} is not UTF-8) nor GBK: save it again as "
                           "\"CSV UTF-8\" or as .xlsx").format(file=path, pos=first.start + 1))
    if len(readings) == 1 or readings[0][0] == readings[1][0] == 0:
        return readings[0][2], readings[0][1]
    best, other = sorted(readings, key=lambda r: r[0], reverse=True)
    if best[0] < CLEAR_LEAD * other[0]:
        raise UsageError(_("{file} is not UTF-8 and reads as GBK (Simplified Chinese) or Big5 (Traditional Chinese) "
                           "alike; say which with --encoding gbk or --encoding big5").format(file=path))
    return best[2], best[1]


def read_csv(path: Path, data: bytes | None = None, encoding: str | None = None) -> tuple[Table, str]:
    data = read_bytes(path, MAX_BYTES) if data is None else data
    text, said = decode(data, path, encoding)
    rows = []
    cells = 0
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for n, record in enumerate(reader, 1):
            vals = _cells(record, path, n)
            if vals:
                if n > MAX_ROWS:
                    raise _too_many_rows(path, path.stem)
                cells += len(vals)
                if cells > MAX_CELLS:
                    raise UsageError(_("{file} has a sheet of more than {max} cells; hotline imports at most {max} "
                                       "cells a sheet: split it into several files").format(file=path,
                                                                                           max=f"{MAX_CELLS:,}"))
                rows.append((n, vals))
    except csv.Error:
        raise UsageError(_("{file} is not a CSV file that can be read (line {line})").format(
            file=path, line=reader.line_num)) from None
    return Table(path.stem, rows), said


def load_mapping(path: Path):
    """A mapping file (`--map`): YAML, `columns:` and `values:`; UsageError as `path:line: message`."""
    from ..domain.importing import mapping_from_data
    from ..errors import DataError
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
