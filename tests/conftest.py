"""Fixtures: every test that writes gets its own temporary book with its own git repository.

Tests never touch this repository's demo book, the user's real config or identity.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hotline.trust import privacy
from hotline.cli import app

NOW = "2026-11-23 12:00"  # "now" for every test (Beijing time); tests that need another pass --at / --as-of

ROSTER = """\
groups:
  - id: g1
    name: 一组
  - id: g2
    name: 二组
people:
  - id: wang
    name: 王芳
    group: g1
    roles: [director, leader]
    email: wang@example.org
    phone: "13900000001"
    key: {key}
  - id: li
    name: 李娜
    group: g1
    roles: [volunteer]
    email: li@example.org
    key: {li}
  - id: zhao
    name: 赵强
    group: g2
    roles: [leader]
    key: {zhao}
  - id: chen
    name: 陈静
    group: g2
    roles: [volunteer]
    key: {chen}
  - id: xu
    name: 徐青
    roles: [secretary]
    key: {xu}
partners:
  - id: legal-aid
    name: 市法律援助中心
    kind: external
    contact: "0370-0000000"
  - id: counselling
    name: 心理咨询中心
    kind: internal
"""


OTHERS = ("li", "zhao", "chen", "xu")   # wang's identity is $HOTLINE_IDENTITY; the others' are in ids/


def identity_of(base: Path, person: str) -> Path | None:
    """The identity file of a roster person of the test book (wang: $HOTLINE_IDENTITY)."""
    if person == "wang":
        return base / "identity.txt" if (base / "identity.txt").exists() else None
    path = base / "ids" / f"{person}.txt"
    return path if path.exists() else None


def roster_any_keys() -> str:
    """ROSTER with a placeholder for every key (for tests that only parse it)."""
    return ROSTER.format(**{k: "age1x" for k in ("key", *OTHERS)})


def roster_text(base: Path) -> str:
    """ROSTER with every person's own public key (identities made under base/ids/ when missing)."""
    keys = {"key": privacy.public_key(privacy.load_identity())}
    for pid in OTHERS:
        path = base / "ids" / f"{pid}.txt"
        if not path.exists():
            privacy.new_identity(path)
        keys[pid] = privacy.public_key(privacy.load_identity(path))
    return ROSTER.format(**keys)


@dataclass
class TestBook:
    root: Path
    home: Path
    runner: CliRunner

    def run(self, *args: str, input: str | None = None, user: str | None = "wang", expect: int | None = 0, env=None):
        e = {"HOTLINE_BOOK": str(self.root)}
        if user:
            e["HOTLINE_USER"] = user
            own = identity_of(self.root.parent, user)
            if own is not None:
                e["HOTLINE_IDENTITY"] = str(own)   # each person acts with their own key
        if env:
            e.update(env)
        result = self.runner.invoke(app, list(args), input=input, env=e)
        if expect is not None and result.exit_code != expect:
            raise AssertionError(
                f"hotline {' '.join(args)} exited {result.exit_code}, expected {expect}\n{result.output}\n{result.exception!r}"
            )
        return result

    def intake(self, *extra: str, grade: str = "green", at: str = "2026-11-20 15:00", user: str = "wang") -> str:
        args = ["intake", "--no-input", "-q", "--channel", "phone", "--grade", grade, "--role", "survivor",
                "--category", "domestic_violence", "--need", "legal", "--summary", "询问起诉程序",
                "--gender", "female", "--age-group", "youth", "--region", "东莞", "--at", at, *extra]
        return self.run(*args, user=user).stdout.strip().splitlines()[-1]

    def git(self, *args: str) -> str:
        import subprocess

        return subprocess.run(["git", *args], cwd=self.root, capture_output=True, text=True, encoding="utf-8", check=True).stdout

    def case_file(self, case_id: str) -> Path:
        return self.root / "cases" / f"20{case_id[:2]}" / case_id[2:4] / f"{case_id}.yaml"


# ---------------------------------------------------------------- the official calendar's release
#
# chinesecalendar ships each year's data after the State Council's notice.  The suite's
# expectations are written against a release whose data ends with RELEASED_UNTIL: a year after
# it is provisional (暂定).  A fresh install may hold a newer release; the autouse fixture below
# pins the data the suite sees, so it passes with either (as HOTLINE_NOW pins the clock).  The
# `release_2027` fixture stands in the next release, with the notice below, so the tests of 2027
# can say what must happen once the real data arrives.

RELEASED_UNTIL = 2026


def _days(first: str, last: str | None = None) -> list:
    from datetime import date, timedelta

    a = date.fromisoformat(first)
    b = date.fromisoformat(last or first)
    return [a + timedelta(days=i) for i in range((b - a).days + 1)]


