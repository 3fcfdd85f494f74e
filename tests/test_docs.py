"""The README keeps its promises checkable: every test it names exists (sqlite-utils' test_docs idea)."""
from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_test_the_readme_names_exists():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    named = re.findall(r"`(tests/test_\w+\.py)(?:::(\w+))?`", text)
    assert len(named) > 40
    missing = []
    for path, name in named:
        file = ROOT / path
        if not file.exists():
            missing.append(path)
            continue
        if name:
            tree = ast.parse(file.read_text(encoding="utf-8"))
            if name not in {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}:
                missing.append(f"{path}::{name}")
    assert missing == []


def _code_lines(text: str) -> list[str]:
    """The lines of every code block (a trailing `\\` joins the next line) and every inline code span."""
    block = re.compile(r"^\s*```[^\n]*\n(.*?)^\s*```", re.S | re.M)
    lines = []
    for body in block.findall(text):
        lines += re.sub(r"\\\n", " ", body).splitlines()
    return lines + re.findall(r"`([^`\n]+)`", block.sub("", text))


def test_the_chinese_readme_names_only_commands_and_options_that_exist():
    import typer

    import hotline.cli

    text = (ROOT / "README.zh-CN.md").read_text(encoding="utf-8")
    app = typer.main.get_command(hotline.cli.app)
    global_options = {o for p in app.params for o in p.opts + p.secondary_opts}
    checked, wrong = [], []
    for line in _code_lines(text):
        for piece in re.split(r"(?<![\w/.\\-])(?=hotline\s)", line)[1:]:  # each `hotline …` up to the next
            words = piece.split("`")[0].split()[1:]  # a quoted command inside a block ends at its backtick
            while words and words[0] in global_options:  # hotline --as xu show …
                words = words[2:]
            if not words or words[0] == "--help" or not re.match(r"[a-z-]", words[0]):
                continue  # `hotline --help`, `cd hotline`, `git clone <仓库地址> hotline`
            command, path = app, []
            while hasattr(command, "commands") and words:  # a group: `hotline key new`
                path.append(words.pop(0))
                command = command.commands.get(path[-1])
            if command is None or hasattr(command, "commands"):
                wrong.append(f"no command `hotline {' '.join(path)}`: {line.strip()}")
                continue
            known = {o for p in command.params for o in p.opts + p.secondary_opts} | {"--help"}
            for option in re.findall(r"(?<!\S)--[a-z][a-z-]*", " ".join(words)):
                if option not in known:
                    wrong.append(f"no option {option} of `hotline {' '.join(path)}`: {line.strip()}")
            checked.append(" ".join(path))
    assert wrong == []
    assert len(checked) > 60 and {"intake", "report", "sync", "resolve", "rekey", "key new"} <= set(checked)
    english = (ROOT / "README.md").read_text(encoding="utf-8")
    for quick_start in ("hotline report --month", "python -m pytest"):
        assert quick_start in english and quick_start in text
    assert "%APPDATA%" in text
