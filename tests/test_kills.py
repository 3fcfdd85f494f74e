"""A process killed at the wrong moment never stops the next one (issue #27; issue #22 classes
5, 6, 7).  Real processes are really killed (SIGKILL, the whole process group), at chosen
moments: inside each git child they start — a `git` on PATH that stops on a chosen subcommand,
before it, after it, or inside it (holding the locks that git holds there, with a merge's files
half written) — and half-way through the files of an import or a rekey (the process kills
itself at its Nth file).  After each kill the next command must succeed, with nothing lost and
nothing committed under the wrong author.

Roster (conftest): wang director, zhao leader (killed writers act as zhao, the next as wang).
"""
from __future__ import annotations

import csv
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from hotline.cli import app

pytestmark = pytest.mark.skipif(os.name == "nt", reason="kills process groups with SIGKILL (POSIX)")

REAL_GIT = shutil.which("git")
# CI runs each kill point once; HOTLINE_KILLS=all runs every one in every command (and 30 random kills)
ALL = os.environ.get("HOTLINE_KILLS") == "all"

FAKE_GIT = '''\
import os, pathlib, subprocess, sys, time

REAL = os.environ["HOTLINE_TEST_REAL_GIT"]
args = sys.argv[1:]


def subcommand(a):
    i = 0
    while i < len(a):
        if a[i] in ("-c", "-C"):
            i += 2
        elif a[i].startswith("-"):
            i += 1
        else:
            return a[i]
    return None


def git(*a):
    return subprocess.run([REAL, *a], capture_output=True, text=True).stdout.strip()


def leave_inside(sub, a):
    """What a git killed inside `sub` leaves: the locks it holds there; a merge's files half written."""
    gd = pathlib.Path(git("rev-parse", "--absolute-git-dir"))
    branch = git("symbolic-ref", "--short", "HEAD") or "main"
    locks = {"update-ref": ["HEAD.lock", f"refs/heads/{branch}.lock"], "update-index": ["index.lock"],
             "fetch": [f"refs/remotes/origin/{branch}.lock"], "config": ["config.lock"],
             "merge": ["index.lock", "ORIG_HEAD.lock"], "commit": ["index.lock", "HEAD.lock"],
             "hash-object": [], "add": ["index.lock"], "push": []}[sub]
    for name in locks:
        (gd / name).parent.mkdir(parents=True, exist_ok=True)
        (gd / name).write_text("")
    if sub == "hash-object":
        (gd / "objects" / "ab").mkdir(parents=True, exist_ok=True)
        (gd / "objects" / "ab" / "tmp_obj_killed").write_bytes(b"x")
    if sub == "merge":
        theirs = a[-1]
        base = git("merge-base", "HEAD", theirs)
        paths = [p for p in git("diff", "--name-only", base, theirs).splitlines() if p]
        for p in paths[::2]:  # ort killed while it wrote the work tree: every other file written
            blob = subprocess.run([REAL, "cat-file", "blob", f"{theirs}:{p}"], capture_output=True).stdout
            target = pathlib.Path(p)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(blob)


stop = os.environ.get("HOTLINE_TEST_STOP", "")
flag = os.environ.get("HOTLINE_TEST_SIGNAL", "")
sub = subcommand(args)
if stop and flag:
    want, mode, nth = stop.split(":")
    if sub == want:
        count = pathlib.Path(flag + ".count")
        with open(count, "a") as f:
            f.write("x")
        if len(count.read_text()) == int(nth):
            if mode == "after":
                subprocess.call([REAL, *args])
            elif mode == "inside":
                leave_inside(sub, args)
            pathlib.Path(flag).write_text(sub)
            if mode == "start":  # the real git runs: the kill lands while it works
                os.execv(REAL, [REAL, *args])
            time.sleep(600)
os.execv(REAL, [REAL, *args])
'''

FAST_PATH = """\
#!/bin/sh
# every git call passes straight to git, but the subcommand a test stops on
want="${{HOTLINE_TEST_STOP%%:*}}"
sub=""
skip=0
for a in "$@"; do
  if [ "$skip" = 1 ]; then skip=0; continue; fi
  case "$a" in
    -c|-C) skip=1 ;;
    -*) ;;
    *) sub="$a"; break ;;
  esac
done
if [ -n "$want" ] && [ "$sub" = "$want" ]; then
  exec "{python}" "{helper}" "$@"
fi
exec "$HOTLINE_TEST_REAL_GIT" "$@"
"""

