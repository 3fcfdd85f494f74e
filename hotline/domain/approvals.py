"""Who may change who may read (SPEC §7): a director's signed approval of the roster as far as
reading goes, and the chain of approvals.

An approval states, for every active person with a key or a signing key, their id, age key,
signing key, roles and group (`statement`), plus a check value of the book's caller key; it
names the approval(s) it follows (`prev`, a chain), who made it and when, and is signed with
Ed25519 by the approver's signing key.  Its id is the digest of everything it signs.

An approval counts (`verify`) when its id and signature hold and its signer was a director
(`APPROVER`) in every approval it follows; the first one is trusted on first use, and each
clone pins what it verified (`Pin`), so a rewritten chain, a removed approval or a second first
approval is refused and named.  Reading takes a person's key, roles and group as the approval
in force says (`reading`); what roster.yaml grants beyond it waits (`changes`).

Pure: no file, no clock (the time is passed in), no printing.
"""
from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field, replace
from typing import Any

from ..i18n import _
from .model import Person, Roster

APPROVER = "director"          # the role whose signature approves readers
SIGN_PREFIX = "ed25519:"
VERSION = 1
_CONTEXT = b"hotline approval v1\0"


@dataclass
class Approval:
    id: str                    # sha256 hex of the signed content
    prev: list[str]            # the approvals this one follows ([] for the first)
    by: str                    # the approver's person id
    at: str                    # ISO time, given by the caller
    people: list[dict]         # the statement: {id, key, sign, roles, group}, sorted by id
    caller: str | None         # check value of the caller key, None when the approver could not open it
    signer: str                # ed25519:... public key
    signature: str = ""        # base64


@dataclass
class Pin:
    """What one clone verified: the first approval it trusted and the last one in force."""

    genesis: str
    last: Approval
    verified: frozenset = frozenset()   # ids whose signature this clone checked (the id covers what was signed)


@dataclass
class Chain:
    legacy: bool = False               # no approval anywhere: roster.yaml reads as it is
    current: Approval | None = None    # the approval in force (None: nobody approved)
    problems: list[tuple[str | None, str]] = field(default_factory=list)  # (approval id or None, message)
    valid: set[str] = field(default_factory=set)
    root: str | None = None            # the first approval of the chain that counts
    sound: set[str] = field(default_factory=set)   # ids whose content and signature hold


@dataclass
class Change:
    """Something roster.yaml (or the caller key) grants that no approval has granted yet."""

    person: str | None         # None: the caller key
    what: str                  # added | key | sign | roles | group | caller
    detail: str = ""


# ---------------------------------------------------------------- statements and signatures

def statement(roster: Roster) -> list[dict]:
    """The roster as far as reading goes: each active person with a key or signing key."""
    out = [{"id": p.id, "key": p.key, "sign": p.sign, "roles": sorted(set(p.roles)), "group": p.group}
           for p in roster.people if p.active and (p.key or p.sign)]
    return sorted(out, key=lambda d: d["id"])


def signed_content(a: Approval) -> bytes:
    """The canonical bytes an approval's signature and id cover."""
    body = {"v": VERSION, "prev": sorted(a.prev), "by": a.by, "at": a.at, "people": a.people,
            "caller": a.caller, "signer": a.signer}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def digest(a: Approval) -> str:
    return hashlib.sha256(signed_content(a)).hexdigest()


def public_text(raw: bytes) -> str:
    return SIGN_PREFIX + base64.b64encode(raw).decode("ascii")


