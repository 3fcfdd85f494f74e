"""A register read from a spreadsheet, checked cell by cell (pure: `storage.sheets` reads the
file, `importer.py` writes the cases).

- Headers are matched to fields by their Chinese or English names and a few usual variants
  (`domain.register`), other headers through a mapping file; a header row may sit below a
  title row.
- Every cell is parsed and checked where it stands, and every bad cell becomes one `Problem`
  (`FILE:ROW:COLUMN: message`): vocabularies by id or label (several categories or needs in
  one cell, split on 、，,; and spaces), people and partners by id or name, times as real
  dates or typed text, clear text through the personal-data detector.
- A good row becomes an intake form (`cases.IntakeInput`, checked by `validate_intake` as
  intake checks it) and its events: the intake, the referral and the closure of its columns —
  or, when the workbook has an 事件 sheet, every event listed there for the case.
- Each row gets a fingerprint, so importing the same sheet again creates nothing twice
  (`fingerprints`).
"""
from __future__ import annotations

import hashlib
import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable

from ..errors import DataError, UsageError
from ..i18n import _
from . import dates, detect, labels
from . import cases as case_rules
from .cases import MAX_SHORT, MAX_TEXT, IntakeInput, PersonalData, clean_text, clear_text, validate_intake
from .model import ANSWER_EVENTS, EVENT_TYPES, Event, Roster
from .register import (CASE_COLUMNS, EVENT_COLUMNS, EVENT_REQUIRED, EVENTS_SHEET, REQUIRED, Column,
                       event_columns_of)

HEADER_ROWS = 10     # a header row is looked for among the first rows (a title may sit above it)
IGNORE = "ignore"    # a mapping file's word for a column to leave out


@dataclass
class Problem:
    """One bad cell: its row and column (a letter, as the spreadsheet shows it), on the main
    sheet or (`sheet`) another one."""

    row: int
    column: str
    message: str
    sheet: str = ""

    def text(self, file: str) -> str:
        where = f"{file}[{self.sheet}]" if self.sheet else file
        return f"{where}:{self.row}:{self.column}: {self.message}"


@dataclass
class Table:
    """A sheet's cells as read: (row number, values) for each row that holds anything."""

    name: str
    rows: list[tuple[int, list[Any]]]


@dataclass
class Mapping:
    """A mapping file: sheet headers → fields (or left out), and cell texts → ids per field."""

    columns: dict[str, str] = field(default_factory=dict)       # header key -> field key, or IGNORE
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # field -> {cell text: id or label}


@dataclass
class Entry:
    """A good case row: the intake form and events it gives, and where each field came from."""

    row: int
    key: str                    # the 个案编号 cell as typed (links the 事件 sheet), "" when none
    case_id: str | None         # a hotline id given in the sheet (kept), else None (one is made)
    ref: str                    # the old register's own number, when it had one
    intake: IntakeInput
    events: list[Event]
    where: dict[str, int]       # field -> column index
    owner_given: bool
    personal: bool              # the row holds personal data (to encrypt)
    said_personal: bool = False  # the sheet says the case had personal data (个人信息 已加密), whether or not it holds it
    event_rows: list[int] = field(default_factory=list)  # 事件 sheet row of each event, when from there
    event_where: dict[str, int] = field(default_factory=dict)  # the 事件 sheet's field -> column index
    fingerprint: str = ""
    values: dict[str, Any] = field(default_factory=dict)  # the referral and closure cells, as parsed


