"""Callers' personal data: age (X25519) encryption, staff identities, caller pseudonyms.

- The personal block (name, contact, address, identifying notes) is YAML text
  encrypted with age to every active staff key in the roster, ASCII-armored so it
  sits in the case file as a literal block and the standard `age -d` reads it.
- A staff member's private identity lives outside the book: $HOTLINE_IDENTITY, else
  `identity.txt` in the user's config directory (age-keygen's file format).
- Repeat callers: HMAC-SHA256 of the normalised contact under a random "caller key".
  That key is stored in the book only age-encrypted to the staff (keys/caller-key.age),
  so a clone alone cannot test phone numbers against the pseudonyms.

Nothing here prints; no secret ever goes into an exception message.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..i18n import N_, _
from ..errors import BookError, UsageError

PERSONAL_FIELDS = ("name", "contact", "address", "notes")


def _pyrage():
    import pyrage  # heavy-ish native module: imported only when encryption is needed

    return pyrage


# ---------------------------------------------------------------- identities

def config_dir() -> Path:
    if sys.platform == "win32" and os.environ.get("APPDATA"):
        return Path(os.environ["APPDATA"]) / "hotline"
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "hotline"


def identity_path() -> Path:
    env = os.environ.get("HOTLINE_IDENTITY")
    return Path(env).expanduser() if env else config_dir() / "identity.txt"


def load_identity(path: Path | None = None):
    """The staff member's x25519 identity, or None when there is no identity file."""
    path = path or identity_path()
    if not path.exists():
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise UsageError(_("cannot read the identity file {path}").format(path=path)) from None
    x25519 = _pyrage().x25519
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("AGE-SECRET-KEY-"):
            try:
                return x25519.Identity.from_str(line)
            except Exception:
                raise UsageError(_("the identity file {path} holds a damaged AGE-SECRET-KEY line").format(path=path)) from None
    raise UsageError(_("the identity file {path} holds no AGE-SECRET-KEY line (make one with `hotline key new`)").format(path=path))


def new_identity(path: Path | None = None) -> tuple[Path, str]:
    """Create an identity file (refusing to overwrite one); return (path, public key)."""
    path = path or identity_path()
    if path.exists():
        raise UsageError(_("an identity already exists at {path}; `hotline key show` prints its public key").format(path=path))
    ident = _pyrage().x25519.Identity.generate()
    public = str(ident.to_public())
    path.parent.mkdir(parents=True, exist_ok=True)
    created = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    body = f"# created: {created}\n# public key: {public}\n{ident}\n"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(body)
    return path, public


def public_key(identity) -> str:
    return str(identity.to_public())


SIGNING_CONTEXT = b"hotline approval signing v1\0"


def signing_key(identity):
    """The staff member's Ed25519 signing key (for approving readers), derived from their age
    identity: age cannot sign, and one secret file is all a person keeps."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    seed = hashlib.sha256(SIGNING_CONTEXT + str(identity).strip().encode("ascii")).digest()
    return Ed25519PrivateKey.from_private_bytes(seed)


def signing_public(identity) -> str:
    """The signing public key as roster.yaml's `sign:` holds it (ed25519:<base64>)."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    from ..domain.approvals import public_text

    return public_text(signing_key(identity).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))


# ---------------------------------------------------------------- encryption

def _recipients(keys: list[str]):
    x25519 = _pyrage().x25519
    out = []
    for k in keys:
        try:
            out.append(x25519.Recipient.from_str(k))
        except Exception:
            raise BookError(_("roster key '{value}...' is not a valid age public key").format(value=k[:16])) from None
    return out


def encrypt(plaintext: bytes, keys: list[str]) -> str:
    if not keys:
        raise UsageError(
            _("no staff keys in roster.yaml: personal data would be stored in clear, so it is refused; "
            "add a `key:` (from `hotline key show`) to at least one active person")
        )
    return _pyrage().encrypt(plaintext, _recipients(keys), armored=True).decode("ascii")


def decrypt(armor: str, identity) -> bytes:
    if identity is None:
        raise UsageError(
            _("no identity file at {identity_path}: only staff with a key can reveal personal data (set $HOTLINE_IDENTITY or run `hotline key new` and ask for a `hotline rekey`)").format(identity_path=identity_path())
        )
    pyrage = _pyrage()
    try:
        return pyrage.decrypt(armor.encode("ascii"), [identity])
    except pyrage.DecryptError:
        raise UsageError(
            _("your key ({value}...) is not among this block's recipients: ask a key holder to run `hotline rekey` after your key is in roster.yaml").format(value=public_key(identity)[:16])
        ) from None
    except Exception:
        raise BookError(_("the encrypted block is damaged and cannot be decrypted")) from None


def encrypt_personal(fields: dict[str, str], keys: list[str]) -> str:
    from ..storage import yamlio

    clean = {k: fields[k] for k in PERSONAL_FIELDS if fields.get(k)}
    return encrypt(yamlio.dump(clean).encode("utf-8"), keys)


