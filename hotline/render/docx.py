"""The upward report as a Word document (`report --format docx`), from a template a line can restyle.

The template (`templates/upward-month.docx`, `upward-year.docx`: the book's first, then the packaged
ones — made by scripts/make_report_templates.py) holds Jinja2 (docxtpl).  It is rendered in a
SANDBOXED environment with autoescaping: templates arrive from other offices and must not run code,
and every value is XML-escaped.  Tables are built with python-docx from the template's own styles
(表格文字 / 表格小字 for their text, Table Grid for their lines), their columns in millimetres
within the page's text width (A4, GB/T 9704 margins: 156 mm), so they are never cut; each replaces
the paragraph `{{p tables.KEY }}` (tables: `render.upward.Table`s).  Charts are PNG images (`render/pngcharts.py`).

docxtpl and python-docx are imported here only, when a Word report is written.
"""
from __future__ import annotations

import io
from typing import Any



TEXT_STYLE, SMALL_STYLE = "表格文字", "表格小字"
CHART_WIDTH_MM = 150


class Block:
    """Ready WordprocessingML (a table) for `{{p ... }}`: inserted as it is, never escaped again."""

    def __init__(self, xml: str):
        self.xml = xml

    def __html__(self) -> str:
        return self.xml

    def __str__(self) -> str:
        return self.xml


def sandboxed_env():
    """The Jinja2 environment for a Word template: sandboxed (no attribute tricks, no code), values
    autoescaped for XML, an unknown name an error; `_("...")` says the catalog's words as in every
    template (the packaged Word templates hold no words of their own: L, title and the tables bring them)."""
    from jinja2 import StrictUndefined

    from .templates import install_words, sandbox_class, words_extension

    env = sandbox_class()(autoescape=True, undefined=StrictUndefined,  # the one sandbox of every book template
                          extensions=[words_extension()])
    install_words(env)
    return env


def _style_of(doc: Any, name: str, fallback: str = "Normal") -> Any:
    try:
        return doc.styles[name]
    except KeyError:
        return doc.styles[fallback]


def _table_xml(scratch: Any, t: Any) -> str:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn
    from docx.shared import Mm

    body = scratch.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    table = scratch.add_table(rows=1 + len(t.rows), cols=len(t.headers))
    try:
        table.style = scratch.styles["Table Grid"]
    except KeyError:
        pass
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    tbl_pr.append(parse_xml(f'<w:tblLayout {nsdecls("w")} w:type="fixed"/>'))
    style_id = _style_of(scratch, SMALL_STYLE if t.small else TEXT_STYLE).style_id  # set by id: looked up once
    widths = t.widths or [156.0 / len(t.headers)] * len(t.headers)
    for i, row in enumerate([t.headers, *t.rows]):
        cells = table.rows[i].cells
        for j, text in enumerate(row):
            cell = cells[j]
            cell.width = Mm(widths[j])
            p = cell.paragraphs[0]
            p._p.get_or_add_pPr().get_or_add_pStyle().val = style_id
            run = p.add_run(str(text))
            run.bold = i == 0
    # the header row repeats on every page a long table runs over
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    tr_pr.append(parse_xml(f'<w:tblHeader {nsdecls("w")}/>'))
    grid = table._tbl.tblGrid
    for j, col in enumerate(grid.findall(qn("w:gridCol"))):
        col.set(qn("w:w"), str(int(widths[j] * 56.7)))
    from lxml import etree

    return etree.tostring(table._tbl, encoding="unicode")


def render_docx(template: bytes, title: str, subtitle: str, tables: list[Any], words: dict[str, str],
                charts: list[bytes], notes: list[str]) -> bytes:
    """The Word document's bytes: `template` rendered with the tables (by key), the charts (PNG) and
    the notes; a template error names what is wrong (BookError)."""
    from docx import Document
    from docx.shared import Mm
    from docxtpl import DocxTemplate, InlineImage
    from jinja2 import TemplateError

    from ..errors import BookError
    from ..i18n import _

    try:
        tpl = DocxTemplate(io.BytesIO(template))
        scratch = Document(io.BytesIO(template))
    except Exception as e:  # not a Word document at all
        raise BookError(_("the Word template cannot be read ({why}); make it again with Word or WPS, or delete "
                          "it to use the built-in one").format(why=type(e).__name__)) from None
    blocks = {t.key: Block(_table_xml(scratch, t)) for t in tables}
    images = [InlineImage(tpl, io.BytesIO(png), width=Mm(CHART_WIDTH_MM)) for png in charts]
    ctx = {"title": title, "subtitle": subtitle, "L": words, "tables": blocks, "charts": images, "notes": notes}
    try:
        tpl.render(ctx, sandboxed_env(), autoescape=True)
    except (TemplateError, OverflowError, ArithmeticError, TypeError, ValueError, LookupError, AttributeError) as e:
        raise BookError(_("Word template error: {why}").format(why=e)) from None
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()
