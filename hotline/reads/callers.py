"""The caller's file (`hotline caller`): every case of the caller of a case, or of a contact
(which needs a key that opens the book's caller key, like `--reveal`)."""
from __future__ import annotations

from typing import Any

from ..trust import keyring, privacy
from ..book import Book
from ..domain.callerfile import caller_file
from ..domain.model import Case
from ..errors import UsageError
from ..i18n import _


def cases_of(book: Book, callers: list[str]) -> list[Case]:
    """Every (not withdrawn) case whose caller id is one of `callers`, oldest first."""
    ids = sorted(set(callers))
    if not ids:
        return []
    same = book.store.query(f"caller IN ({','.join('?' * len(ids))})", tuple(ids), problems=[], light=True,
                            fallback=lambda c: bool(c.personal and c.personal.caller in ids))
    return sorted((c for c in same if c.personal and c.personal.caller in ids), key=lambda c: (c.received, c.id))


def file_of_case(book: Book, case_ref: str) -> dict[str, Any]:
    """The caller's file from one of their cases: for a person who may open that case (SPEC §7)."""
    from ..trust.readers import require_reader

    case = book.store.get(case_ref)
    require_reader(book, [case])
    tag = case.personal.caller if case.personal else None
    if tag is None:
        raise UsageError(_("case {case} has no contact recorded, so its caller cannot be recognised in other cases")
                         .format(case=case.id))
    with keyring.session(book) as store:
        same = keyring.same_caller(store, tag) if case.personal.key else [tag]
    return caller_file(cases_of(book, same), book.rules, book.calendar)


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
    tag = privacy.caller_tag(contact, key)
    with keyring.session(book) as store:
        linked = store.link(tag)
        same = sorted({i for c in linked for i in keyring.same_caller(store, c)})
    return caller_file(cases_of(book, [*same, tag]), book.rules, book.calendar)
