"""The command line: parse, call the library, render, map errors to exit codes.

Heavy modules are imported inside commands so `hotline --help` stays fast.
Exit codes: 0 success; 1 check found problems or a read could not finish;
2 bad usage or bad input (one line naming the value and what is allowed).
"""
from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import Callable, List, Optional

import typer

app = typer.Typer(
    name="hotline",
    help="A case register for counselling hotlines, kept as plain files in git.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
key_app = typer.Typer(help="Your personal age key (identity) for reading callers' personal data.",
                      no_args_is_help=True, rich_markup_mode=None)
app.add_typer(key_app, name="key")

_state: dict = {"book": None, "as": None, "opened": None}
READS_MANY = ("list", "overdue", "report", "score")  # read commands over many cases

STATUS_LABELS = {"open": "处理中", "referred": "已转介", "closed": "已结案"}
EVENT_LABELS = {
    "intake": "受理", "escalate": "报告主任", "followup": "跟进", "refer": "转介", "urge": "催办",
    "assign": "移交", "close": "结案", "revisit": "回访",
}


def err(message: str) -> None:
    typer.echo(f"hotline: {message}", err=True)


def handle(fn: Callable) -> Callable:
    """Turn library errors into one clear line and the SPEC exit code; never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from .errors import HotlineError

        try:
            return fn(*args, **kwargs)
        except HotlineError as e:
            err(str(e))
            raise typer.Exit(e.exit_code) from None
        except KeyboardInterrupt:
            err("interrupted; nothing was written")
            raise typer.Exit(130) from None
        except OSError as e:
            err(f"{e.strerror or e} ({e.filename})" if getattr(e, "filename", None) else str(e))
            raise typer.Exit(1) from None

    return wrapper


def open_book():
    """The book of this command (already opened, with the index's freshness check running in
    the background, when the command reads many cases)."""
    from .book import Book

    book = _state["opened"] or Book.open(_state["book"], _state["as"])
    book.store.progress = _progress("indexing cases")
    return book


def check_format(fmt: str, allowed=("table", "json", "csv")) -> str:
    from .errors import UsageError

    if fmt not in allowed:
        raise UsageError(f"--format '{fmt}' is not known; use one of: {', '.join(allowed)}")
    return fmt


def parse_at(book, at: Optional[str], option: str = "--at"):
    from .times import parse_time

    return parse_time(at, book.tz, option) if at else None


def who(book, pid: str) -> str:
    p = book.roster.person(pid)
    return f"{p.name} ({pid})" if p else pid


@app.callback()
def main_options(
    ctx: typer.Context,
    book: Optional[str] = typer.Option(None, "--book", help="The case book folder (default: $HOTLINE_BOOK, else the nearest one above)."),
    as_: Optional[str] = typer.Option(None, "--as", help="Act as this roster person (default: $HOTLINE_USER, else your git email)."),
):
    _state["book"], _state["as"], _state["opened"] = book, as_, None
    if ctx.invoked_subcommand in READS_MANY:
        # ask git what changed at once: it works on the other core while the command starts
        from .book import Book
        from .errors import HotlineError

        try:
            _state["opened"] = Book.open(book, as_)
            _state["opened"].store.prefetch()
        except HotlineError:
            _state["opened"] = None  # the command itself will say what is wrong


# ====================================================================== init & keys

@app.command()
@handle
def init(
    directory: Path = typer.Argument(..., help="Folder for the new case book (created if missing)."),
    person: Optional[str] = typer.Option(None, "--id", help="Your roster id (default: from your git email)."),
    name: Optional[str] = typer.Option(None, "--name", help="Your name for the roster (default: git user.name)."),
):
    """Create a case book: rules, example roster, templates, cases/, ledger/, your key, first commit."""
    from .setup import init_book

    res = init_book(directory, person, name)
    typer.echo(f"Created case book in {res.root}")
    typer.echo(f"  you are '{res.person}' in roster.yaml (edit it to add your groups, people and partners)")
    if res.new_identity:
        typer.echo(f"  your private key: {res.identity} (keep it safe, outside the book; never commit it)")
    else:
        typer.echo(f"  using your existing key: {res.identity}")
    typer.echo("  next: cd into it and run `hotline intake`")


@key_app.command("new")
@handle
def key_new():
    """Create your private key (identity) outside the book and print its public key."""
    from . import privacy

    path, public = privacy.new_identity()
    typer.echo(f"Created {path}")
    typer.echo("Your public key (put it as `key:` on your roster entry, then ask a key holder to run `hotline rekey`):")
    typer.echo(public)


@key_app.command("show")
@handle
def key_show():
    """Print your public key."""
    from . import privacy
    from .errors import UsageError

    ident = privacy.load_identity()
    if ident is None:
        raise UsageError(f"no identity at {privacy.identity_path()}; create one with `hotline key new`")
    typer.echo(privacy.public_key(ident))


# ====================================================================== intake

def _interactive(no_input: bool) -> bool:
    if no_input:
        return False
    return sys.stdin.isatty() or os.environ.get("HOTLINE_INTERACTIVE") == "1"


def _ask_choice(vocab, title: str, multi: bool = False, optional: bool = False) -> list[str] | str:
    """Numbered choices with Chinese labels; answers by number(s), id or label."""
    from .errors import UsageError

    keys = list(vocab.labels)
    typer.echo(f"{title}:")
    for i, k in enumerate(keys, 1):
        typer.echo(f"  {i:>2}) {vocab.labels[k]} ({k})")
    hint = " (several: 1,3)" if multi else ""
    hint += " [Enter: skip]" if optional else ""
    while True:
        answer = typer.prompt(f"{title}{hint}", default="" if optional else None, show_default=False).strip()
        if optional and not answer:
            return [] if multi else ""
        parts = [a.strip() for a in answer.replace("，", ",").replace("、", ",").split(",") if a.strip()] if multi else [answer]
        try:
            out = []
            for a in parts:
                if a.isdigit() and 1 <= int(a) <= len(keys):
                    out.append(keys[int(a) - 1])
                else:
                    out.append(vocab.resolve(a, title))
            if out:
                return out if multi else out[0]
        except UsageError as e:
            typer.echo(f"  {e}")


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
    from . import actions, privacy
    from .errors import UsageError

    book = open_book()
    book.actor()  # fail before any question if nobody is acting
    v = book.rules.vocab
    received = parse_at(book, at)
    if owner is not None:
        book.person(owner, "--owner")
    if _interactive(no_input):
        channel = channel or _ask_choice(v["channel"], "channel 渠道")
        grade = grade or _ask_choice(v["grade"], "grade 分级")
        role = role or _ask_choice(v["role"], "role 来电者身份")
        category = category or _ask_choice(v["category"], "category 问题类别", multi=True)
        need = need or _ask_choice(v["need"], "need 需求", multi=True)
        if gender is None:
            gender = _ask_choice(v["gender"], "gender 性别", optional=True) or "unknown"
        if age_group is None:
            age_group = _ask_choice(v["age_group"], "age group 年龄段", optional=True) or "unknown"
        if region is None:
            region = typer.prompt("region 地区 [Enter: skip]", default="", show_default=False)
        while not (summary or "").strip():
            summary = typer.prompt("summary 摘要 (no names or numbers)")
        if contact is None:
            contact = typer.prompt("contact 联系方式 (encrypted) [Enter: skip]", default="", show_default=False)
        if name is None:
            name = typer.prompt("name 称呼 (encrypted) [Enter: skip]", default="", show_default=False)
    missing = [opt for opt, val in (("--channel", channel), ("--grade", grade), ("--role", role),
                                    ("--category", category), ("--need", need), ("--summary", (summary or "").strip()))
               if not val]
    if missing:
        raise UsageError(f"missing intake fields: {', '.join(missing)} (give them as options, or run on a terminal without --no-input to be asked)")
    raw = actions.IntakeInput(
        channel=channel, grade=grade, role=role, categories=list(category), needs=list(need), summary=summary or "",
        gender=gender or "unknown", age_group=age_group or "unknown", region=region or "", occupation=occupation or "",
        name=name or "", contact=contact or "", address=address or "", notes=notes or "",
        owner=owner, consent_publish=consent_publish, at=received,
    )
    identity = privacy.load_identity() if (contact or "").strip() else None
    res = actions.intake(book, raw, identity)
    case = res.case
    if res.escalated_to:
        lines = [f"  {p.name} ({p.id}) {p.phone or '(no phone in roster)'}" for p in res.escalated_to]
        err("!! RED CASE 红色个案: inform the director now 立即报告主任:\n" + "\n".join(lines))
    elif case.grade in book.rules.escalate_grades:
        err("!! RED CASE 红色个案: no director in roster.yaml to inform — tell the shift leader at once")
    if quiet:
        typer.echo(case.id)
        return
    typer.echo(f"Registered {case.id}: {v['grade'].label(case.grade)}, {v['channel'].label(case.channel)}, owner {who(book, case.owner)}")
    _print_new_deadlines(book, case, case.received)
    if res.earlier_cases:
        typer.echo(f"This caller has {len(res.earlier_cases)} earlier case(s): {', '.join(res.earlier_cases)}")
    elif res.repeat_check == "no-identity":
        typer.echo("(repeat-caller check skipped: your key cannot open keys/caller-key.age — see `hotline key show`)")


def _print_new_deadlines(book, case, since) -> None:
    """Print the clocks an event just started (running ones whose start is `since`)."""
    from .calendar import CalendarError
    from .clocks import case_clocks

    try:
        started = [c for c in case_clocks(case, book.rules, book.calendar, as_of=since) if c.start == since and c.state == "running"]
    except CalendarError as e:  # the write is done; say plainly which deadline cannot be computed
        err(f"deadlines of {case.id} cannot be computed yet: {e}")
        return
    for c in started:
        typer.echo(f"  deadline {c.kind}: {c.due.astimezone(book.tz):%Y-%m-%d %H:%M} ({DEADLINE_LABELS.get(c.kind, c.kind)})")


DEADLINE_LABELS = {"close": "结案", "respond": "首次响应", "refer": "转介", "follow_up": "转介跟进", "revisit": "回访"}


# ====================================================================== events

@app.command()
@handle
def followup(
    case: str = typer.Argument(..., help="Case id (or an unambiguous prefix)."),
    note: str = typer.Option(..., "--note", help="What was done or learned."),
    revisit: bool = typer.Option(False, "--revisit", help="A revisit after closing (回访)."),
    at: Optional[str] = typer.Option(None, "--at"),
):
    """Record a follow-up (跟进), or a revisit after closing."""
    from . import actions

    book = open_book()
    res = actions.followup(book, case, note, revisit, parse_at(book, at))
    typer.echo(f"Recorded {EVENT_LABELS[res.case.events[-1].type]} on {res.case.id}")


@app.command()
@handle
def refer(
    case: str = typer.Argument(..., help="Case id (or an unambiguous prefix)."),
    to: str = typer.Option(..., "--to", help="Partner organisation id from roster.yaml."),
    note: Optional[str] = typer.Option(None, "--note"),
    form: Optional[Path] = typer.Option(None, "--form", help="Write the referral / task-assignment form to FILE."),
    include_contact: bool = typer.Option(False, "--include-contact", help="Put the caller's contact on the form — only if the caller agreed (needs your key)."),
    at: Optional[str] = typer.Option(None, "--at"),
):
    """Refer the case to a partner organisation (转介); restarts the close deadline."""
    from . import actions, privacy

    book = open_book()
    when = parse_at(book, at)
    personal = {}
    if include_contact:
        pre = book.store.get(case)
        personal = actions.reveal(book, pre, privacy.load_identity())
    res = actions.refer(book, case, to, note or "", when, contact_shared=bool(personal))
    typer.echo(f"Referred {res.case.id} to {book.roster.partner(to).name}")
    _print_new_deadlines(book, res.case, res.case.events[-1].at)
    if form:
        text = referral_form(book, res.case, personal)
        from .yamlio import atomic_write

        atomic_write(form, text)
        typer.echo(f"Referral form written to {form}")


def referral_form(book, case, personal: dict) -> str:
    from .clocks import case_clocks
    from .render import render_template

    event = case.events[-1]
    due = [c for c in case_clocks(case, book.rules, book.calendar, as_of=event.at) if c.kind == "close" and c.start == event.at]
    ctx = {
        "case": case, "event": event, "partner": book.roster.partner(event.to), "by": book.roster.person(event.by),
        "feedback_due": f"{due[0].due.astimezone(book.tz):%Y-%m-%d %H:%M}" if due else "—",
        "personal": personal, "label": book.rules.label,
    }
    return render_template(book.root, "referral.md.j2", ctx)


@app.command()
@handle
def urge(
    case: str = typer.Argument(..., help="Case id (or an unambiguous prefix)."),
    note: Optional[str] = typer.Option(None, "--note"),
    at: Optional[str] = typer.Option(None, "--at"),
):
    """Record that a leader chased the case owner (催办)."""
    from . import actions

    book = open_book()
    res = actions.urge(book, case, note or "", parse_at(book, at))
    n = res.case.urges()
    typer.echo(f"Urged {res.case.id} ({n} time{'s' if n != 1 else ''}); owner {who(book, res.case.current_owner())}")
    if n > book.rules.urge_limit and res.case.status() != "closed":
        typer.echo(f"!! urged more than {book.rules.urge_limit} times and still open: report to the committee 上报委员会")


@app.command()
@handle
def assign(
    case: str = typer.Argument(..., help="Case id (or an unambiguous prefix)."),
    to: str = typer.Option(..., "--to", help="The new owner's roster id."),
    note: Optional[str] = typer.Option(None, "--note"),
    at: Optional[str] = typer.Option(None, "--at"),
):
    """Hand the case to a new owner (移交); the registration form travels with it."""
    from . import actions

    book = open_book()
    res = actions.assign(book, case, to, note or "", parse_at(book, at))
    typer.echo(f"Assigned {res.case.id} to {who(book, to)}")


@app.command()
@handle
def close(
    case: str = typer.Argument(..., help="Case id (or an unambiguous prefix)."),
    outcome: str = typer.Option(..., "--outcome", help="resolved or unresolved."),
    reason: Optional[str] = typer.Option(None, "--reason", help="Why it could not be solved (required when unresolved)."),
    note: Optional[str] = typer.Option(None, "--note"),
    at: Optional[str] = typer.Option(None, "--at"),
):
    """Close the case (结案)."""
    from . import actions

    book = open_book()
    res = actions.close(book, case, outcome, reason or "", note or "", parse_at(book, at))
    typer.echo(f"Closed {res.case.id}: {book.rules.label('outcome', res.case.events[-1].outcome)}")
    _print_new_deadlines(book, res.case, res.case.events[-1].at)


# ====================================================================== reading

@app.command()
@handle
def show(
    case: str = typer.Argument(..., help="Case id (or an unambiguous prefix)."),
    reveal: bool = typer.Option(False, "--reveal", help="Decrypt the caller's personal data (needs your key)."),
):
    """Show a case: the registration form, its events and its deadlines."""
    from . import actions, privacy
    from .clocks import case_clocks
    from .times import now

    book = open_book()
    c = book.store.get(case)
    L = book.rules.label
    tz = book.tz
    status = c.status()
    out = [
        f"Case {c.id}   {STATUS_LABELS.get(status, status)} ({status})",
        f"  received   {c.received.astimezone(tz):%Y-%m-%d %H:%M}  {L('channel', c.channel)}",
        f"  grade      {L('grade', c.grade)}",
        f"  owner      {who(book, c.owner)}" + (f"  → now {who(book, c.current_owner())}" if c.current_owner() != c.owner else ""),
        f"  caller     {L('role', c.role)} · {L('gender', c.gender)} · {L('age_group', c.age_group)}"
        + (f" · {c.region}" if c.region else "") + (f" · {c.occupation}" if c.occupation else ""),
        f"  categories {'、'.join(L('category', x) for x in c.categories)}",
        f"  needs      {'、'.join(L('need', x) for x in c.needs)}",
        f"  publish    {'同意作为典型案例公开 (anonymised)' if c.consent_publish else '不公开'}",
        "  summary    " + c.summary.replace("\n", "\n             "),
    ]
    if c.personal is None:
        out.append("  personal   (none recorded)")
    elif reveal:
        data = actions.reveal(book, c, privacy.load_identity())
        for k, val in data.items():  # name, contact, address, notes
            out.append(f"  {k:<10} " + str(val).replace("\n", "\n             "))
    else:
        out.append(f"  personal   encrypted for {c.personal.recipients} recipient(s) — `hotline show {c.id} --reveal` to read")
    out.append("events:")
    for e in c.events:
        extra = ""
        if e.type == "refer":
            p = book.roster.partner(e.to)
            extra = f" → {p.name if p else e.to}"
        elif e.type == "assign":
            extra = f" → {who(book, e.to)}"
        elif e.type == "escalate":
            extra = " → " + ", ".join(who(book, x) for x in (e.to or []))
        elif e.type == "close":
            extra = f" [{L('outcome', e.outcome or '')}]" + (f" 原因: {e.reason}" if e.reason else "")
        note = f"  {e.note}" if e.note else ""
        out.append(f"  {e.at.astimezone(tz):%Y-%m-%d %H:%M}  {EVENT_LABELS.get(e.type, e.type)}({e.type}) by {who(book, e.by)}{extra}{note}")
    from .calendar import CalendarError

    try:
        clocks = case_clocks(c, book.rules, book.calendar, as_of=max(now(tz), c.events[-1].at))
    except CalendarError as e:
        clocks = []
        out.append(f"deadlines: cannot be computed: {e}")
    if clocks:
        out.append("deadlines:")
        for k in clocks:
            state = {"running": "running 进行中", "met": "met 按时", "overdue": "OVERDUE 已超时", "late": "late 超时完成"}.get(k.state, k.state)
            out.append(f"  {DEADLINE_LABELS.get(k.kind, k.kind)}({k.kind})  due {k.due.astimezone(tz):%Y-%m-%d %H:%M}  {state}")
    if c.urges() and status != "closed":
        flag = "  !! report to the committee 上报委员会" if c.urges() > book.rules.urge_limit else ""
        out.append(f"urged {c.urges()} time(s){flag}")
    typer.echo("\n".join(out))


def _report_problems(book, problems) -> None:
    from .check import Problem, _rel

    for p in problems:
        err(str(Problem(_rel(book, p.error.path or p.path), p.error.line, p.error.message)))


@app.command("list")
@handle
def list_cases(
    status: Optional[str] = typer.Option(None, "--status", help="open, referred or closed."),
    month: Optional[str] = typer.Option(None, "--month", help="Cases received in YYYY-MM."),
    owner: Optional[str] = typer.Option(None, "--owner", help="Cases currently owned by this person."),
    fmt: str = typer.Option("table", "--format", help="table, json or csv."),
):
    """List cases (no personal data)."""
    from .errors import UsageError
    from .model import STATUSES
    from .render import rows_out
    from .times import parse_month

    check_format(fmt)
    if status is not None and status not in STATUSES:
        raise UsageError(f"--status '{status}' is not known; use one of: {', '.join(STATUSES)}")
    ym = parse_month(month) if month else None
    book = open_book()
    if owner is not None:
        book.person(owner, "--owner")
    roster = book.roster  # validated even when no filter needs it: a broken roster is reported
    problems: list = []
    where, params = ["1"], []
    if status:
        where.append("status = ?")
        params.append(status)
    if owner:
        where.append("owner = ?")
        params.append(owner)
    if ym:
        from .bulletin import month_bounds
        from .index import _utc

        start, end = month_bounds(book.calendar, *ym)
        where.append("received >= ? AND received <= ?")
        params += [_utc(start), _utc(end)]
    cases = book.store.query(" AND ".join(where), params, problems)
    _report_problems(book, problems)
    L = book.rules.label
    rows = []
    for c in cases:
        st = c.status()
        local = c.received.astimezone(book.tz)
        if status and st != status or ym and (local.year, local.month) != ym or owner and c.current_owner() != owner:
            continue
        rows.append({
            "id": c.id, "received": local, "status": st, "grade": c.grade, "owner": c.current_owner(),
            "channel": c.channel, "categories": list(c.categories),
        })
    if fmt == "table":
        for r in rows:
            r["grade"] = L("grade", r["grade"]).split("·")[0]
            r["status"] = STATUS_LABELS[r["status"]]
            r["channel"] = L("channel", r["channel"])
            p = roster.person(r["owner"])
            r["owner"] = p.name if p else r["owner"]
            r["categories"] = "、".join(L("category", x) for x in r["categories"])
    cols = [("id", "id"), ("received", "received 受理"), ("status", "status 状态"), ("grade", "grade 分级"),
            ("owner", "owner 负责人"), ("channel", "channel 渠道"), ("categories", "categories 类别")]
    typer.echo(rows_out(rows, fmt, cols))


@app.command()
@handle
def history(case: str = typer.Argument(..., help="Case id (or an unambiguous prefix).")):
    """The case's audit trail, from git."""
    from . import git

    book = open_book()
    path = book.store.resolve(case)
    commits = git.history(book.git_root, path)
    if not commits:
        typer.echo(f"{path.stem}: no commits yet (the file is not committed)")
        return
    for cm in reversed(commits):
        typer.echo(f"{cm.time}  {cm.author} <{cm.email}>  {cm.message}  [{cm.id[:8]}]")


@app.command()
@handle
def check(fmt: str = typer.Option("text", "--format", help="text or json.")):
    """Validate every file of the book: path:line: message per problem; exit 1 if any."""
    from .check import check_book
    from .render import to_json

    check_format(fmt, ("text", "json"))
    book = open_book()
    problems = check_book(book, progress=_progress("checking") if fmt == "text" else None)
    if fmt == "json":
        typer.echo(to_json([{"path": p.path, "line": p.line, "message": p.message} for p in problems]))
    else:
        for p in problems:
            typer.echo(str(p))
    if problems:
        raise typer.Exit(1)


def _progress(label: str):
    """A progress callback that draws on a terminal's stderr and stays quiet when piped."""
    if not sys.stderr.isatty():
        return None
    state = {"last": -1}

    def tick(n: int, total: int) -> None:
        pct = n * 100 // max(total, 1)
        if pct != state["last"] and total > 200:
            state["last"] = pct
            sys.stderr.write(f"\r{label} {n}/{total} ({pct}%)")
            if n == total:
                sys.stderr.write("\r" + " " * 40 + "\r")
            sys.stderr.flush()

    return tick


@app.command()
@handle
def rekey():
    """Re-encrypt every case's personal data to the current staff keys (one commit)."""
    from .setup import rekey_book

    book = open_book()
    res = rekey_book(book, progress=_progress("re-encrypting"))
    if res.files:
        typer.echo(f"Re-encrypted {res.cases} case(s) to {res.recipients} recipient(s) in one commit.")
        typer.echo("Note: old commits stay readable to the keys they were encrypted to; rekey cannot undo that.")
    else:
        typer.echo(f"Nothing to re-encrypt; {res.recipients} recipient(s) in roster.yaml.")


from . import cli_deadlines  # noqa: E402,F401  (registers overdue)
from . import cli_points  # noqa: E402,F401  (registers award, penalize, score)
from . import cli_report  # noqa: E402,F401  (registers report)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
