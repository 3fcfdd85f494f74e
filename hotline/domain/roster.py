"""The roster (roster.yaml) as a value: groups, people, partner organisations — validated
from plain data.  Pure: a bad value is a DataError naming its key path; storage turns it
into `roster.yaml:LINE: message`."""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from ..i18n import _
from ..errors import DataError
from .model import Group, Partner, Person, Roster

ID_RE = re.compile(r"^[a-z0-9_-]+$")
SIGN_RE = re.compile(r"^ed25519:[A-Za-z0-9+/]{43}=$")  # 32 bytes, base64
PARTNER_KINDS = ("external", "internal")
TRIAL_DECISIONS = ("passed", "ended")  # the committee's word after the trial period (试用期)


def _text(section: str, i: int, item: dict, key: str, required: bool = False) -> str | None:
    v = item.get(key)
    if v is None:
        if required:
            raise DataError(_("{section}[{i}] needs '{key}'").format(section=section, i=i, key=key), [section, i])
        return None
    if isinstance(v, bool) or not isinstance(v, str):
        hint = _(" (a number here loses leading zeros: put it in quotes)") if isinstance(v, (int, float)) else ""
        raise DataError(_("{section}[{i}].{key} must be text, not {v!r}{hint}").format(section=section, i=i, key=key, v=v, hint=hint), [section, i, key])
    return v


def _items(data: dict, section: str) -> list[dict]:
    raw = data.get(section) or []
    if not isinstance(raw, list):
        raise DataError(_("'{section}' must be a list").format(section=section), [section])
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            raise DataError(_("{section}[{i}] must be a mapping (id: ..., name: ...)").format(section=section, i=i), [section, i])
    return raw


def _id(section: str, i: int, item: dict, seen: set) -> str:
    pid = _text(section, i, item, "id", required=True)
    assert pid is not None
    if not ID_RE.match(pid):
        raise DataError(_("{section} id '{pid}' may hold only a-z, 0-9, _ and -").format(section=section, pid=pid), [section, i, "id"])
    if pid in seen:
        raise DataError(_("duplicate {section} id '{pid}'").format(section=section, pid=pid), [section, i, "id"])
    seen.add(pid)
    return pid


def _person(i: int, p: dict, seen: set, group_ids: set) -> Person:
    pid = _id("people", i, p, seen)
    group = _text("people", i, p, "group")
    if group is not None and group not in group_ids:
        raise DataError(_("person '{pid}' is in unknown group '{group}'; groups: {value}").format(pid=pid, group=group, value=', '.join(sorted(group_ids)) or _('none')),
                        ["people", i, "group"])
    roles = p.get("roles") or []
    if isinstance(roles, str):
        roles = [roles]
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise DataError(_("person '{pid}': roles must be a list like [leader, volunteer]").format(pid=pid), ["people", i, "roles"])
    key = _text("people", i, p, "key")
    if key is not None and not key.startswith("age1"):
        raise DataError(_("person '{pid}': key must be an age public key (age1...), not '{value}...'").format(pid=pid, value=key[:12]),
                        ["people", i, "key"])
    sign = _text("people", i, p, "sign")
    if sign is not None and not SIGN_RE.match(sign):
        raise DataError(_("person '{pid}': sign must be a signing public key (ed25519:..., from `hotline key show`), "
                          "not '{value}...'").format(pid=pid, value=sign[:12]), ["people", i, "sign"])
    active = p.get("active", True)
    if not isinstance(active, bool):
        raise DataError(_("person '{pid}': active must be true or false, not {active!r}").format(pid=pid, active=active), ["people", i, "active"])
    joined, trial = _trial(i, p, pid)
    return Person(id=pid, name=_text("people", i, p, "name", required=True) or pid, group=group, roles=list(roles),
                  email=_text("people", i, p, "email"), phone=_text("people", i, p, "phone"), key=key, active=active,
                  joined=joined, trial=trial, sign=sign)


def _trial(i: int, p: dict, pid: str) -> tuple[date | None, str | None]:
    """`joined:` (a date: the trial period starts) and `trial:` (passed | ended, the committee's decision)."""
    joined = p.get("joined")
    if isinstance(joined, str):
        try:
            joined = date.fromisoformat(joined.strip())
        except ValueError:
            pass
    if joined is not None and (not isinstance(joined, date) or isinstance(joined, datetime)
                               or not 2000 <= joined.year <= 2099):
        raise DataError(_("person '{pid}': joined must be a date YYYY-MM-DD, not {value}").format(
            pid=pid, value=repr(p.get("joined"))), ["people", i, "joined"])
    trial = p.get("trial")
    if trial is not None and trial not in TRIAL_DECISIONS:
        raise DataError(_("person '{pid}': trial must be {allowed}, not {value}").format(
            pid=pid, allowed=" or ".join(TRIAL_DECISIONS), value=repr(trial)), ["people", i, "trial"])
    return joined, trial


def from_data(data: Any) -> Roster:
    """A Roster from roster.yaml's parsed content; DataError (with its key path) on a bad value."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise DataError(_("roster.yaml must be a mapping with groups, people and partners"), [])
    groups: list[Group] = []
    seen: set = set()
    for i, g in enumerate(_items(data, "groups")):
        gid = _id("groups", i, g, seen)
        groups.append(Group(gid, _text("groups", i, g, "name", required=True) or gid))
    group_ids = {g.id for g in groups}
    seen = set()
    people = [_person(i, p, seen, group_ids) for i, p in enumerate(_items(data, "people"))]
    partners: list[Partner] = []
    seen = set()
    for i, p in enumerate(_items(data, "partners")):
        pid = _id("partners", i, p, seen)
        kind = _text("partners", i, p, "kind") or "external"
        if kind not in PARTNER_KINDS:
            raise DataError(_("partner '{pid}': kind '{kind}' must be external or internal").format(pid=pid, kind=kind), ["partners", i, "kind"])
        partners.append(Partner(pid, _text("partners", i, p, "name", required=True) or pid, kind,
                                _text("partners", i, p, "contact")))
    return Roster(groups, people, partners)
