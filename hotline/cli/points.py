"""`hotline award`, `hotline penalize`, `hotline score`: the points ledger and the rankings.

The computation is in `domain/points.py`; `actions.record_points` writes the ledger and
`queries.score_month` / `score_year` read the book.
"""

from pathlib import Path
from typing import Optional

import typer

from ..i18n import N_, _, ngettext
from .app import command
from .exports import XLSX_OUTPUT
from .common import check_format, columns, err, handle, open_book, out, write_out

PERSON_ARG = N_("PERSON")


def _record(ctx: typer.Context, kind: str, person: str, item: str, count: Optional[str], amount: Optional[str],
            on: Optional[str], note: Optional[str], no_input: bool) -> None:
    from ..writes import actions
    from ..domain.dates import parse_date
    from ..domain.points import item_label
    from .events import Notes

    book = open_book(ctx)
    book.actor()  # fail before anything else if nobody is acting
    day = parse_date(on, "--date") if on is not None else None
    notes = Notes(no_input)
    res = actions.record_points(book, kind, person, item, day, count, amount, notes(note, "--note"))
    e = res.entry
    p = book.roster.person(e.person)
    extra = (f" ×{e.count}" if e.count != 1 else "") + (" " + _("({n} yuan)").format(n=e.amount) if e.amount is not None else "")
    line = _("Awarded {person}: {item}{extra}, {points} on {date} → {file}") if kind == "award" else \
        _("Penalized {person}: {item}{extra}, {points} on {date} → {file}")
    out(line.format(person=f"{p.name} ({p.id})", item=item_label(book.rules, e.item), extra=extra, points=f"{e.points:+d}",
                    date=e.date.isoformat(), file=res.path.relative_to(book.root).as_posix()))


NO_INPUT = typer.Option(False, "--no-input", help=N_("Never ask; personal data in the note is then refused."))
COUNT = typer.Option(None, "--count", metavar=N_("N"), help=N_("How many times (default 1); multiplies the item's points."))
DATE = typer.Option(None, "--date", metavar=N_("DATE"), help=N_("The day it happened, YYYY-MM-DD (default: today)."))


@command(help=N_("Record points earned: lectures, articles, events, donations, interviews."))
@handle
def award(
    ctx: typer.Context,
    person: str = typer.Argument(..., metavar=PERSON_ARG, help=N_("The person awarded: roster id or name.")),
    item: str = typer.Argument(..., metavar=N_("ITEM"), help=N_("Award item id or label from rules.yaml (points.awards), e.g. lecture_outreach or 特刊文章.")),
    count: Optional[str] = COUNT,
    amount: Optional[str] = typer.Option(None, "--amount", metavar=N_("YUAN"), help=N_("Donations: the amount in yuan (one point per whole 100).")),
    on: Optional[str] = DATE,
    note: Optional[str] = typer.Option(None, "--note", metavar=N_("TEXT"), help=N_("What it was (no callers' data).")),
    no_input: bool = NO_INPUT,
):
    _record(ctx, "award", person, item, count, amount, on, note, no_input)


@command(help=N_("Record a penalty: no Mandarin, hygiene, information leak, leaving the post, late or early."))
@handle
def penalize(
    ctx: typer.Context,
    person: str = typer.Argument(..., metavar=PERSON_ARG, help=N_("The person penalized: roster id or name.")),
    item: str = typer.Argument(..., metavar=N_("ITEM"), help=N_("Penalty item id or label from rules.yaml (points.penalties), e.g. hygiene or 脱岗.")),
    count: Optional[str] = COUNT,
    on: Optional[str] = DATE,
    note: Optional[str] = typer.Option(None, "--note", metavar=N_("TEXT"), help=N_("What happened (no callers' data).")),
    no_input: bool = NO_INPUT,
):
    _record(ctx, "penalty", person, item, count, None, on, note, no_input)


SCORE_CSV = [("kind", N_("person or group")), ("id", N_("id")), ("name", N_("name")), ("group", N_("group id")),
             ("group_name", N_("group")), ("score", N_("score")), ("rank", N_("rank")), ("points", N_("+/-"))]


@command(help=N_("Points ranking of people and groups for a month or a year, with warnings."))
@handle
def score(
    ctx: typer.Context,
    month: Optional[str] = typer.Option(None, "--month", metavar=N_("YYYY-MM"), help=N_("The month to score.")),
    year: Optional[str] = typer.Option(None, "--year", metavar=N_("YYYY"), help=N_("The year to score (the sum of its entries).")),
    fmt: str = typer.Option("table", "--format", metavar=N_("FORMAT"), help=N_("table, json, csv or xlsx.")),
    person: Optional[str] = typer.Option(None, "--person", metavar=PERSON_ARG, help=N_("Show every entry behind this person's score.")),
    output: Optional[Path] = XLSX_OUTPUT,
):
    from ..reads import queries
    from ..domain.dates import parse_month, parse_year
    from ..errors import UsageError
    from ..render.tables import rows_out, to_json
    from .exports import FORMATS, check_output

    check_format(fmt, FORMATS)
    check_output(fmt, output)
    if (month is None) == (year is None):
        raise UsageError(_("give exactly one of --month YYYY-MM or --year YYYY"))
    ym = parse_month(month) if month is not None else None
    y = parse_year(year) if year is not None else None
    book = open_book(ctx)
    problems: list[str] = []
    s = queries.score_month(book, *ym, problems) if ym else queries.score_year(book, y, problems)
    for p in problems:
        err(p)
    if person is not None:
        return _breakdown(book, s, book.person(person, "--person").id, fmt, output)
    if fmt == "xlsx":
        from ..render.sheets import score_sheets
        from .exports import save

        save(book, output, score_sheets(s, book.roster), _("the points of {period}").format(period=s.period))
        return
    if fmt == "json":
        from ..render.words import score_words

        return write_out(to_json(score_words(s.to_dict())), output, fmt)
    if fmt == "csv":
        gname = {g.id: g.name for g in book.roster.groups}
        rows = [{"kind": _("person"), "id": p.id, "name": p.name, "group": p.group or "", "group_name": gname.get(p.group, ""),
                 "score": p.score, "rank": p.rank, "points": p.points} for p in s.people]
        rows += [{"kind": _("group"), "id": g.id, "name": g.name, "group": g.id, "group_name": g.name, "score": g.score,
                  "rank": g.rank, "points": g.points} for g in s.groups]
        write_out(rows_out(rows, "csv", columns(SCORE_CSV)), output, fmt, len(rows))
        from ..render.words import score_warnings

        for w in score_warnings(s):
            err(_("warning: {text}").format(text=w))
        return
    write_out(_table(book, s), output, fmt)


