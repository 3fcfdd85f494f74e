"""The monthly bulletin rendered: Markdown or HTML through the book's templates, or JSON.

The numbers come from `domain/bulletin` (pure); this picks the format.  The JSON escapes
< > & as \\u003c \\u003e \\u0026 so it can be pasted into a page.
"""
from __future__ import annotations

from typing import Any

REPORT_FORMATS = ("md", "html", "json")
TEMPLATES = {"md": "report.md.j2", "html": "report.html.j2"}


def bulletin_json(data: dict) -> str:
    from .tables import to_json

    return to_json(data).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_report(book: Any, data: dict, fmt: str) -> str:
    """The bulletin `data` (domain.bulletin.bulletin) in `fmt`: md, html or json, through the
    templates of `book` (its `template_source` and `rules`).  Markdown escapes every value
    itself (render.markdown), HTML autoescapes."""
    from .templates import render_template

    if fmt == "json":
        return bulletin_json(data)
    if fmt == "md":
        ctx = dict(data)
        ctx.update(report=data, label=book.rules.label)
    else:
        from .charts import GRADE_COLORS, svg_bars, svg_trend

        ctx = dict(data)
        ctx.update(report=data, label=book.rules.label, svg_bars=svg_bars, svg_trend=svg_trend,
                   grade_colors=GRADE_COLORS)
    return render_template(book.template_source, TEMPLATES[fmt], ctx, book.template_cache)
