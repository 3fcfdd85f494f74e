"""Personal data in free text: the one detector.

Summaries and notes are committed to git in clear, so a phone number, ID number, e-mail
address, QQ/WeChat id or bank card number typed there leaks for good; it belongs in the
encrypted fields.  `find` says where such data is, `redact` blanks it, `mask` shows a finding
without giving it away.  Every clear-text field goes through `find`: the intake and the
note-taking commands (`domain.cases.clear_text`), import cells (`domain.importing`), `check`
over every case, ledger and leave file, and the bulletin's typical cases (`anonymise.scrub`).

    find("回电 138.1234.5678")  → [Finding(kind="mobile", start=3, end=16, text="138.1234.5678")]
    redact("微信：zhang_123")    → "微信：〔已隐去〕"
    mask("13812345678")          → "13*******78"
    KINDS["mobile"]              → "mobile phone number" (marked for translation; _() it where shown)

Positions are in the text as typed.

How the text is read (a *view*; positions map back to the original):

- every character is NFKC-normalised (full-width ＡＢ１２＠, mathematical 𝟏𝟐, circled ① ⑴ ⒈,
  superscripts, ㊀ …); a character that is a decimal digit in any script (Arabic-Indic ١٣٨,
  Devanagari, …) or a digit by `unicodedata.digit` (❶ ➀ ⓵) is that ASCII digit;
- invisible characters are dropped: format characters (category Cf: zero-width space and
  joiners, U+FEFF, soft hyphen, bidi controls), combining marks (Mn, Me: variation selectors,
  the keycap ⃣) and the Hangul fillers;  every space or line break is a space or a line break;
- dash look-alikes (‐ ‑ ‒ – — ― − ﹣) are "-", middle dots (· ・ ･) are ".", Cyrillic and
  Greek letters that look Latin are those letters;
- Chinese numerals written digit by digit (一三八…, 〇, 零, 幺, 壹贰叁…) are digits; a run with
  十 百 千 万 亿 两 (二十三, 三十万) is a count and stays as it is;
- in the numbers' view only: l and I are 1, O and o are 0 when they stand in or next to a run
  of digits (138l234567O), never inside a word.

Numbers.  The view's digits fall into *groups* (maximal runs of digits).  Two groups are
joined by a *separator*: at most three punctuation marks or symbols (not % ‰ ¥ $ @ &) and any
spaces or line breaks, at most 8 characters in all (138 1234 5678, 1-3-8-1…, 138\\n1234,
1.3.8…, ⑴⑶⑻…).  A number is a chain of joined groups, whole groups only (no digit taken out
of a longer run):

mobile      1[3-9] and nine more digits, after an optional +86, 0086, (+86), 86 or trunk 0.
landline    an area code (010, 02X, 0[3-9]XX, its 0 optional after +86) and a 7–8 digit local
            number not starting with 0: 0769-22334455, (0769) 2233 4455.  A bare 7–8 digit local
            number is a phone only right after a phone word (电话 手机 座机 固话 号码 联系 致电
            回电 拨打 打给 打 拨 tel phone call, 号/号码, then ： = 是 为) or joined by 或 、 , ; /
            to a phone just found.
id_number   17 digits and a digit or X whose 7th–14th are a birth date 1900–2099.
bank_card   16–19 digits in one group, in groups of four (the last may be shorter), one digit
            at a time, or as its first six and the rest when it starts 3–6 and the Luhn check holds.

Words between the groups (138 转 1234 再 5678, 138 then 1234 then 5678): up to six characters
that are not a separator may stand between the groups of a mobile written 3-4-4, 3-8 or 7-4,
of an ID number written 6-8-4 (or whose check digit holds), and of a bank card written in
fours whose Luhn check holds.

Not a number (what ordinary counselling text is full of):
- dates (2026年11月23日, 11月23日; 2026-11-23, 2026/11/23, 2026.11.23 standing alone, set
  apart by ，、；：“（ and the like, or next to other dates), times (15:30,
  9:00-17:00), court case numbers (（2023）京0105民初12345号), law articles (第23条),
  percentages, money (3000元, ¥1,200, 1.5万元) and IP addresses are read as a whole and never
  joined to another group;
- a chain right after 第 ¥ $ € £ is an ordinal or an amount; a chain of several groups
  followed by a unit or measure word (元 人 次 岁 天 条 kg …) is a list of amounts, and a
  single group followed by 元 块 万 亿 % ‰ is one;
- service numbers (12355, 12338, 110, 120, 12345, 95588) match none of the shapes; a 400/800
  number is read as a whole like a date.

E-mail   a name of ASCII letters, digits and . _ % + -; then @ (＠ ﹫), (at) [at] {at} <at>,
         艾特 or a bare word at (then the top-level domain must be a common one); then a domain
         whose dots may be written . 。 点 (dot) [dot] or dot: zhang at qq dot com, zhang(at)qq.com,
         zhang艾特qq点com.
Account  the id after 微信 威信 薇信 徽信 维信 V信 加V wechat weixin vx wx qq 扣扣 企鹅, whose
         letters may be broken by up to three spaces or marks (微 信, Q Q, V.X, w x), optionally
         followed by 号 号码 账号 帐号 id, then ： = 是 为 and spaces: 5 or more letters, digits,
         _ and - (not a date), or 5–12 digits in joined groups (QQ 1234 5678).  The finding is
         the id alone, so `redact` keeps the word: 微信〔已隐去〕.  A default WeChat id (wxid_…)
         is an account wherever it stands.

Where findings overlap the longest wins (an ID number over the mobile-looking digits in it,
an e-mail over the QQ number in it); of equal spans the first kind in `KINDS` order wins
(微信 13812345678 is a mobile).

Not found (a volunteer's care, not this module's): numbers spelt out in words or as counts,
names, addresses, an id before its word (abc123是他的微信), an e-mail name in Chinese.

Pure: `re`, `unicodedata` and `dataclasses` only; the patterns are compiled on first use.
"""
from __future__ import annotations

