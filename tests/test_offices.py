"""Several offices, one book (issue #15): stable ids, the merge driver, `sync`, `resolve`, a new
office's clone.  Real git everywhere: a bare remote and clones of it, each its own book.
"""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import yaml

import conftest
from conftest import git
from hotline.cli import app


def events(tb, cid: str) -> list[dict]:
    return yaml.safe_load(tb.case_file(cid).read_text(encoding="utf-8"))["events"]


def ledger(tb, month: str) -> list[dict]:
    path = tb.root / "ledger" / f"{month}.yaml"
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("entries", []) if path.exists() else []


def listing(tb, *args: str) -> str:
    return tb.run(*args, "--format", "json").stdout


# ---------------------------------------------------------------- ids and the driver's registration

def test_every_event_and_entry_gets_an_id_and_old_books_get_the_same_ids_in_every_clone(offices, env):
    a, b, _remote = offices
    cid = a.intake()
    a.run("award", "li", "lecture_outreach", "--date", "2026-11-20")
    ev = events(a, cid)
    assert all(re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{8}", e["id"]) for e in ev)
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{8}", ledger(a, "2026-11")[0]["id"])
    # a book written before ids: strip them, commit, and let two clones upgrade separately
    for path in [a.case_file(cid), a.root / "ledger" / "2026-11.yaml"]:
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"(?m)^(\s*)- id: \w{8}\n\1  ", r"\1- ", text), encoding="utf-8")
    assert "id: " not in (a.root / "ledger" / "2026-11.yaml").read_text(encoding="utf-8")
    a.git("commit", "-qam", "an old book")
    a.run("sync")
    b.run("sync")
    a.run("upgrade")
    b.run("upgrade")
    assert a.case_file(cid).read_bytes() == b.case_file(cid).read_bytes()
    assert "- id: " in a.case_file(cid).read_text(encoding="utf-8")
    assert (a.root / "ledger" / "2026-11.yaml").read_bytes() == (b.root / "ledger" / "2026-11.yaml").read_bytes()
    a.run("sync")
    b.run("sync")  # both upgraded the same way: the merge has nothing to reconcile
    assert len(events(b, cid)) == 1 and len(ledger(b, "2026-11")) == 1
    assert "Nothing" in a.run("upgrade").stdout or "up to date" in a.run("upgrade").stdout


def test_a_plain_git_clone_gets_the_driver_from_its_first_write_and_reads_write_nothing(offices, env):
    a, _b, remote = offices
    plain = env / "plain"
    git(env, "clone", "-q", str(remote), str(plain))
    assert "merge.hotline" not in git(plain, "config", "--list", "--local")
    config = (plain / ".git" / "config").read_bytes()
    clone = conftest.TestBook(plain, env / "home", a.runner)
    for read in (["list"], ["overdue"], ["report", "--month", "2026-11"], ["score", "--month", "2026-11"], ["check"]):
        clone.run(*read)
    assert (plain / ".git" / "config").read_bytes() == config          # a read changes nothing, not even git's config
    clone.run("award", "li", "lecture_centre", "--date", "2026-11-20")
    assert "-m hotline merge-file %O %A %B %P" in git(plain, "config", "merge.hotline.driver")
    attrs = (plain / ".gitattributes").read_text(encoding="utf-8")
    assert "cases/**/*.yaml merge=hotline" in attrs and "ledger/*.yaml merge=hotline" in attrs


def test_init_clone_says_which_line_to_add_to_the_roster(book, env, monkeypatch):
    remote = env / "remote.git"
    git(env, "init", "-q", "--bare", str(remote))
    book.git("remote", "add", "origin", str(remote))
    book.run("sync")
    monkeypatch.setenv("HOTLINE_IDENTITY", str(env / "newcomer.txt"))  # a new person, no key yet
    r = book.runner.invoke(app, ["init", "--clone", str(remote), str(env / "office3"), "--id", "sun"])
    assert r.exit_code == 0, r.output
    key = (env / "newcomer.txt").read_text(encoding="utf-8")
    assert "- id: sun" in r.stdout and re.search(r"key: age1\w+", r.stdout)
    assert "hotline rekey" in r.stdout and "hotline sync" in r.stdout
    assert "AGE-SECRET-KEY" in key and "AGE-SECRET-KEY" not in r.stdout
    assert (env / "office3" / "rules.yaml").is_file()
    # the key holder pastes the printed lines into roster.yaml and rekeys: the roster goes out with the cases
    lines = r.stdout[r.stdout.rindex("\n", 0, r.stdout.index("- id: sun")) + 1:].split("\n")
    entry = "\n".join(l for l in lines[:7] if l.strip().startswith(("- id:", "name:", "group:", "roles:", "email:", "key:")))
    roster = book.root / "roster.yaml"
    roster.write_text(roster.read_text(encoding="utf-8").replace("partners:", entry + "\npartners:", 1), encoding="utf-8")
    monkeypatch.setenv("HOTLINE_IDENTITY", str(env / "identity.txt"))
    book.run("approve", "--yes")      # the director approves the new key: the roster goes with the approval
    assert book.git("status", "--porcelain", "--", "roster.yaml") == ""
    book.run("rekey")
    book.run("sync")
    third = conftest.TestBook(env / "office3", env / "home", book.runner)
    third.run("sync")
    assert "sun" in third.run("roster", "--format", "json").stdout
    r = book.runner.invoke(app, ["init", "--clone", str(env / "nowhere.git"), str(env / "office4")])
    assert r.exit_code == 1 and "cannot reach" in r.output


