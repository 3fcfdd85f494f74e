"""What may be published about a caller: summaries with identifying details blanked, and
regions kept coarse.  Used by the monthly bulletin's typical cases."""
from __future__ import annotations

import re

_DIGITS = re.compile(r"(?:\+?\d[\d\s\-]{5,}\d)")
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_WECHAT = re.compile(r"(?i)(微信号?|wechat|wx|qq)\s*[:：]?\s*[A-Za-z0-9_\-]{5,}")
REDACTED = "〔已隐去〕"


def scrub(text: str) -> str:
    """Blank what looks like a phone number, an e-mail address or an account id.

    The summary should never hold them (intake asks for none), but a typical case
    is published: a slip must not leak.  Names cannot be recognised; they stay
    the volunteer's responsibility.
    """
    text = _EMAIL.sub(REDACTED, text)
    text = _WECHAT.sub(lambda m: m.group(1) + REDACTED, text)
    return _DIGITS.sub(lambda m: REDACTED if sum(ch.isdigit() for ch in m.group(0)) >= 7 else m.group(0), text)


_REGION_SPLIT = re.compile(r"[\s,，、/·\-;；|]+")


def coarse_region(region: str) -> str:
    """A region kept coarse (city level at most), for counting and for publication.

    Free text is normalised so spellings of one place count together and no
    district, town or street is shown: "广东省东莞市长安镇" → "东莞"; "东莞市" → "东莞";
    "东莞 长安" → "东莞"; "广东省" → "广东"; "北京市朝阳区" → "北京".
    """
    text = (region or "").strip()
    if not text:
        return ""
    first = _REGION_SPLIT.split(text)[0]
    for mark in ("特别行政区", "自治区", "省"):
        i = first.find(mark)
        if i > 0:
            rest = first[i + len(mark):]
            first = rest if rest else first[:i]
            break
    j = first.find("市")
    if j > 0:
        return first[:j][:8]
    m = re.search(r"[县区镇乡]", first[1:])  # no city named: keep a county/town, never a village or street
    if m:
        return first[: m.end() + 1][:8]
    return first[:8]
