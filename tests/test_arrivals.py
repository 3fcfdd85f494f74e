"""What arrives from another office (issue #22): whoever can write the shared repository — another
office, the USB stick, the shared drive — cannot run code, delete cases, drop events or write
outside the book in this office.  Real git: a bare remote, two clones, hostile commits made with
plain git in one of them (as a hostile office would), `hotline sync` in the other.
"""
from __future__ import annotations

import os
import subprocess

import pytest
import yaml

import conftest
from conftest import git
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
    book.intake()  # the month folder exists: a link replaces it
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


# ---------------------------------------------------------------- 2. cases are never deleted

def _case_ids(tb) -> set[str]:
    import json as _json
    return {c["id"] for c in _json.loads(tb.run("list", "--format", "json").stdout)}


@pytest.mark.parametrize("how", ["one", "all", "ledger"])
def test_a_deletion_from_another_office_is_put_back_and_named(offices, how):
    a, b, _remote = offices
    first, second = a.intake(), a.intake(at="2026-11-21 10:00")
    a.run("award", "li", "lecture_outreach", "--date", "2026-11-20")
    a.run("sync")
    b.run("sync")
    if how == "one":
        os.remove(b.case_file(first))
    elif how == "all":
        subprocess.run(["rm", "-rf", str(b.root / "cases" / "2026")], check=True)
    else:
        os.remove(b.root / "ledger" / "2026-11.yaml")
    sha = hostile_commit(b, "tidy up")
    r = a.run("sync")
    assert _case_ids(a) == {first, second}
    assert (a.root / "ledger" / "2026-11.yaml").exists()
    named = r.stderr
    assert sha in named and "mallory" in named and "put back" in named
    assert "1 went out" in r.stdout                                    # the commit that put it back
    gone = {"one": [first], "all": [first, second], "ledger": []}[how]
    for cid in gone:
        assert f"{cid}.yaml" in named
    a.run("check")                       # the book is whole again
    b.run("sync")                        # and the other office gets it all back
    assert _case_ids(b) == {first, second}
    assert (b.root / "ledger" / "2026-11.yaml").exists()


def test_a_deletion_that_came_by_plain_git_pull_is_named_by_check_and_put_back_by_resolve(offices):
    a, b, _remote = offices
    cid = a.intake()
    a.run("sync")
    b.run("sync")
    os.remove(b.case_file(cid))
    sha = hostile_commit(b)
    git(a.root, "pull", "-q", "--no-rebase", "origin", "main")
    r = a.run("check", expect=1)
    assert f"{cid}.yaml" in r.stdout and sha in r.stdout and "hotline resolve" in r.stdout
    a.run("resolve")
    assert a.case_file(cid).exists()
    a.run("check")
    assert git(a.root, "status", "--porcelain") == ""


def test_an_uncommitted_deletion_is_named_and_put_back_by_resolve(book):
    cid = book.intake()
    os.remove(book.case_file(cid))
    r = book.run("check", expect=1)
    assert "hotline resolve" in r.stdout and "git rm" not in r.stdout
    book.run("resolve")
    assert book.case_file(cid).exists()
    book.run("check")


# ---------------------------------------------------------------- 3. events are never dropped

def _events(tb, cid):
    return yaml.safe_load(tb.case_file(cid).read_text(encoding="utf-8"))["events"]


def test_an_event_removed_or_rewritten_by_another_office_is_put_back(offices):
    a, b, _remote = offices
    cid = a.intake()
    a.run("close", cid, "--outcome", "unresolved", "--reason", "来电者不愿继续", "--at", "2026-11-20 16:00")
    a.run("sync")
    b.run("sync")
    data = yaml.safe_load(b.case_file(cid).read_text(encoding="utf-8"))
    close = data["events"][-1]
    data["events"][-1] = {**close, "outcome": "resolved"}     # rewrite history: a close that was not
    b.case_file(cid).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    sha = hostile_commit(b)
    r = a.run("sync")
    ev = _events(a, cid)
    closes = [e for e in ev if e["type"] == "close"]
    assert {"id": close["id"], "outcome": "unresolved"}.items() <= next(e for e in closes if e["id"] == close["id"]).items()
    assert len(closes) == 2 and closes[0]["outcome"] == "unresolved"     # the first close counts
    assert sha in r.stderr and cid in r.stderr
    shown = a.run("show", cid).stdout
    assert "unresolved" in shown.lower() or "未能解决" in shown
    # removing the event altogether
    a.run("sync"); b.run("sync")
    data = yaml.safe_load(b.case_file(cid).read_text(encoding="utf-8"))
    data["events"] = data["events"][:1]
    b.case_file(cid).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    hostile_commit(b)
    a.run("sync")
    assert [e["id"] for e in _events(a, cid)] == [e["id"] for e in ev]


