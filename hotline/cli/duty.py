"""The people of the line: `duty` (值班, the rota), `leave` (请假), `roster` (people and their
trial periods, 试用期)."""

from pathlib import Path
from typing import Optional

import typer

from ..i18n import N_, _
from .app import command
from .common import FORMAT_HELP, OUTPUT, check_format, columns, handle, open_book, out, parse_at, write_out

WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))
DUTY_CSV = [("at", N_("time")), ("date", N_("date")), ("week", N_("week")), ("group", N_("group id")),
            ("group_name", N_("group")), ("swapped", N_("swapped week")), ("leader", N_("leader id")),
            ("leader_name", N_("leader")), ("leader_phone", N_("leader's phone")), ("deputies", N_("deputies")),
            ("contact", N_("whom to call")), ("service_hours", N_("service hours")), ("in_service", N_("in service")),
            ("on_leave", N_("on leave"))]
LEAVE_TABLE = [("id", N_("leave id")), ("person_name", N_("person")), ("from", N_("from")), ("to", N_("to")),
               ("requested", N_("requested")), ("late", N_("requested late")), ("reason", N_("reason"))]
LEAVE_CSV = [("id", N_("leave id")), ("person", N_("person id")), ("person_name", N_("person")), ("from", N_("from")),
             ("to", N_("to")), ("requested", N_("requested")), ("late", N_("requested late")), ("reason", N_("reason")),
             ("by", N_("recorded by"))]
ROSTER_TABLE = [("id", N_("id")), ("name", N_("name")), ("group", N_("group")), ("roles", N_("roles")),
                ("active", N_("active")), ("joined", N_("joined")), ("trial_until", N_("trial until")),
                ("trial", N_("trial"))]
ROSTER_CSV = ROSTER_TABLE + [("in_trial", N_("in trial")), ("decision_due", N_("decision due"))]


def _who(p: dict | None) -> str:
    if not p:
        return "—"
    return f"{p['name']} ({p['id']})" + (f" {p['phone']}" if p.get("phone") else "")


def _names(book, ids: list[str]) -> str:
    return ", ".join(book.roster.person(i).name if book.roster.person(i) else i for i in ids) or "—"


def _flat(d: dict) -> dict:
    """A duty day as one CSV row."""
    g, lead = d["group"] or {}, d["leader"] or {}
    return {"at": d["at"], "date": d["date"], "week": d["week"], "group": g.get("id"), "group_name": g.get("name"),
            "swapped": d["swapped"], "leader": lead.get("id"), "leader_name": lead.get("name"),
            "leader_phone": lead.get("phone"), "deputies": [p["id"] for p in d["deputies"]],
            "contact": (d["contact"] or {}).get("id"), "service_hours": d["service_hours"],
            "in_service": d["in_service"], "on_leave": d["on_leave"]}


def _moment_text(book, d: dict) -> str:
    g = d["group"]
    lines = [_("On duty {at} ({week}): {group}").format(
        at=f"{d['at']:%Y-%m-%d %H:%M}", week=d["week"],
        group=f"{g['name']} ({g['id']})" + (" " + _("(swapped week)") if d["swapped"] else "") if g else "—")]
    lines.append("  " + _("leader") + ":   " + _who(d["leader"]))
    lines.append("  " + _("deputies") + ": " + (", ".join(_who(p) for p in d["deputies"]) or "—"))
    if d["contact"] and d["leader"] and d["contact"]["id"] != d["leader"]["id"]:
        lines.append("  " + _("call") + ":     " + _who(d["contact"]) + " " + _("(the leader is on leave)"))
    hours = ", ".join(d["service_hours"]) or _("no service today")
    state = _("in service now") if d["in_service"] else _("not in service now")
    lines.append("  " + _("service hours") + ": " + f"{hours} — {state}")
    lines.append("  " + _("on leave") + ": " + _names(book, d["on_leave"]))
    return "\n".join(lines)


