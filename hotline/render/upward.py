"""The upward report's words and tables (上报指标): the plain data of `domain.bulletin.upward` made into
titled tables of text cells — one list of `Table`s that the Word report (`render/docx.py`), the
year report's Markdown and HTML, and its workbook all draw from.  Every word goes through the
catalog; a figure the book does not hold is written as "not recorded", never as 0 or 100 %.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..i18n import N_, _

HEADLINE_WORDS = {
    "calls_total": N_("calls reaching the line"), "received": N_("cases received"),
    "answer_rate": N_("answer rate"), "high_crisis": N_("high crisis level"), "difficult": N_("difficult calls"),
    "repeat_cases": N_("repeat calls"), "key_cases": N_("key cases"), "other_province": N_("cases from another province"),
    "referrals": N_("referrals"), "volunteer_hours": N_("volunteer hours on the line"),
    "training_person_times": N_("training person-times"),
}
CALL_WORDS = {"missed": N_("missed"), "abandoned": N_("abandoned while waiting"), "silent": N_("silent"),
              "prank": N_("prank or harassing"), "wrong_number": N_("wrong number")}
REGION_WORDS = {"local": N_("local"), "province": N_("elsewhere in the province"),
                "other_province": N_("another province"), "unknown": N_("unknown")}
SECTION_WORDS = {
    "service": N_("Service"), "regions": N_("Where callers are"), "special": N_("Special calls"),
    "crisis_key": N_("Crisis and key cases"), "types_sex": N_("Problem types by sex"),
    "types_age": N_("Problem types by age group"), "referrals": N_("Referrals"), "staff": N_("Volunteers on the line"),
    "training": N_("Training"), "comparisons": N_("Against the month before and the same month last year"),
    "months": N_("Month by month"), "topics": N_("Top five topics"), "growth": N_("Against the year before"),
    "charts": N_("Charts"),
}
PERCENT = ("answer_rate",)


@dataclass
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list[str]]
    widths: list[float] = field(default_factory=list)   # millimetres, summing to the page's text width at most
    small: bool = False                                 # many columns: a smaller type


def words() -> dict[str, str]:
    """The section titles in the reader's language (the Word template prints them as {{ L.key }})."""
    return {k: _(v) for k, v in SECTION_WORDS.items()}


def missing() -> str:
    return _("not recorded")


def number(v: Any, key: str = "") -> str:
    """A figure as printed: None is "not recorded"; rates with %; hours without a needless .0."""
    if v is None:
        return missing()
    if key in PERCENT:
        return f"{v:g}%"
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def dash(v: Any, key: str = "") -> str:
    """A figure in a narrow column: "—" where it is not recorded (see `dash_note`)."""
    return "—" if v is None else number(v, key)


def dash_note() -> str:
    return _("— in the month-by-month table: not recorded (no call counts that month) or a month not begun")


def signed(v: Any, suffix: str = "") -> str:
    if v is None:
        return "—"
    return (f"+{v:g}" if v > 0 else f"{v:g}") + suffix


def _two(key: str, title: str, rows: list[tuple[str, Any]], width: float = 156) -> Table:
    return Table(key, title, [_("indicator"), _("figure")], [[a, b if isinstance(b, str) else number(b)] for a, b in rows],
                 [width * 0.62, width * 0.38])


