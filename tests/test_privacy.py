"""Callers' personal data is encrypted from the first commit (SPEC §7)."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from hotline.trust import privacy
from hotline.storage import store

NAME, PHONE, ADDRESS = "张秀兰", "13812345678", "东莞市长安镇某村"


def planted_lifecycle(book) -> str:
    cid = book.intake("--name", NAME, "--contact", PHONE, "--address", ADDRESS, "--notes", "丈夫姓刘", grade="gray")
    book.run("refer", cid, "--to", "legal-aid", "--at", "2026-11-21 10:00")
    book.run("followup", cid, "--note", "已跟进", "--at", "2026-11-22 10:00")
    book.run("close", cid, "--outcome", "resolved", "--at", "2026-11-23 10:00")
    return cid


def test_no_personal_data_in_files_or_git_history(book, monkeypatch):
    monkeypatch.setenv("HOTLINE_NOW", "2026-12-30 12:00")  # its writes are dated up to then: no write is in the future
    cid = planted_lifecycle(book)
    book.intake("--name", NAME, "--contact", "138-1234-5678", at="2026-11-24 09:00")
    outputs = [book.run(*a).output for a in (["list"], ["show", cid], ["history", cid], ["overdue", "--as-of", "2026-12-30"],
                                              ["check"], ["list", "--format", "json"])]
    history = book.git("log", "-p", "--all")
    files = "".join(p.read_text(encoding="utf-8", errors="replace") for p in book.root.rglob("*") if p.is_file() and ".git" not in p.parts)
    for secret in (NAME, PHONE, ADDRESS, "丈夫姓刘", "1234-5678"):
        assert secret not in history
        assert secret not in files
        for out in outputs:
            assert secret not in out


def test_show_without_reveal_says_encrypted_and_to_how_many(book):
    cid = book.intake("--contact", PHONE)
    out = book.run("show", cid).stdout
    # wang's case: wang (owner, leader of g1, director) and xu (secretary) hold its key; li (g1 volunteer) not
    assert "encrypted for 2 recipient" in out and PHONE not in out


def test_reveal_decrypts_for_a_key_holder(book):
    cid = book.intake("--name", NAME, "--contact", PHONE)
    out = book.run("show", cid, "--reveal").stdout
    assert NAME in out and PHONE in out


def test_reveal_with_a_wrong_key_is_one_clear_line(book, tmp_path):
    cid = book.intake("--contact", PHONE)
    other = tmp_path / "other.txt"
    privacy.new_identity(other)
    r = book.run("show", cid, "--reveal", env={"HOTLINE_IDENTITY": str(other)}, expect=2)
    assert "holds no wrap of case" in r.output and PHONE not in r.output
    assert "Traceback" not in r.output


def test_reveal_with_no_key_is_one_clear_line(book, tmp_path):
    cid = book.intake("--contact", PHONE)
    r = book.run("show", cid, "--reveal", env={"HOTLINE_IDENTITY": str(tmp_path / "missing.txt")}, expect=2)
    assert "no identity file" in r.output


def test_a_book_with_no_recipients_refuses_personal_data(book):
    roster = book.root / "roster.yaml"
    text = "\n".join(line for line in roster.read_text(encoding="utf-8").splitlines() if "key:" not in line) + "\n"
    roster.write_text(text, encoding="utf-8")
    r = book.run("intake", "--no-input", "--channel", "phone", "--grade", "green", "--role", "party",
                 "--category", "divorce", "--need", "legal", "--summary", "x", "--contact", PHONE, expect=2)
    assert "no staff keys" in r.output
    assert not list((book.root / "cases").rglob("*.yaml"))
    # without personal data an intake still works
    book.intake()


def test_rekey_after_a_new_key_lets_them_reveal_every_case_and_takes_it_from_the_old_key(book, tmp_path, env):
    a = book.intake("--name", NAME, "--contact", PHONE)
    b = book.intake("--contact", "13900000000", at="2026-11-21 10:00")
    newcomer = tmp_path / "newcomer.txt"
    _, public = privacy.new_identity(newcomer)
    new = {"HOTLINE_IDENTITY": str(newcomer)}
    old = {"HOTLINE_IDENTITY": str(env / "ids" / "xu.txt")}
    assert book.run("show", a, "--reveal", env=new, user="xu", expect=2).exit_code == 2
    assert NAME in book.run("show", a, "--reveal", env=old, user="xu").stdout
    roster = book.root / "roster.yaml"
    old_public = privacy.public_key(privacy.load_identity(env / "ids" / "xu.txt"))
    roster.write_text(roster.read_text(encoding="utf-8").replace(old_public, public), encoding="utf-8")
    book.git("commit", "-qam", "xu has a new key (the old laptop was lost)")
    case_files = sorted(p.read_text(encoding="utf-8") for p in (book.root / "cases").rglob("*.yaml"))
    # taking away counts at once: xu's old key loses both cases' wraps; the new one waits for a director (§7)
    out = book.run("rekey").stdout
    assert "Keys of 2 case(s) changed: 0 reader key(s) given, 2 taken away, 0 case(s)" in out
    assert "new caller key" in out          # a key was removed: the caller key is made again
    assert book.run("show", a, "--reveal", env=old, user="xu", expect=2).exit_code == 2   # the lost laptop's key
    assert book.run("show", a, "--reveal", env=new, user="xu", expect=2).exit_code == 2
    book.run("approve", "--yes")
    before = book.git("rev-list", "--count", "HEAD")
    out = book.run("rekey").stdout
    # both cases: xu's new key given (2); no case file changes; the caller key now opens for it too
    assert "Keys of 2 case(s) changed: 2 reader key(s) given, 0 taken away, 0 case(s)" in out
    assert sorted(p.read_text(encoding="utf-8") for p in (book.root / "cases").rglob("*.yaml")) == case_files
    assert int(book.git("rev-list", "--count", "HEAD")) == int(before) + 1   # the caller key, one commit
    assert NAME in book.run("show", a, "--reveal", env=new, user="xu").stdout
    assert "13900000000" in book.run("show", b, "--reveal", env=new, user="xu").stdout
    assert book.run("show", a, "--reveal", env=old, user="xu", expect=2).exit_code == 2   # the lost laptop's key
    assert "encrypted for 2 recipient" in book.run("show", a).stdout
    # the new key also recognises repeat callers
    r = book.run("intake", "--no-input", "--channel", "phone", "--grade", "green", "--role", "party",
                 "--category", "divorce", "--need", "legal", "--summary", "x", "--contact", PHONE,
                 "--at", "2026-11-22 10:00", env=new, user="xu")
    assert f"1 earlier case(s): {a}" in r.stdout


def test_rekey_refuses_when_the_key_cannot_open_a_case(book, tmp_path):
    book.intake("--contact", PHONE)
    other = tmp_path / "other.txt"
    privacy.new_identity(other)
    r = book.run("rekey", env={"HOTLINE_IDENTITY": str(other)}, expect=2)
    assert "cannot open" in r.output


def test_repeat_caller_recognised_across_formats_without_clear_contact(book):
    a = book.intake("--contact", "+86 138 1234 5678", at="2026-11-01 10:00")
    b = book.intake("--contact", PHONE, at="2026-11-10 10:00")
    r = book.run("intake", "--no-input", "--channel", "wechat", "--grade", "green", "--role", "party",
                 "--category", "divorce", "--need", "legal", "--summary", "x", "--contact", "138-1234-5678",
                 "--at", "2026-11-20 10:00")
    assert f"2 earlier case(s): {a}, {b}" in r.stdout
    s = store.Store(book.root)
    tags = {s.get(x).personal.caller for x in (a, b)}
    assert len(tags) == 1
    tag = tags.pop()
    # the pseudonym is keyed: a clone without a staff key cannot test numbers against it
    import hashlib

    for guess in (PHONE, "+8613812345678"):
        assert hashlib.sha256(guess.encode()).hexdigest()[:20] != tag
    assert (book.root / "keys" / "caller-key.age").read_text().startswith("-----BEGIN AGE ENCRYPTED FILE-----")


def test_intake_without_identity_still_encrypts_and_says_the_check_was_skipped(book, tmp_path):
    r = book.run("intake", "--no-input", "--channel", "phone", "--grade", "green", "--role", "party",
                 "--category", "divorce", "--need", "legal", "--summary", "x", "--contact", PHONE,
                 "--at", "2026-11-20 10:00", env={"HOTLINE_IDENTITY": str(tmp_path / "none.txt")}, user="li")
    assert "repeat-caller check skipped" in r.stdout
    assert PHONE not in "".join(p.read_text(encoding="utf-8") for p in (book.root / "cases").rglob("*.yaml"))


@pytest.mark.skipif(shutil.which("age") is None, reason="the age command-line tool is not installed")
def test_standard_age_tool_decrypts_the_block(book, env):
    """SPEC §7: the standard `age` opens a case with the case's unwrapped data key (and only with it)."""
    cid = book.intake("--name", NAME, "--contact", PHONE)
    case = store.Store(book.root).get(cid)
    staff = subprocess.run(["age", "-d", "-i", str(env / "identity.txt")], input=case.personal.armor.encode(),
                           capture_output=True)
    assert staff.returncode != 0   # the block is encrypted to the case's own key, not to staff keys
    book.run("access", cid, "--data-key", str(env / "case.key"))
    assert (env / "case.key").stat().st_mode & 0o077 == 0
    book.run("access", cid, "--data-key", str(env / "li.key"), user="li", expect=2)   # li may not read it
    assert not (env / "li.key").exists()
    p = subprocess.run(["age", "-d", "-i", str(env / "case.key")], input=case.personal.armor.encode(),
                       capture_output=True, check=True)
    text = p.stdout.decode("utf-8")
    assert NAME in text and PHONE in text


def test_key_new_and_show(env, tmp_path):
    from typer.testing import CliRunner

    from hotline.cli import app

    runner = CliRunner()
    ident = tmp_path / "fresh.txt"
    r = runner.invoke(app, ["key", "new"], env={"HOTLINE_IDENTITY": str(ident)})
    assert r.exit_code == 0 and ident.exists()
    public = r.output.strip().splitlines()[-1]
    assert public.startswith("age1")
    shown = runner.invoke(app, ["key", "show"], env={"HOTLINE_IDENTITY": str(ident)}).output.splitlines()
    assert shown == [public, privacy.signing_public(privacy.load_identity(ident))]
    again = runner.invoke(app, ["key", "new"], env={"HOTLINE_IDENTITY": str(ident)})
    assert again.exit_code == 2 and "already exists" in again.output
