"""Need to know and erasure, cryptographically (SPEC §7, issue #23): each case's personal block is
encrypted to its own data key; the key store (refs/hotline/keys) wraps that key for exactly the
case's readers; `erase` destroys it everywhere the store syncs to.  Every check here tries a
person's real identity file against every object of every repository involved — not the CLI's
refusal, which tests/test_access.py covers.

The test roster (conftest): wang (g1 leader, director), li (g1 volunteer), zhao (g2 leader),
chen (g2 volunteer), xu (secretary) — each with an identity of their own.
"""
from __future__ import annotations

import base64
import re
import subprocess
from pathlib import Path

import pyrage
import pytest

from conftest import git, identity_of
from hotline.trust import privacy
from hotline.storage import keystore
from hotline.storage.casefile import parse_case

PHONE = "13812345678"
ARMOR = re.compile(rb"-----BEGIN AGE ENCRYPTED FILE-----.*?-----END AGE ENCRYPTED FILE-----", re.S)


def objects(repo: Path) -> list[bytes]:
    """Every object in a repository (loose and packed, reachable or not)."""
    p = subprocess.run(["git", "cat-file", "--batch-all-objects", "--batch"], cwd=repo, capture_output=True, check=True)
    out, data, pos = [], p.stdout, 0
    while pos < len(data):
        nl = data.index(b"\n", pos)
        size = int(data[pos:nl].split()[2])
        out.append(data[nl + 1:nl + 1 + size])
        pos = nl + 1 + size + 1
    return out


def data_keys(identity, blobs: list[bytes]) -> list:
    """Every data key `identity` can unwrap from any key-store entry among `blobs`."""
    keys = []
    for b in blobs:
        if not b.startswith(b"public age1"):
            continue
        for line in b.decode("ascii", "replace").splitlines()[1:]:
            parts = line.split(" ")
            if len(parts) == 4 and parts[0] == "wrap":
                try:
                    secret = pyrage.decrypt(base64.b64decode(parts[3]), [identity])
                except Exception:
                    continue
                keys.append(pyrage.x25519.Identity.from_str(secret.decode().strip()))
    return keys


def opens(person_file: Path, case_id: str, *repos: Path) -> bool:
    """Can this identity file read the caller's data of `case_id` from anything in `repos`?  It tries
    itself and every data key it can unwrap against every age block any object holds that belongs to
    the case (every version of the case file, in every repository)."""
    ident = privacy.load_identity(person_file)
    blobs = [b for r in repos for b in objects(r)]
    keys = [ident, *data_keys(ident, blobs)]
    for b in blobs:
        if case_id.encode() not in b or b"personal:" not in b:
            continue
        for armor in ARMOR.findall(b):
            armor = re.sub(rb"\n[ \t]+", b"\n", armor)   # as YAML indents it in the case file
            for k in keys:
                try:
                    pyrage.decrypt(armor, [k])
                    return True
                except Exception:
                    continue
    return False


def case_id_of(book, user: str, *extra: str) -> str:
    return book.intake("--contact", PHONE, "--name", "张女士", *extra, user=user)


def test_each_volunteer_opens_only_their_group_s_cases_and_the_director_all(book, env):
    li_case = case_id_of(book, "li")
    chen_case = book.intake("--contact", "13900001111", "--name", "刘女士", user="chen", at="2026-11-20 16:00")
    me = lambda p: identity_of(env, p)   # noqa: E731
    assert opens(me("li"), li_case, book.root) and not opens(me("li"), chen_case, book.root)
    assert opens(me("chen"), chen_case, book.root) and not opens(me("chen"), li_case, book.root)
    assert opens(me("zhao"), chen_case, book.root) and not opens(me("zhao"), li_case, book.root)
    for everyone in ("wang", "xu"):
        assert opens(me(everyone), li_case, book.root) and opens(me(everyone), chen_case, book.root)
    # the CLI agrees, and the refusal decrypts nothing
    assert "刘女士" in book.run("show", chen_case, "--reveal", user="zhao").stdout
    assert book.run("show", chen_case, "--reveal", user="li", expect=2).exit_code == 2


def test_a_hand_over_gives_the_key_to_the_new_owner_and_their_leader(book, env):
    cid = case_id_of(book, "chen")
    assert not opens(identity_of(env, "li"), cid, book.root)
    book.run("assign", cid, "--to", "li", user="zhao")
    assert opens(identity_of(env, "li"), cid, book.root)
    assert "张女士" in book.run("show", cid, "--reveal", user="li").stdout


