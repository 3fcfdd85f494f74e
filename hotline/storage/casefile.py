"""A case file's text: the electronic registration form as YAML, and back.

The intake record first, then the append-only events (stable key order, Chinese as
Chinese, block style).  Loading checks structure and types and names a problem as
`path:line: message`; vocabulary and roster references are checked by `check.py`, so a
relabelled rule never hides old cases.  The index keeps the same content as JSON.
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..i18n import _
from ..domain import dates
from ..domain.model import ANSWER_EVENTS, ANSWERS, CONFLICT_FIELDS, EVENT_TYPES, Case, Event, Personal, Source
from ..errors import BookError
from . import ids, yamlio


def iso(t: datetime) -> str:
    return t.isoformat(timespec="seconds")


def utc_text(t: datetime | None) -> str | None:
    """A time as sortable UTC text (the index's columns), None stays None."""
    return None if t is None else t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


# ---------------------------------------------------------------- writing

def event_to_dict(e: Event) -> dict[str, Any]:
    d: dict[str, Any] = {"id": e.id} if e.id else {}
    d.update(at=iso(e.at), type=e.type, by=e.by)
    if e.to is not None:
        d["to"] = list(e.to) if isinstance(e.to, (list, tuple)) else e.to
    if e.outcome is not None:
        d["outcome"] = e.outcome
    if e.reason:
        d["reason"] = e.reason
    if e.contact_shared:
        d["contact_shared"] = True
    if e.reported_police:
        d["reported_police"] = True
    if e.partner_answer is not None:
        d["partner_answer"] = e.partner_answer
    if e.changes:
        d["changes"] = e.changes
    if e.note:
        d["note"] = e.note
    return d


def case_to_dict(c: Case) -> dict[str, Any]:
    d: dict[str, Any] = {
        "id": c.id,
        "received": iso(c.received),
        "channel": c.channel,
        "grade": c.grade,
        **({"risk": c.risk} if c.risk else {}),
        "owner": c.owner,
        "caller": {
            "role": c.role,
            "gender": c.gender,
            "age_group": c.age_group,
            "region": c.region,
            "occupation": c.occupation,
        },
        **({"victim_age_group": c.victim_age_group} if c.victim_age_group else {}),
        "categories": list(c.categories),
        "needs": list(c.needs),
        "summary": c.summary,
    }
    if c.response:
        d["response"] = c.response
    d["consent_publish"] = bool(c.consent_publish)
    if c.difficult:   # written only when marked: every other file stays as it was
        d["difficult"] = True
    if c.key_case:
        d["key_case"] = True
    if c.personal is not None:
        p: dict[str, Any] = {"key": c.personal.key} if c.personal.key else (
            {"recipients": c.personal.recipients} if c.personal.armor is not None else {})
        if c.personal.caller:
            p["caller"] = c.personal.caller
        if c.personal.armor is not None:
            p["age"] = c.personal.armor
        d["personal"] = p
    if c.conflicts:
        d["conflicts"] = c.conflicts
    if c.source is not None:  # only imported cases: every other file stays as it was
        d["source"] = {"fingerprint": c.source.fingerprint, **({"ref": c.source.ref} if c.source.ref else {})}
    d["events"] = [event_to_dict(e) for e in c.events]
    return d


def dump_case(c: Case) -> str:
    return yamlio.dump(case_to_dict(c))


def case_to_json(c: Case) -> str:
    return json.dumps(case_to_dict(c), ensure_ascii=False, separators=(",", ":"))


def case_from_json(text: str) -> Case:
    """Rebuild a case from indexed JSON (validated when it was indexed)."""
    d = json.loads(text)
    caller = d["caller"]
    p = d.get("personal")
    src = d.get("source")
    fromiso = datetime.fromisoformat
    return Case(
        id=d["id"], received=fromiso(d["received"]), channel=d["channel"], grade=d["grade"], owner=d["owner"],
        role=caller["role"], gender=caller["gender"], age_group=caller["age_group"], region=caller["region"],
        occupation=caller["occupation"], categories=d["categories"], needs=d["needs"], summary=d["summary"],
        response=d.get("response", ""), consent_publish=d["consent_publish"],
        personal=Personal(p.get("age"), p.get("recipients", 0), p.get("caller"), p.get("key")) if p else None,
        events=[Event(type=e["type"], at=fromiso(e["at"]), by=e["by"], note=e.get("note", ""), to=e.get("to"),
                      outcome=e.get("outcome"), reason=e.get("reason"), contact_shared=e.get("contact_shared", False),
                      changes=e.get("changes"), id=e.get("id"), reported_police=e.get("reported_police", False),
                      partner_answer=e.get("partner_answer"))
                for e in d["events"]],
        conflicts=d.get("conflicts"),
        source=Source(src["fingerprint"], src.get("ref", "")) if src else None,
        risk=d.get("risk"), victim_age_group=d.get("victim_age_group"),
        difficult=d.get("difficult", False), key_case=d.get("key_case", False),
    )


# ---------------------------------------------------------------- reading

class _Reader:
    """Typed access to a loaded mapping, failing with path:line."""

    def __init__(self, text: str, path: Path):
        self.text, self.path = text, path

    def fail(self, keypath: list, msg: str) -> BookError:
        return BookError(msg, self.path, yamlio.line_of(self.text, keypath))

    def text_of(self, d: dict, key: str, kp: list, required: bool = True, default: str = "") -> str:
        if key not in d or d[key] is None:
            if required:
                raise self.fail(kp, _("missing '{key}'").format(key=key))
            return default
        v = d[key]
        if isinstance(v, bool) or not isinstance(v, str):
            hint = _(" (a number here loses leading zeros: put it in quotes)") if isinstance(v, (int, float)) else ""
            raise self.fail(kp + [key], _("'{key}' must be text, not {v!r}{hint}").format(key=key, v=v, hint=hint))
        return v

    def time_of(self, d: dict, key: str, kp: list) -> datetime:
        v = d.get(key)
        if isinstance(v, datetime):
            t = v
        elif isinstance(v, str):
            try:
                t = datetime.fromisoformat(v)
            except ValueError:
                raise self.fail(kp + [key], _("'{key}' is not an ISO time: {v!r}").format(key=key, v=v)) from None
        elif v is None:
            raise self.fail(kp, _("missing '{key}'").format(key=key))
        else:
            raise self.fail(kp + [key], _("'{key}' must be a time like 2026-11-20T15:00:00+08:00, not {v!r}").format(key=key, v=v))
        if t.tzinfo is None:
            raise self.fail(kp + [key], _("'{key}' has no UTC offset: {v!r}").format(key=key, v=v))
        if not dates.in_range(t):
            raise self.fail(kp + [key], _("'{key}' {v} is outside the dates a book holds ({RANGE_TEXT})").format(key=key, v=v, RANGE_TEXT=dates.range_text()))
        return t

    def list_of(self, d: dict, key: str, kp: list) -> list[str]:
        v = d.get(key) or []
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise self.fail(kp + [key], _("'{key}' must be a list of ids").format(key=key))
        return v


def _personal(r: _Reader, data: dict, erased: bool = False) -> Personal | None:
    if data.get("personal") is None:
        return None
    p = data["personal"]
    if not isinstance(p, dict):
        raise r.fail(["personal"], _("'personal' must be a mapping (key, caller, age)"))
    unknown = sorted(set(p) - {"key", "recipients", "caller", "age"})
    if unknown:
        raise r.fail(["personal", unknown[0]], _("unknown field 'personal.{field}'; allowed: key, caller, age")
                     .format(field=unknown[0]))
    caller = r.text_of(p, "caller", ["personal"], required=False) or None
    if caller is not None and not re.fullmatch(r"[0-9a-f]{8,64}", caller):
        raise r.fail(["personal", "caller"], _("'personal.caller' must be a caller id (hexadecimal), not {value!r}")
                     .format(value=caller[:24]))
    if "age" not in p and "key" not in p and "recipients" not in p:
        if not erased:
            raise r.fail(["personal"], _("'personal' has no 'age' block although the case was never erased"))
        return Personal(armor=None, recipients=0, caller=caller)
    armor = r.text_of(p, "age", ["personal"])
    if not armor.startswith("-----BEGIN AGE ENCRYPTED FILE-----"):
        raise r.fail(["personal", "age"], _("'personal.age' must be an age-encrypted block; personal data is never stored in clear"))
    key = r.text_of(p, "key", ["personal"], required=False) or None
    if key is not None and not re.fullmatch(r"age1[02-9ac-hj-np-z]{58}", key):
        raise r.fail(["personal", "key"], _("'personal.key' must be an age public key (age1…), not {value!r}")
                     .format(value=key[:24]))
    n = p.get("recipients", 0)
    if not isinstance(n, int) or isinstance(n, bool):
        raise r.fail(["personal", "recipients"], _("'recipients' must be a number, not {n!r}").format(n=n))
    return Personal(armor=armor, recipients=n, caller=caller, key=key)


def _conflicts(r: _Reader, data: dict) -> dict | None:
    """`conflicts:` as a merge wrote it: field -> {values: [two or more values]}."""
    raw = data.get("conflicts")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise r.fail(["conflicts"], _("'conflicts' must map a field to its values"))
    for name, rec in raw.items():
        if name not in CONFLICT_FIELDS:
            raise r.fail(["conflicts", name], _("unknown field '{name}' in conflicts; allowed: {items}").format(
                name=name, items=", ".join(CONFLICT_FIELDS)))
        values = rec.get("values") if isinstance(rec, dict) else None
        if not isinstance(values, list) or len(values) < 2:
            raise r.fail(["conflicts", name], _("conflicts.{name} must list the values to choose from (values: [...])").format(name=name))
    return raw or None


def _source(r: _Reader, data: dict) -> Source | None:
    s = data.get("source")
    if s is None:
        return None
    if not isinstance(s, dict):
        raise r.fail(["source"], _("'source' must be a mapping (fingerprint, ref)"))
    return Source(fingerprint=r.text_of(s, "fingerprint", ["source"]), ref=r.text_of(s, "ref", ["source"], required=False))


def _event(r: _Reader, i: int, ev: Any) -> Event:
    kp = ["events", i]
    if not isinstance(ev, dict):
        raise r.fail(kp, _("events[{i}] must be a mapping (at, type, by, ...)").format(i=i))
    typ = r.text_of(ev, "type", kp)
    if typ not in EVENT_TYPES:
        raise r.fail(kp + ["type"], _("unknown event type '{typ}'; allowed: {items}").format(typ=typ, items=', '.join(EVENT_TYPES)))
    to = ev.get("to")
    if to is not None and not (isinstance(to, str) or (isinstance(to, list) and all(isinstance(x, str) for x in to))):
        raise r.fail(kp + ["to"], _("'to' must be an id (or a list of ids), not {to!r}").format(to=to))
    eid = ev.get("id")
    if eid is not None and not (isinstance(eid, str) and ids.ENTRY_ID_RE.match(eid)):
        raise r.fail(kp + ["id"], _("event id {id!r} is not 8 letters and digits (like 7K3M9QX2)").format(id=eid))
    changes = ev.get("changes")
    if changes is not None and not (isinstance(changes, dict) and all(isinstance(v, dict) for v in changes.values())):
        raise r.fail(kp + ["changes"], _("'changes' must map each field to {old, new} (or {changed: true})"))
    answer = ev.get("partner_answer")
    if answer is not None and answer not in ANSWERS:
        raise r.fail(kp + ["partner_answer"], _("'partner_answer' must be 'accepted' or 'declined' (the partner's "
                                                "answer to the referral), not {value!r}").format(value=answer))
    if answer is not None and typ not in ANSWER_EVENTS:
        raise r.fail(kp + ["partner_answer"], _("'partner_answer' belongs on a follow-up, a revisit or a closing "
                                                "(the event that reports the partner's answer), not on '{typ}'")
                     .format(typ=typ))
    return Event(
        type=typ,
        at=r.time_of(ev, "at", kp),
        by=r.text_of(ev, "by", kp),
        note=r.text_of(ev, "note", kp, required=False),
        to=to,
        outcome=r.text_of(ev, "outcome", kp, required=False) or None,
        reason=r.text_of(ev, "reason", kp, required=False) or None,
        contact_shared=ev.get("contact_shared") is True,
        changes=changes,
        id=eid,
        reported_police=ev.get("reported_police") is True,
        partner_answer=answer,
    )


def give_ids(case_id: str, events: list[Event]) -> None:
    """Events written before ids existed get one derived from their content and their place
    among identical ones (`ids.content_id`): two clones that read the same file agree."""
    seen: dict[tuple, int] = {}
    for e in events:
        if e.id:
            continue
        to = ",".join(e.to) if isinstance(e.to, list) else e.to
        content = (case_id, e.type, iso(e.at), e.by, to, e.note, e.outcome, e.reason)
        n = seen.get(content, 0)
        seen[content] = n + 1
        e.id = ids.content_id(*content, n)


def parse_case(text: str, path: Path) -> Case:
    data = yamlio.load_text(text, path)
    r = _Reader(text, path)
    if not isinstance(data, dict):
        raise BookError(_("a case file must be a mapping (id:, received:, ..., events:)"), path, 1)
    caller = data.get("caller") or {}
    if not isinstance(caller, dict):
        raise r.fail(["caller"], _("'caller' must be a mapping (role, gender, age_group, region, occupation)"))
    consent = data.get("consent_publish", False)
    if not isinstance(consent, bool):
        raise r.fail(["consent_publish"], _("'consent_publish' must be true or false, not {consent!r}").format(consent=consent))
    for flag in ("difficult", "key_case"):
        if not isinstance(data.get(flag, False), bool):
            raise r.fail([flag], _("'{key}' must be true or false, not {value!r}").format(key=flag, value=data.get(flag)))
    raw_events = data.get("events")
    if not isinstance(raw_events, list) or not raw_events:
        raise r.fail(["events"], _("'events' must be a non-empty list (the first is the intake)"))
    events = [_event(r, i, ev) for i, ev in enumerate(raw_events)]
    personal = _personal(r, data, erased=any(e.type == "erase" for e in events))
    case_id = r.text_of(data, "id", [])
    give_ids(case_id, events)
    return Case(
        id=case_id,
        received=r.time_of(data, "received", []),
        channel=r.text_of(data, "channel", []),
        grade=r.text_of(data, "grade", []),
        owner=r.text_of(data, "owner", []),
        role=r.text_of(caller, "role", ["caller"]),
        gender=r.text_of(caller, "gender", ["caller"], required=False, default="unknown"),
        age_group=r.text_of(caller, "age_group", ["caller"], required=False, default="unknown"),
        region=r.text_of(caller, "region", ["caller"], required=False),
        occupation=r.text_of(caller, "occupation", ["caller"], required=False),
        categories=r.list_of(data, "categories", []),
        needs=r.list_of(data, "needs", []),
        summary=r.text_of(data, "summary", [], required=False),
        response=r.text_of(data, "response", [], required=False),
        consent_publish=consent,
        personal=personal,
        events=events,
        conflicts=_conflicts(r, data),
        source=_source(r, data),
        risk=r.text_of(data, "risk", [], required=False) or None,
        victim_age_group=r.text_of(data, "victim_age_group", [], required=False) or None,
        difficult=data.get("difficult", False),
        key_case=data.get("key_case", False),
    )
