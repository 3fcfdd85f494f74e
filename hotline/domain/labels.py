"""The tool's own words (status, event types, deadline kinds, clock states, case point items),
in the book's language.

The hotline's vocabularies (channels, grades, categories …) are data in rules.yaml; these few
words belong to the tool, and this is their one home.  The English words are the message ids;
the catalog gives the Chinese (处理中, 受理, 结案 …).
"""
from __future__ import annotations

from ..i18n import N_, _

STATUS = {"open": N_("in progress"), "referred": N_("referred"), "closed": N_("closed")}
EVENT = {
    "intake": N_("intake"), "escalate": N_("reported to the director"), "followup": N_("follow-up"),
    "refer": N_("referral"), "urge": N_("urge"), "assign": N_("hand-over"), "close": N_("closing"),
    "revisit": N_("revisit"), "amend": N_("correction"), "void": N_("withdrawn"),
    "hold": N_("legal hold"), "release": N_("hold released"), "erase": N_("personal data erased"),
}
DEADLINE = {"close": N_("closing"), "respond": N_("first response"), "refer": N_("referral"),
            "follow_up": N_("referral follow-up"), "revisit": N_("revisit"),
            "mandatory_report": N_("mandatory report to the police"),
            "threat_report": N_("report to the secretary and the police")}
ESCALATION = {"high_risk": N_("reported to the director and the duty leader"),
              "repeated_threats": N_("reported to the secretary")}  # escalate events by their reason
ACCESS = {"owner": N_("owner"), "assigned": N_("handed the case"), "group": N_("{role} of the owner's group"),
          "role": N_("{role}: every case")}  # why someone may open a case's personal data (domain.access)
ANSWER = {"accepted": N_("accepted"), "declined": N_("declined")}  # a partner's answer to a referral (已接收/未接收)
STATE = {"running": N_("running"), "overdue": N_("overdue"), "met": N_("on time"), "late": N_("late"),
         "none": N_("no deadline")}
FIELD = {  # the registration form's fields, as `amend`, `resolve` and `check` name them
    "channel": N_("channel"), "grade": N_("grade"), "owner": N_("owner"), "role": N_("caller's role"),
    "gender": N_("gender"), "age_group": N_("age group"), "region": N_("region"), "occupation": N_("occupation"),
    "categories": N_("categories"), "needs": N_("needs"), "summary": N_("summary"), "response": N_("response"),
    "consent_publish": N_("consent to publish"), "risk": N_("crisis level"),
    "victim_age_group": N_("age group of the person harmed"), "personal": N_("personal data"),
    "difficult": N_("difficult call"), "key_case": N_("key case"),
    "name": N_("caller's name"), "contact": N_("contact"), "address": N_("address"), "notes": N_("identifying notes"),
    # rules.yaml's vocabularies by their singular names (check's messages)
    "category": N_("category"), "need": N_("need"), "outcome": N_("outcome"),
}
ROLE = {  # roster.yaml's roles (a hotline may add its own: shown as written)
    "director": N_("director"), "deputy_director": N_("deputy director"), "secretary": N_("secretary"),
    "leader": N_("group leader"), "deputy_leader": N_("deputy group leader"), "volunteer": N_("volunteer"),
}
CASE_ITEMS = {"resolved_case": N_("case resolved"), "late_closure": N_("case not closed in time")}


def _label(table: dict[str, str], key: str) -> str:
    return _(table[key]) if key in table else key


def status(key: str) -> str:
    return _label(STATUS, key)


def status_key(text: str) -> str | None:
    """The status a typed word names: its id (open), or its label in any language (处理中,
    in progress); None when it names none."""
    from ..i18n import every_language

    t = " ".join(str(text).split()).lower()
    for key, word in STATUS.items():
        if t == key or t in {w.lower() for w in every_language(word)}:
            return key
    return None


def event(key: str) -> str:
    return _label(EVENT, key)


def escalation(reason: str) -> str:
    return _label(ESCALATION, reason) if reason in ESCALATION else event("escalate")


def deadline(key: str) -> str:
    return _label(DEADLINE, key)


def access_reason(reason: str) -> str:
    """'owner', 'assigned', 'group:leader', 'role:director' in the reader's language."""
    kind, _sep, role_ = reason.partition(":")
    if kind in ("group", "role") and role_:
        return _(ACCESS[kind]).format(role=role(role_))
    return _label(ACCESS, kind)


def state(key: str) -> str:
    return _label(STATE, key)


def answer(key: str) -> str:
    return _label(ANSWER, key)


def answer_key(text: str) -> str | None:
    """The answer a typed word names: its id (accepted), or its label in any language (已接收,
    declined); None when it names none."""
    from ..i18n import every_language

    t = " ".join(str(text).split()).lower()
    for key, word in ANSWER.items():
        if t == key or t in {w.lower() for w in every_language(word)}:
            return key
    return None


def field(key: str) -> str:
    return _label(FIELD, key)


def fields(keys) -> str:
    """Several fields named in the reader's language, as a list ("region, occupation" / "地区、职业")."""
    return _(", ").join(field(k) for k in keys)


def role(key: str) -> str:
    return _label(ROLE, key)


def roles(keys) -> str:
    """A person's roles in the reader's language, as a list ("group leader, director" / "组长、主任")."""
    return _(", ").join(role(k) for k in keys)


def case_item(key: str) -> str:
    return _label(CASE_ITEMS, key)


def not_assessed() -> str:
    """A case of a grade that asks the crisis level, recorded without one (未评估)."""
    return _("not assessed")


def provisional() -> str:
    """The mark of a due time computed from provisional working days (暂定)."""
    return _("provisional")
