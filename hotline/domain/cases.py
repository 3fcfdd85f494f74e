"""What a volunteer types about a case, checked against the rules before anything is written.

Pure: the intake form's fields resolved against the vocabularies (id or Chinese label),
free text cleaned and bounded.  `actions.py` calls these and then writes.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..errors import UsageError
from ..i18n import _
from . import detect
from .model import Person, Roster
from .rules import Rules
from .text import has_control

MAX_TEXT = 5000       # a summary or note longer than this is a paste accident
MAX_SHORT = 200       # names, regions, contacts


def clean_text(value: str | None, option: str, required: bool = False, limit: int = MAX_TEXT) -> str:
    text = (value or "").replace("\r\n", "\n").strip()
    if required and not text:
        raise UsageError(_("{option} is empty; it is required").format(option=option))
    if len(text) > limit:
        raise UsageError(_("{option} is {len} characters long; at most {limit} are allowed").format(option=option, len=len(text), limit=limit))
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        raise UsageError(_("{option} holds bytes that are not UTF-8 text; type it again").format(option=option))
    if has_control(text):
        raise UsageError(_("{option} holds control characters; type plain text").format(option=option))
    return text


class PersonalData(UsageError):
    """Clear text that holds personal data: refused, naming the field, the kind and where —
    never the data itself (errors are shown and logged)."""

    def __init__(self, option: str, findings: list[detect.Finding]):
        self.option, self.findings = option, findings
        f = findings[0]
        kinds = ", ".join(dict.fromkeys(_(detect.KINDS[x.kind]) for x in findings))
        super().__init__(_("{option} holds what looks like personal data ({kinds}, at characters {start}–{end}); "
                           "it would be kept in clear for good: put it in the encrypted fields (--contact, --name, "
                           "--address, --notes) or leave it out").format(option=option, kinds=kinds,
                                                                         start=f.start + 1, end=f.end))


def clear_text(value: str | None, option: str, required: bool = False, limit: int = MAX_TEXT) -> str:
    """Text that is kept in clear (summaries, responses, notes, reasons, regions): cleaned like
    `clean_text`, and refused when the personal-data detector finds something in it."""
    text = clean_text(value, option, required, limit)
    found = detect.find(text)
    if found:
        raise PersonalData(option, found)
    return text


# ---------------------------------------------------------------- the rules of a case's fields, once
#
# Each is used by the intake and the amend (actions), by `check` (a file as it stands) and by
# `import` (a sheet's cells): tests/test_rule_homes.py lists them.

# coded fields: (field, vocabulary, option) — a value is one of the vocabulary's ids (typed: id or label)
CODED_FIELDS = (("channel", "channel", "--channel"), ("grade", "grade", "--grade"), ("role", "role", "--role"),
                ("gender", "gender", "--gender"), ("age_group", "age_group", "--age-group"))
# fields holding several ids, at least one: (field, vocabulary, option)
LIST_FIELDS = (("categories", "category", "--category"), ("needs", "need", "--need"))
# what an intake cannot do without: (field, option)
REQUIRED = (("channel", "--channel"), ("grade", "--grade"), ("role", "--role"), ("categories", "--category"),
            ("needs", "--need"), ("summary", "--summary"))
# what an intake may leave out, and what it then holds
DEFAULTS = {"gender": "unknown", "age_group": "unknown", "response": "", "region": "", "occupation": "",
            "name": "", "contact": "", "address": "", "notes": ""}


def _empty(value: Any) -> bool:
    return not value.strip() if isinstance(value, str) else not value


def missing_fields(values: Any) -> list[str]:
    """The required fields (REQUIRED) an intake form or a case leaves empty, in the form's order."""
    return [key for key, _opt in REQUIRED if _empty(getattr(values, key))]


def unknown_codes(rules: Rules, values: Any) -> list[tuple[str, str, str]]:
    """(field, vocabulary, value) for every coded value that is not an id of its vocabulary."""
    v = rules.vocab
    out = [(key, vocab, getattr(values, key)) for key, vocab, _opt in CODED_FIELDS
           if getattr(values, key) not in v[vocab].labels]
    out += [(key, vocab, x) for key, vocab, _opt in LIST_FIELDS for x in getattr(values, key)
            if x not in v[vocab].labels]
    return out