def _days_table(book, days: list[dict]) -> str:
    from ..render.tables import rows_out

    rows = [{"date": f"{d['date']:%Y-%m-%d} {_(WEEKDAYS[d['date'].weekday()])}", "week": d["week"],
             "group": (d["group"] or {}).get("name", "—") + (" *" if d["swapped"] else ""),
             "leader": _who(d["leader"]), "hours": ", ".join(d["service_hours"]) or "—",
             "leave": _names(book, d["on_leave"])} for d in days]
    cols = [("date", _("date")), ("week", _("week")), ("group", _("group on duty")), ("leader", _("leader")),
            ("hours", _("service hours")), ("leave", _("on leave"))]
    text = rows_out(rows, "table", cols)
    if any(d["swapped"] for d in days):
        text += "\n* " + _("a swapped week (duty: swaps in rules.yaml)")
    return text


def _ics(book, days: list[dict]) -> bytes:
    from ..domain.duty import service_periods
    from ..render.ics import duty_calendar

    periods = [({**d, "on_leave": [_names(book, d["on_leave"])] if d["on_leave"] else []}, s, e)
               for d in days for s, e in service_periods(book.calendar, d["date"])]
    words = {"duty": _("Duty"), "leader": _("leader"), "deputies": _("deputies"), "on_leave": _("on leave")}
    return duty_calendar(periods, book.now, _("Hotline duty rota"), words)


@command(help=N_("Who is on duty (值班): the group, its leader and deputies with their phones, the service hours, "
                 "who is on leave."))
@handle
def duty(
    ctx: typer.Context,
    at: Optional[str] = typer.Option(None, "--at", metavar=N_("TIME"), help=N_("At this time (default: now).")),
    week: Optional[str] = typer.Option(None, "--week", metavar=N_("YYYY-Www"), help=N_("Day by day for this ISO week.")),
    weeks: Optional[int] = typer.Option(None, "--weeks", metavar=N_("N"),
                                        help=N_("Day by day for N weeks from --week (or from the week of --at).")),
    fmt: str = typer.Option("table", "--format", metavar=N_("FORMAT"),
                            help=N_("table, json, csv or ics (iCalendar, for phone calendars).")),
    output: Optional[Path] = OUTPUT,
):
    from datetime import date, timedelta

    from ..reads import staff
    from ..domain.linerules import parse_week
    from ..errors import UsageError
    from ..render.tables import rows_out, to_json

    check_format(fmt, ("table", "json", "csv", "ics"))
    if at is not None and week is not None:
        raise UsageError(_("give --at TIME or --week YYYY-Www, not both"))
    if weeks is not None and not 1 <= weeks <= 53:
        raise UsageError(_("--weeks {n} is not allowed; give 1 to 53").format(n=weeks))
    book = open_book(ctx)
    when = parse_at(book, at) or book.now
    if week is None and weeks is None and fmt != "ics":
        days = [staff.duty_at(book, when)]
        text = to_json(days[0]) if fmt == "json" else _moment_text(book, days[0])
    else:
        monday = date.fromisocalendar(*parse_week(week), 1) if week else when.date() - timedelta(days=when.weekday())
        days = staff.duty_days(book, monday, weeks or 1)
        if fmt == "ics":
            _write_ics(_ics(book, days), output)
            return
        text = to_json(days) if fmt == "json" else _days_table(book, days)
    if fmt == "csv":
        text = rows_out([_flat(d) for d in days], "csv", columns(DUTY_CSV))
    write_out(text, output, fmt, len(days))


def _write_ics(data: bytes, output: Optional[Path]) -> None:
    """The iCalendar file printed as it is (CRLF lines), or written whole to FILE."""
    from ..storage.yamlio import atomic_write

    if output is None:
        typer.echo(data, nl=False)
        return
    atomic_write(output, data.decode("utf-8"))
    out(_("Wrote {file}").format(file=output))


