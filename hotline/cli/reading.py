"""Reading cases: `show`, `list`, `history`."""

from pathlib import Path
from typing import Optional

import typer

from ..i18n import N_, _
from .app import command
from .exports import XLSX_OUTPUT
from .common import check_format, columns, handle, open_book, out, report_problems, write_out

CASE_ARG = typer.Argument(..., metavar=N_("CASE"), help=N_("Case id (or an unambiguous prefix)."))


def _name(p: dict) -> str:
    return f"{p['name']} ({p['id']})" if p["name"] is not None else p["id"]


def _indented(text: str) -> str:
    return text.replace("\n", "\n" + " " * 15)


def closes_text(cid: str, first: dict, later: list[dict]) -> str:
    """A case closed more than once (two offices before they synced), as one line: the close that
    counts, and the ones kept in the history only."""
    def one(e: dict) -> str:
        return _("{at} by {person}: {outcome}").format(at=f"{e['at']:%Y-%m-%d %H:%M}", person=_name(e["by"]),
                                                      outcome=e["outcome_label"])

    return _("case {id} was closed {n} times (by two offices before they synced); the first close counts: {first} — "
             "kept in the history only: {later}").format(id=cid, n=1 + len(later), first=one(first),
                                                          later=_("; ").join(one(e) for e in later))


def _event_line(e: dict) -> str:
    from ..domain import labels

    extra = ""
    if e["type"] == "refer":
        extra = f" → {e['to']['name']}"
    elif e["type"] == "assign":
        extra = f" → {_name(e['to'])}"
    elif e["type"] == "escalate":
        extra = " → " + ", ".join(_name(x) for x in e["to"])
    elif e["type"] == "close":
        extra = f" [{e['outcome_label']}]" + (" " + _("reason: {reason}").format(reason=e["reason"]) if e["reason"] else "")
    elif e["type"] in ("void", "hold", "release", "erase") and e.get("reason"):
        extra = " " + _("reason: {reason}").format(reason=e["reason"])
    elif e["type"] == "amend":
        extra = " [" + labels.fields(e["fields"]) + "]"  # the fields in the reader's words
    if e.get("reported_police"):
        extra += " [" + _("reported to the police") + "]"
    if e.get("partner_answer"):
        extra += " [" + _("referral {answer}").format(answer=e["partner_answer_label"]) + "]"
    note = f"  {e['note']}" if e["note"] else ""
    return "  " + _("{at}  {event} by {person}").format(at=f"{e['at']:%Y-%m-%d %H:%M}", event=e["type_label"],
                                                         person=_name(e["by"])) + extra + note


def _field(label: str, value: str) -> str:
    from .helptext import width

    label = _(label)
    return "  " + label + " " * max(13 - width(label), 1) + value


def _head(c: dict) -> list[str]:
    caller = c["caller"]
    moved = "  → " + _("now {person}").format(person=_name(c["current_owner"])) if c["current_owner"]["id"] != c["owner"]["id"] else ""
    head = _("Case {id}   {status}").format(id=c["id"], status=c["status_label"])
    if c["void"] is not None:
        head += "   !! " + _("{withdrawn}: {reason}").format(withdrawn=c["void_label"], reason=c["void"])
    who = " · ".join([caller["role_label"], caller["gender_label"], caller["age_group_label"]]
                     + [x for x in (caller["region"], caller["occupation"]) if x])
    publish = _("may be published as an anonymised typical case") if c["consent_publish"] else _("not to be published")
    return [
        head,
        _field(N_("received"), f"{c['received']:%Y-%m-%d %H:%M}  {c['channel_label']}"),
        _field(N_("grade"), c["grade_label"] + (f"  · {_('crisis level')} {c['risk_label']}" if c.get("risk_label") else "")),
        _field(N_("owner"), _name(c["owner"]) + moved),
        _field(N_("caller"), who),
        _field(N_("categories"), "、".join(x["label"] for x in c["categories"])),
        _field(N_("needs"), "、".join(x["label"] for x in c["needs"])),
        _field(N_("publish"), publish),
        _field(N_("summary"), _indented(c["summary"])),
    ] + ([_field(N_("response"), _indented(c["response"]))] if c["response"] else [])