SELF_KILL = '''\
import os, runpy, signal, sys, threading
from hotline.storage import yamlio

at, real, lock, n = int(os.environ["HOTLINE_TEST_KILL_AT_WRITE"]), yamlio.atomic_write, threading.Lock(), [0]
after = os.environ.get("HOTLINE_TEST_KILL_AFTER") == "1"


def write(path, *rest, **kw):
    with lock:
        n[0] += 1
        mine = n[0]
    if mine == at and not after:
        os.kill(os.getpid(), signal.SIGKILL)
    real(path, *rest, **kw)
    if mine == at and after:
        os.kill(os.getpid(), signal.SIGKILL)


yamlio.atomic_write = write
sys.argv = ["hotline", *sys.argv[1:]]
runpy.run_module("hotline", run_name="__main__")
'''


@pytest.fixture
def killer(env):
    """`killer(book, args, stop=..., user=...)`: run hotline in its own process group and SIGKILL
    the group when a git child reaches `stop` ("SUBCOMMAND:before|after|inside:N", or "SUBCOMMAND:start:N"
    and `delay`: the real git runs and the kill lands `delay` seconds later); with
    `at_write=N` (`after_write=N`), the process kills itself as it begins (ends) its Nth file write.  True when the kill
    landed, False when the command ended first."""
    fake = env / "fakebin"
    fake.mkdir()
    (fake / "stop-git.py").write_text(FAKE_GIT, encoding="utf-8")
    (fake / "git").write_text(FAST_PATH.format(python=sys.executable, helper=fake / "stop-git.py"), encoding="utf-8")
    (fake / "git").chmod(0o755)
    boot = env / "selfkill.py"
    boot.write_text(SELF_KILL, encoding="utf-8")
    seq = [0]

    def run(tb, args, stop: str | None = None, user: str = "zhao", at_write: int | None = None,
            after_write: int | None = None, delay: float | None = None) -> bool:
        seq[0] += 1
        flag = env / f"reached-{seq[0]}"
        e = dict(os.environ, HOTLINE_BOOK=str(tb.root), HOTLINE_USER=user, HOTLINE_TEST_REAL_GIT=REAL_GIT)
        if stop:
            e.update(PATH=f"{fake}{os.pathsep}{os.environ['PATH']}", HOTLINE_TEST_STOP=stop,
                     HOTLINE_TEST_SIGNAL=str(flag))
        cmd = [sys.executable, "-m", "hotline", *args]
        if after_write is not None:
            at_write, e["HOTLINE_TEST_KILL_AFTER"] = after_write, "1"
        if at_write is not None:
            e["HOTLINE_TEST_KILL_AT_WRITE"] = str(at_write)
            cmd = [sys.executable, str(boot), *args]
        p = subprocess.Popen(cmd, cwd=tb.root, env=e, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             start_new_session=True)
        start = time.monotonic()
        deadline = start + 60
        landed = True
        while True:
            if stop and flag.exists():
                if ":start:" in stop:
                    time.sleep(delay or 0.0)
                break
            if delay is not None and not stop and time.monotonic() > start + delay:
                break
            if p.poll() is not None:
                landed = p.returncode == -signal.SIGKILL
                break
            assert time.monotonic() < deadline, f"hotline {args} never reached {stop}"
            time.sleep(0.005)
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait()
        err = p.stderr.read().decode("utf-8", "replace") if p.stderr else ""
        p.stderr.close()
        assert "Traceback" not in err, err
        return landed

    return run


def authors_of(tb, text: str, *paths: str) -> list[str]:
    """Authors of the commits that added or removed `text` (git's pickaxe)."""
    return tb.git("log", "--format=%an", "-S", text, "--", *paths).split()


def added_by(tb, commit: str) -> str:
    """The lines a commit adds."""
    return "\n".join(line for line in tb.git("show", "--format=", commit).splitlines()
                     if line.startswith("+") and not line.startswith("+++"))


def assert_settled(tb):
    """Nothing left behind: no lock of git's, nothing uncommitted, check is clean, git is sound."""
    gd = tb.root / ".git"
    assert not [p for p in gd.rglob("*.lock") if p.name != "hotline-write.lock"], list(gd.rglob("*.lock"))
    assert tb.git("status", "--porcelain") == ""
    r = tb.run("check", expect=None)
    assert r.exit_code == 0 and r.stdout == "", r.stdout
    subprocess.run(["git", "fsck", "--no-dangling"], cwd=tb.root, check=True, capture_output=True)


