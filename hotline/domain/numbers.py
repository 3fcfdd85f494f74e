"""Whole numbers as people type them (`--count 3`, `--amount 350`): parsed here, with bounds,
so a typo like a phone number pasted into `--count` is refused with the allowed range."""
from __future__ import annotations

import re
import unicodedata

from ..i18n import _
from ..errors import UsageError

MAX_COUNT = 100               # how many times one ledger entry may count (lectures, articles …)
MAX_AMOUNT = 10_000_000       # a donation, in yuan
MAX_POINTS = 100_000          # what one ledger entry may weigh, whatever the file says


def parse_whole(text: str | int, option: str, minimum: int, maximum: int) -> int:
    """A whole number from `minimum` to `maximum`; full-width digits and thousands separators
    (`１，２００`, `1,200`) are accepted."""
    if isinstance(text, int) and not isinstance(text, bool):
        value = text
    else:
        t = unicodedata.normalize("NFKC", str(text)).strip().replace(",", "").replace("_", "")
        if not re.fullmatch(r"[+-]?\d{1,12}", t):
            raise UsageError(_("{option} '{text}' is not a whole number; give one from {minimum} to {maximum}").format(option=option, text=text, minimum=minimum, maximum=maximum))
        value = int(t)
    if not minimum <= value <= maximum:
        raise UsageError(_("{option} {value} is not allowed; give a whole number from {minimum} to {maximum}").format(option=option, value=value, minimum=minimum, maximum=maximum))
    return value
