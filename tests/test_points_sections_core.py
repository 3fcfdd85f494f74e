"""The points arithmetic (domain/points.py) and the bulletin's sections (domain/bulletin/sections.py),
called directly with hand-built cases, entries and rosters: in-process and fast, so that mutmut
can judge each mutant of those two modules with them (issue #24; docs/architecture.md, "Mutation
testing").  Every expectation is worked out by hand from SPEC §4–§6 and the default rules.yaml:
start 100, resolved +2, late closure −5; close green same day, red/gray 3 working days, referred
7 working days; respond red 1 hour; refer gray 3 working days; follow_up 7 days; revisit red/gray
30 days; service hours 10:00–17:00 on working days.  November 2026 has no public holiday: Sun
11-01, Mon 11-02 … Mon 11-30."""
from __future__ import annotations

import dataclasses
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hotline.domain import points
from hotline.render.words import alert_text, score_warnings, score_words
from hotline.domain.bulletin import Month, sections
from hotline.domain.calendar import Calendar, CalendarError, parse_duration
from hotline.domain.model import Case, Event, Group, LedgerEntry, Partner, Person, Personal, Roster
from hotline.errors import BookError, UsageError
from hotline.storage import config

SH = ZoneInfo("Asia/Shanghai")
RULES = config.parse_rules(config.default_rules_text(), Path("rules.yaml"))
CAL = Calendar.from_rules(RULES)


def at(y, mo, d, h=10, mi=0, s=0):
    return datetime(y, mo, d, h, mi, s, tzinfo=SH)


def eod(y, mo, d):
    return at(y, mo, d, 23, 59, 59)


def roster() -> Roster:
    return Roster(
        groups=[Group("g1", "一组"), Group("g2", "二组")],
        people=[Person("wang", "王芳", "g1", ["director"]), Person("li", "李娜", "g1"),
                Person("zhao", "赵强", "g2", ["leader"]), Person("chen", "陈静", "g2"), Person("xu", "徐青")],
        partners=[Partner("legal-aid", "市法律援助中心", "external"), Partner("counselling", "心理咨询中心", "internal")])


def ev(kind: str, when: datetime, by: str = "wang", **kw) -> Event:
    return Event(kind, when, by, **kw)


def case(cid: str, grade: str, received: datetime, *events: Event, owner: str = "wang", by: str | None = None,
         **fields) -> Case:
    return Case(id=cid, received=received, channel=fields.pop("channel", "phone"), grade=grade, owner=owner,
                role=fields.pop("role", "survivor"), events=[ev("intake", received, by or owner), *events], **fields)


def entry(d: date, person: str, pts: int, source: str, item: str = "article_special") -> points.Entry:
    return points.Entry(d, person, item, pts, source)


class Rules:
    """A stand-in for rules.yaml's points section (the functions read `rules.points` only)."""

    path = Path("rules.yaml")

    def __init__(self, **pts):
        self.points = {"start": 100, "resolved_case": 2, "late_closure": -5, **pts}


# ================================================================ points: ranks and scores

def test_competition_ranks_of_any_order():
    assert points.rank([10, 8, 8, 5]) == [1, 2, 2, 4]
    assert points.rank([5, 10, 8, 8]) == [4, 1, 2, 2]
    assert points.rank([7, 7, 7]) == [1, 1, 1]
    assert points.rank([3]) == [1] and points.rank([]) == []


def _november_entries() -> list[points.Entry]:
    return [
        entry(date(2026, 11, 30), "li", 5, "ledger/2026-11.yaml:9"),      # the month's last day
        entry(date(2026, 11, 1), "zhao", -3, "ledger/2026-11.yaml:1"),    # its first day
        entry(date(2026, 10, 31), "wang", 10, "ledger/2026-10.yaml:1"),   # the day before: not counted
        entry(date(2026, 12, 1), "wang", 10, "ledger/2026-12.yaml:1"),    # the day after: not counted
        entry(date(2026, 11, 15), "chen", 2, "case 261115-AAAAA"),        # chen is inactive, but has an entry
        entry(date(2026, 11, 15), "ghost", -5, "case 261115-BBBBB"),      # not in the roster
        entry(date(2026, 11, 10), "li", 1, "ledger/2026-11.yaml:2"),
        entry(date(2026, 11, 10), "xu", 2, "ledger/2026-11.yaml:3"),
        entry(date(2026, 11, 2), "old", 3, "ledger/2026-11.yaml:4"),      # left the roster
        entry(date(2026, 11, 20), "ma", 1, "ledger/2026-11.yaml:5"),      # in a group the roster lost
    ]


def _scores_roster() -> Roster:
    r = roster()
    r.groups.append(Group("g3", "三组"))
    for p in r.people:
        if p.id == "chen":
            p.active = False
    r.people += [Person("ma", "马丽", "g9"), Person("sun", "孙静", "g2", active=False)]
    return r


def test_a_month_s_scores_by_hand():
    s = points.scores(_november_entries(), _scores_roster(), Rules(), date(2026, 11, 1), date(2026, 11, 30))
    assert (s.period, s.start, s.end, s.base) == ("2026-11", date(2026, 11, 1), date(2026, 11, 30), 100)
    # li 100+5+1, old 103, chen 102, xu 102, ma 101, wang 100, zhao 97, ghost 95; sun (inactive, nothing) left out
    assert [(p.id, p.name, p.group, p.score, p.rank, p.points, p.entries) for p in s.people] == [
        ("li", "李娜", "g1", 106, 1, 6, 2), ("old", "old", None, 103, 2, 3, 1), ("chen", "陈静", "g2", 102, 3, 2, 1),
        ("xu", "徐青", None, 102, 3, 2, 1), ("ma", "马丽", None, 101, 5, 1, 1), ("wang", "王芳", "g1", 100, 6, 0, 0),
        ("zhao", "赵强", "g2", 97, 7, -3, 1), ("ghost", "ghost", None, 95, 8, -5, 1)]
    # g1: wang 0 + li 6; g2: zhao −3 + chen 2 (an inactive member still counts for the group); g3: nobody
    assert [(g.id, g.name, g.score, g.rank, g.points, g.entries) for g in s.groups] == [
        ("g1", "一组", 106, 1, 6, 2), ("g3", "三组", 100, 2, 0, 0), ("g2", "二组", 99, 3, -1, 2)]
    assert [e.source for e in s.entries] == [
        "ledger/2026-11.yaml:1", "ledger/2026-11.yaml:4", "ledger/2026-11.yaml:2", "ledger/2026-11.yaml:3",
        "case 261115-AAAAA", "case 261115-BBBBB", "ledger/2026-11.yaml:5", "ledger/2026-11.yaml:9"]
    assert s.person("li").score == 106 and s.person("sun") is None
    assert s.group("g2").rank == 3 and s.group("g9") is None
    assert [e.points for e in s.entries_of("li")] == [1, 5] and s.entries_of("wang") == []
    assert s.alerts == [] and score_warnings(s) == [] and s.recommended is None and s.problems == []


def test_the_scores_label_their_period():
    r, e = _scores_roster(), _november_entries()
    assert points.scores(e, r, Rules(), date(2026, 11, 1), date(2026, 11, 30), "my label").period == "my label"
    assert points.scores(e, r, Rules(), date(2026, 11, 2), date(2026, 11, 30)).period == "2026-11-02..2026-11-30"
    assert points.scores(e, r, Rules(), date(2026, 11, 1), date(2026, 11, 29)).period == "2026-11-01..2026-11-29"
    assert points.scores(e, r, Rules(), date(2026, 2, 1), date(2026, 2, 28)).period == "2026-02"
    # the start comes from the rules
    assert points.scores([], r, Rules(start=50), date(2026, 11, 1), date(2026, 11, 30)).person("wang").score == 50


def test_equal_scores_keep_the_roster_s_order():
    r = roster()
    r.people.reverse()                        # xu, chen, zhao, li, wang
    r.groups.reverse()                        # g2, g1
    s = points.scores([entry(date(2026, 11, 3), "li", 1, "x")], r, Rules(), date(2026, 11, 1), date(2026, 11, 30))
    assert [p.id for p in s.people] == ["li", "xu", "chen", "zhao", "wang"]
    assert [(g.id, g.rank) for g in s.groups] == [("g1", 1), ("g2", 2)]
    s = points.scores([], r, Rules(), date(2026, 11, 1), date(2026, 11, 30))
    assert [g.id for g in s.groups] == ["g2", "g1"] and {g.rank for g in s.groups} == {1}


def test_scores_as_json():
    s = points.scores(_november_entries(), _scores_roster(), Rules(), date(2026, 11, 1), date(2026, 11, 30))
    d = s.to_dict()
    assert list(d) == ["period", "start", "people", "groups", "alerts"]
    assert d["period"] == "2026-11" and d["start"] == 100 and d["alerts"] == []
    assert list(score_words(d)) == ["period", "start", "people", "groups", "warnings"]   # what `score` prints
    assert d["people"][0] == {"id": "li", "name": "李娜", "group": "g1", "score": 106, "rank": 1, "points": 6}
    assert d["people"][3] == {"id": "xu", "name": "徐青", "group": None, "score": 102, "rank": 3, "points": 2}
    assert d["groups"][2] == {"id": "g2", "name": "二组", "score": 99, "rank": 3, "points": -1}
    s.problems = ["late closures not counted for 261115-AAAAA: why"]
    s.alerts = [points.Alert("group_last", "g2", "二组", 2)]
    d = s.to_dict()
    assert d["problems"] == ["late closures not counted for 261115-AAAAA: why"]
    assert d["alerts"] == [{"kind": "group_last", "id": "g2", "name": "二组", "months": 2, "places": 0, "score": None}]
    assert score_words(d)["warnings"] == ["group g2 二组 last 2 months running: leader to be replaced"]
    assert list(score_words(d)) == ["period", "start", "people", "groups", "warnings", "problems"]
    assert d["problems"] is not s.problems   # a copy