def month_tables(data: dict[str, Any], rules: Any) -> list[Table]:
    """The month's upward tables, in the order of the report."""
    u = data["upward"]
    s, r, sp = u["service"], u["regions"], u["special"]
    L = words()
    service_rows: list[tuple[str, Any]] = [
        (_(HEADLINE_WORDS["calls_total"]), s["calls_total"]), (_(HEADLINE_WORDS["received"]), s["received"]),
        (_("answered"), s["answered"]), (_("not answered (missed or abandoned)"), s["unanswered"]),
        (_(HEADLINE_WORDS["answer_rate"]), number(s["answer_rate"], "answer_rate")),
    ]
    for k, w in CALL_WORDS.items():
        service_rows.append((_("calls that did not become cases: {kind}").format(kind=_(w)),
                             (s["not_cases_by_kind"] or {}).get(k) if s["calls_recorded"] else None))
    tables = [_two("service", L["service"], service_rows)]
    tables.append(Table("regions", L["regions"], [_("where"), _("cases"), _("share")],
                        [[_(REGION_WORDS[x["id"]]), str(x["count"]), f"{x['pct']:g}%"] for x in r["rows"]],
                        [76, 40, 40]))
    tables.append(_two("special", L["special"], [
        (_(HEADLINE_WORDS["high_crisis"]), sp["high_crisis"]), (_(HEADLINE_WORDS["difficult"]), sp["difficult"]),
        (_(HEADLINE_WORDS["repeat_cases"]), sp["repeat_cases"]), (_("repeat callers"), sp["repeat_callers"])]))
    ck = sp["crisis_and_key"]
    tables.append(_two("crisis_key", L["crisis_key"], [
        (_("crisis cases (high level)"), ck["crisis"]), (_(HEADLINE_WORDS["key_cases"]), ck["key"]),
        (_("crisis or key cases"), ck["either"]), (_("red cases"), ck["red"])]))
    tables += problem_tables(u["problem_types"], rules, L)
    ref = u["referrals"]
    names = {p.get("id"): p.get("name") for p in data["referrals"]["partners"]}
    cols = ("count", "accepted", "declined", "no_answer", "met", "late", "running", "overdue")
    tables.append(Table("referrals", L["referrals"],
                        [_("partner"), _("referrals"), _("accepted"), _("declined"), _("answer not recorded"),
                         _("feedback in time"), _("feedback late"), _("awaited"), _("overdue")],
                        [[names.get(p["id"]) or p["id"], *[str(p[k]) for k in cols]] for p in ref["partners"]]
                        + [[_("total"), *[str(ref[k]) for k in cols]]],
                        [30, 15, 15, 15, 21, 15, 15, 15, 15], small=True))
    st, tr = u["staff"], u["training"]
    tables.append(_two("staff", L["staff"], [
        (_("volunteers on duty"), st["people"]), (_(HEADLINE_WORDS["volunteer_hours"]), st["hours"]),
        (_("hours of leave"), st["leave_hours"]), (_("person-days of leave"), st["leave_person_days"])]))
    tables.append(_two("training", L["training"], [
        (_("training sessions"), tr["sessions"]), (_(HEADLINE_WORDS["training_person_times"]), tr["person_times"]),
        (_("people trained"), tr["people"])]))
    tables.append(Table("comparisons", L["comparisons"],
                        [_("indicator"), _("this month"), _("month before"), _("change"), _("same month last year"),
                         _("change")],
                        [[_(HEADLINE_WORDS[c["id"]]), number(c["value"], c["id"]), number(c["mom"]["previous"], c["id"]),
                          _change(c["mom"], c["id"]), number(c["yoy"]["previous"], c["id"]), _change(c["yoy"], c["id"])]
                         for c in u["comparisons"]],
                        [40, 22, 22, 25, 22, 25]))
    return tables


def _change(ch: dict[str, Any], key: str) -> str:
    if ch["delta"] is None:
        return "—"
    if key in PERCENT:
        return signed(ch["delta"], _(" points"))
    return signed(ch["delta"]) + (f" ({signed(ch['pct'], '%')})" if ch["pct"] is not None else "")


def problem_tables(pt: dict[str, Any], rules: Any, L: dict[str, str]) -> list[Table]:
    cat = rules.vocab["category"]
    out = []
    for key, cols, vocab, by in (("types_sex", pt["sexes"], "gender", "by_sex"),
                                 ("types_age", pt["age_groups"], "age_group", "by_age")):
        V = rules.vocab[vocab]
        n = len(cols)
        first = 34.0
        each = (156 - first - 16) / max(n, 1)
        rows = [[cat.label(r["id"]), *[str(r[by].get(c, 0)) for c in cols], str(r["count"])] for r in pt["rows"]]
        total_key = "total_by_sex" if by == "by_sex" else "total_by_age"
        rows.append([_("total"), *[str(pt[total_key].get(c, 0)) for c in cols], str(pt["total"])])
        out.append(Table(key, L[key], [_("problem type"), *[V.label(c) for c in cols], _("total")], rows,
                         [first, *[each] * n, 16], small=n > 5))
    return out


def year_tables(y: dict[str, Any], rules: Any) -> list[Table]:
    """The year's tables: totals against the year before, month by month, the top five topics."""
    L = words()
    keys = [k for k in HEADLINE_WORDS]
    growth = Table("growth", L["growth"], [_("indicator"), _("this year"), _("year before"), _("change")],
                   [[_(HEADLINE_WORDS[g["id"]]), number(g["value"], g["id"]), number(g["previous"], g["id"]),
                     _change(g, g["id"])] for g in y["growth"]], [64, 30, 30, 32])
    short = {"calls_total": _("calls"), "received": _("cases"), "answer_rate": _(HEADLINE_WORDS["answer_rate"]),
             "high_crisis": _("high crisis"), "difficult": _("difficult"), "repeat_cases": _("repeat"),
             "key_cases": _("key"), "other_province": _("other prov."), "referrals": _("referred"),
             "volunteer_hours": _("hours"), "training_person_times": _("trained")}
    months = Table("months", L["months"], [_("month"), *[short[k] for k in keys]],
                   [[m["month"], *[dash(m[k], k) for k in keys]] for m in y["months"]]
                   + [[_("year"), *[dash(y["totals"][k], k) for k in keys]]],
                   [18.0, *[138.0 / len(keys)] * len(keys)], small=True)
    cat = rules.vocab["category"]
    topics = Table("topics", L["topics"], [_("rank"), _("problem type"), _("cases"), _("year before"), _("change")],
                   [[str(i), cat.label(t["id"]), str(t["count"]), str(t["previous"]),
                     signed(t["delta"]) + (f" ({signed(t['pct'], '%')})" if t["pct"] is not None else "")]
                    for i, t in enumerate(y["top_topics"], 1)], [14, 58, 24, 28, 32])
    return [growth, months, topics]


