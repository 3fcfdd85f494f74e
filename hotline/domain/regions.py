"""Where a case's caller is, against the line's home (rules.yaml `home_region:`): local (本地), elsewhere
in the province (省内外地), another province (跨省), or unknown — from the free-text region and a table
of provinces and their prefecture-level cities (`defaults/places.yaml`, read by storage).

Pure: the table is handed in as parsed data.  A region is placed by what it begins with
("广东省东莞市长安镇", "东莞市", "东莞 长安", "广东东莞" all are 广东/东莞); text that begins
with no known place ("长安镇", "在外地打工") is unknown, and `check --regions` lists it.
A region naming only the home province ("广东") counts as in the province, not local: the
city is not known.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from ..errors import DataError
from ..i18n import _

KINDS = ("local", "province", "other_province", "unknown")
MUNICIPALITIES = ("北京", "天津", "上海", "重庆")
# what may follow a province's short name in its full name
PROVINCE_SUFFIX = re.compile(r"^(?:省|市|特别行政区|壮族自治区|回族自治区|维吾尔自治区|自治区)")
# what may follow a city's short name in its full name (东莞市, 阿里地区, 兴安盟, 延边朝鲜族自治州, 海南州)
CITY_SUFFIX = re.compile(r"^(?:市|地区|盟|林区|州|[\u4e00-\u9fff]{1,9}?自治州)")
_SPACE = re.compile(r"[\s,，、/·\-;；|：:]+")


@dataclass(frozen=True)
class Place:
    province: str
    city: str | None = None   # None: only the province is known (a municipality is its own city)


@dataclass
class Places:
    """The table: province short name → its cities' short names; `extra`: the line's own names
    (rules.yaml `home_region: places:`), text → a city or province of the table."""

    provinces: dict[str, list[str]]
    extra: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.city_of: dict[str, str] = {}
        for p, cities in self.provinces.items():
            for c in cities:
                self.city_of.setdefault(c, p)
            if p in MUNICIPALITIES:
                self.city_of.setdefault(p, p)
        self._cities = sorted(self.city_of, key=len, reverse=True)
        self._provinces = sorted(self.provinces, key=len, reverse=True)
        self._extra = sorted(self.extra, key=len, reverse=True)

    def find(self, name: str) -> Place | None:
        """A table name as a place: a city (东莞) or a province (广东), full names too (东莞市)."""
        return place(name, self, use_extra=False)


def table_from_data(data: Any) -> Places:
    """The packaged table's parsed YAML: {province: [city, ...]}."""
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, list) and
                                             all(isinstance(c, str) for c in v) for k, v in data.items()):
        raise DataError(_("the place table must map each province to a list of its cities"), [])
    return Places({k: list(v) for k, v in data.items()})


def _clean(text: str) -> str:
    t = unicodedata.normalize("NFKC", text or "").strip()
    t = _SPACE.sub("", t)
    for lead in ("中华人民共和国", "中国"):
        if t.startswith(lead) and len(t) > len(lead):
            t = t[len(lead):]
    return t


def place(text: str, places: Places, use_extra: bool = True) -> Place | None:
    """Where `text` is, or None when it begins with no place the table (or the line's own names) knows."""
    t = _clean(text)
    if not t:
        return None
    if use_extra:
        for name in places._extra:
            if t.startswith(name):
                return place(places.extra[name], places, use_extra=False)
    # a city written with its suffix wins (吉林市 is the city, 海南州 is in 青海)
    for c in places._cities:
        if t.startswith(c) and CITY_SUFFIX.match(t[len(c):]):
            return Place(places.city_of[c], c)
    for p in places._provinces:
        if t.startswith(p):
            rest = t[len(p):]
            m = PROVINCE_SUFFIX.match(rest)
            rest = rest[m.end():] if m else rest
            if p in MUNICIPALITIES:
                return Place(p, p)
            city = next((c for c in sorted(places.provinces[p], key=len, reverse=True) if rest.startswith(c)), None)
            return Place(p, city)
    for c in places._cities:
        if t.startswith(c):
            return Place(places.city_of[c], c)
    return None


def kind(text: str, home: Place | None, places: Places) -> str:
    """local, province (elsewhere in the home province, or the province alone), other_province, or unknown
    (a region that cannot be placed, or no home_region in rules.yaml)."""
    if home is None:
        return "unknown"
    p = place(text, places)
    if p is None:
        return "unknown"
    if p.province != home.province:
        return "other_province"
    if home.province in MUNICIPALITIES or (p.city is not None and p.city == home.city):
        return "local"
    return "province"


def home_of(raw: dict | None, places: Places) -> tuple[Place | None, list[tuple[list, str]]]:
    """rules.yaml's `home_region: {city, province}` as a Place, and what is wrong with it ((key path, message))."""
    if not raw:
        return None, []
    problems: list[tuple[list, str]] = []
    prov = places.find(str(raw.get("province") or ""))
    if prov is None:
        problems.append((["home_region", "province"], _("home_region.province '{value}' is not a province; use e.g. 广东")
                         .format(value=raw.get("province"))))
        return None, problems
    city_text = str(raw.get("city") or "")
    if prov.province in MUNICIPALITIES and not city_text:
        return Place(prov.province, prov.province), problems
    city = places.find(city_text)
    if city is None or city.city is None or city.province != prov.province:
        known = "、".join(places.provinces[prov.province]) or prov.province
        problems.append((["home_region", "city"], _("home_region.city '{value}' is not a city of {province}; its cities: "
                                                    "{known}").format(value=city_text, province=prov.province,
                                                                      known=known)))
        return None, problems
    for name, target in places.extra.items():
        if places.find(target) is None:
            problems.append((["home_region", "places", name], _("home_region.places: '{target}' is not a city or "
                                                                "province of the place table").format(target=target)))
    return Place(prov.province, city.city), problems


def with_extra(places: Places, raw: dict | None) -> Places:
    """The table with the line's own names (home_region: places:)."""
    extra = (raw or {}).get("places") or {}
    if not extra:
        return places
    return Places(places.provinces, {str(k): str(v) for k, v in extra.items()})
