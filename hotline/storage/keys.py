"""The book's key files under `keys/`: the repeat-caller key (age-encrypted to the staff) and
the list of staff public keys it was last encrypted to (public keys, safe in clear)."""
from __future__ import annotations

from pathlib import Path

from . import yamlio

CALLER_KEY = Path("keys") / "caller-key.age"
RECIPIENTS = Path("keys") / "recipients.txt"


def read_caller_key(root: Path) -> str | None:
    """The armored caller key, None when the book has none."""
    path = root / CALLER_KEY
    if not path.exists() and not path.is_symlink():
        return None
    return yamlio.read_text(path)


def write_caller_key(root: Path, armor: str) -> Path:
    """Write the caller key atomically (under the write lock); return its path."""
    path = root / CALLER_KEY
    yamlio.real_folder(root, path.parent)
    yamlio.clear_leftovers(path.parent)
    yamlio.atomic_write(path, armor, root)
    return path


def read_recipients(root: Path) -> set[str] | None:
    """The public keys the caller key was last encrypted to; None when not recorded."""
    path = root / RECIPIENTS
    if not path.exists():
        return None
    lines = yamlio.read_text(path).splitlines()
    return {ln.strip() for ln in lines if ln.strip().startswith("age1")}


def write_recipients(root: Path, keys: list[str]) -> Path:
    path = root / RECIPIENTS
    text = ("# The staff public keys keys/caller-key.age is encrypted to (written by hotline; public keys,\n"
            "# not secrets). When one is removed, `hotline rekey` makes a new caller key.\n"
            + "".join(f"{k}\n" for k in sorted(set(keys))))
    yamlio.atomic_write(path, text, root)
    return path
