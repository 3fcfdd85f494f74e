"""The repository root is the demo book: it must stay valid and match what `init` writes."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULTS = ROOT / "hotline" / "defaults"


DEMO_HOME = ("home_region:          # the demo book's line is in 商丘, 河南\n  city: 商丘\n  province: 河南\n")


def test_demo_rules_and_templates_equal_the_packaged_defaults():
    # the demo's rules are the defaults, with the demo line's place filled in where the defaults show an example
    demo = (ROOT / "rules.yaml").read_text(encoding="utf-8")
    assert DEMO_HOME in demo
    default = (DEFAULTS / "rules.yaml").read_text(encoding="utf-8")
    assert demo.replace(DEMO_HOME, "# home_region:\n#   city: 东莞\n#   province: 广东\n") == default
    for t in (DEFAULTS / "templates").glob("*.j2"):
        assert (ROOT / "templates" / t.name).read_text(encoding="utf-8") == t.read_text(encoding="utf-8"), t.name


DEMO_NOW = "2026-12-07 10:00"  # the demo book's "now" (as the README's guide): never the machine's clock


def run_here(*args: str) -> subprocess.CompletedProcess:
    env = {"HOTLINE_NO_INDEX": "1", "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(ROOT / ".no-home"),
           "HOTLINE_NOW": DEMO_NOW}
    return subprocess.run([sys.executable, "-m", "hotline", "--book", str(ROOT), *args], capture_output=True,
                          text=True, encoding="utf-8", env=env, timeout=120)


def test_demo_book_passes_check_and_reports_november():
    # read-only commands only: tests never write into this repository
    files = list((ROOT / "cases").rglob("*.yaml"))
    assert 20 <= len(files) <= 80
    p = run_here("report", "--month", "2026-11", "--format", "json")
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    assert data["received"] > 10 and sum(data["by_grade"].values()) == data["received"]
    for fmt in ("md", "html"):
        p = run_here("report", "--month", "2026-11", "--format", fmt)
        assert p.returncode == 0 and "热线月报" in p.stdout, p.stderr
    p = run_here("score", "--month", "2026-11", "--format", "json")
    assert p.returncode == 0 and json.loads(p.stdout)["people"]


def test_demo_book_is_clean_apart_from_work_in_progress():
    p = run_here("check", "--format", "json")
    problems = json.loads(p.stdout)
    assert [x for x in problems if "not committed" not in x["message"]] == []