def test_the_year_view_names_the_group_to_recommend_or_the_tie():
    r = roster()
    e = [entry(date(2026, 1, 1), "wang", 5, "a"), entry(date(2026, 12, 31), "zhao", 4, "b"),
         entry(date(2025, 12, 31), "zhao", 9, "c"), entry(date(2027, 1, 1), "zhao", 9, "d")]
    y = points.year_scores(e, r, Rules(), 2026)
    assert (y.period, y.start, y.end) == ("2026", date(2026, 1, 1), date(2026, 12, 31))
    assert y.recommended.id == "g1" and y.alerts == []
    assert y.to_dict()["recommended"] == {"id": "g1", "name": "一组", "score": 105}
    e.append(entry(date(2026, 6, 30), "chen", 1, "e"))           # g2: 4 + 1 = 5, tied with g1
    y = points.year_scores(e, r, Rules(), 2026)
    assert y.recommended is None and y.to_dict()["recommended"] is None
    (a,) = y.alerts
    assert (a.kind, a.id, a.name, a.months, a.score) == ("tie_for_first", "g1,g2", "g1 一组, g2 二组", 0, 105)
    assert score_warnings(y) == [
        "groups g1 一组, g2 二组 tie for first with 105: the committee chooses the group to recommend"]
    lonely = Roster(groups=[], people=[Person("wang", "王芳")], partners=[])
    y = points.year_scores(e, lonely, Rules(), 2026)
    assert y.recommended is None and y.alerts == [] and y.to_dict()["recommended"] is None


def test_a_month_view_has_no_recommended_key():
    s = points.month_scores([], roster(), Rules(), 2026, 11)
    assert "recommended" not in s.to_dict() and "problems" not in s.to_dict()


# ---------------------------------------------------------------- warnings over consecutive months

def _three_months() -> list[points.Entry]:
    out = []
    for m, extra in ((9, None), (10, ("xu", 1)), (11, ("xu", 6))):
        out += [entry(date(2026, m, 5), "wang", 5, f"{m}a"), entry(date(2026, m, 6), "li", 4, f"{m}b")]
        if extra:
            out.append(entry(date(2026, m, 7), extra[0], extra[1], f"{m}c"))
    return out


def test_warnings_from_three_consecutive_months():
    # Sep: wang 105, li 104, zhao/chen/xu 100 (rank 3, among the last 3 of 5); g1 109, g2 100 (last)
    # Oct: xu 101 (rank 3, still among the last 3); g2 last again
    # Nov: xu 106 (rank 1) leaves; zhao and chen have been among the last 3 all three months
    s = points.month_scores(_three_months(), roster(), RULES, 2026, 11)
    assert s.period == "2026-11" and s.person("xu").rank == 1
    assert [(a.kind, a.id, a.name, a.months) for a in s.alerts] == [
        ("group_last", "g2", "二组", 2), ("person_bottom", "zhao", "赵强", 3), ("person_bottom", "chen", "陈静", 3)]
    assert score_warnings(s) == [
        "group g2 二组 last 2 months running: leader to be replaced",
        "person zhao 赵强 among the last 3 for 3 months running: volunteer certificate withdrawn",
        "person chen 陈静 among the last 3 for 3 months running: volunteer certificate withdrawn"]
    # October: only two months behind it have entries (August had none: everyone tied, nobody last)
    assert [(a.kind, a.id) for a in points.month_scores(_three_months(), roster(), RULES, 2026, 10).alerts] == [
        ("group_last", "g2")]


def test_the_month_view_looks_back_across_the_new_year():
    e = [entry(date(y, m, 5), "wang", 5, f"{y}{m}") for y, m in ((2025, 11), (2025, 12), (2026, 1))]
    e += [entry(date(y, m, 6), "li", 4, f"{y}{m}b") for y, m in ((2025, 11), (2025, 12), (2026, 1))]
    s = points.month_scores(e, roster(), RULES, 2026, 1)
    assert s.period == "2026-01" and s.person("wang").score == 105
    assert [(a.kind, a.id) for a in s.alerts] == [("group_last", "g2"), ("person_bottom", "zhao"),
                                                  ("person_bottom", "chen"), ("person_bottom", "xu")]


def test_warnings_need_the_whole_run_of_months():
    r = roster()
    sep, octo, nov = (points.scores(_three_months(), r, RULES, date(2026, m, 1), dates_last(m)) for m in (9, 10, 11))
    assert points.warnings_for([], RULES) == []
    assert points.warnings_for([nov], RULES) == []                       # one month: no run yet
    assert [a.kind for a in points.warnings_for([octo, nov], RULES)] == ["group_last"]
    rules = Rules(warnings={"group_last_months": 3, "person_bottom": 4, "person_bottom_months": 2})
    got = points.warnings_for([sep, octo, nov], rules)
    # g2 last three months; the last 4 of 5 (rank > 1): wang (Oct rank 1) no, li, zhao, chen both months
    assert [(a.kind, a.id, a.months) for a in got] == [
        ("group_last", "g2", 3), ("person_bottom", "li", 2), ("person_bottom", "zhao", 2), ("person_bottom", "chen", 2)]
    assert got[1].places == 4
    assert alert_text(got[1].to_dict()) == ("person li 李娜 among the last 4 for 2 months running: volunteer "
                                            "certificate withdrawn")
    assert points.lookback(rules) == 3 and points.lookback(Rules(warnings={"group_last_months": 5})) == 5
    assert points.lookback(RULES) == 3


def dates_last(m: int) -> date:
    return {9: date(2026, 9, 30), 10: date(2026, 10, 31), 11: date(2026, 11, 30)}[m]


def test_last_groups_and_bottom_people_edges():
    r = Roster(groups=[Group("g1", "一组")], people=[Person("a", "A", "g1"), Person("b", "B"), Person("c", "C")],
               partners=[])
    s = points.scores([entry(date(2026, 11, 2), "a", -1, "x")], r, Rules(), date(2026, 11, 1), date(2026, 11, 30))
    assert points.last_groups(s) == set()                    # one group is never last
    assert points.bottom_people(s, 3) == set()               # three people, the last three: nobody
    assert points.bottom_people(s, 2) == {"a"}               # b, c rank 1; a rank 3 > 3 − 2
    assert points.bottom_people(s, 1) == {"a"}


# ---------------------------------------------------------------- the rules of points

def test_warning_rules_defaults_and_errors():
    assert points.warning_rules(Rules()) == {"group_last_months": 2, "person_bottom": 3, "person_bottom_months": 3}
    assert points.warning_rules(Rules(warnings={"person_bottom": 1})) == {
        "group_last_months": 2, "person_bottom": 1, "person_bottom_months": 3}
    with pytest.raises(BookError) as e:
        points.warning_rules(Rules(warnings=[1, 2]))
    assert str(e.value).endswith("points.warnings must be a mapping (group_last_months, person_bottom, "
                                 "person_bottom_months)")
    assert e.value.path == Path("rules.yaml")
    for bad in (0, -1, True, "2", 1.5):
        with pytest.raises(BookError) as e:
            points.warning_rules(Rules(warnings={"group_last_months": bad}))
        assert str(e.value).endswith(f"points.warnings.group_last_months must be a whole number ≥ 1, not {bad!r}")
        assert e.value.path == Path("rules.yaml")


def test_per_yuan_and_item_labels():
    assert points.per_yuan(RULES, "donation") == 100
    assert points.per_yuan(RULES, "lecture_centre") is None and points.per_yuan(RULES, "hygiene") is None
    assert points.per_yuan(RULES, "nothing") is None
    assert points.per_yuan(Rules(penalties={"fine": {"points": -1, "per_yuan": 50}}), "fine") == 50
    for bad in (0, "100", False):
        with pytest.raises(BookError) as e:
            points.per_yuan(Rules(awards={"gift": {"points": 1, "per_yuan": bad}}), "gift")
        assert str(e.value).endswith(f"points.awards.gift.per_yuan must be a whole number ≥ 1, not {bad!r}")
    assert points.item_label(RULES, "resolved_case") == "case resolved"
    assert points.item_label(RULES, "late_closure") == "case not closed in time"
    assert points.item_label(RULES, "lecture_centre") == "中心讲座(20人以上)"
    assert points.item_label(RULES, "hygiene") == "卫生"
    assert points.item_label(RULES, "nothing") == "nothing"
    assert points.item_label(Rules(awards={"x": {"label": 5}}, penalties={"x": {"label": "罚"}}), "x") == "罚"
    assert points.item_label(Rules(awards={"x": "not a mapping"}), "x") == "x"
    assert points.item_label(Rules(awards=None, penalties=None), "x") == "x"


def test_items_and_resolving_an_item():
    assert list(points.items(RULES, "award"))[:2] == ["lecture_centre", "article_special"]
    assert list(points.items(RULES, "penalty"))[0] == "no_mandarin"
    assert points.items(Rules(), "award") == {} and points.items(Rules(), "penalty") == {}
    assert points.resolve_item(RULES, "award", "donation") == "donation"
    assert points.resolve_item(RULES, "award", "社会捐款") == "donation"             # its label
    assert points.resolve_item(RULES, "award", " DONATION ") == "donation"           # case and spaces
    assert points.resolve_item(RULES, "award", "ｄｏｎａｔｉｏｎ") == "donation"       # full-width
    assert points.resolve_item(RULES, "award", "中心讲座") == "lecture_centre"        # without (20人以上)
    assert points.resolve_item(RULES, "penalty", "卫生") == "hygiene"
    short = Rules(awards={"a": {"label": "讲座（大）"}, "b": {"label": "讲座(小)"}})
    with pytest.raises(UsageError) as e:                                           # 讲座 names two
        points.resolve_item(short, "award", "讲座")
    assert str(e.value) == "unknown award item '讲座'; allowed: a (讲座（大）), b (讲座(小))"
    assert points.resolve_item(Rules(awards={"a": {"label": "讲座（大）"}}), "award", "讲座") == "a"


