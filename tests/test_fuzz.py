"""Hypothesis fuzzes the loaders and the command line: never a traceback."""
from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotline.storage import casefile as store
from hotline.storage import yamlio
from hotline.storage.config import parse_roster, parse_rules
from hotline.errors import BookError, HotlineError

P = Path("cases/2026/11/261120-AAAAA.yaml")

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20),
                    st.sampled_from(["2026-11-20T15:00:00+08:00", "phone", "green", "intake", "wang", "2026-11-20"]))
keys = st.sampled_from(["id", "received", "channel", "grade", "owner", "caller", "role", "categories", "needs",
                        "summary", "consent_publish", "personal", "events", "at", "type", "by", "to", "outcome",
                        "age", "recipients", "x"])
trees = st.recursive(scalars, lambda kids: st.one_of(st.lists(kids, max_size=4), st.dictionaries(keys, kids, max_size=6)),
                     max_leaves=25)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_case_loader_on_any_text_raises_only_book_errors(text):
    try:
        store.parse_case(text, P)
    except BookError:
        pass


@settings(max_examples=300, deadline=None)
@given(trees)
def test_case_loader_on_any_yaml_structure_raises_only_book_errors(tree):
    try:
        store.parse_case(yamlio.dump(tree), P)
    except BookError as e:
        assert str(e).startswith(str(P))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_roster_and_rules_loaders_on_any_bytes(data):
    text = data.decode("utf-8", errors="replace")
    for parse in (parse_roster, parse_rules):
        try:
            parse(text, Path("x.yaml"))
        except HotlineError:
            pass


def test_a_valid_case_round_trips():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from hotline.domain.model import Case, Event

    t = datetime(2026, 11, 20, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    c = Case(id="261120-AAAAA", received=t, channel="phone", grade="red", owner="wang", role="survivor",
             categories=["domestic_violence"], needs=["crisis"], summary="第一行\n第二行: 引号'\"",
             events=[Event("intake", t, "wang", id="AB12CD34"), Event("escalate", t, "wang", to=["shi"], note="报告",
                                                                      id="XY98ZW76")])
    back = store.parse_case(store.dump_case(c), P)
    assert back == c
    # written before events had ids: each gets one derived from its content, the same every time
    old = store.dump_case(c).replace("- id: AB12CD34\n  at:", "- at:").replace("- id: XY98ZW76\n  at:", "- at:")
    first, again = store.parse_case(old, P), store.parse_case(old, P)
    assert [e.id for e in first.events] == [e.id for e in again.events] and len({e.id for e in first.events}) == 2


COMMANDS = ["intake", "followup", "refer", "urge", "assign", "close", "show", "list", "history", "overdue",
            "check", "report", "score", "award", "penalize", "--help", "key", "import"]
WORDS = ["--no-input", "-q", "--channel", "--grade", "--role", "--category", "--need", "--summary", "--at", "--as-of",
         "--soon", "--format", "--month", "--year", "--status", "--owner", "--to", "--note", "--outcome", "--reason",
         "--revisit", "--group", "--date", "--amount", "--count", "json", "csv", "table", "md", "html", "phone", "红色",
         "gray", "2026-11", "2026-11-20 15:00", "3 working days", "abc", "", "-1", "0101", "legal-aid", "wang",
         "261120", "261120-AAAAA", "resolved", "unresolved", "lecture_outreach", "hygiene", "\x00", "中文", "'", "--",
         "xlsx", "--reveal", "--dry-run", "--skip-bad", "--sheet", "x.xlsx", "x.csv"]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(COMMANDS), st.lists(st.sampled_from(WORDS), max_size=6))
def test_any_command_line_exits_cleanly(book, command, words):
    r = book.runner.invoke(__import__("hotline.cli").cli.app, [command, *words],
                           env={"HOTLINE_BOOK": str(book.root), "HOTLINE_USER": "wang"})
    assert r.exit_code in (0, 1, 2), (command, words, r.exit_code, r.output)
    assert r.exception is None or isinstance(r.exception, SystemExit), (command, words, repr(r.exception), r.output)
    assert "Traceback" not in r.output
