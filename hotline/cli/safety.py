"""Safety at the phone: what intake says at once (a high crisis level: whom to call now and the
emergency numbers; a caller's repeated threats; a mandatory report to the police), and
`hotline caller`, the caller's file."""

from typing import Optional

import typer

from ..i18n import N_, _
from .app import command
from .common import check_format, handle, notice, open_book, out


def _phone(p) -> str:
    return p.phone or _("(no phone in roster)")


def high_risk_notice(book, res) -> None:
    """A high crisis level: the director(s) and the duty leader to call now, with their phones,
    and the emergency numbers to link the caller with."""
    a = res.alerts
    contact = (a.duty or {}).get("contact") or {}
    group = ((a.duty or {}).get("group") or {}).get("name") or ""
    lines = [_("hotline: !! HIGH RISK 高危 — crisis level {level}: call now 立即联系:").format(
        level=book.rules.label("risk", res.case.risk))]
    for p in a.people:
        role = _("duty leader, {group}").format(group=group) if p.id == contact.get("id") else _("director")
        lines.append(f"  {p.name} ({p.id}) {role} {_phone(p)}")
    if a.duty_problem:
        lines.append("  " + _("(the duty rota cannot be read: {why})").format(why=a.duty_problem))
    elif not contact:
        lines.append("  " + (_("(the group on duty, {group}, has no active leader in roster.yaml)").format(group=group)
                             if group else _("(no group on duty: roster.yaml has no groups)")))
    if a.emergency:
        lines.append("  " + _("emergency 紧急: {numbers}").format(
            numbers=" · ".join(f"{n} {label}" for n, label in a.emergency.items())))
    notice("\n".join(lines))


def police_notice(book, res) -> None:
    """Repeated threats from this caller, a mandatory report, a red case not assessed."""
    from ..domain import safety
    from ..domain.calendar import CalendarError
    from ..domain.clocks import started_at

    case, a = res.case, res.alerts
    if a is not None and a.threat_to:
        ids = ", ".join([*a.threat_cases, case.id])
        who = ", ".join(f"{p.name} ({p.id}) {_phone(p)}" for p in a.threat_to)
        notice(_("hotline: !! REPEATED THREATS 多次威胁 from this caller ({cases}): report to the secretary "
                 "{who} and the police 公安").format(cases=ids, who=who))
    try:
        mandatory = [c for c in started_at(case, book.rules, book.calendar, case.received) if c.kind == "mandatory_report"]
    except CalendarError:  # named with the deadlines
        mandatory = []
    for c in mandatory:
        notice(_("hotline: !! MANDATORY REPORT 强制报告: report to the police by {due}, then record it: "
                 "hotline followup {case} --reported-police --note TEXT").format(
            due=f"{c.due.astimezone(book.tz):%Y-%m-%d %H:%M}", case=case.id))
    if safety.asks_risk(book.rules, case.grade) and case.risk is None:
        notice(_("hotline: crisis level not assessed (未评估); when known: hotline amend {case} --risk LEVEL").format(
            case=case.id))


@command(help=N_("The caller's file (来电者档案): every case of the same caller, oldest first, no personal data."))
@handle
def caller(
    ctx: typer.Context,
    case: Optional[str] = typer.Argument(None, metavar=N_("CASE"),
                                         help=N_("A case of the caller (id or an unambiguous prefix).")),
    contact: Optional[str] = typer.Option(None, "--contact", metavar=N_("NUMBER"),
                                          help=N_("Find the caller by a phone number or account (needs your key).")),
    fmt: str = typer.Option("table", "--format", metavar=N_("FORMAT"), help=N_("table or json.")),
):
    from ..reads import callers
    from ..trust import privacy
    from ..domain import labels
    from ..errors import UsageError
    from ..render.tables import rows_out, to_json

    check_format(fmt, ("table", "json"))
    if (case is None) == (contact is None):
        raise UsageError(_("give a CASE, or --contact NUMBER"))
    book = open_book(ctx)
    if case is not None:
        data = callers.file_of_case(book, case)
    else:
        data = callers.file_of_contact(book, contact, privacy.load_identity())
    if fmt == "json":
        out(to_json(data))
        return
    L = book.rules.label
    rows = [{"id": c["id"], "received": c["received"], "grade": L("grade", c["grade"]).split("·")[0],
             "status": labels.status(c["status"]), "risk": L("risk", c["risk"]) if c["risk"] else "",
             "categories": "、".join(L("category", x) for x in c["categories"])} for c in data["cases"]]
    cols = [("id", _("case")), ("received", _("received")), ("grade", _("grade")), ("status", _("status")),
            ("risk", _("crisis level")), ("categories", _("categories"))]
    out(rows_out(rows, "table", cols) if rows else _("No case of this caller."))
    out(_("{n} case(s), {threats} threat(s).").format(n=len(rows), threats=data["threats"]))
    if data["flagged"]:
        out(_("!! repeated threats: report to the secretary and the police (报告行政秘书并联系公安)")
            + (" — " + _("reported") if data["reported_police"] else ""))
