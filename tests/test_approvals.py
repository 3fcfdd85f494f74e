"""Who may change who may read (SPEC §7, issue #23): a key, role or group counts for reading only once
a director of the line has signed it (`hotline approve`); whoever can push cannot make themselves a
reader, nor swap the caller key.  Real identities, real git, two clones and a bare remote."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pyrage
import yaml

from hotline.trust import privacy
from hotline.domain import approvals as rules
from hotline.storage import approvals as store
import pytest
from typer.testing import CliRunner

from hotline.cli import app
from tests import conftest
from tests.conftest import ROSTER, git


@pytest.fixture
def book(env) -> conftest.TestBook:
    """The test book as it was before everyone had a key: only wang (the director) has one, so a
    key given to li or chen is a new key; `init` approved wang and made the caller key."""
    runner = CliRunner()
    root = env / "book"
    assert runner.invoke(app, ["init", str(root), "--id", "wang", "--name", "王芳"]).exit_code == 0
    ident = privacy.load_identity()
    key = privacy.public_key(ident)
    text = re.sub(r"    key: \{(li|zhao|chen|xu)\}\n", "", ROSTER).format(key=key)
    text = text.replace(f"    key: {key}\n", f"    key: {key}\n    sign: {privacy.signing_public(ident)}\n")
    (root / "roster.yaml").write_text(text, encoding="utf-8")
    tb = conftest.TestBook(root, env / "home", runner)
    tb.git("commit", "-q", "-am", "test roster")
    return tb

ARMOR = re.compile(r"-----BEGIN AGE ENCRYPTED FILE-----.*?-----END AGE ENCRYPTED FILE-----", re.S)
NAME, PHONE = "张秀英", "13812345678"


def identity(tmp_path: Path, name: str):
    path = tmp_path / f"{name}.txt"
    privacy.new_identity(path)
    ident = privacy.load_identity(path)
    return path, ident, privacy.public_key(ident), privacy.signing_public(ident)


def objects(repo: Path) -> list[bytes]:
    """Every object git holds in `repo` (work tree or bare), whole."""
    raw = subprocess.run(["git", "cat-file", "--batch-all-objects", "--batch"], cwd=repo, capture_output=True,
                         check=True).stdout
    out, i = [], 0
    while i < len(raw):
        nl = raw.index(b"\n", i)
        _sha, _kind, size = raw[i:nl].split()
        start = nl + 1
        out.append(raw[start:start + int(size)])
        i = start + int(size) + 1
    return out


def opened_by(ident, *repos: Path) -> int:
    """How many armored age blocks in all objects of `repos` the identity opens: itself, or with a case's
    data key it can unwrap from any key-store entry among those objects (per-case keys)."""
    from tests.test_need_to_know import data_keys

    n = 0
    for repo in repos:
        blobs = objects(repo)
        keys = [ident, *data_keys(ident, blobs)]
        for blob in blobs:
            for m in ARMOR.finditer(blob.decode("utf-8", "replace")):
                armor = "\n".join(line.strip() for line in m.group(0).splitlines()) + "\n"
                for k in keys:
                    try:
                        pyrage.decrypt(armor.encode("ascii"), [k])
                        n += 1
                        break
                    except Exception:
                        continue
    return n


def give_key(root: Path, pid: str, key: str, roles: str | None = None, sign: str | None = None) -> None:
    """Edit roster.yaml by hand, as anyone who can push can: `pid` gets `key` (and roles, a signing key)."""
    roster = root / "roster.yaml"
    text = roster.read_text(encoding="utf-8")
    entry = re.search(rf"  - id: {pid}\n(    .*\n)*", text).group(0)
    new = entry + f"    key: {key}\n" + (f"    sign: {sign}\n" if sign else "")
    if roles:
        new = re.sub(r"    roles: \[.*\]\n", f"    roles: [{roles}]\n", new)
    roster.write_text(text.replace(entry, new), encoding="utf-8")


def commit_as(root: Path, who: str, message: str, *paths: str) -> str:
    git(root, "add", "-A", *(paths or ["."]))
    git(root, "-c", f"user.name={who}", "-c", f"user.email={who}@example.net", "commit", "-qm", message)
    return git(root, "rev-parse", "--short", "HEAD").strip()


def personal_intake(tb, at: str, user: str = "wang", env=None, expect: int = 0):
    return tb.run("intake", "--no-input", "-q", "--channel", "phone", "--grade", "green", "--role", "survivor",
                  "--category", "domestic_violence", "--need", "legal", "--summary", "询问起诉程序", "--name", NAME,
                  "--contact", PHONE, "--at", at, user=user, env=env, expect=expect)


def test_a_key_added_by_another_office_gets_nothing_until_a_director_approves(offices, tmp_path):
    book, other, remote = offices
    _p, mallory, m_key, _s = identity(tmp_path, "mallory")
    case = book.intake("--name", NAME, "--contact", PHONE)
    book.run("sync")
    other.run("sync")
    give_key(other.root, "li", m_key)                       # another office makes li a reader with its own key
    commit = commit_as(other.root, "mallory", "roster: li's key")
    other.run("amend", case, "--name", "张秀兰", "--note", "姓名更正")   # both offices change the same personal block:
    other.run("sync")
    book.run("amend", case, "--address", "东城区某街道", "--note", "补充地址")  # the merge driver encrypts it again
    r = book.run("sync")
    assert re.search(rf"roster\.yaml: li: new key {m_key[:16]}… \(commit {commit} by mallory\): not approved", r.stderr)
    new = personal_intake(book, "2026-11-22 09:00").stdout.strip()
    book.run("rekey")
    book.run("sync")
    other.run("sync")
    assert opened_by(mallory, book.root, remote, other.root) == 0   # no object anywhere opens with that key
    r = book.run("check", expect=1)
    line = book.root.joinpath("roster.yaml").read_text(encoding="utf-8").splitlines().index(f"    key: {m_key}") + 1
    assert f"roster.yaml:{line}: li: new key" in r.stdout and "not approved by a director" in r.stdout
    assert new in book.run("list", "--format", "csv").stdout
    # once the director approves, the same key reads what is written after
    r = book.run("approve", "--yes")
    assert f"li: new key {m_key[:16]}" in r.stdout and "Approved by wang" in r.stdout
    assert "li" not in book.run("check").stdout
    newer = personal_intake(book, "2026-11-22 10:00").stdout.strip()
    book.run("assign", newer, "--to", "li")                 # need to know: li reads what li is given
    assert opened_by(mallory, book.root) >= 1


def test_a_replaced_caller_key_is_named_and_never_used(offices, tmp_path):
    book, other, _remote = offices
    _p, _mallory, m_key, _s = identity(tmp_path, "mallory")
    first = personal_intake(book, "2026-11-20 09:00").stdout.strip()
    book.run("sync")
    other.run("sync")
    wang_key = privacy.public_key(privacy.load_identity())
    forged = privacy.new_caller_key()                      # a caller key the other office knows
    privacy.write_caller_key(other.root, forged, [wang_key, m_key])
    commit = commit_as(other.root, "mallory", "a new caller key")
    other.run("sync")
    r = book.run("sync")
    assert f"keys/caller-key.age: a caller key no director approved (replaced?) (commit {commit} by mallory)" in r.stderr
    r = personal_intake(book, "2026-11-21 09:00")
    assert "no director approved" in r.stderr
    second = r.stdout.strip()
    caller = yaml.safe_load(book.case_file(second).read_text(encoding="utf-8"))["personal"].get("caller")
    assert caller is None                                  # no pseudonym made with the replaced key
    assert privacy.caller_tag(PHONE, forged) not in book.case_file(second).read_text(encoding="utf-8")
    assert "caller key no director approved" in book.run("check", expect=1).stdout
    # the director makes a new one (rekey), which approves it: repeat callers are recognised again
    approvals = book.root / "keys" / "approvals.yaml"
    before = approvals.read_text(encoding="utf-8").count("\n- id:")
    book.run("rekey")
    assert approvals.read_text(encoding="utf-8").count("\n- id:") == before + 1
    assert "keys/approvals.yaml" in book.git("show", "--name-only", "--format=", "HEAD")   # in the rekey's commit
    third = personal_intake(book, "2026-11-22 09:00").stdout.strip()
    r = book.run("intake", "--no-input", "--channel", "phone", "--grade", "green", "--role", "survivor", "--category",
                 "divorce", "--need", "legal", "--summary", "x", "--contact", PHONE, "--at", "2026-11-22 10:00")
    assert f"3 earlier case(s): {first}, {second}, {third}" in r.stdout   # rekey gave the second its pseudonym
    assert "caller key" not in book.run("check").stdout


def _signed_by(root: Path, ident, pid: str, people: list[dict]) -> None:
    """Append an approval signed with `ident` as `pid`, following the approval in force (what a
    person with a text editor and this library can forge)."""
    entries, _t = store.read(root)
    a = rules.make([entries[-1].id], pid, "2026-11-22T10:00:00+08:00", people, entries[-1].caller,
                   privacy.signing_key(ident))
    store.append(root, a)


def test_an_unapproved_role_change_to_director_grants_no_signing_power(offices, tmp_path):
    book, other, remote = offices
    li_path, li, li_key, li_sign = identity(tmp_path, "li")
    give_key(book.root, "li", li_key, sign=li_sign)
    commit_as(book.root, "wang", "li's keys")
    book.run("approve", "--yes")                              # li: an approved volunteer
    book.run("sync")
    other.run("sync")
    _p, mallory, m_key, _s = identity(tmp_path, "mallory")
    roster = other.root / "roster.yaml"
    roster.write_text(roster.read_text(encoding="utf-8").replace("    roles: [volunteer]\n    email: li@",
                                                                 "    roles: [director]\n    email: li@", 1), encoding="utf-8")
    give_key(other.root, "chen", m_key)
    env = {"HOTLINE_IDENTITY": str(li_path)}
    r = other.run("approve", "--yes", user="li", env=env, expect=2)   # hotline itself refuses her
    assert "li is not a director" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    statement = rules.statement(__import__("hotline.storage.config", fromlist=["x"]).parse_roster(
        roster.read_text(encoding="utf-8"), roster))
    _signed_by(other.root, li, "li", statement)             # and a hand-made approval
    commit_as(other.root, "li", "approve myself")
    other.run("sync", user="li", env=env)
    r = book.run("sync")
    assert "li was not a director with that signing key in the approval it follows; ignored" in r.stderr
    assert "li: new role(s) director" in r.stderr and "chen: new key" in r.stderr
    personal_intake(book, "2026-11-22 11:00")
    assert opened_by(mallory, book.root, remote) == 0
    r = book.run("check", expect=1)
    assert re.search(r"keys/approvals\.yaml:\d+: approval \w+ by li: li was not a director", r.stdout)
    assert book.run("approve", "--yes", user="li", env=env, expect=2).exit_code == 2


def test_a_changed_approval_is_refused_and_the_readers_verified_last_stay(book, tmp_path):
    _p, mallory, m_key, _s = identity(tmp_path, "mallory")
    path = book.root / "keys" / "approvals.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count("\n- id:") == 1
    people = re.search(r"  people:\n", text).end()
    text = text[:people] + f"  - id: chen\n    key: {m_key}\n    sign: null\n    roles: [director]\n    group: g2\n" + text[people:]
    path.write_text(text, encoding="utf-8")
    give_key(book.root, "chen", m_key)
    commit_as(book.root, "mallory", "chen reads")
    r = book.run("check", expect=1)
    assert "its content was changed after it was signed; ignored" in r.stdout
    assert "chen: new key" in r.stdout
    personal_intake(book, "2026-11-22 09:00")
    assert opened_by(mallory, book.root) == 0


def test_a_removed_approvals_file_does_not_reopen_the_door(book, tmp_path):
    _p, mallory, m_key, _s = identity(tmp_path, "mallory")
    git(book.root, "rm", "-q", "keys/approvals.yaml")
    give_key(book.root, "chen", m_key, roles="director")
    commit_as(book.root, "mallory", "no more approvals")
    r = book.run("check", expect=1)
    assert "is gone from keys/approvals.yaml: the file was rewritten or deleted" in r.stdout
    assert "chen: new key" in r.stdout and "keys/approvals.yaml: deleted by commit" in r.stdout
    personal_intake(book, "2026-11-22 09:00")
    book.run("rekey")
    assert opened_by(mallory, book.root) == 0
    book.run("resolve")                                     # puts the file back, like a case
    r = book.run("check", expect=1)
    assert "keys/approvals.yaml" not in r.stdout and "chen: new key" in r.stdout


def test_a_forged_first_approval_from_another_office_is_refused(offices, tmp_path):
    book, other, remote = offices
    m_path, mallory, m_key, m_sign = identity(tmp_path, "mallory")
    give_key(other.root, "chen", m_key, roles="director", sign=m_sign)
    from hotline.storage.config import load_roster

    genesis = rules.make([], "chen", "2026-11-22T08:00:00+08:00", rules.statement(load_roster(other.root / "roster.yaml")),
                         None, privacy.signing_key(mallory))
    (other.root / "keys" / "approvals.yaml").write_text(store.dump([genesis]), encoding="utf-8")
    commit = commit_as(other.root, "mallory", "a fresh start")
    git(other.root, "push", "-q", "origin", "HEAD")
    r = book.run("sync")
    assert "starts a chain of its own, not this book's; refused" in r.stderr
    assert "chen: new key" in r.stderr and commit in r.stderr
    personal_intake(book, "2026-11-22 09:00")
    book.run("rekey")
    book.run("sync")
    assert opened_by(mallory, book.root, remote) == 0
    assert "starts a chain of its own" in book.run("check", expect=1).stdout
    env = {"HOTLINE_IDENTITY": str(m_path)}
    assert book.run("approve", "--yes", user="chen", env=env, expect=2).exit_code == 2


def test_intake_refuses_a_person_whose_own_key_is_not_approved(book, tmp_path):
    m_path, _mallory, m_key, _s = identity(tmp_path, "li")
    give_key(book.root, "li", m_key)
    commit_as(book.root, "li", "my key")
    before = book.git("rev-list", "--count", "HEAD")
    r = personal_intake(book, "2026-11-22 09:00", user="li", env={"HOTLINE_IDENTITY": str(m_path)}, expect=2)
    assert "your key (" in r.stderr and "is not approved for reading" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert book.git("rev-list", "--count", "HEAD") == before
    assert book.intake(user="li")                           # a call without personal data is still taken
    book.run("approve", "--yes")
    personal_intake(book, "2026-11-22 10:00", user="li", env={"HOTLINE_IDENTITY": str(m_path)})


def test_a_new_office_trusts_the_chain_it_receives_and_says_who_approved_it(offices, env):
    book, _other, remote = offices
    from typer.testing import CliRunner

    from hotline.cli import app

    r = CliRunner().invoke(app, ["init", "--clone", str(remote), str(env / "office3")])
    assert r.exit_code == 0, r.output
    assert "who may read was last approved by wang at 2026-11-23T12:00:00+08:00" in r.output
    assert (env / "office3" / ".git" / store.PIN).is_file()


def test_a_book_without_approvals_says_so_once_and_the_first_approval_is_the_directors(book, env):
    import shutil

    from tests.conftest import TestBook

    old = env / "old"                                       # a book made before approvals: same files, none of them
    shutil.copytree(book.root, old, ignore=shutil.ignore_patterns(".git", "approvals.yaml"))
    git(old, "init", "-q")
    commit_as(old, "wang", "a book made before approvals")
    tb = TestBook(old, book.home, book.runner)
    r = tb.run("check")                                     # it works as before: said once, not a problem
    assert r.stderr.count("no director has approved who may read yet") == 1 and r.stdout == ""
    assert tb.run("approve", "--yes", user="li", expect=2).exit_code == 2   # not a director
    r = tb.run("approve", "--yes")
    assert "The first approval of this book" in r.stdout and "wang: new key" in r.stdout
    assert tb.run("check").stderr == ""


def test_approve_asks_on_a_terminal_and_a_script_must_say_yes(book, tmp_path):
    _p, _i, key, _s = identity(tmp_path, "zhao")
    give_key(book.root, "zhao", key)
    commit_as(book.root, "wang", "zhao's key")
    r = book.run("approve", expect=2)
    assert "--yes" in r.stderr and "approvals" not in book.git("log", "-1", "--name-only")


def test_two_approvals_at_once_in_two_offices_are_named_and_joined(offices, tmp_path):
    book, other, _remote = offices
    _p, _a, a_key, _s = identity(tmp_path, "a")
    _p, _b, b_key, _s = identity(tmp_path, "b")
    give_key(book.root, "zhao", a_key)
    commit_as(book.root, "wang", "zhao")
    book.run("approve", "--yes")
    give_key(other.root, "chen", b_key)
    commit_as(other.root, "wang", "chen")
    other.run("approve", "--yes", env={"HOTLINE_NOW": "2026-11-23 12:05"})
    other.run("sync")
    r = book.run("sync")
    assert "approvals made at the same time in different offices" in r.stderr
    assert "chen: new key" in r.stderr and "zhao" not in r.stderr     # this clone keeps its own approval
    assert "approvals made at the same time" in book.run("check", expect=1).stdout
    r = book.run("approve", "--yes")
    assert "joins 2 approvals" in r.stdout and "chen: new key" in r.stdout
    assert book.run("check").stdout == ""
    book.run("sync")
    other.run("sync")
    assert other.run("check").stdout == ""


def test_a_sign_that_is_not_a_signing_key_is_refused_with_its_line(book):
    roster = book.root / "roster.yaml"
    text = roster.read_text(encoding="utf-8")
    roster.write_text(text.replace("  - id: li\n", "  - id: li\n    sign: 12345\n"), encoding="utf-8")
    line = roster.read_text(encoding="utf-8").splitlines().index("    sign: 12345") + 1
    r = book.run("check", expect=1)
    assert f"roster.yaml:{line}: people[1].sign must be text" in r.stdout


def test_a_caller_key_made_by_someone_who_cannot_approve_waits_for_a_director(book, tmp_path):
    xu_path, _xu, xu_key, _s = identity(tmp_path, "xu")
    _p, _z, z_key, _s = identity(tmp_path, "zhao")
    give_key(book.root, "xu", xu_key)
    give_key(book.root, "zhao", z_key)
    commit_as(book.root, "wang", "keys for xu and zhao")
    book.run("approve", "--yes")
    personal_intake(book, "2026-11-20 09:00")
    book.run("rekey")                                       # xu (the secretary) reads every case now
    roster = book.root / "roster.yaml"
    roster.write_text(roster.read_text(encoding="utf-8").replace(f"    key: {z_key}\n", ""), encoding="utf-8")
    commit_as(book.root, "wang", "zhao left")
    env = {"HOTLINE_IDENTITY": str(xu_path)}
    r = book.run("rekey", user="xu", env=env)               # a new caller key (a key was removed), made by xu
    assert "waits for a director's approval" in r.stdout
    assert "caller key no director approved" in book.run("check", expect=1).stdout
    assert "no director approved" in personal_intake(book, "2026-11-21 09:00").stderr
    r = book.run("approve", "--yes")                        # the director can open it: approves it
    assert "a caller key no director approved" in r.stdout
    assert book.run("check").stdout == ""
    assert "1 earlier case(s)" in book.run("intake", "--no-input", "--channel", "phone", "--grade", "green", "--role",
                                            "survivor", "--category", "divorce", "--need", "legal", "--summary", "x",
                                            "--contact", PHONE, "--at", "2026-11-22 10:00").stdout


def test_an_approval_that_would_leave_no_director_able_to_approve_is_refused(book):
    roster = book.root / "roster.yaml"
    roster.write_text(roster.read_text(encoding="utf-8").replace("    roles: [director, leader]\n", "    roles: [leader]\n", 1),
                      encoding="utf-8")
    commit_as(book.root, "wang", "the only director steps down")
    before = book.git("rev-list", "--count", "HEAD")
    r = book.run("approve", "--yes", expect=2)
    assert "no director would hold a signing key" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert book.git("rev-list", "--count", "HEAD") == before
    roster.write_text(re.sub(r"    sign: .*\n", "", roster.read_text(encoding="utf-8")), encoding="utf-8")
    r = book.run("approve", "--yes", expect=2)             # the approver's own entry needs their signing key
    assert "add `sign: ed25519:" in r.stderr


def test_check_names_an_unapproved_key_in_chinese(book, tmp_path):
    _p, _m, m_key, _s = identity(tmp_path, "zhao")
    give_key(book.root, "zhao", m_key)
    commit_as(book.root, "wang", "zhao's key")
    r = book.run("check", expect=1, env={"HOTLINE_LANG": "zh-CN"})
    assert f"zhao：新密钥 {m_key[:16]}…" in r.stdout and "未经主任批准，因此不会为它加密任何内容" in r.stdout
