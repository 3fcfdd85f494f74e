"""Personal data in free text: the one detector.

Summaries and notes are committed to git in clear, so a phone number, ID number, e-mail
address, QQ/WeChat id or bank card number typed there leaks for good; it belongs in the
encrypted fields.  `find` says where such data is, `redact` blanks it.  The intake shows a
finding and offers to move it to the contact field, the note-taking commands refuse one
under `--no-input`, and the bulletin blanks published typical cases with `redact`.

    find("回电 138.1234.5678")  → [Finding(kind="mobile", start=3, end=16, text="138.1234.5678")]
    redact("微信：zhang_123")    → "微信：〔已隐去〕"
    KINDS["mobile"]              → "mobile phone number" (marked for translation; _() it where shown)

Positions are in the text as typed.  The patterns run on a same-length copy in which
full-width ASCII (U+FF01–U+FF5E) is ASCII, U+3000, tabs and other spaces are a space, dash
look-alikes (‐ ‑ ‒ – — ― − ﹣) are "-", middle dots (· ・ ･) are "." and ﹫ is "@"; so
`１３８－１２３４－５６７８` and `zhang＠qq.com` are found and cut out of the original.

The rules.  A *sep* is one of `- . /` with a space allowed either side, or one or two
spaces (never a line break).  A number is never taken out of the middle of a longer digit
run (no digit just before or after it), and a phone or card number is not one when a unit
follows it directly (元 块 万元 %: 150 3000 2000元 is three amounts).

mobile      1[3-9] and nine more digits, at most one sep between two digits (not between
            the first two): 13812345678, 138 1234 5678, 138.1234.5678, 1381234-5678.  A
            prefix +86, 0086, (+86) or 86 (a sep may follow) or a trunk 0 (013812345678) is
            part of the finding.  Four dot-separated groups of 1–3 digits are an IP address
            (192.168.10.123), not a mobile.
landline    an area code — 010, 02X, 0[3-9]XX; bare or in brackets; after +86/0086/(+86)
            the 0 may be left out — then a 7–8 digit local number not starting with 0, a sep
            allowed after the area code and once inside the local number: 0769-22334455,
            (0769) 2233 4455, 0769/2233/4455, 020-12345678, 010 8888 6666, +86 769 2233 4455.
            A bare 7–8 digit local number (2233 4455) is a phone only
            - right after a phone word: 电话 手机 座机 固话 号码 联系 致电 回电 拨打 打给 打 拨
              tel phone call (any case), optionally followed by 号/号码, then ： = 是 or 为 and
              spaces: 电话：2233 4455, 座机 22334455, tel 2233-4455; or
            - joined by 或(者) / 、 , ; to a phone number just found: 13812345678或22334455.
            Elsewhere eight digits are as often a date (20261120), an amount or a count, so
            they are left alone.
id_number   18 characters, digits with X or x allowed last, a sep allowed between any two,
            whose 7th–14th digits are a birth date 1900–2099 with month 01–12 and day 01–31:
            44190019900101123X, 441900 19900101 123x.  The check digit is not verified (a
            mistyped ID number is still personal).  15-digit first-generation numbers are not
            looked for.
bank_card   16–19 digits in one run, or in groups of four (the last group may have 1–3) with
            the same sep between all groups: 6222021234567890123, 6222 0212 3456 7890 123.
            Not Luhn-checked: a long number that might be a card is blanked.
email       a name of ASCII letters, digits and . _ % + -, then @ (＠ ﹫), then a domain with
            at least one dot and a top-level part of 2+ letters; 。 may stand for a dot in the
            domain (zhang@qq。com), an ordinary sentence end (…@qq.com。) is not taken.
account     the id after 微信 威信 V信 加V wechat weixin vx wx qq 扣扣 (any case; an ASCII word
            not glued to a preceding letter or digit), optionally followed by 号, 号码, 账号, 帐号
            or id, then ： = 是 or 为 and spaces: 5 or more letters, digits, _ and -, starting
            with a letter or digit, not ending with -, and not a date (QQ 2026-11-20).  The
            finding is the id alone, so `redact` keeps the word: 微信〔已隐去〕, 微信：〔已隐去〕.
            A default WeChat id (wxid_…) is an account wherever it stands.

Where findings overlap the longest wins (an ID number over the mobile-looking digits in it,
an e-mail over the QQ number in it); of equal spans the first kind in `KINDS` order wins
(微信 13812345678 is a mobile).

Not flagged: dates (2026-11-20, 2026/11/20, 2026.11.20, 2026年11月20日, 20261120), times and
date-time ranges (15:30, 10:00-17:00), case ids (261120-D5WRT, 261120-D5: their years are 20
and later, so even an all-digit one never starts 1[3-9]), amounts (350元, ¥1,200, 1200.50元,
3万元), counts and durations, percentages, years, versions, short numbers and the service
numbers (12355, 110, 120, 400-…, 95588): none is a whole 11-digit run starting 1[3-9], a
number starting with an area code, 16–19 digits, 18 characters holding a birth date, a 7–8
digit number right after a phone word or 5+ characters right after an account word.

Not found (a volunteer's care, not this module's): numbers in Chinese numerals (一三八…) or
spelt out, names, addresses, an id before its word (abc123是他的微信), an e-mail name in
Chinese characters.

Pure: `re` and `dataclasses` only; the patterns are compiled once, on first use.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..i18n import N_

MARK = "〔已隐去〕"

KINDS: dict[str, str] = {  # kind -> what it is, in English (translate where shown); ties go to the first
    "id_number": N_("ID card number"),
    "email": N_("e-mail address"),
    "mobile": N_("mobile phone number"),
    "landline": N_("landline phone number"),
    "bank_card": N_("bank card number"),
    "account": N_("QQ or WeChat id"),
}
_RANK = {kind: i for i, kind in enumerate(KINDS)}


@dataclass(frozen=True)
class Finding:
    """One piece of personal data: its kind (a key of KINDS) and where it is in the original
    text (`text[start:end] == finding.text`)."""
    kind: str
    start: int
    end: int
    text: str


# ---------------------------------------------------------------- width

_WIDTH = {0xFF01 + i: 0x21 + i for i in range(0x5E)} | {0x3000: 0x20}
_SPACES = "\t\u00a0\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63"
_DOTS = "\u00b7\u30fb\uff65"
_FOLD = (_WIDTH | dict.fromkeys(map(ord, _SPACES), " ") | dict.fromkeys(map(ord, _DASHES), "-")
         | dict.fromkeys(map(ord, _DOTS), ".") | {0xFE6B: "@"})  # what the patterns see: same length


def normalise_width(text: str) -> str:
    """Full-width ASCII variants (U+FF01–U+FF5E: ０-９, Ａ-ｚ, ＠, －, ：, （ …) as ASCII and the
    ideographic space U+3000 as a space; every other character kept.  Same length as `text`,
    so a position in one is the same position in the other.

    The range holds the Chinese punctuation typed full-width too (，：；！？（）), so this is
    for contact data (numbers, ids, addresses), not for prose: "你好，" becomes "你好,".
    """
    return text.translate(_WIDTH)


# ---------------------------------------------------------------- patterns

_SEP = r"(?: ?[-./] ?| {1,2})"
_AREA = r"(?:10|2[0-9]|[3-9][0-9]{2})"               # an area code without its leading 0
_CC = r"(?:(?:\+ ?|00)86|\(\+?86\))"                 # the country code in its spellings
_LOCAL = rf"[1-9][0-9]{{2,3}}{_SEP}?[0-9]{{4}}"      # a local number, 7 or 8 digits
_PHONE_WORD = (r"(?:电话|手机|座机|固话|号码|联系|致电|回电|拨打|打给|打|拨"
               r"|(?<![A-Za-z])(?i:tel|phone|call))(?:号码|号)?")
_ACCOUNT_WORD = (r"(?:微信|威信|[Vv]信|加[Vv]|扣扣|(?<![A-Za-z0-9_])(?i:wechat|weixin|vx|wx|qq))"
                 r"(?: ?(?:号码|号|账号|帐号|(?i:id)))?")
_SAID = r" *(?:[:=]|是|为)? *"                        # between a word and what it names
_END = r"(?![0-9])(?!元|块|万元|%)"                  # a number ends: no digit, no unit right after it

_SOURCES: tuple[tuple[str, str], ...] = (
    ("mobile", rf"(?<![0-9])(?:(?:{_CC}|86){_SEP}?|0)?1[3-9](?:{_SEP}?[0-9]){{9}}{_END}"),
    ("landline", rf"(?<![0-9])(?:{_CC}{_SEP}?(?:\(0?{_AREA}\)|0?{_AREA})|\(0{_AREA}\)|0{_AREA})"
                 rf"{_SEP}?{_LOCAL}{_END}"),
    ("landline", rf"{_PHONE_WORD}{_SAID}(?<![0-9])(?P<x>{_LOCAL}){_END}"),
    ("id_number", rf"(?<![0-9])[1-9](?:{_SEP}?[0-9]){{16}}{_SEP}?[0-9Xx](?![0-9A-Za-z])"),
    ("bank_card", rf"(?<![0-9])(?:[0-9]{{16,19}}|[0-9]{{4}}(?P<s>{_SEP})[0-9]{{4}}(?P=s)[0-9]{{4}}(?P=s)[0-9]{{4}}"
                  rf"(?:(?P=s)[0-9]{{1,3}})?){_END}"),
    ("email", r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9_][A-Za-z0-9._%+-]*@"
              r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:[.。][A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
              r"[.。][A-Za-z]{2,}(?![A-Za-z0-9-])"),
    ("account", rf"{_ACCOUNT_WORD}{_SAID}(?P<x>[A-Za-z0-9][A-Za-z0-9_-]{{3,}}[A-Za-z0-9_])"),
    ("account", r"(?<![A-Za-z0-9_])wxid_[A-Za-z0-9_-]+"),
)
_MORE = rf" *(?:或者?|/|、|,|;) *(?<![0-9])({_LOCAL}){_END}"  # another number joined to a phone
_DATE_LIKE = r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"               # QQ 2026-11-20 is a date, not an id
_IP_LIKE = r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}"                  # 192.168.10.123 is an address, not a mobile

_NOT: dict[str, str] = {"account": _DATE_LIKE, "mobile": _IP_LIKE}  # kind -> what such a match may really be

_compiled: dict[str, tuple] = {}


def _patterns() -> tuple:
    """(rules, joined-number pattern, {kind: look-alike pattern}), compiled on first use and kept."""
    if not _compiled:
        _compiled["all"] = ([(kind, re.compile(src)) for kind, src in _SOURCES], re.compile(_MORE),
                            {kind: re.compile(src) for kind, src in _NOT.items()})
    return _compiled["all"]


# ---------------------------------------------------------------- checks

def _birth_date_ok(candidate: str) -> bool:
    """The 7th–14th digits of an 18-character ID number are a plausible birth date."""
    digits = re.sub(r"[^0-9Xx]", "", candidate)
    year, month, day = int(digits[6:10]), int(digits[10:12]), int(digits[12:14])
    return 1900 <= year <= 2099 and 1 <= month <= 12 and 1 <= day <= 31


def _plausible(kind: str, candidate: str, look_alikes: dict[str, re.Pattern[str]]) -> bool:
    if kind == "id_number":
        return _birth_date_ok(candidate)
    return kind not in look_alikes or not look_alikes[kind].fullmatch(candidate)


# ---------------------------------------------------------------- finding

def _candidates(norm: str) -> list[tuple[int, int, str]]:
    """Every (start, end, kind) a rule matches in the normalised text, overlaps included."""
    rules, more, look_alikes = _patterns()
    out: list[tuple[int, int, str]] = []
    for kind, pattern in rules:
        group = "x" if "x" in pattern.groupindex else 0
        pos = 0
        while (m := pattern.search(norm, pos)) is not None:
            start, end = m.span(group)
            if _plausible(kind, norm[start:end], look_alikes):
                out.append((start, end, kind))
                pos = m.end()
            else:  # a rejected match may hide a good one starting inside it
                pos = m.start() + 1
    for start, end, kind in list(out):  # numbers joined to a phone: 13812345678或22334455
        while kind in ("mobile", "landline") and (m := more.match(norm, end)) is not None:
            start, end = m.span(1)
            out.append((start, end, "landline"))
    return out


def find(text: str) -> list[Finding]:
    """The personal data in `text` (rules in the module docstring), sorted by position and
    never overlapping; positions and `.text` are in `text` as given (full-width and all)."""
    if not text:
        return []
    chosen: list[tuple[int, int, str]] = []
    for start, end, kind in sorted(set(_candidates(text.translate(_FOLD))),
                                   key=lambda c: (c[0] - c[1], _RANK[c[2]], c[0])):
        if all(end <= s or start >= e for s, e, _ in chosen):
            chosen.append((start, end, kind))
    return [Finding(kind, start, end, text[start:end]) for start, end, kind in sorted(chosen)]


def redact(text: str, mark: str = MARK) -> str:
    """`text` with every finding replaced by `mark` (an account's word is kept: 微信：〔已隐去〕)."""
    out, last = [], 0
    for f in find(text):
        out += [text[last:f.start], mark]
        last = f.end
    out.append(text[last:])
    return "".join(out)