# A stand-in notice for 2027 (fictional, shaped like the real ones): longer breaks than the
# statutory days alone, with make-up working days (调休) on weekends.
NOTICE_2027 = {
    "holidays": {
        **{d: "New Year's Day" for d in _days("2027-01-01", "2027-01-03")},
        **{d: "Spring Festival" for d in _days("2027-02-05", "2027-02-12")},          # Fri .. Fri
        **{d: "Tomb-sweeping Day" for d in _days("2027-04-03", "2027-04-05")},
        **{d: "Labour Day" for d in _days("2027-05-01", "2027-05-05")},               # Sat .. Wed
        **{d: "Dragon Boat Festival" for d in _days("2027-06-09")},
        **{d: "Mid-autumn Festival" for d in _days("2027-09-15")},
        **{d: "National Day" for d in _days("2027-10-01", "2027-10-07")},
    },
    "workdays": {
        **{d: "Spring Festival" for d in _days("2027-02-20")},                         # Sat, worked
        **{d: "Labour Day" for d in _days("2027-04-25") + _days("2027-05-08")},
        **{d: "National Day" for d in _days("2027-10-09")},
    },
}


@pytest.fixture(autouse=True)
def calendar_release(monkeypatch):
    """chinesecalendar as released up to RELEASED_UNTIL, whatever release is installed."""
    import chinese_calendar.constants as official

    for table in (official.holidays, official.workdays, official.in_lieu_days):
        for day in [d for d in table if d.year > RELEASED_UNTIL]:
            monkeypatch.delitem(table, day)
    return RELEASED_UNTIL


@pytest.fixture
def release_2027(calendar_release, monkeypatch):
    """chinesecalendar's next release stood in: the official data now covers 2027 (NOTICE_2027)."""
    import chinese_calendar.constants as official

    for table, days in ((official.holidays, NOTICE_2027["holidays"]), (official.workdays, NOTICE_2027["workdays"])):
        for day, name in days.items():
            monkeypatch.setitem(table, day, name)
    return 2027


@pytest.fixture(autouse=True)
def english(monkeypatch):
    """Every test reads English messages unless it asks for Chinese (HOTLINE_LANG=zh-CN): the
    product's default language is the book's (zh-CN), the tests' is fixed."""
    monkeypatch.setenv("HOTLINE_LANG", "en")


@pytest.fixture
def env(tmp_path, monkeypatch):
    """An isolated home: git identity, config dir and staff identity live under tmp_path."""
    home = tmp_path / "home"
    home.mkdir()
    gitconfig = tmp_path / "gitconfig"
    gitconfig.write_text("[user]\n\tname = 王芳\n\temail = wang@example.org\n[init]\n\tdefaultBranch = main\n", encoding="utf-8")
    for k in list(os.environ):
        if k.startswith(("HOTLINE_", "GIT_")):
            monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(gitconfig))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("HOTLINE_IDENTITY", str(tmp_path / "identity.txt"))
    monkeypatch.setenv("HOTLINE_NOW", NOW)  # the suite never depends on the machine's clock
    monkeypatch.setenv("HOTLINE_LANG", "en")  # messages the tests read; tests of the Chinese ones set zh-CN
    return tmp_path


@pytest.fixture
def book(env) -> TestBook:
    runner = CliRunner()
    root = env / "book"
    r = runner.invoke(app, ["init", str(root), "--id", "wang", "--name", "王芳"])
    assert r.exit_code == 0, r.output
    tb = TestBook(root, env / "home", runner)
    set_roster(tb, env)
    return tb


def set_roster(tb: "TestBook", base: Path) -> None:
    """The test roster (every person with a key of their own, wang with his signing key) and a caller
    key all of them open, as `hotline rekey` would leave it, approved by wang (the director); two
    commits."""
    from hotline.trust import approvals
    from hotline.book import Book

    ident = privacy.load_identity()
    key = privacy.public_key(ident)
    text = roster_text(base).replace(f"    key: {key}\n", f"    key: {key}\n    sign: {privacy.signing_public(ident)}\n")
    (tb.root / "roster.yaml").write_text(text, encoding="utf-8")
    keys = [ln.split("key: ", 1)[1] for ln in text.splitlines() if ln.strip().startswith("key: ")]
    privacy.write_caller_key(tb.root, privacy.new_caller_key(), keys)
    tb.git("add", "keys")
    tb.git("commit", "-q", "-am", "test roster")
    book = Book(tb.root, "wang")
    approvals.approve(book, ident, approvals.plan(book, ident))
    return tb


def git(cwd: Path, *args: str, check: bool = True) -> str:
    """Plain git in a folder (what a person, or another office, types)."""
    import subprocess

    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, encoding="utf-8",
                          check=check).stdout


@pytest.fixture
def offices(book, env):
    """Two offices of one book: the `book` fixture pushed to a bare remote, and a second clone
    made the way a new office makes it (`hotline init --clone`)."""
    remote = env / "remote.git"
    git(env, "init", "-q", "--bare", str(remote))
    book.git("remote", "add", "origin", str(remote))
    book.run("sync")
    r = book.runner.invoke(app, ["init", "--clone", str(remote), str(env / "office2")])
    assert r.exit_code == 0, r.output
    other = TestBook(env / "office2", env / "home", book.runner)
    return book, other, remote