def _signed(n: int) -> str:
    return f"{n:+d}" if n else "0"


def _table(book, s) -> str:
    from ..render.tables import rows_out

    month = len(s.period) == 7
    head = _("Points {period} (month; everyone starts at {base})") if month else _("Points {period} (year; everyone starts at {base})")
    lines = [head.format(period=s.period, base=s.base), "", _("people")]
    gname = {g.id: g.name for g in book.roster.groups}
    rows = [{"rank": p.rank, "id": p.id, "name": p.name, "group": gname.get(p.group, "—") if p.group else "—",
             "points": _signed(p.points), "score": p.score} for p in s.people]
    lines.append(rows_out(rows, "table", columns([("rank", N_("rank")), ("id", N_("id")), ("name", N_("name")),
                                                  ("group", N_("group")), ("points", N_("+/-")), ("score", N_("score"))])))
    lines += ["", _("groups")]
    grows = [{"rank": g.rank, "id": g.id, "name": g.name, "points": _signed(g.points), "score": g.score} for g in s.groups]
    if grows:
        lines.append(rows_out(grows, "table", columns([("rank", N_("rank")), ("id", N_("id")), ("name", N_("name")),
                                                       ("points", N_("+/-")), ("score", N_("score"))])))
    else:
        lines.append(_("(no groups in roster.yaml)"))
    if s.recommended is not None:
        r = s.recommended
        lines += ["", _("Recommended: group {id} {name} is the top group of {period} with {score} points — to be "
                        "recommended for the year's commendation.").format(id=r.id, name=r.name, period=s.period,
                                                                           score=r.score)]
    from ..render.words import score_warnings

    warnings = score_warnings(s)
    if warnings:
        lines += ["", _("warnings:")] + [f"  ! {w}" for w in warnings]
    elif month:
        lines += ["", _("No warnings.")]
    n = len(s.entries)
    lines += ["", ngettext("{n} entry counted.", "{n} entries counted.", n).format(n=n) + " "
              + _("`hotline score --{period_kind} {period} --person ID` shows one person's.").format(
                  period_kind="month" if month else "year", period=s.period)]
    return "\n".join(lines)


def _breakdown(book, s, pid: str, fmt: str, output: Optional[Path]) -> None:
    from ..domain.points import item_label
    from ..errors import UsageError
    from ..render.tables import rows_out, to_json

    p = s.person(pid)
    if p is None:
        known = ", ".join(x.id for x in s.people)
        raise UsageError(_("--person '{pid}' is inactive and has no entries in {period}; people scored: {known}")
                         .format(pid=pid, period=s.period, known=known))
    entries = s.entries_of(pid)
    rows = [{"date": e.date.isoformat(), "item": e.item, "label": item_label(book.rules, e.item),
             "count": e.count, "amount": e.amount, "points": e.points, "source": e.source, "note": e.note}
            for e in entries]
    if fmt == "json":
        return write_out(to_json({"period": s.period, "start": s.base, "entries": rows, "points": p.points, "score": p.score,
                                  "person": {"id": p.id, "name": p.name, "group": p.group, "score": p.score, "rank": p.rank}}),
                         output, fmt)
    if fmt == "xlsx":
        from ..render.sheets import entries_sheet
        from .exports import save

        save(book, output, [entries_sheet(rows, pid)],
             _("the points of {name} ({id}) in {period}").format(name=p.name, id=p.id, period=s.period))
        return
    if fmt == "csv":
        cols = columns([("date", N_("date")), ("item", N_("item code")), ("label", N_("item")), ("count", N_("times")),
                        ("amount", N_("yuan")), ("points", N_("points")), ("source", N_("source")), ("note", N_("note"))])
        return write_out(rows_out(rows, "csv", cols), output, fmt, len(rows))
    lines = [_("{name} ({id}) — points {period}, rank {rank}").format(name=p.name, id=p.id, period=s.period, rank=p.rank), ""]
    table = [{"date": "", "item": _("start"), "points": str(s.base), "source": "rules.yaml points.start"}]
    for r in rows:
        extra = (f" ×{r['count']}" if r["count"] != 1 else "") + (" " + _("({n} yuan)").format(n=r["amount"]) if r["amount"] is not None else "")
        table.append({"date": r["date"], "item": f"{r['label']}{extra}", "points": f"{r['points']:+d}",
                      "source": r["source"] + (f"  {r['note']}" if r["note"] else "")})
    lines.append(rows_out(table, "table", columns([("date", N_("date")), ("item", N_("item")), ("points", N_("points")),
                                                   ("source", N_("source"))])))
    lines += ["", _("total {score} = {base} {points:+d} ({n} entries)").format(score=p.score, base=s.base, points=p.points,
                                                                                n=len(entries))]
    write_out("\n".join(lines), output, fmt)