@command(help=N_("Record leave (请假) — at least three days ahead, or it is marked late; --list shows requests."))
@handle
def leave(
    ctx: typer.Context,
    person: Optional[str] = typer.Argument(None, metavar=N_("PERSON"),
                                           help=N_("Who is away (roster id or name); with --list, only their requests.")),
    start: Optional[str] = typer.Option(None, "--from", metavar=N_("DATE"), help=N_("First day away, YYYY-MM-DD.")),
    end: Optional[str] = typer.Option(None, "--to", metavar=N_("DATE"), help=N_("Last day away, YYYY-MM-DD.")),
    reason: Optional[str] = typer.Option(None, "--reason", metavar=N_("TEXT"), help=N_("Why (no callers' data).")),
    at: Optional[str] = typer.Option(None, "--at", metavar=N_("TIME"), help=N_("When the request was made (default: now).")),
    list_: bool = typer.Option(False, "--list", help=N_("List leave requests instead of recording one.")),
    month: Optional[str] = typer.Option(None, "--month", metavar=N_("YYYY-MM"), help=N_("With --list: those touching this month.")),
    fmt: str = typer.Option("table", "--format", metavar=N_("FORMAT"), help=N_("With --list: table, json or csv.")),
    output: Optional[Path] = OUTPUT,
):
    from ..reads import staff
    from ..domain.dates import parse_date, parse_month
    from ..writes.staff import record_leave
    from ..errors import UsageError

    if list_:
        if start is not None or end is not None or reason is not None or at is not None:
            raise UsageError(_("--list takes only --month, --format, --output and a PERSON"))
        check_format(fmt)
        book = open_book(ctx)
        _list_leave(book, staff.leave_list(book, parse_month(month) if month else None, person), fmt, output)
        return
    if person is None or start is None or end is None:
        raise UsageError(_("leave needs PERSON --from DATE --to DATE (or --list)"))
    if month is not None or output is not None:
        raise UsageError(_("--month and --output go with --list"))
    book = open_book(ctx)
    res = record_leave(book, person, parse_date(start, "--from"), parse_date(end, "--to"), reason or "",
                             parse_at(book, at))
    x = res.leave
    out(_("Recorded leave of {who}: {start} to {end} ({id})").format(
        who=f"{book.roster.person(x.person).name} ({x.person})", start=x.start.isoformat(), end=x.end.isoformat(),
        id=x.id))
    if x.late:
        out(_("Marked late: requested {requested}, fewer than {days} days before it starts (leave: notice_days in "
              "rules.yaml)").format(requested=f"{x.requested:%Y-%m-%d %H:%M}", days=book.rules.lines.leave_notice_days))


def _list_leave(book, rows: list[dict], fmt: str, output: Optional[Path]) -> None:
    from ..render.tables import rows_out

    if fmt != "json":
        for r in rows:
            p = book.roster.person(r["person"])
            r["person_name"] = p.name if p else r["person"]
    if fmt == "table":
        rows = [dict(r, late=_("requested late") if r["late"] else "") for r in rows]
    write_out(rows_out(rows, fmt, columns(LEAVE_TABLE if fmt == "table" else LEAVE_CSV)), output, fmt, len(rows))


@command("roster", help=N_("The people (名册): groups, roles, and trial periods (试用期) ended without a decision."))
@handle
def roster_cmd(
    ctx: typer.Context,
    fmt: str = typer.Option("table", "--format", metavar=N_("FORMAT"), help=FORMAT_HELP),
    output: Optional[Path] = OUTPUT,
):
    from ..reads import staff
    from ..domain import labels
    from ..render.tables import rows_out

    check_format(fmt)
    book = open_book(ctx)
    rows = staff.roster_list(book)
    if fmt != "table":
        write_out(rows_out(rows, fmt, columns(ROSTER_CSV)), output, fmt, len(rows))
        return
    shown = [dict(r, trial=r["trial"] or (_("in trial") if r["in_trial"] else ""), roles=labels.roles(r["roles"]))
             for r in rows]
    lines = [rows_out(shown, "table", columns(ROSTER_TABLE))]
    due = [r for r in rows if r["decision_due"]]
    if due:
        lines += ["", _("Trial over, no committee decision yet (write trial: passed or trial: ended in roster.yaml):")]
        lines += ["  " + _("{name} ({id}): joined {joined}, trial over {until}").format(
            name=r["name"], id=r["id"], joined=r["joined"].isoformat(), until=r["trial_until"].isoformat()) for r in due]
    write_out("\n".join(lines), output, fmt, len(rows))
