"""Where templates come from: the book's `templates/` first, then the packaged defaults.
Read like every book file: regular files only, size-limited, UTF-8."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from . import yamlio

DEFAULT_TEMPLATES = Path(__file__).resolve().parent.parent / "defaults" / "templates"
MAX_TEMPLATE_BYTES = 500_000


def source(book_root: Path) -> Callable[[str], tuple[str, str] | None]:
    """A function: template name -> (its text, its file name), or None when neither has it."""
    def find(name: str) -> tuple[str, str] | None:
        if "/" in name or "\\" in name or name.startswith("."):
            return None
        for d in (book_root / "templates", DEFAULT_TEMPLATES):
            path = d / name
            if path.exists() or path.is_symlink():
                return yamlio.read_text(path, MAX_TEMPLATE_BYTES), str(path)
        return None

    return find


def binary(book_root: Path, name: str) -> bytes | None:
    """A binary template (the Word report's .docx): the book's templates/ first, then the packaged
    one; None when neither has it.  Regular files only, size-limited."""
    if "/" in name or "\\" in name or name.startswith("."):
        return None
    for d in (book_root / "templates", DEFAULT_TEMPLATES):
        path = d / name
        if path.exists() or path.is_symlink():
            return yamlio.read_bytes(path, MAX_DOCX_BYTES)
    return None


MAX_DOCX_BYTES = 20_000_000