PERSONAL_LABELS = {"name": N_("name"), "contact": N_("contact"), "address": N_("address"), "notes": N_("notes")}


def card_text(card: dict, personal: dict | None) -> str:
    """The text layout of a case card (domain.casecard.case_card)."""
    from ..domain import labels

    c = card
    lines = _head(c)
    if c["personal"] is None:
        lines.append(_field(N_("personal"), _("(none recorded)")))
    elif personal is not None:
        lines += [_field(PERSONAL_LABELS.get(k, k), _indented(str(val))) for k, val in personal.items()]
    elif c["personal"].get("erased"):
        lines.append(_field(N_("personal"), _("erased (its data key was destroyed; the erase event below says who, "
                                              "when and why)")))
    else:
        lines.append(_field(N_("personal"), _("encrypted for {n} recipient(s) — `hotline show {id} --reveal` to read")
                            .format(n=c["personal"]["recipients"], id=c["id"])))
    for name, values in c.get("conflicts", {}).items():
        shown = " | ".join(", ".join(v) if isinstance(v, list) else str(v) for v in values) or _("(encrypted)")
        lines.append("!! " + _("{field}: two offices gave different values ({values}); choose with `hotline resolve {id}`")
                     .format(field=labels.field(name), values=shown, id=c["id"]))
    lines.append(_("events:"))
    lines += [_event_line(e) for e in c["events"]]
    if c.get("closes"):
        first, *later = c["closes"]
        lines.append("!! " + closes_text(c["id"], first, later))
    if c["deadline_error"]:
        lines.append(_("deadlines: cannot be computed: {why}").format(why=c["deadline_error"]))
    if c["deadlines"]:
        lines.append(_("deadlines:"))
        for k in c["deadlines"]:
            mark = " " + labels.provisional() if k["provisional"] else ""
            state = k["state_label"].upper() if k["state"] == "overdue" else k["state_label"]
            lines.append("  " + _("{kind}  due {due}{mark}  {state}").format(
                kind=k["kind_label"], due=f"{k['due']:%Y-%m-%d %H:%M}", mark=mark, state=state))
    if c["provisional_years"]:
        lines.append("  " + _("{provisional}: the working days of {years} are computed from the statutory public "
                              "holidays, without make-up working days, until the State Council's notice is "
                              "added to rules.yaml.").format(provisional=labels.provisional(),
                                                             years=", ".join(str(y) for y in c["provisional_years"])))
    if c["urges"]:
        flag = "  !! " + _("report to the committee") if c["committee"] else ""
        lines.append(_("urged {n} time(s)").format(n=c["urges"]) + flag)
    return "\n".join(lines)


@command(help=N_("Show a case: the registration form, its events and its deadlines."))
@handle
def show(
    ctx: typer.Context,
    case: str = CASE_ARG,
    reveal: bool = typer.Option(False, "--reveal", help=N_("Decrypt the caller's personal data (needs your key).")),
    fmt: str = typer.Option("text", "--format", metavar=N_("FORMAT"), help=N_("text or json.")),
):
    from ..domain.casecard import case_card

    check_format(fmt, ("text", "json"))
    book = open_book(ctx)
    c = book.store.get(case)
    personal = None
    if reveal and c.personal is not None:
        from ..writes import actions  # encryption is loaded only when it is asked for
        from ..trust import privacy

        personal = actions.reveal(book, c, privacy.load_identity())
    card = case_card(c, book.rules, book.calendar, book.roster, book.now)
    if c.personal is not None and c.personal.key and not c.erased:
        from ..trust import keyring

        card["personal"]["recipients"] = keyring.wrap_count(book, c)
    if fmt == "json":
        from ..render.tables import to_json

        out(to_json({**card, "personal_data": personal} if reveal else card))
        return
    out(card_text(card, personal))


