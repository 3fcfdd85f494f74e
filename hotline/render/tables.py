"""Listings as a table (tabulate's simple format), JSON or CSV: the format is chosen apart from the numbers.

Every CSV hotline writes comes out of `csv_text`: a text cell a spreadsheet would take for a
formula (a name, note or summary beginning with `=`, `+`, `-`, `@`, full-width or not, or
with a tab or carriage return) gets a leading apostrophe, so it opens as the text it is —
as `render.xlsx` writes every text as a text cell.  Numbers (a -5 penalty) stay numbers.
"""
from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime
from typing import Any, Iterable, Sequence

from ..domain.text import CONTROL_CHARS, neutralise

def _plain(v: Any) -> Any:
    if isinstance(v, datetime):
        return v.isoformat(timespec="seconds")
    if isinstance(v, date):
        return v.isoformat()
    return v


_JSON_UNSAFE = re.compile(f"[{CONTROL_CHARS}]")  # json.dumps escapes C0 itself, not the rest


def to_json(data: Any) -> str:
    """JSON, Chinese as Chinese; control characters (json escapes C0 itself) as \\u escapes."""
    text = json.dumps(data, ensure_ascii=False, indent=2, default=_plain)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def rows_out(rows: Sequence[dict], fmt: str, columns: Sequence[tuple[str, str]]) -> str:
    """rows: dicts of plain values; columns: (key, header) pairs for table and csv — the headers
    as people read them (JSON keeps the keys)."""
    if fmt == "json":
        return to_json([{k: _plain(v) for k, v in r.items()} for r in rows])
    if fmt == "csv":
        return csv_text([h for _k, h in columns], ([r.get(k) for k, _h in columns] for r in rows))
    return simple_table([[_cell(r.get(k)) for k, _h in columns] for r in rows], [h for _k, h in columns])


def simple_table(cells: list[list[str]], headers: list[str]) -> str:
    """tabulate's "simple" table of text cells (`disable_numparse`), character for character:
    cells stripped, each column as wide as its widest cell or its header plus two, cells padded on the right,
    columns two spaces apart, no space at a line's end.  Drawn here because tabulate judges the
    type of every cell first (a third of a second for a 2,000-row `overdue`); a cell it draws
    differently (several lines, control characters) goes to tabulate itself."""
    if not all(c.isprintable() for row in cells for c in row) or not all(h.isprintable() for h in headers):
        from tabulate import tabulate

        return tabulate(cells, headers=headers, disable_numparse=True)
    cells = [[c.strip() for c in row] for row in cells]  # as tabulate does
    width = _width_fn(cells, headers)
    sizes = [width(h) + 2 for h in headers]
    for row in cells:
        for i, c in enumerate(row):
            w = width(c)
            if w > sizes[i]:
                sizes[i] = w

    def line(row: Sequence[str]) -> str:
        return "  ".join(c + " " * (sizes[i] - width(c)) for i, c in enumerate(row)).rstrip()

    out = [line(headers), "  ".join("-" * n for n in sizes)]
    out += [line(row) for row in cells]
    return "\n".join(out)


def _width_fn(cells: list[list[str]], headers: list[str]):
    """len for ASCII text; else the display width tabulate takes (wcwidth: CJK counts two)."""
    if all(h.isascii() for h in headers) and all(c.isascii() for row in cells for c in row):
        return len
    from wcwidth import wcswidth

    return lambda c: len(c) if c.isascii() else wcswidth(c)


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        from ..i18n import _

        return _("yes") if v else _("no")
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M")
    if isinstance(v, (list, tuple)):
        return ", ".join(str(x) for x in v)
    return str(v)


def csv_cell(v: Any) -> Any:
    """A value as a CSV cell: numbers as numbers, everything else as text that is never a formula."""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return v
    return neutralise(_cell(v))


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """The one CSV writer of hotline: a header row (the tool's own words, as they are: `+/-`)
    and rows of values, each through `csv_cell`."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(list(header))
    for r in rows:
        w.writerow([csv_cell(v) for v in r])
    return buf.getvalue().rstrip("\n")
