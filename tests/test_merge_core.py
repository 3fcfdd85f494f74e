"""The merge driver's core, in-process (storage/merge.py): three-way fields, events and entries
as sets by id, conflicts that meet again, ties, a book in a subfolder, caller keys meeting.
Expectations written by hand from the rules in the module's docstring; no git, no files."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from hotline.domain.leave import Leave
from hotline.domain.model import Case, Event, LedgerEntry, Personal
from hotline.errors import BookError
from hotline.writes.offices import choose_caller_key
from hotline.storage import casefile, merge

BJ = timezone(timedelta(hours=8))
T0 = datetime(2026, 11, 20, 15, 0, tzinfo=BJ)


def ev(eid: str, minutes: int, type_: str = "followup", note: str = "", **kw) -> Event:
    return Event(type_, T0 + timedelta(minutes=minutes), "wang", note=note, id=eid, **kw)


def case(*events: Event, **fields) -> Case:
    base = dict(id="261120-5Y8AB", received=T0, channel="phone", grade="green", owner="wang", role="survivor",
                gender="female", age_group="youth", region="东莞", categories=["domestic_violence"], needs=["legal"],
                summary="询问起诉程序")
    base.update(fields)
    return Case(events=list(events) or [ev("1NTAKE00", 0, "intake")], **base)


INTAKE = ev("1NTAKE00", 0, "intake")


# ---------------------------------------------------------------- three_way

@pytest.mark.parametrize("base, ours, theirs, merged, clash", [
    ("a", "a", "a", "a", None),            # nobody changed it
    ("a", "b", "a", "b", None),            # ours changed it
    ("a", "a", "b", "b", None),            # theirs changed it
    ("a", "b", "b", "b", None),            # both changed it the same way: no conflict
    ("a", "b", "c", "b", ["b", "c"]),      # both changed it differently: the first in a fixed order, both named
    ("a", "c", "b", "b", ["b", "c"]),      # ... the same whichever side merges
    (None, "x", "y", "x", ["x", "y"]),
    (["q"], ["q", "r"], ["q"], ["q", "r"], None),
])
def test_three_way(base, ours, theirs, merged, clash):
    assert merge.three_way(base, ours, theirs) == (merged, clash)


# ---------------------------------------------------------------- events

def test_each_side_s_new_events_are_kept_once_in_time_order_whichever_side_merges():
    base = case(INTAKE)
    a = case(INTAKE, ev("AAAAAAA1", 10), ev("AAAAAAA2", 30))
    b = case(INTAKE, ev("BBBBBBB1", 20))
    one = merge.merge_cases(base, a, b)
    two = merge.merge_cases(base, b, a)
    assert [e.id for e in one.events] == ["1NTAKE00", "AAAAAAA1", "BBBBBBB1", "AAAAAAA2"]
    assert one.events == two.events


def test_events_at_the_same_time_keep_each_side_s_order_and_break_ties_by_id():
    a = case(INTAKE, ev("ZZZZZZZ1", 10, "close", outcome="resolved"), ev("ZZZZZZZ2", 10, "revisit"))
    b = case(INTAKE, ev("MMMMMMM1", 10))
    got = merge.merge_cases(case(INTAKE), a, b).events
    assert [e.id for e in got] == ["1NTAKE00", "MMMMMMM1", "ZZZZZZZ1", "ZZZZZZZ2"]
    assert merge.merge_cases(case(INTAKE), b, a).events == got


def test_a_new_event_reusing_an_existing_id_is_kept_under_an_id_of_its_own():
    follow = ev("F0110W01", 10, note="律师已联系")
    hostile = ev("F0110W01", 20, "close", outcome="resolved")
    base = case(INTAKE, follow)
    a = case(INTAKE, follow)
    b = case(INTAKE, follow, hostile)
    notes: list = []
    got = merge.merge_cases(base, a, b, notes=notes)
    assert [e.type for e in got.events] == ["intake", "followup", "close"]
    assert got.events[1] == follow                       # the one the ancestor had keeps its id
    moved = got.events[2]
    assert moved.id != "F0110W01" and replace(moved, id="F0110W01") == hostile
    assert notes == [(got.id, "F0110W01", moved.id)]
    again = merge.merge_cases(base, b, a)                # the other office computes the same id
    assert again.events == got.events


def test_an_event_rewritten_on_one_side_keeps_both_versions_the_original_under_its_id():
    close = ev("C1SE0001", 10, "close", outcome="unresolved", reason="不愿继续")
    rewritten = replace(close, outcome="resolved", reason=None)
    got = merge.merge_cases(case(INTAKE, close), case(INTAKE, close), case(INTAKE, rewritten)).events
    assert got[1] == close and got[2].type == "close" and got[2].outcome == "resolved" and got[2].id != "C1SE0001"


def test_two_new_versions_under_one_id_without_an_ancestor_are_ordered_by_content():
    x, y = ev("SAME1D01", 10, note="甲"), ev("SAME1D01", 10, note="乙")
    one = merge.merge_cases(None, case(INTAKE, x), case(INTAKE, y)).events
    two = merge.merge_cases(None, case(INTAKE, y), case(INTAKE, x)).events
    assert one == two and len(one) == 3 and len({e.id for e in one}) == 3
    kept = next(e for e in one if e.id == "SAME1D01")
    assert kept.note == min(("甲", "乙"), key=lambda n: repr(replace(x, note=n)))


def test_the_same_event_twice_in_one_file_is_kept_once():
    f = ev("F0110W01", 10)
    got = merge.merge_cases(case(INTAKE), case(INTAKE, f, f), case(INTAKE)).events
    assert [e.id for e in got] == ["1NTAKE00", "F0110W01"]


def test_distinct_events_with_no_clash_changes_nothing():
    sides, moved = merge.distinct_events([INTAKE], [INTAKE, ev("A0000001", 1)], [INTAKE])
    assert moved == [] and sides == [[INTAKE, ev("A0000001", 1)], [INTAKE]]


# ---------------------------------------------------------------- fields and conflicts

def test_both_sides_changing_a_field_to_the_same_value_is_no_conflict():
    got = merge.merge_cases(case(), case(region="广州"), case(region="广州"))
    assert got.region == "广州" and got.conflicts is None


def test_a_field_changed_differently_is_a_named_conflict_with_every_value():
    got = merge.merge_cases(case(), case(region="广州"), case(region="深圳"))
    assert got.conflicts == {"region": {"values": ["广州", "深圳"]}}
    assert got.region == "广州"


def test_conflicts_that_meet_again_keep_every_value_once():
    a = case(region="广州", conflicts={"region": {"values": ["广州", "深圳"]}})
    b = case(region="佛山", conflicts={"region": {"values": ["佛山", "深圳"]}})
    got = merge.merge_cases(case(), a, b)
    assert got.conflicts == {"region": {"values": ["佛山", "广州", "深圳"]}}


def test_a_conflict_settled_on_one_side_stays_settled():
    open_ = {"region": {"values": ["广州", "深圳"]}}
    base = case(region="广州", conflicts=open_)
    settled = case(region="深圳")                       # `hotline resolve` chose 深圳 here
    still = case(region="广州", conflicts=open_)
    assert merge.merge_cases(base, settled, still).conflicts is None
    assert merge.merge_cases(base, still, settled).conflicts is None


def test_personal_blocks_both_changed_without_a_key_are_a_named_conflict_of_ciphertexts():
    p0, p1, p2 = Personal("armor-0", 2), Personal("armor-1", 2), Personal("armor-2", 2)
    got = merge.merge_cases(case(personal=p0), case(personal=p1), case(personal=p2))
    assert got.conflicts == {"personal": {"values": ["armor-1", "armor-2"]}}
    assert got.personal.armor == "armor-1"


def test_two_different_cases_under_one_id_are_not_merged():
    with pytest.raises(merge.NotMergeable):
        merge.merge_cases(None, case(ev("1NTAKE00", 0, "intake")), case(ev("1NTAKE99", 0, "intake")))


# ---------------------------------------------------------------- ledger and leave entries

def le(eid: str, day: int, points: int = 5, note: str = "") -> LedgerEntry:
    return LedgerEntry(date(2026, 11, day), "li", "lecture_outreach", points, note=note, by="chen", id=eid)


def test_ledger_entries_of_the_same_date_come_out_in_one_order_whichever_side_merges():
    a = [le("A0000001", 30), le("Z0000001", 30)]
    b = [le("B0000001", 30), le("C0000001", 1)]
    order = lambda e: e.date  # noqa: E731
    one, two = merge.merge_entries([], a, b, order), merge.merge_entries([], b, a, order)
    assert one == two
    assert [e.id for e in one] == ["C0000001", "A0000001", "B0000001", "Z0000001"]


def test_an_entry_on_the_last_day_of_the_month_is_kept():
    got = merge.merge_entries([], [le("A0000001", 30)], [le("B0000001", 1)], lambda e: e.date)
    assert {e.id for e in got} == {"A0000001", "B0000001"}


def test_two_entries_under_one_id_are_both_kept():
    got = merge.merge_entries([le("SAME1D01", 3)], [le("SAME1D01", 3)], [le("SAME1D01", 3), le("SAME1D01", 4, -10)],
                              lambda e: e.date)
    assert len(got) == 2 and got[0] == le("SAME1D01", 3) and got[1].points == -10 and got[1].id != "SAME1D01"


def test_leave_requests_merge_by_id():
    t = datetime(2026, 11, 1, 9, 0, tzinfo=BJ)
    x = Leave("L0000001", "li", date(2026, 12, 1), date(2026, 12, 2), t, "li")
    y = Leave("L0000002", "chen", date(2026, 12, 3), date(2026, 12, 3), t, "chen")
    got = merge.merge_entries([], [x], [y, x], lambda r: r.requested)
    assert got == [x, y]


# ---------------------------------------------------------------- files, keys, markers

@pytest.mark.parametrize("path, kind", [
    ("cases/2026/11/261120-5Y8AB.yaml", "case"),
    ("hotline-book/cases/2026/11/261120-5Y8AB.yaml", "case"),      # a book in a subfolder of a repository
    ("ledger/2026-11.yaml", "ledger"),
    ("office/ledger/2026-11.yaml", "ledger"),
    ("leave/2026.yaml", "leave"),
    ("keys/caller-key.age", "caller-key"),
    ("sub/keys/recipients.txt", "recipients"),
    ("rules.yaml", None),
    ("templates/report.md.j2", None),
    ("ledger/notes.yaml", None),
])
def test_kind_of(path, kind):
    assert merge.kind_of(path) == kind


def test_caller_keys_meeting():
    assert choose_caller_key("k0", "k0", "k0", None) == ("k0", False)
    assert choose_caller_key("k0", "k1", "k0", None) == ("k1", False)      # ours changed it
    assert choose_caller_key("k0", "k0", "k1", None) == ("k1", False)      # theirs changed it
    assert choose_caller_key(None, "k1", None, None) == ("k1", False)
    assert choose_caller_key("k0", "k2", "k1", None) == ("k1", True)       # two keys met: one, and a rekey
    assert choose_caller_key("k0", "k1", "k2", None) == ("k1", True)


def test_recipient_lists_merge_three_way_over_sets():
    base = "age1aaa\nage1bbb\n"
    ours = "# header\nage1aaa\nage1bbb\nage1ccc\n"     # ours added ccc
    theirs = "age1aaa\n"                               # theirs removed bbb
    assert merge.merge_key_lines(base, ours, theirs) == "# header\nage1aaa\nage1ccc\n"


def test_conflict_markers_split_into_the_three_versions():
    text = "a\n<<<<<<< ours\nb\n||||||| base\nc\n=======\nd\n>>>>>>> theirs\ne\n"
    assert merge.split_markers(text) == ("a\nb\ne\n", "a\nd\ne\n", "a\nc\ne\n")
    assert merge.split_markers("a\nb\n") is None


def test_kept_text_puts_back_what_this_office_had():
    close = ev("C1SE0001", 10, "close", outcome="unresolved", reason="不愿继续")
    before = casefile.dump_case(case(INTAKE, close))
    after_removed = casefile.dump_case(case(INTAKE))
    text, moved = merge.kept_text("case", before, after_removed, Path("x.yaml"))
    assert casefile.parse_case(text, Path("x.yaml")).events == [INTAKE, close] and moved == []
    assert merge.kept_text("case", before, before, Path("x.yaml")) == (None, [])
    grown = casefile.dump_case(case(INTAKE, close, ev("1ATER001", 60)))
    assert merge.kept_text("case", before, grown, Path("x.yaml")) == (None, [])


def test_a_rewritten_close_at_the_same_time_comes_after_the_original_whatever_the_ids():
    from hotline.storage.ids import new_entry_id

    for _ in range(30):
        close = Event("close", T0 + timedelta(minutes=10), "wang", id=new_entry_id(), outcome="unresolved", reason="x")
        rewritten = replace(close, outcome="resolved", reason=None)
        got = merge.merge_cases(case(INTAKE, close), case(INTAKE, close), case(INTAKE, rewritten)).events
        assert got[1] == close and got[2].outcome == "resolved"
        assert merge.merge_cases(case(INTAKE, close), case(INTAKE, rewritten), case(INTAKE, close)).events[1] == close


# ---------------------------------------------------------------- found by mutation testing (docs/architecture.md)

def armor(n: int) -> str:
    return f"-----BEGIN AGE ENCRYPTED FILE-----\nblock-{n}\n-----END AGE ENCRYPTED FILE-----\n"


P0, P1, P2, P3 = (Personal(armor(n), 2) for n in range(4))
CLOSE = ev("C1SE0001", 10, "close", outcome="unresolved", reason="不愿继续")
REWRITTEN = replace(CLOSE, outcome="resolved", reason=None)


def test_a_moved_version_s_id_is_derived_from_the_old_id_and_the_version_s_content():
    """The id is the one `ids.content_id` makes of ("moved", old id, the version as written), so an
    office on another version of hotline computes the same id for the same file."""
    from hotline.storage import ids

    hostile = ev("F0110W01", 20, "close", outcome="resolved")
    notes: list = []
    got = merge.merge_cases(case(INTAKE, ev("F0110W01", 10)), case(INTAKE, ev("F0110W01", 10)),
                            case(INTAKE, ev("F0110W01", 10), hostile), notes=notes).events
    new = ids.content_id("moved", "F0110W01", repr(hostile))
    assert ids.ENTRY_ID_RE.match(new) and got[2] == replace(hostile, id=new)
    assert notes == [("261120-5Y8AB", "F0110W01", new)]
    entry_notes: list = []
    penalty = le("SAME1D01", 4, -10)
    entries = merge.merge_entries([le("SAME1D01", 3)], [le("SAME1D01", 3)], [le("SAME1D01", 3), penalty],
                                  lambda e: e.date, notes=entry_notes)
    new = ids.content_id("moved", "SAME1D01", repr(penalty))
    assert entries == [le("SAME1D01", 3), replace(penalty, id=new)]
    assert entry_notes == [(None, "SAME1D01", new)]                   # the caller's list, appended to


def test_an_event_repeated_in_one_file_does_not_hide_the_events_after_it():
    f, g = ev("F0110W01", 10), ev("G0110W02", 20)
    got = merge.merge_cases(case(INTAKE), case(INTAKE, f, f, g), case(INTAKE)).events
    assert got == [INTAKE, f, g]


def test_an_event_without_an_id_and_one_with_an_id_at_the_same_time_come_in_one_order_whichever_side_merges():
    anonymous = Event("followup", T0 + timedelta(minutes=10), "wang", note="旧文件")   # id None sorts as ""
    named = ev("AAAAAAA1", 10)
    one = merge.merge_cases(case(INTAKE), case(INTAKE, anonymous), case(INTAKE, named)).events
    two = merge.merge_cases(case(INTAKE), case(INTAKE, named), case(INTAKE, anonymous)).events
    assert one == two == [INTAKE, anonymous, named]


def test_two_cases_that_cannot_merge_are_named_in_the_reason():
    with pytest.raises(merge.NotMergeable, match="two different cases: 261120-5Y8AB / 261120-9Q2WE"):
        merge.merge_cases(None, case(), case(id="261120-9Q2WE"))
    with pytest.raises(merge.NotMergeable, match="two different cases took the same id 261120-5Y8AB"):
        merge.merge_cases(None, case(ev("1NTAKE00", 0, "intake")), case(ev("1NTAKE99", 0, "intake")))


def test_a_field_cleared_on_one_side_and_changed_on_the_other_is_a_conflict_of_both_values():
    # values ordered by repr: "'high'" before "None"
    got = merge.merge_cases(case(risk="low"), case(risk=None), case(risk="high"))
    assert got.risk == "high" and got.conflicts == {"risk": {"values": ["high", None]}}
    assert merge.merge_cases(case(risk="low"), case(risk="high"), case(risk=None)).conflicts == got.conflicts


@pytest.mark.parametrize("ours, theirs, values", [
    (["广州", "深圳"], ["佛山", "广州"], ["佛山", "广州", "深圳"]),   # each side met a third office
    (["high", None], [None, "low"], ["high", "low", None]),          # a cleared value among them (ordered by repr)
])
def test_conflicts_both_sides_named_are_joined_when_the_field_itself_agrees(ours, theirs, values):
    field = "region" if "广州" in ours else "risk"
    a = case(**{field: ours[0], "conflicts": {field: {"values": ours}}})
    b = case(**{field: ours[0], "conflicts": {field: {"values": theirs}}})
    got = merge.merge_cases(case(**{field: ours[0]}), a, b)
    assert got.conflicts == {field: {"values": values}} and getattr(got, field) == ours[0]


def test_a_conflict_stays_open_until_someone_settles_it():
    open_ = {"region": {"values": ["广州", "深圳"]}}
    base = case(INTAKE, region="广州", conflicts=open_)
    a = case(INTAKE, ev("AAAAAAA1", 10), region="广州", conflicts=open_)
    b = case(INTAKE, ev("BBBBBBB1", 20), region="广州", conflicts=open_)
    assert merge.merge_cases(base, a, b).conflicts == open_              # nobody settled it
    named_here = merge.merge_cases(case(INTAKE, region="广州"), a, case(INTAKE, region="广州"))
    assert named_here.conflicts == open_                                   # one side met a third office since
    named_there = merge.merge_cases(case(INTAKE, region="广州"), case(INTAKE, region="广州"), a)
    assert named_there.conflicts == open_


def test_a_conflict_settled_on_one_side_does_not_settle_the_others():
    both = {"age_group": {"values": ["adult", "youth"]}, "region": {"values": ["广州", "深圳"]}}
    base = case(region="广州", conflicts=both)
    settled_age = case(region="广州", conflicts={"region": both["region"]})
    got = merge.merge_cases(base, settled_age, case(region="广州", conflicts=both))
    assert got.conflicts == {"region": {"values": ["广州", "深圳"]}}


@pytest.mark.parametrize("ours, theirs", [(P0, P1), (P1, P0)])
def test_a_personal_block_changed_on_one_side_takes_that_side(ours, theirs):
    got = merge.merge_cases(case(personal=P0), case(personal=ours), case(personal=theirs))
    assert got.personal == P1 and got.conflicts is None


@pytest.mark.parametrize("order", [0, 1])
def test_an_erasure_wins_over_a_rekey_on_the_other_side(order):
    erased = Personal(None, 0, caller="c0ffee01")
    sides = [case(personal=erased), case(personal=P1)]
    got = merge.merge_cases(case(personal=P0), *(sides if order == 0 else sides[::-1]))
    assert got.personal == erased and got.conflicts is None


def test_personal_blocks_both_changed_are_merged_from_their_contents_when_a_key_is_at_hand():
    asked: list = []

    def open_personal(a, b, o):
        asked.append((a, b, o))
        return P3

    got = merge.merge_cases(case(personal=P0), case(personal=P1), case(personal=P2), open_personal)
    assert got.personal == P3 and got.conflicts is None and asked == [(P1, P2, P0)]
    cannot = merge.merge_cases(case(personal=P0), case(personal=P1), case(personal=P2), lambda a, b, o: None)
    assert cannot.personal == P1 and cannot.conflicts == {"personal": {"values": [armor(1), armor(2)]}}


def test_recipient_lists_keep_every_header_line_of_ours():
    got = merge.merge_key_lines(None, "# staff keys\n# one a line\nage1bbb\n", "age1aaa\n")
    assert got == "# staff keys\n# one a line\nage1aaa\nage1bbb\n"


@pytest.mark.parametrize("path, kind", [
    ("cases\\2026\\11\\261120-5Y8AB.yaml", "case"),              # a Windows path
    ("book/leave/2026.yaml", "leave"),
    ("archive/2026.yaml", None),
    ("calls/2026-11.yaml", "calls"),
    ("book/calls/2026-11.yaml", "calls"),
    ("archive/2026-11.yaml", None),
    ("book/keys/caller-key.age", "caller-key"),
    ("keys/recipients.txt", "recipients"),
    ("archive/recipients.txt", None),
    ("keys/roster.txt", None),
    ("keys/approvals.yaml", "approvals"),
    ("book/keys/approvals.yaml", "approvals"),
    ("archive/approvals.yaml", None),
    ("keys/other.yaml", None),
])
def test_kind_of_every_kind(path, kind):
    assert merge.kind_of(path) == kind


def test_conflict_markers_without_a_base_section():
    two_way = "a\n<<<<<<< ours\nb\n=======\nd\n>>>>>>> theirs\ne\n"
    assert merge.split_markers(two_way) == ("a\nb\ne\n", "a\nd\ne\n", "a\ne\n")
    assert merge.split_markers("<<<<<<< ours\nb\n=======\nd\n>>>>>>> theirs\n") == ("b\n", "d\n", None)


# ---------------------------------------------------------------- kept_text

X = Path("cases/2026/11/261120-5Y8AB.yaml")


def test_kept_text_reads_what_this_office_had_as_the_ancestor():
    open_ = {"region": {"values": ["广州", "深圳"]}}
    before = casefile.dump_case(case(INTAKE, CLOSE, region="广州", conflicts=open_, personal=P0))
    after = casefile.dump_case(case(INTAKE, region="深圳", personal=P1))  # settled, rekeyed, the close lost
    text, moved = merge.kept_text("case", before, after, X)
    got = casefile.parse_case(text, X)
    assert got.events == [INTAKE, CLOSE] and moved == []
    assert got.region == "深圳" and got.conflicts is None and got.personal == P1


def test_kept_text_names_a_rewritten_event_moved_to_an_id_of_its_own():
    from hotline.storage import ids

    after = casefile.dump_case(case(INTAKE, REWRITTEN))
    text, moved = merge.kept_text("case", casefile.dump_case(case(INTAKE, CLOSE)), after, X)
    rewritten = casefile.parse_case(after, X).events[1]
    new = ids.content_id("moved", "C1SE0001", repr(rewritten))
    assert moved == [("261120-5Y8AB", "C1SE0001", new)]
    assert casefile.parse_case(text, X).events == [INTAKE, CLOSE, replace(rewritten, id=new)]


@pytest.mark.parametrize("bad", ["before", "after"])
def test_kept_text_names_the_file_of_a_bad_version(bad):
    good = casefile.dump_case(case(INTAKE))
    texts = {"before": good, "after": good, bad: "id: [unclosed\n"}
    with pytest.raises(BookError) as e:
        merge.kept_text("case", texts["before"], texts["after"], X)
    assert e.value.path == X


LEDGER = Path("ledger/2026-11.yaml")
dump_ledger = merge.ENTRY_FILES["ledger"].dump


def parse_ledger(text: str) -> list:
    return merge.ENTRY_FILES["ledger"].parse(text, LEDGER)


def test_kept_text_puts_back_a_ledger_entry_this_office_had():
    e1, e2 = le("A0000001", 3), le("B0000002", 30)
    before = dump_ledger([e1, e2])
    text, moved = merge.kept_text("ledger", before, dump_ledger([e1]), LEDGER)
    assert parse_ledger(text) == [e1, e2] and moved == []
    assert merge.kept_text("ledger", before, before, LEDGER) == (None, [])
    assert merge.kept_text("ledger", before, dump_ledger([e1, e2, le("C0000003", 5)]), LEDGER) == (None, [])
    assert merge.kept_text("ledger", "", before, LEDGER) == (None, [])               # a new month
    assert merge.kept_text("recipients", "age1aaa\n", "", Path("keys/recipients.txt")) == (None, [])


def test_kept_text_keeps_a_rewritten_ledger_entry_under_an_id_of_its_own():
    from hotline.storage import ids

    e1, e2 = le("A0000001", 3), le("B0000002", 30)
    rewritten = le("B0000002", 30, points=-5)
    new = ids.content_id("moved", "B0000002", repr(rewritten))
    for after in ([e1, rewritten], [e1, e2, rewritten]):    # changed in place; added beside the original
        text, moved = merge.kept_text("ledger", dump_ledger([e1, e2]), dump_ledger(after), LEDGER)
        by_date_then_id = sorted([e1, e2, replace(rewritten, id=new)], key=lambda e: (e.date, e.id))
        assert parse_ledger(text) == by_date_then_id and moved == [(None, "B0000002", new)]


# ---------------------------------------------------------------- merge_file (the driver's files, no git)

def write(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def test_merge_file_merges_three_case_files(tmp_path):
    extra = ev("AAAAAAA1", 30)
    base = write(tmp_path / "base", casefile.dump_case(case(INTAKE, CLOSE, personal=P0)))
    ours = write(tmp_path / "ours", casefile.dump_case(case(INTAKE, CLOSE, extra, personal=P1)))
    theirs = write(tmp_path / "theirs", casefile.dump_case(case(INTAKE, REWRITTEN, region="深圳", personal=P2)))
    notes: list = []
    text = merge.merge_file(base, ours, theirs, "case", lambda a, b, o: P3 if (a, b, o) == (P1, P2, P0) else None,
                            notes)
    got = casefile.parse_case(text, X)
    # the ancestor's close keeps its id (without the ancestor, the rewritten one, first by repr, would)
    assert [e.id for e in got.events][:2] == ["1NTAKE00", "C1SE0001"] and got.events[1] == CLOSE
    assert got.events[2].outcome == "resolved" and got.events[3] == extra
    assert notes == [("261120-5Y8AB", "C1SE0001", got.events[2].id)]
    assert got.region == "深圳" and got.personal == P3 and got.conflicts is None


@pytest.mark.parametrize("base", [None, "missing", "empty"])
def test_merge_file_without_an_ancestor(tmp_path, base):
    ours = write(tmp_path / "ours", casefile.dump_case(case(INTAKE, CLOSE)))
    theirs = write(tmp_path / "theirs", casefile.dump_case(case(INTAKE, REWRITTEN)))
    path = {None: None, "missing": tmp_path / "missing", "empty": write(tmp_path / "empty", " \n")}[base]
    got = casefile.parse_case(merge.merge_file(path, ours, theirs, "case"), X).events
    # no ancestor: the version first by repr keeps the id ("outcome='resolved'" < "outcome='unresolved'")
    assert got[1] == casefile.parse_case(theirs.read_text(encoding="utf-8"), X).events[1] and got[1].id == "C1SE0001"
    assert got[2].outcome == "unresolved" and got[2].id != "C1SE0001"


def test_merge_file_refuses_what_it_cannot_read(tmp_path):
    good = write(tmp_path / "good.yaml", casefile.dump_case(case(INTAKE)))
    with pytest.raises(merge.NotMergeable, match="^one side is empty$"):
        merge.merge_file(None, good, write(tmp_path / "empty.yaml", "\n"), "case")
    with pytest.raises(merge.NotMergeable, match="one side is empty"):
        merge.merge_file(None, write(tmp_path / "empty.yaml", ""), good, "case")
    with pytest.raises(merge.NotMergeable, match="utf-8"):
        merge.merge_file(None, good, write(tmp_path / "latin.yaml", "summary: caf\xe9\n".encode("latin-1")), "case")
    with pytest.raises(merge.NotMergeable, match="bad.yaml:"):
        merge.merge_file(None, good, write(tmp_path / "bad.yaml", "id: [unclosed\n"), "case")
    with pytest.raises(merge.NotMergeable, match="not a file hotline merges: recipients"):
        merge.merge_file(None, good, good, "recipients")


def test_merge_file_merges_three_ledger_files(tmp_path):
    e1, e2, e3 = le("A0000001", 3), le("B0000002", 30), le("C0000003", 1)
    rewritten = le("A0000001", 3, points=-5)
    base = write(tmp_path / "2026-11.yaml", dump_ledger([e1]))
    ours = write(tmp_path / "ours.yaml", dump_ledger([e1, e2]))
    theirs = write(tmp_path / "theirs.yaml", dump_ledger([rewritten, e3]))
    notes: list = []
    got = parse_ledger(merge.merge_file(base, ours, theirs, "ledger", notes=notes))
    from hotline.storage import ids
    new = ids.content_id("moved", "A0000001", repr(rewritten))
    assert got == sorted([e1, e2, e3, replace(rewritten, id=new)], key=lambda e: (e.date, e.id))
    assert notes == [(None, "A0000001", new)]
    assert parse_ledger(merge.merge_file(None, ours, theirs, "ledger"))[0] == e3