# ---------------------------------------------------------------- writers killed inside each git child

WRITER_STOPS = ["hash-object:before:1", "hash-object:inside:1", "hash-object:after:2", "commit-tree:after:1",
                "update-ref:inside:1", "update-ref:after:1", "update-index:inside:1", "update-index:after:1"]


@pytest.mark.parametrize("command", ["award", "followup"])
def test_a_writer_killed_inside_each_git_child_never_stops_the_next_write(book, killer, command):
    cid = book.intake()
    for i, stop in enumerate(WRITER_STOPS):
        if not ALL and i % 2 != (command == "followup"):
            continue  # each point once: award at the even ones, followup at the odd ones
        mark = f"killed-{i}"
        args = (["award", "li", "lecture_outreach", "--date", "2026-11-16", "--note", mark] if command == "award"
                else ["followup", cid, "--note", mark, "--at", f"2026-11-21 {10 + i}:00"])
        assert killer(book, args, stop=stop), stop
        book.run("followup", cid, "--note", f"next-{i}", "--at", f"2026-11-21 {10 + i}:30")   # as wang
        assert authors_of(book, f"next-{i}") == ["王芳"], stop
        added = added_by(book, "HEAD")                                  # wang's commit carries nothing of zhao's
        assert mark not in added and "by: zhao" not in added, stop
        done = authors_of(book, mark)
        assert done in ([], ["赵强"]), (stop, done)                     # zhao's write: whole, under zhao — or not at all
        on_disk = "".join(p.read_text(encoding="utf-8") for p in book.root.rglob("*.yaml") if ".git" not in p.parts)
        assert (mark in on_disk) == bool(done), stop
        assert_settled(book)


def test_what_each_kill_leaves_is_finished_or_undone_as_it_should(book, killer):
    cid = book.intake()
    # the commit was written down before git ran: the next write finishes it under zhao's name
    assert killer(book, ["followup", cid, "--note", "inside-update-ref"], stop="update-ref:inside:1")
    assert (book.root / ".git" / "HEAD.lock").exists()
    r = book.run("check", expect=1)
    assert ".git/HEAD.lock: a lock file of git's" in r.stdout and "you may delete it" in r.stdout
    assert "is not committed yet" in r.stdout
    book.run("followup", cid, "--note", "the-next-one")
    assert authors_of(book, "inside-update-ref") == ["赵强"] and authors_of(book, "the-next-one") == ["王芳"]
    # killed before the commit was written down: the file is put back, nothing of it is committed
    assert killer(book, ["followup", cid, "--note", "before-the-commit"], after_write=1)
    r = book.run("check", expect=1)
    assert "stopped before its commit" in r.stdout and "not committed: commit it" not in r.stdout
    book.run("followup", cid, "--note", "after")
    assert "before-the-commit" not in book.case_file(cid).read_text(encoding="utf-8")
    assert_settled(book)


def test_a_lock_held_by_a_running_git_is_waited_for_and_never_removed(book):
    from hotline.storage import git

    lock = book.root / ".git" / "config.lock"
    lock.write_text("")
    t = time.monotonic()
    assert git.clear_stale_locks(book.root) == [lock]            # a fresh one is watched for LOCK_GRACE first
    assert time.monotonic() - t >= git.LOCK_GRACE - 0.3
    lock.write_text("")
    old = time.time() - 60
    os.utime(lock, (old, old))
    t = time.monotonic()
    assert git.clear_stale_locks(book.root) == [lock]            # one that stood a minute: after a short look
    assert time.monotonic() - t < 1.5
    import threading

    def busy():                                                 # a git at work: it rewrites its lock, then ends
        for _ in range(8):
            lock.write_text(str(time.monotonic()))
            time.sleep(0.2)
        lock.unlink()

    th = threading.Thread(target=busy)
    th.start()
    assert git.clear_stale_locks(book.root) == []
    th.join()


