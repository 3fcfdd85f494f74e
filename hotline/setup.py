"""Setting up and re-keying a book: `hotline init DIR` and `hotline rekey`."""
from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .i18n import _
from . import privacy
from .book import Book
from .domain.model import Case
from .errors import UsageError
from .storage import git, gitsync
from .storage.config import DEFAULTS
from .storage.yamlio import atomic_write



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
    roster = roster.replace("__ID__", pid).replace("__NAME__", _yaml_scalar(display)).replace("__KEY__", public)
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
    written += privacy.write_caller_key(root, privacy.new_caller_key(), [public])
    from .storage.gitsync import ensure_driver, write_attributes

    written.append(write_attributes(root) or root / ".gitattributes")

    if git.toplevel(root) is None:
        git.init(root)
    top = git.toplevel(root)
    assert top is not None
    ensure_driver(top)
    git.commit(top, written, "init case book", display, email or f"{pid}@hotline.invalid")
    return InitResult(root, pid, ident_path, new)


def _yaml_scalar(text: str) -> str:
    import json

    return text if re.fullmatch(r"[\w.@+-]+", text) and not text[0].isdigit() else json.dumps(text, ensure_ascii=False)


@dataclass
class RekeyResult:
    cases: int
    recipients: int
    files: list[Path]


def rekey_book(book: Book, progress: Callable[[int, int], None] | None = None) -> RekeyResult:
    """Decrypt every personal block with the actor's key and encrypt it to the current recipients.

    Everything is decrypted first: if any block cannot be opened, nothing is written.  When a
    staff key was removed since the caller key was last written (or the caller key is lost),
    a new caller key is made and every case's pseudonym recomputed from its decrypted contact,
    in the same commit: whoever left cannot test numbers against cases taken after.
    """
    actor = book.actor()
    keys = [p.key for p in book.roster.recipients()]
    if not keys:
        raise UsageError(_("no active person in roster.yaml has a key: refusing to re-encrypt to nobody"))
    ident = privacy.load_identity()
    if ident is None:
        raise UsageError(_("no identity at {identity_path}: rekey needs a key that can open every case").format(identity_path=privacy.identity_path()))
    with book.lock():
        plan = _decrypt_all(book, ident, progress)
        old_key = privacy.open_caller_key(book.root, ident)
        note = git.git_dir(book.git_root) / gitsync.REKEY_NOTE  # two offices made different caller keys at once
        rotate = old_key is None or privacy.must_rotate(book.root, keys) or note.exists()
        key = privacy.new_caller_key() if rotate else old_key
        touched: list[Path] = []
        for f, case, plain in plan:
            case.personal.armor = privacy.encrypt(plain, keys)
            case.personal.recipients = len(keys)
            if rotate or not case.personal.caller:
                contact = privacy.parse_personal(plain).get("contact")
                case.personal.caller = privacy.caller_tag(str(contact), key) if contact else None
            book.store.write(case, f)
            touched.append(f)
        touched += privacy.write_caller_key(book.root, key, keys)
        touched.append(book.root / "roster.yaml")  # the roster encrypted to travels with the cases (sync sends both)
        what = "; new caller key" if rotate else ""
        book.commit(touched, f"rekey: personal data re-encrypted to {len(keys)} recipient(s){what}", actor)
        note.unlink(missing_ok=True)
    return RekeyResult(len(plan), len(keys), touched)


def _decrypt_all(book: Book, ident, progress) -> list[tuple[Path, Case, bytes]]:
    """Every case with a personal block, and the block decrypted; UsageError if one cannot be opened."""
    plan = []
    files = list(book.store.files())
    for n, f in enumerate(files, 1):
        if progress:
            progress(n, len(files))
        case = book.store.load(f)
        if case.personal is None:
            continue
        try:
            plan.append((f, case, privacy.decrypt(case.personal.armor, ident)))
        except UsageError:
            raise UsageError(_("your key cannot open case {id}; ask a staff member whose key can to run rekey").format(id=case.id)) from None
    return plan
