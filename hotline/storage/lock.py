"""The write lock: one writer at a time per clone (ids, files and the git index).

An OS file lock, so a writer killed at any moment never leaves the book locked.  Where the OS
allows (POSIX), every git process a writer starts inherits the lock (`inherited`): a writer
killed while git runs leaves the book locked until that git process has ended too.  So once a
command holds the lock, no process an earlier writer started is still running, and a lock file
of git's that is still there was left by a process that is gone (`git.clear_stale_locks`).
"""
from __future__ import annotations

import os
import time
from contextlib import contextmanager
from pathlib import Path

from ..i18n import _
from ..errors import BookError, UsageError


_held: list[int] = []   # the write locks this process holds (file descriptors)
_died: list[float | None] = [None]


def killed_holder_since() -> float | None:
    """When the lock was taken by the holder before this one, if that holder was killed while it
    held it (it never cleared its mark), else None — then every lock file of git's made since
    was made by it or by a git process it started, all gone now (POSIX: they inherit the lock)."""
    return _died[0] if os.name != "nt" else None


def inherited() -> tuple[int, ...]:
    """File descriptors a git child of a write should inherit, so that it holds the write lock
    as long as it runs (POSIX; an empty tuple on Windows, where a lock is not inherited)."""
    return tuple(_held) if os.name != "nt" else ()


@contextmanager
def write_lock(directory: Path, timeout: float = 120.0):
    lock_path = directory / "hotline-write.lock"
    try:
        fd = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o644)
    except PermissionError:
        raise UsageError(_("cannot write in {parent}: the book is read-only here").format(parent=lock_path.parent)) from None
    deadline = time.monotonic() + timeout
    delay = 0.005
    try:
        while not _try_lock(fd):
            if time.monotonic() > deadline:
                raise BookError(_("another hotline command has been writing for {timeout:.0f} s ({lock_path}); try again").format(timeout=timeout, lock_path=lock_path))
            time.sleep(delay)
            delay = min(delay * 1.5, 0.1)
        _died[0] = _mark(fd)
        _held.append(fd)
        try:
            yield
        finally:
            _held.remove(fd)
            _died[0] = None
            _clear(fd)
            _unlock(fd)
    finally:
        os.close(fd)


def busy(directory: Path) -> bool:
    """Whether a write holds the lock right now (for readers that tell a write in flight from one
    that was killed); False when the lock file cannot be opened."""
    try:
        fd = os.open(directory / "hotline-write.lock", os.O_RDWR)
    except OSError:
        return False
    try:
        if _held or not _try_lock(fd):
            return True
        _unlock(fd)
        return False
    finally:
        os.close(fd)


def _mark(fd: int) -> float | None:
    """Write "pid time" into the lock file (cleared again on a clean release); return the time the
    previous holder left there, if it was killed before it could clear it."""
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        before = os.read(fd, 100).decode("ascii", "replace").split()
        os.lseek(fd, 0, os.SEEK_SET)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()} {time.time():.3f}\n".encode("ascii"))
    except OSError:
        return None
    try:
        return float(before[1]) if len(before) == 2 else None
    except ValueError:
        return None


def _clear(fd: int) -> None:
    try:
        os.ftruncate(fd, 0)
    except OSError:
        pass


if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