@pytest.mark.parametrize("kind,value,says", [
    ("award", "hygiene", "unknown award item 'hygiene' ('hygiene' is used with `hotline penalize`); allowed: "),
    ("award", "卫生", "unknown award item '卫生' ('卫生' is used with `hotline penalize`); allowed: "),
    ("penalty", "donation", "unknown penalty item 'donation' ('donation' is used with `hotline award`); allowed: "),
    ("award", "resolved_case", "unknown award item 'resolved_case' ('resolved_case' comes from the cases "
                               "automatically); allowed: "),
    ("penalty", "late_closure", "unknown penalty item 'late_closure' ('late_closure' comes from the cases "
                                "automatically); allowed: "),
    ("award", "nothing", "unknown award item 'nothing'; allowed: "),
    ("award", "", "unknown award item ''; allowed: "),
])
def test_an_unknown_item_names_the_allowed_ones(kind, value, says):
    with pytest.raises(UsageError) as e:
        points.resolve_item(RULES, kind, value)
    text = str(e.value)
    assert text.startswith(says)
    if kind == "award":
        assert text.endswith("training (参加培训)") and "lecture_centre (中心讲座(20人以上)), article_special (特刊文章)" in text
    else:
        assert text.endswith(", late_or_early (迟到早退)") and "no_mandarin (未使用普通话), hygiene (卫生)" in text


def test_make_entry_computes_the_points():
    r = roster()
    le = points.make_entry(RULES, r, "award", "li", "lecture_centre", date(2026, 11, 3), "wang", count="3",
                           note="三场")
    assert (le.date, le.person, le.item, le.points, le.count, le.amount, le.note, le.by) == (
        date(2026, 11, 3), "li", "lecture_centre", 15, 3, None, "三场", "wang")
    le = points.make_entry(RULES, r, "award", "李娜", "社会捐款", date(2026, 11, 3), "wang", amount="1,250")
    assert (le.person, le.item, le.points, le.count, le.amount) == ("li", "donation", 12, 1, 1250)   # 1250 // 100
    le = points.make_entry(RULES, r, "award", "li", "donation", date(2026, 11, 3), "wang", count=1, amount=99)
    assert (le.points, le.count) == (0, 1)
    le = points.make_entry(RULES, r, "penalty", "zhao", "hygiene", date(2026, 11, 4), "wang")
    assert (le.points, le.count, le.note) == (-3, 1, "")


@pytest.mark.parametrize("kw,says", [
    ({"item": "donation"}, "'donation' (社会捐款) needs --amount YUAN (one point per whole 100 yuan)"),
    ({"item": "donation", "amount": 500, "count": 2},
     "--count does not apply to 'donation' (社会捐款); give the total with --amount"),
    ({"item": "lecture_centre", "amount": 500},
     "--amount applies only to donations, not to 'lecture_centre' (中心讲座(20人以上))"),
    ({"item": "lecture_centre", "count": 0}, "--count 0 is not allowed; give a whole number from 1 to 100"),
    ({"item": "lecture_centre", "count": 101}, "--count 101 is not allowed; give a whole number from 1 to 100"),
    ({"item": "donation", "amount": 0}, "--amount 0 is not allowed; give a whole number from 1 to 10000000"),
    ({"item": "donation", "amount": 10_000_001},
     "--amount 10000001 is not allowed; give a whole number from 1 to 10000000"),
])
def test_make_entry_refuses(kw, says):
    with pytest.raises(UsageError) as e:
        points.make_entry(RULES, roster(), "award", "li", on=date(2026, 11, 3), by="wang", **kw)
    assert str(e.value) == says


def test_make_entry_refuses_an_unknown_person_and_personal_data_in_the_note():
    with pytest.raises(UsageError, match="unknown PERSON 'nobody'"):
        points.make_entry(RULES, roster(), "award", "nobody", "lecture_centre", date(2026, 11, 3), "wang")
    with pytest.raises(UsageError, match="--note"):
        points.make_entry(RULES, roster(), "award", "li", "lecture_centre", date(2026, 11, 3), "wang",
                          note="回电13812345678")
    le = points.make_entry(RULES, roster(), "award", "li", "lecture_centre", date(2026, 11, 3), "wang", note="x" * 500)
    assert le.note == "x" * 500
    with pytest.raises(UsageError, match="--note"):
        points.make_entry(RULES, roster(), "award", "li", "lecture_centre", date(2026, 11, 3), "wang", note="x" * 501)


def le_(item: str, pts: int, person: str = "li", by: str = "wang", count: int = 1, amount: int | None = None):
    return LedgerEntry(date(2026, 11, 3), person, item, pts, count, amount, "", by)


def test_entry_problems_name_what_is_wrong():
    r = roster()
    assert points.entry_problems(le_("lecture_centre", 5), RULES, r) == []
    assert points.entry_problems(le_("donation", 3, amount=300), RULES, r) == []
    assert points.entry_problems(le_("hygiene", -3), RULES, r) == []
    assert points.entry_problems(le_("lecture_centre", 5, person="nobody", by="who"), RULES, r) == [
        "person 'nobody' is not in roster.yaml", "by 'who' is not in roster.yaml"]
    assert points.entry_problems(le_("resolved_case", 2), RULES, r) == [
        "item 'resolved_case' comes from the cases automatically; it must not be in the ledger"]
    (msg,) = points.entry_problems(le_("nothing", 1), RULES, r)
    assert msg.startswith("unknown item 'nothing'; allowed: lecture_centre, article_special, ")
    assert msg.endswith(", training, no_mandarin, hygiene, info_leak, left_post, late_or_early")
    assert points.entry_problems(le_("donation", 3), RULES, r) == ["'donation' needs 'amount' (in yuan)"]
    assert points.entry_problems(le_("lecture_centre", 5, amount=10), RULES, r) == [
        "'amount' applies only to donations, not to 'lecture_centre'"]
    assert points.entry_problems(le_("lecture_centre", -5), RULES, r) == [
        "'lecture_centre' is an award, but points is -5"]
    assert points.entry_problems(le_("hygiene", 3), RULES, r) == ["'hygiene' is a penalty, but points is 3"]
    assert points.entry_problems(le_("training", 0), RULES, r) == []
    assert points.entry_problems(le_("lecture_centre", 100_000, count=100), RULES, r) == []
    assert points.entry_problems(le_("hygiene", -100_001, count=101), RULES, r) == [
        "'points' 100001 is beyond what one entry can hold (at most 100000); a typo?",
        "'count' 101 is beyond what one entry can hold (at most 100); a typo?"]
    assert points.entry_problems(le_("donation", 5, amount=10_000_001), RULES, r) == [
        "'amount' 10000001 is beyond what one entry can hold (at most 10000000); a typo?"]
    broken = Rules(awards={"gift": {"points": 1, "per_yuan": 0}})        # a broken per_yuan: taken as none
    assert points.entry_problems(le_("gift", 1, amount=5), broken, r) == [
        "'amount' applies only to donations, not to 'gift'"]


def test_a_ledger_entry_as_a_points_entry():
    le = LedgerEntry(date(2026, 11, 3), "li", "donation", 3, 1, 300, "捐款", "wang")
    e = points.from_ledger(le, "ledger/2026-11.yaml:4")
    assert (e.date, e.person, e.item, e.points, e.source, e.note, e.count, e.amount, e.by) == (
        date(2026, 11, 3), "li", "donation", 3, "ledger/2026-11.yaml:4", "捐款", 1, 300, "wang")


# ---------------------------------------------------------------- entries from the cases

def _cases_for_points() -> list[Case]:
    return [
        # resolved on time, by li after the case was handed to her: +2 to li on 11-03
        case("261102-AAAAA", "green", at(2026, 11, 2), ev("assign", at(2026, 11, 2, 11), to="li"),
             ev("close", at(2026, 11, 2, 16), "li", outcome="resolved")),
        # green, due 11-03 23:59:59, closed 11-05 as resolved: +2 on 11-05, −5 on 11-03 to wang (the owner then)
        case("261103-BBBBB", "green", at(2026, 11, 3), ev("assign", at(2026, 11, 4, 9), to="zhao"),
             ev("close", at(2026, 11, 5), "zhao", outcome="resolved")),
        # unresolved on time: nothing
        case("261104-CCCCC", "green", at(2026, 11, 4), ev("close", at(2026, 11, 4, 15), outcome="unresolved",
                                                          reason="失联")),
        # open, overdue since 11-06 23:59:59: −5 on 11-06 to chen (the owner then)
        case("261106-DDDDD", "green", at(2026, 11, 6), ev("assign", at(2026, 11, 6, 12), to="chen"),
             ev("assign", at(2026, 11, 7, 12), to="xu"), owner="zhao"),
        # received after `until`: nothing
        case("261201-EEEEE", "green", at(2026, 12, 1), ev("close", at(2026, 12, 1, 11), outcome="resolved")),
    ]


