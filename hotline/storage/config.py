"""Reading the book's two rule files, rules.yaml and roster.yaml, with `path:line` errors.

The domain validates the parsed data (`domain.rules.from_data`, `domain.roster.from_data`)
and names a bad value by its key path; here that path becomes the line it is on.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, TypeVar

from ..domain import roster as roster_mod
from ..domain import rules as rules_mod
from ..domain.model import Roster
from ..domain.rules import Rules
from ..errors import BookError, DataError
from . import yamlio

DEFAULTS = Path(__file__).resolve().parent.parent / "defaults"
T = TypeVar("T")


def _parse(text: str, path: Path, build: Callable[[object], T]) -> T:
    data = yamlio.load_text(text, path)
    try:
        return build(data)
    except DataError as e:
        line = yamlio.line_of(text, e.keypath) if e.keypath else 1
        raise BookError(e.message, path, line) from None


def parse_rules(text: str, path: Path) -> Rules:
    rules = _parse(text, path, rules_mod.from_data)
    rules.path = path
    return rules


def parse_roster(text: str, path: Path) -> Roster:
    return _parse(text, path, roster_mod.from_data)


def load_rules(path: Path) -> Rules:
    return parse_rules(yamlio.read_text(path), path)


def load_roster(path: Path) -> Roster:
    return parse_roster(yamlio.read_text(path), path)


def default_rules_text() -> str:
    return (DEFAULTS / "rules.yaml").read_text(encoding="utf-8")