# ---------------------------------------------------------------- the two offices

def test_two_offices_following_up_the_same_case_and_awarding_the_same_month_keep_everything(offices):
    a, b, _remote = offices
    cid = a.intake()
    a.run("sync")
    b.run("sync")
    b.run("followup", cid, "--note", "B 跟进", "--at", "2026-11-21 10:00")
    b.run("award", "li", "lecture_outreach", "--date", "2026-11-21")
    a.run("followup", cid, "--note", "A 跟进", "--at", "2026-11-21 11:00")
    a.run("award", "zhao", "article_special", "--date", "2026-11-21")
    a.run("sync")
    r = b.run("sync")
    assert re.search(r"2 change\(s\) came in \(1 case\(s\)\), 2 went out", r.stdout)
    a.run("sync")
    for tb in (a, b):
        notes = [e.get("note") for e in events(tb, cid) if e["type"] == "followup"]
        assert notes == ["B 跟进", "A 跟进"]
        assert sorted(e["item"] for e in ledger(tb, "2026-11")) == ["article_special", "lecture_outreach"]
        assert tb.run("check").stdout == ""
    assert a.case_file(cid).read_bytes() == b.case_file(cid).read_bytes()
    assert listing(a, "score", "--month", "2026-11") == listing(b, "score", "--month", "2026-11")


def test_what_two_offices_do_independently_is_a_normal_merge_read_by_the_rules(offices):
    a, b, _remote = offices
    cid = a.intake(at="2026-11-20 15:00")
    a.run("sync")
    b.run("sync")
    # both refer, both urge, both close — the first close counts, the later stays in the history
    a.run("refer", cid, "--to", "legal-aid", "--at", "2026-11-20 16:00")
    b.run("refer", cid, "--to", "counselling", "--at", "2026-11-20 16:30")
    a.run("close", cid, "--outcome", "resolved", "--at", "2026-11-23 09:00")
    b.run("followup", cid, "--note", "另一办公室已结案，这里仍在跟进", "--at", "2026-11-23 09:30")
    b.run("close", cid, "--outcome", "unresolved", "--reason", "失联", "--at", "2026-11-23 10:00")
    a.run("sync")
    b.run("sync")
    a.run("sync")
    kinds = [e["type"] for e in events(a, cid)]
    assert kinds == ["intake", "refer", "refer", "close", "followup", "close"]
    for tb in (a, b):
        assert tb.run("check").stdout == ""
        card = json.loads(tb.run("show", cid, "--format", "json").stdout)
        assert card["status"] == "closed"
        case = json.loads(tb.run("list", "--format", "json").stdout)
        assert [c["status"] for c in case] == ["closed"]
    # points: the first close (resolved) gives the owner +2 once; the later unresolved close gives nothing
    entries = json.loads(a.run("score", "--month", "2026-11", "--person", "wang", "--format", "json").stdout)["entries"]
    assert [(e["item"], e["points"]) for e in entries] == [("resolved_case", 2)]
    # the bulletin counts one closure, dated by the first close
    report = json.loads(a.run("report", "--month", "2026-11", "--format", "json").stdout)
    assert report["closures"]["count"] == 1


