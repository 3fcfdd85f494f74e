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
