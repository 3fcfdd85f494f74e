"""Benchmark: `python -m bench [--sizes 1000,10000,100000] [--runs 5] [--quick] [--dir DIR]`.

Builds synthetic books (bench/synth.py, kept in --dir between runs) and times whole-process
runs of the commands a hotline uses every day, in rounds (every command once per round, so all
see the same load), printing CPU medians (user + system), wall medians, cores used (CPU ÷ wall)
and peak memory.  Issue #26's targets are ratios measured in the same run: to Taskwarrior's
`task overdue` on a mirror of the same book (bench/taskwarrior.py; when `task` is installed), to
the floor rows (Python starting, a minimal Typer app's `--help`), or a wall time for the fresh
clone.  Each target row says met / NOT met.  With --save the table goes into bench/RESULTS.md.
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIRST_READ = "first read of a fresh clone (index build)"
COLD_CHECK = "check (cold)"
INTAKE_SMALL = "intake (1,000-case book, same rounds)"
TASK = "task overdue"           # Taskwarrior on the same number of tasks, timed in the same rounds
TYPER_FLOOR = "(floor: minimal Typer app --help)"
PY_FLOOR = "(floor: python start only)"
READS = ("show", "list --status open", "overdue", "report --month", "score --month")
# issue #26: every target is a ratio of CPU medians (user + system) measured in the same run, or a
# wall time on two cores for the fresh clone; (what it is measured against, factor)
TARGETS = {
    10_000: {"overdue": (TASK, 2.0), "list --status open": (TASK, 2.0), "show": (TASK, 1.2),
             "report --month": (TASK, 3.0), "score --month": (TASK, 3.0), "--help": (TYPER_FLOOR, 1.3)},
    100_000: {"overdue": (TASK, 0.75), "report --month": (TASK, 1.0), "score --month": (TASK, 1.0),
              "intake": (INTAKE_SMALL, 1.1), FIRST_READ: ("wall", 20.0), COLD_CHECK: ("wall", 30.0)},
}
MEMORY_FACTOR = 0.5  # at 100,000 cases: peak memory of every read <= 0.5 x Taskwarrior's

# the floor of `--help`: one command, with the settings hotline's own app uses (no rich, no completion)
MINIMAL_TYPER = """import typer

app = typer.Typer(add_completion=False, rich_markup_mode=None, pretty_exceptions_enable=False)


@app.command()
def hello(name: str = typer.Option("world", help="Whom to greet.")) -> None:
    \"\"\"Say hello.\"\"\"
    print(f"hello {name}")


