"""The caller's file (`hotline caller`): every case of the caller of a case, or of a contact
(which needs a key that opens the book's caller key, like `--reveal`)."""
from __future__ import annotations

from typing import Any

from . import privacy
from .book import Book
from .domain.callerfile import caller_file
from .domain.model import Case
from .errors import UsageError
from .i18n import _


def cases_of(book: Book, tag: str) -> list[Case]:
    """Every (not withdrawn) case whose caller pseudonym is `tag`, oldest first."""
    same = book.store.query("caller = ?", (tag,), problems=[], light=True,
                            fallback=lambda c: bool(c.personal and c.personal.caller == tag))
    return sorted((c for c in same if c.personal and c.personal.caller == tag), key=lambda c: (c.received, c.id))


def file_of_case(book: Book, case_ref: str) -> dict[str, Any]:
    """The caller's file from one of their cases: for a person who may open that case (SPEC §7)."""
    from .readers import require_reader

    case = book.store.get(case_ref)
    require_reader(book, [case])
    tag = case.personal.caller if case.personal else None
    if tag is None:
        raise UsageError(_("case {case} has no contact recorded, so its caller cannot be recognised in other cases")
                         .format(case=case.id))
    return caller_file(cases_of(book, tag), book.rules, book.calendar)


def file_of_contact(book: Book, contact: str, identity) -> dict[str, Any]:
    if not contact.strip():
        raise UsageError(_("--contact is empty"))
    if identity is None:
        raise UsageError(_("no identity file at {path}: finding a caller by contact needs a staff key")
                         .format(path=privacy.identity_path()))
    key = privacy.open_caller_key(book.root, identity)
    if key is None:
        raise UsageError(_("your key cannot open keys/caller-key.age (or the book has none yet), so the contact "
                           "cannot be matched; `hotline key show`, and ask a key holder for a `hotline rekey`"))
    return caller_file(cases_of(book, privacy.caller_tag(contact, key)), book.rules, book.calendar)
