"""Reading the book's two rule files, rules.yaml and roster.yaml, with `path:line` errors.

The domain validates the parsed data (`domain.rules.from_data`, `domain.roster.from_data`)
and names a bad value by its key path; here that path becomes the line it is on.
"""
from __future__ import annotations

import os
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


CACHE_NAME = "hotline-config-cache"  # in the clone's git folder, beside the derived index; never tracked
_CACHE_FORMAT = 1


def code_stamp() -> str:
    """What the parsed values' shape depends on: this version of hotline's domain and storage
    modules (their files' signatures), and Python's."""
    import sys

    here = Path(__file__).resolve().parent
    parts = [sys.version, str(_CACHE_FORMAT)]
    for folder in (here, here.parent / "domain"):
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            if entry.name.endswith(".py"):
                st = entry.stat()
                parts.append(f"{entry.name}:{st.st_mtime_ns}:{st.st_size}")
    return "|".join(parts)


def load_cached(path: Path, kind: str, cache_dir: Path | None):
    """rules.yaml or roster.yaml (`kind`: "rules" or "roster") parsed, from a cache beside the
    derived index when its text is the one parsed last time: the key is the file's content
    (SHA-256 of its bytes, read every time) and the code that parsed it, so an edit of any kind
    — by hand, `git pull`, a branch switch — parses it again.  A broken file is never cached:
    it raises its `path:line` error every time.  Without a cache folder, parses."""
    import hashlib
    import pickle

    data = yamlio.read_bytes(path)
    parse = parse_rules if kind == "rules" else parse_roster
    if cache_dir is None:
        return parse(yamlio.decode(data, path), path)
    key = hashlib.sha256(data).hexdigest() + "|" + code_stamp()
    cache = cache_dir / f"{CACHE_NAME}-{kind}.pickle"
    try:
        with open(cache, "rb") as fh:
            stored_key, value = pickle.load(fh)
        if stored_key == key:
            if kind == "rules":
                value.path = path
            return value
    except Exception:  # missing, damaged, from another version: parse again
        pass
    value = parse(yamlio.decode(data, path), path)
    try:
        tmp = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            pickle.dump((key, value), fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, cache)
    except (OSError, pickle.PicklingError):
        pass  # cannot keep it here: parse next time too
    return value


def default_rules_text() -> str:
    return (DEFAULTS / "rules.yaml").read_text(encoding="utf-8")