def test_entries_from_the_cases_by_hand():
    got = points.case_entries(_cases_for_points(), RULES, CAL, at(2026, 11, 30, 23, 59, 59))
    assert [(e.date, e.person, e.item, e.points, e.source, e.note) for e in got] == [
        (date(2026, 11, 2), "li", "resolved_case", 2, "case 261102-AAAAA", ""),
        (date(2026, 11, 3), "wang", "late_closure", -5, "case 261103-BBBBB", ""),
        (date(2026, 11, 5), "zhao", "resolved_case", 2, "case 261103-BBBBB", ""),
        (date(2026, 11, 6), "chen", "late_closure", -5, "case 261106-DDDDD", "")]
    # as the book stood on 11-05 at noon: BBBBB closed at 10:00 counts, DDDDD not yet late
    got = points.case_entries(_cases_for_points(), RULES, CAL, at(2026, 11, 5, 12))
    assert [(e.date, e.item, e.source) for e in got] == [
        (date(2026, 11, 2), "resolved_case", "case 261102-AAAAA"), (date(2026, 11, 3), "late_closure", "case 261103-BBBBB"),
        (date(2026, 11, 5), "resolved_case", "case 261103-BBBBB")]
    # as it stood at 11-05 09:59: BBBBB not closed yet (but already late)
    got = points.case_entries(_cases_for_points(), RULES, CAL, at(2026, 11, 5, 9, 59))
    assert [(e.item, e.source) for e in got] == [("resolved_case", "case 261102-AAAAA"),
                                                 ("late_closure", "case 261103-BBBBB")]
    # the points come from the rules
    other = dataclasses.replace(RULES, points={**RULES.points, "resolved_case": 3, "late_closure": -7})
    got = points.case_entries(_cases_for_points(), other, CAL, at(2026, 11, 30))
    assert [e.points for e in got] == [3, -7, 3, -7]


def test_since_prunes_only_cases_closed_before_it():
    since = at(2026, 11, 5)                                                # BBBBB closed exactly then
    got = points.case_entries(_cases_for_points(), RULES, CAL, at(2026, 11, 30), since=since)
    assert [(e.item, e.source) for e in got] == [("late_closure", "case 261103-BBBBB"),
                                                 ("resolved_case", "case 261103-BBBBB"),
                                                 ("late_closure", "case 261106-DDDDD")]
    got = points.case_entries(_cases_for_points(), RULES, CAL, at(2026, 11, 30), since=at(2026, 11, 5, 0, 0, 1))
    assert [e.source for e in got] == ["case 261103-BBBBB", "case 261103-BBBBB", "case 261106-DDDDD"]
    got = points.case_entries(_cases_for_points(), RULES, CAL, at(2026, 11, 30), since=at(2026, 11, 5, 10, 0, 1))
    assert [e.source for e in got] == ["case 261106-DDDDD"]


def _in_2035(n: int) -> list[Case]:
    """n open green cases received on working days of 2035 (Tue 03-06 … Fri 03-09, Mon 03-12, Tue 03-13: no
    official calendar for the year: provisional; a strict calendar has no data for it at all)."""
    return [case(f"350306-{i:05d}", "green", at(2035, 3, day)) for i, day in zip(range(n), (6, 7, 8, 9, 12, 13))]


def test_a_case_the_calendar_cannot_compute_is_named_in_the_problems():
    strict = Calendar(hours={"working_day": ["10:00-17:00"], "other_day": ["14:00-17:00"]}, strict=True)
    cases = _in_2035(6) + [case("351201-ZZZZZ", "green", at(2035, 3, 20),
                                ev("close", at(2035, 3, 20, 11), outcome="resolved"))]
    with pytest.raises(CalendarError):
        points.case_entries(cases, RULES, strict, at(2035, 12, 1))
    problems: list[str] = []
    got = points.case_entries(cases, RULES, strict, at(2035, 12, 1), problems=problems)
    # the resolved case still counts its +2; the late closures of all 7 cannot be computed
    assert [(e.item, e.source) for e in got] == [("resolved_case", "case 351201-ZZZZZ")]
    why = str(CalendarError(2035))
    assert problems == [f"late closures not counted for 350306-00000, 350306-00001, 350306-00002, 350306-00003, "
                        f"350306-00004…: {why}"]
    problems = []
    points.case_entries(_in_2035(2), RULES, strict, at(2035, 12, 1), problems=problems)
    assert problems == [f"late closures not counted for 350306-00000, 350306-00001: {why}"]


def test_late_closures_on_provisional_working_days_are_counted_and_named():
    cal = Calendar.from_rules(RULES)
    problems: list[str] = []
    got = points.case_entries(_in_2035(6), RULES, cal, at(2035, 12, 1), problems=problems)
    assert [(e.item, e.note) for e in got] == [("late_closure", "provisional")] * 6
    assert problems == ["late closures counted on provisional working days for 350306-00000, 350306-00001, "
                        "350306-00002, 350306-00003, 350306-00004…: their due dates may move when the State "
                        "Council's notice is added to rules.yaml"]
    problems = []
    points.case_entries(_in_2035(5), RULES, Calendar.from_rules(RULES), at(2035, 12, 1), problems=problems)
    assert problems[0].startswith("late closures counted on provisional working days for 350306-00000, "
                                  "350306-00001, 350306-00002, 350306-00003, 350306-00004: their")
    assert points.case_entries(_in_2035(1), RULES, Calendar.from_rules(RULES), at(2035, 12, 1))[0].note == "provisional"


# ================================================================ the bulletin's sections: November 2026

def P(tag: str | None) -> Personal:
    return Personal(armor="-----BEGIN AGE ENCRYPTED FILE-----", recipients=0, caller=tag, key="age1x")


def _book() -> list[Case]:
    """The cases of a small book, as they stood at the end of November 2026 (see each test)."""
    return [
        # ---- received in November (7: A B H C D E J, in time order)
        case("261102-AAAAA", "red", at(2026, 11, 2),                       # respond due 11:00, met at 10:30
             ev("escalate", at(2026, 11, 2), to=["wang"]), ev("followup", at(2026, 11, 2, 10, 30), "li"),
             ev("close", at(2026, 11, 3), outcome="resolved"),               # close due Thu 11-05: on time
             ev("revisit", at(2026, 11, 25), "ghost"),                       # revisit (due 12-03) done
             categories=["domestic_violence", "cold_violence"], needs=["legal", "crisis"],
             region="广东省东莞市长安镇", gender="female", age_group="youth", personal=P("tag1")),
        case("261103-BBBBB", "red", at(2026, 11, 3, 9),                     # respond due 10:00, late (11:00)
             ev("refer", at(2026, 11, 3, 11), to="legal-aid"),               # feedback due Thu 11-12
             ev("close", at(2026, 11, 20), outcome="unresolved", reason="失联"),   # late: the referral's clock
             channel="wechat", role="party", categories=["domestic_violence"], needs=["legal"],
             region="东莞市", gender="female", age_group="adult"),
        case("261105-HHHHH", "gray", at(2026, 11, 5),
             ev("refer", at(2026, 11, 5, 14), to="counselling"),             # feedback due Mon 11-16: met (next referral)
             ev("followup", at(2026, 11, 9), "chen", partner_answer="accepted"),
             ev("refer", at(2026, 11, 12), to="legal-aid"),                  # feedback due Mon 11-23: overdue
             ev("followup", at(2026, 11, 13), "chen", partner_answer="declined"),
             categories=["gone_category"], needs=["help"], region="深圳", gender="female", age_group="youth"),
        case("261110-CCCCC", "gray", at(2026, 11, 10), ev("close", at(2026, 11, 11), "li", outcome="resolved"),
             ev("refer", at(2026, 11, 12), "li", to="ngo-x"),               # after the close: no clock
             owner="li", categories=["divorce"], needs=["consultation"], consent_publish=True,
             summary="来电人手机13812345678，咨询离婚", response="已告知法律援助", personal=P(None)),
        case("261116-DDDDD", "green", at(2026, 11, 16), owner="zhao",       # close due 11-16: overdue
             categories=["divorce", "study_stress"], needs=["legal", "emotional_support"], region="北京市朝阳区",
             gender="male", age_group="teen", consent_publish=True, summary="学习压力大", personal=P("tag2")),
        case("261117-EEEEE", "green", at(2026, 11, 17), ev("assign", at(2026, 11, 18), "zhao", to="chen"),
             ev("urge", at(2026, 11, 19)), ev("urge", at(2026, 11, 20)), owner="zhao",   # close due 11-17: overdue
             channel="qq", role="relative", categories=["divorce", "family_dispute", "study_stress"],
             needs=["emotional_support", "emotional_support"], region="东莞 长安", gender="female", age_group="youth",
             personal=P("tag2")),
        case("261125-JJJJJ", "red", at(2026, 11, 25), owner="xu",           # respond due 11:00: overdue;
             categories=["domestic_violence"], needs=["crisis"], region="深圳市",  # close due Mon 11-30 23:59:59
             gender="female", age_group="youth", personal=P("tag3")),
        # ---- received before November
        case("260910-GGGGG", "gray", at(2026, 9, 10), ev("refer", at(2026, 9, 11), "zhao", to="counselling"),
             owner="zhao", categories=["divorce"]),           # follow-up due 09-18, feedback due 09-22: overdue
        case("261015-FFFFF", "green", at(2026, 10, 15), ev("close", at(2026, 10, 15, 11), "li", outcome="resolved"),
             owner="li", categories=["divorce", "emotion"], personal=P("tag1")),
        case("261019-LLLLL", "gray", at(2026, 10, 19), ev("close", at(2026, 10, 20), outcome="resolved"),
             categories=["divorce"]),                           # revisit due 11-19: overdue, the case closed
        case("251201-MMMMM", "green", at(2025, 12, 1, 0), ev("close", at(2025, 12, 1, 0, 30), outcome="resolved")),
        case("251130-NNNNN", "green", at(2025, 11, 30, 23), ev("close", at(2025, 11, 30, 23, 30), outcome="resolved")),
        # ---- received after November
        case("261201-KKKKK", "green", at(2026, 12, 1), personal=P("tag2")),
    ]