@dataclass
class Context:
    rules: Any
    roster: Roster
    tz: Any
    now: datetime
    actor: str                  # the importing person: the owner when the sheet names none
    mapping: Mapping = field(default_factory=Mapping)


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA (as spreadsheets name columns)."""
    s = ""
    index += 1
    while index:
        index, r = divmod(index - 1, 26)
        s = chr(65 + r) + s
    return s


# ---------------------------------------------------------------- headers

def header_key(text: Any) -> str:
    """A header as compared: full-width as ASCII, case and spaces, _ - * : and bracketed
    remarks ignored (`受理时间（必填）` is `受理时间`, `Age_Group` is `agegroup`)."""
    t = unicodedata.normalize("NFKC", str(text or "")).casefold()
    t = re.sub(r"\([^)]*\)|\[[^]]*\]|【[^】]*】", "", t)
    return re.sub(r"[\s_\-*:：]+", "", t)


def header_names(columns: Iterable[Column]) -> dict[str, str]:
    """Every name a column is known by (header key) → its field."""
    out: dict[str, str] = {}
    for c in columns:
        for name in (c.zh, c.key, *c.aliases):
            out.setdefault(header_key(name), c.key)
    return out


def mapping_from_data(data: Any) -> Mapping:
    """A mapping file's parsed YAML: `columns: {header: field | ignore}` and
    `values: {field: {cell text: id or label}}`; DataError names the bad key."""
    if data is None:
        return Mapping()
    if not isinstance(data, dict) or set(data) - {"columns", "values"}:
        raise DataError(_("a mapping file holds columns: (header: field) and values: (field: {text: id})"), [])
    known = header_names(CASE_COLUMNS + EVENT_COLUMNS)
    fields = ", ".join(c.key for c in CASE_COLUMNS if c.kind not in ("derived", "flag"))
    out = Mapping()
    for section in ("columns", "values"):
        if not isinstance(data.get(section) or {}, dict):
            raise DataError(_("'{section}' must be a mapping").format(section=section), [section])
    for header, target in (data.get("columns") or {}).items():
        t = header_key(target)
        if t != IGNORE and t not in known:
            raise DataError(_("'{target}' is not a field; use one of: {fields}, or ignore")
                            .format(target=target, fields=fields), ["columns", header])
        out.columns[header_key(header)] = IGNORE if t == IGNORE else known[t]
    for name, table in (data.get("values") or {}).items():
        if header_key(name) not in known or not isinstance(table, dict):
            raise DataError(_("values: '{name}' must be a field with a mapping of cell text to id")
                            .format(name=name), ["values", name])
        out.values[known[header_key(name)]] = {str(k).strip(): str(v) for k, v in table.items()}
    return out


def find_header(table: Table, columns: tuple[Column, ...], mapping: Mapping) -> tuple[int, dict[int, Column], list[str]]:
    """(position of the header row in table.rows, column index → Column, headers left out).
    UsageError when no row among the first ones names two known columns."""
    names = header_names(columns)
    by_key = {c.key: c for c in columns}
    for pos, (_row, values) in enumerate(table.rows[:HEADER_ROWS]):
        found: dict[int, Column] = {}
        unknown: list[str] = []
        for i, v in enumerate(values):
            k = header_key(v)
            if not k:
                continue
            target = mapping.columns.get(k)
            if target != IGNORE and target not in by_key:  # a mapping for the other sheet's columns
                target = names.get(k)
            if target == IGNORE:
                continue
            if target is None:
                unknown.append(str(v).strip())
            else:
                found[i] = by_key[target]
        if len(found) >= 2:
            return pos, found, unknown
    expected = "、".join(c.zh for c in columns if c.kind not in ("derived", "flag"))
    raise UsageError(_("no header row in the first {n} rows of sheet '{sheet}': expected headers such as {expected} "
                       "(other headers can be named with --map)").format(n=HEADER_ROWS, sheet=table.name,
                                                                          expected=expected))


def missing_columns(found: dict[int, Column], required: tuple[str, ...], columns: tuple[Column, ...]) -> list[str]:
    have = {c.key for c in found.values()}
    return [f"{c.zh} ({c.key})" for c in columns if c.key in required and c.key not in have]


# ---------------------------------------------------------------- cells

class CellError(Exception):
    """A cell that cannot be read; the message names the header and what is allowed."""


def cell_text(v: Any) -> str:
    """A cell as text: numbers as the sheet shows them (13800000000, not 1.38e10), dates as ISO."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e16:
        return str(int(v))
    if isinstance(v, datetime):
        return v.isoformat(sep=" ", timespec="minutes")
    return str(v).strip()


_EXCEL_EPOCH = datetime(1899, 12, 30)


def _typed_time(text: str) -> str:
    """Chinese and dotted date spellings as the ISO-like text `dates.parse_time` reads:
    2026年11月20日 15时30分, 2026.11.20 15:30."""
    t = unicodedata.normalize("NFKC", text).strip()
    t = re.sub(r"(\d{4})年(\d{1,2})月(\d{1,2})[日号]?\s*", r"\1-\2-\3 ", t)
    t = re.sub(r"(\d{1,2})[时点:](\d{1,2})分?", r"\1:\2", t)
    t = re.sub(r"(\d{1,2})[时点]$", r"\1:00", t)
    t = re.sub(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})", r"\1-\2-\3", t)
    return t.strip()


