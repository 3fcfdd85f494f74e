"""`keys/approvals.yaml` (the directors' signed approvals of who may read, append-only, merged by id)
and this clone's pin of what it verified (`.git/hotline-trust.json`, never part of the book).

    entries:
    - id: 3f2a…            # sha256 of what is signed
      prev: []             # the approval(s) this one follows
      by: wang
      at: '2026-11-23T12:00:00+08:00'
      people:
      - {id: wang, key: age1…, sign: 'ed25519:…', roles: [director, leader], group: g1}
      caller: 9c1e…        # check value of the caller key (null: the approver could not open it)
      signer: ed25519:…
      signature: …

The rules (what counts, what a chain may do) are in `domain/approvals.py`.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..domain.approvals import Approval, Pin, to_dict
from ..errors import BookError
from ..i18n import _
from . import yamlio

APPROVALS = Path("keys") / "approvals.yaml"
PIN = "hotline-trust.json"
KEYS = ("id", "prev", "by", "at", "people", "caller", "signer", "signature")
PERSON_KEYS = ("id", "key", "sign", "roles", "group")
HEADER = ("# Who may read, as the line's directors approved it (`hotline approve`): each entry is signed by a\n"
          "# director's key. Written by hotline; never edit by hand — a changed entry no longer counts.\n")


def _text_or_none(v: Any) -> bool:
    return v is None or isinstance(v, str)


def _person(fail, i: int, j: int, p: Any) -> dict:
    where = ["people", j]
    if not isinstance(p, dict) or set(p) - set(PERSON_KEYS) or not isinstance(p.get("id"), str):
        raise fail(_("people[{j}] must be a mapping of {keys}").format(j=j, keys=", ".join(PERSON_KEYS)), where)
    roles = p.get("roles") or []
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise fail(_("people[{j}].roles must be a list of roles").format(j=j), [*where, "roles"])
    for k in ("key", "sign", "group"):
        if not _text_or_none(p.get(k)):
            raise fail(_("people[{j}].{key} must be text, not {value}").format(j=j, key=k, value=repr(p.get(k))),
                       [*where, k])
    return {"id": p["id"], "key": p.get("key"), "sign": p.get("sign"), "roles": list(roles), "group": p.get("group")}


def _entry(text: str, path: Path, i: int, e: Any) -> Approval:
    def fail(msg: str, keys: list | None = None) -> BookError:
        return BookError(f"entries[{i}]: {msg}", path, yamlio.line_of(text, ["entries", i, *(keys or [])]))

    if not isinstance(e, dict):
        raise fail(_("must be a mapping ({keys})").format(keys=", ".join(KEYS)))
    for k in e:
        if k not in KEYS:
            raise fail(_("unknown key '{key}'; allowed: {allowed}").format(key=k, allowed=", ".join(KEYS)), [str(k)])
    for k in ("id", "by", "at", "signer", "signature"):
        if not isinstance(e.get(k), str) or not e[k]:
            raise fail(_("'{key}' must be text, not {value}").format(key=k, value=repr(e.get(k))), [k])
    prev = e.get("prev") or []
    if not isinstance(prev, list) or not all(isinstance(x, str) for x in prev):
        raise fail(_("'prev' must be a list of approval ids"), ["prev"])
    if not _text_or_none(e.get("caller")):
        raise fail(_("'caller' must be text or null"), ["caller"])
    people = e.get("people") or []
    if not isinstance(people, list):
        raise fail(_("'people' must be a list"), ["people"])
    return Approval(e["id"], list(prev), e["by"], e["at"], [_person(fail, i, j, p) for j, p in enumerate(people)],
                    e.get("caller"), e["signer"], e["signature"])


def parse(text: str, path: Path) -> list[Approval]:
    data = yamlio.load_text(text, path)
    if data is None:
        return []
    if not isinstance(data, dict) or not isinstance(data.get("entries") or [], list):
        raise BookError(_("must be a mapping with a list 'entries'"), path, 1)
    return [_entry(text, path, i, e) for i, e in enumerate(data.get("entries") or [])]


def dump(entries: list[Approval]) -> str:
    return HEADER + yamlio.dump({"entries": [to_dict(a) for a in entries]})


def order(a: Approval) -> tuple:
    return (a.at, a.id)


def read(root: Path) -> tuple[list[Approval], str | None]:
    """(the approvals, the file's text) — ([], None) when the book has none; BookError when unreadable."""
    path = root / APPROVALS
    if not path.exists() and not path.is_symlink():
        return [], None
    text = yamlio.read_text(path)
    return parse(text, path), text


def append(root: Path, approval: Approval) -> Path:
    """Add an approval to the file (under the write lock); return its path."""
    entries, _text = read(root)
    path = root / APPROVALS
    yamlio.real_folder(root, path.parent)
    yamlio.atomic_write(path, dump([*entries, approval]), root)
    return path


# ---------------------------------------------------------------- this clone's pin

def read_pin(git_dir: Path) -> Pin | None:
    """What this clone verified last; None when it never verified an approval (or the file is unreadable)."""
    f = git_dir / PIN
    if not f.is_file() or f.is_symlink():
        return None
    try:
        data = json.loads(f.read_text(encoding="utf-8"))
        last = data["last"]
        return Pin(str(data["genesis"]), Approval(last["id"], list(last["prev"]), last["by"], last["at"],
                                                  list(last["people"]), last["caller"], last["signer"],
                                                  last["signature"]),
                   frozenset(str(x) for x in data.get("verified") or []))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_pin(git_dir: Path, pin: Pin) -> None:
    try:
        yamlio.atomic_write(git_dir / PIN, json.dumps({"genesis": pin.genesis, "last": to_dict(pin.last),
                                                       "verified": sorted(pin.verified)},
                                                      ensure_ascii=False, indent=1))
    except OSError:
        pass  # a read-only clone verifies again next time
