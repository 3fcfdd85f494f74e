"""No hidden state (issue #24): reading the rules does not switch the language of messages,
writing a case does not change the value passed in, an event without an id is never written."""
from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone

import pytest

from hotline import i18n
from hotline.book import Book
from hotline.domain.model import Event
from hotline.storage import ids


def test_reading_the_rules_leaves_the_language_of_messages_alone(book, monkeypatch):
    assert "language: zh-CN" in (book.root / "rules.yaml").read_text(encoding="utf-8")
    monkeypatch.delenv("HOTLINE_LANG")
    with i18n.speaking("en"):                   # what the command line chose
        b = Book.open(str(book.root), "wang")
        assert b.rules.language == "zh-CN"
        assert i18n.language() == "en"
        assert i18n._("interrupted; nothing was written") == "interrupted; nothing was written"
    assert i18n.language() == "zh-CN"           # after the block: as before it


def test_a_command_s_language_ends_with_the_command(book, monkeypatch):
    # a command run in a Chinese book speaks Chinese; the process around it is left as it was
    monkeypatch.delenv("HOTLINE_LANG")
    (book.root / "rules.yaml").write_text((book.root / "rules.yaml").read_text(encoding="utf-8")
                                          .replace("language: zh-CN", "language: en"), encoding="utf-8")
    with i18n.speaking("zh-CN"):
        r = book.run("list", "--status", "nonsense", expect=2, env={"HOTLINE_LANG": None})
        assert "nonsense" in r.output and "open" in r.output and "未" not in r.output   # the book's English
        assert i18n.language() == "zh-CN"
        assert i18n._("interrupted; nothing was written") == "已中断；没有写入任何内容"
    monkeypatch.setenv("HOTLINE_LANG", "en")
    assert i18n.language() == "en"              # outside any run: $HOTLINE_LANG


def test_languages_of_two_threads_do_not_mix(monkeypatch):
    monkeypatch.delenv("HOTLINE_LANG", raising=False)
    import threading

    seen = {}

    def speak(lang):
        with i18n.speaking(lang):
            barrier.wait()
            seen[lang] = i18n.language()

    barrier = threading.Barrier(2)
    threads = [threading.Thread(target=speak, args=(x,)) for x in ("zh-CN", "en")]
    for x in threads:
        x.start()
    for x in threads:
        x.join()
    assert seen == {"zh-CN": "zh-CN", "en": "en"}


def test_writing_a_case_does_not_change_it_and_refuses_an_event_without_an_id(book):
    cid = book.intake()
    b = Book.open(str(book.root), "wang")
    path = b.store.resolve(cid)
    case = b.store.load(path)
    assert all(ids.ENTRY_ID_RE.match(e.id) for e in case.events)
    before = copy.deepcopy(case)
    with b.lock():
        b.store.write(case, path)
    assert case == before
    case.events.append(Event("followup", case.events[-1].at + timedelta(minutes=5), "wang", note="x"))
    with b.lock(), pytest.raises(ValueError, match="without an id"):
        b.store.write(case, path)
    assert b.store.load(path) == before                    # nothing written


def test_a_new_event_gets_its_id_as_a_copy():
    e = Event("followup", datetime(2026, 11, 20, tzinfo=timezone.utc), "wang", note="x")
    given = ids.identified(e)
    assert e.id in ("", None) and ids.ENTRY_ID_RE.match(given.id)
    assert ids.identified(given) is given
