"""Taskwarrior beside hotline (issue #18): a Taskwarrior data directory mirroring a synthetic
book, built once next to the book, and the environment in which `python -m bench` times
`task overdue`.

The mirror has one task per case of the book (void cases aside), read from the built book's own
`hotline list --format json` and `hotline overdue --as-of AS_OF --soon "365 days" --format json`:

- **pending**: every case still open or referred, and every closed case with an overdue clock
  (a forgotten revisit); **completed**: every other case;
- **due** (pending tasks): the case's earliest overdue deadline if it has one, else its earliest
  running deadline, else none; so the tasks `task overdue` lists are exactly the cases whose
  clocks `hotline overdue --as-of AS_OF` lists (one task per case, where hotline lists one row
  per clock);
- **entry**: when the case was received; **end** (completed tasks): a day later; **project**:
  the owner's group; **tag**: the grade; **description**: the case id and its categories.

`task overdue` compares with the real clock, so every time is moved by one constant that puts
AS_OF at the moment the mirror is built, and deadlines still running at AS_OF are moved a further
RUNNING_MARGIN (which changes no answer: they are not overdue either way), so that the mirror
stays right for that long. When the real clock passes the earliest of them, one more task would
count as overdue: the mirror is then rebuilt.

Taskwarrior runs with a private TASKRC and TASKDATA in the mirror's directory (confirmation, hooks,
garbage collection and messages off), never with the user's own configuration or tasks.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

AS_OF = "2026-11-20 18:00"  # Asia/Shanghai, the synthetic books' "now" (bench.synth.build ends at 12:00)
AS_OF_UTC = datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc)
RUNNING_MARGIN = timedelta(days=30)
RC = ("confirmation=off", "hooks=off", "gc=off", "verbose=nothing")


def task_bin() -> str | None:
    return shutil.which("task")


def task_env(data: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TASK")}
    env.update(TASKRC=str(data / "taskrc"), TASKDATA=str(data))
    return env


def _stamp(t: datetime) -> str:
    return t.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(timezone.utc)


def _json(cmd: list[str], env: dict, cwd: Path):
    p = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True)
    if p.returncode != 0:
        sys.exit(f"bench: {' '.join(cmd[1:])} failed (exit {p.returncode}): "
                 f"{p.stderr.decode('utf-8', 'replace')[-300:]}")
    return json.loads(p.stdout or b"[]")


def mirror_tasks(book: Path, env: dict, exe: str, shift: timedelta) -> tuple[list[dict], dict]:
    """The Taskwarrior tasks mirroring the book, and counts describing them."""
    cases = _json([exe, "list", "--format", "json"], env, book)
    clocks = _json([exe, "overdue", "--as-of", AS_OF, "--soon", "365 days", "--format", "json"], env, book)
    late: dict[str, datetime] = {}
    running: dict[str, datetime] = {}
    for c in clocks:
        due = _when(c["due"])
        into = late if c.get("overdue") else running
        if c["case"] not in into or due < into[c["case"]]:
            into[c["case"]] = due
    tasks: list[dict] = []
    pending = overdue = 0
    first_running = None
    for c in cases:
        if c.get("void"):
            continue
        cid = c["id"]
        entry = _when(c["received"])
        is_pending = c["status"] != "closed" or cid in late
        t = {"uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"hotline-bench:{cid}")),
             "description": f"{cid} {' '.join(c.get('categories') or [])}".strip(),
             "entry": _stamp(entry + shift), "modified": _stamp(entry + shift),
             "project": (c.get("owner") or "")[:2] or "none", "tags": [c["grade"]]}
        if is_pending:
            pending += 1
            t["status"] = "pending"
            if cid in late:
                overdue += 1
                t["due"] = _stamp(min(late[cid], AS_OF_UTC - timedelta(minutes=1)) + shift)
            elif cid in running:
                due = max(running[cid], AS_OF_UTC + timedelta(minutes=1))
                first_running = due if first_running is None else min(first_running, due)
                t["due"] = _stamp(due + shift + RUNNING_MARGIN)
        else:
            t["status"] = "completed"
            end = min(entry + timedelta(days=1), AS_OF_UTC)
            t["end"] = t["modified"] = _stamp(end + shift)
        tasks.append(t)
    info = {"tasks": len(tasks), "pending": pending, "overdue": overdue,
            "hotline_clocks_overdue": sum(1 for c in clocks if c.get("overdue")),
            "valid_until": (first_running + shift + RUNNING_MARGIN).timestamp() if first_running else None}
    return tasks, info


def build(data: Path, book: Path, env: dict, exe: str, task: str) -> dict:
    if data.exists():
        shutil.rmtree(data)
    data.mkdir(parents=True)
    (data / "taskrc").write_text(f"data.location={data}\n" + "".join(f"{r}\n" for r in RC), encoding="utf-8")
    t0 = time.perf_counter()
    now = datetime.now(timezone.utc).replace(microsecond=0)
    tasks, info = mirror_tasks(book, env, exe, now - AS_OF_UTC)
    t1 = time.perf_counter()
    src = data / "import.json"
    src.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    p = subprocess.run([task, "import", str(src)], env=task_env(data), cwd=data,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if p.returncode != 0:
        sys.exit(f"bench: task import failed (exit {p.returncode}): {p.stderr.decode('utf-8', 'replace')[-300:]}")
    src.unlink()
    t2 = time.perf_counter()
    info.update(read_s=round(t1 - t0, 1), import_s=round(t2 - t1, 1), built_at=time.time(),
                task_overdue=count_overdue(data, task))
    (data / "built.json").write_text(json.dumps(info), encoding="utf-8")
    return info


def count_overdue(data: Path, task: str) -> int | None:
    p = subprocess.run([task, "+OVERDUE", "count"], env=task_env(data), cwd=data, capture_output=True, text=True)
    try:
        return int(p.stdout.strip())
    except ValueError:
        return None


def ensure(base: Path, n: int, book: Path, env: dict, exe: str, rebuild: bool) -> tuple[Path, dict] | None:
    """The mirror of book-N (built or rebuilt when needed) and its counts; None without Taskwarrior."""
    task = task_bin()
    if not task:
        return None
    data = base / f"taskwarrior-{n}"
    marker = data / "built.json"
    why = "" if marker.exists() else "new"
    if not why:
        info = json.loads(marker.read_text(encoding="utf-8"))
        if rebuild or (book / ".built").stat().st_mtime > info["built_at"]:
            why = "the book was rebuilt"
        elif info["valid_until"] is not None and time.time() >= info["valid_until"]:
            why = "a running deadline has passed since it was built"
    if why:
        t = time.perf_counter()
        info = build(data, book, env, exe, task)
        print(f"built the Taskwarrior mirror of {n} cases ({why}) in {time.perf_counter() - t:.1f} s: "
              f"{info['tasks']} tasks, {info['pending']} pending, {info['overdue']} overdue "
              f"(task counts {info['task_overdue']}); reading the book {info['read_s']} s, "
              f"task import {info['import_s']} s", file=sys.stderr)
    return data, info