def test_writers_killed_at_random_moments_with_their_git_children(book, killer):
    rng = random.Random(27)
    cid = book.intake()
    n = 30 if ALL else 5
    for i in range(n):
        mark = f"random-{i}"
        hour, minute = divmod(8 * 60 + 20 * i, 60)                      # in time order, 20 minutes apart
        args = ["followup", cid, "--note", mark, "--at", f"2026-11-21 {hour:02d}:{minute:02d}"]
        killer(book, args, delay=rng.uniform(0.2, 0.9))
        book.run("followup", cid, "--note", f"next-{i}", "--at", f"2026-11-21 {hour:02d}:{minute + 10:02d}")
        assert authors_of(book, mark) in ([], ["赵强"]) and authors_of(book, f"next-{i}") == ["王芳"]
        assert "by: zhao" not in added_by(book, "HEAD")
    assert_settled(book)


# ---------------------------------------------------------------- sync killed inside each git child

def notes(tb, cid: str) -> list[str]:
    return [e.get("note") for e in yaml.safe_load(tb.case_file(cid).read_text(encoding="utf-8"))["events"]
            if e["type"] == "followup"]


SYNC_STOPS = ["fetch:inside:1", "fetch:after:1", "merge:inside:1", "merge:start:1", "merge:after:1",
              "push:before:1", "push:after:1"]
SYNC_QUICK = ["fetch:inside:1", "merge:inside:1", "merge:start:1", "push:after:1"]


def test_sync_killed_inside_each_git_child_then_sync_again_loses_nothing(offices, killer):
    a, b, _remote = offices
    cid = a.intake()
    a.run("sync")
    b.run("sync")
    for i, stop in enumerate(SYNC_STOPS if ALL else SYNC_QUICK):
        b_new = [b.intake(at=f"2026-11-2{k} 0{i % 10}:00") for k in range(1, 3)]
        b.run("followup", cid, "--note", f"b-{i}", "--at", f"2026-11-22 {10 + i}:00")
        b.run("award", "chen", "lecture_outreach", "--date", "2026-11-16", "--note", f"b-award-{i}")
        b.run("sync")
        a.run("followup", cid, "--note", f"a-{i}", "--at", f"2026-11-22 {10 + i}:30")
        a.run("award", "li", "lecture_outreach", "--date", "2026-11-16", "--note", f"award-{i}")
        assert killer(a, ["sync"], stop=stop, user="wang", delay=0.25), stop
        r = a.run("sync")                                               # the next sync succeeds
        assert "remove the file" not in r.output and "ort" not in r.output, (stop, r.output)
        assert notes(a, cid)[-2:] in ([f"b-{i}", f"a-{i}"],), (stop, notes(a, cid))
        assert all(a.case_file(c).exists() for c in b_new), stop
        assert_settled(a)
        b.run("sync")
        assert notes(b, cid) == notes(a, cid), stop                      # and everything went out
        assert any(e.get("note") == f"award-{i}" for e in yaml.safe_load(
            (b.root / "ledger" / "2026-11.yaml").read_text(encoding="utf-8"))["entries"]), stop


def test_a_merge_killed_half_way_is_named_by_check_and_undone_by_the_next_command(offices, killer):
    a, b, _remote = offices
    cid = a.intake()
    a.run("sync")
    b.run("sync")
    new = [b.intake(at=f"2026-11-1{k} 09:00") for k in range(1, 5)]
    b.run("sync")
    a.run("followup", cid, "--note", "here")
    assert killer(a, ["sync"], stop="merge:inside:1", user="wang")
    written = [c for c in new if a.case_file(c).exists()]
    assert written                                                      # the merge wrote some files, then died
    r = a.run("check", expect=1)
    assert "`hotline sync` was stopped during its merge" in r.stdout
    assert "not committed: commit it" not in r.stdout
    a.run("followup", cid, "--note", "meanwhile")                       # a write first: it undoes the merge
    assert not any(a.case_file(c).exists() for c in new)
    assert a.git("show", "--stat", "--format=", "HEAD").count("|") == 1  # the followup's own file only
    a.run("sync")
    assert all(a.case_file(c).exists() for c in new) and notes(a, cid) == ["here", "meanwhile"]
    assert_settled(a)


