"""中文优先: every help page and message in the book's language, the catalog complete, listings
that Chinese Excel opens, names accepted where ids are."""
from __future__ import annotations

import csv
import gettext
import json
import re
from pathlib import Path

import pytest

from hotline.cli import app

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "hotline" / "locale"
ZH = {"HOTLINE_LANG": "zh-CN"}
EN = {"HOTLINE_LANG": "en"}


# ---------------------------------------------------------------- the catalog

def extracted() -> dict:
    """(context, msgid) → the message (a plural's both forms), extracted as scripts/i18n.py does:
    with babel.cfg's methods, so the Python source and the default templates (their `_()`)."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with open(ROOT / "babel.cfg", encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    keywords = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
    out = {}
    for _file, _line, message, _comments, context in extract_from_dir(
            str(ROOT), method_map=method_map, options_map=options_map, keywords=keywords,
            directory_filter=lambda d: Path(d).name not in (".git", ".venv", "cases", "tests")):
        key = message[0] if isinstance(message, tuple) else message
        out[(context, key)] = message
    return out


def test_the_default_templates_words_are_extracted_with_the_source():
    # every word a default template asks the catalog for is among the extracted messages (so the
    # check below covers them): Jinja2's own reading of each template
    from jinja2 import Environment

    env = Environment(extensions=["jinja2.ext.i18n"])
    asked = set()
    for t in (ROOT / "hotline" / "defaults" / "templates").glob("*.j2"):
        for _line, func, message in env.extract_translations(t.read_text(encoding="utf-8")):
            parts = message if isinstance(message, tuple) else (message,)
            asked.add((parts[0], parts[1]) if func == "pgettext" else (None, parts[0]))
    assert len(asked) > 100 and asked <= set(extracted())


def zh_po():
    from babel.messages.pofile import read_po

    with open(LOCALE / "zh_CN" / "LC_MESSAGES" / "hotline.po", "rb") as f:
        return read_po(f)


def fields(text: str) -> set[str]:
    return set(re.findall(r"(?<!\{)\{[^{}]*\}(?!\})", text))


def test_every_source_string_has_a_chinese_translation_with_the_same_placeholders():
    po = zh_po()
    missing, broken = [], []
    for (context, key), message in extracted().items():
        entry = po.get(key, context=context)
        texts = list(entry.string) if entry is not None and isinstance(entry.string, (list, tuple)) else \
            [entry.string] if entry is not None else []
        if entry is None or not all(texts) or entry.fuzzy:
            missing.append(key)
            continue
        for t in texts:
            if fields(t) != fields(key if not isinstance(message, tuple) else message[-1]) and fields(t) != fields(key):
                broken.append((key, t))
    assert missing == [] and broken == []


def test_the_shipped_mo_holds_the_po():
    po = zh_po()
    with open(LOCALE / "zh_CN" / "LC_MESSAGES" / "hotline.mo", "rb") as f:
        mo = gettext.GNUTranslations(f)
    stale = [m.id for m in po if m.id and not isinstance(m.id, tuple) and not m.context and m.string
             and mo.gettext(m.id) != m.string]
    assert stale == []  # run `python scripts/i18n.py compile` after editing the .po


# ---------------------------------------------------------------- no English left in Chinese

def allowed_words(book) -> set[str]:
    """Words that may appear in any language: option and command names, ids, formats, names of
    files and products."""
    import typer

    words: set[str] = set()
    group = typer.main.get_command(app)

    def walk(cmd) -> None:
        words.update(cmd.name.split("-") if cmd.name else [])
        for p in getattr(cmd, "params", []):
            for o in [*p.opts, *getattr(p, "secondary_opts", [])]:
                words.update(o.lstrip("-").split("-"))
        for sub in getattr(cmd, "commands", {}).values():
            walk(sub)

    walk(group)
    from hotline.storage.config import default_rules_text, parse_rules

    rules = parse_rules(default_rules_text(), Path("rules.yaml"))
    for v in rules.vocab.values():
        for k in v.labels:
            words.update(k.split("_"))
    for sect in ("awards", "penalties"):
        for k in rules.points[sect]:
            words.update(k.split("_"))
    import yaml

    def keys(node) -> None:  # rules.yaml's keys are named in messages, like (points.awards)
        if isinstance(node, dict):
            for k, v in node.items():
                words.update(str(k).split("_"))
                keys(v)

    keys(yaml.safe_load(default_rules_text()))
    from hotline.domain.model import STATUSES

    words.update(STATUSES)  # status ids, typed after --status
    roster = yaml.safe_load((book.root / "roster.yaml").read_text(encoding="utf-8"))
    words.update(w for p in roster.get("people", []) for w in re.findall(r"[A-Za-z]+", str(p.get("name"))))
    words |= {"wang", "li", "zhao", "chen", "xu", "g1", "g2", "legal", "aid", "counselling", "nowhere", "bogus",
              "table", "json", "csv", "md", "html", "text", "xlsx", "hotline", "git", "age", "yaml", "rules", "roster",
              "cases", "ledger", "keys", "caller", "key", "templates", "utf", "json", "markdown", "iso", "qq", "wechat",
              "excel", "wps", "word", "docx", "enter", "ctrl", "alt", "tab", "yyyy", "mm", "dd", "hh", "zh", "cn", "en", "xml", "done",
              "abc", "www", "ics", "icalendar", "nas", "ssh", "https", "usb", "origin", "gitea", "HOTLINE", "BOOK", "USER", "LANG", "IDENTITY", "NOW", "e", "g", "s", "d", "n", "y", "x"}
    return {w.lower() for w in words}


def english_words(text: str, allowed: set[str]) -> list[str]:
    t = re.sub(r"`[^`]*`", " ", text)                       # commands shown as code
    t = re.sub(r"'[^']*'|“[^”]*”", " ", t)                  # values as typed
    t = re.sub(r"--[a-z][a-z-]*", " ", t)                   # option names
    t = re.sub(r"\$[A-Z_]+", " ", t)                        # environment variables
    t = re.sub(r"[\w./-]+\.(yaml|age|j2|md|html|csv|json|xlsx|txt)\b", " ", t)  # file names
    t = re.sub(r"(/[\w.-]+)+/?", " ", t)                    # paths
    t = re.sub(r"\b\d{6}-[0-9A-Z]{2,5}\b", " ", t)          # case ids
    return [w for w in re.findall(r"[A-Za-z][A-Za-z]+", t) if w.lower() not in allowed]


def commands(group) -> list[list[str]]:
    out = [[]]
    for name, cmd in group.commands.items():
        if hasattr(cmd, "commands"):
            out += [[name] + sub for sub in commands(cmd)]
        else:
            out.append([name])
    return out


ERRORS = [
    ["bogus"], ["followup"], ["followup", "261120-AB"], ["list", "--bogus"], ["list", "--format", "xml"],
    ["list", "--status", "done"], ["award", "li", "article_special", "--count", "abc"], ["show", "999999"],
    ["refer", "{case}", "--to", "nowhere"], ["intake", "--no-input"], ["overdue", "--as-of", "yesterday"],
    ["report", "--month", "2026-13"], ["score"], ["close", "{case}", "--outcome", "unresolved"],
    ["intake", "--no-input", "--channel", "phone", "--grade", "green", "--role", "party", "--category", "divorce",
     "--need", "legal", "--summary", "电话13800001234"], ["overdue", "--format"], ["award", "nobody", "article_special"],
    ["list", "--month", "1999-01"], ["amend", "{case}"], ["void", "{case}"],
]


def test_every_help_page_and_error_in_chinese_has_no_english_words(book):
    import typer

    allowed = allowed_words(book)
    case = book.intake()
    seen = []
    for path in commands(typer.main.get_command(app)):
        r = book.run(*path, "--help", env=ZH)
        assert r.exit_code == 0, (path, r.output)
        seen.append((path, r.stdout))
    seen.append((["(no arguments)"], book.run(env=ZH, expect=2).output))
    for args in ERRORS:
        r = book.run(*[a.replace("{case}", case) for a in args], env=ZH, expect=None)
        assert r.exit_code in (1, 2), (args, r.output)
        seen.append((args, r.output))
    seen.append((["(nobody acting)"], book.run("intake", "--no-input", user=None, env={**ZH, "GIT_CONFIG_GLOBAL": "/dev/null"}, expect=2).output))
    seen.append((["(not a book)"], book.run("--book", "/nonexistent", "list", env=ZH, expect=2).output))
    bad = {" ".join(p): english_words(text, allowed) for p, text in seen if english_words(text, allowed)}
    assert bad == {}


def test_the_same_pages_in_english_are_english(book):
    r = book.run("followup", "--help", env=EN)
    assert "Usage:" in r.stdout and "Options:" in r.stdout and "What was done or learned." in r.stdout
    r = book.run("followup", "261120-AB", env=EN, expect=2)
    assert "--note is missing" in r.stderr
    r = book.run("list", "--format", "xml", env=EN, expect=2)
    assert "is not known; use one of: table, json, csv" in r.stderr
    zh = book.run("followup", "--help", env=ZH).stdout
    assert "用法" in zh and "选项" in zh


def test_the_book_chooses_its_language_and_hotline_lang_overrides(book, monkeypatch):
    monkeypatch.delenv("HOTLINE_LANG")
    r = book.run("list", "--format", "xml", expect=2, env=None)
    assert "table, json, csv" in r.stderr and "is not known" not in r.stderr     # the default: Chinese
    rules = book.root / "rules.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("language: zh-CN", "language: en"), encoding="utf-8")
    assert "is not known" in book.run("list", "--format", "xml", expect=2).stderr
    assert "Usage:" in book.run("list", "--help").stdout                        # help too, before the book opens
    assert "is not known" not in book.run("list", "--format", "xml", expect=2, env=ZH).stderr


# ---------------------------------------------------------------- listings Excel and WPS open

def test_a_score_csv_written_to_a_file_reads_back_with_utf8_sig(book, tmp_path):
    book.run("award", "li", "lecture_outreach", "--date", "2026-10-16")
    book.run("penalize", "陈静", "hygiene", "--date", "2026-10-17")      # a person by name
    out = tmp_path / "积分.csv"
    r = book.run("score", "--month", "2026-10", "--format", "csv", "--output", str(out), env=ZH)
    assert str(out) in r.stdout
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    with open(out, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    want = json.loads(book.run("score", "--month", "2026-10", "--format", "json").stdout)
    people = {r[1]: (r[2], int(r[5]), int(r[6])) for r in rows[1:] if r[1] in {p["id"] for p in want["people"]}}
    assert people == {p["id"]: (p["name"], p["score"], p["rank"]) for p in want["people"]}
    assert rows[0][:3] == ["个人或小组", "编号", "姓名"] or all(re.search("[\u4e00-\u9fff]", h) for h in rows[0][:3])


@pytest.mark.parametrize("command", [["list"], ["overdue", "--as-of", "2026-11-30 12:00"], ["check"]])
def test_listings_take_output(book, tmp_path, command):
    book.intake()
    out = tmp_path / "out.txt"
    r = book.run(*command, "--output", str(out), expect=None)
    assert r.exit_code in (0, 1) and out.exists() and str(out) in r.stdout


# ---------------------------------------------------------------- names where ids are

def test_people_groups_partners_and_items_by_their_chinese_names(book):
    cid = book.intake(grade="gray")
    book.run("refer", cid, "--to", "市法律援助中心")
    book.run("assign", cid, "--to", "李娜")
    book.run("award", "赵强", "特刊文章", "--date", "2026-11-20")
    assert json.loads(book.run("overdue", "--as-of", "2026-12-31 12:00", "--group", "一组", "--format", "json").stdout)
    case = (book.case_file(cid)).read_text(encoding="utf-8")
    assert "to: legal-aid" in case and "to: li" in case


def test_an_ambiguous_name_lists_the_candidates(book):
    roster = book.root / "roster.yaml"
    roster.write_text(roster.read_text(encoding="utf-8").replace("name: 陈静", "name: 李静"), encoding="utf-8")
    book.git("commit", "-qam", "two 李")
    r = book.run("award", "李", "article_special", expect=2)
    assert "li (李娜)" in r.stderr and "chen (李静)" in r.stderr


def test_history_shows_times_in_the_books_time_zone(book):
    cid = book.intake()
    raw = book.git("log", "-1", "--format=%aI", "--", book.case_file(cid).relative_to(book.root).as_posix()).strip()
    from datetime import datetime
    from zoneinfo import ZoneInfo

    local = datetime.fromisoformat(raw).astimezone(ZoneInfo("Asia/Shanghai"))
    assert f"{local:%Y-%m-%d %H:%M:%S}" in book.run("history", cid, env={"TZ": "UTC"}).stdout
