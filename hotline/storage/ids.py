"""Case ids: unique across clones without coordination, phone-readable, time-sorted.

An id is `YYMMDD-TTTRR`: the intake date, three Crockford base-32 digits for the
time of day in 4-second steps (so ids sort by intake time), and two random digits.
Two offices would need the same 4-second window *and* the same 1-in-1024 draw to
collide; a clone retries locally on a collision and `check` reports one after a
merge.  Crockford's alphabet has no I, L, O or U, so an id survives being read out
on the phone; input is upper-cased and O/I/L are read as 0/1/1.
"""
from __future__ import annotations

import re
import secrets
from datetime import datetime
from typing import Any

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # ASCII-ascending, so text order = number order
ID_RE = re.compile(r"^\d{6}-[0-9A-HJKMNP-TV-Z]{5}$")


def _b32(n: int, width: int) -> str:
    out = []
    for _ in range(width):
        n, r = divmod(n, 32)
        out.append(ALPHABET[r])
    return "".join(reversed(out))


def new_id(received: datetime, rand: int | None = None) -> str:
    """The id for a case received at `received` (local time of the book)."""
    seconds = received.hour * 3600 + received.minute * 60 + received.second
    r = secrets.randbelow(1024) if rand is None else rand
    return f"{received:%y%m%d}-{_b32(seconds // 4, 3)}{_b32(r, 2)}"


ENTRY_ID_RE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{8}$")


def new_entry_id() -> str:
    """A fresh id for an event or a ledger entry: 8 random Crockford digits (40 bits), unique
    without coordination between clones (two offices' events merge by it)."""
    return _b32(secrets.randbits(40), 8)


def identified(event: Any) -> Any:
    """The event (or ledger entry) as it is added: given a fresh id when it has none.  A copy;
    the value passed in is not changed."""
    from dataclasses import replace

    return event if event.id else replace(event, id=new_entry_id())


def content_id(*parts: object) -> str:
    """The id an event or entry written before ids existed gets, derived from its content (and
    its place among identical ones), so clones that upgrade separately agree."""
    import hashlib

    digest = hashlib.sha256("\x1f".join("" if p is None else str(p) for p in parts).encode("utf-8")).digest()
    return _b32(int.from_bytes(digest[:5], "big"), 8)


def normalise(text: str) -> str:
    """Upper-case, map look-alikes, drop spaces; keep the hyphen where given.  Full-width
    characters typed with a Chinese input method count as their ASCII (２６１１２３－Ｇ０)."""
    import unicodedata

    t = unicodedata.normalize("NFKC", text).strip().upper().replace(" ", "").replace("－", "-")
    return t.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))


def month_of(id_or_prefix: str) -> tuple[str, str] | None:
    """('2026', '11') when the prefix holds the year and month digits, else None."""
    m = re.match(r"^(\d{2})(\d{2})", id_or_prefix)
    if not m:
        return None
    return f"20{m.group(1)}", m.group(2)


def is_valid(case_id: str) -> bool:
    return bool(ID_RE.match(case_id))
