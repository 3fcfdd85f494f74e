"""Reading cases: `show`, `list`, `history`."""
from __future__ import annotations

from typing import Optional

import typer

from ..i18n import N_, _
from .app import command
from .common import check_format, handle, open_book, out, report_problems

SHOW_STATES = {"running": "running 进行中", "met": "met 按时", "overdue": "OVERDUE 已超时", "late": "late 超时完成"}


def _name(p: dict) -> str:
    return f"{p['name']} ({p['id']})" if p["name"] is not None else p["id"]


def _indented(text: str) -> str:
    return text.replace("\n", "\n             ")


def _event_line(e: dict) -> str:
    extra = ""
    if e["type"] == "refer":
        extra = f" → {e['to']['name']}"
    elif e["type"] == "assign":
        extra = f" → {_name(e['to'])}"
    elif e["type"] == "escalate":
        extra = " → " + ", ".join(_name(x) for x in e["to"])
    elif e["type"] == "close":
        extra = f" [{e['outcome_label']}]" + (f" 原因: {e['reason']}" if e["reason"] else "")
    elif e["type"] == "void":
        extra = f" 原因: {e['reason']}"
    elif e["type"] == "amend":
        extra = " [" + ", ".join(e["fields"]) + "]"
    if e.get("reported_police"):
        extra += " [" + _("reported to the police") + "]"
    note = f"  {e['note']}" if e["note"] else ""
    return f"  {e['at']:%Y-%m-%d %H:%M}  {e['type_label']}({e['type']}) by {_name(e['by'])}{extra}{note}"


def card_text(card: dict, personal: dict | None) -> str:
    """The text layout of a case card (domain.casecard.case_card)."""
    c, caller = card, card["caller"]
    moved = f"  → now {_name(c['current_owner'])}" if c["current_owner"]["id"] != c["owner"]["id"] else ""
    lines = [
        f"Case {c['id']}   {c['status_label']} ({c['status']})"
        + (f"   !! {c['void_label']} (void): {c['void']}" if c["void"] is not None else ""),
        f"  received   {c['received']:%Y-%m-%d %H:%M}  {c['channel_label']}",
        f"  grade      {c['grade_label']}" + (f"  · {_('crisis level')} {c['risk_label']}" if c.get("risk_label") else ""),
        f"  owner      {_name(c['owner'])}{moved}",
        f"  caller     {caller['role_label']} · {caller['gender_label']} · {caller['age_group_label']}"
        + (f" · {caller['region']}" if caller["region"] else "") + (f" · {caller['occupation']}" if caller["occupation"] else ""),
        f"  categories {'、'.join(x['label'] for x in c['categories'])}",
        f"  needs      {'、'.join(x['label'] for x in c['needs'])}",
        f"  publish    {'同意作为典型案例公开 (anonymised)' if c['consent_publish'] else '不公开'}",
        "  summary    " + _indented(c["summary"]),
    ]
    if c["response"]:
        lines.append("  response   " + _indented(c["response"]))
    if c["personal"] is None:
        lines.append("  personal   (none recorded)")
    elif personal is not None:
        lines += [f"  {k:<10} " + _indented(str(val)) for k, val in personal.items()]  # name, contact, address, notes
    else:
        lines.append(f"  personal   encrypted for {c['personal']['recipients']} recipient(s) — `hotline show {c['id']} --reveal` to read")
    lines.append("events:")
    lines += [_event_line(e) for e in c["events"]]
    if c["deadline_error"]:
        lines.append(f"deadlines: cannot be computed: {c['deadline_error']}")
    if c["deadlines"]:
        lines.append("deadlines:")
        lines += [f"  {k['kind_label']}({k['kind']})  due {k['due']:%Y-%m-%d %H:%M}{' 暂定' if k['provisional'] else ''}"
                f"  {SHOW_STATES.get(k['state'], k['state'])}" for k in c["deadlines"]]
    if c["provisional_years"]:
        lines.append("  " + _("暂定: provisional — the working days of {years} are computed from the statutory public "
                            "holidays, without make-up working days (调休), until the State Council's notice is "
                            "added to rules.yaml.").format(years=", ".join(str(y) for y in c["provisional_years"])))
    if c["urges"]:
        flag = "  !! report to the committee 上报委员会" if c["committee"] else ""
        lines.append(f"urged {c['urges']} time(s){flag}")
    return "\n".join(lines)


@command(help=N_('Show a case: the registration form, its events and its deadlines.'))
@handle
def show(
    case: str = typer.Argument(..., help="Case id (or an unambiguous prefix)."),
    reveal: bool = typer.Option(False, "--reveal", help="Decrypt the caller's personal data (needs your key)."),
    fmt: str = typer.Option("text", "--format", help=N_("text or json.")),
):
    from .. import actions, privacy
    from ..domain.casecard import case_card

    check_format(fmt, ("text", "json"))
    book = open_book()
    c = book.store.get(case)
    personal = actions.reveal(book, c, privacy.load_identity()) if (reveal and c.personal is not None) else None
    card = case_card(c, book.rules, book.calendar, book.roster, book.now)
    if fmt == "json":
        from ..render.tables import to_json

        out(to_json({**card, "personal_data": personal} if reveal else card))
        return
    out(card_text(card, personal))


@command("list", help=N_('List cases (no personal data).'))
@handle
def list_cases(
    status: Optional[str] = typer.Option(None, "--status", help="open, referred or closed."),
    month: Optional[str] = typer.Option(None, "--month", help="Cases received in YYYY-MM."),
    owner: Optional[str] = typer.Option(None, "--owner", help="Cases currently owned by this person."),
    include_void: bool = typer.Option(False, "--include-void", help="Also the cases withdrawn as entered by mistake."),
    fmt: str = typer.Option("table", "--format", help="table, json or csv."),
):
    from .. import queries
    from ..domain import labels
    from ..domain.dates import parse_month
    from ..render.tables import rows_out

    check_format(fmt)
    ym = parse_month(month) if month is not None else None
    book = open_book()
    problems: list = []
    rows = queries.list_cases(book, status, ym, owner, problems, include_void)
    report_problems(book, problems)
    if fmt == "table":
        L = book.rules.label
        for r in rows:
            r["grade"] = L("grade", r["grade"]).split("·")[0]
            r["status"] = labels.status(r["status"]) + (" · " + labels.event("void") if r["void"] else "")
            r["channel"] = L("channel", r["channel"])
            p = book.roster.person(r["owner"])
            r["owner"] = p.name if p else r["owner"]
            r["categories"] = "、".join(L("category", x) for x in r["categories"])
    cols = [("id", "id"), ("received", "received 受理"), ("status", "status 状态"), ("grade", "grade 分级"),
            ("owner", "owner 负责人"), ("channel", "channel 渠道"), ("categories", "categories 类别")]
    out(rows_out(rows, fmt, cols))


@command(help=N_("The case's audit trail, from git."))
@handle
def history(case: str = typer.Argument(..., help="Case id (or an unambiguous prefix).")):
    from ..storage import git

    book = open_book()
    path = book.store.resolve(case)
    commits = git.history(book.git_root, path)
    if not commits:
        out(f"{path.stem}: no commits yet (the file is not committed)")
        return
    for cm in reversed(commits):
        out(f"{cm.time}  {cm.author} <{cm.email}>  {cm.message}  [{cm.id[:8]}]")
