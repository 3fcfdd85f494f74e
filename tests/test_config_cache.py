"""rules.yaml and roster.yaml are parsed once and kept beside the derived index; any change of
their text — by hand, in the same second and size, `git pull`, a branch switch — is read again,
and a broken file is named every time, never hidden by the cache."""
from __future__ import annotations

import os

from hotline.storage.config import CACHE_NAME


def cache_files(book):
    return sorted((book.root / ".git").glob(f"{CACHE_NAME}-*"))


def owner_names(book):
    """The roster names `overdue` shows for the book's one overdue case (owned by wang)."""
    out = book.run("overdue", "--as-of", "2026-11-20 18:00").stdout
    return {name for name in ("王芳", "王芬") if name in out}


def rewrite_keeping_size_and_mtime(path, old, new):
    st = path.stat()
    text = path.read_text(encoding="utf-8")
    assert old in text and len(old.encode()) == len(new.encode())
    path.write_text(text.replace(old, new), encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size


def test_a_roster_edit_is_read_again_even_with_the_same_size_and_mtime(book):
    book.intake(grade="red", at="2026-11-01 10:00")
    assert owner_names(book) == {"王芳"}
    assert [p.name for p in cache_files(book)] == [f"{CACHE_NAME}-roster.pickle", f"{CACHE_NAME}-rules.pickle"]
    rewrite_keeping_size_and_mtime(book.root / "roster.yaml", "name: 王芳", "name: 王芬")
    assert owner_names(book) == {"王芬"}


def test_a_rules_edit_is_read_again(book):
    book.intake(grade="red", at="2026-11-01 10:00")
    rules = book.root / "rules.yaml"
    text = rules.read_text(encoding="utf-8")
    assert "timezone: Asia/Shanghai" in text
    book.run("list")
    rules.write_text(text.replace("timezone: Asia/Shanghai", "timezone: Asia/Nowhere1"), encoding="utf-8")
    r = book.run("list", expect=None)
    assert r.exit_code != 0 and "Asia/Nowhere1" in r.output


def test_a_broken_file_is_named_every_time(book):
    book.run("list")
    roster = book.root / "roster.yaml"
    good = roster.read_text(encoding="utf-8")
    roster.write_text("groups: [\n", encoding="utf-8")
    for _ in range(2):
        r = book.run("list", expect=None)
        assert r.exit_code != 0 and "roster.yaml:" in r.output
    roster.write_text(good, encoding="utf-8")
    book.run("list")


def test_a_damaged_cache_is_parsed_again(book):
    book.intake(grade="red", at="2026-11-01 10:00")
    owner_names(book)
    for f in cache_files(book):
        f.write_bytes(b"not a pickle")
    assert owner_names(book) == {"王芳"}


def test_a_branch_switch_reads_the_other_roster(book):
    book.intake(grade="red", at="2026-11-01 10:00")
    assert owner_names(book) == {"王芳"}
    book.git("checkout", "-q", "-b", "other")
    rewrite_keeping_size_and_mtime(book.root / "roster.yaml", "name: 王芳", "name: 王芬")
    book.git("commit", "-q", "-am", "renamed")
    assert owner_names(book) == {"王芬"}
    book.git("checkout", "-q", "-")
    assert owner_names(book) == {"王芳"}
