"""Crashes and stuck books (issue: hardening, classes 1–7), each reproduced with real git.

Roster (conftest): wang director+leader g1, li volunteer g1, zhao leader g2, chen volunteer g2,
xu secretary.  "Now" is 2026-11-23 12:00 (conftest NOW).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hotline.trust import privacy
from hotline.cli import app
from tests import conftest


def log(book, *paths):
    return book.git("log", "--format=%an|%s", "--", *paths).strip().splitlines()


def fsck(root: Path) -> str:
    p = subprocess.run(["git", "fsck", "--strict", "--no-dangling"], cwd=root, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr + p.stdout
    return p.stderr + p.stdout


# ---------------------------------------------------------------- 1. git's index lock left behind

def test_a_stale_index_lock_neither_stalls_writes_nor_is_hidden_by_check(book):
    lock = book.root / ".git" / "index.lock"
    lock.write_text("")  # a git command killed while it held the lock
    r = book.run("check", expect=1)
    assert ".git/index.lock:" in r.stdout and "delete" in r.stdout
    cid = book.intake()                                                 # the next write clears it (issue #27)
    assert not lock.exists()
    assert log(book, "cases")[0] == f"王芳|intake {cid}: green, phone"
    book.run("followup", cid, "--note", "已回电")
    assert book.git("status", "--porcelain") == ""  # git's index caught up
    assert book.run("check").stdout == ""
    assert [line.split("|")[1] for line in log(book, "cases")][:2] == [f"followup {cid}", f"intake {cid}: green, phone"]


# ---------------------------------------------------------------- 2. a book folder with a space

def test_a_book_folder_with_a_space_inside_a_repository_commits_cleanly(env):
    repo = env / "office repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    (repo / "说明.md").write_text("办公室文件\n", encoding="utf-8")
    subprocess.run(["git", "add", "."], cwd=repo, check=True)
    subprocess.run(["git", "commit", "-qm", "office"], cwd=repo, check=True)
    root = repo / "热线 一组"
    runner = conftest.TestBook(root, env / "home", CliRunner())
    assert runner.runner.invoke(app, ["init", str(root), "--id", "wang", "--name", "王芳"]).exit_code == 0
    conftest.set_roster(runner, env)
    ids = [runner.intake(at=f"2026-11-2{i} 10:00") for i in range(3)]   # three in the same month folder
    runner.run("followup", ids[0], "--note", "已回电")
    assert len(set(ids)) == 3
    files = subprocess.run(["git", "ls-files", "-z"], cwd=repo, capture_output=True, text=True).stdout.split("\0")
    assert sum(f.startswith("热线 一组/cases/2026/11/") for f in files) == 3
    assert subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True).stdout == ""
    fsck(repo)
    hist = runner.run("history", ids[0]).stdout
    assert f"intake {ids[0]}" in hist and f"followup {ids[0]}" in hist


# ---------------------------------------------------------------- 3. a failed commit, then someone else's write

def test_a_failed_commit_is_finished_later_under_its_own_author(book):
    cid = book.intake()
    broken = {"GIT_OBJECT_DIRECTORY": str(book.root / "no-such-objects")}
    r = book.run("followup", cid, "--note", "李娜的跟进", user="li", expect=1, env=broken)
    assert "git add" in r.output
    c = book.run("check", expect=1)
    assert f"'followup {cid}' by 李娜 is not committed yet" in c.stdout
    book.run("followup", cid, "--note", "赵强的跟进", user="zhao")
    lines = log(book, "cases")
    assert lines[:2] == [f"赵强|followup {cid}", f"李娜|followup {cid}"]
    li_commit = book.git("log", "--format=%H", "--author=李娜", "-1").strip()
    li_diff = book.git("show", li_commit)
    assert "李娜的跟进" in li_diff and "赵强的跟进" not in li_diff
    zhao_diff = book.git("show", "HEAD")
    assert "赵强的跟进" in zhao_diff and "+  note: 李娜的跟进" not in zhao_diff
    book.run("check")
    assert "李娜" in book.run("history", cid).stdout


# ---------------------------------------------------------------- 4. someone's own git commit meanwhile

def test_a_commit_made_by_hand_meanwhile_is_neither_lost_nor_swallowed(book, monkeypatch):
    from hotline.storage import git

    cid = book.intake()
    real = git._run
    done = []

    def commit_by_hand_before_our_ref_update(root, args, **kw):
        if args[0] == "update-ref" and not done:
            done.append(1)
            (book.root / "meeting-notes.md").write_text("周会\n", encoding="utf-8")
            book.git("add", "meeting-notes.md")
            book.git("commit", "-qm", "meeting notes")  # a plain `git commit` of what the user staged
        return real(root, args, **kw)

    monkeypatch.setattr(git, "_run", commit_by_hand_before_our_ref_update)
    book.run("followup", cid, "--note", "已回电")
    assert done
    assert book.git("log", "-2", "--format=%s").split("\n")[:2] == [f"followup {cid}", "meeting notes"]
    assert book.git("show", "--name-only", "--format=", "HEAD~1").split() == ["meeting-notes.md"]
    assert book.git("show", "--name-only", "--format=", "HEAD").split() == [
        book.case_file(cid).relative_to(book.root).as_posix()]
    assert book.git("status", "--porcelain") == ""
    fsck(book.root)


# ---------------------------------------------------------------- 5. hooks and signing: one policy

@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="needs ssh-keygen for SSH commit signing")
def test_hooks_never_run_and_signing_follows_commit_gpgsign_for_any_number_of_files(book, tmp_path):
    key = tmp_path / "signing"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    for k, v in (("gpg.format", "ssh"), ("user.signingkey", str(key)), ("commit.gpgsign", "true")):
        book.git("config", k, v)
    hooks = book.root / ".git" / "hooks"
    marker = tmp_path / "hook-ran"
    for name in ("pre-commit", "commit-msg", "post-commit"):
        (hooks / name).write_text(f"#!/bin/sh\necho {name} >> '{marker}'\nexit 1\n")
        (hooks / name).chmod(0o755)
    before = book.git("rev-parse", "HEAD").strip()
    cids = [book.intake("--contact", f"1380000{i:04d}", at=f"2026-11-20 1{i % 10}:0{i // 10}") for i in range(21)]
    sheet = tmp_path / "register.csv"   # one import: one commit of 22 files
    sheet.write_text("受理时间,渠道,分级,来电者身份,问题类别,需求,摘要,联系方式\n" + "".join(
        f"2026-11-19 {10 + i // 6}:{i % 6}0,phone,green,party,divorce,consultation,询问离婚,1390000{i:04d}\n"
        for i in range(22)), encoding="utf-8")
    book.run("import", str(sheet))
    assert len(book.git("show", "--name-only", "--format=", "HEAD").split()) >= 22
    commits = book.git("rev-list", f"{before}..HEAD").split()
    assert len(commits) == 22
    for c in commits:
        assert "gpgsig" in book.git("cat-file", "commit", c), c
    assert not marker.exists()
    book.git("config", "commit.gpgsign", "false")
    book.run("followup", cids[0], "--note", "已回电")
    assert "gpgsig" not in book.git("cat-file", "commit", "HEAD")


# ---------------------------------------------------------------- 6. the index under two processes

def list_ids(book, env=None):
    return sorted(r["id"] for r in json.loads(book.run("list", "--format", "json", env=env).stdout))


def test_two_processes_building_the_index_at_once_never_leave_it_empty(book):
    ids = sorted(book.intake(at=f"2026-11-1{i} 10:00") for i in range(5))  # up to now: never in the future
    index = book.root / ".git" / "hotline-index.sqlite"
    env = dict(os.environ, HOTLINE_BOOK=str(book.root), HOTLINE_USER="wang")
    for _ in range(4):
        index.unlink(missing_ok=True)
        procs = [subprocess.Popen([sys.executable, "-m", "hotline", "list", "--format", "json"], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
        for p in procs:
            out, errs = p.communicate(timeout=120)
            assert p.returncode == 0, errs
            assert sorted(r["id"] for r in json.loads(out)) == ids
        assert list_ids(book) == ids   # and every later run too


def test_ignored_and_assume_unchanged_case_files_read_the_same_with_and_without_the_index(book):
    a = book.intake(at="2026-11-20 10:00")
    b = book.intake(at="2026-11-21 10:00")
    list_ids(book)                                      # the index has seen both
    path = book.case_file(a)
    book.git("update-index", "--assume-unchanged", path.relative_to(book.root).as_posix())
    path.write_text(path.read_text(encoding="utf-8").replace("grade: green", "grade: red"), encoding="utf-8")
    extra = book.case_file(b).with_name(f"{b[:6]}-ZZZZZ.yaml")
    extra.write_text(book.case_file(b).read_text(encoding="utf-8").replace(b, f"{b[:6]}-ZZZZZ"), encoding="utf-8")
    (book.root / ".gitignore").write_text(f"cases/2026/11/{extra.name}\n", encoding="utf-8")
    with_index = json.loads(book.run("list", "--format", "json").stdout)
    without = json.loads(book.run("list", "--format", "json", env={"HOTLINE_NO_INDEX": "1"}).stdout)
    assert with_index == without
    assert {r["id"]: r["grade"] for r in with_index}[a] == "red"
    assert f"{b[:6]}-ZZZZZ" in {r["id"] for r in with_index}
    c = book.run("check", expect=1)
    assert f"cases/2026/11/{extra.name}: ignored by git" in c.stdout


# ---------------------------------------------------------------- 7. a read that cannot finish

def test_check_exits_1_and_says_why_when_git_status_fails(book):
    book.intake()
    (book.root / ".git" / "index").write_bytes(b"DIRC\x00\x00\x00\x02garbage" * 3)
    r = book.run("check", expect=1)
    assert "failed, so what is not committed cannot be told" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_git_trees_keep_gits_order_where_a_file_and_a_folder_share_a_prefix(book):
    (book.root / "cases.md").write_text("说明\n", encoding="utf-8")   # sorts before the cases/ tree in git's order
    (book.root / "ledger-old").mkdir()
    (book.root / "ledger-old" / "a.txt").write_text("旧\n", encoding="utf-8")
    book.git("add", "cases.md", "ledger-old")
    book.git("commit", "-qm", "docs")
    cid = book.intake()
    book.run("award", "li", "article_special", "--date", "2026-11-20")
    book.run("close", cid, "--outcome", "resolved", "--at", "2026-11-20 16:00")
    fsck(book.root)
    assert book.git("status", "--porcelain") == ""