def title(data: dict[str, Any]) -> str:
    return _("Hotline work report, {month}").format(month=data["month"])


def year_title(y: dict[str, Any]) -> str:
    return _("Hotline work report, year {year}").format(year=y["year"])


# ---------------------------------------------------------------- the documents

def _charts(title_bars: str, bars_rows: list[tuple[str, int]], trend: list[dict], grades: list[dict],
            title_trend: str) -> tuple[list[bytes], list[str]]:
    from . import pngcharts
    from ..i18n import pgettext

    if pngcharts.cjk_font() is None:
        return [], [_("the charts are left out: no Chinese font was found on this computer (install one, e.g. "
                      "fonts-noto-cjk, or name its file in HOTLINE_CHART_FONT); the tables hold the same numbers")]
    out = [pngcharts.bars(bars_rows, title_bars),
           pngcharts.columns(trend, grades, title_trend, pgettext("chart: a month", "{m}"))]
    return [png for png in out if png], []


def month_docx(template: bytes, data: dict[str, Any], rules: Any) -> bytes:
    """The month's upward report as a Word document (render/docx.py)."""
    from .docx import render_docx

    cat = rules.vocab["category"]
    bars = [(cat.label(r["id"]), r["count"]) for r in data["upward"]["problem_types"]["rows"]]
    bars.sort(key=lambda x: -x[1])
    charts, notes = _charts(_("Cases by problem type"), bars[:10], data["trend"], data["grades"],
                            _("Cases received, last 12 months"))
    subtitle = _("{start} to {end}; figures as of {as_of}").format(
        start=f"{data['period']['start']:%Y-%m-%d}", end=f"{data['period']['end']:%Y-%m-%d}",
        as_of=f"{data['as_of']:%Y-%m-%d %H:%M}")
    return render_docx(template, title(data), subtitle, month_tables(data, rules), words(), charts,
                       [*data["warnings"], *notes])


def year_docx(template: bytes, y: dict[str, Any], rules: Any) -> bytes:
    from .docx import render_docx

    cat = rules.vocab["category"]
    charts, notes = _charts(_("Top five topics"), [(cat.label(t["id"]), t["count"]) for t in y["top_topics"]],
                            y["trend"], y["grades"], _("Cases received, month by month"))
    return render_docx(template, year_title(y), _("January to December {year}").format(year=y["year"]),
                       year_tables(y, rules), words(), charts, [dash_note(), *y["warnings"], *notes])


def year_markdown(y: dict[str, Any], rules: Any) -> str:
    from .markdown import md_cell

    parts = [f"# {md_cell(year_title(y))}", ""]
    for t in year_tables(y, rules):
        parts += [f"## {md_cell(t.title)}", "", "| " + " | ".join(md_cell(h) for h in t.headers) + " |",
                  "|" + "|".join("---" for _h in t.headers) + "|"]
        parts += ["| " + " | ".join(md_cell(c) for c in row) + " |" for row in t.rows]
        parts.append("")
    parts += [f"> {md_cell(w)}" for w in [dash_note(), *y["warnings"]]]
    return "\n".join(parts).rstrip() + "\n"


def year_html(y: dict[str, Any], rules: Any) -> str:
    from markupsafe import escape

    from .charts import svg_bars, svg_trend

    cat = rules.vocab["category"]
    head = ("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{t}</title><style>"
            "body{{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;max-width:60em;margin:2em auto;"
            "color:#222}}table{{border-collapse:collapse;margin:.5em 0 1.5em}}td,th{{border:1px solid #bbb;"
            "padding:.25em .6em;text-align:center}}th{{background:#eef3fa}}.note{{color:#8a5a00}}</style></head>"
            "<body>").format(t=escape(year_title(y)))
    parts = [head, f"<h1>{escape(year_title(y))}</h1>"]
    for t in year_tables(y, rules):
        parts.append(f"<h2>{escape(t.title)}</h2><table><tr>" + "".join(f"<th>{escape(h)}</th>" for h in t.headers)
                     + "</tr>" + "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>"
                                         for row in t.rows) + "</table>")
    parts.append(f"<h2>{escape(words()['charts'])}</h2>")
    parts.append(str(svg_trend(y["trend"], y["grades"], _("Cases received, month by month"))))
    parts.append(str(svg_bars([{"id": t["id"], "label": cat.label(t["id"]), "count": t["count"]}
                               for t in y["top_topics"]], _("Top five topics"))))
    parts += [f"<p class=\"note\">{escape(w)}</p>" for w in [dash_note(), *y["warnings"]]]
    parts.append("</body></html>\n")
    return "\n".join(parts)


def year_sheets(y: dict[str, Any], rules: Any) -> list:
    from .xlsx import Sheet

    out = []
    for t in year_tables(y, rules):
        cols = [(f"c{i}", h) for i, h in enumerate(t.headers)]
        out.append(Sheet(t.title[:31], cols, [{f"c{i}": c for i, c in enumerate(row)} for row in t.rows]))
    return out