import re
import unicodedata
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


# ---------------------------------------------------------------- width (kept for callers)

_WIDTH = {0xFF01 + i: 0x21 + i for i in range(0x5E)} | {0x3000: 0x20}


def normalise_width(text: str) -> str:
    """Full-width ASCII variants (U+FF01–U+FF5E: ０-９, Ａ-ｚ, ＠, －, ：, （ …) as ASCII and the
    ideographic space U+3000 as a space; every other character kept.  Same length as `text`,
    so a position in one is the same position in the other.

    The range holds the Chinese punctuation typed full-width too (，：；！？（）), so this is
    for contact data (numbers, ids, addresses), not for prose: "你好，" becomes "你好,".
    """
    return text.translate(_WIDTH)


# ---------------------------------------------------------------- the view

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\u2043\u30fc\uff70"
_DOTS = "\u00b7\u30fb\uff65\u2022\u2219"
_INVISIBLE = "\u115f\u1160\u3164\uffa0\u17b4\u17b5"          # fillers that are letters by category
_LOOK_LATIN = dict(zip("АВЕКМНОРСТХаеорсхуіјѕԁӏІЈЅΑΒΕΖΗΙΚΜΝΟΡΤΥΧοιν",
                       "ABEKMHOPCTXaeopcxyijsdlIJSABEZHIKMNOPTYXoiv"))
_CJK_DIGIT = dict(zip("〇零一二三四五六七八九幺壹贰貳叁參肆伍陆陸柒捌玖", "001234567891122334566789"))
_CJK_COUNT = "十百千万亿拾佰仟萬億两兩廿卅"
_fold_cache: dict[str, str] = {}


def _fold_char(ch: str) -> str:
    """What one character is in the view: "" (invisible), a space, a line break, or its
    normalised form with every digit as an ASCII digit."""
    got = _fold_cache.get(ch)
    if got is not None:
        return got
    cat = unicodedata.category(ch)
    if ch in "\n\r\u2028\u2029\x85\x0b\x0c":
        out = "\n"
    elif ch == "\t" or cat == "Zs" or ch == "\u2800":
        out = " "
    elif cat in ("Cf", "Mn", "Me", "Cc", "Cs", "Co", "Cn") or ch in _INVISIBLE:
        out = ""
    elif ch in _DASHES:
        out = "-"
    elif ch in _DOTS:
        out = "."
    elif ch in _LOOK_LATIN:
        out = _LOOK_LATIN[ch]
    elif ch == "\uff0c":  # the Chinese comma stays one: never a thousands separator (1,200)
        out = ch
    else:
        parts = []
        for c in unicodedata.normalize("NFKC", ch):
            if c in _LOOK_LATIN:
                parts.append(_LOOK_LATIN[c])
                continue
            if c in _DASHES:
                parts.append("-")
                continue
            d = unicodedata.decimal(c, None)
            if d is None:
                d = unicodedata.digit(c, None)
            if d is not None and not c.isascii():
                c = str(d) if d < 10 else c
            if unicodedata.category(c) in ("Cf", "Mn", "Me") or c in _INVISIBLE:
                continue
            parts.append(c)
        out = "".join(parts)
    if len(_fold_cache) < 100_000:
        _fold_cache[ch] = out
    return out