def cell_time(v: Any, tz: Any, header: str) -> datetime:
    """A cell as an aware time in the book's zone: a date cell, an Excel day number, or text."""
    if isinstance(v, datetime):
        t = v.replace(tzinfo=tz) if v.tzinfo is None else v.astimezone(tz)
    elif hasattr(v, "year") and hasattr(v, "month"):  # a date without a time
        t = datetime(v.year, v.month, v.day, tzinfo=tz)
    elif isinstance(v, (int, float)) and not isinstance(v, bool) and 1 <= v < 2958466:
        t = (_EXCEL_EPOCH + timedelta(days=float(v))).replace(tzinfo=tz)
    else:
        try:
            return dates.parse_time(_typed_time(cell_text(v)), tz, header)
        except UsageError as e:
            raise CellError(str(e)) from None
    t = t.replace(microsecond=0)
    if not dates.in_range(t):
        raise CellError(_("{header} '{value}' is outside the dates a book holds ({range})")
                        .format(header=header, value=cell_text(v), range=dates.range_text()))
    return t


YES = {"是", "同意", "y", "yes", "true", "1", "√", "✓", "✔", "对", "可以"}
NO = {"否", "不同意", "n", "no", "false", "0", "×", "✗", "✘", "不", "不可以"}


def cell_yes_no(text: str, header: str) -> bool:
    t = unicodedata.normalize("NFKC", text).strip().casefold()
    if not t or t in NO:
        return False
    if t in YES:
        return True
    raise CellError(_("{header} '{value}' is neither yes nor no; use 是 or 否").format(header=header, value=text))


ACCEPTED_WORDS = {"接收", "同意接收", "受理", "已受理"}
DECLINED_WORDS = {"不接收", "拒绝", "拒收", "未受理", "不受理"}


def cell_answer(text: str, header: str) -> str:
    """A partner's answer to a referral: its id (accepted, declined), its label in any language
    (已接收, 未接收), a few usual words (接收, 拒绝) or yes/no (是否接收: 是, 否)."""
    t = unicodedata.normalize("NFKC", text).strip()
    key = labels.answer_key(t)
    if key is not None:
        return key
    t = t.casefold()
    if t in ACCEPTED_WORDS or t in YES:
        return "accepted"
    if t in DECLINED_WORDS or t in NO:
        return "declined"
    raise CellError(_("{header} '{value}' is neither accepted nor declined; use 已接收 or 未接收 (empty: no answer "
                      "recorded)").format(header=header, value=text))


def cell_count(v: Any, header: str) -> int:
    """A whole number of 0 or more (a count of calls), as a number cell or typed text."""
    t = unicodedata.normalize("NFKC", cell_text(v)).strip()
    if not t.isdigit() or isinstance(v, float) and not v.is_integer():
        raise CellError(_("{header} '{value}' is not a whole number (0 or more)").format(header=header, value=cell_text(v)))
    return int(t)


def split_list(text: str) -> list[str]:
    """Several values in one cell: split on 、，,;； and spaces (Chinese or ASCII)."""
    return [x for x in re.split(r"[、，,;；\s]+", unicodedata.normalize("NFKC", text).replace("、", ",")) if x]


AGE_BANDS = ((0, 13, "child"), (14, 17, "teen"), (18, 35, "youth"), (36, 59, "adult"), (60, 150, "senior"))


def _age_group(text: str, vocab: Any) -> str | None:
    """An age in years (`25`, `25岁`) as the age group of SPEC §3, when rules.yaml has it."""
    m = re.fullmatch(r"(\d{1,3})\s*岁?", text)
    if not m:
        return None
    n = int(m.group(1))
    return next((g for lo, hi, g in AGE_BANDS if lo <= n <= hi and g in vocab.labels), None)


def resolve_vocab(ctx: Context, key: str, vocab_name: str, text: str, header: str) -> str:
    vocab = ctx.rules.vocab[vocab_name]
    text = ctx.mapping.values.get(key, {}).get(text.strip(), text)
    if vocab_name == "age_group":
        age = _age_group(unicodedata.normalize("NFKC", text).strip(), vocab)
        if age is not None:
            return age
    try:
        return vocab.resolve(text, header)
    except UsageError as e:
        raise CellError(str(e)) from None


def _some(names: Iterable[str], most: int = 12) -> str:
    """A list for a message: the first `most`, and how many in all."""
    names = list(names)
    more = " " + _("… ({n} in all)").format(n=len(names)) if len(names) > most else ""
    return ", ".join(names[:most]) + more