def test_someone_removed_opens_none_of_the_cases_written_or_reassigned_after(book, env):
    li = identity_of(env, "li")
    kept = case_id_of(book, "li")
    moved = book.intake("--contact", "13900002222", user="li", at="2026-11-20 16:00")
    roster = book.root / "roster.yaml"
    roster.write_text(roster.read_text(encoding="utf-8").replace(
        "    email: li@example.org\n", "    email: li@example.org\n    active: false\n"), encoding="utf-8")
    book.git("commit", "-qam", "li left")
    book.run("assign", moved, "--to", "wang")        # reassigned after li left
    new = book.intake("--contact", "13900003333", at="2026-11-21 10:00")   # written after li left
    assert not opens(li, moved, book.root) and not opens(li, new, book.root)
    assert opens(li, kept, book.root)                 # until a rekey: li still holds that wrap
    book.run("rekey")                                 # takes li's key from everything else
    assert not opens(li, kept, book.root)             # (what li's own clone kept is out of anyone's reach)
    store = keystore.Store(book.root)
    try:
        assert all(w.reader != "li" for cid in store.case_ids() for w in store.entry(cid).wraps)
    finally:
        store.close()


def test_erase_and_sync_in_two_offices_leave_no_key_anywhere_and_the_report_unchanged(offices, env):
    book, other, remote = offices
    cid = case_id_of(book, "wang")
    plain = book.intake(at="2026-11-20 16:00")
    book.run("close", cid, "--outcome", "resolved", "--note", "已解决")
    book.run("sync")
    other.run("sync")
    assert opens(identity_of(env, "wang"), cid, other.root)        # the other office has the key
    report = book.run("report", "--month", "2026-11", "--format", "json").stdout
    book.run("erase", cid, "--reason", "来电者要求删除", "--yes", user="xu")
    book.run("sync")
    other.run("sync")
    book.run("sync")
    for who in ("wang", "xu"):
        assert not opens(identity_of(env, who), cid, book.root, other.root, remote)
    for repo in (book.root, other.root, remote):
        log = subprocess.run(["git", "log", "-p", "--all"], cwd=repo, capture_output=True).stdout
        assert b"AGE-SECRET-KEY" not in log
        store = keystore.Store(repo)
        try:
            assert store.entry(cid) is None and store.erased(cid) is not None
        finally:
            store.close()
    assert book.run("report", "--month", "2026-11", "--format", "json").stdout == report
    assert other.run("report", "--month", "2026-11", "--format", "json").stdout == report
    shown = other.run("show", cid).stdout
    assert "erased" in shown and PHONE not in shown
    assert plain


def _close(book, cid: str, at: str) -> None:
    book.run("close", cid, "--outcome", "resolved", "--note", "已解决", "--at", at)


def test_retention_erases_what_is_due_and_keeps_what_is_held(book):
    a = book.intake("--contact", "13900000001", at="2026-11-20 09:00")
    b = book.intake("--contact", "13900000002", at="2026-11-20 10:00")
    c = book.intake("--contact", "13900000003", at="2026-11-20 11:00")
    _close(book, a, "2026-11-21 10:00")
    _close(book, b, "2026-11-22 10:00")
    _close(book, c, "2026-11-22 10:00")
    book.run("hold", c, "--reason", "法院调取记录", user="xu")
    book.run("hold", a, "--reason", "x", user="li", expect=2)          # only directors and the secretary
    # three years after closing (rules.yaml `retention: years: 3`): on 2029-11-21 12:00 only a is due
    later = {"HOTLINE_NOW": "2029-11-21 12:00"}
    r = book.run("check", env=later)
    assert "1 case(s) are past the retention period" in r.stderr and r.exit_code == 0
    assert "1 case(s) are past the retention period" in book.run("report", "--month", "2026-11", env=later).stderr
    assert book.run("erase", "--due", env=later, expect=2).exit_code == 2   # not on a terminal: needs --yes
    out = book.run("erase", "--due", "--yes", env=later, user="xu").stdout
    assert f"Erased the personal data of 1 case(s): {a}" in out
    # a day later b is due too; c stays while it is held, and goes once released
    later = {"HOTLINE_NOW": "2029-11-23 12:00"}
    assert f"1 case(s): {b}" in book.run("erase", "--due", "--yes", env=later).stdout
    assert "Nothing is due" in book.run("erase", "--due", "--yes", env=later).stdout
    book.run("release", c, env=later)
    assert f"1 case(s): {c}" in book.run("erase", "--due", "--yes", env=later).stdout
    assert "past the retention period" not in book.run("check", env=later).stderr
    for cid in (a, b, c):
        shown = book.run("show", cid).stdout
        assert "erased" in shown and "13900" not in shown
        book.run("show", cid, "--reveal", expect=2)


