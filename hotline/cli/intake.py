"""`hotline intake`: register a new case, asking on a terminal for what is missing."""
from __future__ import annotations

import os
import sys
from typing import List, Optional

import typer

from .app import app
from .common import err, handle, notice, open_book, out, parse_at, print_new_deadlines, who


def _interactive(no_input: bool) -> bool:
    if no_input:
        return False
    return sys.stdin.isatty() or os.environ.get("HOTLINE_INTERACTIVE") == "1"


def _ask_choice(vocab, title: str, multi: bool = False, optional: bool = False) -> list[str] | str:
    """Numbered choices with Chinese labels; answers by number(s), id or label."""
    from ..errors import UsageError

    keys = list(vocab.labels)
    out(f"{title}:")
    for i, k in enumerate(keys, 1):
        out(f"  {i:>2}) {vocab.labels[k]} ({k})")
    hint = " (several: 1,3)" if multi else ""
    hint += " [Enter: skip]" if optional else ""
    while True:
        answer = typer.prompt(f"{title}{hint}", default="" if optional else None, show_default=False).strip()
        if optional and not answer:
            return [] if multi else ""
        parts = [a.strip() for a in answer.replace("，", ",").replace("、", ",").split(",") if a.strip()] if multi else [answer]
        try:
            lines = []
            for a in parts:
                if a.isdigit() and 1 <= int(a) <= len(keys):
                    lines.append(keys[int(a) - 1])
                else:
                    lines.append(vocab.resolve(a, title))
            if lines:
                return lines if multi else lines[0]
        except UsageError as e:
            out(f"  {e}")


def _ask_missing(v, raw) -> None:
    """Ask for every field of `raw` (an IntakeInput) not given as an option."""
    raw.channel = raw.channel or _ask_choice(v["channel"], "channel 渠道")
    raw.grade = raw.grade or _ask_choice(v["grade"], "grade 分级")
    raw.role = raw.role or _ask_choice(v["role"], "role 来电者身份")
    raw.categories = raw.categories or _ask_choice(v["category"], "category 问题类别", multi=True)
    raw.needs = raw.needs or _ask_choice(v["need"], "need 需求", multi=True)
    if raw.gender is None:
        raw.gender = _ask_choice(v["gender"], "gender 性别", optional=True) or "unknown"
    if raw.age_group is None:
        raw.age_group = _ask_choice(v["age_group"], "age group 年龄段", optional=True) or "unknown"
    if raw.region is None:
        raw.region = typer.prompt("region 地区 [Enter: skip]", default="", show_default=False)
    while not (raw.summary or "").strip():
        raw.summary = typer.prompt("summary 摘要 (no names or numbers)")
    if raw.contact is None:
        raw.contact = typer.prompt("contact 联系方式 (encrypted) [Enter: skip]", default="", show_default=False)
    if raw.name is None:
        raw.name = typer.prompt("name 称呼 (encrypted) [Enter: skip]", default="", show_default=False)


def _report(book, res, quiet: bool) -> None:
    case = res.case
    v = book.rules.vocab
    if res.escalated_to:
        lines = [f"  {p.name} ({p.id}) {p.phone or '(no phone in roster)'}" for p in res.escalated_to]
        notice("hotline: !! RED CASE 红色个案: inform the director now 立即报告主任:\n" + "\n".join(lines))
    elif case.grade in book.rules.escalate_grades:
        err("!! RED CASE 红色个案: no director in roster.yaml to inform — tell the shift leader at once")
    if res.repeat_check == "lost":
        from ..privacy import LOST_KEY

        err(LOST_KEY)
    if quiet:
        out(case.id)
        return
    out(f"Registered {case.id}: {v['grade'].label(case.grade)}, {v['channel'].label(case.channel)}, owner {who(book, case.owner)}")
    print_new_deadlines(book, case, case.received)
    if res.earlier_cases:
        out(f"This caller has {len(res.earlier_cases)} earlier case(s): {', '.join(res.earlier_cases)}")
    elif res.repeat_check == "no-identity":
        out("(repeat-caller check skipped: your key cannot open keys/caller-key.age — see `hotline key show`)")


@app.command()
@handle
def intake(
    channel: Optional[str] = typer.Option(None, "--channel", help="phone, wechat, qq, web, email, sms, letter, visit (or 电话…)."),
    grade: Optional[str] = typer.Option(None, "--grade", help="green, red, gray (or 绿色…)."),
    role: Optional[str] = typer.Option(None, "--role", help="Caller role: survivor, party, bystander, perpetrator, relative, other."),
    category: List[str] = typer.Option([], "--category", help="Problem category (repeat for several)."),
    need: List[str] = typer.Option([], "--need", help="Need: emotional_support, help, consultation, legal, crisis (repeatable)."),
    summary: Optional[str] = typer.Option(None, "--summary", help="What the caller asked (no names or numbers here)."),
    name: Optional[str] = typer.Option(None, "--name", help="Caller's name (encrypted)."),
    contact: Optional[str] = typer.Option(None, "--contact", help="Caller's phone/WeChat/email (encrypted)."),
    address: Optional[str] = typer.Option(None, "--address", help="Caller's address (encrypted)."),
    notes: Optional[str] = typer.Option(None, "--notes", help="Identifying notes (encrypted)."),
    region: Optional[str] = typer.Option(None, "--region", help="Region, for statistics (e.g. 东莞)."),
    occupation: Optional[str] = typer.Option(None, "--occupation", help="Occupation, for statistics (e.g. 制衣厂员工)."),
    gender: Optional[str] = typer.Option(None, "--gender", help="female, male, other, unknown."),
    age_group: Optional[str] = typer.Option(None, "--age-group", help="child, teen, youth, adult, senior, unknown."),
    owner: Optional[str] = typer.Option(None, "--owner", help="First-responsible person (default: you)."),
    consent_publish: bool = typer.Option(False, "--consent-publish", help="The caller agrees to publication as an anonymised typical case."),
    at: Optional[str] = typer.Option(None, "--at", help="When the contact came in (default: now)."),
    no_input: bool = typer.Option(False, "--no-input", help="Never prompt; missing fields are an error."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="Print only the new case id."),
):
    """Register a new case (登记) — prompts for what is missing on a terminal."""
    from .. import actions, privacy
    from ..domain.cases import IntakeInput
    from ..errors import UsageError

    book = open_book()
    book.actor()  # fail before any question if nobody is acting
    received = parse_at(book, at)
    if owner is not None:
        book.person(owner, "--owner", active=True)
    raw = IntakeInput(channel=channel, grade=grade, role=role, categories=list(category), needs=list(need),
                      summary=summary, gender=gender, age_group=age_group, region=region, occupation=occupation,
                      name=name, contact=contact, address=address, notes=notes, owner=owner,
                      consent_publish=consent_publish, at=received)
    if _interactive(no_input):
        _ask_missing(book.rules.vocab, raw)
    missing = raw.missing()
    if missing:
        raise UsageError(f"missing intake fields: {', '.join(missing)} (give them as options, or run on a terminal without --no-input to be asked)")
    for key in ("summary", "region", "occupation", "name", "contact", "address", "notes"):
        setattr(raw, key, getattr(raw, key) or "")
    raw.gender, raw.age_group = raw.gender or "unknown", raw.age_group or "unknown"
    identity = privacy.load_identity() if (raw.contact or "").strip() else None
    _report(book, actions.intake(book, raw, identity), quiet)