def find_person(roster: Roster, text: str, header: str) -> str:
    """A roster person by id or by name (a name two people share is refused)."""
    t = unicodedata.normalize("NFKC", text).strip()
    p = roster.person(t)
    if p is not None:
        return p.id
    named = [x for x in roster.people if x.name == t]
    if len(named) == 1:
        return named[0].id
    if named:
        raise CellError(_("{header} '{value}' is the name of {ids}: write the id").format(
            header=header, value=text, ids=", ".join(x.id for x in named)))
    known = _some(f"{x.id} ({x.name})" for x in roster.people)
    raise CellError(_("{header} '{value}' is not in roster.yaml (people who left stay there with active: false); "
                      "people: {known}").format(header=header, value=text, known=known))


def find_partner(roster: Roster, text: str, header: str) -> str:
    t = unicodedata.normalize("NFKC", text).strip()
    p = roster.partner(t) or next((x for x in roster.partners if x.name == t), None)
    if p is not None:
        return p.id
    known = _some(f"{x.id} ({x.name})" for x in roster.partners) or _("none")
    raise CellError(_("{header} '{value}' is not a partner in roster.yaml; partners: {known}")
                    .format(header=header, value=text, known=known))


def _clear(text: str, header: str, limit: int) -> str:
    try:
        return clear_text(text, header, limit=limit)
    except PersonalData as e:
        f = e.findings[0]
        kinds = ", ".join(dict.fromkeys(_(detect.KINDS[x.kind]) for x in e.findings))
        raise CellError(_("{header} holds what looks like personal data ({kinds}, at characters {start}–{end}); it would "
                          "be kept in clear: move it to the 姓名/联系方式/住址/身份备注 columns (encrypted) or leave "
                          "it out").format(header=header, kinds=kinds, start=f.start + 1, end=f.end)) from None
    except UsageError as e:
        raise CellError(str(e)) from None


def _event_type(text: str, header: str) -> str:
    t = unicodedata.normalize("NFKC", text).strip()
    for k in EVENT_TYPES:
        if t.casefold() == k or t == labels.event(k) or t == labels.EVENT[k]:
            return k
    allowed = ", ".join(f"{k} ({labels.event(k)})" for k in EVENT_TYPES)
    raise CellError(_("{header} '{value}' is not an event; allowed: {allowed}").format(header=header, value=text,
                                                                                     allowed=allowed))


def _changes(text: str, header: str) -> dict:
    try:
        d = json.loads(text)
    except ValueError:
        d = None
    if not isinstance(d, dict) or not all(isinstance(v, dict) for v in d.values()):
        raise CellError(_("{header} must be what an export wrote: {{\"field\": {{\"old\": …, \"new\": …}}}}")
                        .format(header=header))
    for field_, rec in d.items():  # the old and new values are kept in clear like any other cell
        for side in ("old", "new"):
            if isinstance(rec.get(side), str):
                _clear(rec[side], f"{header} ({field_}.{side})", MAX_TEXT)
    return d


def parse_cell(ctx: Context, col: Column, value: Any, header: str) -> Any:
    """The value of one non-empty cell, by its column's kind; CellError says what is wrong."""
    kind, text = col.kind, cell_text(value)
    if isinstance(value, float) and not math.isfinite(value):  # a workbook can say NaN or 1E999
        raise CellError(_("{header} holds '{value}', which is no number a register can hold").format(
            header=header, value=text))
    if kind == "time":
        return cell_time(value, ctx.tz, header)
    if kind == "vocab":
        return resolve_vocab(ctx, col.key, col.vocab, text, header)
    if kind == "multi":
        return _resolve_all(ctx, col, split_list(text), header)
    if kind == "person":
        return find_person(ctx.roster, text, header)
    if kind == "partner":
        return find_partner(ctx.roster, text, header)
    if kind == "yesno":
        return cell_yes_no(text, header)
    if kind == "answer":
        return cell_answer(ctx.mapping.values.get(col.key, {}).get(text.strip(), text), header)
    if kind in ("text", "short", "ref"):
        return _clear(text, header, MAX_TEXT if kind == "text" else MAX_SHORT)
    if kind == "personal":
        try:
            return clean_text(text, header, limit=MAX_TEXT if col.key == "notes" else MAX_SHORT)
        except UsageError as e:
            raise CellError(str(e)) from None
    if kind == "event":
        return _event_type(text, header)
    if kind == "json":
        return _changes(text, header)
    if kind == "flag":
        return True
    if kind == "count":
        return cell_count(value, header)
    return text  # id, target (read once the event's type is known), derived