def make(prev: list[str], by: str, at: str, people: list[dict], caller: str | None, private_key) -> Approval:
    """A signed approval; `private_key` is a cryptography Ed25519PrivateKey."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    signer = public_text(private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))
    a = Approval("", sorted(prev), by, at, people, caller, signer)
    a.id = digest(a)
    a.signature = base64.b64encode(private_key.sign(_CONTEXT + signed_content(a))).decode("ascii")
    return a


def signature_holds(a: Approval) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    if not a.signer.startswith(SIGN_PREFIX):
        return False
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(a.signer[len(SIGN_PREFIX):], validate=True))
        key.verify(base64.b64decode(a.signature, validate=True), _CONTEXT + signed_content(a))
    except (InvalidSignature, ValueError):
        return False
    return True


def _director_sign(people: list[dict], pid: str) -> str | None:
    """The signing key of `pid` when they are a director in `people`, else None."""
    p = next((x for x in people if x.get("id") == pid), None)
    return p.get("sign") if p is not None and APPROVER in (p.get("roles") or []) else None


# ---------------------------------------------------------------- the chain

def verify(entries: list[Approval], pin: Pin | None, present: bool = False) -> Chain:
    """The approval in force, and every problem of the chain (see the module docstring).
    `present`: the approvals file exists (even when it could not be read): never a book without approvals."""
    if not entries and pin is None and not present:
        return Chain(legacy=True)
    chain = Chain()
    known = pin.verified if pin is not None else frozenset()
    sound: dict[str, Approval] = {}
    for a in entries:
        if digest(a) != a.id:
            chain.problems.append((a.id, _("approval {id} by {by}: its content was changed after it was signed; "
                                           "ignored").format(id=a.id[:12], by=a.by)))
        elif a.id not in known and not signature_holds(a):
            chain.problems.append((a.id, _("approval {id} by {by}: the signature does not hold; ignored").format(
                id=a.id[:12], by=a.by)))
        else:
            sound.setdefault(a.id, a)
    chain.sound = set(sound)
    roots = [a for a in sound.values() if not a.prev]
    root = _root(chain, roots, pin, sound)
    if root is not None:
        chain.root = root.id
        chain.valid = _descendants(chain, root, sound)
    _choose_current(chain, sound, pin)
    return chain


def _root(chain: Chain, roots: list[Approval], pin: Pin | None, sound: dict[str, Approval]) -> Approval | None:
    if pin is not None:
        root = sound.get(pin.genesis)
        if root is None:
            chain.problems.append((None, _("the first approval this clone trusted ({id}) is gone from "
                                           "keys/approvals.yaml: the file was rewritten or deleted; the readers this "
                                           "clone verified last stay in force").format(id=pin.genesis[:12])))
    elif len(roots) > 1:
        chain.problems.append((None, _("keys/approvals.yaml holds {n} first approvals ({ids}): this clone cannot "
                                       "tell which is the book's; none is trusted").format(
            n=len(roots), ids=", ".join(f"{a.id[:12]} ({a.by})" for a in sorted(roots, key=lambda a: a.id)))))
        return None
    else:
        root = roots[0] if roots else None
        if root is None:
            chain.problems.append((None, _("keys/approvals.yaml holds no first approval that holds: nobody's "
                                           "key is approved for reading")))
    if root is not None and _director_sign(root.people, root.by) != root.signer:
        chain.problems.append((root.id, _("approval {id}: {by} signed it without being a director with that "
                                          "signing key in it; ignored").format(id=root.id[:12], by=root.by)))
        return None
    for a in roots:
        if root is not None and a.id != root.id:
            chain.problems.append((a.id, _("approval {id} by {by} starts a chain of its own, not this book's; "
                                           "refused").format(id=a.id[:12], by=a.by)))
    return root


def _descendants(chain: Chain, root: Approval, sound: dict[str, Approval]) -> set[str]:
    """The approvals that follow `root` and were each signed by a director of every approval they follow."""
    valid = {root.id}
    changed = True
    while changed:
        changed = False
        for a in sorted(sound.values(), key=lambda x: (x.at, x.id)):
            if a.id in valid or not a.prev or not all(p in valid for p in a.prev):
                continue
            if all(_director_sign(sound[p].people, a.by) == a.signer for p in a.prev):
                valid.add(a.id)
                changed = True
    for a in sorted(sound.values(), key=lambda x: (x.at, x.id)):
        if a.id in valid or not a.prev:
            continue
        if all(p in valid for p in a.prev):
            why = _("{by} was not a director with that signing key in the approval it follows").format(by=a.by)
        else:
            why = _("it follows an approval that does not count")
        chain.problems.append((a.id, _("approval {id} by {by}: {why}; ignored").format(id=a.id[:12], by=a.by, why=why)))
    return valid


def _choose_current(chain: Chain, sound: dict[str, Approval], pin: Pin | None) -> None:
    if pin is not None and pin.last.id not in chain.valid:
        if pin.genesis in chain.valid:
            chain.problems.append((None, _("the approval this clone verified last ({id}, by {by} at {at}) is gone "
                                           "from keys/approvals.yaml: the file was rewritten; it stays in force")
                                   .format(id=pin.last.id[:12], by=pin.last.by, at=pin.last.at)))
        chain.current = pin.last
        return
    start = pin.last.id if pin is not None else None
    followed = {p for i in chain.valid for p in sound[i].prev}
    ends = sorted((sound[i] for i in chain.valid if i not in followed), key=lambda a: (a.at, a.id))
    # the approval in force follows what this clone verified last: an approval that does not (a director
    # signing again after the one that removed them) never takes its place
    mine = [a for a in ends if start is None or a.id == start or _follows(sound, a, start)]
    if mine:
        chain.current = mine[-1]
    if len(ends) > 1:
        chain.problems.append((None, _("approvals made at the same time in different offices ({ids}): this clone "
                                       "keeps {current} — a director runs `hotline approve` to join them").format(
            ids=", ".join(f"{a.id[:12]} ({a.by})" for a in ends),
            current=chain.current.id[:12] if chain.current else "-")))


def _follows(sound: dict[str, Approval], a: Approval, ancestor: str) -> bool:
    seen, todo = set(), list(a.prev)
    while todo:
        p = todo.pop()
        if p == ancestor:
            return True
        if p in seen or p not in sound:
            continue
        seen.add(p)
        todo.extend(sound[p].prev)
    return False


def tips(chain: Chain, entries: list[Approval]) -> list[str]:
    """The valid approvals no valid approval follows: what a new approval follows."""
    followed = {p for a in entries if a.id in chain.valid for p in a.prev}
    return sorted(i for i in chain.valid if i not in followed) or ([chain.current.id] if chain.current else [])


# ---------------------------------------------------------------- what reading sees

def reading(roster: Roster, chain: Chain) -> Roster:
    """roster.yaml as far as reading goes: a key only when the approval in force holds it for that
    person, roles only those it grants (a role taken away counts at once), its group; a person it
    does not hold reads nothing.  People without a key or signing key are as roster.yaml says."""
    if chain.legacy:
        return roster
    approved = {p["id"]: p for p in (chain.current.people if chain.current else [])}
    people: list[Person] = []
    for p in roster.people:
        a = approved.get(p.id)
        if a is None:
            people.append(replace(p, key=None, sign=None, roles=[]) if (p.key or p.sign) else p)
            continue
        people.append(replace(p, key=p.key if p.key == a.get("key") else None,
                              sign=p.sign if p.sign == a.get("sign") else None,
                              roles=[r for r in p.roles if r in (a.get("roles") or [])],
                              group=a.get("group")))
    return Roster(roster.groups, people, roster.partners)


def changes(before: list[dict], after: list[dict], caller_before: str | None = None,
            caller_after: str | None = None, taken: bool = False) -> list[Change]:
    """What `after` grants for reading that `before` did not (new keys, signing keys, roles, a
    group), and a caller key that is not the approved one.  Taking away counts at once, so it is
    listed only with `taken` (what an approval shows before it is signed)."""
    old = {p["id"]: p for p in before}
    out: list[Change] = []
    for p in after:
        o = old.get(p["id"])
        if o is None:
            out.append(Change(p["id"], "added", _short(p.get("key") or p.get("sign"))))
            continue
        for k in ("key", "sign"):
            if p.get(k) and p.get(k) != o.get(k):
                out.append(Change(p["id"], k, _short(p[k])))
            elif taken and o.get(k) and not p.get(k):
                out.append(Change(p["id"], f"{k}-removed"))
        more = sorted(set(p.get("roles") or []) - set(o.get("roles") or []))
        if more:
            out.append(Change(p["id"], "roles", ", ".join(more)))
        fewer = sorted(set(o.get("roles") or []) - set(p.get("roles") or []))
        if taken and fewer:
            out.append(Change(p["id"], "roles-removed", ", ".join(fewer)))
        if p.get("group") != o.get("group"):
            out.append(Change(p["id"], "group", f"{o.get('group') or '-'} → {p.get('group') or '-'}"))
    if taken:
        now = {p["id"] for p in after}
        out += [Change(pid, "removed") for pid in sorted(old) if pid not in now]
    if caller_after is not None and caller_after != caller_before:
        out.append(Change(None, "caller"))
    return out


def _short(key: str | None) -> str:
    return f"{key[:16]}…" if key else ""


def to_dict(a: Approval) -> dict[str, Any]:
    return {"id": a.id, "prev": list(a.prev), "by": a.by, "at": a.at, "people": a.people, "caller": a.caller,
            "signer": a.signer, "signature": a.signature}
