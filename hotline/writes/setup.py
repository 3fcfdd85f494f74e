"""Setting up and re-keying a book: `hotline init DIR` and `hotline rekey`."""
from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..i18n import _
from ..trust import keyring, privacy
from ..book import Book
from ..domain.model import Case
from ..errors import UsageError
from ..storage import git, gitsync
from ..storage.config import DEFAULTS
from ..storage.yamlio import atomic_write



@dataclass
class InitResult:
    root: Path
    person: str
    identity: Path
    new_identity: bool


def person_id(person: str | None, email: str | None) -> str:
    """The roster id of whoever sets up a book or an office: `--id`, else the git e-mail's
    user part, else "me"; only a-z, 0-9, _ and -."""
    pid = person or (re.sub(r"[^a-z0-9_-]", "", email.split("@")[0].lower()) if email else "") or "me"
    if not re.fullmatch(r"[a-z0-9_-]+", pid):
        raise UsageError(_("--id '{pid}' may hold only a-z, 0-9, _ and -").format(pid=pid))
    return pid


def own_key() -> tuple[Path, str, bool]:
    """(identity file, public key, made now): this person's key, made when there is none."""
    ident = privacy.load_identity()
    if ident is None:
        path, public = privacy.new_identity()
        return path, public, True
    return privacy.identity_path(), privacy.public_key(ident), False


def init_book(directory: Path, person: str | None = None, name: str | None = None) -> InitResult:
    root = Path(directory).expanduser()
    if (root / "rules.yaml").exists() or (root / "roster.yaml").exists():
        raise UsageError(_("{root} already holds a case book (rules.yaml or roster.yaml exists); nothing was changed").format(root=root))
    if root.exists() and not root.is_dir():
        raise UsageError(_("{root} exists and is not a folder").format(root=root))
    root.mkdir(parents=True, exist_ok=True)
    root = root.resolve()
    email = git.config_email(root)
    pid = person_id(person, email)
    display = name or git.config_value(root, "user.name") or pid
    ident_path, public, new = own_key()

    written: list[Path] = []
    rules_text = (DEFAULTS / "rules.yaml").read_text(encoding="utf-8")
    atomic_write(root / "rules.yaml", rules_text)
    written.append(root / "rules.yaml")
    roster = (DEFAULTS / "roster.yaml").read_text(encoding="utf-8")
    ident = privacy.load_identity()
    roster = roster.replace("__ID__", pid).replace("__NAME__", _yaml_scalar(display)).replace("__KEY__", public)
    roster = roster.replace("__SIGN__", _yaml_scalar(privacy.signing_public(ident)))
    roster = roster.replace("__EMAIL__", _yaml_scalar(email)) if email else re.sub(r"\n\s*email: __EMAIL__", "", roster)
    atomic_write(root / "roster.yaml", roster)
    written.append(root / "roster.yaml")
    (root / "templates").mkdir(exist_ok=True)
    for t in sorted((DEFAULTS / "templates").glob("*.j2")):
        target = root / "templates" / t.name
        shutil.copyfile(t, target)
        written.append(target)
    for d in ("cases", "ledger"):
        (root / d).mkdir(exist_ok=True)
        keep = root / d / ".gitkeep"
        keep.touch()
        written.append(keep)
    caller_key = privacy.new_caller_key()
    written += privacy.write_caller_key(root, caller_key, [public])
    written.append(_first_approval(root, pid, caller_key, ident))
    from ..storage.gitsync import ensure_driver, write_attributes

    written.append(write_attributes(root) or root / ".gitattributes")

    if git.toplevel(root) is None:
        git.init(root)
    top = git.toplevel(root)
    assert top is not None
    ensure_driver(top)
    git.commit(top, written, "init case book", display, email or f"{pid}@hotline.invalid")
    from ..trust.approvals import pin_received

    pin_received(Book(root))  # this clone trusts the approval it made
    return InitResult(root, pid, ident_path, new)


