"""What counts as plain text in a book: the one definition of a control character.

Typed text with a control character is refused (`cases.clean_text`); text that arrived in a
file anyway is shown with it made visible (`render.text.safe`) and named by `hotline check`.
Control characters here: C0 but tab and newline, DEL, C1 (U+0080–U+009F, e.g. CSI U+009B),
the bidirectional marks, overrides and isolates, and the byte-order mark.

And what a spreadsheet would run as a formula (`formula_like`): every CSV hotline writes
carries such a text cell behind an apostrophe (`neutralise`, in `render.tables.csv_text`),
and an import reads it back as it was (`unneutralise`).
"""
from __future__ import annotations

import re
import unicodedata

CONTROL_CHARS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff"
_CONTROL = re.compile(f"[{CONTROL_CHARS}]")


def has_control(text: str) -> bool:
    return _CONTROL.search(text) is not None


def first_control(text: str) -> str | None:
    """The first control character in `text`, as U+XXXX; None when there is none."""
    m = _CONTROL.search(text)
    return f"U+{ord(m.group(0)):04X}" if m else None


FORMULA_START = "=+-@"          # what makes a spreadsheet read a cell as a formula (OWASP)
_LEADING_BLANKS = " \t\r\n\u3000\xa0"


def formula_like(text: str) -> bool:
    """Would Excel, WPS or LibreOffice read this text as a formula (or a DDE call)?  Its
    first character after blanks is = + - @ in any width (NFKC: ＝＋－＠, small forms), or it
    begins with a tab or carriage return; apostrophes in front count as nothing, so that
    `neutralise` can be undone (`unneutralise`)."""
    t = text.lstrip("'")
    if t[:1] in ("\t", "\r"):
        return True
    t = t.lstrip(_LEADING_BLANKS)
    return bool(t) and unicodedata.normalize("NFKC", t[0])[:1] in FORMULA_START


def neutralise(text: str) -> str:
    """A text cell as CSV must carry it: a leading apostrophe when it looks like a formula."""
    return "'" + text if formula_like(text) else text


def unneutralise(text: str) -> str:
    """What `neutralise` wrote, as it was (an import reading a CSV hotline wrote)."""
    return text[1:] if text.startswith("'") and formula_like(text[1:]) else text

