"""The cost of per-case keys (issue #23): `intake`, `show --reveal` and `rekey` on a 10,000-case
book, against the same commands of the commit before per-case keys, in the same run.

    python -m bench.keys [--cases 10000] [--runs 5] [--before COMMIT]

A synthetic book (bench/synth.py: 30 % of the cases with personal data, encrypted to the staff key
as books were before) is copied twice: the old code (a `git worktree` of --before, run with the
same Python) works on one copy as it is; the new code first runs `hotline upgrade` on the other
(moving every case to a key of its own; timed once) and then the same commands.  Runs alternate
old/new; each row is the median CPU time (user + system of the command's process and its git
children), which stays steady on a shared host where wall time does not.  Target: each new
median within 1.10 × the old one.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BEFORE = "4fb0136"   # main before per-case keys
TARGET = 1.10


def cpu_run(cmd: list[str], env: dict, cwd: Path) -> tuple[float, float, subprocess.CompletedProcess]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {p.stderr.strip()}")
    return cpu, wall, p


def build(base: Path, n: int) -> Path:
    """The synthetic book (in a child process: synth sets $HOTLINE_IDENTITY)."""
    book = base / "book"
    code = ("import sys; from pathlib import Path; from bench import synth; "
            f"synth.build(Path({str(book)!r}), {n})")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
    return book


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--before", default=BEFORE)
    args = ap.parse_args()
    base = Path(tempfile.mkdtemp(prefix="hotline-keys-bench-"))
    try:
        old_tree = base / "old-code"
        subprocess.run(["git", "worktree", "add", "-q", "--detach", str(old_tree), args.before], cwd=ROOT, check=True)
        t = time.perf_counter()
        book = build(base, args.cases)
        print(f"built {args.cases:,} cases in {time.perf_counter() - t:.0f} s", file=sys.stderr)
        old_book, new_book = base / "old", base / "new"
        shutil.copytree(book, old_book, symlinks=True)
        shutil.copytree(book, new_book, symlinks=True)
        ident = base / "book-identity.txt"
        # bytecode kept, as for anyone who installs hotline (this machine's shell turns it off)
        common = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_") and k != "PYTHONDONTWRITEBYTECODE"}
        common.update(HOTLINE_IDENTITY=str(ident), HOTLINE_USER="boss", HOTLINE_NOW="2026-11-20 18:00",
                      HOTLINE_LANG="en", GIT_AUTHOR_NAME="boss", GIT_AUTHOR_EMAIL="boss@example.org",
                      GIT_COMMITTER_NAME="boss", GIT_COMMITTER_EMAIL="boss@example.org")
        old_env = dict(common, PYTHONPATH=str(old_tree))
        new_env = dict(common, PYTHONPATH=str(ROOT))
        exe = [sys.executable, "-m", "hotline"]
        # a warm index and compiled modules on both sides; then the new side moves to per-case keys
        for env, b in ((old_env, old_book), (new_env, new_book)):
            for _ in range(2):
                cpu_run(exe + ["list", "--status", "open", "--format", "csv"], env, b)
        cpu, wall, p = cpu_run(exe + ["upgrade"], new_env, new_book)
        print(f"upgrade of {args.cases:,} cases: {cpu:.1f} s CPU, {wall:.1f} s wall", file=sys.stderr)
        personal = next(f.stem for f in sorted((new_book / "cases").rglob("*.yaml"))
                        if "\npersonal:" in f.read_text(encoding="utf-8"))
        rows = []
        for name, cmd in (
                ("intake", ["intake", "--no-input", "-q", "--channel", "phone", "--grade", "green", "--role", "party",
                            "--category", "divorce", "--need", "legal", "--summary", "询问", "--contact", "{phone}",
                            "--at", "2026-11-20 17:{minute:02d}"]),
                ("show --reveal", ["show", personal, "--reveal"]),
                ("rekey", ["rekey"])):
            samples: dict[str, list[float]] = {"old": [], "new": []}
            for i in range(args.runs):
                for side, env, b in (("old", old_env, old_book), ("new", new_env, new_book)):
                    argv = [a.format(phone=f"1380013{i:04d}", minute=i) for a in cmd]
                    samples[side].append(cpu_run(exe + argv, env, b)[0])
            old, new = statistics.median(samples["old"]), statistics.median(samples["new"])
            rows.append((name, old, new, new / old))
        print(f"\n| {args.cases:,} cases | before (CPU s) | per-case keys (CPU s) | ratio | target ≤ {TARGET:.2f} |")
        print("|---|---:|---:|---:|---|")
        for name, old, new, ratio in rows:
            print(f"| {name} | {old:.3f} | {new:.3f} | {ratio:.2f} | {'met' if ratio <= TARGET else 'NOT met'} |")
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(base / "old-code")], cwd=ROOT, capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
