#!/usr/bin/env python3
"""Maintain hotline's message catalogs with Babel: extract → update → compile.

    python scripts/i18n.py           # all three: hotline/locale/hotline.pot, zh_CN .po updated, .mo compiled
    python scripts/i18n.py compile   # only compile the .po files into the shipped .mo files

What is extracted is babel.cfg's: the Python source and the default templates' words
(hotline/defaults/templates/*.j2: `_()`, `ngettext`, `pgettext`, read by Jinja2's extractor).
Translate in hotline/locale/zh_CN/LC_MESSAGES/hotline.po (msgstr), then run it again.
`tests/test_i18n.py` fails on any source string without a translation.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "hotline" / "locale"
POT = LOCALE / "hotline.pot"
LANGS = ("zh_CN",)
KEYWORDS = ["-k", "_", "-k", "N_", "-k", "ngettext:1,2", "-k", "pgettext:1c,2"]


def pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], cwd=ROOT, check=True)


def main() -> None:
    step = sys.argv[1] if len(sys.argv) > 1 else "all"
    if step in ("all", "extract"):
        pybabel("extract", "-F", "babel.cfg", "--no-location", "--sort-output", "--no-wrap", *KEYWORDS,
                "--project", "hotline", "-o", str(POT), ".")
    if step in ("all", "update"):
        for lang in LANGS:
            po = LOCALE / lang / "LC_MESSAGES" / "hotline.po"
            if po.exists():
                pybabel("update", "-i", str(POT), "-d", str(LOCALE), "-D", "hotline", "-l", lang, "--no-wrap",
                        "--ignore-obsolete", "--no-fuzzy-matching")
            else:
                pybabel("init", "-i", str(POT), "-d", str(LOCALE), "-D", "hotline", "-l", lang, "--no-wrap")
    if step in ("all", "compile"):
        pybabel("compile", "-d", str(LOCALE), "-D", "hotline", "--statistics")


if __name__ == "__main__":
    main()