def _resolve_all(ctx: Context, col: Column, items: list[str], header: str) -> list[str]:
    out, bad = [], []
    for x in items:
        try:
            out.append(resolve_vocab(ctx, col.key, col.vocab, x, header))
        except CellError as e:
            bad.append((x, e))
    if len(bad) == 1:
        raise bad[0][1]
    if bad:
        allowed = ", ".join(f"{k} ({lab})" for k, lab in ctx.rules.vocab[col.vocab].labels.items())
        raise CellError(_("{header}: {values} are not known; allowed: {allowed}").format(
            header=header, values=", ".join(f"'{x}'" for x, _e in bad), allowed=allowed))
    return list(dict.fromkeys(out))


# ---------------------------------------------------------------- rows

@dataclass
class Layout:
    """A sheet's header row, read: where it is and what each column holds."""

    sheet: str                       # "" for the main sheet, else its name (for messages)
    header_row: int                  # the row number of the headers
    columns: dict[int, Column]       # column index → Column
    headers: dict[int, str]          # column index → the header as written
    first: dict[str, int]            # field → its first column index
    left_out: list[str]              # headers that match no field

    @classmethod
    def of(cls, table: Table, columns: tuple[Column, ...], mapping: Mapping, sheet: str) -> tuple["Layout", int]:
        pos, found, unknown = find_header(table, columns, mapping)
        row, values = table.rows[pos]
        headers = {i: cell_text(values[i]) for i in found}
        first: dict[str, int] = {}
        for i in sorted(found):
            first.setdefault(found[i].key, i)
        return cls(sheet, row, found, headers, first, unknown), pos

    def problem(self, row: int, key_or_index: str | int, message: str) -> Problem:
        i = self.first.get(key_or_index, 0) if isinstance(key_or_index, str) else key_or_index
        return Problem(row, column_letter(i), message, self.sheet)

    def header(self, key: str) -> str:
        return self.headers[self.first[key]]


def read_cells(ctx: Context, lay: Layout, row: int, values: list[Any]) -> tuple[dict[str, Any], list[Problem]]:
    """The parsed values of a row's non-empty cells (field → value; a target's raw texts as a
    list of (column, text)), and a problem per bad cell.  Two columns filling one field (a
    label and its ids) must agree; for the tool's own words (事件) the ids column wins."""
    got: dict[str, Any] = {}
    seen: dict[str, tuple[int, str]] = {}
    errors: list[tuple[str, Problem]] = []
    for i, col in lay.columns.items():
        v = values[i] if i < len(values) else None
        text = cell_text(v)
        if col.kind == "derived" or not text:
            continue
        if col.kind == "target":
            got.setdefault(col.key, []).append((i, text))
            continue
        try:
            val = parse_cell(ctx, col, v, lay.headers[i])
        except CellError as e:
            errors.append((col.key, lay.problem(row, i, str(e))))
            continue
        if col.key in got and got[col.key] != val:
            j, was = seen[col.key]
            errors.append((col.key, lay.problem(row, i, _("{header} '{value}' disagrees with column {column} ('{other}')")
                                                .format(header=lay.headers[i], value=text, column=column_letter(j),
                                                        other=was))))
            continue
        got.setdefault(col.key, val)
        seen.setdefault(col.key, (i, text))
    problems = [p for key, p in errors if not (key == "type" and "type" in got)]
    return got, problems


def read_required(ctx: Context, lay: Layout, row: int, values: list[Any],
                  required: tuple[str, ...]) -> tuple[dict[str, Any], list[Problem]]:
    """`read_cells`, and a problem for each required field left empty."""
    got, problems = read_cells(ctx, lay, row, values)
    bad = {p.column for p in problems}
    for key in required:
        if key not in got and key in lay.first and column_letter(lay.first[key]) not in bad:
            problems.append(lay.problem(row, key, _("{header} is empty; it is required").format(header=lay.header(key))))
    return got, problems


def _pair(lay: Layout, row: int, got: dict, a: str, b: str) -> list[Problem]:
    """Two columns that go together (partner and time; closing time and outcome)."""
    for have, lack in ((a, b), (b, a)):
        if have in got and lack not in got:
            where = lack if lack in lay.first else have
            name = lay.header(lack) if lack in lay.first else next(c.zh for c in CASE_COLUMNS if c.key == lack)
            return [lay.problem(row, where, _("{header} is empty, but {other} is given: give both or neither")
                                .format(header=name, other=lay.header(have)))]
    return []