def resolve_codes(rules: Rules, values: Any) -> dict[str, Any]:
    """The coded fields of a typed form, each an id or a label of its vocabulary, as ids (lists
    without repeats); UsageError names the first value no vocabulary entry answers to."""
    v = rules.vocab
    out: dict[str, Any] = {key: v[vocab].resolve(getattr(values, key), opt) for key, vocab, opt in CODED_FIELDS}
    out.update({key: list(dict.fromkeys(v[vocab].resolve(x, opt) for x in getattr(values, key)))
                for key, vocab, opt in LIST_FIELDS})
    return out


def needs_reason(outcome: str | None, reason: str | None) -> bool:
    """The 12355 rule: a case closed as unresolved says why (a close without a reason is refused)."""
    return outcome == "unresolved" and not (reason or "").strip()


@dataclass
class IntakeInput:
    channel: str
    grade: str
    role: str
    categories: list[str]
    needs: list[str]
    summary: str
    response: str = ""
    gender: str = "unknown"
    age_group: str = "unknown"
    region: str = ""
    occupation: str = ""
    name: str = ""
    contact: str = ""
    address: str = ""
    notes: str = ""
    owner: str | None = None
    consent_publish: bool = False
    at: datetime | None = None
    risk: str | None = None              # crisis level (危机程度); None: not assessed
    victim_age_group: str | None = None  # the person harmed, when not the caller
    difficult: bool = False              # 困难来电
    key_case: bool = False               # 重点个案

    def missing(self) -> list[str]:
        """The options of required fields left empty."""
        options = dict(REQUIRED)
        return [options[key] for key in missing_fields(self)]

    def with_defaults(self) -> IntakeInput:
        """The form with the optional fields left empty made explicit (DEFAULTS)."""
        from dataclasses import replace

        return replace(self, **{k: d for k, d in DEFAULTS.items() if not getattr(self, k)})


def validate_intake(rules: Rules, raw: IntakeInput) -> IntakeInput:
    """Resolve ids/labels against the rules and clean the text; UsageError names a bad value."""
    v = rules.vocab
    raw = raw.with_defaults()
    out = IntakeInput(
        **resolve_codes(rules, raw),
        summary=clear_text(raw.summary, "--summary", required=True),
        response=clear_text(raw.response, "--response"),
        region=clear_text(raw.region, "--region", limit=MAX_SHORT),
        occupation=clear_text(raw.occupation, "--occupation", limit=MAX_SHORT),
        name=clean_text(raw.name, "--name", limit=MAX_SHORT),
        contact=clean_text(raw.contact, "--contact", limit=MAX_SHORT),
        address=clean_text(raw.address, "--address", limit=MAX_SHORT),
        notes=clean_text(raw.notes, "--notes"),
        owner=raw.owner,
        consent_publish=bool(raw.consent_publish),
        at=raw.at,
        risk=v["risk"].resolve(raw.risk, "--risk") if raw.risk else None,
        victim_age_group=_victim_age(v["age_group"].resolve(raw.victim_age_group, "--victim-age-group"))
        if raw.victim_age_group else None,
        difficult=bool(raw.difficult),
        key_case=bool(raw.key_case),
    )
    for key, _vocab, opt in LIST_FIELDS:
        if key in missing_fields(out):
            raise UsageError(_("{option} is required (at least one)").format(option=opt))
    return out


def _victim_age(age_group: str) -> str | None:
    return None if age_group == "unknown" else age_group


def escalation_targets(rules: Rules, roster: Roster, grade: str) -> list[Person]:
    """Whom a case of this grade is reported to at intake (重大紧急情况报告主任): the active
    director(s), else the deputy directors; nobody for grades not in `escalate_grades`."""
    if grade not in rules.escalate_grades:
        return []
    return roster.with_role("director") or roster.with_role("deputy_director")
