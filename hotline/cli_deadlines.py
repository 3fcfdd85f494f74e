"""`hotline overdue`: what is late or due soon, grouped so each leader sees their people."""
from __future__ import annotations

from typing import Optional

import typer

from .cli import DEADLINE_LABELS, _report_problems, app, check_format, err, handle, open_book


def overdue_rows(book, cases, as_of, soon=None, group: str | None = None) -> tuple[list[dict], list[str]]:
    """Rows for every clock due before as_of and not stopped (plus due-soon ones); and warnings
    for cases whose deadlines the calendar cannot compute (named, never guessed)."""
    from .calendar import CalendarError
    from .clocks import due_clocks

    rules, roster = book.rules, book.roster
    rows: list[dict] = []
    warnings: dict[str, list[str]] = {}
    for case in cases:
        try:
            found = due_clocks([case], rules, book.calendar, as_of, soon)
        except CalendarError as e:
            warnings.setdefault(str(e), []).append(case.id)
            continue
        for clock, late in found:
            owner = case.current_owner(as_of)
            person = roster.person(owner)
            gid = person.group if person else None
            if group and gid != group:
                continue
            urges = case.urges(as_of)
            rows.append({
                "case": case.id, "kind": clock.kind, "due": clock.due, "owner": owner,
                "owner_name": person.name if person else owner, "group": gid, "overdue": late, "urges": urges,
                "committee": urges > rules.urge_limit, "grade": case.grade, "status": case.status(as_of),
            })
    order = {g.id: i for i, g in enumerate(roster.groups)}
    rows.sort(key=lambda r: (order.get(r["group"], len(order)), r["due"], r["case"]))
    msgs = [f"{msg} (cases: {', '.join(ids[:5])}{'…' if len(ids) > 5 else ''})" for msg, ids in warnings.items()]
    return rows, msgs


@app.command()
@handle
def overdue(
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Replay as of this time (default: now); later events are ignored."),
    soon: Optional[str] = typer.Option(None, "--soon", help="Also list deadlines due within this duration (e.g. '1 working day', '2 days')."),
    group: Optional[str] = typer.Option(None, "--group", help="Only this group's people."),
    fmt: str = typer.Option("table", "--format", help="table, json or csv."),
):
    """Cases past or near their deadlines (超时/临期), by group, with urge counts."""
    from .calendar import parse_duration
    from .render import rows_out
    from .times import now, parse_time
    from .errors import UsageError

    check_format(fmt)
    book = open_book()
    when = parse_time(as_of, book.tz, "--as-of") if as_of else now(book.tz)
    dur = parse_duration(soon) if soon else None
    if group is not None and book.roster.group(group) is None:
        known = ", ".join(g.id for g in book.roster.groups) or "none"
        raise UsageError(f"unknown --group '{group}'; groups in roster.yaml: {known}")
    problems: list = []
    from .clocks import revisit_grades

    cases = book.store.for_period(when, when, problems, revisit_grades=revisit_grades(book.rules))
    _report_problems(book, problems)
    rows, warnings = overdue_rows(book, cases, when, dur, group)
    for w in warnings:
        err(w)
    if fmt != "table":
        keys = ("case", "kind", "due", "owner", "group", "overdue", "urges", "committee", "grade", "status")
        cols = [(k, k) for k in keys]
        typer.echo(rows_out([{k: r[k] for k in keys} for r in rows], fmt, cols))
        return
    if not rows:
        typer.echo(f"Nothing overdue as of {when:%Y-%m-%d %H:%M}" + (f" or due within {dur}" if dur else "") + ".")
        return
    L = book.rules.label
    cols = [("case", "case 个案"), ("kind", "deadline 时限"), ("due", "due 截止"), ("state", "state 状态"),
            ("owner", "owner 负责人"), ("grade", "grade 分级"), ("urges", "urges 催办")]
    out = []
    for gid in dict.fromkeys(r["group"] for r in rows):
        g = book.roster.group(gid) if gid else None
        leaders = [p.name for p in book.roster.people if p.group == gid and "leader" in p.roles] if gid else []
        title = f"{g.name} ({gid})" if g else "no group 无小组"
        out.append(title + (f" — leader 组长 {', '.join(leaders)}" if leaders else ""))
        table = []
        for r in rows:
            if r["group"] != gid:
                continue
            table.append({
                "case": r["case"], "kind": f"{DEADLINE_LABELS.get(r['kind'], r['kind'])} {r['kind']}",
                "due": r["due"].astimezone(book.tz), "state": "超时 OVERDUE" if r["overdue"] else "临期 due soon",
                "owner": r["owner_name"], "grade": L("grade", r["grade"]).split("·")[0],
                "urges": f"{r['urges']} !! 上报委员会" if r["committee"] else str(r["urges"]),
            })
        out.append(rows_out(table, "table", cols))
        out.append("")
    late = sum(1 for r in rows if r["overdue"])
    out.append(f"{late} overdue, {len(rows) - late} due soon, as of {when:%Y-%m-%d %H:%M}.")
    typer.echo("\n".join(out))