class _Table(dict):
    """str.translate's table: each character's view, computed once (`_fold_char`); `odd`
    collects the characters whose view is not one character (dropped or expanded)."""

    odd: set[str] = set()

    def __missing__(self, code: int) -> str:
        out = _fold_char(chr(code))
        if len(out) != 1:
            self.odd.add(chr(code))
        if len(self) < 100_000:
            self[code] = out
        return out


_TABLE = _Table()
_CJK_SET = frozenset(_CJK_DIGIT)


class _View:
    """The text as the patterns see it.  `text`: normalised (digits ASCII, invisibles gone);
    `digits`: the same length, with look-alike letters as digits and ordinary numbers (dates,
    times, money …) blotted out, or "" when the text has no digit; `src[i]`: the original
    position of view character i (None: the same position)."""

    __slots__ = ("original", "text", "digits", "src", "ascii")

    def __init__(self, original: str):
        self.original = original
        text = original.translate(_TABLE)
        self.src: list[int] | None = None
        if len(text) != len(original) or not _TABLE.odd.isdisjoint(original):
            chars: list[str] = []
            src: list[int] = []
            for i, ch in enumerate(original):
                out = _fold_char(ch)
                chars.append(out)
                src.extend([i] * len(out))
            text, self.src = "".join(chars), src
        if not _CJK_SET.isdisjoint(text):
            text = _P().cjk_run.sub(_cjk_digits, text)
        self.text = text
        self.ascii = _ALNUM.search(text) is not None
        self.digits = _digit_view(text) if _DIGIT.search(text) else ""

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original (start, end) of view characters start..end-1."""
        if self.src is None:
            return start, end
        return self.src[start], self.src[end - 1] + 1


_DIGIT = re.compile("[0-9]")
_ALNUM = re.compile("[A-Za-z0-9]")


def _cjk_digits(m: re.Match[str]) -> str:
    run = m.group(0)
    if any(c in _CJK_COUNT for c in run):
        return run
    return "".join(_CJK_DIGIT.get(c, c) for c in run)


def _digit_near(text: str, i: int, step: int) -> bool:
    """A digit at i, or past at most three separator marks from i in the direction `step`."""
    for _ in range(4):
        if not 0 <= i < len(text):
            return False
        c = text[i]
        if "0" <= c <= "9":
            return True
        if c.isalnum() or c in _SEP_PUNCT:
            return False
        i += step
    return False


def _digit_view(text: str) -> str:
    p = _P()
    out = list(text)
    runs = [m.span() for m in p.lookalike.finditer(text)] if any(c in text for c in "lIOo") else []
    while runs:  # l I O o standing for digits; one run may make the next one's neighbour a digit (0 O O)
        cur, left = "".join(out), []
        for a, b in runs:
            near = (a > 0 and cur[a - 1].isdigit()) or (b < len(cur) and cur[b].isdigit())
            if not near and b - a <= 4:  # letters set apart by separators from digits: 1 - l - 3, 7 O
                near = _digit_near(cur, a - 1, -1) or _digit_near(cur, b, 1)
            if near:
                out[a:b] = ["1" if text[i] in "lI" else "0" for i in range(a, b)]
            else:
                left.append((a, b))
        if len(left) == len(runs):
            break
        runs = left
    view = "".join(out)
    blotted = list(view)
    for pattern, hint in p.ordinary:
        if not any(h in view for h in hint):
            continue
        for m in pattern.finditer(view):
            blotted[m.start():m.end()] = "\x00" * (m.end() - m.start())
    view = "".join(blotted)
    dates = [m.span() for m in p.date.finditer(view)]
    starts, ends = {a for a, _ in dates}, {b for _, b in dates}
    for a, b in dates:  # a date or case id alone (or set apart by ，、；“ …), or next to dates only
        left, right = _joined_digit(view, a - 1, -1), _joined_digit(view, b, 1)
        if right is not None and right not in starts and _quantity_at(view, right):
            right = None  # 2026-11-20，3个工作日: the count is not part of a number
        if view[a:b].isdigit() and left is None and right is None:
            continue  # 19900101 alone is harmless, and may be the middle of an ID number with words around
        if left in (None, *ends) and right in (None, *starts):
            blotted[a:b] = "\x00" * (b - a)
    return "".join(blotted)


def _quantity_at(text: str, i: int) -> bool:
    """The digits starting at i are followed by a unit or measure word (3个, 150元, 5 次)."""
    while i < len(text) and "0" <= text[i] <= "9":
        i += 1
    rest = _DECIMALS.sub("", text[i:i + 16], count=1).lstrip(" ")
    return bool(rest) and (rest[0] in _UNITS or rest[0] in _COUNT_WORDS)


def _joined_digit(text: str, i: int, step: int) -> int | None:
    """Where the digit group that a separator joins to position i (going `step`) ends (going
    left) or starts (going right); None when none is joined there."""
    for _ in range(9):
        if not 0 <= i < len(text):
            return None
        c = text[i]
        if "0" <= c <= "9":
            return i + 1 if step < 0 else i
        if not (c.isspace() or _is_mark(c)) or c in _ITEM_MARKS:
            return None
        i += step
    return None


_ITEM_MARKS = frozenset("，,、；;：:“”\"‘’'（）()《》【】「」。！？!?")  # between a date and a number: two items


# ---------------------------------------------------------------- patterns

_SEP_PUNCT = frozenset("%‰¥$€£@&\x00")   # marks that never join two groups
_UNITS_ONE = "元块万亿%‰"                  # after a single group: an amount
_UNITS = "元块角毛万亿岁次个条款项页章节倍斤%‰"  # after a chain of groups: a list of amounts or counts
_ASCII_UNIT = re.compile(r"(?i)(?:kg|cm|km|mm|ml|g|m|h|min|s|yuan|rmb|pcs)(?![A-Za-z])")
_COUNT_WORDS = "天周年月日时点分秒位名户件份张辆级楼层室栋届"  # after a number next to a date: a count
_DECIMALS = re.compile(r"^[.,][0-9]+")     # 150 3000 2000.50元: the amount's decimals
_BEFORE = "第¥$€£"                         # before a chain: an ordinal or an amount

_PHONE_WORDS = ("电话", "手机", "座机", "固话", "号码", "联系", "致电", "回电", "拨打", "打给", "打", "拨")
_ACCOUNT_WORDS = ("微信", "威信", "薇信", "徽信", "维信", "危信", "卫信", "扣扣", "抠抠", "企鹅")
_ASCII_ACCOUNT = ("wechat", "weixin", "vx", "wx", "qq")
_TLDS = ("com|net|org|cn|edu|gov|info|biz|io|me|co|cc|tv|hk|tw|mo|uk|us|jp|kr|sg|de|fr|au|ca|top|xyz|vip|"
         "club|site|online|email|mail")

_MAIL_HOSTS = ("qq|163|126|139|189|yeah|foxmail|sina|sohu|aliyun|gmail|googlemail|outlook|hotmail|live|msn|yahoo|"
               "icloud|me|proton|protonmail|tom|21cn|263")  # after a bare word "at", a dot spelt out needs one

_B = r"[^\w\n]{0,3}"   # what may break an account word: up to three spaces or marks (微 信, Q.Q)


def _broken(word: str) -> str:
    return _B.join(re.escape(c) for c in word)


class _Patterns:
    def __init__(self) -> None:
        c = re.compile
        self.cjk_run = c(f"[{''.join(_CJK_DIGIT)}{_CJK_COUNT}]+")
        self.lookalike = c(r"(?<![A-Za-z])[lIOo]+(?![A-Za-z])")
        year, month, day = r"(?:19|20)[0-9]{2}", r"(?:0?[1-9]|1[0-2])", r"(?:0?[1-9]|[12][0-9]|3[01])"
        self.date = c(rf"(?<![0-9])(?:{year}([-./]){month}\1{day}|{year}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
                      r"|(?<![A-Za-z])[2-9][0-9](?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])-[0-9]{2,5}"
                      r"|[48]00[- ]?[0-9]{3}[- ]?[0-9]{4})"
                      r"(?![0-9A-Za-z])")  # a case id in digits only (261120-12345, 261120-12), a 400/800 number
        self.ordinary = [(c(p), hint) for p, hint in zip((
            rf"(?<![0-9]){year} ?年 ?(?:{month} ?月(?: ?{day} ?[日号])?)?",                        # 2026年11月23日
            rf"(?<![0-9]){month} ?月 ?{day} ?[日号]?",                                              # 11月23日
            r"(?<![0-9])(?:[01]?[0-9]|2[0-3]) ?: ?[0-5][0-9](?: ?: ?[0-5][0-9])?(?![0-9])",          # 15:30
            r"(?<![0-9])(?:[01]?[0-9]|2[0-3]) ?[点时](?: ?[0-5]?[0-9] ?分)?",                       # 3点30分
            rf"[(\[【] ?{year} ?[)\]】] ?[^\W\d_]{{1,6}} ?[0-9]{{0,6}} ?[^\W\d_]{{1,6}} ?[0-9]+ ?号",  # （2023）京0105民初12345号
            r"第 ?[0-9]+ ?[条款项章节编]",                                                         # 第23条
            r"(?<![0-9.,])[0-9]+(?:\.[0-9]+)? ?[%‰]",                                              # 35%
            r"[¥$€£] ?(?:[0-9]{1,3}(?:,[0-9]{3}(?![0-9]))+|[0-9]+)(?:\.[0-9]+)?",                           # ¥1,200
            r"(?<![0-9.,])(?:[0-9]{1,3}(?:,[0-9]{3}(?![0-9]))+|[0-9]+)(?:\.[0-9]+)? ?(?:万元|万|亿|元|块)",    # 3000元
            r"(?i)(?<![A-Za-z])v[0-9]+(?:\.[0-9]+)+",                                             # v1.13.2
            r"(?<![0-9A-Za-z])[2-9][0-9](?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])-(?=[0-9]{0,4}[A-Z])"
            r"[0-9A-HJKMNP-TV-Z]{2,5}(?![0-9A-Za-z])",                                            # 261120-D5WRT
        ), ("年", "月", ":", "点时", "号", "第", "%‰", "¥$€£", "元块万亿", "vV", "-"))]
        said = r" *(?:[:=]|是|为)? *"
        phone = "|".join(_broken(w) for w in _PHONE_WORDS)
        self.phone_word = c(rf"(?:{phone}|(?<![A-Za-z])(?i:tel|phone|call))(?:号码|号)?{said}")
        self.more = c(r" *(?:或者?|/|、|,|，|;) *")
        words = "|".join(_broken(w) for w in _ACCOUNT_WORDS)
        vee = rf"[Vv]{_B}信|加{_B}[Vv](?![A-Za-z])"
        ascii_words = "|".join(_broken(w) for w in _ASCII_ACCOUNT)
        account_word = (rf"(?:{words}|{vee}|(?<![A-Za-z0-9_])(?i:{ascii_words})(?:{_B}(?i:id))?(?![A-Za-z]))"
                        rf"(?:{_B}(?:号码|号|账号|帐号|(?i:id)))?{said}")
        account_id = r"[A-Za-z0-9][A-Za-z0-9_-]{3,}[A-Za-z0-9_]"
        self.account_word = c(account_word)
        # the word and its id as one pattern: when the longest reading of the word leaves too little
        # for an id, a shorter one is tried (微信 id000: the id is id000, not 000 after the word id)
        self.account = c(rf"{account_word}({account_id})")
        self.wxid = c(r"(?<![A-Za-z0-9_])wxid_[A-Za-z0-9_-]+")
        self.date_like = c(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")
        name = r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9_][A-Za-z0-9._%+-]*"
        label = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
        bracket = r"[(\[{<] ?(?i:WORD) ?[)\]}>]"
        at = rf"(?: *(?:@|{bracket.replace('WORD', 'at|@')}|艾特|爱特) *)"
        dot = rf"(?: *(?:[.。]|{bracket.replace('WORD', 'dot|点|[.]')}|点) *)"
        self.email = c(rf"{name}{at}{label}(?:{dot}{label})*{dot}[A-Za-z]{{2,}}(?![A-Za-z0-9-])")
        bare_dot = rf"(?: *(?:[.。]|{bracket.replace('WORD', 'dot|点|[.]')}|点) *| +(?i:dot) +)"
        self.email_words = c(rf"{name} +(?i:at) +(?:(?i:{_MAIL_HOSTS}){bare_dot}|{label} *\. *)"
                             rf"(?:{label}{bare_dot})*(?i:{_TLDS})(?![A-Za-z0-9-])")
        self.mobile = c(r"(?:0086|86|0)?1[3-9][0-9]{9}")
        self.landline = c(r"(?:(?:0086|86)0?|0)(?:10|2[0-9]|[3-9][0-9]{2})[1-9][0-9]{6,7}")
        self.local = c(r"[1-9][0-9]{6,7}")
        self.id_x = c(r"[^\w\n]{0,3}[Xx](?![A-Za-z0-9])")  # the check character X, maybe set apart
        self.ip = c(r"(?:(?:25[0-5]|2[0-4][0-9]|1?[0-9]{1,2})\.){3}(?:25[0-5]|2[0-4][0-9]|1?[0-9]{1,2})")


_compiled: list[_Patterns] = []
_plain_re: list[re.Pattern[str]] = []


def _plain() -> re.Pattern[str]:
    """Text made only of Chinese characters (not the numerals), spaces and punctuation (not @):
    nothing in it can become an ASCII letter or digit, so it holds no finding.  Most summaries
    and notes are such text; this spares them the view."""
    if not _plain_re:
        singles = sorted(ord(ch) for ch in (*_CJK_DIGIT, *_CJK_COUNT, "〇", "@") if 0x4E00 <= ord(ch) <= 0x9FFF)
        ranges, lo = [], 0x4E00
        for code in singles:
            if code > lo:
                ranges.append((lo, code - 1))
            lo = code + 1
        ranges.append((lo, 0x9FFF))
        cjk = "".join(f"{chr(a)}-{chr(b)}" if b > a else chr(a) for a, b in ranges)
        punct = re.escape("".join(chr(c) for c in range(0x21, 0x7F) if not chr(c).isalnum() and chr(c) != "@"))
        _plain_re.append(re.compile(
            f"[{cjk}{punct} \n\t\u00a0\u00b7\u2000-\u206f\u3000-\u3006\u3008-\u3020\u3030-\u3037"
            f"\uff01-\uff0f\uff1a-\uff1f\uff3b-\uff40\uff5b-\uff65\ufe30-\ufe4f]*"))
    return _plain_re[0]


def _P() -> _Patterns:
    if not _compiled:
        _compiled.append(_Patterns())
    return _compiled[0]


# ---------------------------------------------------------------- numbers

def _groups(digits: str) -> list[tuple[int, int]]:
    out, i, n = [], 0, len(digits)
    while i < n:
        if "0" <= digits[i] <= "9":
            j = i + 1
            while j < n and "0" <= digits[j] <= "9":
                j += 1
            out.append((i, j))
            i = j
        else:
            i += 1
    return out


def _gap(gap: str) -> str | None:
    """'sep' when `gap` joins two groups as a separator, 'words' when only words may stand
    there (a mobile in 3-4-4 …), None when it parts them."""
    if "\x00" in gap or len(gap) > 16:
        return None
    marks = [c for c in gap if not c.isspace()]
    if not marks:
        return "sep"
    if len(gap) <= 8 and len(marks) <= 3 and all(_is_mark(c) for c in marks):
        return "sep"
    if len(marks) > 6 or any(c in _SEP_PUNCT for c in marks) or "\n\n" in gap:
        return None
    if marks[0] in _UNITS or marks[-1] in _BEFORE or _ASCII_UNIT.match(gap.lstrip()):
        return None
    return "words"


def _is_mark(c: str) -> bool:
    cat = unicodedata.category(c)
    return c not in _SEP_PUNCT and cat != "Sc" and cat[0] in "PS"


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _id_check(chars: str) -> bool:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(chars[:17], weights))
    return "10X98765432"[total % 11] == chars[17].upper()


def _birth_date_ok(chars: str) -> bool:
    year, month, day = int(chars[6:10]), int(chars[10:12]), int(chars[12:14])
    return 1900 <= year <= 2099 and 1 <= month <= 12 and 1 <= day <= 31


def _number_kinds(digits: str, sizes: list[int], words: bool, x_end: bool) -> list[str]:
    """The kinds a chain of groups (`sizes` digits each, `digits` together) can be; `words`:
    some groups are parted by words; `x_end`: an X follows the last group."""
    p = _P()
    kinds = []
    if x_end:
        chars = digits + "X"
        if len(chars) == 18 and digits[0] != "0" and _birth_date_ok(chars) and (
                not words or sizes[:2] == [6, 8] or _id_check(chars)):
            kinds.append("id_number")
        return kinds
    if not words:
        if p.mobile.fullmatch(digits):
            kinds.append("mobile")
        if p.landline.fullmatch(digits):
            kinds.append("landline")
    elif tuple(sizes) in ((3, 4, 4), (3, 8), (7, 4)) and p.mobile.fullmatch(digits):
        kinds.append("mobile")
    if len(digits) == 18 and digits[0] != "0" and _birth_date_ok(digits) and (
            not words or sizes == [6, 8, 4] or _id_check(digits)):
        kinds.append("id_number")
    if 16 <= len(digits) <= 19:
        fours = all(s == 4 for s in sizes[:-1]) and 1 <= sizes[-1] <= 4
        if words:
            ok = fours and len(sizes) > 1 and _luhn(digits)
        else:
            ok = (len(sizes) == 1 or fours or all(s == 1 for s in sizes)
                  or (len(sizes) == 2 and sizes[0] == 6 and digits[0] in "3456" and _luhn(digits)))
        if ok:
            kinds.append("bank_card")
    return kinds


def _chains(view: _View):
    """Every chain of joined groups: (first group, last group, digits, sizes, words?).  A chain
    that goes over a line break has the same separator between all its groups (138⏎1234⏎5678,
    1⏎3⏎8…): numbers listed on two lines are not one number."""
    d, t = view.digits, view.text
    groups = _groups(d)
    raw = [d[groups[k][1]:groups[k + 1][0]] for k in range(len(groups) - 1)]
    gaps = [_gap(g) for g in raw]
    for a in range(len(groups)):
        if _mark_before(t, groups[a][0]):
            continue
        digits, sizes, words, lines = "", [], False, False
        for b in range(a, len(groups)):
            if b > a:
                gap = raw[b - 1]
                if gaps[b - 1] is None:
                    break
                words = words or gaps[b - 1] == "words"
                lines = lines or "\n" in gap
                if lines and any(g != gap for g in raw[a:b]):
                    break
            g = d[groups[b][0]:groups[b][1]]
            digits += g
            sizes.append(len(g))
            if len(digits) > 22:
                break
            yield a, b, groups, digits, sizes, words


def _mark_before(t: str, i: int) -> bool:
    """第 ¥ $ € £ just before position i (spaces between allowed)."""
    i -= 1
    while i >= 0 and t[i] == " ":
        i -= 1
    return i >= 0 and t[i] in _BEFORE


def _after_unit(text: str, end: int, single: bool) -> bool:
    rest = _DECIMALS.sub("", text[end:end + 16], count=1).lstrip(" ")
    if not rest:
        return False
    if single:
        return rest[0] in _UNITS_ONE
    return rest[0] in _UNITS or _ASCII_UNIT.match(rest) is not None


def _numbers(view: _View) -> list[tuple[int, int, str]]:
    """(start, end, kind) in the view of the phone, ID and card numbers."""
    p, d, t = _P(), view.digits, view.text
    out: list[tuple[int, int, str]] = []
    starts = {m.end() for m in _overlapping(p.phone_word, t)}
    accounts = {m.end() for m in _overlapping(p.account_word, t)}
    locals_: dict[int, int] = {}   # start -> end of a 7-8 digit chain without words
    for a, b, groups, digits, sizes, words in _chains(view):
        start, end = groups[a][0], groups[b][1]
        if b - a == 3 and p.ip.fullmatch(d, start, end):  # 192.168.10.123 is an address, not a mobile
            continue
        if len(digits) == 17 and (x := p.id_x.match(t, end)) is not None:
            out += [(start, x.end(), kind) for kind in _number_kinds(digits, sizes, words, True)]
        kinds = _number_kinds(digits, sizes, words, False)
        if kinds and _after_unit(t, end, a == b):
            kinds = [k for k in kinds if k == "id_number"]
        for kind in kinds:
            out.append((_opening(t, start, end, digits) if kind in ("mobile", "landline") else start, end, kind))
        if (not words and 7 <= len(digits) <= 8 and p.local.fullmatch(digits) and not _after_unit(t, end, a == b)
                and not p.date.fullmatch(digits)):  # 回电 19900101: a date
            locals_[start] = end
        if not words and 5 <= len(digits) <= 12 and start in accounts and digits != "0" * len(digits):
            out.append((start, end, "account"))
    for start, end in locals_.items():
        if start in starts:
            out.append((start, end, "landline"))
    for start, end, kind in list(out):  # numbers joined to a phone: 13812345678或22334455
        while kind in ("mobile", "landline") and (m := p.more.match(t, end)) is not None and m.end() in locals_:
            start, end = m.end(), locals_[m.end()]
            out.append((start, end, "landline"))
    return out


def _overlapping(pattern: re.Pattern[str], text: str) -> list[re.Match[str]]:
    """Every match, one per start position (加 V X：… holds 加 V and V X)."""
    out, pos = [], 0
    while (m := pattern.search(text, pos)) is not None:
        out.append(m)
        pos = m.start() + 1
    return out


def _opening(t: str, start: int, end: int, digits: str) -> int:
    """The start of a phone number with the + and the bracket of its country or area code."""
    if digits.startswith(("86", "0086")) and t[start - 1:start] == "+":
        start -= 1
    if t[start - 1:start] == "(" and ")" in t[start:end]:
        start -= 1
    return start


# ---------------------------------------------------------------- words

def _texts(view: _View) -> list[tuple[int, int, str]]:
    """(start, end, kind) in the view of the e-mail addresses and QQ/WeChat ids."""
    p, t = _P(), view.text
    out: list[tuple[int, int, str]] = []
    for pattern in (p.email, p.email_words):
        pos = 0
        while (m := pattern.search(t, pos)) is not None:
            out.append((m.start(), m.end(), "email"))
            pos = m.start() + 1
    for m in _overlapping(p.account, t):
        if not p.date_like.fullmatch(m.group(1)):
            out.append((m.start(1), m.end(1), "account"))
    out += [(m.start(), m.end(), "account") for m in p.wxid.finditer(t)]
    return out


# ---------------------------------------------------------------- finding

def find(text: str) -> list[Finding]:
    """The personal data in `text` (rules in the module docstring), sorted by position and
    never overlapping; positions and `.text` are in `text` as given (full-width, zero-width
    characters and all)."""
    if not text or _plain().fullmatch(text):
        return []
    view = _View(text)
    if not view.text:
        return []
    if not view.ascii:  # every number, address and id holds an ASCII letter or digit in the view
        return []
    found = (_numbers(view) if view.digits else []) + _texts(view)
    spans = {(*view.span(s, e), kind) for s, e, kind in found if e > s}
    chosen: list[tuple[int, int, str]] = []
    for start, end, kind in sorted(spans, key=lambda c: (c[0] - c[1], _RANK[c[2]], c[0])):
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


def mask(text: str) -> str:
    """A finding shown without giving it away, for messages: its letters and digits starred
    but the first two and last two (the first one only when it has fewer than 8), other marks
    kept, invisible characters left out: 138 1234 5678 → 13* **** **78."""
    view = re.sub(r"\s+", " ", "".join(_fold_char(c) for c in text))
    alnum = [i for i, c in enumerate(view) if c.isalnum()]
    keep = set(alnum[:2] + alnum[-2:]) if len(alnum) >= 8 else set(alnum[:1])
    return "".join(c if (i in keep or not c.isalnum()) else "*" for i, c in enumerate(view))