def test_a_field_changed_differently_in_two_offices_is_kept_named_and_settled_by_a_choice(offices):
    a, b, _remote = offices
    cid = a.intake()
    a.run("sync")
    b.run("sync")
    a.run("amend", cid, "--region", "广州", "--note", "A", "--at", "2026-11-21 09:00")
    b.run("amend", cid, "--region", "深圳", "--note", "B", "--at", "2026-11-21 09:05")
    b.run("amend", cid, "--occupation", "教师", "--at", "2026-11-21 09:06")   # a different field: no conflict
    a.run("sync")
    r = b.run("sync")
    assert f"hotline resolve {cid}" in r.stderr                      # what the volunteer sees at once
    data = yaml.safe_load(b.case_file(cid).read_text(encoding="utf-8"))
    assert data["conflicts"] == {"region": {"values": ["广州", "深圳"]}}
    assert data["caller"]["occupation"] == "教师"
    assert [e.get("note") for e in data["events"] if e["type"] == "amend"] == ["A", "B", None]
    r = b.run("check", expect=1)
    assert f"hotline resolve {cid}" in r.stdout and "region" in r.stdout
    assert "keep one" not in r.stdout.lower()
    assert "广州 | 深圳" in b.run("show", cid).stdout
    r = b.run("resolve", cid, expect=1)                              # no terminal: the values, numbered
    assert "1) 广州" in r.stderr and "2) 深圳" in r.stderr
    b.run("resolve", cid, "--take", "region=2")
    data = yaml.safe_load(b.case_file(cid).read_text(encoding="utf-8"))
    assert "conflicts" not in data and data["caller"]["region"] == "深圳"
    assert data["events"][-1]["type"] == "amend" and data["events"][-1]["changes"]["region"]["new"] == "深圳"
    assert b.run("check").stdout == ""
    b.run("sync")
    a.run("sync")
    assert yaml.safe_load(a.case_file(cid).read_text(encoding="utf-8"))["caller"]["region"] == "深圳"
    assert a.run("check").stdout == ""
    r = b.run("resolve", cid, "--take", "region=1", expect=2)
    assert "no fields to choose" in r.stderr


def test_a_conflict_settled_in_one_office_stays_settled_when_the_other_syncs(offices):
    a, b, _remote = offices
    cid = a.intake()
    a.run("sync")
    b.run("sync")
    a.run("amend", cid, "--grade", "red", "--at", "2026-11-21 09:00", "--no-input")
    b.run("amend", cid, "--grade", "gray", "--at", "2026-11-21 09:05", "--no-input")
    a.run("sync")
    b.run("sync")
    a.run("sync")                                                    # both now hold the conflict
    b.run("resolve", cid, "--take", "grade=1")
    a.run("followup", cid, "--note", "meanwhile", "--at", "2026-11-21 10:00")
    b.run("sync")
    a.run("sync")
    data = yaml.safe_load(a.case_file(cid).read_text(encoding="utf-8"))
    assert "conflicts" not in data and data["grade"] == "gray"
    assert a.run("check").stdout == ""


def test_personal_data_edited_while_another_office_rekeys_is_merged_from_its_contents(offices):
    a, b, _remote = offices
    cid = a.intake("--contact", "13800001234", "--name", "张女士")
    a.run("sync")
    b.run("sync")
    a.run("amend", cid, "--contact", "13900009999", "--at", "2026-11-21 09:00")
    b.run("rekey")
    a.run("sync")
    b.run("sync")
    a.run("sync")
    for tb in (a, b):
        shown = tb.run("show", cid, "--reveal").stdout
        assert "13900009999" in shown and "张女士" in shown
        assert tb.run("check").stdout == ""
        data = yaml.safe_load(tb.case_file(cid).read_text(encoding="utf-8"))
        assert "conflicts" not in data
    # the pseudonym follows the new number: a call from it is recognised as the same caller
    assert a.case_file(cid).read_bytes() == b.case_file(cid).read_bytes()


def test_without_a_key_personal_blocks_changed_on_both_sides_are_kept_as_a_named_conflict(offices, env, monkeypatch):
    a, b, _remote = offices
    cid = a.intake("--contact", "13800001234")
    a.run("sync")
    b.run("sync")
    a.run("amend", cid, "--contact", "13900009999", "--at", "2026-11-21 09:00")
    b.run("amend", cid, "--contact", "13700007777", "--at", "2026-11-21 09:01")
    a.run("sync")
    monkeypatch.setenv("HOTLINE_IDENTITY", str(env / "no-such-identity.txt"))  # this office has no key
    b.run("sync")
    data = yaml.safe_load(b.case_file(cid).read_text(encoding="utf-8"))
    assert len(data["conflicts"]["personal"]["values"]) == 2
    assert all(v.startswith("-----BEGIN AGE ENCRYPTED FILE-----") for v in data["conflicts"]["personal"]["values"])
    assert "personal" in b.run("check", expect=1).stdout
    monkeypatch.setenv("HOTLINE_IDENTITY", str(env / "identity.txt"))         # a key holder settles it
    b.run("resolve", cid, "--take", "personal=1")
    assert b.run("check").stdout == ""
    shown = b.run("show", cid, "--reveal").stdout
    assert ("13900009999" in shown) != ("13700007777" in shown)