def november(now: datetime | None = None, cases: list[Case] | None = None, rules=RULES, cal=CAL) -> Month:
    return Month.of(_book() if cases is None else cases, rules, cal, roster(), 2026, 11, now)


def test_the_month_s_cases():
    m = november()
    assert [c.id[-5:] for c in m.this] == ["AAAAA", "BBBBB", "HHHHH", "CCCCC", "DDDDD", "EEEEE", "JJJJJ"]
    assert sorted(c.id[-5:] for c in m.previous) == ["FFFFF", "LLLLL"]
    assert m.end == eod(2026, 11, 30) and not m.in_progress


def test_pct_and_ordered_counts():
    assert sections.pct(1, 3) == 33.3 and sections.pct(2, 3) == 66.7 and sections.pct(3, 7) == 42.9
    assert sections.pct(5, 0) == 0.0 and sections.pct(0, 4) == 0.0 and sections.pct(4, 4) == 100.0
    from collections import Counter
    got = sections.ordered_counts(Counter({"b": 2, "z": 1, "y": 3, "x": 1}), ["a", "b"])
    assert list(got.items()) == [("a", 0), ("b", 2), ("y", 3), ("x", 1), ("z", 1)]


def test_case_values_of_each_distribution():
    c = _book()[4]                                                  # DDDDD
    assert sections.case_values(c, "category_group", RULES) == ["marriage", "psychology"]
    assert sections.case_values(_book()[5], "category_group", RULES) == ["marriage", "psychology"]   # once each
    assert sections.case_values(_book()[2], "category_group", RULES) == ["other"]   # no longer in rules.yaml
    assert sections.case_values(c, "channel", RULES) == ["phone"]
    assert sections.case_values(c, "grade", RULES) == ["green"]
    assert sections.case_values(_book()[5], "role", RULES) == ["relative"]
    assert sections.case_values(c, "gender", RULES) == ["male"] and sections.case_values(c, "age_group", RULES) == ["teen"]
    assert sections.case_values(case("x", "green", at(2026, 11, 2), gender="", age_group=None), "gender", RULES) == ["unknown"]
    assert sections.case_values(case("x", "green", at(2026, 11, 2), age_group=""), "age_group", RULES) == ["unknown"]
    assert sections.case_values(c, "region", RULES) == ["北京"]
    assert sections.case_values(_book()[5], "category", RULES) == ["divorce", "family_dispute", "study_stress"]
    assert sections.case_values(_book()[5], "need", RULES) == ["emotional_support"]
    with pytest.raises(KeyError):
        sections.case_values(c, "colour", RULES)


def test_distributions_by_hand():
    by, dist = sections.distributions(november())
    assert list(by) == ["channel", "grade", "role", "category_group", "category", "region", "gender", "age_group", "need"]
    assert by["channel"] == {"phone": 5, "wechat": 1, "qq": 1, "web": 0, "email": 0, "sms": 0, "letter": 0, "visit": 0}
    assert list(by["grade"].items()) == [("green", 2), ("red", 3), ("gray", 2)]
    assert by["role"] == {"survivor": 5, "party": 1, "bystander": 0, "perpetrator": 0, "relative": 1, "other": 0}
    assert list(by["category_group"].items()) == [("labour", 0), ("family", 3), ("marriage", 3), ("gender", 1),
                                                  ("psychology", 2), ("other", 1)]
    cats = by["category"]
    assert list(cats)[:2] == ["employment_discrimination", "workplace_sexual_harassment"] and list(cats)[-1] == "gone_category"
    assert {k: n for k, n in cats.items() if n} == {"domestic_violence": 3, "family_dispute": 1, "divorce": 3,
                                                    "cold_violence": 1, "study_stress": 2, "gone_category": 1}
    assert len(cats) == 27
    assert list(by["region"].items()) == [("东莞", 3), ("深圳", 2), ("北京", 1), ("", 1)]
    assert by["gender"] == {"female": 5, "male": 1, "other": 0, "unknown": 1}
    assert list(by["age_group"].items()) == [("child", 0), ("teen", 1), ("youth", 4), ("adult", 1), ("senior", 0),
                                             ("unknown", 1)]
    assert list(by["need"].items()) == [("emotional_support", 2), ("help", 1), ("consultation", 1), ("legal", 3),
                                        ("crisis", 2)]
    # rows: id, count, pct of the 7 received (a category row also names its group)
    assert dist["region"] == [{"id": "东莞", "count": 3, "pct": 42.9}, {"id": "深圳", "count": 2, "pct": 28.6},
                              {"id": "北京", "count": 1, "pct": 14.3}, {"id": "", "count": 1, "pct": 14.3}]
    assert dist["grade"] == [{"id": "green", "count": 2, "pct": 28.6}, {"id": "red", "count": 3, "pct": 42.9},
                             {"id": "gray", "count": 2, "pct": 28.6}]
    rows = {r["id"]: r for r in dist["category"]}
    assert rows["divorce"] == {"id": "divorce", "count": 3, "pct": 42.9, "group": "marriage"}
    assert rows["gone_category"] == {"id": "gone_category", "count": 1, "pct": 14.3, "group": "other"}
    assert rows["adoption"] == {"id": "adoption", "count": 0, "pct": 0.0, "group": "marriage"}
    assert all("group" not in r for r in dist["need"] + dist["region"] + dist["category_group"])
    # the region rows: most frequent first, the blank region after the named ones of its count
    by, _ = sections.distributions(november(cases=[case("x1", "green", at(2026, 11, 2)),
                                                   case("x2", "green", at(2026, 11, 3), region="成都"),
                                                   case("x3", "green", at(2026, 11, 4), region="北京")]))
    assert list(by["region"]) == ["北京", "成都", ""]


def test_no_case_no_shares():
    by, dist = sections.distributions(november(cases=[]))
    assert by["region"] == {} and dist["region"] == [] and dist["grade"][0] == {"id": "green", "count": 0, "pct": 0.0}


def test_hot_and_rising_topics_by_hand():
    m = november()
    _, dist = sections.distributions(m)
    hot, rising = sections.topics(m, dist["category"])
    # October: divorce 2 (FFFFF, LLLLL), emotion 1
    assert [(r["id"], r["count"], r["previous"], r["delta"]) for r in hot] == [
        ("domestic_violence", 3, 0, 3), ("divorce", 3, 2, 1), ("study_stress", 2, 0, 2), ("family_dispute", 1, 0, 1),
        ("cold_violence", 1, 0, 1)]
    assert hot[1] == {"id": "divorce", "count": 3, "pct": 42.9, "group": "marriage", "previous": 2, "delta": 1}
    # rising: by the rise, then the month's count, then the vocabulary's order; five at most
    assert rising == [
        {"id": "domestic_violence", "count": 3, "previous": 0, "delta": 3, "new": True},
        {"id": "study_stress", "count": 2, "previous": 0, "delta": 2, "new": True},
        {"id": "divorce", "count": 3, "previous": 2, "delta": 1, "new": False},
        {"id": "family_dispute", "count": 1, "previous": 0, "delta": 1, "new": True},
        {"id": "cold_violence", "count": 1, "previous": 0, "delta": 1, "new": True}]
    # a topic as frequent as the month before is not rising
    cases = [case("o1", "green", at(2026, 10, 5), categories=["divorce"]),
             case("n1", "green", at(2026, 11, 5), categories=["divorce"]),
             case("n2", "green", at(2026, 11, 6), categories=["emotion", "divorce"])]
    m = november(cases=cases)
    hot, rising = sections.topics(m, sections.distributions(m)[1]["category"])
    assert [(r["id"], r["delta"]) for r in hot] == [("divorce", 1), ("emotion", 1)]
    assert [r["id"] for r in rising] == ["divorce", "emotion"]
    m = november(cases=cases[:2])
    hot, rising = sections.topics(m, sections.distributions(m)[1]["category"])
    assert [(r["id"], r["delta"]) for r in hot] == [("divorce", 0)] and rising == []


def test_six_hot_topics_are_cut_to_five():
    cats = ["employment_discrimination", "workplace_sexual_harassment", "female_worker_protection",
            "wages_social_security", "domestic_violence", "abandonment"]
    m = november(cases=[case(f"x{i}", "green", at(2026, 11, 2 + i), categories=cats[:6 - i]) for i in range(6)])
    hot, rising = sections.topics(m, sections.distributions(m)[1]["category"])
    assert [(r["id"], r["count"]) for r in hot] == [(c, 6 - i) for i, c in enumerate(cats[:5])]
    assert [r["id"] for r in rising] == cats[:5]


def test_red_cases_by_hand():
    rc = sections.red_cases(november())
    assert {k: v for k, v in rc.items() if k != "cases"} == {
        "count": 3, "escalated": 1, "responded_in_time": 1, "responded_late": 1, "not_responded": 1, "closed": 2,
        "provisional": 0}
    a, b, j = rc["cases"]
    assert a == {"id": "261102-AAAAA", "received": at(2026, 11, 2), "channel": "phone",
                 "categories": [{"id": "domestic_violence"}, {"id": "cold_violence"}], "escalated": True,
                 "first_response": at(2026, 11, 2, 10, 30), "response_minutes": 30, "respond_due": at(2026, 11, 2, 11),
                 "respond_state": "met", "respond_provisional": False, "referred": False, "status": "closed",
                 "outcome": "resolved"}
    assert (b["id"], b["escalated"], b["first_response"], b["response_minutes"], b["respond_due"], b["respond_state"],
            b["referred"], b["status"], b["outcome"], b["channel"]) == (
        "261103-BBBBB", False, at(2026, 11, 3, 11), 120, at(2026, 11, 3, 10), "late", True, "closed", "unresolved",
        "wechat")
    assert (j["first_response"], j["response_minutes"], j["respond_due"], j["respond_state"], j["status"],
            j["outcome"], j["escalated"], j["referred"]) == (None, None, at(2026, 11, 25, 11), "overdue", "open", None,
                                                             False, False)
    # as of 11-02 10:20: AAAAA not yet answered (its follow-up is later), its deadline still running
    m = november(now=at(2026, 11, 2, 10, 20))
    (a,) = sections.red_cases(m)["cases"]
    assert (a["first_response"], a["respond_state"], a["status"], a["outcome"]) == (None, "running", "open", None)
    assert sections.red_cases(m)["not_responded"] == 1