def _case_events(ctx: Context, lay: Layout, row: int, got: dict, owner: str) -> tuple[list[Event], list[Problem]]:
    """The intake, and the referral and closure the row's columns describe, in time order."""
    received = got["received"]
    problems = _pair(lay, row, got, "referred_to", "referred_at") + _pair(lay, row, got, "closed_at", "outcome")
    for key in ("received", "referred_at", "closed_at"):
        if key in got and dates.is_future(got[key], ctx.now):
            problems.append(lay.problem(row, key, _("{header} {time} is in the future").format(
                header=lay.header(key), time=f"{got[key]:%Y-%m-%d %H:%M}")))
    for later, earlier in (("referred_at", "received"), ("closed_at", "referred_at"), ("closed_at", "received")):
        if later in got and earlier in got and got[later] < got[earlier]:
            problems.append(lay.problem(row, later, _("{header} is earlier than {other}").format(
                header=lay.header(later), other=lay.header(earlier))))
            break
    if case_rules.needs_reason(got.get("outcome"), got.get("reason")):
        name = lay.header("reason") if "reason" in lay.first else "未解决原因"
        problems.append(lay.problem(row, "reason" if "reason" in lay.first else "outcome",
                                    _("{header} is empty: an unresolved case needs the reason").format(header=name)))
    events = [Event(type="intake", at=received, by=owner)]
    if "referred_to" in got and "referred_at" in got:
        events.append(Event(type="refer", at=got["referred_at"], by=owner, to=got["referred_to"]))
    if "closed_at" in got and "outcome" in got:
        events.append(Event(type="close", at=got["closed_at"], by=owner, outcome=got["outcome"],
                            reason=got.get("reason") or None))
    return events, problems


def _intake(got: dict, owner: str) -> IntakeInput:
    """The row as an intake form; cells left empty take the form's defaults (`validate_intake`)."""
    return IntakeInput(
        channel=got.get("channel", ""), grade=got.get("grade", ""), role=got.get("role", ""),
        categories=got.get("categories", []), needs=got.get("needs", []), summary=got.get("summary", ""),
        response=got.get("response"), gender=got.get("gender"), age_group=got.get("age_group"),
        region=got.get("region"), occupation=got.get("occupation"), name=got.get("name"),
        contact=got.get("contact"), address=got.get("address"), notes=got.get("notes"), owner=owner,
        consent_publish=got.get("consent_publish", False), at=got.get("received"),
        difficult=got.get("difficult", False), key_case=got.get("key_case", False))


def read_case_row(ctx: Context, lay: Layout, row: int, values: list[Any]) -> tuple[Entry | None, list[Problem]]:
    """One row of the case sheet: an Entry, or None and every problem of the row."""
    got, problems = read_required(ctx, lay, row, values, REQUIRED)
    if problems:
        return None, problems
    owner = got.get("owner") or ctx.actor
    events, problems = _case_events(ctx, lay, row, got, owner)
    raw = _intake(got, owner)
    try:
        intake = validate_intake(ctx.rules, raw)
    except UsageError as e:  # the cells were checked one by one; this is the backstop
        problems.append(lay.problem(row, "summary", str(e)))
    if problems:
        return None, problems
    key = cell_text(values[lay.first["id"]]) if "id" in lay.first and lay.first["id"] < len(values) else ""
    personal = any(got.get(k) for k in ("name", "contact", "address", "notes"))
    entry = Entry(row=row, key=unicodedata.normalize("NFKC", key).strip(), case_id=None, ref=got.get("ref", ""),
                  intake=intake, events=events, where=dict(lay.first), owner_given="owner" in got, personal=personal,
                  said_personal=bool(got.get("encrypted")),
                  values={k: got.get(k) for k in ("referred_to", "referred_at", "closed_at", "outcome", "reason")})
    return entry, []


# ---------------------------------------------------------------- the 事件 sheet

