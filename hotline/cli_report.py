"""`hotline report --month YYYY-MM`: the monthly bulletin (SPEC §6), rendered.

The numbers come from `bulletin.py` (pure); this module picks the format, renders
the book's templates (templates/report.md.j2, report.html.j2, falling back to the
packaged defaults) and draws the HTML charts as inline SVG.

Escaping: the HTML template is autoescaped and the SVG below escapes every label
before it becomes Markup; Markdown gets volunteer-typed text pre-escaped (HTML
entities and Markdown punctuation) because Markdown is often shown as HTML; the
JSON escapes < > & as \\u003c \\u003e \\u0026 so it can be pasted into a page.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Optional, Sequence

import typer

from .cli import _report_problems, app, check_format, err, handle, open_book

REPORT_FORMATS = ("md", "html", "json")
TEMPLATES = {"md": "report.md.j2", "html": "report.html.j2"}

GRADE_COLORS = {"green": "#2f9e5b", "red": "#d64541", "gray": "#8a8f98"}
PALETTE = ("#3b6fb6", "#e08e2b", "#7a5cb8", "#2aa6a0", "#c2577f", "#6b8e23", "#9c6b3a", "#4f6d7a")


# ====================================================================== SVG charts

def _esc(text: Any) -> str:
    from markupsafe import escape

    return str(escape(str(text)))


def _color(key: str, i: int) -> str:
    return GRADE_COLORS.get(key) or PALETTE[i % len(PALETTE)]


def _text_width(text: str, size: float) -> float:
    """Rough rendered width: CJK and full-width characters are about one em, the rest ~0.6 em."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.6 for ch in text)