def test_a_stale_lock_in_a_shared_folder_remote_is_cleared_and_a_fresh_one_named(offices):
    a, _b, remote = offices
    a.intake()
    lock = remote / "refs" / "heads" / "main.lock"
    lock.write_text("")
    old = time.time() - 600
    os.utime(lock, (old, old))                                          # left by a push killed ten minutes ago
    r = a.run("sync")
    assert "1 went out" in r.stdout and not lock.exists()
    a.intake(at="2026-11-21 10:00")
    import threading

    from hotline.storage import gitsync

    stop = threading.Event()

    def pushing():                                                      # another office's push, at work right now
        while not stop.is_set():
            lock.write_text(str(time.monotonic()))
            time.sleep(0.1)

    th = threading.Thread(target=pushing)
    th.start()
    grace, gitsync.REMOTE_LOCK_GRACE = gitsync.REMOTE_LOCK_GRACE, 1.0
    try:
        r = a.run("sync", expect=1)
    finally:
        gitsync.REMOTE_LOCK_GRACE = grace
        stop.set()
        th.join()
    assert "main.lock" in r.stderr and "delete that file" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    lock.unlink()
    assert "1 went out" in a.run("sync").stdout


# ---------------------------------------------------------------- class 5: a book never stuck after a merge

def test_a_hand_settled_roster_conflict_finishes_the_merge_instead_of_sending_you_round(offices):
    a, b, _remote = offices
    for tb, name in ((a, "王芳芳"), (b, "王小芳")):
        roster = tb.root / "roster.yaml"
        roster.write_text(roster.read_text(encoding="utf-8").replace("name: 王芳", f"name: {name}"), encoding="utf-8")
        tb.git("commit", "-qam", "rename")
    b.run("sync")
    r = a.run("sync", expect=1)
    assert "roster.yaml" in r.stderr and "<<<<<<<" in r.stderr
    c = a.run("check", expect=1)
    assert "roster.yaml:" in c.stdout and "delete those marker lines" in c.stdout
    assert "hotline resolve" not in c.stdout
    r = a.run("resolve", expect=1)                                     # resolve names what is left, not itself
    assert "roster.yaml" in r.stderr and "hotline sync" in r.stderr and "hotline resolve" not in r.stderr
    roster = a.root / "roster.yaml"
    text = roster.read_text(encoding="utf-8")
    kept = "".join(line + "\n" for line in text.splitlines() if not line.startswith(("<<<<<<<", "=======", ">>>>>>>"))
                   and "王小芳" not in line)
    roster.write_text(kept, encoding="utf-8")
    a.run("sync")                                                       # the person's settling is taken
    assert "王芳芳" in a.git("show", "HEAD:roster.yaml") and len(a.git("log", "-1", "--format=%P").split()) == 2
    assert_settled(a)


def test_a_rebase_under_way_is_named_by_sync_and_check(offices):
    a, b, _remote = offices
    cid = a.intake()
    a.run("sync")
    b.run("sync")
    b.run("followup", cid, "--note", "B")
    b.run("sync")
    a.run("followup", cid, "--note", "A")
    a.git("config", "--remove-section", "merge.hotline")
    p = subprocess.run(["git", "pull", "-q", "--rebase"], cwd=a.root, capture_output=True, text=True)
    assert p.returncode != 0
    r = a.run("sync", expect=1)
    assert "git rebase is under way" in r.stderr and "git rebase --abort" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert "git rebase is under way" in a.run("check", expect=1).stdout
    subprocess.run(["git", "rebase", "--abort"], cwd=a.root, check=True, capture_output=True)
    a.run("sync")                                                       # and once it is undone, sync merges
    assert notes(a, cid) == ["A", "B"] or notes(a, cid) == ["B", "A"]
    assert_settled(a)


def test_unrelated_histories_are_said_in_plain_words(offices, env):
    a, _b, _remote = offices
    other = env / "other.git"
    subprocess.run(["git", "init", "-q", "--bare", str(other)], check=True)
    lone = env / "lone"
    r = a.runner.invoke(app, ["init", str(lone), "--id", "wang", "--name", "王芳"])
    assert r.exit_code == 0, r.output
    subprocess.run(["git", "push", "-q", str(other), "HEAD:refs/heads/main"], cwd=lone, check=True)
    a.git("remote", "add", "lone", str(other))
    head = a.git("rev-parse", "HEAD")
    r = a.run("sync", "lone", expect=1)
    assert "no history in common" in r.stderr and "git remote -v" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert a.git("rev-parse", "HEAD") == head and a.git("status", "--porcelain") == ""


