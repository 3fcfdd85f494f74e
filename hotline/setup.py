"""Setting up and re-keying a book: `hotline init DIR` and `hotline rekey`."""
from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import privacy
from .book import Book
from .errors import UsageError
from .storage import git
from .storage.config import DEFAULTS
from .storage.yamlio import atomic_write


@dataclass
class InitResult:
    root: Path
    person: str
    identity: Path
    new_identity: bool


def _git_config(path: Path, key: str) -> str | None:
    import subprocess

    try:
        p = subprocess.run(["git", "config", key], cwd=path, capture_output=True, text=True, encoding="utf-8")
    except FileNotFoundError:
        return None
    return p.stdout.strip() or None


def init_book(directory: Path, person: str | None = None, name: str | None = None) -> InitResult:
    root = Path(directory).expanduser()
    if (root / "rules.yaml").exists() or (root / "roster.yaml").exists():
        raise UsageError(f"{root} already holds a case book (rules.yaml or roster.yaml exists); nothing was changed")
    if root.exists() and not root.is_dir():
        raise UsageError(f"{root} exists and is not a folder")
    root.mkdir(parents=True, exist_ok=True)
    root = root.resolve()
    email = _git_config(root, "user.email")
    pid = person or (re.sub(r"[^a-z0-9_-]", "", email.split("@")[0].lower()) if email else "") or "me"
    if not re.fullmatch(r"[a-z0-9_-]+", pid):
        raise UsageError(f"--id '{pid}' may hold only a-z, 0-9, _ and -")
    display = name or _git_config(root, "user.name") or pid

    ident = privacy.load_identity()
    new = ident is None
    if new:
        ident_path, public = privacy.new_identity()
    else:
        ident_path, public = privacy.identity_path(), privacy.public_key(ident)

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
    ckey = root / privacy.CALLER_KEY_FILE
    atomic_write(ckey, privacy.encrypt(privacy.new_caller_key().hex().encode("ascii"), [public]))
    written.append(ckey)

    if git.toplevel(root) is None:
        git.init(root)
    top = git.toplevel(root)
    assert top is not None
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

    Everything is decrypted first: if any block cannot be opened, nothing is written.
    """
    actor = book.actor()
    keys = [p.key for p in book.roster.recipients()]
    if not keys:
        raise UsageError("no active person in roster.yaml has a key: refusing to re-encrypt to nobody")
    ident = privacy.load_identity()
    if ident is None:
        raise UsageError(f"no identity at {privacy.identity_path()}: rekey needs a key that can open every case")
    with book.lock():
        plan: list[tuple[Path, object, bytes]] = []
        files = list(book.store.files())
        for n, f in enumerate(files, 1):
            if progress:
                progress(n, len(files))
            case = book.store.load(f)
            if case.personal is None:
                continue
            try:
                plain = privacy.decrypt(case.personal.armor, ident)
            except UsageError:
                raise UsageError(f"your key cannot open case {case.id}; ask a staff member whose key can to run rekey") from None
            plan.append((f, case, plain))
        ckey = book.root / privacy.CALLER_KEY_FILE
        ckey_plain = privacy.decrypt(ckey.read_text(encoding="ascii"), ident) if ckey.exists() else privacy.new_caller_key().hex().encode()
        touched: list[Path] = []
        for f, case, plain in plan:
            case.personal.armor = privacy.encrypt(plain, keys)  # type: ignore[attr-defined]
            case.personal.recipients = len(keys)  # type: ignore[attr-defined]
            book.store.write(case, f)  # type: ignore[arg-type]
            touched.append(f)
        atomic_write(ckey, privacy.encrypt(ckey_plain, keys))
        touched.append(ckey)
        book.commit(touched, f"rekey: personal data re-encrypted to {len(keys)} recipient(s)", actor)
    return RekeyResult(len(plan), len(keys), touched)
