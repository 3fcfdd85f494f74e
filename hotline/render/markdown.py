"""Text made inert in Markdown (and in the HTML that Markdown often becomes).

Markdown templates escape every `{{ … }}` by themselves (like HTML autoescaping): a string
becomes one inert line (`md_cell`), so a value can never start a heading, a list, a rule,
a quote, a table row, a link or HTML.  A free text that keeps its lines goes through
`md(...)` (`md_text`).  What these return is marked `MdSafe` and never escaped twice.
"""
from __future__ import annotations

import re
from typing import Any


class MdSafe(str):
    """Text already made inert for Markdown (templates print it as it is)."""

    def __html__(self) -> str:  # Jinja's autoescaping leaves it alone
        return self


def _inline(line: str, lead: str = "") -> str:
    s = line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = re.sub(r"([\\`*_\[\]{}#|!~])", r"\\\1", s)
    # autolinks (GFM: www., http://, e-mail addresses) are broken by an escaped punctuation mark
    s = re.sub(r"(?i)\b(https?|ftp|mailto)(:)", r"\1\\\2", s)
    s = re.sub(r"(?i)\bwww\.", "www\\.", s)
    s = s.replace("@", "\\@")
    # a line that could start a list, a heading, a rule, a setext underline or a quote; leading
    # blanks (four would make a code block) become `lead`
    body = s.lstrip(" \t")
    lead = lead if body != s else ""
    m = re.match(r"(\d+)([.)])", body)
    if m:
        return f"{lead}{m.group(1)}\\{m.group(2)}{body[m.end():]}"
    if body[:1] in ("-", "+", "=", "*", "#", ">"):
        return lead + "\\" + body
    return lead + body


def md_text(text: Any) -> MdSafe:
    """Free text, its lines kept, made inert."""
    if isinstance(text, MdSafe):
        return text
    lines = str(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return MdSafe("\n".join(_inline(ln) for ln in lines))


def md_cell(text: Any) -> MdSafe:
    """One inert line (for a table cell, a heading, a list item)."""
    if isinstance(text, MdSafe) and "\n" not in text:
        return text
    return MdSafe(_inline(re.sub(r"\s*[\r\n]+\s*", " ", str(text)).rstrip(), lead=" "))


def md_words(text: Any) -> MdSafe:
    """The tool's own words (a template's translated sentence) as one inert line, like `md_cell`
    but its spaces at either end kept (a word joins the values around it: "; ", " (暂定)")."""
    return MdSafe(_inline(re.sub(r"\s*[\r\n]+\s*", " ", str(text)), lead=" "))


def finalize(value: Any) -> Any:
    """Jinja's `finalize` for Markdown templates: every string printed is one inert line; what
    is already safe (md(...), a macro's output) stays as it is."""
    if isinstance(value, str) and not hasattr(value, "__html__"):
        return md_cell(value)
    return value


def join(items: Any, sep: str = "") -> MdSafe:
    """Jinja's `join` for Markdown templates: each item made inert."""
    return MdSafe(md_cell(sep).join(x if hasattr(x, "__html__") else md_cell(x) for x in items))
