"""Text that is safe to show on a terminal.

What a case file holds arrived by hand edits and merges too, so it may carry terminal
control sequences (ESC, CSI U+009B, OSC, DEL, bidi overrides) that could rewrite the
screen or hide text.  Everything hotline prints passes through `safe`: such characters
become visible escapes (`\\x1b`, `\\u202e`); newlines and tabs stay where a layout wants them.
"""
from __future__ import annotations

import re

from ..domain.text import CONTROL_CHARS

_UNSAFE = re.compile(f"[{CONTROL_CHARS}]")
_UNSAFE_LINE = re.compile(f"[\n\r{CONTROL_CHARS}]")


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
