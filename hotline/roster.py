"""roster.yaml: groups, people, partner organisations — validated on load."""
from __future__ import annotations

import re
from pathlib import Path

from . import yamlio
from .errors import BookError
from .model import Group, Partner, Person, Roster

ID_RE = re.compile(r"^[a-z0-9_-]+$")
KNOWN_ROLES = ("director", "deputy_director", "secretary", "leader", "deputy_leader", "volunteer")
PARTNER_KINDS = ("external", "internal")


def parse(text: str, path: Path) -> Roster:
    data = yamlio.load_text(text, path)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise BookError("roster.yaml must be a mapping with groups, people and partners", path, 1)

    def fail(keypath: list, msg: str) -> BookError:
        return BookError(msg, path, yamlio.line_of(text, keypath))

    def text_field(section: str, i: int, item: dict, key: str, required: bool = False) -> str | None:
        v = item.get(key)
        if v is None:
            if required:
                raise fail([section, i], f"{section}[{i}] needs '{key}'")
            return None
        if isinstance(v, bool) or not isinstance(v, str):
            hint = " — a number here loses leading zeros; put it in quotes" if isinstance(v, (int, float)) else ""
            raise fail([section, i, key], f"{section}[{i}].{key} must be text, not {v!r}{hint}")
        return v

    def items(section: str) -> list[dict]:
        raw = data.get(section) or []
        if not isinstance(raw, list):
            raise fail([section], f"'{section}' must be a list")
        for i, item in enumerate(raw):
            if not isinstance(item, dict):
                raise fail([section, i], f"{section}[{i}] must be a mapping (id: ..., name: ...)")
        return raw

    def check_id(section: str, i: int, item: dict, seen: set) -> str:
        pid = text_field(section, i, item, "id", required=True)
        assert pid is not None
        if not ID_RE.match(pid):
            raise fail([section, i, "id"], f"{section} id '{pid}' may hold only a-z, 0-9, _ and -")
        if pid in seen:
            raise fail([section, i, "id"], f"duplicate {section} id '{pid}'")
        seen.add(pid)
        return pid

    groups: list[Group] = []
    seen: set = set()
    for i, g in enumerate(items("groups")):
        gid = check_id("groups", i, g, seen)
        groups.append(Group(gid, text_field("groups", i, g, "name", required=True) or gid))
    group_ids = {g.id for g in groups}

    people: list[Person] = []
    seen = set()
    for i, p in enumerate(items("people")):
        pid = check_id("people", i, p, seen)
        group = text_field("people", i, p, "group")
        if group is not None and group not in group_ids:
            raise fail(["people", i, "group"], f"person '{pid}' is in unknown group '{group}'; groups: {', '.join(sorted(group_ids)) or 'none'}")
        roles = p.get("roles") or []
        if isinstance(roles, str):
            roles = [roles]
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise fail(["people", i, "roles"], f"person '{pid}': roles must be a list like [leader, volunteer]")
        key = text_field("people", i, p, "key")
        if key is not None and not key.startswith("age1"):
            raise fail(["people", i, "key"], f"person '{pid}': key must be an age public key (age1...), not '{key[:12]}...'")
        active = p.get("active", True)
        if not isinstance(active, bool):
            raise fail(["people", i, "active"], f"person '{pid}': active must be true or false, not {active!r}")
        people.append(
            Person(
                id=pid,
                name=text_field("people", i, p, "name", required=True) or pid,
                group=group,
                roles=list(roles),
                email=text_field("people", i, p, "email"),
                phone=text_field("people", i, p, "phone"),
                key=key,
                active=active,
            )
        )

    partners: list[Partner] = []
    seen = set()
    for i, p in enumerate(items("partners")):
        pid = check_id("partners", i, p, seen)
        kind = text_field("partners", i, p, "kind") or "external"
        if kind not in PARTNER_KINDS:
            raise fail(["partners", i, "kind"], f"partner '{pid}': kind '{kind}' must be external or internal")
        partners.append(Partner(pid, text_field("partners", i, p, "name", required=True) or pid, kind, text_field("partners", i, p, "contact")))
    return Roster(groups, people, partners)


def load(path: Path) -> Roster:
    return parse(yamlio.read_text(path), path)


def set_key(text: str, person_id: str, key: str) -> str:
    """Return roster text with person_id's `key:` set, keeping comments and layout."""
    lines = text.splitlines(keepends=True)
    start = None
    for i, line in enumerate(lines):
        if re.match(rf"^\s*-\s+id:\s*['\"]?{re.escape(person_id)}['\"]?\s*(#.*)?$", line):
            start = i
            break
    if start is None:
        raise BookError(f"person '{person_id}' not found in roster", None)
    indent = lines[start].index("id:")  # column of the entry's keys
    end = start + 1
    while end < len(lines):
        ln = lines[end]
        if ln.strip() == "" or ln.lstrip().startswith("#"):
            end += 1
            continue
        cur = len(ln) - len(ln.lstrip(" "))
        if cur < indent or ln.lstrip().startswith("- "):
            break
        if ln.strip().startswith("key:") and cur == indent:
            lines[end] = " " * indent + f"key: {key}\n"
            return "".join(lines)
        end += 1
    # insert after the last field of the entry (skip trailing blank/comment lines)
    ins = end
    while ins > start + 1 and (lines[ins - 1].strip() == "" or lines[ins - 1].lstrip().startswith("#")):
        ins -= 1
    lines.insert(ins, " " * indent + f"key: {key}\n")
    return "".join(lines)
