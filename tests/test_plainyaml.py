"""The fast path for the YAML hotline writes (`storage/plainyaml.py`) never changes what a file
means: for any text it answers exactly what PyYAML's safe loader answers, or None (and the YAML
parser reads the text). Judged against PyYAML itself, on files hotline dumps, on the demo book's
files and on hostile texts built from YAML's significant pieces."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotline.storage import plainyaml, yamlio

ROOT = Path(__file__).resolve().parent.parent
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def typed(x):
    """A value with its types spelled out (True == 1 and 1 == 1.0 in Python; not in a file)."""
    if isinstance(x, dict):
        return ("map", [(typed(k), typed(v)) for k, v in x.items()])
    if isinstance(x, list):
        return ("seq", [typed(v) for v in x])
    return (type(x).__name__, x)


def oracle(text: str):
    try:
        return ("ok", typed(yaml.load(text, Loader=LOADER)))
    except yaml.YAMLError:
        return ("error", None)


def agrees(text: str) -> bool:
    fast = plainyaml.load(text)
    if fast is None:
        return True
    return oracle(text) == ("ok", typed(fast))


WORDS = ["phone", "on", "off", "yes", "No", "null", "~", "true", "0", "012", "0x1F", "1_000", "-3", "+4", "3.5",
         "1e3", ".5", ".inf", "2026-11-20", "2026-11-20T15:00:00+08:00", "12:30", "1:20", "<<", "=", "a:b", "a: b",
         "a #b", "a#b", "#x", "-x", "- x", "?x", "'q'", "it's", '"dq"', "[]", "{}", "[a]", "{a: 1}", "&a", "*a", "!t",
         "|", ">", "%", "@", "`", "询问起诉程序", "东莞", "：中文冒号", "a  b", " lead", "trail ", "", "\t", "\r",
         "\u2028", "\x85", "\ufeff", "\x00", "tab\there", "y", "n", "Y", "NULL", "=x", "-", "--- x", "..."]
scalars = st.one_of(st.sampled_from(WORDS), st.text(max_size=30), st.integers(-10**6, 10**6), st.booleans(),
                    st.none(), st.floats(allow_nan=False))
keys = st.one_of(st.sampled_from(["id", "on", "y", "null", "key_1", "a b", "1", "x:y", "事件", "_k"]),
                 st.text(max_size=8))
data = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                      st.dictionaries(keys, inner, max_size=4)), max_leaves=25)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(keys, data, min_size=1, max_size=6))
def test_what_hotline_dumps_reads_back_as_the_yaml_parser_reads_it(d):
    text = yamlio.dump(d)
    assert agrees(text)


LINES = ["id: x", "a: b", "a:", "- x", "- a: b", "  b: c", "  - y", "    z", "a: |", "a: |-", "a: |+", "a: >",
         "  text: 1", "   odd", "key: 'it''s'", "key: 'open", "k: []", "k: {}", "k: [a]", "k: &x 1", "k: *x",
         "k: !!str 1", "k: on", "k: 012", "k: 1.5", "k: 2026-11-20", "k: ~", "", " ", "# c", "k: v # c", "---",
         "...", "%YAML 1.1", "<<<<<<< HEAD", "=======", ">>>>>>> b", "k: v ", "- ", "-", "- - x", "k: 询问",
         "events:", "- id: 35XA7C1C", "  at: '2026-11-02T10:10:00+08:00'", "  to:", "  - boss", "personal:",
         "  age: |", "    -----BEGIN AGE-----", "    ABC", "      deeper", "  caller: 4c0b", "a: b: c", "? k",
         "k:\tv", "a: 'x' y", "on: 1", "1: a", "a b: c", "k: -1", "k: +1", "k: 0", "k: 00", "k: 'a\nb'"]


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(LINES), min_size=1, max_size=12), st.booleans())
def test_hostile_texts_are_read_as_the_yaml_parser_reads_them_or_left_to_it(lines, final_newline):
    text = "\n".join(lines) + ("\n" if final_newline else "")
    assert agrees(text)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab: -|'\n#[]{}~0\t\r")), max_size=60))
def test_any_text_at_all(text):
    assert agrees(text)


def test_every_file_of_the_demo_book_is_read_fast_and_alike():
    files = [p for d in ("cases", "ledger", "leave", "calls") for p in sorted((ROOT / d).rglob("*.yaml"))]
    files += [ROOT / "rules.yaml", ROOT / "roster.yaml"]
    assert len(files) > 20
    fast = 0
    for p in files:
        text = p.read_text(encoding="utf-8")
        got = plainyaml.load(text)
        if got is not None:
            fast += 1
            assert typed(got) == typed(yaml.load(text, Loader=LOADER)), p
    cases = [p for p in files if "cases" in p.parts]
    assert sum(plainyaml.load(p.read_text(encoding="utf-8")) is not None for p in cases) == len(cases)


@pytest.mark.parametrize("text, value", [
    ("a: b\n", {"a": "b"}),
    ("a: on\nb: 'on'\nc: Off\n", {"a": True, "b": "on", "c": False}),
    ("n: 0\np: +3\nq: 17\n", {"n": 0, "p": 3, "q": 17}),
    ("a:\nb: ~\nc: null\n", {"a": None, "b": None, "c": None}),
    ("k: 'it''s'\n", {"k": "it's"}),
    ("k: []\nm: {}\n", {"k": [], "m": {}}),
    ("l:\n- x\n- 'y'\nz: 1\n", {"l": ["x", "y"], "z": 1}),
    ("e:\n- id: A\n  to:\n  - boss\n  note: n\n- id: B\n", {"e": [{"id": "A", "to": ["boss"], "note": "n"}, {"id": "B"}]}),
    ("p:\n  age: |\n    L1\n      L2\n    L3\n  k: v\n", {"p": {"age": "L1\n  L2\nL3\n", "k": "v"}}),
    ("n: |-\n  one\n  two\n", {"n": "one\ntwo"}),
    ("s: 询问起诉程序：律师\n", {"s": "询问起诉程序：律师"}),
])
def test_the_shape_hotline_writes(text, value):
    assert typed(plainyaml.load(text)) == typed(value) == typed(yaml.load(text, Loader=LOADER))


@pytest.mark.parametrize("text", [
    "k: 012\n", "k: 1.5\n", "k: 2026-11-20\n", "k: v # c\n", "# c\nk: v\n", "k: v\n\nm: w\n", "k: \"dq\"\n",
    "k: [a]\n", "k: &a 1\n", "on: 1\n", "k: v\nk: w\n", "k: v", "k: a\n  b\n", "k: |+\n  x\n", "k: >\n  x\n",
    "k:\tv\n", "k: v\r\n", "\ufeffk: v\n", "- a\n", "k: a: b\n", "---\nk: v\n",
    "p:\n  age: |\n      L1\n    L2\n", "l:\n- a\n  b\n", "p:\n  k: a\n    b\nq: 1\n",
])
def test_anything_else_is_left_to_the_yaml_parser(text):
    assert plainyaml.load(text) is None


def test_a_mistake_is_still_named_with_its_line(tmp_path):
    from hotline.errors import BookError

    with pytest.raises(BookError) as e:
        yamlio.load_text("a: b\nc: d\nc: e\n", tmp_path / "x.yaml")
    assert e.value.line == 3 and "duplicate key" in str(e.value)