def test_the_same_new_month_of_points_and_year_of_leave_in_two_offices(offices, monkeypatch):
    monkeypatch.setenv("HOTLINE_NOW", "2027-01-06 12:00")  # its writes are dated up to then: no write is in the future
    a, b, _remote = offices
    a.run("award", "li", "lecture_outreach", "--date", "2026-12-01")
    b.run("penalize", "chen", "hygiene", "--date", "2026-12-02")
    a.run("leave", "li", "--from", "2027-01-04", "--to", "2027-01-05", "--at", "2026-11-23 09:00")
    b.run("leave", "chen", "--from", "2027-01-06", "--to", "2027-01-06", "--at", "2026-11-23 09:00")
    a.run("sync")
    b.run("sync")
    a.run("sync")
    for tb in (a, b):
        assert sorted(e["item"] for e in ledger(tb, "2026-12")) == ["hygiene", "lecture_outreach"]
        leave = yaml.safe_load((tb.root / "leave" / "2027.yaml").read_text(encoding="utf-8"))["entries"]
        assert sorted(x["person"] for x in leave) == ["chen", "li"]
        assert tb.run("check").stdout == ""


# ---------------------------------------------------------------- sync's edges

def test_sync_offline_says_so_and_changes_nothing(offices, env):
    a, _b, remote = offices
    a.intake()
    head = a.git("rev-parse", "HEAD")
    remote.rename(env / "unplugged.git")                              # the USB disk is not there
    r = a.run("sync", expect=1)
    assert "cannot reach origin" in r.stderr and "nothing was changed" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert a.git("rev-parse", "HEAD") == head and a.git("status", "--porcelain") == ""


def test_refused_credentials_are_explained(offices, env, monkeypatch):
    a, _b, _remote = offices
    a.git("remote", "add", "server", "ssh://git@example.invalid/book.git")
    fake = env / "fake-ssh"
    fake.write_text("#!/bin/sh\necho 'git@example.invalid: Permission denied (publickey).' >&2\nexit 255\n")
    fake.chmod(0o755)
    monkeypatch.setenv("GIT_SSH_COMMAND", str(fake))
    r = a.run("sync", "server", expect=1)
    assert "refused the credentials" in r.stderr and "SSH key" in r.stderr


def test_sync_needs_a_known_remote(book):
    r = book.run("sync", expect=2)
    assert "git remote add origin" in r.stderr
    book.git("remote", "add", "origin", "/nowhere")
    r = book.run("sync", "upstream", expect=2)
    assert "'upstream' is not known" in r.stderr and "origin" in r.stderr


def test_sync_tries_again_when_the_remote_moved_meanwhile(offices, monkeypatch):
    from hotline.storage import gitsync

    a, b, _remote = offices
    cid = a.intake()
    a.run("sync")
    b.run("sync")
    b.run("followup", cid, "--note", "B", "--at", "2026-11-21 10:00")
    a.run("followup", cid, "--note", "A", "--at", "2026-11-21 11:00")
    real_push = gitsync.push
    calls = []

    def push(top, remote, name, set_upstream):
        calls.append(Path(top).name)
        if calls == ["book"]:  # the other office pushes between our fetch and our push
            b.run("sync")
        return real_push(top, remote, name, set_upstream)

    monkeypatch.setattr(gitsync, "push", push)
    a.run("sync")
    assert calls == ["book", "office2", "book"]                       # ours refused once, then again after a merge
    monkeypatch.undo()
    b.run("sync")
    assert [e.get("note") for e in events(b, cid) if e["type"] == "followup"] == ["B", "A"]


def test_a_merge_without_the_driver_is_repaired_by_resolve_without_losing_an_event(offices, env):
    a, b, _remote = offices
    cid = a.intake()
    a.run("sync")
    b.run("sync")
    a.run("followup", cid, "--note", "A", "--at", "2026-11-21 10:00")
    b.run("followup", cid, "--note", "B", "--at", "2026-11-21 11:00")
    a.run("sync")
    b.git("config", "--remove-section", "merge.hotline")              # someone pulls with plain git
    p = subprocess.run(["git", "pull", "-q", "--no-rebase", "--no-edit"],
                       cwd=b.root, capture_output=True, text=True)
    assert p.returncode != 0 and "<<<<<<<" in b.case_file(cid).read_text(encoding="utf-8")
    r = b.run("check", expect=1)
    assert "hotline resolve" in r.stdout and "keep one" not in r.stdout.lower()
    r = b.run("resolve")
    assert "both offices' events and entries kept" in r.stdout and "complete" in r.stdout
    assert [e.get("note") for e in events(b, cid) if e["type"] == "followup"] == ["A", "B"]
    assert b.run("check").stdout == "" and b.git("status", "--porcelain") == ""
    assert len(b.git("log", "-1", "--format=%P").split()) == 2         # the merge is committed


