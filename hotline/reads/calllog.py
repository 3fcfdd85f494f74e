"""Calls that did not become cases, as reads: `hotline calls list`. Recording them is a write:
`writes/calllog.py`."""
from __future__ import annotations

from typing import Any

from ..book import Book
from ..domain import dates
from ..domain.calls import KINDS


def month_rows(book: Book, year: int, month: int) -> list[dict[str, Any]]:
    """The month's entries as rows {id, date, kinds..., total, by, note} (the whole month's first)."""
    from ..storage import calls as store

    rows = []
    for x in sorted(store.read(book.root, year, month), key=lambda x: (store.order(x), x.id)):
        rows.append({"id": x.id, "date": x.day or dates.text(year, month), **{k: x.counts.get(k, 0) for k in KINDS},
                     "total": x.total(), "by": x.by, "note": x.note})
    return rows
