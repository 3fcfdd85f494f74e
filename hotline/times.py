"""The clock: the one place that reads it.

Everything else takes "now" as a parameter.  `$HOTLINE_NOW` (ISO 8601 or `YYYY-MM-DD HH:MM`,
naive = the book's time zone) stands in for the wall clock, for tests and demos.
"""
from __future__ import annotations

import os
from datetime import datetime, tzinfo


def now(tz: tzinfo) -> datetime:
    fixed = os.environ.get("HOTLINE_NOW")
    if fixed:
        from .domain.dates import parse_time

        return parse_time(fixed, tz, "$HOTLINE_NOW")
    return datetime.now(tz).replace(microsecond=0)
