"""Need to know (SPEC §7), enforced: every road to a case's personal data asks here first."""
from __future__ import annotations

from ..book import Book
from ..domain.model import Case
from ..errors import UsageError
from ..i18n import _


def require_reader(book: Book, cases: list[Case]) -> None:
    """Need to know (SPEC §7): the acting person may open every one of `cases`' personal data,
    else one line naming who may (nothing is decrypted)."""
    from ..domain.access import readers
    from .approvals import reading_roster

    roster = reading_roster(book)   # as a director approved it: an unapproved role grants nothing
    actor = book.actor()
    refused = [c for c in cases if actor.id not in readers(c, roster, book.rules.lines.access)]
    if not refused:
        return
    c = refused[0]
    names = "、".join(f"{p.name} ({p.id})" for pid in readers(c, roster, book.rules.lines.access)
                     if (p := book.roster.person(pid)) is not None) or _("nobody")
    if len(refused) == 1:
        raise UsageError(_("{person} may not open the caller's data of case {id}: it opens for {names} "
                           "(`hotline access {id}` says why); nothing was decrypted").format(
            person=actor.id, id=c.id, names=names))
    raise UsageError(_("{person} may not open the caller's data of {n} of these cases ({ids}); nothing was "
                       "decrypted — leave them out, or ask one of their readers (`hotline access CASE`)").format(
        person=actor.id, n=len(refused), ids=", ".join(x.id for x in refused[:5]) + ("…" if len(refused) > 5 else "")))
