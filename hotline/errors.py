"""The errors the domain and the store raise; the CLI maps them to exit codes.

UsageError  -> exit 2: bad input from the person at the keyboard, nothing written.
BookError   -> exit 1: the book on disk is broken or a read could not finish;
               carries `path:line: message` when it knows the place.
"""
from __future__ import annotations

from pathlib import Path


class HotlineError(Exception):
    exit_code = 1


class UsageError(HotlineError):
    """Bad input: names the bad value and what is allowed."""

    exit_code = 2


class BookError(HotlineError):
    """A problem in a file of the book, located as path:line when possible."""

    exit_code = 1

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None):
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.path is None:
            return self.message
        where = f"{self.path}:{self.line}" if self.line else f"{self.path}"
        return f"{where}: {self.message}"


class GitError(HotlineError):
    """git failed; the file written stays in place and the message says how to recover."""

    exit_code = 1


class DataError(HotlineError):
    """Bad data in a book file, located by its key path (mapping keys and list indexes).

    The domain validates plain data and raises this; storage, which holds the file's text,
    turns the key path into `path:line: message` (a BookError).
    """

    exit_code = 1

    def __init__(self, message: str, keypath: list | tuple = ()):
        self.message = message
        self.keypath = list(keypath)
        super().__init__(message)
