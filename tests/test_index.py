"""The derived index is invisible: the same answers with it, without it, and after it goes stale."""
from __future__ import annotations

import json
import os
import subprocess
import time

import pytest

READS = [
    ("list", "--format", "json"),
    ("list", "--status", "open", "--format", "json"),
    ("list", "--month", "2026-10", "--format", "json"),
    ("overdue", "--as-of", "2026-11-20 18:00", "--format", "json"),
    ("overdue", "--as-of", "2026-10-20 18:00", "--soon", "3 days", "--format", "json"),
    ("report", "--month", "2026-10", "--format", "json"),
    ("score", "--month", "2026-10", "--format", "json"),
]


def age_files(book, seconds=3600):
    """Make every case file look old, so the index trusts its mtime (no racy re-parse)."""
    past = time.time() - seconds
    for f in (book.root / "cases").rglob("*.yaml"):
        os.utime(f, (past, past))


def answers(book, no_index=False):
    env = {"HOTLINE_NO_INDEX": "1"} if no_index else None
    out = {}
    for args in READS:
        r = book.run(*args, env=env)
        data = json.loads(r.stdout)
        if isinstance(data, dict):
            data.pop("as_of", None)
        out[args] = data
    return out


@pytest.fixture
def busy(book):
    """A book with cases across two months: open, referred, closed late and on time, repeat callers."""
    a = book.intake("--contact", "13800000001", grade="gray", at="2026-09-28 10:00")
    book.run("refer", a, "--to", "legal-aid", "--at", "2026-09-29 10:00")
    book.run("close", a, "--outcome", "resolved", "--at", "2026-10-15 10:00")
    b = book.intake("--contact", "13800000001", grade="red", at="2026-10-08 10:00", user="li")
    book.run("followup", b, "--note", "已回电", "--at", "2026-10-08 10:30", user="li")
    c = book.intake(grade="green", at="2026-10-09 15:00")
    book.run("close", c, "--outcome", "resolved", "--at", "2026-10-12 10:00")
    book.intake(grade="green", at="2026-10-20 11:00", user="li")
    d = book.intake(grade="gray", at="2026-11-02 11:00")
    book.run("urge", d, "--at", "2026-11-10 10:00", user="zhao")
    book.run("award", "li", "lecture_outreach", "--date", "2026-10-12")
    age_files(book)
    return book


def index_file(book):
    return book.root / ".git" / "hotline-index.sqlite"


def test_same_answers_with_and_without_the_index(busy):
    with_index = answers(busy)
    assert index_file(busy).exists()
    assert with_index == answers(busy, no_index=True)
    assert with_index == answers(busy)  # warm index


def test_deleting_the_index_loses_nothing(busy):
    first = answers(busy)
    index_file(busy).unlink()
    assert answers(busy) == first


def test_a_corrupted_index_is_rebuilt(busy):
    first = answers(busy)
    index_file(busy).write_bytes(b"this is not a database" * 100)
    assert answers(busy) == first


def test_an_edit_by_hand_is_noticed(busy):
    answers(busy)
    f = next(p for p in (busy.root / "cases").rglob("*.yaml") if "grade: green" in p.read_text(encoding="utf-8"))
    text = f.read_text(encoding="utf-8").replace("grade: green", "grade: red  ")  # same size, in place
    st = f.stat()
    with open(f, "r+", encoding="utf-8") as fh:
        fh.write(text)
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    rows = {r["id"]: r["grade"] for r in json.loads(busy.run("list", "--format", "json").stdout)}
    assert rows[f.stem] == "red"
    assert answers(busy) == answers(busy, no_index=True)


def test_changes_from_git_pull_are_noticed(busy, tmp_path):
    answers(busy)
    other = tmp_path / "office2"
    subprocess.run(["git", "clone", "-q", str(busy.root), str(other)], check=True)
    from typer.testing import CliRunner

    from hotline.cli import app

    env = {"HOTLINE_BOOK": str(other), "HOTLINE_USER": "li"}
    runner = CliRunner()
    first = json.loads(runner.invoke(app, ["list", "--status", "open", "--format", "json"], env=env).stdout)[0]["id"]
    assert runner.invoke(app, ["close", first, "--outcome", "resolved", "--at", "2026-11-21 10:00"], env=env).exit_code == 0
    r = runner.invoke(app, ["intake", "--no-input", "-q", "--channel", "phone", "--grade", "green", "--role", "party",
                            "--category", "divorce", "--need", "legal", "--summary", "x", "--at", "2026-10-21 10:00"], env=env)
    new = r.stdout.strip()
    subprocess.run(["git", "pull", "-q", "--no-rebase", "--no-edit", str(other), "HEAD"], cwd=busy.root, check=True,
                   capture_output=True)
    rows = {r["id"]: r["status"] for r in json.loads(busy.run("list", "--format", "json").stdout)}
    assert new in rows and rows[first] == "closed"
    assert answers(busy) == answers(busy, no_index=True)