def _target(ctx: Context, lay: Layout, row: int, typ: str, raws: list[tuple[int, str]]) -> tuple[Any, list[Problem]]:
    """An event's `to`, read once its type is known: a partner (refer), a person (assign), people
    (escalate); nothing for the other events."""
    found: list[Any] = []
    for i, text in raws:
        header = lay.headers[i]
        try:
            if typ == "refer":
                found.append(find_partner(ctx.roster, text, header))
            elif typ == "assign":
                found.append(find_person(ctx.roster, text, header))
            elif typ == "escalate":
                found.append([find_person(ctx.roster, x, header) for x in split_list(text)])
            else:
                raise CellError(_("{header} is only for a referral, a hand-over or a report to the director; "
                                  "leave it empty for {event}").format(header=header, event=labels.event(typ)))
        except CellError as e:
            return None, [lay.problem(row, i, str(e))]
    if any(x != found[0] for x in found[1:]):
        i = raws[1][0]
        return None, [lay.problem(row, i, _("{header} '{value}' disagrees with column {column} ('{other}')").format(
            header=lay.headers[i], value=raws[1][1], column=column_letter(raws[0][0]), other=raws[0][1]))]
    return (found[0] if found else None), []


def read_event_row(ctx: Context, lay: Layout, row: int, values: list[Any]) -> tuple[Event | None, list[Problem]]:
    """One row of the 事件 sheet: its event, or None and its problems."""
    got, problems = read_required(ctx, lay, row, values, EVENT_REQUIRED)
    if problems:
        return None, problems
    to, problems = _target(ctx, lay, row, got["type"], got.get("to", []))
    if problems:
        return None, problems
    if dates.is_future(got["at"], ctx.now):
        return None, [lay.problem(row, "at", _("{header} {time} is in the future").format(
            header=lay.header("at"), time=f"{got['at']:%Y-%m-%d %H:%M}"))]
    if "partner_answer" in got and got["type"] not in ANSWER_EVENTS:
        return None, [lay.problem(row, "partner_answer", _("{header} is only for a follow-up, a revisit or a closing "
                                                           "that reports the partner's answer; leave it empty for "
                                                           "{event}").format(header=lay.header("partner_answer"),
                                                                             event=labels.event(got["type"])))]
    return Event(type=got["type"], at=got["at"], by=got["by"], note=got.get("note", ""), to=to,
                 outcome=got.get("outcome"), reason=got.get("reason") or None,
                 contact_shared=bool(got.get("contact_shared")), changes=got.get("changes"),
                 partner_answer=got.get("partner_answer")), []


def attach_events(entries: list[Entry], events: dict[str, list[tuple[int, Event]]], case_lay: Layout,
                  event_lay: Layout, keys_seen: set[str]) -> list[Problem]:
    """Give each case the events the 事件 sheet lists for it (in time order); the case row's
    referral and closure columns must say the same.  Events of no case row are problems."""
    problems: list[Problem] = []
    by_key = {e.key: e for e in entries if e.key}
    for key, rows in events.items():
        entry = by_key.get(key)
        if entry is None:
            if key not in keys_seen:
                problems += [event_lay.problem(r, "case", _("{header} '{value}' has no row in the {sheet} sheet")
                                               .format(header=event_lay.header("case"), value=key,
                                                       sheet=case_lay.sheet or "个案")) for r, _e in rows]
            continue
        rows = sorted(rows, key=lambda re_: re_[1].at)
        entry.events = [e for _r, e in rows]
        entry.event_rows = [r for r, _e in rows]
        entry.event_where = dict(event_lay.first)
        said = event_columns_of(entry.events)
        for k, v in said.items():
            if k in case_lay.first and entry.values.get(k) != v:
                problems.append(case_lay.problem(entry.row, k, _("{header} differs from what the {sheet} sheet "
                                                                "lists for this case").format(
                    header=case_lay.header(k), sheet=EVENTS_SHEET)))
    return problems


# ---------------------------------------------------------------- fingerprints

FINGERPRINT_VERSION = "hotline-import-1"


def canonical(e: Entry) -> str:
    """The row's clear registration form, as parsed (so a date cell and the same date typed as
    text agree): the fields that identify the case, none of the personal ones."""
    i = e.intake
    at = i.at.astimezone(timezone.utc).isoformat() if i.at else ""
    return json.dumps([e.ref, at, i.channel, i.grade, i.role, i.categories, i.needs, i.summary, i.response, i.gender,
                       i.age_group, i.region, i.occupation, i.owner if e.owner_given else "", i.consent_publish],
                      ensure_ascii=False)


