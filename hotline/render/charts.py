"""The bulletin's charts as inline SVG (no scripts, no network, no external files).

Every label is escaped before it becomes Markup.
"""
from __future__ import annotations

from typing import Any, Sequence

from ..i18n import _, pgettext
from .words import short

GRADE_COLORS = {"green": "#2f9e5b", "red": "#d64541", "gray": "#8a8f98"}
PALETTE = ("#3b6fb6", "#e08e2b", "#7a5cb8", "#2aa6a0", "#c2577f", "#6b8e23", "#9c6b3a", "#4f6d7a")


def _esc(text: Any) -> str:
    """Escaped for SVG; a title the template's words made (Markup, already escaped) as it is."""
    from markupsafe import escape

    return str(escape(text))


def _color(key: str, i: int) -> str:
    return GRADE_COLORS.get(key) or PALETTE[i % len(PALETTE)]


def _text_width(text: str, size: float) -> float:
    """Rough rendered width: CJK and full-width characters are about one em, the rest ~0.6 em."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.6 for ch in text)


# On a phone the charts shrink with the page; below these widths they stop shrinking and scroll
# sideways in their own box instead, so no label is drawn smaller than about 10 px.
BARS_MIN_PX, TREND_MIN_PX, TREND_MAX_PX = 340, 480, 760


def _scrolling(svg: str, min_px: int, max_px: int | None = None, latest_first: bool = False) -> str:
    """The chart in a box of its own that scrolls sideways when the page is narrower than
    `min_px` (inline styles: it works in any template, the book's own included).  With
    `latest_first` the box opens at its right end — the latest months — (a right-to-left box
    around a left-to-right chart: no script needed)."""
    limit = f"max-width:{max_px}px;" if max_px else ""
    rtl = "direction:ltr;margin-right:auto;" if latest_first else ""
    svg = svg.replace('<svg class="chart', f'<svg style="min-width:{min_px}px;{limit}{rtl}" class="chart', 1)
    box = "overflow-x:auto;-webkit-overflow-scrolling:touch" + (";direction:rtl" if latest_first else "")
    return f'<div class="chart-box" style="{box}">{svg}</div>'


def svg_bars(rows: Sequence[dict], title: str = "", colors: dict[str, str] | None = None,
             skip_zero: bool = False, limit: int | None = None):
    """A horizontal bar chart of rows [{id, label, count}] as inline SVG Markup."""
    from markupsafe import Markup

    rows = [r for r in rows if r.get("count") or not skip_zero]
    if limit is not None:
        rows = rows[:limit]
    if not rows:
        empty = _("(no data this month)")
        return Markup(f'<p class="empty">{_esc(empty)}</p>')
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
            f'<text x="{label_w + w + 6:.1f}" y="{y + bar_h / 2:.1f}" dominant-baseline="central" font-size="14" '
            f'fill="#555">{n}{_esc(pct)}</text>'
        )
    parts.append("</svg>")
    return Markup(_scrolling("".join(parts), BARS_MIN_PX))


FONT, SMALL = 15, 13  # the trend chart's labels, in its 600-wide viewBox: ≥ 10 px at TREND_MIN_PX


def svg_trend(trend: Sequence[dict], grades: Sequence[dict], title: str = ""):
    """Stacked columns per month, one colour per grade, with a legend; inline SVG Markup."""
    from markupsafe import Markup

    width, height = 600, 270
    left, right, top, bottom = 40, 10, 34, 48
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
        parts.append(f'<rect x="{x}" y="6" width="14" height="14" rx="2" fill="{_color(g["id"], i)}"/>')
        lab = short(str(g["label"]))
        parts.append(f'<text x="{x + 18}" y="13" dominant-baseline="central" font-size="{FONT}" fill="#333">{_esc(lab)}</text>')
        x += 18 + _text_width(lab, FONT) + 18
    # grid
    v = 0
    while v <= ymax:
        y = top + plot_h - plot_h * v / ymax
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e3e3e3" stroke-width="1"/>')
        parts.append(f'<text x="{left - 6}" y="{y:.1f}" text-anchor="end" dominant-baseline="central" font-size="{SMALL}" fill="#777">{v}</text>')
        v += step
    # columns
    month_label = pgettext("chart: a month", "{m}")
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
            parts.append(f'<text x="{cx + bw / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" font-size="{SMALL}" fill="#333">{int(m["received"])}</text>')
        yy, mm = str(m["month"]).split("-")
        parts.append(f'<text x="{cx + bw / 2:.1f}" y="{top + plot_h + 18}" text-anchor="middle" font-size="{FONT}" fill="#555">{_esc(month_label.format(m=int(mm)))}</text>')
        if i == 0 or mm == "01":
            parts.append(f'<text x="{cx + bw / 2:.1f}" y="{top + plot_h + 38}" text-anchor="middle" font-size="{SMALL}" fill="#888">{_esc(yy)}</text>')
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="#999" stroke-width="1"/>')
    parts.append("</svg>")
    return Markup(_scrolling("".join(parts), TREND_MIN_PX, TREND_MAX_PX, latest_first=True))


def _nice_step(peak: int) -> int:
    for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if peak / s <= 5:
            return s
    return 10 ** len(str(peak))