def _first_approval(root: Path, pid: str, caller_key: bytes, ident) -> Path:
    """The founding director approves the readers of the new book (keys/approvals.yaml)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from ..trust.approvals import first_approval
    from ..storage.config import load_roster, load_rules
    from ..times import now

    tz = ZoneInfo(load_rules(root / "rules.yaml").timezone)
    at: datetime = now(tz)
    return first_approval(root, load_roster(root / "roster.yaml"), pid, at.isoformat(timespec="seconds"),
                          caller_key, ident)


def _yaml_scalar(text: str) -> str:
    import json

    return text if re.fullmatch(r"[\w.@+-]+", text) and not text[0].isdigit() else json.dumps(text, ensure_ascii=False)


@dataclass
class RekeyResult:
    cases: int            # cases whose keys changed (wraps given or taken, moved to their own key)
    recipients: int       # staff keys in the reading roster
    files: list[Path]     # book files written (case files moved from staff keys, the caller key)
    rotated: bool = False  # a new caller key was made (a staff key was removed)
    added: int = 0        # wraps given to readers who lacked one
    dropped: int = 0      # wraps taken from people who may no longer read
    upgraded: int = 0     # cases moved from staff keys to a data key of their own
    waiting: list[str] = field(default_factory=list)   # cases whose new readers wait for one who can open them
    approved: bool = True   # the caller key was approved by the director who made it (else it waits for one)


def rekey_book(book: Book, progress: Callable[[int, int], None] | None = None) -> RekeyResult:
    """Make every case's keys match who may read it now (SPEC §7).

    In the key store: each case's data key is wrapped for every reader who lacks it (when the
    actor's key opens it) and taken from everyone who may no longer read — no case file changes.
    A case still encrypted to staff keys (written before per-case keys) moves to a data key of its
    own (its file changes; needs a key that opens it).  When a staff key was removed since the
    caller key was last written (or it is lost), a new caller key is made and every contact's link
    made again from the decrypted contacts: whoever left cannot test numbers against the store.
    Everything that must be decrypted is decrypted first: if one cannot be opened, nothing is written.
    """
    from ..trust.approvals import caller_key_approved, chain, reading_roster

    actor = book.actor()
    ch = chain(book)[0]
    keys = [p.key for p in reading_roster(book, ch).recipients()]  # only keys a director approved
    if not keys:
        raise UsageError(_("no active person in roster.yaml has a key a director approved: refusing to re-encrypt "
                           "to nobody"))
    ident = privacy.load_identity()
    if ident is None:
        raise UsageError(_("no identity at {identity_path}: rekey needs a key that can open every case").format(identity_path=privacy.identity_path()))
    with book.lock(), keyring.session(book) as store:
        keyring.refuse_missing(book, store)
        old_key = privacy.open_caller_key(book.root, ident)
        if old_key is not None and not caller_key_approved(book, old_key, ch):
            old_key = None  # a caller key no director approved is never kept: a new one replaces it
        note = git.git_dir(book.git_root) / gitsync.REKEY_NOTE  # two offices made different caller keys at once
        rotate = old_key is None or privacy.must_rotate(book.root, keys) or note.exists()
        key = privacy.new_caller_key() if rotate else old_key
        plan = _open_all(book, store, ident, progress, contacts=rotate)
        touched: list[Path] = []
        res = RekeyResult(0, len(keys), touched, rotate)
        if rotate:
            for path in store.paths("links") + store.paths("callers"):
                store.changes[path] = None
        changed: set[str] = set()
        for f, case, fields in plan:
            contact = str(fields.get("contact") or "")
            caller = case.personal.caller if case.personal else None
            if case.personal is not None and case.personal.legacy:
                new_caller = keyring.caller_of(store, privacy.caller_tag(contact, key))[0] if contact else None
                case.personal = None
                case.personal = keyring.seal(book, store, case, fields, new_caller)
                book.store.write(case, f)
                touched.append(f)
                res.upgraded += 1
                changed.add(case.id)
            elif contact and not caller:   # written while no caller key could be used: it gets its caller id
                case.personal.caller = keyring.caller_of(store, privacy.caller_tag(contact, key))[0]
                book.store.write(case, f)
                touched.append(f)
                changed.add(case.id)
            elif rotate and contact and caller:
                tag = privacy.caller_tag(contact, key)
                store.put_link(tag, sorted({*store.link(tag), caller}))
        wrapped = keyring.rewrap(book, store, [c for _f, c, _p in plan], ident)
        res.added, res.dropped, res.waiting = wrapped.added, wrapped.dropped, wrapped.waiting
        res.cases = len(changed | set(wrapped.cases))
        if rotate or keys_changed(book.root, keys):
            touched += privacy.write_caller_key(book.root, key, keys)
        if rotate:  # a director's new caller key is approved with it; anyone else's waits for `hotline approve`
            from ..trust.approvals import approve_caller_key

            signed = approve_caller_key(book, ident, key, ch)
            res.approved = signed is not None or ch.legacy
            touched += [signed] if signed is not None else []
        store.save()
        if touched:
            touched.append(book.root / "roster.yaml")  # the roster encrypted to travels with the cases (sync sends both)
            what = "; new caller key" if rotate else ""
            book.commit(touched, f"rekey: {res.upgraded} case(s) moved to their own key, {res.added} key(s) "
                                 f"given, {res.dropped} taken{what}", actor)
        note.unlink(missing_ok=True)
        if res.dropped or rotate:
            keyring.forget_old(book)   # the replaced key store still held what was taken away
    return res


def keys_changed(root: Path, keys: list[str]) -> bool:
    """The staff keys differ from those the caller key was last encrypted to."""
    from ..storage import keys as keyfiles

    return keyfiles.read_recipients(root) != set(keys)


def _open_all(book: Book, store, ident, progress, contacts: bool) -> list[tuple[Path, Case, dict]]:
    """Every case with a personal block, and its decrypted fields where they are needed (a block
    still on staff keys; every contact when the caller key is renewed); UsageError if one cannot
    be opened.  Erased cases are left out."""
    plan = []
    files = list(book.store.files())
    for n, f in enumerate(files, 1):
        if progress:
            progress(n, len(files))
        case = book.store.load(f)
        if case.personal is None or case.personal.armor is None:
            continue
        fields: dict = {}
        needed = case.personal.legacy or (contacts and bool(case.personal.caller))
        if needed or not case.personal.caller:   # without a caller id: its contact may need one
            try:
                fields = keyring.open_block(store, case, ident)
            except UsageError:
                if needed:
                    raise UsageError(_("your key cannot open case {id}; ask a staff member whose key can to run "
                                       "rekey").format(id=case.id)) from None
        plan.append((f, case, fields))
    return plan
