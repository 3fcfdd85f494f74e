"""Workbooks (.xlsx, openpyxl) from the same row dicts the table, JSON and CSV renderers get.

One `Sheet` per table: Chinese headers in a bold first row that stays in view, a filter on
it, columns as wide as their content (a Chinese character counts two), times as real Excel
dates in the book's time zone (the local wall time, which is what a spreadsheet can hold),
numbers as numbers.  Every text is written as text — a summary beginning with `=` never
becomes a formula in the partner's Excel — and characters a workbook cannot hold (control
characters that reached a case file by a merge) are shown as visible escapes.
A sheet can offer drop-down lists (the template): their choices sit on a hidden sheet.

openpyxl is imported here only, when a workbook is written (start-up time matters).
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

MAX_WIDTH = 60        # characters; a long summary wraps in its cell instead
MIN_WIDTH = 6
LISTS_SHEET = "选项"
TIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # what the xlsx format cannot hold


@dataclass
class Sheet:
    title: str
    columns: list[tuple[str, str]]          # (row key, header)
    rows: list[dict[str, Any]]
    lists: dict[str, list[str]] = field(default_factory=dict)  # row key -> drop-down choices
    free: set[str] = field(default_factory=set)  # keys whose drop-down also takes other text (several)
    hidden: bool = False
    widths: dict[str, int] = field(default_factory=dict)  # row key -> the least width (a template's empty columns)


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: its longest line, wide (Chinese) characters twice."""
    widest = 0
    for line in text.split("\n"):
        line = line[:200]
        w = len(line) if line.isascii() else len(line) + sum(1 for c in line if c >= "\u1100" and _wide(c))
        widest = max(widest, w)
    return widest


def _wide(c: str) -> bool:
    import unicodedata

    return unicodedata.east_asian_width(c) in ("W", "F")


def cell_value(v: Any, tz: Any) -> tuple[Any, str | None]:
    """(what the cell holds, its number format): aware times as local wall time."""
    if v is None:
        return None, None
    if isinstance(v, bool):
        return ("是" if v else "否"), None
    if isinstance(v, datetime):
        local = v.astimezone(tz).replace(tzinfo=None) if v.tzinfo is not None else v
        return local, TIME_FORMAT
    if isinstance(v, date):
        return v, DATE_FORMAT
    if isinstance(v, (int, float)):
        return v, None
    if isinstance(v, (list, tuple)):
        v = "、".join(str(x) for x in v)
    return _ILLEGAL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", str(v)), None


def _text_width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    return display_width(str(value))


def _widths(sheet: Sheet, values: list[list[tuple[Any, str | None]]]) -> list[float]:
    widths = [max(display_width(h), sheet.widths.get(k, 0),
                  max((display_width(x) for x in sheet.lists.get(k, [])), default=0)) for k, h in sheet.columns]
    for row in values:
        for i, (v, _fmt) in enumerate(row):
            w = _text_width(v)
            if w > widths[i]:
                widths[i] = w
    return [min(MAX_WIDTH, max(MIN_WIDTH, w + 2)) for w in widths]


def _write_sheet(wb: Any, sheet: Sheet, tz: Any, lists_at: dict[str, str]) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    ws = wb.create_sheet(sheet.title)
    values = [[cell_value(r.get(k), tz) for k, _h in sheet.columns] for r in sheet.rows]
    widths = _widths(sheet, values)
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = w
    if not sheet.hidden:
        _page_setup(ws, sheet, widths)
    if sheet.hidden:
        ws.sheet_state = "hidden"
    last = get_column_letter(max(1, len(sheet.columns)))
    if not sheet.hidden:
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = f"A1:{last}{len(sheet.rows) + 1}"
    for i, (key, _h) in enumerate(sheet.columns, 1):
        if key in lists_at:
            dv = DataValidation(type="list", formula1=lists_at[key], allow_blank=True,
                                showErrorMessage=key not in sheet.free)
            ws.data_validations.append(dv)
            dv.add(f"{get_column_letter(i)}2:{get_column_letter(i)}1048576")
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    header = []
    for _k, h in sheet.columns:
        c = WriteOnlyCell(ws, value=h)
        c.font, c.fill, c.data_type = bold, fill, "s"
        header.append(c)
    ws.append(header)
    top = Alignment(vertical="top", wrap_text=True)
    for row in values:
        cells = []
        for v, fmt in row:
            c = WriteOnlyCell(ws, value=v)
            if isinstance(v, str):
                c.data_type = "s"   # text stays text: never a formula
                if "\n" in v:
                    c.alignment = top
            if fmt:
                c.number_format = fmt
            cells.append(c)
        ws.append(cells)


PORTRAIT_WIDTH = 95   # characters of column width an A4 page holds upright; wider sheets print landscape
FIT_WIDTH = 200       # up to this width a sheet is shrunk to the page's width (landscape holds ~140 at 100 %)
WIDE_SCALE = 75       # a wider sheet (the register) prints at this scale over several pages across
ID_KEYS = ("id", "case")  # a first column holding the case id is printed on every page


def _page_setup(ws: Any, sheet: Sheet, widths: list[float]) -> None:
    """Printing: A4, landscape when the columns are wide, fitted to the page's width (as many pages
    down as it takes) unless that would make it illegible, the header row on every page, and the case
    id column on every page too (a wide sheet runs over pages across)."""
    ws.page_setup.paperSize = 9  # A4
    wide = sum(widths)
    ws.page_setup.orientation = "landscape" if wide > PORTRAIT_WIDTH else "portrait"
    if wide <= FIT_WIDTH:
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
    else:  # too wide to shrink onto one page and stay legible: pages across, the case id on each
        ws.page_setup.scale = WIDE_SCALE
    ws.print_options.gridLines = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.print_title_rows = "1:1"
    if sheet.columns and sheet.columns[0][0] in ID_KEYS:
        ws.print_title_cols = "A:A"
    ws.oddFooter.center.text = "&P / &N"
    ws.oddHeader.center.text = "&A"


def _lists_sheet(sheets: list[Sheet]) -> tuple[Sheet | None, dict[str, str]]:
    """A hidden sheet holding every drop-down's choices, one column each, and where each is."""
    from openpyxl.utils import get_column_letter

    keys = list(dict.fromkeys(k for s in sheets for k in s.lists))
    if not keys:
        return None, {}
    choices = {k: next(s.lists[k] for s in sheets if k in s.lists) for k in keys}
    depth = max(len(v) for v in choices.values())
    rows = [{k: (choices[k][i] if i < len(choices[k]) else None) for k in keys} for i in range(depth)]
    at = {k: f"'{LISTS_SHEET}'!${get_column_letter(i)}$2:${get_column_letter(i)}${len(choices[k]) + 1}"
          for i, k in enumerate(keys, 1)}
    return Sheet(LISTS_SHEET, [(k, k) for k in keys], rows, hidden=True), at


def workbook(sheets: list[Sheet], tz: Any) -> bytes:
    """The workbook's bytes (to be written atomically by the caller)."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    lists, at = _lists_sheet(sheets)
    for s in sheets:
        _write_sheet(wb, s, tz, at)
    if lists is not None:
        _write_sheet(wb, lists, tz, {})
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
