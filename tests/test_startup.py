"""What a command imports before it answers (issue #26: start-up is most of a read's time)."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

# run the CLI in a fresh process, then list the modules it imported
PROBE = """
import atexit, json, sys
out = sys.argv[1]
atexit.register(lambda: open(out, "w").write(json.dumps(sorted(sys.modules))))
sys.argv = ["hotline", *sys.argv[2:]]
from hotline.cli import main
main()
"""


def imported(book, tmp_path, *args: str) -> set[str]:
    out = tmp_path / "modules.json"
    env = dict(os.environ, HOTLINE_BOOK=str(book.root), HOTLINE_USER="wang")
    p = subprocess.run([sys.executable, "-c", PROBE, str(out), *args], env=env, capture_output=True, text=True,
                       encoding="utf-8", timeout=120)
    assert p.returncode == 0, p.stderr
    return set(json.loads(out.read_text()))


@pytest.mark.parametrize("args", [("list", "--status", "open"), ("overdue", "--as-of", "2026-11-20 18:00"),
                                  ("show", "FIRST"), ("report", "--month", "2026-10", "--format", "json")])
def test_reads_never_import_the_web_client(book, tmp_path, args):
    """The index's freshness check opens SQLite read-only by a file: URI; quoting the path must not
    import urllib.request, which brings http.client, ssl and email (~30–70 ms of CPU per command)."""
    first = book.intake(at="2026-10-20 10:00")
    book.intake(at="2026-10-21 10:00")
    book.run("list")  # the index exists: the next read's freshness thread opens it read-only
    mods = imported(book, tmp_path, *[first if a == "FIRST" else a for a in args])
    assert "hotline.storage.index" in mods or args[0] == "show"
    assert not {"urllib.request", "http.client", "ssl"} & mods
