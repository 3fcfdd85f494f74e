"""The place table (`defaults/places.yaml`: provinces and their prefecture-level cities), read once
per process, with the line's own names from rules.yaml's `home_region: places:`."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from ..domain import regions
from . import yamlio

PLACES = Path(__file__).resolve().parent.parent / "defaults" / "places.yaml"


@lru_cache(maxsize=1)
def table() -> regions.Places:
    return regions.table_from_data(yamlio.load_text(yamlio.read_text(PLACES), PLACES))


def for_rules(home_region: dict[str, Any] | None) -> tuple[regions.Places, regions.Place | None, list[tuple[list, str]]]:
    """(the table with the line's own names, the home as a Place or None, what is wrong with home_region)."""
    places = regions.with_extra(table(), home_region)
    home, problems = regions.home_of(home_region, places)
    return places, home, problems
