"""Listings as a table (tabulate), JSON or CSV: the format is chosen apart from the numbers.

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
    from tabulate import tabulate

    return tabulate([[_cell(r.get(k)) for k, _h in columns] for r in rows], headers=[h for _k, h in columns],
                    disable_numparse=True)


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
