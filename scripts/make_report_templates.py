"""Write the Word templates of the upward report (`report --format docx`): upward-month.docx and
upward-year.docx, into hotline/defaults/templates/ and the demo book's templates/.

Run once after changing this script (python scripts/make_report_templates.py); the files are
committed.  A line restyles its copy in its book's templates/ with Word or WPS: the styles
报告标题 (title), 一级标题 (headings), 正文 (Normal), 表格文字 (table text) and the page set-up are
theirs to change.  Jinja2 inside the document (docxtpl): {{ title }}, {{ L.service }} (a section's
title in the book's language), {{p tables.service }} (a table, replacing its paragraph),
{{ charts.topics }} (a chart image, or nothing).

Official documents (GB/T 9704-2012): A4, margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm;
the title in 方正小标宋简体 二号 (22 pt; Word falls back to 黑体 where it is missing: the font
table names it as the alternative), headings in 黑体 三号, body text in 仿宋 三号 (16 pt), East
Asian fonts set explicitly (w:eastAsia) so Word, WPS and LibreOffice use them for Chinese.
"""
from __future__ import annotations

import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = [ROOT / "hotline" / "defaults" / "templates", ROOT / "templates"]

TITLE_FONT, TITLE_FALLBACK = "方正小标宋简体", "黑体"
HEADING_FONT = "黑体"
BODY_FONT = "仿宋"
LATIN_FONT = "Times New Roman"

MONTH_SECTIONS = ("service", "regions", "special", "crisis_key", "types_sex", "types_age", "referrals", "staff",
                  "training", "comparisons")
YEAR_SECTIONS = ("growth", "months", "topics")


def _fonts(style_or_run, east_asian: str, latin: str = LATIN_FONT) -> None:
    from docx.oxml.ns import qn

    rpr = style_or_run.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for attr, value in (("w:ascii", latin), ("w:hAnsi", latin), ("w:eastAsia", east_asian), ("w:cs", latin)):
        fonts.set(qn(attr), value)
    for hint in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(hint), None)


def _style(doc, name: str, base: str | None, font: str, size: float, bold: bool = False, center: bool = False,
           exact: float | None = None, before: float = 0, after: float = 0):
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Pt

    styles = doc.styles
    st = styles[name] if name in [s.name for s in styles] else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    if base:
        st.base_style = styles[base]
    st.font.size = Pt(size)
    st.font.bold = bold
    st.font.name = LATIN_FONT
    _fonts(st, font)
    pf = st.paragraph_format
    if center:
        pf.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if exact:
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(exact)
    else:
        pf.line_spacing = 1.0
    pf.space_before, pf.space_after = Pt(before), Pt(after)
    return st


def _font_table_fallback(doc) -> None:
    """The font table names 黑体 as the title font's alternative (w:altName): Word uses it where
    方正小标宋简体 is not installed."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import parse_xml
    from docx.oxml.ns import qn

    part = next((r.target_part for r in doc.part.rels.values() if r.reltype == RT.FONT_TABLE), None)
    if part is None:
        return
    root = parse_xml(part.blob)
    for name, alt in ((TITLE_FONT, TITLE_FALLBACK), (BODY_FONT, "FangSong"), (HEADING_FONT, "SimHei")):
        font = root.makeelement(qn("w:font"), {qn("w:name"): name})
        alt_el = font.makeelement(qn("w:altName"), {qn("w:val"): alt})
        font.append(alt_el)
        charset = font.makeelement(qn("w:charset"), {qn("w:val"): "86"})
        font.append(charset)
        root.append(font)
    from lxml import etree

    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page_number_footer(section) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run("— ")
    p._p.append(parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr="PAGE"><w:r><w:t>1</w:t></w:r></w:fldSimple>'))
    p.add_run(" —")


def make(sections: tuple[str, ...], year: bool) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    doc = Document()
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)
    sec.footer_distance = Mm(20)
    normal = doc.styles["Normal"]
    normal.font.name = LATIN_FONT
    from docx.shared import Pt

    normal.font.size = Pt(16)
    _fonts(normal, BODY_FONT)
    _style(doc, "报告标题", "Normal", TITLE_FONT, 22, center=True, before=0, after=12)
    _style(doc, "一级标题", "Normal", HEADING_FONT, 16, before=12, after=6).paragraph_format.keep_with_next = True
    _style(doc, "说明文字", "Normal", BODY_FONT, 12, center=True, after=6)
    _style(doc, "表格文字", "Normal", BODY_FONT, 10.5, center=True)
    _style(doc, "表格小字", "Normal", BODY_FONT, 9, center=True)
    _style(doc, "图表", "Normal", BODY_FONT, 10.5, center=True, before=6, after=6)
    _font_table_fallback(doc)
    _page_number_footer(sec)
    doc.add_paragraph("{{ title }}", style="报告标题")
    doc.add_paragraph("{{ subtitle }}", style="说明文字")
    for key in sections:
        doc.add_paragraph("{{ L.%s }}" % key, style="一级标题")
        doc.add_paragraph("{{p tables.%s }}" % key)
    doc.add_paragraph("{%p if charts %}")
    doc.add_paragraph("{{ L.charts }}", style="一级标题")
    doc.add_paragraph("{%p for chart in charts %}")
    doc.add_paragraph("{{ chart }}", style="图表")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{%p for note in notes %}")
    doc.add_paragraph("{{ note }}", style="说明文字")
    doc.add_paragraph("{%p endfor %}")
    doc.core_properties.title = "{{ title }}"
    doc.core_properties.author = "hotline"
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def main() -> int:
    files = {"upward-month.docx": make(MONTH_SECTIONS, False), "upward-year.docx": make(YEAR_SECTIONS, True)}
    for d in TARGETS:
        d.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            (d / name).write_bytes(data)
            print(f"wrote {d / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