LIST_TABLE = [("id", N_("case")), ("received", N_("received")), ("status", N_("status")), ("grade", N_("grade")),
              ("owner", N_("owner")), ("channel", N_("channel")), ("categories", N_("categories"))]
LIST_CSV = [("id", N_("case")), ("received", N_("received")), ("status", N_("status code")),
            ("status_label", N_("status")), ("grade", N_("grade code")), ("grade_label", N_("grade")),
            ("owner", N_("owner id")), ("owner_name", N_("owner")), ("channel", N_("channel code")),
            ("channel_label", N_("channel")), ("categories", N_("category codes")),
            ("category_labels", N_("categories")), ("void", N_("withdrawn"))]


def _labelled(book, rows: list[dict]) -> None:
    """Beside each id column, its label (for people: the table and the CSV)."""
    from ..domain import labels

    L = book.rules.label
    for r in rows:
        r["status_label"] = labels.status(r["status"]) + (" · " + labels.event("void") if r["void"] else "")
        r["grade_label"] = L("grade", r["grade"]).split("·")[0]
        r["channel_label"] = L("channel", r["channel"])
        p = book.roster.person(r["owner"])
        r["owner_name"] = p.name if p else r["owner"]
        r["category_labels"] = "、".join(L("category", x) for x in r["categories"])


@command("list", help=N_("List cases (no personal data)."))
@handle
def list_cases(
    ctx: typer.Context,
    status: Optional[str] = typer.Option(None, "--status", metavar=N_("STATUS"), help=N_("open, referred or closed (or their labels: 处理中, 已转介, 已结案).")),
    month: Optional[str] = typer.Option(None, "--month", metavar=N_("YYYY-MM"), help=N_("Cases received in that month.")),
    owner: Optional[str] = typer.Option(None, "--owner", metavar=N_("PERSON"), help=N_("Cases currently owned by this person (roster id or name).")),
    include_void: bool = typer.Option(False, "--include-void", help=N_("Also the cases withdrawn as entered by mistake.")),
    fmt: str = typer.Option("table", "--format", metavar=N_("FORMAT"), help=N_("table, json, csv or xlsx (the register and its events, for `import`).")),
    output: Optional[Path] = XLSX_OUTPUT,
    reveal: bool = typer.Option(False, "--reveal", help=N_("With --format xlsx: add the callers' personal data (needs your key; never inside the book).")),
):
    from ..reads import queries
    from ..domain.dates import parse_month
    from ..render.tables import rows_out
    from .exports import FORMATS, check_output, export_list

    check_format(fmt, FORMATS)
    check_output(fmt, output, reveal)
    ym = parse_month(month) if month is not None else None
    book = open_book(ctx)
    problems: list = []
    if fmt == "xlsx":
        cases = queries.listed_cases(book, status, ym, owner, problems, include_void)
        report_problems(book, problems)
        export_list(book, cases, output, reveal)
        return
    rows = queries.list_cases(book, status, ym, owner, problems, include_void)
    report_problems(book, problems)
    if fmt != "json":
        _labelled(book, rows)
        if fmt == "table":
            rows = [dict(r, status=r["status_label"], grade=r["grade_label"], owner=r["owner_name"],
                         channel=r["channel_label"], categories=r["category_labels"]) for r in rows]
    cols = columns(LIST_TABLE if fmt == "table" else LIST_CSV)
    write_out(rows_out(rows, fmt, cols), output, fmt, len(rows))


@command(help=N_("The case's audit trail, from git."))
@handle
def history(ctx: typer.Context, case: str = CASE_ARG):
    from datetime import datetime

    from ..storage import git

    book = open_book(ctx)
    path = book.store.resolve(case)
    commits = git.history(book.git_root, path)
    if not commits:
        out(_("{case}: no commits yet (the file is not committed)").format(case=path.stem))
        return
    for cm in reversed(commits):
        when = datetime.fromisoformat(cm.time).astimezone(book.tz)  # the book's time zone, like everything else
        out(f"{when:%Y-%m-%d %H:%M:%S}  {cm.author} <{cm.email}>  {cm.message}  [{cm.id[:8]}]")
