"""What arrives from another office (issue #22): whoever can write the shared repository — another
office, the USB stick, the shared drive — cannot run code, delete cases, drop events or write
outside the book in this office.  Real git: a bare remote, two clones, hostile commits made with
plain git in one of them (as a hostile office would), `hotline sync` in the other.
"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml

import conftest
from hotline.cli import app

HOSTILE_TEMPLATES = [
    # read the office's private key through Python's object graph
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{% for c in ().__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    "{{ cycler.__init__.__globals__.os.popen('touch MARKER').read() }}",
    "{{ lipsum.__globals__['os'].system('touch MARKER') }}",
    "{{ self._TemplateReference__context.cycler.__init__.__globals__.os.system('touch MARKER') }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ month.update({'x': 1}) }}{{ received }}",
    "{{ 'x' * 1000000000 }}",
    "{% for i in range(1000000000) %}{% endfor %}",
    "{{ '{0.__class__}'.format(month) }}",
]


def git(cwd: Path, *args: str, check: bool = True) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, encoding="utf-8",
                          check=check).stdout


@pytest.fixture
def offices(book, env):
    remote = env / "remote.git"
    git(env, "init", "-q", "--bare", str(remote))
    book.git("remote", "add", "origin", str(remote))
    book.run("sync")
    r = book.runner.invoke(app, ["init", "--clone", str(remote), str(env / "office2")])
    assert r.exit_code == 0, r.output
    other = conftest.TestBook(env / "office2", env / "home", book.runner)
    return book, other, remote


def hostile_commit(tb, message: str = "hostile") -> str:
    """Commit everything in `tb` with plain git (what a hostile office does) and push it."""
    git(tb.root, "add", "-A")
    git(tb.root, "-c", "user.name=mallory", "-c", "user.email=mallory@example.org", "commit", "-q", "-m", message)
    git(tb.root, "push", "-q", "origin", "HEAD:main")
    return git(tb.root, "rev-parse", "--short", "HEAD").strip()


# ---------------------------------------------------------------- 1. templates run no code

@pytest.mark.parametrize("body", HOSTILE_TEMPLATES)
def test_a_template_from_another_office_runs_no_code(book, body, tmp_path):
    book.intake()
    marker = tmp_path / "PWNED"
    (book.root / "templates" / "report.md.j2").write_text(body.replace("MARKER", str(marker)), encoding="utf-8")
    r = book.run("report", "--month", "2026-11", expect=None)
    assert not marker.exists()
    assert r.exit_code != 0, r.output          # refused, never rendered
    assert "Traceback" not in r.output
    assert "templates/report.md.j2" in r.output
    assert "age1" not in r.output and "AGE-SECRET-KEY" not in r.output


def test_a_referral_form_template_runs_no_code(book, env):
    cid = book.intake(grade="gray")
    (book.root / "templates" / "referral.md.j2").write_text(
        "{{ cycler.__init__.__globals__.os.system('touch %s') }}" % (env / "PWNED"), encoding="utf-8")
    form = env / "form.md"
    r = book.run("refer", cid, "--to", "legal-aid", "--form", str(form), expect=None)
    assert not (env / "PWNED").exists()
    assert r.exit_code != 0 and "templates/referral.md.j2" in r.output


def test_an_ordinary_edited_template_still_renders(book):
    book.intake()
    (book.root / "templates" / "report.md.j2").write_text(
        "{{ month }}: {{ received }} · {% for k, v in by_grade.items() %}{{ k }}={{ v }} {% endfor %}"
        "{{ '%d' % received }} {{ [1, 2] * 2 }}\n", encoding="utf-8")
    r = book.run("report", "--month", "2026-11")
    assert "green=1" in r.stdout and "[1, 2, 1, 2]" in r.stdout.replace("&#39;", "'") or "1, 2, 1, 2" in r.stdout


# ---------------------------------------------------------------- 4. nothing is written outside the book

@pytest.mark.parametrize("link", ["cases/2026", "cases/2026/11", "ledger", "leave", "keys"])
def test_a_symlinked_folder_never_sends_the_book_s_files_elsewhere(book, env, link):
    elsewhere = env / "elsewhere"
    elsewhere.mkdir()
    first = book.intake()  # the month folder exists: a link replaces it
    target = book.root / link
    if target.exists():
        subprocess.run(["rm", "-rf", str(target)], check=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(elsewhere, target)
    writes = {
        "cases/2026": lambda: book.run("intake", "--no-input", "-q", "--channel", "phone", "--grade", "green",
                                       "--role", "survivor", "--category", "domestic_violence", "--need", "legal",
                                       "--summary", "询问", "--at", "2026-11-21 10:00", expect=None),
        "ledger": lambda: book.run("award", "li", "lecture_outreach", "--date", "2026-11-20", expect=None),
        "leave": lambda: book.run("leave", "li", "--from", "2026-12-01", "--to", "2026-12-02", "--reason", "病假",
                                  expect=None),
        "keys": lambda: book.run("rekey", expect=None),
    }
    r = writes.get(link, writes["cases/2026"])()
    assert list(elsewhere.iterdir()) == [], r.output      # nothing written outside the book
    assert r.exit_code in (1, 2) and "symbolic link" in r.output, r.output   # refused, in one line
    assert r.exception is None or isinstance(r.exception, SystemExit)
    c = book.run("check", expect=1)
    assert f"{link}: is a symbolic link" in c.stdout + c.stderr


def test_a_case_file_beyond_a_linked_folder_is_not_read(book, env):
    cid = book.intake()
    elsewhere = env / "elsewhere" / "11"
    elsewhere.parent.mkdir()
    src = book.root / "cases" / "2026" / "11"
    subprocess.run(["cp", "-r", str(src), str(elsewhere)], check=True)
    subprocess.run(["rm", "-rf", str(src)], check=True)
    os.symlink(elsewhere, src)
    r = book.run("show", cid, expect=None)
    assert r.exit_code == 2 and "询问起诉程序" not in r.output
