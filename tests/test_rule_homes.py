"""Each validation rule of SPEC has one home in hotline/domain/, and every road reaches it:
the actions (what a volunteer types), `check` (a file as it stands) and `import` (a sheet's
cells).  Each row names the rule, the one function that holds it and the roads that must call
it; the test runs each road with that function watched and sees it called (issue #24)."""
from __future__ import annotations

import importlib
from datetime import datetime
from pathlib import Path

import pytest
import yaml

from test_import import HEADERS, ROW_B, ROW_C, xlsx

# rule, home ("module:function"), the roads that reach it
HOMES = [
    ("§2/12355 a case closed as unresolved says why", "hotline.domain.cases:needs_reason",
     ("close", "check", "import")),
    ("§2 a case has a channel, grade, caller role, at least one category and need, and a summary",
     "hotline.domain.cases:missing_fields", ("intake", "check", "import")),
    ("§3 a typed value is an id or a label of its vocabulary", "hotline.domain.rules:Vocab.resolve",
     ("intake", "close", "import")),
    ("§3 a stored value is an id of its vocabulary", "hotline.domain.cases:unknown_codes", ("check",)),
    ("§2 what an intake may leave out, and what it then holds", "hotline.domain.cases:IntakeInput.with_defaults",
     ("intake", "import")),
    ("§2 the first-responsible owner: --owner, default whoever registers, active in the roster",
     "hotline.writes.actions:intake_people", ("intake",)),
    ("#22 of two closes the first counts (status, register, points, bulletin)", "hotline.domain.model:first_close",
     ("close", "check", "import", "export")),
]


def watch(monkeypatch, home: str) -> list:
    mod, _, name = home.partition(":")
    owner = importlib.import_module(mod)
    *path, attr = name.split(".")
    for part in path:
        owner = getattr(owner, part)
    original = getattr(owner, attr)
    calls: list = []

    def watched(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, attr, watched)
    return calls


def _intake(book, tmp_path):
    book.intake()


def _close(book, tmp_path):
    cid = book.intake()
    book.run("close", cid, "--outcome", "unresolved", expect=2)     # no reason: refused
    book.run("close", cid, "--outcome", "未能解决", "--reason", "失联", "--at", "2026-11-20 16:00")
    book.run("close", cid, "--outcome", "resolved", "--at", "2026-11-20 16:10", expect=2)  # closed already


def _check(book, tmp_path):
    cid = book.intake()
    path = book.case_file(cid)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["categories"], data["channel"] = [], "pigeon"
    data["events"].append({"at": "2026-11-20T15:30:00+08:00", "type": "revisit", "by": "wang"})   # before any close
    data["events"].append({"at": "2026-11-20T16:00:00+08:00", "type": "close", "by": "wang", "outcome": "unresolved"})
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    out = book.run("check", expect=1).stdout
    assert "unresolved closure needs a reason" in out and "'categories' is empty" in out and "pigeon" in out
    assert "a revisit before the case was closed" in out


def _import(book, tmp_path):
    rows = [ROW_B, ROW_C[:18] + ["未能解决", None]]
    r = book.run("import", str(xlsx(tmp_path / "r.xlsx", rows, HEADERS)), "--skip-bad")
    assert "Imported 1 case(s)" in r.stdout


def _export(book, tmp_path):
    cid = book.intake()
    book.run("close", cid, "--outcome", "resolved", "--at", "2026-11-20 16:00")
    book.run("list", "--format", "xlsx", "--output", str(tmp_path / "r.xlsx"))


ROADS = {"intake": _intake, "close": _close, "check": _check, "import": _import, "export": _export}


@pytest.mark.parametrize("rule, home, roads", HOMES, ids=[h[1].split(":")[1] for h in HOMES])
def test_every_road_reaches_the_rule_s_one_home(book, tmp_path, monkeypatch, rule, home, roads):
    calls = watch(monkeypatch, home)
    for road in roads:
        calls.clear()
        ROADS[road](book, tmp_path)
        assert calls, f"{road} does not reach {home} ({rule})"


def test_the_rule_table_of_the_architecture_names_each_home():
    text = (Path(__file__).resolve().parents[1] / "docs" / "architecture.md").read_text(encoding="utf-8")
    missing = [home for _rule, home, _roads in HOMES if f"`{home}`" not in text]
    assert missing == []