def test_erase_caller_takes_every_case_of_that_caller_and_they_are_not_found_again(book, env):
    first = case_id_of(book, "wang")
    second = book.intake("--contact", PHONE, at="2026-11-21 10:00")
    other = book.intake("--contact", "13900009999", at="2026-11-21 11:00")
    book.run("erase", first, "--caller", "--reason", "来电者要求删除", "--yes", user="li", expect=2)
    out = book.run("erase", first, "--caller", "--reason", "来电者要求删除", "--yes").stdout
    assert f"2 case(s): {first}, {second}" in out
    assert not opens(identity_of(env, "wang"), first, book.root)
    assert not opens(identity_of(env, "wang"), second, book.root)
    assert opens(identity_of(env, "wang"), other, book.root)
    r = book.run("intake", "--no-input", "--channel", "phone", "--grade", "green", "--role", "party", "--category",
                 "divorce", "--need", "legal", "--summary", "x", "--contact", PHONE, "--at", "2026-11-22 10:00")
    assert "earlier case" not in r.stdout                     # the erased caller is not recognised again
    assert book.run("check").stdout == ""


def test_a_missing_or_damaged_key_store_is_named_and_never_started_again(book):
    cid = case_id_of(book, "wang")
    book.git("update-ref", "-d", "refs/hotline/keys")
    r = book.run("check", expect=1)
    assert "refs/hotline/keys" in r.stdout and "key store is missing" in r.stdout
    r = book.run("intake", "--no-input", "--channel", "phone", "--grade", "green", "--role", "party", "--category",
                 "divorce", "--need", "legal", "--summary", "x", "--contact", "13900001234", "--at", "2026-11-22 10:00",
                 expect=2)
    assert "key store" in r.output and "nothing was written" in r.output
    p = subprocess.run(["git", "rev-parse", "-q", "--verify", "refs/hotline/keys"], cwd=book.root, capture_output=True)
    assert p.returncode != 0                                   # no new, empty store was started
    assert cid


def test_a_damaged_entry_in_the_key_store_is_named_by_check(book):
    cid = case_id_of(book, "wang")
    store = keystore.Store(book.root)
    try:
        store.changes[keystore.case_path(cid)] = b"public not-a-key\nwrap x\n"
        store.save()
    finally:
        store.close()
    r = book.run("check", expect=1)
    assert f"cases/2026/11/{cid}.yaml: the key store's entry cases/2611/{cid} is damaged" in r.stdout
    assert book.run("show", cid, "--reveal", expect=None).exit_code != 0


def test_a_cold_check_reads_every_case_once_and_says_what_a_warm_one_says(book):
    # `check` parses every case file itself; the key store's checks and the reminders (retention,
    # blocks on staff keys) count from that parse — a cold check builds no index beside it (#26)
    a = book.intake("--contact", "13900000001", at="2026-11-20 09:00")
    b = book.intake("--contact", "13900000002", at="2026-11-20 10:00")
    _close(book, a, "2026-11-21 10:00")
    _close(book, b, "2026-11-22 10:00")
    book.run("hold", b, "--reason", "法院调取记录", user="xu")
    later = {"HOTLINE_NOW": "2029-11-21 12:00"}
    index = book.root / ".git" / "hotline-index.sqlite"
    warm = book.run("check", env=later)
    for p in index.parent.glob("hotline-index.sqlite*"):
        p.unlink()
    cold = book.run("check", env=later)
    assert not index.exists()
    assert (cold.exit_code, cold.stdout, cold.stderr) == (warm.exit_code, warm.stdout, warm.stderr)
    assert "1 case(s) are past the retention period" in cold.stderr      # a, not b (held)
