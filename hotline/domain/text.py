"""What counts as plain text in a book: the one definition of a control character.

Typed text with a control character is refused (`cases.clean_text`); text that arrived in a
file anyway is shown with it made visible (`render.text.safe`) and named by `hotline check`.
Control characters here: C0 but tab and newline, DEL, C1 (U+0080–U+009F, e.g. CSI U+009B),
the bidirectional marks, overrides and isolates, and the byte-order mark.
"""
from __future__ import annotations

import re

CONTROL_CHARS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff"
_CONTROL = re.compile(f"[{CONTROL_CHARS}]")


def has_control(text: str) -> bool:
    return _CONTROL.search(text) is not None


def first_control(text: str) -> str | None:
    """The first control character in `text`, as U+XXXX; None when there is none."""
    m = _CONTROL.search(text)
    return f"U+{ord(m.group(0)):04X}" if m else None