def test_response_minutes_are_whole_minutes_rounded_down():
    c = case("261102-AAAAA", "red", at(2026, 11, 2), ev("followup", at(2026, 11, 2, 10, 1, 59)))
    (row,) = sections.red_cases(november(cases=[c]))["cases"]
    assert row["response_minutes"] == 1 and row["respond_state"] == "met"


def test_referrals_by_partner_by_hand():
    r = sections.referrals(november())
    assert {k: v for k, v in r.items() if k != "partners"} == {
        "count": 4, "met": 1, "late": 1, "running": 0, "overdue": 1, "none": 1, "provisional": 0,
        "accepted": 1, "declined": 1, "no_answer": 2}
    assert r["partners"] == [
        {"id": "legal-aid", "name": "市法律援助中心", "kind": "external", "count": 2, "met": 0, "late": 1, "running": 0,
         "overdue": 1, "none": 0, "provisional": 0, "accepted": 0, "declined": 1, "no_answer": 1},
        {"id": "ngo-x", "name": "ngo-x", "kind": "", "count": 1, "met": 0, "late": 0, "running": 0, "overdue": 0,
         "none": 1, "provisional": 0, "accepted": 0, "declined": 0, "no_answer": 1},
        {"id": "counselling", "name": "心理咨询中心", "kind": "internal", "count": 1, "met": 1, "late": 0, "running": 0,
         "overdue": 0, "none": 0, "provisional": 0, "accepted": 1, "declined": 0, "no_answer": 0}]
    # as of 11-12 12:00: the second referral's clock runs; its answer (11-13) is not given yet
    r = sections.referrals(november(now=at(2026, 11, 12, 12)))
    assert (r["count"], r["met"], r["running"], r["overdue"], r["declined"], r["no_answer"]) == (4, 1, 2, 0, 0, 3)


def test_closures_by_hand():
    c = sections.closures(november())
    assert c == {"count": 3, "on_time": 2, "late": 1, "no_deadline": 0, "provisional": 0, "resolved": 2,
                 "unresolved": 1, "outcomes": [{"id": "resolved", "count": 2}, {"id": "unresolved", "count": 1}]}
    # an outcome no longer in the vocabulary is counted under its id, not in `outcomes`
    odd = case("261102-AAAAA", "green", at(2026, 11, 2), ev("close", at(2026, 11, 2, 12), outcome="referred_out"))
    c = sections.closures(november(cases=[odd]))
    assert (c["count"], c["on_time"], c["referred_out"], c["outcomes"]) == (
        1, 1, 1, [{"id": "resolved", "count": 0}, {"id": "unresolved", "count": 0}])


def test_the_month_end_backlog_by_hand():
    open_counts, overdue = sections.backlog(november())
    assert open_counts == {"count": 5, "open": 3, "referred": 2, "by_grade": {"green": 2, "red": 1, "gray": 2}}
    assert {k: v for k, v in overdue.items() if k != "cases"} == {
        "count": 6, "open": 5, "provisional": 0,
        "by_kind": {"close": 4, "respond": 1, "refer": 0, "follow_up": 1, "revisit": 1, "mandatory_report": 0,
                    "threat_report": 0},
        "kinds": [{"id": "close", "count": 4}, {"id": "respond", "count": 1}, {"id": "refer", "count": 0},
                  {"id": "follow_up", "count": 1}, {"id": "revisit", "count": 1}, {"id": "mandatory_report", "count": 0},
                  {"id": "threat_report", "count": 0}]}
    assert overdue["cases"] == [
        {"id": "260910-GGGGG", "grade": "gray", "status": "referred", "owner": "zhao", "owner_name": "赵强",
         "kinds": ["close", "follow_up"], "due": eod(2026, 9, 18), "urges": 0, "provisional": False},
        {"id": "261116-DDDDD", "grade": "green", "status": "open", "owner": "zhao", "owner_name": "赵强",
         "kinds": ["close"], "due": eod(2026, 11, 16), "urges": 0, "provisional": False},
        {"id": "261117-EEEEE", "grade": "green", "status": "open", "owner": "chen", "owner_name": "陈静",
         "kinds": ["close"], "due": eod(2026, 11, 17), "urges": 2, "provisional": False},
        {"id": "261019-LLLLL", "grade": "gray", "status": "closed", "owner": "wang", "owner_name": "王芳",
         "kinds": ["revisit"], "due": eod(2026, 11, 19), "urges": 0, "provisional": False},
        {"id": "261105-HHHHH", "grade": "gray", "status": "referred", "owner": "wang", "owner_name": "王芳",
         "kinds": ["close"], "due": eod(2026, 11, 23), "urges": 0, "provisional": False},
        {"id": "261125-JJJJJ", "grade": "red", "status": "open", "owner": "xu", "owner_name": "徐青",
         "kinds": ["respond"], "due": at(2026, 11, 25, 11), "urges": 0, "provisional": False}]


def test_the_backlog_of_an_owner_not_in_the_roster_and_of_one_due_time_twice():
    c = case("261102-AAAAA", "green", at(2026, 11, 2), owner="gone")
    d = case("261102-BBBBB", "green", at(2026, 11, 2, 12))            # the same due time: by id
    _, overdue = sections.backlog(november(cases=[d, c]))
    assert [(r["id"], r["owner"], r["owner_name"]) for r in overdue["cases"]] == [
        ("261102-AAAAA", "gone", "gone"), ("261102-BBBBB", "wang", "王芳")]


def test_repeat_callers_are_counted_never_named():
    assert sections.repeat_callers(november()) == {"callers": 2, "cases": 2, "cases_with_contact": 4}
    # as of 11-16 noon: EEEEE not received yet, KKKKK (December) never counts as the first call
    m = november(now=at(2026, 11, 16, 12))
    assert sections.repeat_callers(m) == {"callers": 1, "cases": 1, "cases_with_contact": 2}   # AAAAA, DDDDD


def test_volunteers_by_hand():
    rows = sections.volunteers(november())
    assert [(r["id"], r["name"], r["group"], r["group_name"], r["intakes"], r["followups"], r["referrals"],
             r["closures"], r["urges"], r["total"]) for r in rows] == [
        ("wang", "王芳", "g1", "一组", 3, 0, 3, 2, 2, 10),
        ("li", "李娜", "g1", "一组", 1, 1, 1, 1, 0, 4),
        ("zhao", "赵强", "g2", "二组", 2, 0, 0, 0, 0, 2),
        ("chen", "陈静", "g2", "二组", 0, 2, 0, 0, 0, 2),
        ("xu", "徐青", None, "", 1, 0, 0, 0, 0, 1),
        ("ghost", "ghost", None, "", 0, 1, 0, 0, 0, 1)]
    assert list(rows[0]) == ["id", "name", "group", "group_name", "intakes", "followups", "referrals", "closures",
                             "urges", "total"]
    # people outside the roster, equally busy: by id
    c = case("261102-AAAAA", "green", at(2026, 11, 2), by="zz", owner="zz")
    d = case("261102-BBBBB", "green", at(2026, 11, 2), by="yy", owner="yy")
    assert [r["id"] for r in sections.volunteers(november(cases=[c, d]))] == ["yy", "zz"]


def test_typical_cases_are_anonymised():
    got = sections.typical_cases(november())
    assert got == [
        {"grade": "gray", "channel": "phone", "role": "survivor", "categories": [{"id": "divorce"}], "region": "",
         "summary": "来电人手机〔已隐去〕，咨询离婚", "response": "已告知法律援助", "status": "closed", "outcome": "resolved"},
        {"grade": "green", "channel": "phone", "role": "survivor",
         "categories": [{"id": "divorce"}, {"id": "study_stress"}], "region": "北京", "summary": "学习压力大",
         "response": "", "status": "open", "outcome": None}]
    assert sections.typical_cases(november(now=at(2026, 11, 10, 12))) == [
        dict(got[0], status="open", outcome=None)]