def test_a_broken_file_is_reported_every_time_not_hidden_by_the_index(busy):
    f = busy.root / "cases" / "2026" / "10" / "261020-ZZZZZ.yaml"
    f.write_text("id: [broken\n", encoding="utf-8")
    for _ in range(2):
        r = busy.run("list", "--format", "json")
        assert "261020-ZZZZZ.yaml:1:" in r.output
        r = busy.run("overdue", "--format", "json")
        assert "261020-ZZZZZ.yaml:1:" in r.output


def test_a_deleted_case_file_leaves_the_index(busy):
    answers(busy)
    f = next((busy.root / "cases").rglob("*.yaml"))
    f.unlink()
    ids = [r["id"] for r in json.loads(busy.run("list", "--format", "json").stdout)]
    assert f.stem not in ids


def test_repeat_callers_found_through_the_index(busy):
    r = busy.run("intake", "--no-input", "--channel", "phone", "--grade", "green", "--role", "party",
                 "--category", "divorce", "--need", "legal", "--summary", "x", "--contact", "138 0000 0001",
                 "--at", "2026-11-21 10:00")
    assert "2 earlier case(s)" in r.stdout


# ---------------------------------------------------------------- the shortcuts of freshness (issue #26)
# A full read looks again only at the month folders whose signature moved and, elsewhere, at the
# files whose ctime is later than the last refresh's stamp (found by `find`, or by Python without
# it).  Each shortcut below has a change it must still notice.  RACY_SECONDS is made short, so
# that rows are trusted (not kept as racy) within a test's time.

@pytest.fixture(params=["find", "python"])
def quick(busy, monkeypatch, request):
    from hotline.storage import index

    monkeypatch.setattr(index, "RACY_SECONDS", 0.05)
    if request.param == "python":
        monkeypatch.setattr(index, "FIND", "no-such-find-here")
    answers(busy)
    time.sleep(0.1)
    answers(busy)  # every row now trusted, and the stamp set
    time.sleep(0.1)
    return busy


def grades(book):
    return {r["id"]: r["grade"] for r in json.loads(book.run("list", "--format", "json").stdout)}


def green_file(book):
    return next(p for p in sorted((book.root / "cases").rglob("*.yaml")) if "grade: green" in p.read_text(encoding="utf-8"))


def edit_in_place(f, old, new):
    """Rewrite f in place, its size, inode and mtime (to the nanosecond) kept: only ctime moves."""
    st = f.stat()
    text = f.read_text(encoding="utf-8").replace(old, new)
    with open(f, "r+", encoding="utf-8") as fh:
        fh.write(text)
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))
    after = f.stat()
    assert (after.st_size, after.st_ino, after.st_mtime_ns) == (st.st_size, st.st_ino, st.st_mtime_ns)


def test_an_edit_in_place_keeping_size_and_mtime_is_noticed(quick):
    f = green_file(quick)
    edit_in_place(f, "grade: green", "grade: red  ")
    assert grades(quick)[f.stem] == "red"
    assert answers(quick) == answers(quick, no_index=True)


def test_an_edit_within_the_same_second_twice_is_noticed(quick, monkeypatch):
    from hotline.storage import index

    monkeypatch.setattr(index, "RACY_SECONDS", 3)  # the real window: the first edit's row is kept as racy
    f = green_file(quick)
    edit_in_place(f, "grade: green", "grade: red  ")
    assert grades(quick)[f.stem] == "red"
    edit_in_place(f, "grade: red  ", "grade: gray ")
    assert grades(quick)[f.stem] == "gray"


