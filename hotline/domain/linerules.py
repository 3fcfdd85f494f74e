"""The line's weekly rules beyond cases and deadlines (rules.yaml): the duty rota (值班), the
leave notice (请假), crisis levels (危机程度), repeated threats (威胁来电), the mandatory report
(强制报告) and the trial period (试用期) — validated from plain data.

Every section has its default (from the 12355 rules, the National Health Commission's
心理援助热线技术指南 and 反家庭暴力法 §14), so a book whose rules.yaml predates them keeps
working.  Pure: a bad value is a DataError naming its key path.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ..errors import DataError, UsageError
from ..i18n import _

DEFAULT_START = date(2026, 1, 5)  # a Monday: the first group's first week when rules.yaml names none
DEFAULT_LEVELS = {"low": "低", "medium": "中", "high": "高"}
DEFAULT_EMERGENCY = {"110": "公安报警", "120": "医疗急救"}


@dataclass
class Duty:
    """Groups take a week of duty in turn (Monday to Sunday), `weeks` weeks each, from `start`
    (a Monday); `groups` is the order (empty: the roster's); `swaps` gives an ISO week
    (year, week) to another group."""

    start: date = DEFAULT_START
    weeks: int = 1
    groups: list[str] = field(default_factory=list)
    swaps: dict[tuple[int, int], str] = field(default_factory=dict)


@dataclass
class Crisis:
    ask_grades: list[str] = field(default_factory=lambda: ["red"])      # grades whose intake asks the level
    escalate_levels: list[str] = field(default_factory=lambda: ["high"])  # reported at once to director + duty leader
    emergency: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_EMERGENCY))


@dataclass
class Threats:
    categories: list[str] = field(default_factory=lambda: ["threat"])
    repeat: int = 2              # this many threat cases from one caller: report to the secretary and the police
    due: str = "same day"        # the threat_report clock


@dataclass
class Mandatory:
    enabled: bool = True
    categories: list[str] = field(default_factory=lambda: ["domestic_violence", "sexual_abuse"])
    age_groups: list[str] = field(default_factory=lambda: ["child", "teen"])
    victim_roles: list[str] = field(default_factory=lambda: ["survivor", "party"])  # callers who are the person harmed
    due: str = "same day"


@dataclass
class Access:
    """Who may open a case's personal data (SPEC §7, need to know): its owner and whoever it was
    assigned to (`owner`), people with one of `group_roles` in such a person's group, and people
    with one of `all_roles` for every case."""
    owner: bool = True
    group_roles: list[str] = field(default_factory=lambda: ["leader"])
    all_roles: list[str] = field(default_factory=lambda: ["director", "secretary"])


@dataclass
class LineRules:
    duty: Duty = field(default_factory=Duty)
    leave_notice_days: int = 3
    crisis: Crisis = field(default_factory=Crisis)
    threats: Threats = field(default_factory=Threats)
    mandatory: Mandatory = field(default_factory=Mandatory)
    trial_months: int = 3
    access: Access = field(default_factory=Access)
    # retention (SPEC §7): a case's personal data is erased this many years after it was closed
    retention_years: int = 3
    # the upward report (上报指标): the line's home (city, province, its own place names), the channels
    # whose cases are calls (来电总数), and the ledger items that are training sessions (培训)
    home_region: dict[str, Any] | None = None
    call_channels: list[str] = field(default_factory=lambda: ["phone"])
    training_items: list[str] = field(default_factory=list)


def _mapping(data: dict, key: str) -> dict:
    val = data.get(key)
    if val is None:
        return {}
    if not isinstance(val, dict):
        raise DataError(_("'{key}' must be a mapping, not {kind}").format(key=key, kind=type(val).__name__), [key])
    return val


def _whole(sect: dict, key: str, where: list, default: int, minimum: int = 0) -> int:
    v = sect.get(key, default)
    if not isinstance(v, int) or isinstance(v, bool) or v < minimum:
        raise DataError(_("{key} must be a whole number ≥ {minimum}, not {value}").format(
            key=".".join(map(str, where + [key])), minimum=minimum, value=repr(v)), where + [key])
    return v


def _ids(sect: dict, key: str, where: list, default: list[str], allowed: dict | None = None) -> list[str]:
    v = sect.get(key, default)
    if isinstance(v, str):
        v = [v]
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise DataError(_("{key} must be a list of ids, not {value}").format(key=".".join(where + [key]), value=repr(v)),
                        where + [key])
    bad = [x for x in v if allowed is not None and x not in allowed]
    if bad:
        raise DataError(_("{key}: unknown id '{id}'; allowed: {allowed}").format(
            key=".".join(where + [key]), id=bad[0], allowed=", ".join(allowed or ())), where + [key])
    return list(v)


def _duration(sect: dict, key: str, where: list, default: str) -> str:
    from .calendar import parse_duration

    v = sect.get(key, default)
    try:
        parse_duration(v)
    except UsageError as e:
        raise DataError(str(e), where + [key]) from None
    return v


def parse_week(text: Any, where: list | None = None) -> tuple[int, int]:
    """'2026-W48' → (2026, 48); a week that does not exist is an error."""
    import re

    m = re.fullmatch(r"(\d{4})-?W(\d{1,2})", str(text).strip().upper())
    try:
        if not m:
            raise ValueError
        date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
    except ValueError:
        msg = _("'{week}' is not an ISO week; use YYYY-Www, e.g. 2026-W48").format(week=text)
        raise (DataError(msg, where) if where is not None else UsageError(msg)) from None
    return int(m.group(1)), int(m.group(2))


def _duty(data: dict) -> Duty:
    sect = _mapping(data, "duty")
    start = sect.get("start", DEFAULT_START)
    if isinstance(start, str):
        try:
            start = date.fromisoformat(start.strip())
        except ValueError:
            start = None
    if not isinstance(start, date) or isinstance(start, datetime) or start.weekday() != 0:
        raise DataError(_("duty.start must be a Monday (YYYY-MM-DD), the first group's first day of duty, not {value}")
                        .format(value=repr(sect.get("start"))), ["duty", "start"])
    swaps_raw = sect.get("swaps") or {}
    if not isinstance(swaps_raw, dict):
        raise DataError(_("duty.swaps must map a week to a group, e.g. 2026-W48: g3"), ["duty", "swaps"])
    swaps = {}
    for week, gid in swaps_raw.items():
        if not isinstance(gid, str):
            raise DataError(_("duty.swaps.{week} must be a group id, not {value}").format(week=week, value=repr(gid)),
                            ["duty", "swaps", week])
        swaps[parse_week(week, ["duty", "swaps", week])] = gid
    return Duty(start=start, weeks=_whole(sect, "weeks", ["duty"], 1, minimum=1),
                groups=_ids(sect, "groups", ["duty"], []), swaps=swaps)


def _crisis(data: dict, vocab: dict) -> tuple[Crisis, dict[str, str]]:
    sect = _mapping(data, "crisis")
    levels = sect.get("levels", DEFAULT_LEVELS)
    if not isinstance(levels, dict) or not levels or not all(isinstance(k, str) and isinstance(v, str)
                                                              for k, v in levels.items()):
        raise DataError(_("crisis.levels must be a non-empty mapping id: 标签 (low: 低 ...)"), ["crisis", "levels"])
    emergency = sect.get("emergency", DEFAULT_EMERGENCY)
    if not isinstance(emergency, dict) or not all(isinstance(v, str) for v in emergency.values()):
        raise DataError(_("crisis.emergency must map a number to what it is ('110': 公安报警)"), ["crisis", "emergency"])
    crisis = Crisis(ask_grades=_ids(sect, "ask_grades", ["crisis"], ["red"], vocab["grade"].labels),
                    escalate_levels=_ids(sect, "escalate_levels", ["crisis"], ["high"], levels),
                    emergency={str(k): v for k, v in emergency.items()})
    return crisis, dict(levels)


def _mandatory(data: dict, vocab: dict) -> Mandatory:
    sect = _mapping(data, "mandatory_report")
    enabled = sect.get("enabled", True)
    if not isinstance(enabled, bool):
        raise DataError(_("mandatory_report.enabled must be true or false, not {value}").format(value=repr(enabled)),
                        ["mandatory_report", "enabled"])
    where = ["mandatory_report"]
    default = Mandatory()
    cats = [c for c in default.categories if c in vocab["category"].labels]  # an older vocabulary may lack one
    return Mandatory(enabled=enabled, categories=_ids(sect, "categories", where, cats, vocab["category"].labels),
                     age_groups=_ids(sect, "age_groups", where, default.age_groups, vocab["age_group"].labels),
                     victim_roles=_ids(sect, "victim_roles", where, default.victim_roles, vocab["role"].labels),
                     due=_duration(sect, "due", where, default.due))


def _access(data: dict) -> Access:
    sect = _mapping(data, "access")
    owner = sect.get("owner", True)
    if not isinstance(owner, bool):
        raise DataError(_("access.owner must be true or false, not {value}").format(value=repr(owner)), ["access", "owner"])
    default = Access()
    return Access(owner=owner, group_roles=_ids(sect, "group", ["access"], default.group_roles),
                  all_roles=_ids(sect, "all", ["access"], default.all_roles))


def from_data(data: dict, vocab: dict) -> tuple[LineRules, dict[str, str]]:
    """The line's rules from rules.yaml's parsed content (sections absent: defaults), and the
    crisis levels (id → label) for the `risk` vocabulary."""
    crisis, levels = _crisis(data, vocab)
    threats = _mapping(data, "threats")
    default_threats = [c for c in Threats().categories if c in vocab["category"].labels]
    lines = LineRules(
        duty=_duty(data),
        leave_notice_days=_whole(_mapping(data, "leave"), "notice_days", ["leave"], 3),
        crisis=crisis,
        threats=Threats(categories=_ids(threats, "categories", ["threats"], default_threats, vocab["category"].labels),
                        repeat=_whole(threats, "repeat", ["threats"], 2, minimum=1),
                        due=_duration(threats, "due", ["threats"], "same day")),
        mandatory=_mandatory(data, vocab),
        trial_months=_whole(_mapping(data, "trial"), "months", ["trial"], 3, minimum=1),
        access=_access(data),
        retention_years=_whole(_mapping(data, "retention"), "years", ["retention"], 3, minimum=1),
        home_region=_home_region(data),
        call_channels=_ids(_mapping(data, "calls"), "channels", ["calls"],
                           [c for c in ("phone",) if c in vocab["channel"].labels], vocab["channel"].labels),
        training_items=_ids(_mapping(data, "training"), "items", ["training"], [], _award_items(data)),
    )
    return lines, levels


def _award_items(data: dict) -> dict:
    points = data.get("points") if isinstance(data.get("points"), dict) else {}
    awards = points.get("awards") if isinstance(points.get("awards"), dict) else {}
    return dict(awards)


def _home_region(data: dict) -> dict[str, Any] | None:
    """`home_region: {city: 东莞, province: 广东, places: {长安镇: 东莞}}`: its shape only (the place
    table judges the names: `check`)."""
    sect = _mapping(data, "home_region")
    if not sect:
        return None
    for k in sect:
        if k not in ("city", "province", "places"):
            raise DataError(_("home_region: unknown key '{key}'; allowed: city, province, places").format(key=k),
                            ["home_region", k])
    for k in ("city", "province"):
        if not isinstance(sect.get(k, ""), str):
            raise DataError(_("home_region.{key} must be a place name (text), not {value}").format(
                key=k, value=repr(sect.get(k))), ["home_region", k])
    if not sect.get("province"):
        raise DataError(_("home_region.province is required (e.g. 广东)"), ["home_region", "province"])
    places = sect.get("places") or {}
    if not isinstance(places, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in places.items()):
        raise DataError(_("home_region.places must map a place name to a city or province (长安镇: 东莞)"),
                        ["home_region", "places"])
    return {"city": sect.get("city") or "", "province": sect["province"], "places": dict(places)}
