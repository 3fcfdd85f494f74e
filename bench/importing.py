"""The import benchmark (issue #17): `python -m bench --import-rows 5000 [--runs 3] [--save]`.

A fresh book (the synthetic roster: 41 people, 3 partners) and a generated register of N rows
with Chinese headers (bench/sheet.py).  Timed, whole-process, each on a fresh copy of the book:
the sheet with a few bad cells (every one must be named by row and column, nothing written),
the same sheet fixed (every row imported in one commit), and that sheet imported again (nothing
new).  With --save the table replaces the import section of bench/RESULTS.md.
"""
from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import time
from pathlib import Path

TARGET_S = 30.0   # the figure for 5,000 rows on a 2-core machine
MARK = "<!-- import benchmark -->"


def _book(base: Path) -> tuple[Path, Path, list[str]]:
    """A fresh book with the synthetic roster, built once and copied for each run."""
    import yaml

    from hotline.trust import privacy
    from hotline.writes.setup import init_book

    from bench.synth import roster_text

    root, ident = base / "import-book", base / "import-identity.txt"
    if root.exists():
        shutil.rmtree(root)
    ident.unlink(missing_ok=True)
    os.environ["HOTLINE_IDENTITY"] = str(ident)
    init_book(root, "boss", "主任")
    key = privacy.public_key(privacy.load_identity())
    (root / "roster.yaml").write_text(roster_text(key), encoding="utf-8")
    subprocess.run(["git", "commit", "-qam", "roster"], cwd=root, check=True)
    return root, ident, [p["name"] for p in yaml.safe_load(roster_text(key))["people"]]


def _run(cmd: list[str], env: dict, cwd: Path) -> tuple[float, int, str]:
    t = time.perf_counter()
    p = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, encoding="utf-8")
    return time.perf_counter() - t, p.returncode, p.stderr + p.stdout


def bench_import(n: int, base: Path, runs: int, exe: str) -> list[dict]:
    from bench import sheet

    src, ident, owners = _book(base)
    bad_sheet, good_sheet = base / f"register-{n}-bad.xlsx", base / f"register-{n}-fixed.xlsx"
    cells = sheet.make(bad_sheet, n, owners)
    sheet.make(good_sheet, n, owners, bad=False)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_") and k != "PYTHONDONTWRITEBYTECODE"}
    env.update(HOTLINE_USER="boss", HOTLINE_IDENTITY=str(ident))
    times: dict[str, list[float]] = {"bad": [], "fixed": [], "again": []}
    notes: dict[str, str] = {}
    for _ in range(runs):
        root = base / "import-run"
        if root.exists():
            shutil.rmtree(root)
        shutil.copytree(src, root, symlinks=True)
        env["HOTLINE_BOOK"] = str(root)
        t, code, text = _run([exe, "import", str(bad_sheet)], env, root)
        named = [(int(r), c) for r, c in re.findall(rf"{re.escape(str(bad_sheet))}:(\d+):([A-Z]+):", text)]
        notes["bad"] = (f"exit {code}; the {len(cells)} bad cells named: "
                        + ", ".join(f"{c}{r}" for r, c in named) if code == 2 and named == cells
                        else f"UNEXPECTED exit {code}: {text[-300:]}")
        times["bad"].append(t)
        t, code, text = _run([exe, "import", str(good_sheet)], env, root)
        count = subprocess.run(["git", "ls-files", "cases"], cwd=root, capture_output=True, text=True).stdout.count(".yaml\n")
        notes["fixed"] = f"exit {code}; {count:,} case files in one commit" if code == 0 else f"UNEXPECTED: {text[-300:]}"
        times["fixed"].append(t)
        t, code, text = _run([exe, "import", str(good_sheet)], env, root)
        notes["again"] = f"exit {code}; nothing new" if code == 0 and "Nothing to import" in text else f"UNEXPECTED: {text[-300:]}"
        times["again"].append(t)
    label = {"bad": "import (5 bad cells: refused)", "fixed": "import (cells fixed)", "again": "import again (no duplicates)"}
    return [{"rows": n, "what": label[k], "median_s": statistics.median(v), "min_s": min(v), "max_s": max(v),
             "note": notes[k]} for k, v in times.items()]


def table(rows: list[dict]) -> str:
    lines = ["| rows | command | median s | fastest s | slowest s | target s | note |",
             "|---:|---|---:|---:|---:|---:|---|"]
    for r in rows:
        target = TARGET_S if r["what"] == "import (cells fixed)" else ""
        met = (" — met" if r["max_s"] <= TARGET_S else " — NOT met") if target else ""
        lines.append(f"| {r['rows']:,} | {r['what']} | {r['median_s']:.1f} | {r['min_s']:.1f} | {r['max_s']:.1f} | "
                     f"{target} | {r['note']}{met} |")
    return "\n".join(lines)


def section(rows: list[dict], runs: int, machine: str, load: str = "") -> str:
    return (f"{MARK}\n## Import (issue #17)\n\nMachine: {machine}{load}\n\n"
            f"`python -m bench --import-rows {rows[0]['rows']} --runs {runs}`: whole-process runs of `hotline import` "
            "on a generated register (bench/sheet.py: Chinese headers under a title row, labels as typed, dates as "
            "date cells and as text, a third of the rows with a caller's name and number, referrals and closures), "
            "each run on a fresh copy of an empty book. The fixed sheet's time includes encrypting the personal "
            "data, writing every case file (flushed to disk) and git storing them in one commit.\n\n"
            + table(rows) + "\n")


def save(results: Path, text: str) -> None:
    """Replace the import section of RESULTS.md (or add it), leaving the rest as it is."""
    old = results.read_text(encoding="utf-8") if results.exists() else "# Benchmark results\n"
    head = old.split(MARK)[0].rstrip("\n")
    results.write_text(head + "\n\n" + text, encoding="utf-8")
