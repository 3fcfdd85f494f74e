"""The hotline's working rules (rules.yaml) as a value: vocabularies, deadlines, service
hours, calendar overrides, point values — validated from plain data.

Pure: storage reads the file and hands the parsed YAML to `from_data`; a bad value is a
DataError naming its key path, which storage turns into `rules.yaml:LINE: message`.
Durations, the calendar and service hours are parsed by `calendar.py`; this module checks
the shape and hands them over.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..i18n import _
from ..errors import DataError, UsageError
from . import labels

VOCABULARIES = ("channel", "grade", "role", "need", "gender", "age_group", "outcome", "category_group", "category")
GRADES = ("green", "red", "gray")  # the deadline table is written against these three


@dataclass
class Vocab:
    """One vocabulary: ids in order, each with a Chinese label."""

    name: str
    labels: dict[str, str]
    groups: dict[str, str] = field(default_factory=dict)  # category -> category_group

    def label(self, key: str) -> str:
        return self.labels.get(key, key)

    def resolve(self, value: str, option: str | None = None) -> str:
        """Accept an id or a label (exact, then case-insensitive id; full-width letters as ASCII,
        ＱＱ = QQ); else UsageError."""
        v = unicodedata.normalize("NFKC", str(value)).strip()
        if v in self.labels:
            return v
        for k, lab in self.labels.items():
            if v == lab or v.lower() == k.lower():
                return k
        # a label's leading part, e.g. "绿色" for "绿色·问题咨询"
        partial = [k for k, lab in self.labels.items() if v and lab.split("·")[0].split("(")[0] == v]
        if len(partial) == 1:
            return partial[0]
        allowed = ", ".join(f"{k} ({lab})" for k, lab in self.labels.items())
        what = option or labels.field(self.name)  # the list's name in the reader's language (需求), or the option
        raise UsageError(_("unknown {what} '{value}'; allowed: {allowed}").format(what=what, value=value, allowed=allowed))


@dataclass
class Rules:
    timezone: str
    vocab: dict[str, Vocab]
    calendar: dict[str, Any]
    service_hours: dict[str, Any]
    deadlines: dict[str, dict[str, str]]
    escalate_grades: list[str]
    urge_limit: int
    points: dict[str, Any]
    raw: dict[str, Any]
    path: Path | None = None   # where it was read from (set by storage), for messages
    language: str = "zh-CN"    # of messages, prompts and help ($HOTLINE_LANG overrides it)
    lines: Any = None          # duty, leave, crisis, threats, mandatory report, trial (domain.linerules)

    def label(self, vocab: str, key: str) -> str:
        return self.vocab[vocab].label(key)


def _section(data: dict, key: str, typ: type) -> Any:
    if key not in data:
        raise DataError(_("missing section '{key}'").format(key=key), [])
    val = data[key]
    if not isinstance(val, typ):
        raise DataError(_("'{key}' must be a {name}, not {name2}").format(key=key, name=typ.__name__, name2=type(val).__name__), [key])
    return val


def _vocabularies(raw: dict) -> dict[str, Vocab]:
    vocab: dict[str, Vocab] = {}
    for name in VOCABULARIES:
        entries = raw.get(name)
        where = ["vocabularies", name]
        if not isinstance(entries, dict) or not entries:
            raise DataError(_("vocabulary '{name}' must be a non-empty mapping id: 标签").format(name=name), where)
        labels: dict[str, str] = {}
        groups: dict[str, str] = {}
        for k, v in entries.items():
            if not isinstance(k, str):
                raise DataError(_("vocabulary '{name}': id {k!r} must be text").format(name=name, k=k), where)
            if name == "category":
                if not isinstance(v, dict) or not isinstance(v.get("label"), str) or not isinstance(v.get("group"), str):
                    raise DataError(_("category '{k}' needs {{label: 标签, group: 组}}").format(k=k), where + [k])
                labels[k], groups[k] = v["label"], v["group"]
            else:
                if not isinstance(v, str):
                    raise DataError(_("vocabulary '{name}': label of '{k}' must be text, not {v!r}").format(name=name, k=k, v=v), where + [k])
                labels[k] = v
        vocab[name] = Vocab(name, labels, groups)
    for cat, grp in vocab["category"].groups.items():
        if grp not in vocab["category_group"].labels:
            raise DataError(_("category '{cat}' names unknown group '{grp}'").format(cat=cat, grp=grp), ["vocabularies", "category", cat])
    for g in GRADES:
        if g not in vocab["grade"].labels:
            raise DataError(_("grade '{g}' is required (the deadline rules use it)").format(g=g), ["vocabularies", "grade"])
    for o in ("resolved", "unresolved"):
        if o not in vocab["outcome"].labels:
            raise DataError(_("outcome '{o}' is required").format(o=o), ["vocabularies", "outcome"])
    return vocab


def _deadlines(deadlines: dict) -> None:
    for kind, table in deadlines.items():
        if not isinstance(table, dict):
            raise DataError(_("deadlines.{kind} must map a grade (or 'referred') to a duration").format(kind=kind), ["deadlines", kind])
        for k, v in table.items():
            if not isinstance(v, str):
                raise DataError(_("deadline {kind}.{k} must be a duration text like '3 working days', not {v!r}").format(kind=kind, k=k, v=v),
                                ["deadlines", kind, k])


def _points(points: dict) -> None:
    for sect in ("awards", "penalties"):
        items = points.get(sect)
        if not isinstance(items, dict):
            raise DataError(_("points.{sect} must be a mapping item: {{label, points}}").format(sect=sect), ["points", sect])
        for k, v in items.items():
            if not isinstance(v, dict) or not isinstance(v.get("label"), str) or not isinstance(v.get("points"), int):
                raise DataError(_("points.{sect}.{k} needs {{label: 标签, points: N}}").format(sect=sect, k=k), ["points", sect, k])
    for k in ("start", "resolved_case", "late_closure"):
        if not isinstance(points.get(k), int):
            raise DataError(_("points.{k} must be a whole number").format(k=k), ["points", k])


def from_data(data: Any) -> Rules:
    """Rules from rules.yaml's parsed content; DataError (with its key path) on a bad value."""
    if not isinstance(data, dict):
        raise DataError(_("rules.yaml must be a mapping of sections (timezone, vocabularies, ...)"), [])
    tz = _section(data, "timezone", str)
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(tz)
    except Exception:
        raise DataError(_("unknown timezone '{tz}' (e.g. Asia/Shanghai)").format(tz=tz), ["timezone"]) from None
    vocab = _vocabularies(_section(data, "vocabularies", dict))
    cal = data.get("calendar") or {}
    if not isinstance(cal, dict):
        raise DataError(_("'calendar' must be a mapping with holidays: [...] and workdays: [...]"), ["calendar"])
    hours = _section(data, "service_hours", dict)
    deadlines = _section(data, "deadlines", dict)
    _deadlines(deadlines)
    esc = data.get("escalate_grades", ["red"])
    if not isinstance(esc, list) or any(g not in vocab["grade"].labels for g in esc):
        raise DataError(_("escalate_grades must be a list of grade ids"), ["escalate_grades"])
    urge_limit = data.get("urge_limit", 3)
    if not isinstance(urge_limit, int) or isinstance(urge_limit, bool) or urge_limit < 0:
        raise DataError(_("urge_limit must be a whole number, not {urge_limit!r}").format(urge_limit=urge_limit), ["urge_limit"])
    points = _section(data, "points", dict)
    _points(points)
    language = data.get("language", "zh-CN")
    if language not in ("zh-CN", "en"):
        raise DataError(_("language '{value}' is not known; use zh-CN or en").format(value=language), ["language"])
    from . import linerules

    lines, levels = linerules.from_data(data, vocab)
    vocab["risk"] = Vocab("risk", levels)  # crisis levels (危机程度), input by id or label like the others
    rules = Rules(timezone=tz, vocab=vocab, calendar=cal, service_hours=hours, deadlines=deadlines,
                  escalate_grades=list(esc), urge_limit=urge_limit, points=points, raw=data, language=language,
                  lines=lines)
    _check_durations(rules)
    return rules


def _check_durations(rules: Rules) -> None:
    """Every duration and the calendar must parse now, not when a deadline is needed."""
    from . import calendar as cal

    for kind, table in rules.deadlines.items():
        for k, v in table.items():
            try:
                cal.parse_duration(v)
            except UsageError as e:
                raise DataError(str(e), ["deadlines", kind, k]) from None
    try:
        cal.Calendar.from_rules(rules)
    except UsageError as e:
        raise DataError(str(e), ["service_hours"]) from None
