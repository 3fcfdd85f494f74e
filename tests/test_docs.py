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
