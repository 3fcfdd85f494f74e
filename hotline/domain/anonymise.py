"""What may be published about a caller: summaries with identifying details blanked, and
regions kept coarse.  Used by the monthly bulletin's typical cases."""
from __future__ import annotations

import re

from .detect import MARK, redact


def scrub(text: str) -> str:
    """The summary with every piece of personal data `detect` finds replaced by 〔已隐去〕
    (an account keeps its word: 微信号：〔已隐去〕).

    The summary should never hold any, but a typical case is published: a slip must not
    leak.  `detect` is the one detector; its module docstring says what it finds.  Names cannot be recognised; they stay the
    volunteer's responsibility.
    """
    return redact(text, MARK)


_REGION_SPLIT = re.compile(r"[\s,，、/·\-;；|]+")


def coarse_region(region: str) -> str:
    """A region kept coarse (city level at most), for counting and for publication.

    Free text is normalised so spellings of one place count together and no
    district, town or street is shown: "广东省东莞市长安镇" → "东莞"; "东莞市" → "东莞";
    "东莞 长安" → "东莞"; "广东省" → "广东"; "北京市朝阳区" → "北京".  Personal data `detect`
    finds in it is left out first ("东莞 138 1234 5678" → "东莞"; a number alone → "").
    """
    text = redact(region or "", " ").strip()
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