def test_two_offices_that_drew_the_same_case_id_keep_both_cases(offices, monkeypatch):
    from hotline.storage import ids

    a, b, _remote = offices
    monkeypatch.setattr(ids.secrets, "randbelow", lambda n: 7)         # the 1-in-1024 draw, twice
    ca = a.intake(at="2026-11-21 10:00")
    cb = b.intake(at="2026-11-21 10:00")
    assert ca == cb
    monkeypatch.undo()
    a.run("sync")
    r = b.run("sync")
    cases = json.loads(b.run("list", "--format", "json").stdout)
    assert len(cases) == 2 and ca in {c["id"] for c in cases}
    assert b.run("check").stdout == "", r.output


def test_the_driver_of_another_python_is_kept_and_one_whose_python_is_gone_is_replaced(offices, env):
    import sys

    a, _b, _remote = offices
    other = env / "other-python"
    other.write_text("#!/bin/sh\n")                                    # another install that exists
    a.git("config", "merge.hotline.driver", f'"{other.as_posix()}" -m hotline merge-file %O %A %B %P')
    a.run("award", "li", "lecture_centre", "--date", "2026-11-20")
    assert other.as_posix() in a.git("config", "merge.hotline.driver")  # kept: no rewriting in turn
    other.unlink()                                                       # that Python was uninstalled
    a.run("award", "li", "lecture_centre", "--date", "2026-11-21")
    assert a.git("config", "merge.hotline.driver").startswith(f'"{Path(sys.executable).as_posix()}" -m hotline')


def test_an_optional_argument_is_shown_in_brackets_in_the_usage_line(book):
    assert book.run("sync", "--help").stdout.splitlines()[0].endswith("sync [OPTIONS] [REMOTE]")
    assert book.run("resolve", "--help").stdout.splitlines()[0].endswith("resolve [OPTIONS] [CASE]")
    assert book.run("show", "--help").stdout.splitlines()[0].endswith("show [OPTIONS] CASE")


# ---------------------------------------------------------------- git's split index (issue #26)

def test_both_offices_use_git_s_split_index_and_still_commit_sync_merge_and_stay_clean(offices, env):
    """Every clone hotline writes in keeps git's index split (`core.splitIndex`): a commit's refresh
    of the index rewrites only what changed, not the whole index (10 MB at 100,000 cases).  Commits,
    a sync whose merge runs the driver on the same case, `git status` and `check` work as before."""
    a, b, _remote = offices
    for tb in (a, b):
        assert git(tb.root, "config", "core.splitIndex").strip() == "true"   # set by init / init --clone
    cid = a.intake()
    a.run("sync")
    b.run("sync")
    b.run("followup", cid, "--note", "B 跟进", "--at", "2026-11-21 10:00")
    a.run("followup", cid, "--note", "A 跟进", "--at", "2026-11-21 11:00")
    a.run("sync")
    b.run("sync")
    a.run("sync")
    for tb in (a, b):
        assert list((tb.root / ".git").glob("sharedindex.*"))                # the index is split
        assert git(tb.root, "status", "--porcelain") == ""                    # nothing left uncommitted
        assert tb.run("check").stdout == ""
        assert [e.get("note") for e in events(tb, cid) if e["type"] == "followup"] == ["B 跟进", "A 跟进"]
        assert cid in git(tb.root, "ls-files", "cases")


def test_a_clone_that_chose_its_own_split_index_setting_keeps_it(offices, env):
    a, _b, remote = offices
    plain = env / "plain"
    git(env, "clone", "-q", str(remote), str(plain))
    git(plain, "config", "core.splitIndex", "false")
    clone = conftest.TestBook(plain, env / "home", a.runner)
    clone.run("award", "li", "lecture_centre", "--date", "2026-11-20")     # the first write registers the driver
    assert "-m hotline merge-file" in git(plain, "config", "merge.hotline.driver")
    assert git(plain, "config", "core.splitIndex").strip() == "false"
    assert not list((plain / ".git").glob("sharedindex.*"))
