"""Need to know (SPEC §7, issue #23): a case's personal data opens for its owner and whoever it
was assigned to, the leaders of their group, the directors and the secretary — and for nobody
else, by every road (show, refer, the workbook export, the caller's file).  The test roster:
wang (g1, director and leader), li (g1, volunteer), zhao (g2, leader), chen (g2, volunteer),
xu (secretary)."""
from __future__ import annotations

import json

import pytest

PHONE = "13812345678"


def chen_case(book) -> str:
    """A case taken by chen (group 2), with the caller's contact."""
    return book.intake("--contact", PHONE, "--name", "张女士", user="chen")


@pytest.mark.parametrize("person, may", [("chen", True), ("zhao", True), ("wang", True), ("xu", True),
                                         ("li", False)])
def test_only_the_case_s_readers_open_it(book, person, may):
    cid = chen_case(book)
    r = book.run("show", cid, "--reveal", user=person, expect=None)
    if may:
        assert r.exit_code == 0 and PHONE in r.stdout
    else:
        assert r.exit_code == 2 and PHONE not in r.output and "张女士" not in r.output
        assert "li may not open" in r.output and "hotline access" in r.output
        assert len(r.output.strip().splitlines()) == 1


def test_a_hand_over_makes_the_new_owner_and_their_leader_readers(book):
    cid = chen_case(book)
    book.run("show", cid, "--reveal", user="li", expect=2)
    book.run("assign", cid, "--to", "li", user="zhao")
    assert PHONE in book.run("show", cid, "--reveal", user="li").stdout
    readers = {r["person"]: r["why"] for r in json.loads(book.run("access", cid, "--format", "json").stdout)}
    assert readers == {"wang": ["group:leader", "role:director"], "zhao": ["group:leader"], "chen": ["owner"],
                       "li": ["assigned"], "xu": ["role:secretary"]}


def test_access_lists_who_may_read_and_why(book):
    cid = chen_case(book)
    readers = {r["person"]: r["why"] for r in json.loads(book.run("access", cid, "--format", "json").stdout)}
    assert readers == {"wang": ["role:director"], "zhao": ["group:leader"], "chen": ["owner"], "xu": ["role:secretary"]}
    table = book.run("access", cid).stdout
    assert "li" not in table.split() and "every case" in table


def test_the_line_changes_who_may_read_by_role(book):
    cid = chen_case(book)
    rules = book.root / "rules.yaml"
    text = rules.read_text(encoding="utf-8")
    assert "  group: [leader]\n  all: [director, secretary]\n" in text       # the default, as init writes it
    rules.write_text(text.replace("  group: [leader]\n  all: [director, secretary]\n", "  group: []\n  all: [director]\n"),
                     encoding="utf-8")
    readers = {r["person"] for r in json.loads(book.run("access", cid, "--format", "json").stdout)}
    assert readers == {"wang", "chen"}
    book.run("show", cid, "--reveal", user="xu", expect=2)
    book.run("show", cid, "--reveal", user="zhao", expect=2)


def test_a_bad_access_section_is_named_with_its_line(book):
    rules = book.root / "rules.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("  owner: true\n", "  owner: maybe\n"), encoding="utf-8")
    r = book.run("check", expect=None)
    assert r.exit_code != 0 and "access.owner" in r.output and "rules.yaml:" in r.output


def test_someone_who_left_reads_nothing(book):
    cid = chen_case(book)
    roster = book.root / "roster.yaml"
    text = roster.read_text(encoding="utf-8")
    roster.write_text(text.replace("  - id: zhao\n    name: 赵强\n", "  - id: zhao\n    name: 赵强\n    active: false\n"),
                      encoding="utf-8")
    readers = {r["person"] for r in json.loads(book.run("access", cid, "--format", "json").stdout)}
    assert "zhao" not in readers


def test_refer_with_the_contact_is_refused_to_someone_who_may_not_read(book, env):
    cid = book.intake("--contact", PHONE, grade="gray", user="chen")
    form = env / "form.md"
    r = book.run("refer", cid, "--to", "legal-aid", "--form", str(form), "--include-contact", user="li", expect=2)
    assert PHONE not in r.output and not form.exists()
    events = json.loads(book.run("show", cid, "--format", "json").stdout)["events"]
    assert [e["type"] for e in events] == ["intake"]          # nothing recorded


def test_the_workbook_export_with_personal_data_is_refused_whole(book, tmp_path):
    book.intake("--contact", "13900001111", user="li")
    chen_case(book)
    out = tmp_path / "register.xlsx"
    r = book.run("list", "--format", "xlsx", "--output", str(out), "--reveal", user="li", expect=2)
    assert not out.exists() and "nothing was decrypted" in r.output
    book.run("list", "--format", "xlsx", "--output", str(out), "--reveal", user="wang")
    assert out.exists()


def test_the_caller_s_file_is_refused_to_someone_who_may_not_read(book):
    cid = chen_case(book)
    r = book.run("caller", cid, user="li", expect=2)
    assert "may not open" in r.output
    book.run("caller", cid, user="zhao")