def fingerprints(entries: list[Entry]) -> None:
    """Give every entry its source-row fingerprint: SHA-256 of the row's clear registration
    form (`canonical`) and of how many rows before it in the sheet share that form.

    Why only clear cells, and no key: everything hashed is already kept in clear in the case
    file, so the fingerprint tells nobody anything new — a plain hash of the personal cells
    would let anyone holding a clone test a guessed phone number against it (and the caller
    pseudonym, keyed, changes whenever the caller key is rotated, which would make an old
    sheet import twice).  Two different callers whose rows agree in every clear cell (a
    register that keeps only dates) are told apart by their order among those rows, which an
    import of the same sheet, or of the same sheet with rows added, keeps.  A row edited after
    it was imported is a new row: cases are corrected with `hotline amend`, not by importing
    again.  The referral and closure columns are left out, so a row whose closure was filled in
    later is still recognised (and reported as already imported)."""
    seen: dict[str, int] = {}
    for e in entries:
        canon = canonical(e)
        n = seen.get(canon, 0)
        seen[canon] = n + 1
        e.fingerprint = hashlib.sha256(f"{FINGERPRINT_VERSION}\n{canon}\n{n}".encode("utf-8")).hexdigest()[:24]


# ---------------------------------------------------------------- a whole register

@dataclass
class Register:
    """What a workbook gives: the good case rows, and a problem for every bad cell."""

    entries: list[Entry]
    problems: list[Problem]
    rows: int                   # case rows read (not counting empty ones)
    bad_rows: list[int]         # case rows left out
    left_out: list[str]         # headers no field matched (their columns are not imported)
    header_row: int


def _key(lay: Layout, values: list[Any], field_key: str) -> str:
    i = lay.first.get(field_key)
    return unicodedata.normalize("NFKC", cell_text(values[i])).strip() if i is not None and i < len(values) else ""


def _require(lay: Layout, table: Table, required: tuple[str, ...], columns: tuple[Column, ...]) -> None:
    missing = missing_columns(lay.columns, required, columns)
    if missing:
        raise UsageError(_("sheet '{sheet}' has no column for {missing}: add it, or name the column that holds it "
                           "with --map").format(sheet=table.name, missing=", ".join(missing)))


def _read_events(ctx: Context, table: Table) -> tuple[Layout, dict[str, list[tuple[int, Event]]], set[str], list[Problem]]:
    lay, pos = Layout.of(table, EVENT_COLUMNS, ctx.mapping, table.name)
    _require(lay, table, EVENT_REQUIRED, EVENT_COLUMNS)
    grouped: dict[str, list[tuple[int, Event]]] = {}
    bad_keys: set[str] = set()
    problems: list[Problem] = []
    for row, values in table.rows[pos + 1:]:
        if all(cell_text(v) == "" for v in values):
            continue
        event, probs = read_event_row(ctx, lay, row, values)
        key = _key(lay, values, "case")
        if event is None:
            problems += probs
            bad_keys.add(key)
        else:
            grouped.setdefault(key, []).append((row, event))
    return lay, grouped, bad_keys, problems


def read_register(ctx: Context, cases: Table, events: Table | None = None) -> Register:
    """Every row of the case sheet (and of the 事件 sheet, when the workbook has one) read and
    checked; UsageError when a sheet has no header row or lacks a required column."""
    lay, pos = Layout.of(cases, CASE_COLUMNS, ctx.mapping, "")
    _require(lay, cases, REQUIRED, CASE_COLUMNS)
    entries: list[Entry] = []
    problems: list[Problem] = []
    keys: dict[str, int] = {}
    rows = 0
    for row, values in cases.rows[pos + 1:]:
        if all(cell_text(v) == "" for v in values):
            continue
        rows += 1
        entry, probs = read_case_row(ctx, lay, row, values)
        key = _key(lay, values, "id")
        if key and key in keys and events is not None:
            probs.append(lay.problem(row, "id", _("{header} '{value}' is also on row {other}: the {sheet} sheet could "
                                                  "not tell their events apart").format(
                header=lay.header("id"), value=key, other=keys[key], sheet=EVENTS_SHEET)))
        keys.setdefault(key, row)
        problems += probs
        if entry is not None and not probs:
            entries.append(entry)
    if events is not None:
        elay, grouped, bad_keys, probs = _read_events(ctx, events)
        problems += probs + attach_events(entries, grouped, lay, elay, set(keys))
        for e in entries:
            if e.key in bad_keys:
                problems.append(lay.problem(e.row, "id", _("the events of this case in the {sheet} sheet have problems "
                                                           "(listed)").format(sheet=events.name)))
    bad = sorted({p.row for p in problems if not p.sheet})
    entries = [e for e in entries if e.row not in set(bad)]
    problems.sort(key=lambda p: (p.sheet != "", p.sheet, p.row, len(p.column), p.column))
    return Register(entries, problems, rows, bad, lay.left_out, lay.header_row)
