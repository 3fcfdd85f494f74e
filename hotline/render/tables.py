"""Listings as a table (tabulate), JSON or CSV: the format is chosen apart from the numbers."""
from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime
from typing import Any, Sequence

from ..domain.text import CONTROL_CHARS

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
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow([h for _k, h in columns])
        for r in rows:
            w.writerow([_cell(r.get(k)) for k, _h in columns])
        return buf.getvalue().rstrip("\n")
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
