"""Volunteer-typed text made inert in Markdown (and in the HTML Markdown often becomes).

HTML entities and Markdown punctuation are escaped; a line that would start a list or a
heading is escaped at its start.
"""
from __future__ import annotations

import re
from typing import Any

_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}#|!~])")


def md_text(text: Any) -> str:
    """Volunteer-typed text made inert in Markdown (and in the HTML Markdown becomes)."""
    s = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = _MD_SPECIAL.sub(r"\\\1", s)
    return re.sub(r"^(\s*)([-+]|\d+\.)(\s)", r"\1\\\2\3", s, flags=re.M)


def md_cell(text: Any) -> str:
    """md_text for a table cell: one line."""
    return re.sub(r"\s*\n\s*", " ", md_text(text)).strip()


def md_safe(data: dict) -> dict:
    """A copy of the bulletin with every volunteer-typed string escaped for Markdown."""
    d = dict(data)  # only the parts that hold typed text are copied and escaped
    d["typical_cases"] = [dict(t, summary=md_text(t["summary"]), region=md_cell(t["region"]))
                          for t in data["typical_cases"]]
    d["dist"] = dict(data["dist"], region=[dict(r, label=md_cell(r["label"])) for r in data["dist"]["region"]])
    return d