def test_the_trend_of_twelve_months():
    assert sections.trend_months(2026, 11)[0] == (2025, 12) and sections.trend_months(2026, 11)[-1] == (2026, 11)
    assert len(sections.trend_months(2026, 1)) == 12 and sections.trend_months(2026, 1)[0] == (2025, 2)
    t = sections.trend(november())
    assert [r["month"] for r in t] == ["2025-12", "2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06",
                                       "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]
    assert t[0] == {"month": "2025-12", "received": 1, "by_grade": {"green": 1, "red": 0, "gray": 0}}
    assert t[1] == {"month": "2026-01", "received": 0, "by_grade": {"green": 0, "red": 0, "gray": 0}}
    assert [r["received"] for r in t] == [1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 7]
    assert list(t[-1]["by_grade"].items()) == [("green", 2), ("red", 3), ("gray", 2)]
    assert t[-2]["by_grade"] == {"green": 1, "red": 0, "gray": 1}
    # counted already (from the index)
    t = sections.trend(november(), {(2026, 11): {"green": 5, "blue": 1}, (2026, 10): {"red": 2}})
    assert t[-1] == {"month": "2026-11", "received": 6, "by_grade": {"green": 5, "red": 0, "gray": 0, "blue": 1}}
    assert t[-2]["by_grade"] == {"green": 0, "red": 2, "gray": 0} and t[0]["received"] == 0
    # in progress: only up to `now`
    t = sections.trend(november(now=at(2026, 11, 5, 12)))
    assert t[-1]["received"] == 3


def test_the_ranking_as_plain_lists():
    assert sections.ranking(None) is None
    s = points.scores(_november_entries(), _scores_roster(), Rules(), date(2026, 11, 1), date(2026, 11, 30))
    s.alerts = [points.Alert("person_bottom", "zhao", "赵强", 3, places=3)]
    s.problems = ["a problem"]
    r = sections.ranking(s)
    assert r["people"][:4] == [
        {"id": "li", "name": "李娜", "group": "g1", "score": 106, "rank": 1, "points": 6},
        {"id": "old", "name": "old", "group": None, "score": 103, "rank": 2, "points": 3},
        {"id": "chen", "name": "陈静", "group": "g2", "score": 102, "rank": 3, "points": 2},
        {"id": "xu", "name": "徐青", "group": None, "score": 102, "rank": 3, "points": 2}]
    assert r["groups"] == [{"id": "g1", "name": "一组", "score": 106, "rank": 1, "points": 6},
                           {"id": "g3", "name": "三组", "score": 100, "rank": 2, "points": 0},
                           {"id": "g2", "name": "二组", "score": 99, "rank": 3, "points": -1}]
    assert r["warnings"] == [{"kind": "person_bottom", "id": "zhao", "name": "赵强", "months": 3, "places": 3,
                              "score": None}] and r["problems"] == ["a problem"]   # data: render.words says it
    # plain dicts, sorted by rank then id; a missing rank first
    class Plain:
        people = [{"id": "b", "rank": 2, "extra": 1}, {"id": "a", "rank": 2}, {"id": "c"}]
        groups = [{"id": 7, "rank": 1}]
        alerts = (points.Alert("group_last", "g1", "一组", 2),)
    r = sections.ranking(Plain())
    assert r["people"] == [{"id": "c", "name": None, "group": None, "score": None, "rank": None, "points": None},
                           {"id": "a", "name": None, "group": None, "score": None, "rank": 2, "points": None},
                           {"id": "b", "name": None, "group": None, "score": None, "rank": 2, "points": None}]
    assert r["groups"] == [{"id": 7, "name": None, "score": None, "rank": 1, "points": None}]
    assert [w["kind"] for w in r["warnings"]] == ["group_last"] and r["problems"] == []
    assert sections.ranking(object()) == {"people": [], "groups": [], "warnings": [], "problems": []}


def test_notices_and_provisional_years_of_an_ordinary_month():
    m = november()
    sections.backlog(m)
    assert sections.provisional(m) == {"years": [], "cases": 0}
    assert sections.notices(m) == []
    m = november(now=at(2026, 10, 20))                                  # asked before the month began
    assert sections.notices(m) == [{"kind": "not_begun", "month": "2026-11"}]


def _march_2035(cal: Calendar) -> Month:
    cases = [case("350306-AAAAA", "green", at(2035, 3, 6)),             # open: close due 03-06, provisional
             case("350307-BBBBB", "red", at(2035, 3, 7), ev("followup", at(2035, 3, 7, 10, 20))),
             case("350308-CCCCC", "green", at(2035, 3, 8), ev("close", at(2035, 3, 9), outcome="resolved")),
             case("350309-DDDDD", "gray", at(2035, 3, 9), ev("refer", at(2035, 3, 9, 11), to="legal-aid"))]
    return Month.of(cases, RULES, cal, roster(), 2035, 3)


def test_a_month_on_provisional_working_days_says_so():
    m = _march_2035(Calendar.from_rules(RULES))
    _, overdue = sections.backlog(m)
    # AAAAA: close overdue (03-06); DDDDD: the referral's close (7 working days: 03-20) and follow-up (7 days:
    # 03-16) overdue
    # BBBBB (red, answered): its close (3 working days: 03-12) overdue
    assert [(r["id"], r["kinds"], r["due"], r["provisional"]) for r in overdue["cases"]] == [
        ("350306-AAAAA", ["close"], eod(2035, 3, 6), True), ("350307-BBBBB", ["close"], eod(2035, 3, 12), True),
        ("350309-DDDDD", ["close", "follow_up"], eod(2035, 3, 16), True)]
    assert overdue["provisional"] == 3
    rc = sections.red_cases(m)
    assert rc["provisional"] == 0 and rc["cases"][0]["respond_provisional"] is False   # an hour is an hour
    c = sections.closures(m)
    assert (c["count"], c["late"], c["provisional"]) == (1, 1, 1)
    r = sections.referrals(m)
    assert (r["count"], r["overdue"], r["provisional"]) == (1, 1, 1) and r["partners"][0]["provisional"] == 1
    assert sections.provisional(m) == {"years": [2035], "cases": 4}
    assert sections.notices(m) == [{"kind": "provisional", "years": [2035], "cases": 4}]


def test_a_month_the_calendar_cannot_compute_is_named_not_guessed():
    strict = Calendar(hours={"working_day": ["10:00-17:00"], "other_day": ["14:00-17:00"]}, strict=True)
    m = _march_2035(strict)
    _, overdue = sections.backlog(m)
    assert overdue["cases"] == []
    assert sections.closures(m) == {"count": 1, "on_time": 0, "late": 0, "no_deadline": 1, "provisional": 0,
                                    "resolved": 1, "unresolved": 0,
                                    "outcomes": [{"id": "resolved", "count": 1}, {"id": "unresolved", "count": 0}]}
    assert sections.notices(m) == [{"kind": "missing_years", "years": [2035], "cases": 4}]
    assert sections.provisional(m) == {"years": [], "cases": 0}


def test_a_rule_problem_of_the_clocks_is_named_with_how_many_cases():
    closed = Calendar(hours={"working_day": [], "other_day": []})           # no service hours at all
    m = Month.of([case("261102-AAAAA", "green", at(2026, 11, 2)), case("261102-BBBBB", "green", at(2026, 11, 2, 12)),
                  case("261103-CCCCC", "green", at(2026, 11, 3))], RULES, closed, roster(), 2026, 11)
    open_counts, overdue = sections.backlog(m)
    assert sections.notices(m) == [{"kind": "clock_error", "why": msg(2), "cases": 2},
                                   {"kind": "clock_error", "why": msg(3), "cases": 1}]
    assert overdue["count"] == 0 and open_counts["count"] == 3 and m.clocks.failed == {
        "261102-AAAAA", "261102-BBBBB", "261103-CCCCC"}


def msg(day: int) -> str:
    with pytest.raises(UsageError) as e:
        Calendar(hours={"working_day": [], "other_day": []}).due(at(2026, 11, day), parse_duration("same day"))
    return str(e.value)


# ================================================================ what the first mutmut run left alive

def test_a_rule_error_names_the_rules_file_or_none():
    class Bare:                                               # rules without a path (built in memory)
        points = {"warnings": {"person_bottom": 0}, "awards": {"gift": {"points": 1, "per_yuan": 0}}}
    with pytest.raises(BookError) as e:
        points.warning_rules(Bare())
    assert e.value.path is None
    with pytest.raises(BookError) as e:
        points.warning_rules(type("NotAMapping", (), {"points": {"warnings": 3}})())
    assert e.value.path is None
    with pytest.raises(BookError) as e:
        points.per_yuan(Bare(), "gift")
    assert e.value.path is None
    with pytest.raises(BookError) as e:
        points.per_yuan(Rules(awards={"gift": {"points": 1, "per_yuan": -2}}), "gift")
    assert e.value.path == Path("rules.yaml")


def test_case_entries_at_the_second_of_until_and_in_any_order():
    until = at(2026, 11, 2, 12)
    later = case("261203-LLLLL", "green", at(2026, 12, 3), ev("close", at(2026, 12, 3, 11), outcome="resolved"))
    now = case("261102-NNNNN", "green", until, ev("close", until, outcome="resolved"))   # received and closed at `until`
    assert [(e.date, e.item, e.source) for e in points.case_entries([later, now], RULES, CAL, until)] == [
        (date(2026, 11, 2), "resolved_case", "case 261102-NNNNN")]


def test_a_resolved_case_handed_on_after_its_close_stays_with_the_owner_at_the_close():
    c = case("261102-AAAAA", "green", at(2026, 11, 2), ev("close", at(2026, 11, 2, 12), outcome="resolved"),
             ev("assign", at(2026, 11, 3), to="li"))
    (e,) = points.case_entries([c], RULES, CAL, at(2026, 11, 30))
    assert (e.person, e.item) == ("wang", "resolved_case")


@pytest.mark.parametrize("n,listed", [(5, "350306-00000, 350306-00001, 350306-00002, 350306-00003, 350306-00004"),
                                      (6, "350306-00000, 350306-00001, 350306-00002, 350306-00003, 350306-00004…")])
def test_five_cases_are_named_a_sixth_is_an_ellipsis(n, listed):
    strict = Calendar(hours={"working_day": ["10:00-17:00"], "other_day": ["14:00-17:00"]}, strict=True)
    problems: list[str] = []
    points.case_entries(_in_2035(n), RULES, strict, at(2035, 12, 1), problems=problems)
    assert problems == [f"late closures not counted for {listed}: {CalendarError(2035)}"]
    problems = []
    points.case_entries(_in_2035(n), RULES, Calendar.from_rules(RULES), at(2035, 12, 1), problems=problems)
    assert problems[0].startswith(f"late closures counted on provisional working days for {listed}: their")


def test_items_are_found_by_their_whole_label_and_a_label_less_item_by_its_id_only():
    assert points.resolve_item(RULES, "award", "中心讲座(20人以上)") == "lecture_centre"
    assert points.resolve_item(RULES, "award", "学校/机构/企业讲座") == "lecture_outreach"
    bare = Rules(awards={"gift": {"points": 1}, "fund": {"points": 1, "per_yuan": 10}})
    assert points.resolve_item(bare, "award", "GIFT") == "gift"
    for text in ("None", "礼物"):
        with pytest.raises(UsageError) as e:
            points.resolve_item(bare, "award", text)
        assert str(e.value) == f"unknown award item '{text}'; allowed: gift (gift), fund (fund)"
        with pytest.raises(UsageError) as e:                                  # the only item, without a label
            points.resolve_item(Rules(awards={"gift": {"points": 1}}), "award", text)
        assert str(e.value) == f"unknown award item '{text}'; allowed: gift (gift)"
    with pytest.raises(UsageError) as e:
        points.make_entry(bare, roster(), "award", "li", "fund", date(2026, 11, 3), "wang")
    assert str(e.value) == "'fund' (fund) needs --amount YUAN (one point per whole 10 yuan)"
    with pytest.raises(UsageError) as e:
        points.make_entry(bare, roster(), "award", "li", "gift", date(2026, 11, 3), "wang", amount=5)
    assert str(e.value) == "--amount applies only to donations, not to 'gift' (gift)"


def test_personal_data_in_a_note_is_refused_naming_the_note():
    with pytest.raises(UsageError) as e:
        points.make_entry(RULES, roster(), "award", "li", "lecture_centre", date(2026, 11, 3), "wang",
                          note="回电13812345678")
    assert str(e.value).startswith("--note holds what looks like personal data (mobile phone number, at characters 3–13)")


def test_an_unknown_distribution_is_a_key_error_naming_it():
    with pytest.raises(KeyError) as e:
        sections.case_values(_book()[0], "colour", RULES)
    assert e.value.args == ("colour",)


def test_a_red_case_closed_without_a_follow_up_was_answered_by_its_close():
    c = case("261102-AAAAA", "red", at(2026, 11, 2), ev("close", at(2026, 11, 2, 10, 45), outcome="resolved"))
    (row,) = sections.red_cases(november(cases=[c]))["cases"]
    assert (row["first_response"], row["response_minutes"], row["respond_state"]) == (at(2026, 11, 2, 10, 45), 45, "met")


def _rules(**deadlines):
    """The default rules with some deadline tables replaced."""
    return dataclasses.replace(RULES, deadlines={**RULES.deadlines, **deadlines})


def test_red_cases_without_a_respond_deadline_and_with_a_provisional_one():
    c = case("261102-AAAAA", "red", at(2026, 11, 2), ev("followup", at(2026, 11, 2, 11)))
    m = november(cases=[c], rules=_rules(respond={}))
    rc = sections.red_cases(m)
    (row,) = rc["cases"]
    assert (row["respond_due"], row["respond_state"], row["respond_provisional"], row["response_minutes"]) == (
        None, "none", False, 60)
    assert (rc["responded_in_time"], rc["responded_late"], rc["not_responded"], rc["provisional"]) == (0, 0, 0, 0)
    # respond "same day" in 2035 (no official calendar): the due time is provisional
    rules = _rules(respond={"red": "same day"})
    c = case("350306-AAAAA", "red", at(2035, 3, 6))
    rc = sections.red_cases(Month.of([c], rules, Calendar.from_rules(rules), roster(), 2035, 3))
    (row,) = rc["cases"]
    assert (row["respond_due"], row["respond_state"], row["respond_provisional"], rc["provisional"]) == (
        eod(2035, 3, 6), "overdue", True, 1)


def test_a_referral_at_the_second_of_the_intake_is_judged_by_its_own_clock():
    # gray, referred the second it was received, never closed: the referral's close clock (7 working days:
    # Wed 11-11) ran out; the intake's close clock stopped, met, at that same second
    c = case("261102-AAAAA", "gray", at(2026, 11, 2), ev("refer", at(2026, 11, 2), to="legal-aid"))
    r = sections.referrals(november(cases=[c]))
    assert (r["count"], r["met"], r["overdue"]) == (1, 0, 1)


def _march_2035_more() -> Month:
    cal = Calendar.from_rules(RULES)
    cases = [case("350305-AAAAA", "green", at(2035, 3, 5), ev("close", at(2035, 3, 5, 11), outcome="resolved")),
             case("350306-BBBBB", "green", at(2035, 3, 6), ev("close", at(2035, 3, 6, 12), outcome="resolved")),
             case("350307-CCCCC", "green", at(2035, 3, 7), ev("close", at(2035, 3, 9), outcome="resolved")),
             case("350308-DDDDD", "green", at(2035, 3, 8), ev("close", at(2035, 3, 12), outcome="unresolved")),
             case("350309-EEEEE", "gray", at(2035, 3, 9), ev("refer", at(2035, 3, 9, 11), to="legal-aid"),
                  ev("refer", at(2035, 3, 12, 11), to="legal-aid"))]
    return Month.of(cases, RULES, cal, roster(), 2035, 3)


def test_every_closure_and_referral_judged_on_provisional_days_is_counted():
    m = _march_2035_more()
    c = sections.closures(m)
    # two on time, two late, all four against a provisional due time (same day, on 2035's working days)
    assert {k: c[k] for k in ("count", "on_time", "late", "no_deadline", "provisional")} == {
        "count": 4, "on_time": 2, "late": 2, "no_deadline": 0, "provisional": 4}
    r = sections.referrals(m)
    (row,) = r["partners"]
    assert (row["count"], row["met"], row["overdue"], row["provisional"], r["provisional"]) == (2, 1, 1, 2, 2)


def test_closures_without_a_close_deadline_are_each_counted():
    cases = [case(f"26110{d}-AAAAA", "green", at(2026, 11, d), ev("close", at(2026, 11, d, 12), outcome="resolved"))
             for d in (2, 3)]
    c = sections.closures(november(cases=cases, rules=_rules(close={"red": "3 working days"})))
    assert {k: c[k] for k in ("count", "on_time", "late", "no_deadline", "provisional", "resolved")} == {
        "count": 2, "on_time": 0, "late": 0, "no_deadline": 2, "provisional": 0, "resolved": 2}


def test_the_backlog_as_of_a_moment_inside_the_month():
    # 11-18 09:00: EEEEE (due 11-17) overdue, not yet handed to chen nor urged; CCCCC closed (11-11) and open at
    # 11-10 12:00
    open_counts, overdue = sections.backlog(november(now=at(2026, 11, 18, 9)))
    e = next(r for r in overdue["cases"] if r["id"] == "261117-EEEEE")
    assert (e["owner"], e["owner_name"], e["urges"]) == ("zhao", "赵强", 0)
    open_counts, _ = sections.backlog(november(now=at(2026, 11, 10, 12)))
    # open then: AAAAA closed 11-03, BBBBB referred, HHHHH referred, CCCCC open; GGGGG referred
    assert (open_counts["count"], open_counts["open"], open_counts["referred"]) == (4, 1, 3)


def test_the_backlog_counts_a_case_of_a_grade_no_longer_in_the_rules_and_one_received_at_the_last_second():
    last = case("261130-ZZZZZ", "green", eod(2026, 11, 30))
    after = case("261201-KKKKK", "green", at(2026, 12, 1))
    blue = case("261102-BBBBB", "blue", at(2026, 11, 2))
    open_counts, _ = sections.backlog(november(cases=[after, blue, last]))
    assert open_counts == {"count": 2, "open": 2, "referred": 0, "by_grade": {"green": 1, "red": 0, "gray": 0, "blue": 1}}
    t = sections.trend(november(cases=[after, blue, last]))
    assert t[-1]["received"] == 2 and t[-1]["by_grade"] == {"green": 1, "red": 0, "gray": 0, "blue": 1}


def test_volunteers_outside_a_large_roster_come_after_it():
    big = Roster(groups=[], people=[Person(f"p{i:03d}", f"人{i}") for i in range(100)], partners=[])
    cases = [case("261102-AAAAA", "green", at(2026, 11, 2), by="aa"), case("261102-BBBBB", "green", at(2026, 11, 2),
                                                                          by="p099")]
    m = Month.of(cases, RULES, CAL, big, 2026, 11)
    assert [r["id"] for r in sections.volunteers(m)] == ["p099", "aa"]


def test_the_ranking_of_rows_without_every_key():
    class Row:
        def __init__(self, **kw):
            self.__dict__.update(kw)

    class S:
        people = [{"id": "a", "rank": 1}, {"id": "b"}, Row(id="c", rank=2)]     # no name, group, score, points
        groups = [{"id": "g2", "rank": 1}, {"id": "g1", "rank": 1}, {"id": "z0"}]
    r = sections.ranking(S())
    assert [p["id"] for p in r["people"]] == ["b", "a", "c"]
    assert r["people"][2] == {"id": "c", "name": None, "group": None, "score": None, "rank": 2, "points": None}
    assert [g["id"] for g in r["groups"]] == ["z0", "g1", "g2"]


def test_a_bulletin_asked_at_the_month_s_first_second_has_begun():
    m = november(now=at(2026, 11, 1, 0))
    assert m.end == m.start and sections.notices(m) == []
    m = november(now=at(2026, 10, 31, 23, 59, 59))
    assert sections.notices(m) == [{"kind": "not_begun", "month": "2026-11"}]