def test_a_hand_edit_in_the_way_of_a_merge_is_named_in_one_line(offices):
    a, b, _remote = offices
    cid = a.intake()
    a.run("sync")
    b.run("sync")
    b.run("followup", cid, "--note", "B")
    b.run("sync")
    f = a.case_file(cid)
    f.write_text(f.read_text(encoding="utf-8") + "# 手工备注\n", encoding="utf-8")
    r = a.run("sync", expect=1)
    assert f"{cid}.yaml: changed here and not committed" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert "手工备注" in f.read_text(encoding="utf-8")                  # nothing of it was touched


# ---------------------------------------------------------------- class 6: an import is one commit or nothing

def write_csv(path: Path, n: int) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["受理时间", "渠道", "分级", "来电者身份", "问题类别", "需求", "摘要", "联系方式", "负责人"])
        for i in range(n):
            w.writerow([f"2026-11-{1 + i % 20:02d} {8 + i % 10}:{i % 60:02d}", "电话", "绿色", "当事人", "离婚", "法律咨询",
                        f"咨询离婚程序第{i}号", f"1380000{i:04d}", "李娜"])
    return path


@pytest.mark.parametrize("at_write", [10, 60] if ALL else [25])
def test_an_import_killed_half_way_leaves_nothing_and_the_retry_imports_every_row(book, killer, env, at_write):
    sheet = write_csv(env / "登记表.csv", 60)
    before = int(book.git("rev-list", "--count", "HEAD"))
    assert killer(book, ["import", str(sheet)], user="xu", at_write=at_write)
    r = book.run("check", expect=None)
    assert "not committed: commit it" not in r.stdout
    r = book.run("import", str(sheet), user="xu")                       # the retry
    assert "Imported 60 case(s)" in r.stdout and "(0 row(s) already in the book" in r.stdout
    assert int(book.git("rev-list", "--count", "HEAD")) == before + 1
    assert book.git("log", "-1", "--format=%an|%s") == "徐青|import 60 case(s) from 登记表.csv\n"
    assert len(list((book.root / "cases").rglob("*.yaml"))) == 60
    assert_settled(book)


def test_an_import_killed_after_its_files_is_finished_as_one_commit_under_its_author(book, killer, env):
    sheet = write_csv(env / "登记表.csv", 40)
    # the first update-ref keeps the new cases' keys (refs/hotline/keys), the second is the commit
    assert killer(book, ["import", str(sheet)], user="xu", stop="update-ref:inside:2")
    book.intake(at="2026-11-22 10:00")                                  # any next write finishes it
    log = book.git("log", "-2", "--format=%an|%s").splitlines()
    assert log[1] == "徐青|import 40 case(s) from 登记表.csv" and log[0].startswith("王芳|intake")
    r = book.run("import", str(sheet), user="xu")
    assert "Nothing to import" in r.stdout and "40 row(s) already in the book" in r.stdout
    assert_settled(book)


# ---------------------------------------------------------------- class 7: a rekey is one commit or nothing

@pytest.mark.parametrize("at_write", [1, 2] if ALL else [2])   # rekey writes the caller key files, no case file
def test_a_rekey_killed_half_way_is_undone_and_every_case_of_a_caller_is_found(book, killer, at_write):
    phone = "13812345678"
    ids = [book.intake("--contact", phone, at=f"2026-11-{10 + i} 10:00") for i in range(6)]
    (book.root / ".git" / "hotline-rekey-needed").write_text("x\n")   # a new caller key will be made
    key_before = (book.root / "keys" / "caller-key.age").read_text(encoding="utf-8")
    assert killer(book, ["rekey"], user="wang", at_write=at_write)
    r = book.run("check", expect=1)
    assert "stopped before its commit" in r.stdout and "do not commit it" in r.stdout
    assert "not committed: commit it" not in r.stdout
    book.run("followup", ids[0], "--note", "回电")                      # the next write puts every file back
    assert (book.root / "keys" / "caller-key.age").read_text(encoding="utf-8") == key_before
    assert book.git("status", "--porcelain") == ""
    book.run("rekey")
    r = book.run("intake", "--no-input", "--channel", "phone", "--grade", "green", "--role", "party", "--category",
                 "divorce", "--need", "legal", "--summary", "x", "--contact", phone, "--at", "2026-11-22 10:00")
    assert f"6 earlier case(s): {', '.join(sorted(ids))}" in r.stdout
    assert_settled(book)