def test_a_new_event_that_reuses_an_id_is_kept_under_its_own_id(offices):
    a, b, _remote = offices
    cid = a.intake(grade="red")
    a.run("sync"); b.run("sync")
    a.run("followup", cid, "--note", "再次联系", "--at", "2026-11-20 16:00")   # a's own change: the driver runs
    data = yaml.safe_load(b.case_file(cid).read_text(encoding="utf-8"))
    reused = data["events"][0]["id"]
    data["events"].append({"id": reused, "type": "close", "at": "2026-11-20T17:00:00+08:00", "by": "wang",
                           "outcome": "resolved"})
    b.case_file(cid).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    hostile_commit(b)
    r = a.run("sync")
    ev = _events(a, cid)
    assert [e["type"] for e in ev].count("close") == 1 and ev[0]["type"] == "intake" and ev[0]["id"] == reused
    assert len({e["id"] for e in ev}) == len(ev)                    # every event its own id
    assert "followup" in [e["type"] for e in ev]
    assert cid in r.stderr
    a.run("check")
    b.run("sync")
    assert _events(b, cid) == ev                                    # both offices hold the same file


def test_check_names_two_events_with_one_id(book):
    cid = book.intake()
    book.run("followup", cid, "--note", "再次联系", "--at", "2026-11-20 16:00")
    data = yaml.safe_load(book.case_file(cid).read_text(encoding="utf-8"))
    data["events"][1]["id"] = data["events"][0]["id"]
    book.case_file(cid).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    book.git("commit", "-qam", "hand edit")
    r = book.run("check", expect=1)
    line = next(ln for ln in r.stdout.splitlines() if data["events"][0]["id"] in ln)
    assert f"{cid}.yaml:" in line and "events[0]" in line
    book.run("resolve")
    ev = _events(book, cid)
    assert ev[0]["id"] == data["events"][0]["id"] and len({e["id"] for e in ev}) == 2
    assert [e["type"] for e in ev] == ["intake", "followup"]
    book.run("check")


# ---------------------------------------------------------------- links, and what changes who reads

def test_a_symlink_that_arrives_by_sync_is_refused(offices, env):
    a, b, _remote = offices
    a.intake()
    a.run("sync"); b.run("sync")
    os.symlink("/etc", b.root / "cases" / "2027")
    os.remove(b.root / "templates" / "report.md.j2")
    os.symlink("/etc/passwd", b.root / "templates" / "report.md.j2")
    sha = hostile_commit(b)
    r = a.run("sync")
    assert not (a.root / "cases" / "2027").is_symlink() and not (a.root / "cases" / "2027").exists()
    assert not (a.root / "templates" / "report.md.j2").is_symlink()
    assert (a.root / "templates" / "report.md.j2").is_file()
    assert r.stderr.count(sha) >= 2 and "symbolic link" in r.stderr
    a.run("check")
    assert "root:" not in a.run("report", "--month", "2026-11").stdout


def test_a_roster_or_rules_change_from_another_office_is_named(offices):
    a, b, _remote = offices
    a.run("sync"); b.run("sync")
    text = (b.root / "roster.yaml").read_text(encoding="utf-8")
    (b.root / "roster.yaml").write_text(text.replace("roles: [volunteer]", "roles: [director]", 1), encoding="utf-8")
    sha = hostile_commit(b)
    r = a.run("sync")
    assert "roster.yaml" in r.stderr and sha in r.stderr and "mallory" in r.stderr


# ---------------------------------------------------------------- 12. a new office's first sync

def test_a_new_office_not_yet_in_the_roster_can_sync_to_get_it(offices, env):
    a, b, remote = offices
    r = a.runner.invoke(app, ["init", "--clone", str(remote), str(env / "office3"), "--id", "sun", "--name", "孙"])
    assert r.exit_code == 0, r.output
    c = conftest.TestBook(env / "office3", env / "home", a.runner)
    git(c.root, "config", "user.name", "孙")
    git(c.root, "config", "user.email", "sun@example.org")
    cid = a.intake()
    a.run("sync")
    r = c.run("sync", user=None)
    assert r.exit_code == 0
    assert c.case_file(cid).exists()


def test_a_month_of_call_counts_deleted_by_another_office_is_put_back(offices):
    a, b, _remote = offices
    a.run("calls", "add", "--month", "2026-10", "--missed", "12", "--abandoned", "3")
    a.run("sync"); b.run("sync")
    files = list((b.root / "calls").glob("*.yaml"))
    assert files
    for f in files:
        os.remove(f)
    sha = hostile_commit(b)
    r = a.run("sync")
    assert sha in r.stderr and "calls/" in r.stderr
    assert sorted(p.name for p in (a.root / "calls").glob("*.yaml")) == sorted(f.name for f in files)
