"""The errors the domain and the store raise; the CLI maps them to exit codes.

UsageError  -> exit 2: bad input from the person at the keyboard, nothing written.
BookError   -> exit 1: the book on disk is broken or a read could not finish;
               carries `path:line: message` when it knows the place.
"""
from __future__ import annotations

import errno
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


def os_message(e: OSError) -> str:
    """What the operating system refused, as one line in the reader's language: a read-only book,
    a full disk, a file in use — never the system's English text.  Every write goes through an
    atomic write (storage.yamlio.atomic_write), so a refused write left the old file whole."""
    from .i18n import _

    file = getattr(e, "filename", None) or ""
    name = errno.errorcode.get(e.errno or 0, "")
    if e.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        msg = _("the disk is full (or your quota is used up): {file} could not be written; nothing was changed — "
                "free some space and run the command again")
    elif e.errno == errno.EROFS:
        msg = _("the disk holding {file} is read-only: nothing can be written there; nothing was changed")
    elif e.errno in (errno.EACCES, errno.EPERM):
        msg = _("no permission to use {file} (a read-only folder, or a file of another user); nothing was changed")
    elif e.errno == errno.ENOENT:
        msg = _("{file} does not exist")
    elif e.errno in (errno.EISDIR, errno.ENOTDIR):
        msg = _("{file} is a folder where a file was expected, or the other way round")
    elif e.errno in (errno.EBUSY, getattr(errno, "ETXTBSY", -1)):
        msg = _("{file} is in use by another program; close it and run the command again")
    elif e.errno == errno.EIO:
        msg = _("the disk could not read or write {file} (an input/output error); check the disk")
    elif e.errno == errno.ENAMETOOLONG:
        msg = _("the name {file} is too long for the disk")
    else:
        msg = _("the system refused to use {file} (error {code})")
    return msg.format(file=file or _("a file"), code=name or e.errno)


_OS_PHRASES = {"No space left on device": errno.ENOSPC, "Disk quota exceeded": getattr(errno, "EDQUOT", errno.ENOSPC),
               "Read-only file system": errno.EROFS, "Permission denied": errno.EACCES}


def os_hint(message: str) -> str:
    """For a message that quotes another program's English (git's "No space left on device"):
    the cause in the reader's language, to append; "" when it quotes none."""
    from .i18n import _

    for phrase, code in _OS_PHRASES.items():
        if phrase in message:
            if code == errno.EROFS:
                return " — " + _("the disk is read-only")
            if code == errno.EACCES:
                return " — " + _("no permission to write there")
            return " — " + _("the disk is full")
    return ""
