"""Synthetic case books for the benchmark: realistic spread over years, grades,
categories, owners, referrals, closures, revisits and encrypted personal data.

Files are written with hotline's own serialiser (store.dump_case) and committed in one
commit, so the book looks like years of real work to every command.
"""
from __future__ import annotations

import os
import random
import subprocess
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hotline.trust import privacy
from hotline.domain.model import Case, Event, Personal
from hotline.storage import casefile as store
from hotline.storage import ids
from hotline.storage.config import default_rules_text as default_text
from hotline.storage.config import parse_rules

TZ = ZoneInfo("Asia/Shanghai")
GROUPS = ["g1", "g2", "g3", "g4"]


def roster_text(key: str) -> str:
    lines = ["groups:"]
    for i, g in enumerate(GROUPS, 1):
        lines += [f"  - id: {g}", f"    name: {'一二三四'[i - 1]}组"]
    lines.append("people:")
    lines += ["  - id: boss", "    name: 主任", "    roles: [director]", '    phone: "13900000000"', f"    key: {key}"]
    for g in GROUPS:
        for j in range(10):
            pid = f"{g}p{j}"
            role = "leader" if j == 0 else "volunteer"
            lines += [f"  - id: {pid}", f"    name: 志愿者{g}{j}", f"    group: {g}", f"    roles: [{role}]"]
    lines += ["partners:", "  - id: legal-aid", "    name: 市法律援助中心", "  - id: hospital", "    name: 市医院心理科",
              "  - id: womens-federation", "    name: 市妇联"]
    return "\n".join(lines) + "\n"


def build(root: Path, n: int, end: datetime | None = None, seed: int = 1, personal_share: float = 0.3) -> Path:
    """Make a book of n cases at root, received over the years before `end`, in one commit."""
    from hotline.writes.setup import init_book

    rng = random.Random(seed)
    end = end or datetime(2026, 11, 20, 12, 0, tzinfo=TZ)
    ident_path = root.parent / f"{root.name}-identity.txt"
    os.environ["HOTLINE_IDENTITY"] = str(ident_path)
    init_book(root, "boss", "主任")
    ident = privacy.load_identity()
    key = privacy.public_key(ident)
    (root / "roster.yaml").write_text(roster_text(key), encoding="utf-8")
    rules = parse_rules(default_text(), Path("rules.yaml"))
    cats = list(rules.vocab["category"].labels)
    people = [f"{g}p{j}" for g in GROUPS for j in range(10)]
    span_days = max(30, n // 27)  # ~27 contacts a day: a busy city line
    start = end - timedelta(days=span_days)
    caller_key = bytes(32)
    # encrypting is the slow part of building: reuse a few armored blocks (content is never read)
    armors = [privacy.encrypt_personal({"name": f"来电者{i}", "contact": f"1380000{i:04d}"}, [key]) for i in range(50)]
    used: set[str] = set()
    times = sorted(start + timedelta(seconds=rng.randrange(int((end - start).total_seconds()))) for _ in range(n))
    for received in times:
        received = received.replace(microsecond=0)
        cid = ids.new_id(received, rng.randrange(1024))
        while cid in used:
            cid = ids.new_id(received, rng.randrange(1024))
        used.add(cid)
        grade = rng.choices(["green", "red", "gray"], [70, 10, 20])[0]
        owner = rng.choice(people)
        evs = [Event("intake", received, owner)]
        if grade == "red":
            evs.append(Event("escalate", received, owner, to=["boss"], note="红色个案，已报告主任"))
        age = (end - received).days
        t = received
        recent = age < 20
        if grade == "green":
            if not (recent and rng.random() < 0.3):
                t += timedelta(hours=rng.uniform(0.2, 30))
                evs.append(Event("close", t, owner, outcome="resolved", note="已解答"))
        else:
            t += timedelta(minutes=rng.uniform(5, 120))
            evs.append(Event("followup", t, owner, note="已回电了解情况"))
            if grade == "gray" or rng.random() < 0.5:
                t += timedelta(days=rng.uniform(0.5, 4))
                evs.append(Event("refer", t, owner, to=rng.choice(["legal-aid", "hospital", "womens-federation"]),
                                 note="转介"))
                t += timedelta(days=rng.uniform(1, 9))
                evs.append(Event("followup", t, owner, note="机构已反馈"))
            if rng.random() < 0.1:
                t += timedelta(days=1)
                evs.append(Event("urge", t, f"{owner[:2]}p0", note="请尽快反馈"))
            if not (recent and rng.random() < 0.5) and rng.random() < 0.97:
                t += timedelta(days=rng.uniform(0.5, 8))
                outcome = "resolved" if rng.random() < 0.85 else "unresolved"
                evs.append(Event("close", t, owner, outcome=outcome, reason="来电者失联" if outcome == "unresolved" else None))
                if rng.random() < 0.97:  # the overdue list makes leaders chase the few forgotten revisits
                    t += timedelta(days=rng.uniform(20, 40))
                    evs.append(Event("revisit", t, owner, note="回访，情况稳定"))
        evs = [e for e in evs if e.at <= end]
        personal = None
        if rng.random() < personal_share:
            contact = f"1380000{rng.randrange(20000):05d}"
            personal = Personal(rng.choice(armors), 1, privacy.caller_tag(contact, caller_key))
        c = Case(id=cid, received=received.astimezone(TZ), channel=rng.choice(list(rules.vocab["channel"].labels)),
                 grade=grade, owner=owner, role=rng.choice(list(rules.vocab["role"].labels)),
                 gender=rng.choice(["female", "female", "male", "unknown"]),
                 age_group=rng.choice(list(rules.vocab["age_group"].labels)),
                 region=rng.choice(["商丘", "东莞", "惠州", "清远", "福建", ""]), occupation="",
                 categories=rng.sample(cats, rng.choice([1, 1, 2])), needs=[rng.choice(list(rules.vocab["need"].labels))],
                 summary="来电者咨询相关问题，值班员给予解答和情绪支持。", consent_publish=rng.random() < 0.05,
                 personal=personal, events=evs)
        path = root / "cases" / f"{c.received:%Y}" / f"{c.received:%m}" / f"{cid}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(store.dump_case(c), encoding="utf-8")
    env = dict(os.environ, GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@example.invalid",
               GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@example.invalid")
    subprocess.run(["git", "add", "-A"], cwd=root, check=True, env=env)
    subprocess.run(["git", "commit", "-q", "-m", f"synthetic book: {n} cases"], cwd=root, check=True, env=env)
    return root