def decrypt_personal(armor: str, identity) -> dict[str, Any]:
    return parse_personal(decrypt(armor, identity))


def parse_personal(plain: bytes) -> dict[str, Any]:
    """A decrypted personal block's fields (name, contact, address, notes)."""
    from ..storage import yamlio

    data = yamlio.load_text(plain.decode("utf-8"), "<personal block>")
    return data if isinstance(data, dict) else {}


# ---------------------------------------------------------------- per-case data keys (SPEC §7)

def new_data_key():
    """A case's own data key: an age X25519 identity (the standard `age -d -i` opens the block with it)."""
    return _pyrage().x25519.Identity.generate()


def data_key_of(secret: bytes):
    """A data key from its AGE-SECRET-KEY line (as wrapped in the key store)."""
    try:
        return _pyrage().x25519.Identity.from_str(secret.decode("ascii").strip())
    except Exception:
        raise BookError(_("a data key in the key store is damaged")) from None


def wrap(data_key, staff_key: str) -> bytes:
    """The data key encrypted (age, binary) to one reader's public key."""
    return _pyrage().encrypt(str(data_key).encode("ascii"), _recipients([staff_key]))


def unwrap(sealed: bytes, identity):
    """The data key from a wrap made for `identity`; None when it is not theirs or is damaged."""
    pyrage = _pyrage()
    try:
        return data_key_of(pyrage.decrypt(sealed, [identity]))
    except (pyrage.DecryptError, BookError):
        return None
    except Exception:
        return None


def seal_personal(fields: dict[str, str], public: str) -> str:
    """The personal block encrypted to a case's data key (its public half)."""
    from ..storage import yamlio

    clean = {k: fields[k] for k in PERSONAL_FIELDS if fields.get(k)}
    return _pyrage().encrypt(yamlio.dump(clean).encode("utf-8"), _recipients([public]), armored=True).decode("ascii")


def new_caller_id() -> str:
    """A random caller id: it says nothing about the contact (the link lives in the key store)."""
    return secrets.token_hex(10)


# ---------------------------------------------------------------- caller pseudonyms

def normalise_contact(contact: str) -> str:
    """One form per contact: phone numbers as bare digits (no +86/0086), else lower-case."""
    c = contact.strip()
    digits = re.sub(r"[\s\-()（）+]", "", c)
    if digits.isdigit():
        for prefix in ("0086", "86"):
            if digits.startswith(prefix) and len(digits) - len(prefix) == 11:
                digits = digits[len(prefix):]
        return digits
    return re.sub(r"\s+", "", c).lower()


def caller_tag(contact: str, key: bytes) -> str:
    return hmac.new(key, normalise_contact(contact).encode("utf-8"), hashlib.sha256).hexdigest()[:20]


def new_caller_key() -> bytes:
    return secrets.token_bytes(32)


# ---------------------------------------------------------------- the book's caller key

def open_caller_key(root: Path, identity) -> bytes | None:
    """The book's caller-pseudonym key, decrypted with the volunteer's identity; None if not possible."""
    from ..storage import keys

    if identity is None:
        return None
    try:
        armor = keys.read_caller_key(root)
        if armor is None:
            return None
        return bytes.fromhex(decrypt(armor, identity).decode("ascii"))
    except (UsageError, BookError, ValueError, UnicodeDecodeError):
        return None


def write_caller_key(root: Path, key: bytes, recipients: list[str]) -> list[Path]:
    """Store `key` encrypted to `recipients`, and which they were; the paths written."""
    from ..storage import keys

    return [keys.write_caller_key(root, encrypt(key.hex().encode("ascii"), recipients)),
            keys.write_recipients(root, recipients)]


CALLER_CHECK = b"hotline caller key check"


def caller_check(key: bytes) -> str:
    """A value that names the caller key without revealing it: what a director's approval holds."""
    return hmac.new(key, CALLER_CHECK, hashlib.sha256).hexdigest()


def caller_key_lost(root: Path, has_pseudonyms: bool) -> bool:
    """True when keys/caller-key.age is gone although cases carry pseudonyms made with it: a new
    key must not silently replace it (earlier callers would never be recognised again)."""
    from ..storage import keys

    return has_pseudonyms and not (root / keys.CALLER_KEY).exists()


def must_rotate(root: Path, recipients: list[str]) -> bool:
    """A staff key was removed since the caller key was last written (or that is not recorded):
    whoever left keeps the old key, so a new one is needed."""
    from ..storage import keys

    before = keys.read_recipients(root)
    return before is None or bool(before - set(recipients))


LOST_KEY = N_("keys/caller-key.age is missing although cases carry caller pseudonyms: restore it "
            "(`git checkout HEAD -- keys/caller-key.age`, or from a backup), then run `hotline rekey`")