def test_a_file_replaced_by_another_with_the_same_size_and_mtime_is_noticed(quick):
    f = green_file(quick)
    st = f.stat()
    tmp = f.with_name(".replacement")
    tmp.write_text(f.read_text(encoding="utf-8").replace("grade: green", "grade: red  "), encoding="utf-8")
    os.utime(tmp, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.replace(tmp, f)
    assert grades(quick)[f.stem] == "red"


def test_a_new_uncommitted_file_and_a_deleted_one_are_noticed(quick):
    f = green_file(quick)
    new = f.with_name(f.stem[:-1] + ("Q" if f.stem[-1] != "Q" else "R") + ".yaml")
    new.write_text(f.read_text(encoding="utf-8").replace(f"id: {f.stem}", f"id: {new.stem}"), encoding="utf-8")
    assert new.stem in grades(quick)
    f.unlink()
    assert f.stem not in grades(quick)
    assert answers(quick) == answers(quick, no_index=True)


def test_a_branch_switch_is_noticed(quick):
    quick.git("checkout", "-q", "-b", "other")
    f = green_file(quick)
    # a plain edit (mtime moves): git's own stat cache must see it to commit it
    f.write_text(f.read_text(encoding="utf-8").replace("grade: green", "grade: red"), encoding="utf-8")
    quick.git("commit", "-q", "-am", "regraded by hand")
    assert grades(quick)[f.stem] == "red"
    quick.git("checkout", "-q", "-")
    assert grades(quick)[f.stem] == "green"
    quick.git("checkout", "-q", "other")
    assert grades(quick)[f.stem] == "red"
    assert answers(quick) == answers(quick, no_index=True)


def test_an_edit_before_an_intake_is_noticed_after_it(quick):
    """Intake's refresh looks only at the folders (light): it must not move the stamp past an
    edit in place that it did not look at."""
    f = green_file(quick)
    edit_in_place(f, "grade: green", "grade: red  ")
    time.sleep(0.1)
    quick.intake("--contact", "13800000009", grade="green", at="2026-11-20 11:00")
    assert grades(quick)[f.stem] == "red"


def test_a_clock_set_back_makes_the_next_read_compare_every_file(quick):
    import sqlite3

    db = sqlite3.connect(index_file(quick))
    db.execute("UPDATE meta SET value = ? WHERE key = 'stamp'", (str(time.time_ns() + 86_400 * 10**9),))
    db.commit()
    db.close()
    f = green_file(quick)
    edit_in_place(f, "grade: green", "grade: red  ")  # its ctime is before the (future) stamp
    assert grades(quick)[f.stem] == "red"


def test_cold_check_asks_its_own_parse_about_pseudonyms_never_the_index(book, monkeypatch):
    """`check` parsed every case already: it knows from that parse whether a case carries a caller
    pseudonym (it never asks the index, which a cold check would build a second time just for
    that), and still names a lost caller key."""
    from hotline.storage.store import Store

    book.intake("--contact", "13800000001")
    (book.root / "keys" / "caller-key.age").unlink()
    index_file(book).unlink(missing_ok=True)

    def asked(self):
        raise AssertionError("check asked the index whether any case has a caller pseudonym")

    monkeypatch.setattr(Store, "has_pseudonyms", asked)
    c = book.run("check", expect=1)
    assert "keys/caller-key.age is missing although cases carry caller pseudonyms" in c.stdout


def overdue_cases(book, as_of="2026-11-20 18:00", soon=None):
    args = ["overdue", "--as-of", as_of, "--format", "json"] + (["--soon", soon] if soon else [])
    return sorted((r["case"], r["kind"]) for r in json.loads(book.run(*args).stdout))


def test_overdue_reads_only_the_cases_with_a_clock_due_and_agrees_with_the_files(busy):
    """The index keeps each case's next due time (domain.clocks.next_due): `overdue` asks only for
    the cases due by its time (or its --soon horizon) and answers as a read of every file does."""
    for as_of, soon in (("2026-11-20 18:00", None), ("2026-11-03 09:00", "3 working days"),
                        ("2026-10-08 10:10", "1 day"), ("2026-12-30 10:00", None)):
        with_index = overdue_cases(busy, as_of, soon)
        assert with_index == overdue_cases_without_index(busy, as_of, soon)
    import sqlite3

    db = sqlite3.connect(index_file(busy))
    due = dict(db.execute("SELECT id, next_due FROM cases"))
    db.close()
    # the gray case of 2026-11-02 11:00 (urged, still open): its first deadline is the 3 working days
    # to refer it (refer: gray) and to close it, ending 2026-11-05 23:59:59 Beijing = 15:59:59 UTC
    gray = next(r["id"] for r in json.loads(busy.run("list", "--format", "json").stdout)
                if r["received"].startswith("2026-11-02"))
    assert due[gray] == "2026-11-05T15:59:59"


def overdue_cases_without_index(book, as_of, soon):
    args = ["overdue", "--as-of", as_of, "--format", "json"] + (["--soon", soon] if soon else [])
    return sorted((r["case"], r["kind"]) for r in json.loads(book.run(*args, env={"HOTLINE_NO_INDEX": "1"}).stdout))


def test_a_deadline_changed_in_rules_moves_the_indexed_due_times(quick):
    """next_due depends on the rules: a shorter revisit deadline makes a case late earlier, and
    the index must not keep the old due time (it would leave the case out)."""
    # the gray case closed 2026-10-15 10:00 awaits its revisit: 30 days, due 2026-11-14 23:59:59
    as_of = "2026-11-12 09:00"
    assert not [k for _c, k in overdue_cases(quick, as_of) if k == "revisit"]
    rules = quick.root / "rules.yaml"
    text = rules.read_text(encoding="utf-8")
    assert text.count("    gray: 30 days\n") == 1
    rules.write_text(text.replace("    gray: 30 days\n", "    gray: 20 days\n"), encoding="utf-8")
    after = overdue_cases(quick, as_of)  # due 2026-11-04 23:59:59: late by 11-12
    assert [k for _c, k in after if k == "revisit"] == ["revisit"]
    assert after == overdue_cases_without_index(quick, as_of, None)


def test_a_store_without_rules_reads_the_index_a_book_built(busy):
    """A bare Store (no rules, no calendar: tools and tests) opens the index a Book built with
    next_due and reads every case."""
    from hotline.storage.store import Store

    listed = {r["id"] for r in json.loads(busy.run("list", "--format", "json").stdout)}
    assert {c.id for c in Store(busy.root).all()} == listed
    assert {r["id"] for r in json.loads(busy.run("list", "--format", "json").stdout)} == listed


def test_several_periods_read_at_once_answer_as_each_read_alone(busy, monkeypatch):
    """`report` reads its month, the month before (环比) and the same month a year before (同比) in one
    pass (Store.for_periods): each list holds exactly the cases, in the order, `for_period` gives
    alone — with the index and without — and a case in several lists is decoded once."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from hotline.book import Book
    from hotline.storage.store import Period

    sh = ZoneInfo("Asia/Shanghai")
    t = lambda text: datetime.fromisoformat(text).replace(tzinfo=sh)  # noqa: E731
    periods = [Period(t("2026-09-01"), t("2026-10-31 23:59:59"), t("2026-09-01"), True),
               Period(t("2026-10-01"), t("2026-10-31 23:59:59"), t("2026-10-01"), True),
               Period(t("2026-11-01"), t("2026-11-30 23:59:59")),
               Period(t("2026-10-16"), t("2026-10-16 23:59:59"), None, True),   # settled before: only a's...
               Period(t("2025-10-01"), t("2025-10-31 23:59:59"), t("2025-10-01"), True)]   # nothing yet
    broken = busy.root / "cases" / "2026" / "10" / "261020-ZZZZZ.yaml"
    broken.write_text("id: [broken\n", encoding="utf-8")
    monkeypatch.chdir(busy.root)
    for no_index in (False, True):
        if no_index:
            monkeypatch.setenv("HOTLINE_NO_INDEX", "1")
        book = Book.open(busy.root)
        problems: list = []
        together = book.store.for_periods(periods, problems)
        assert [p.path.name for p in problems] == ["261020-ZZZZZ.yaml"]  # named once
        alone = [Book.open(busy.root).store.for_period(p.start, p.end, [], p.received_since, p.with_earlier_callers)
                 for p in periods]
        assert [[c.id for c in lst] for lst in together] == [[c.id for c in lst] for lst in alone]
        assert [len(lst) for lst in together][:3] != [0, 0, 0] and together[-1] == []
        if not no_index:
            # every case in two lists is one object: decoded once
            seen = {}
            for lst in together:
                for c in lst:
                    assert seen.setdefault(c.id, c) is c
            assert len(together[0]) < sum(len(lst) for lst in together[:2])  # some are shared


def test_the_reminders_count_alike_with_and_without_the_index(tmp_path):
    # `report` and `check` remind of blocks still on staff keys and of cases past the retention
    # period; with the index they are counted in SQL (indexed columns `personal`, `retained_from`),
    # without it from every parsed case — the same numbers (the demo book: cases on staff keys)
    import shutil
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    book = tmp_path / "demo"
    book.mkdir()
    for name in ("cases", "templates", "keys"):
        if (root / name).exists():
            shutil.copytree(root / name, book / name)
    for name in ("rules.yaml", "roster.yaml"):
        shutil.copy(root / name, book / name)
    subprocess.run(["git", "init", "-q", str(book)], check=True)
    subprocess.run(["git", "-C", str(book), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(book), "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit",
                    "-qm", "demo"], check=True)
    legacy = sum(1 for f in (book / "cases").rglob("*.yaml")
                 if "\n  age: |" in (t := f.read_text(encoding="utf-8")) and "\n  key: age1" not in t)
    assert legacy > 5

    def said(*args, index=True):
        env = {**os.environ, "HOTLINE_NOW": "2031-06-01 10:00", "HOTLINE_LANG": "en"}
        if not index:
            env["HOTLINE_NO_INDEX"] = "1"
        p = subprocess.run([sys.executable, "-m", "hotline", "--book", str(book), *args], capture_output=True,
                           text=True, encoding="utf-8", env=env, timeout=300)
        return [line for line in p.stderr.splitlines() if "case(s)" in line]

    for args in (("report", "--month", "2026-11", "--format", "json"), ("check", "--format", "json")):
        with_index, without = said(*args), said(*args, index=False)
        assert with_index == without
        assert any(line.startswith(f"hotline: {legacy} case(s) are still encrypted to every staff key")
                   for line in with_index) or args[0] == "report", with_index
        assert any("past the retention period" in line for line in with_index), with_index