app()
"""

def hotline_bin() -> str:
    exe = shutil.which("hotline", path=str(Path(sys.executable).parent)) or shutil.which("hotline")
    if not exe:
        sys.exit("bench: `hotline` is not installed in this environment (pip install -e .)")
    return exe


def run_once(cmd: list[str], env: dict, cwd: Path) -> dict:
    """One whole-process run: wall and CPU seconds (user + system, the command's own and its
    children's: git, workers), peak resident memory in MB, exit code and the tail of stderr."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = p.stderr.read().decode("utf-8", "replace")[-200:] if p.stderr else ""
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    p.returncode = os.waitstatus_to_exitcode(status)
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "mb": usage.ru_maxrss / 1024,
            "code": p.returncode, "err": err}


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(next(l for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal")).split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, StopIteration):
        pass
    git = subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.strip()
    import yaml

    from bench.taskwarrior import task_bin

    task = task_bin()
    tw = "no Taskwarrior"
    if task:
        tw = "Taskwarrior " + subprocess.run([task, "--version"], capture_output=True, text=True,
                                             env={"PATH": os.environ.get("PATH", "")}).stdout.strip()

    return (f"{cpu}, {os.cpu_count()} cores{mem}; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}; {git}; libyaml {'yes' if yaml.__with_libyaml__ else 'NO'}; {tw}")


def _row(n: int, name: str, samples: list[dict], ok_codes=(0,)) -> dict:
    bad = [x for x in samples if x["code"] not in ok_codes]
    why = f"exit {bad[0]['code']}: {' '.join(bad[0]['err'].split())}".replace("|", "/") if bad else ""
    cpu = statistics.median(x["cpu"] for x in samples)
    wall = statistics.median(x["wall"] for x in samples)
    return {"cases": n, "command": name, "cpu": cpu, "wall": wall, "cores": cpu / wall if wall else 0.0,
            "mb": max(x["mb"] for x in samples), "failed": why, "runs": len(samples)}


def _in_child(fn, *args):
    """fn(*args) in a forked process. The bench's own memory must stay small: Linux counts the
    peak memory of the process a command replaces at exec (this one) as the command's own."""
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(1) as pool:
        return pool.apply(fn, args)


def _build_book(root: Path, n: int) -> None:
    from bench.synth import build

    build(root, n)


def bench_size(n: int, base: Path, runs: int, exe: str, rebuild: bool, clone_rows: bool = True) -> list[dict]:
    from bench import taskwarrior

    root = base / f"book-{n}"
    ident = base / f"book-{n}-identity.txt"
    if rebuild or not (root / ".built").exists():
        if root.exists():
            shutil.rmtree(root)
        ident.unlink(missing_ok=True)
        t = time.perf_counter()
        _in_child(_build_book, root, n)
        (root / ".built").write_text("ok")
        print(f"built {n} cases in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    # as installed for a person: Python writes its bytecode (some shells set PYTHONDONTWRITEBYTECODE,
    # which makes every start compile hotline from source)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_") and k != "PYTHONDONTWRITEBYTECODE"}
    env.update(HOTLINE_BOOK=str(root), HOTLINE_USER="g1p1", HOTLINE_IDENTITY=str(ident))
    tw = _in_child(taskwarrior.ensure, base, n, root, env, exe, rebuild)
    rows = []
    if clone_rows:
        # the first read of a fresh clone builds the derived index; then a cold check, in the same clone
        clone = base / f"clone-{n}"
        if clone.exists():
            shutil.rmtree(clone)
        subprocess.run(["git", "clone", "-q", str(root), str(clone)], check=True)
        cenv = dict(env, HOTLINE_BOOK=str(clone))
        rows.append(_row(n, FIRST_READ, [run_once([exe, "list", "--status", "open"], cenv, clone)]))
        for f in (clone / ".git").glob("hotline-*"):  # no derived index, no cached rules
            shutil.rmtree(f) if f.is_dir() else f.unlink()
        rows.append(_row(n, COLD_CHECK, [run_once([exe, "check"], cenv, clone)], ok_codes=(0, 1)))
        shutil.rmtree(clone)

    some_case = next((root / "cases").rglob("*.yaml")).stem
    intake = [exe, "intake", "--no-input", "-q", "--channel", "phone", "--grade", "green", "--role", "party",
              "--category", "divorce", "--need", "legal", "--summary", "基准测试", "--contact", "13800012345",
              "--at", "2026-11-20 15:00"]
    py = str(Path(exe).with_name("python"))
    py = py if Path(py).exists() else sys.executable
    minimal = base / "minimal_typer.py"
    minimal.write_text(MINIMAL_TYPER, encoding="utf-8")
    # the intake carries a contact: its writer's key must be among the case's readers (per-case keys),
    # and the synthetic roster gives a key to the director alone
    ienv = dict(env, HOTLINE_USER="boss")
    # (name, command, environment, folder)
    commands = [
        (PY_FLOOR, [py, "-c", "pass"], env, root),
        (TYPER_FLOOR, [py, str(minimal), "--help"], env, root),
        ("--help", [exe, "--help"], env, root),
        ("intake", intake, ienv, root),
        ("show", [exe, "show", some_case], env, root),
        ("list --status open", [exe, "list", "--status", "open"], env, root),
        ("overdue", [exe, "overdue", "--as-of", taskwarrior.AS_OF], env, root),
        ("report --month", [exe, "report", "--month", "2026-10"], env, root),
        ("score --month", [exe, "score", "--month", "2026-10"], env, root),
    ]
    small = base / "book-1000"
    if n != 1_000 and (small / ".built").exists():
        # intake on the 1,000-case book in the same rounds: "flat from 1,000" compares like with like
        senv = dict(ienv, HOTLINE_BOOK=str(small), HOTLINE_IDENTITY=str(base / "book-1000-identity.txt"))
        commands.append((INTAKE_SMALL, intake, senv, small))
    if tw:
        data, info = tw
        commands.append((TASK, [taskwarrior.task_bin(), "overdue"], taskwarrior.task_env(data), data))
    for name, cmd, cenv, cwd in commands:
        if name not in ("intake", INTAKE_SMALL):
            run_once(cmd, cenv, cwd)  # warm the OS cache, the bytecode and the index
    samples: dict[str, list] = {name: [] for name, *_ in commands}
    for _ in range(runs):  # rounds: every command once per round, so all see the same load
        for name, cmd, cenv, cwd in commands:
            samples[name].append(run_once(cmd, cenv, cwd))
    for name, *_ in commands:
        rows.append(_row(n, name, samples[name]))
        if name == "overdue":
            if tw:
                counted = taskwarrior.count_overdue(data, taskwarrior.task_bin())
                rows[-1]["note"] = (f"hotline: {info['overdue']:,} cases overdue ({info['hotline_clocks_overdue']:,} "
                                    f"clocks); Taskwarrior: {counted if counted is not None else '?'} of "
                                    f"{info['pending']:,} pending tasks overdue")
            else:
                rows[-1]["note"] = "no Taskwarrior (`task` is not installed)"
    return rows


def _reference(r: dict, rows: list[dict], ref: str) -> dict | None:
    return next((x for x in rows if x["command"] == ref and x["cases"] == r["cases"]), None)


def judge(r: dict, rows: list[dict]) -> tuple[str, str, str]:
    """(target as shown, ratio as shown, met / NOT met / not judged) of a row."""
    t = TARGETS.get(r["cases"], {}).get(r["command"])
    if t is None:
        return "", "", ""
    ref, factor = t
    if r["failed"]:
        return f"{factor:g}", "", "NOT met (failed)"
    if ref == "wall":
        return f"≤ {factor:g} s wall", f"{r['wall']:.1f} s", "met" if r["wall"] <= factor else "NOT met"
    base = _reference(r, rows, ref)
    shown = f"≤ {factor:g} × {ref}"
    if base is None or base["failed"] or not base["cpu"]:
        return shown, "", "not judged (no reference row in this run)"
    ratio = r["cpu"] / base["cpu"]
    return shown, f"{ratio:.2f} ×", "met" if ratio <= factor else "NOT met"


def memory_verdict(r: dict, rows: list[dict]) -> str:
    if r["cases"] != 100_000 or r["command"] not in READS:
        return ""
    task = _reference(r, rows, TASK)
    if task is None:
        return ""
    ok = r["mb"] <= MEMORY_FACTOR * task["mb"]
    return (f"memory {r['mb'] / task['mb']:.2f} × Taskwarrior's ({MEMORY_FACTOR} allowed): "
            f"{'met' if ok else 'NOT met'}")


def table(rows: list[dict], everything: list[dict] | None = None) -> str:
    everything = everything or rows
    lines = ["| cases | command | CPU ms | wall ms | cores | peak MB | target | ratio | met / NOT met |",
             "|---:|---|---:|---:|---:|---:|---|---:|---|"]
    for r in rows:
        target, ratio, ok = judge(r, everything)
        notes = [x for x in (ok, memory_verdict(r, everything), r.get("note", ""),
                             f"failed: {r['failed']}" if r["failed"] else "") if x]
        lines.append(f"| {r['cases']:,} | {r['command']} | {r['cpu'] * 1000:,.0f} | {r['wall'] * 1000:,.0f} | "
                     f"{r['cores']:.2f} | {r['mb']:.0f} | {target} | {ratio} | {'; '.join(notes)} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--runs", type=int, default=5, help="rounds; every command runs once per round (default 5)")
    ap.add_argument("--quick", action="store_true",
                    help="for iterating: 10,000 cases only, 3 rounds, no fresh clone (unless --sizes/--runs say else)")
    ap.add_argument("--no-clone", action="store_true", help="leave out the fresh clone's first read and cold check")
    ap.add_argument("--dir", default=os.path.join(os.environ.get("TMPDIR", "/tmp"), "hotline-bench"),
                    help="where the generated books and Taskwarrior mirrors are kept between runs")
    ap.add_argument("--rebuild", action="store_true", help="rebuild the synthetic books")
    ap.add_argument("--save", action="store_true", help="write the table into bench/RESULTS.md")
    ap.add_argument("--import-rows", type=int, default=0,
                    help="instead: time `hotline import` of a generated register of this many rows (bench/importing.py)")
    args = ap.parse_args()
    given = {a.split("=")[0] for a in sys.argv[1:]}
    if args.quick:
        if "--sizes" not in given:
            args.sizes = "10000"
        if "--runs" not in given:
            args.runs = 3
        args.no_clone = True
    base = Path(args.dir)
    base.mkdir(parents=True, exist_ok=True)
    exe = hotline_bin()
    if args.import_rows:
        from bench import importing

        before = os.getloadavg()[0]
        found = importing.bench_import(args.import_rows, base, args.runs, exe)
        load = f"; load average {before:.1f} before the runs, {os.getloadavg()[0]:.1f} after (2 cores)"
        print(importing.table(found) + "\n" + load, flush=True)
        if args.save:
            importing.save(HERE / "RESULTS.md", importing.section(found, args.runs, machine(), load))
        return
    rows: list[dict] = []
    before = os.getloadavg()[0]
    for n in (int(x) for x in args.sizes.split(",")):
        rows += bench_size(n, base, args.runs, exe, args.rebuild, not args.no_clone)
        print(table([r for r in rows if r["cases"] == n], rows), flush=True)
    load = (f"Load average {before:.1f} before the runs, {os.getloadavg()[0]:.1f} after "
            f"({os.cpu_count()} cores).")
    print(load, flush=True)
    if args.save:
        text = (HERE / "RESULTS.md").read_text(encoding="utf-8")
        head, _, rest = text.partition(TABLE_START)
        _, _, tail = rest.partition(TABLE_END)
        (HERE / "RESULTS.md").write_text(
            head + TABLE_START + "\n"
            + f"Machine: {machine()}\n\n`python -m bench --sizes {args.sizes} --runs {args.runs}`: medians of "
            f"{args.runs} rounds (every command once per round, after one warm-up run each, intake aside). {load}\n\n"
            + table(rows) + "\n" + TABLE_END + tail, encoding="utf-8")


TABLE_START = "<!-- bench table -->"
TABLE_END = "<!-- end of bench table -->"


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    main()