def svg_bars(rows: Sequence[dict], title: str = "", colors: dict[str, str] | None = None,
             skip_zero: bool = False, limit: int | None = None):
    """A horizontal bar chart of rows [{id, label, count}] as inline SVG Markup."""
    from markupsafe import Markup

    rows = [r for r in rows if r.get("count") or not skip_zero]
    if limit is not None:
        rows = rows[:limit]
    if not rows:
        return Markup('<p class="empty">（本月无数据）</p>')
    size, bar_h, gap, width = 14.0, 22, 8, 460
    label_w = min(180.0, max(_text_width(str(r["label"]), size) for r in rows) + 12)
    count_w = 96.0
    bar_max = width - label_w - count_w
    top = 6
    height = top + len(rows) * (bar_h + gap)
    peak = max(int(r["count"]) for r in rows) or 1
    parts = [
        f'<svg class="chart bars" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{_esc(title)}" xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMinYMin meet">',
        f"<title>{_esc(title)}</title>",
    ]
    for i, r in enumerate(rows):
        y = top + i * (bar_h + gap)
        n = int(r["count"])
        w = bar_max * n / peak
        color = (colors or {}).get(str(r.get("id")), None) or _color(str(r.get("id")), i)
        pct = f" · {r['pct']:g}%" if r.get("pct") is not None and n else ""
        parts.append(
            f'<text x="{label_w - 8:.1f}" y="{y + bar_h / 2:.1f}" text-anchor="end" dominant-baseline="central" '
            f'font-size="{size:g}" fill="#333">{_esc(r["label"])}</text>'
        )
        parts.append(f'<rect x="{label_w:.1f}" y="{y}" width="{max(w, 1.5 if n else 0):.1f}" height="{bar_h}" rx="3" fill="{color}"/>')
        parts.append(
            f'<text x="{label_w + w + 6:.1f}" y="{y + bar_h / 2:.1f}" dominant-baseline="central" font-size="13" '
            f'fill="#555">{n}{_esc(pct)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def svg_trend(trend: Sequence[dict], grades: Sequence[dict], title: str = ""):
    """Stacked columns per month, one colour per grade, with a legend; inline SVG Markup."""
    from markupsafe import Markup

    width, height = 600, 250
    left, right, top, bottom = 34, 10, 30, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([int(m["received"]) for m in trend] + [1])
    step = _nice_step(peak)
    ymax = step * -(-peak // step)
    col = plot_w / max(len(trend), 1)
    bw = col * 0.62
    parts = [
        f'<svg class="chart trend" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{_esc(title)}" xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMinYMin meet">',
        f"<title>{_esc(title)}</title>",
    ]
    # legend
    x = left
    for i, g in enumerate(grades):
        parts.append(f'<rect x="{x}" y="6" width="12" height="12" rx="2" fill="{_color(g["id"], i)}"/>')
        lab = str(g["label"]).split("·")[0]
        parts.append(f'<text x="{x + 16}" y="12" dominant-baseline="central" font-size="12" fill="#333">{_esc(lab)}</text>')
        x += 16 + _text_width(lab, 12) + 18
    # grid
    v = 0
    while v <= ymax:
        y = top + plot_h - plot_h * v / ymax
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e3e3e3" stroke-width="1"/>')
        parts.append(f'<text x="{left - 6}" y="{y:.1f}" text-anchor="end" dominant-baseline="central" font-size="11" fill="#777">{v}</text>')
        v += step
    # columns
    for i, m in enumerate(trend):
        cx = left + col * i + (col - bw) / 2
        y = top + plot_h
        for j, g in enumerate(grades):
            n = int(m["by_grade"].get(g["id"], 0))
            if not n:
                continue
            h = plot_h * n / ymax
            y -= h
            parts.append(f'<rect x="{cx:.1f}" y="{y:.1f}" width="{bw:.1f}" height="{h:.1f}" fill="{_color(g["id"], j)}">'
                         f'<title>{_esc(m["month"])} {_esc(g["label"])}: {n}</title></rect>')
        if m["received"]:
            parts.append(f'<text x="{cx + bw / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" font-size="11" fill="#333">{int(m["received"])}</text>')
        yy, mm = str(m["month"]).split("-")
        parts.append(f'<text x="{cx + bw / 2:.1f}" y="{top + plot_h + 15}" text-anchor="middle" font-size="11" fill="#555">{int(mm)}月</text>')
        if i == 0 or mm == "01":
            parts.append(f'<text x="{cx + bw / 2:.1f}" y="{top + plot_h + 30}" text-anchor="middle" font-size="10" fill="#888">{_esc(yy)}</text>')
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="#999" stroke-width="1"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _nice_step(peak: int) -> int:
    for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if peak / s <= 5:
            return s
    return 10 ** len(str(peak))


# ====================================================================== Markdown escaping

_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}#|!~])")


def md_text(text: Any) -> str:
    """Volunteer-typed text made inert in Markdown (and in the HTML Markdown becomes)."""
    s = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = _MD_SPECIAL.sub(r"\\\1", s)
    return re.sub(r"^(\s*)([-+]|\d+\.)(\s)", r"\1\\\2\3", s, flags=re.M)


def md_cell(text: Any) -> str:
    """md_text for a table cell: one line."""
    return re.sub(r"\s*\n\s*", " ", md_text(text)).strip()


def _md_safe(data: dict) -> dict:
    """A copy of the bulletin with every volunteer-typed string escaped for Markdown."""
    d = dict(data)  # only the parts that hold typed text are copied and escaped
    d["typical_cases"] = [dict(t, summary=md_text(t["summary"]), region=md_cell(t["region"]))
                          for t in data["typical_cases"]]
    d["dist"] = dict(data["dist"], region=[dict(r, label=md_cell(r["label"])) for r in data["dist"]["region"]])
    return d


# ====================================================================== JSON

def bulletin_json(data: dict) -> str:
    from .render import to_json

    return to_json(data).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# ====================================================================== the command

def month_scores(book, year: int, month: int, cases: list):
    """The month's points ranking from hotline.ledger, or (None, why-not)."""
    from .errors import HotlineError
    from .ledger import score_month

    try:
        return score_month(book, year, month, cases=cases), None
    except HotlineError as e:
        return None, str(e)


def render_report(book, data: dict, fmt: str) -> str:
    from .render import render_template

    if fmt == "json":
        return bulletin_json(data)
    label = book.rules.label
    if fmt == "md":
        ctx = dict(_md_safe(data))
        ctx.update(report=ctx.copy(), label=label, md=md_text, md_cell=md_cell)
    else:
        ctx = dict(data)
        ctx.update(report=data, label=label, svg_bars=svg_bars, svg_trend=svg_trend,
                   grade_colors=GRADE_COLORS)
    return render_template(book.root, TEMPLATES[fmt], ctx)


@app.command()
@handle
def report(
    month: str = typer.Option(..., "--month", help="The month to report on, YYYY-MM."),
    fmt: str = typer.Option("md", "--format", help="md (Markdown, default), html or json."),
    output: Optional[Path] = typer.Option(None, "--output", help="Write the report to FILE instead of printing it."),
):
    """The monthly bulletin (月报): cases, hot topics, red cases, referrals, closures, ranking."""
    from . import times
    from .bulletin import bulletin
    from .yamlio import atomic_write

    check_format(fmt, REPORT_FORMATS)
    year, mon = times.parse_month(month)
    from .bulletin import TREND_MONTHS, month_bounds, shift_month
    from .points import lookback

    book = open_book()
    problems: list = []
    start, end = month_bounds(book.calendar, year, mon)
    from .clocks import revisit_grades

    revisit = revisit_grades(book.rules)
    prev_start = month_bounds(book.calendar, *shift_month(year, mon, -1))[0]
    # one read serves the bulletin and the points (whose warnings look back a few months)
    since = month_bounds(book.calendar, *shift_month(year, mon, -(lookback(book.rules) - 1)))[0]
    cases = book.store.for_period(since, end, problems, revisit_grades=revisit, received_since=prev_start,
                                  with_earlier_callers=True)
    months = [shift_month(year, mon, -i) for i in range(TREND_MONTHS)]
    trend = book.store.grade_counts({ym: month_bounds(book.calendar, *ym) for ym in months})
    _report_problems(book, problems)
    scores, why = month_scores(book, year, mon, cases)
    data = bulletin(cases, book.rules, book.calendar, book.roster, year, mon, scores, now=times.now(book.tz),
                    trend_counts=trend)
    if problems:
        data["warnings"].append(f"{len(problems)} 个个案文件无法读取，未计入本报告（`hotline check` 列出详情）")
    if scores is None and why:
        data["ranking_note"] = why
        err(f"points ranking left out: {why}")
    else:
        data["ranking_note"] = ""
    text = render_report(book, data, fmt)
    if not text.endswith("\n"):
        text += "\n"
    if output is None:
        typer.echo(text, nl=False)
        return
    atomic_write(output, text)
    typer.echo(f"Wrote the {data['month']} report ({fmt}, {data['received']} case(s)) to {output}")
