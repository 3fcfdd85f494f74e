"""A case book: where it is, its roster and rules, who is acting, "now", and committing.

This is the library's entry point (the CLI is a skin over it): `Book.open()` finds the
book, and `actions.py` (writes), `queries.py` (reads), `check.py` and `setup.py` take it.

The book is found like git finds .git: --book DIR, else $HOTLINE_BOOK, else the
nearest ancestor of the working directory holding rules.yaml and cases/.
The acting person: --as ID, else $HOTLINE_USER, else the roster person whose
email equals `git config user.email`.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from datetime import date, datetime
from functools import cached_property
from pathlib import Path

from .i18n import _
from .domain.model import Person, Roster
from .domain.rules import Rules
from .errors import BookError, UsageError
from .storage import git
from .storage.store import Store


def find_root(explicit: str | None = None, cwd: Path | None = None) -> Path:
    if explicit:
        root = Path(explicit).expanduser()
        if not (root / "rules.yaml").is_file() or not (root / "cases").is_dir():
            raise UsageError(_("--book '{explicit}' is not a case book (it needs rules.yaml and cases/; `hotline init DIR` makes one)").format(explicit=explicit))
        return root.resolve()
    env = os.environ.get("HOTLINE_BOOK")
    if env:
        root = Path(env).expanduser()
        if not (root / "rules.yaml").is_file() or not (root / "cases").is_dir():
            raise UsageError(_("$HOTLINE_BOOK '{env}' is not a case book (it needs rules.yaml and cases/)").format(env=env))
        return root.resolve()
    here = (cwd or Path.cwd()).resolve()
    for d in (here, *here.parents):
        if (d / "rules.yaml").is_file() and (d / "cases").is_dir():
            return d
    raise UsageError(_("no case book here: run inside a book, pass --book DIR, set $HOTLINE_BOOK, or create one with `hotline init DIR`"))


class Book:
    def __init__(self, root: Path, acting: str | None = None, now: datetime | None = None):
        self.root = root
        self._acting = acting
        self._now = now
        self.store = Store(root, rules=lambda: self.rules, calendar=lambda: self.calendar)

    @classmethod
    def open(cls, book: str | None = None, acting: str | None = None, now: datetime | None = None) -> "Book":
        return cls(find_root(book), acting, now)

    @cached_property
    def now(self) -> datetime:
        """The command's "now", in the book's time zone: given when the book was opened, else
        read once from the clock (`times.now`, which honours $HOTLINE_NOW)."""
        if self._now is not None:
            return self._now.astimezone(self.tz)
        from .times import now

        return now(self.tz)

    def record_time(self, at: datetime | None, option: str = "--at") -> datetime:
        """The time a write records: `at` when given — never in the future (`dates.not_future`) —
        else now.  Every write that takes a time (intake, events, leave) asks here."""
        from .domain.dates import not_future

        return self.now if at is None else not_future(at, self.now, option)

    def record_day(self, on: date | None, option: str = "--date") -> date:
        """The day a write records (award, penalize): `on` when given, never after today, else today."""
        from .domain.dates import day_not_future

        today = self.now.date()
        return today if on is None else day_not_future(on, today, option)

    @cached_property
    def rules(self) -> Rules:
        from .storage.config import load_cached

        path = self.root / "rules.yaml"
        if not path.exists():
            raise BookError(_("missing rules.yaml (copy it from a fresh `hotline init`)"), path)
        return load_cached(path, "rules", self._cache_dir)  # the language of messages is chosen before, once (cli.app.book_language)

    @cached_property
    def roster(self) -> Roster:
        from .storage.config import load_cached

        path = self.root / "roster.yaml"
        if not path.exists():
            raise BookError(_("missing roster.yaml (copy it from a fresh `hotline init`)"), path)
        return load_cached(path, "roster", self._cache_dir)

    @cached_property
    def _cache_dir(self) -> Path | None:
        """Where parsed rules and roster are kept (the clone's git folder, beside the derived
        index); None outside git or with $HOTLINE_NO_INDEX."""
        if os.environ.get("HOTLINE_NO_INDEX"):
            return None
        top = git.toplevel(self.root)
        if top is None:
            return None
        d = git.git_dir(top)
        return d if d.is_dir() else None

    @cached_property
    def tz(self):
        from zoneinfo import ZoneInfo

        return ZoneInfo(self.rules.timezone)

    @cached_property
    def calendar(self):
        from .domain.calendar import Calendar

        return Calendar.from_rules(self.rules)

    @cached_property
    def template_source(self):
        """Templates by name: the book's `templates/` first, then the packaged defaults."""
        from .storage.templates import source

        return source(self.root)

    @cached_property
    def template_cache(self) -> Path | None:
        """Compiled templates, kept in `.git/` (never part of the book; deleting it costs one
        compile); None when it cannot be written there."""
        path = git.git_dir(self.git_root) / "hotline-templates-sandboxed"  # never code compiled outside the sandbox
        try:
            path.mkdir(mode=0o700, exist_ok=True)
        except OSError:
            return None
        return path if path.is_dir() and not path.is_symlink() else None

    @cached_property
    def git_root(self) -> Path:
        top = git.toplevel(self.root)
        if top is None:
            raise UsageError(_("the book {root} is not inside a git work tree: run `git init` there").format(root=self.root))
        return top

    # ------------------------------------------------------------ people
    def acting_id(self) -> str | None:
        if self._acting:
            return self._acting
        if os.environ.get("HOTLINE_USER"):
            return os.environ["HOTLINE_USER"]
        email = git.config_email(self.root)
        if email:
            for p in self.roster.people:
                if p.email and p.email.lower() == email.lower():
                    return p.id
        return None

    def actor(self) -> Person:
        """The acting person, required for every write."""
        pid = self.acting_id()
        if pid is None:
            raise UsageError(
                _("who is acting? pass --as ID, set $HOTLINE_USER, or put your git user.email on your roster entry")
            )
        return self.person(pid, "--as", active=True)

    def person(self, pid: str, option: str = "person", active: bool = False) -> Person:
        """The roster person named by `pid` — an id, or a name when it names one person; with
        `active`, only someone active (who may act, own and be handed cases — people marked
        `active: false` have left)."""
        p = self.roster.one("person", pid, option)
        if active and not p.active:
            option = option if option.startswith("-") else _(option)
            known = ", ".join(x.id for x in self.roster.people if x.active)
            raise UsageError(_("{option} '{pid}' is not active in roster.yaml (active: false); active people: {known}")
                             .format(option=option, pid=pid, known=known))
        return p

    # ------------------------------------------------------------ writing
    def commit(self, paths: list[Path], message: str, author: Person) -> str:
        from .storage import journal

        email = author.email or f"{author.id}@hotline.invalid"
        return git.commit(self.git_root, paths, message, author.name, email, journal.current())

    @contextmanager
    def lock(self):
        """The write lock of this clone (an OS file lock in its git folder).  Once held, what an
        earlier write left is dealt with first (`recover`); then the files this write replaces
        are journaled until its commit is written down, and put back if it fails."""
        from .storage import gitsync, journal
        from .storage.lock import write_lock

        with write_lock(git.git_dir(self.git_root)):
            recover(self.git_root)
            gitsync.ensure_driver(self.git_root)  # git does not clone config: a clone's first write registers the driver
            with journal.writing(self.git_root):
                yield

    def settle(self) -> None:
        """Deal now with what a killed command left (see `recover`), for a command that reads the
        book before it writes (an import tells rows already in the book from new ones)."""
        from .storage import journal

        if journal.anything_left(self.git_root):
            with self.lock():
                pass

    def rel(self, path: Path | None) -> str:
        """A path as shown to people: relative to the book, forward slashes."""
        if path is None:
            return "."
        for p in (Path(path), Path(path).resolve()):
            try:
                return p.relative_to(self.root).as_posix()
            except ValueError:
                continue
        return str(path)


def recover(top: Path) -> None:
    """What killed or failed commands left, dealt with by the next writer (under the write lock):
    git's lock files whose process is gone, a write killed before its commit was written down
    (its files put back), a merge of `sync` killed before it ended (undone), then commits
    written down but not finished (finished under their own author)."""
    from .storage import journal

    git.clear_stale_locks(top)
    journal.recover(top)
    journal.recover_merge(top)
    git.finish_pending(top)
