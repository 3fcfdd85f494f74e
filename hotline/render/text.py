"""Text that is safe to show on a terminal.

What a case file holds arrived by hand edits and merges too, so it may carry terminal
control sequences (ESC, CSI U+009B, OSC, DEL, bidi overrides) that could rewrite the
screen or hide text.  Everything hotline prints passes through `safe`: such characters
become visible escapes (`\\x1b`, `\\u202e`); newlines and tabs stay where a layout wants them.
"""
from __future__ import annotations

import re

# C0 controls but tab and newline, DEL, C1 controls, and the bidirectional overrides/isolates
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_UNSAFE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def _visible(m: re.Match) -> str:
    c = ord(m.group(0))
    if c == 10:
        return "\\n"
    if c == 13:
        return "\\r"
    return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"


def safe(text: str) -> str:
    """`text` with every control character made visible, newlines and tabs kept."""
    return _UNSAFE.sub(_visible, text)


def one_line(text: str) -> str:
    """`text` as one line: newlines and every control character made visible (for messages)."""
    return _UNSAFE_LINE.sub(_visible, text.replace("\r\n", "\n").strip("\n"))


def has_control(text: str) -> bool:
    """True when `text` holds a character `safe` would have to escape (for `hotline check`)."""
    return _UNSAFE.search(text) is not None
