"""rules.yaml: vocabularies, deadlines, service hours, calendar overrides, points.

Loaded once per command and validated with messages that name file, line and value.
Durations, the calendar and service hours are parsed by `calendar.py`; this module
checks the shape and hands them over.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import yamlio
from .errors import BookError, UsageError

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
        """Accept an id or a label (exact, then case-insensitive id); else UsageError."""
        v = str(value).strip()
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
        what = option or self.name
        raise UsageError(f"unknown {what} '{value}'; allowed: {allowed}")


@dataclass
class Rules:
    path: Path
    timezone: str
    vocab: dict[str, Vocab]
    calendar: dict[str, Any]
    service_hours: dict[str, Any]
    deadlines: dict[str, dict[str, str]]
    escalate_grades: list[str]
    urge_limit: int
    points: dict[str, Any]
    raw: dict[str, Any]

    def label(self, vocab: str, key: str) -> str:
        return self.vocab[vocab].label(key)


def _fail(text: str, path: Path, keypath: list, message: str) -> BookError:
    return BookError(message, path, yamlio.line_of(text, keypath))


def parse(text: str, path: Path) -> Rules:
    data = yamlio.load_text(text, path)
    if not isinstance(data, dict):
        raise BookError("rules.yaml must be a mapping of sections (timezone, vocabularies, ...)", path, 1)

    def need(key: str, typ: type, where: list | None = None) -> Any:
        if key not in data:
            raise BookError(f"missing section '{key}'", path, 1)
        val = data[key]
        if not isinstance(val, typ):
            raise _fail(text, path, where or [key], f"'{key}' must be a {typ.__name__}, not {type(val).__name__}")
        return val

    tz = need("timezone", str)
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(tz)
    except Exception:
        raise _fail(text, path, ["timezone"], f"unknown timezone '{tz}' (e.g. Asia/Shanghai)") from None

    vocs_raw = need("vocabularies", dict)
    vocab: dict[str, Vocab] = {}
    for name in VOCABULARIES:
        entries = vocs_raw.get(name)
        if not isinstance(entries, dict) or not entries:
            raise _fail(text, path, ["vocabularies", name], f"vocabulary '{name}' must be a non-empty mapping id: 标签")
        labels: dict[str, str] = {}
        groups: dict[str, str] = {}
        for k, v in entries.items():
            if not isinstance(k, str):
                raise _fail(text, path, ["vocabularies", name], f"vocabulary '{name}': id {k!r} must be text")
            if name == "category":
                if not isinstance(v, dict) or not isinstance(v.get("label"), str) or not isinstance(v.get("group"), str):
                    raise _fail(text, path, ["vocabularies", name, k], f"category '{k}' needs {{label: 标签, group: 组}}")
                labels[k], groups[k] = v["label"], v["group"]
            else:
                if not isinstance(v, str):
                    raise _fail(text, path, ["vocabularies", name, k], f"vocabulary '{name}': label of '{k}' must be text, not {v!r}")
                labels[k] = v
        vocab[name] = Vocab(name, labels, groups)
    for cat, grp in vocab["category"].groups.items():
        if grp not in vocab["category_group"].labels:
            raise _fail(text, path, ["vocabularies", "category", cat], f"category '{cat}' names unknown group '{grp}'")
    for g in GRADES:
        if g not in vocab["grade"].labels:
            raise _fail(text, path, ["vocabularies", "grade"], f"grade '{g}' is required (the deadline rules use it)")
    for o in ("resolved", "unresolved"):
        if o not in vocab["outcome"].labels:
            raise _fail(text, path, ["vocabularies", "outcome"], f"outcome '{o}' is required")

    cal = data.get("calendar") or {}
    if not isinstance(cal, dict):
        raise _fail(text, path, ["calendar"], "'calendar' must be a mapping with holidays: [...] and workdays: [...]")
    hours = need("service_hours", dict)
    deadlines = need("deadlines", dict)
    for kind, table in deadlines.items():
        if not isinstance(table, dict):
            raise _fail(text, path, ["deadlines", kind], f"deadlines.{kind} must map a grade (or 'referred') to a duration")
        for k, v in table.items():
            if not isinstance(v, str):
                raise _fail(text, path, ["deadlines", kind, k], f"deadline {kind}.{k} must be a duration text like '3 working days', not {v!r}")
    esc = data.get("escalate_grades", ["red"])
    if not isinstance(esc, list) or any(g not in vocab["grade"].labels for g in esc):
        raise _fail(text, path, ["escalate_grades"], "escalate_grades must be a list of grade ids")
    urge_limit = data.get("urge_limit", 3)
    if not isinstance(urge_limit, int) or isinstance(urge_limit, bool) or urge_limit < 0:
        raise _fail(text, path, ["urge_limit"], f"urge_limit must be a whole number, not {urge_limit!r}")
    points = need("points", dict)
    for sect in ("awards", "penalties"):
        items = points.get(sect)
        if not isinstance(items, dict):
            raise _fail(text, path, ["points", sect], f"points.{sect} must be a mapping item: {{label, points}}")
        for k, v in items.items():
            if not isinstance(v, dict) or not isinstance(v.get("label"), str) or not isinstance(v.get("points"), int):
                raise _fail(text, path, ["points", sect, k], f"points.{sect}.{k} needs {{label: 标签, points: N}}")
    for k in ("start", "resolved_case", "late_closure"):
        if not isinstance(points.get(k), int):
            raise _fail(text, path, ["points", k], f"points.{k} must be a whole number")

    rules = Rules(
        path=path,
        timezone=tz,
        vocab=vocab,
        calendar=cal,
        service_hours=hours,
        deadlines=deadlines,
        escalate_grades=list(esc),
        urge_limit=urge_limit,
        points=points,
        raw=data,
    )
    _check_durations(rules, text)
    return rules


def _check_durations(rules: Rules, text: str) -> None:
    """Every duration and the calendar must parse now, not when a deadline is needed."""
    from . import calendar as cal

    for kind, table in rules.deadlines.items():
        for k, v in table.items():
            try:
                cal.parse_duration(v)
            except UsageError as e:
                raise _fail(text, rules.path, ["deadlines", kind, k], str(e)) from None
    try:
        cal.Calendar.from_rules(rules)
    except UsageError as e:
        raise _fail(text, rules.path, ["service_hours"], str(e)) from None


def load(path: Path) -> Rules:
    return parse(yamlio.read_text(path), path)


def default_text() -> str:
    return (Path(__file__).parent / "defaults" / "rules.yaml").read_text(encoding="utf-8")
