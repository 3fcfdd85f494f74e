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
    return LedgerEntry(date(2026, 11, day), "li", "lecture_outreach", points, note=note, id=eid)


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
