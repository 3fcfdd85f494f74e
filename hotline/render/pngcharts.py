"""The bulletin's charts as PNG images, for the Word report (a document cannot show the HTML
bulletin's inline SVG everywhere: WPS and older Word do not).

Drawn with Pillow — one small, widely packaged library with wheels for every platform — rather than
converting the SVG (cairosvg needs the cairo C library; matplotlib is large).  Chinese labels need a
CJK font on the machine: the usual ones of Windows, macOS and Linux are looked for
(`$HOTLINE_CHART_FONT` names another); without one the charts are left out and the report says so
(the tables hold the same numbers).  Pillow is imported here only.
"""
from __future__ import annotations

import io
import os
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from .charts import GRADE_COLORS, PALETTE

FONT_CANDIDATES = (
    # Linux (fonts-noto-cjk, fonts-wqy-*), Windows, macOS
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "C:/Windows/Fonts/msyh.ttc", "C:/Windows/Fonts/simhei.ttf", "C:/Windows/Fonts/simsun.ttc",
    "/System/Library/Fonts/PingFang.ttc", "/System/Library/Fonts/STHeiti Light.ttc",
    "/Library/Fonts/Arial Unicode.ttf",
)
SCALE = 2   # drawn at twice the size, for print


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """A font file that has Chinese, or None."""
    named = os.environ.get("HOTLINE_CHART_FONT")
    for p in ([named] if named else []) + list(FONT_CANDIDATES):
        if p and Path(p).is_file():
            return p
    for folder in ("/usr/share/fonts", "/usr/local/share/fonts", str(Path.home() / ".fonts")):
        if Path(folder).is_dir():
            for f in sorted(Path(folder).rglob("*CJK*")):
                if f.suffix.lower() in (".ttc", ".otf", ".ttf"):
                    return str(f)
    return None


def _font(size: int):
    from PIL import ImageFont

    path = cjk_font()
    assert path is not None
    return ImageFont.truetype(path, size * SCALE)


def _hex(c: str) -> tuple[int, int, int]:
    c = c.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def _png(img) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def bars(rows: Sequence[tuple[str, int]], title: str) -> bytes | None:
    """Horizontal bars [(label, count)] under a title; None without a CJK font or rows."""
    from PIL import Image, ImageDraw

    rows = [(label, n) for label, n in rows if n]
    if not rows or cjk_font() is None:
        return None
    f, small, big = _font(14), _font(13), _font(16)
    width, bar_h, gap, top = 600, 24, 8, 40
    draw0 = ImageDraw.Draw(Image.new("RGB", (10, 10)))
    label_w = min(220, max(draw0.textlength(lab, font=f) for lab, _n in rows) / SCALE + 16)
    height = top + len(rows) * (bar_h + gap) + 10
    img = Image.new("RGB", (width * SCALE, height * SCALE), "white")
    d = ImageDraw.Draw(img)
    d.text((width * SCALE // 2, 12 * SCALE), title, font=big, fill=(40, 40, 40), anchor="mt")
    peak = max(n for _l, n in rows)
    span = width - label_w - 70
    for i, (label, n) in enumerate(rows):
        y = top + i * (bar_h + gap)
        d.text(((label_w - 8) * SCALE, (y + bar_h / 2) * SCALE), label, font=f, fill=(50, 50, 50), anchor="rm")
        w = max(2, span * n / peak)
        d.rectangle([label_w * SCALE, y * SCALE, (label_w + w) * SCALE, (y + bar_h) * SCALE],
                    fill=_hex(PALETTE[i % len(PALETTE)]))
        d.text(((label_w + w + 6) * SCALE, (y + bar_h / 2) * SCALE), str(n), font=small, fill=(70, 70, 70), anchor="lm")
    return _png(img)


def columns(months: Sequence[dict], grades: Sequence[dict], title: str, month_word: str) -> bytes | None:
    """Stacked columns per month (`received`, `by_grade`), a legend of the grades; None without a font."""
    from PIL import Image, ImageDraw

    if cjk_font() is None or not months:
        return None
    width, height = 600, 300
    left, right, top, bottom = 20, 10, 70, 30
    img = Image.new("RGB", (width * SCALE, height * SCALE), "white")
    d = ImageDraw.Draw(img)
    f, small, big = _font(13), _font(12), _font(16)
    d.text((width * SCALE // 2, 12 * SCALE), title, font=big, fill=(40, 40, 40), anchor="mt")
    x = left
    for i, g in enumerate(grades):
        color = _hex(GRADE_COLORS.get(g["id"]) or PALETTE[i % len(PALETTE)])
        d.rectangle([x * SCALE, 40 * SCALE, (x + 12) * SCALE, 52 * SCALE], fill=color)
        lab = str(g["label"]).split("·")[0]
        d.text(((x + 16) * SCALE, 46 * SCALE), lab, font=f, fill=(50, 50, 50), anchor="lm")
        x += 16 + d.textlength(lab, font=f) / SCALE + 20
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([int(m["received"]) for m in months] + [1])
    col = plot_w / len(months)
    bw = col * 0.6
    d.line([left * SCALE, (top + plot_h) * SCALE, (width - right) * SCALE, (top + plot_h) * SCALE], fill=(150, 150, 150),
           width=SCALE)
    for i, m in enumerate(months):
        cx = left + col * i + (col - bw) / 2
        y = top + plot_h
        for j, g in enumerate(grades):
            n = int(m["by_grade"].get(g["id"], 0))
            if not n:
                continue
            h = plot_h * n / peak
            color = _hex(GRADE_COLORS.get(g["id"]) or PALETTE[j % len(PALETTE)])
            d.rectangle([cx * SCALE, (y - h) * SCALE, (cx + bw) * SCALE, y * SCALE], fill=color)
            y -= h
        if m["received"]:
            d.text(((cx + bw / 2) * SCALE, (y - 4) * SCALE), str(m["received"]), font=small, fill=(50, 50, 50),
                   anchor="mb")
        mm = int(str(m["month"]).split("-")[1])
        d.text(((cx + bw / 2) * SCALE, (top + plot_h + 8) * SCALE), month_word.format(m=mm), font=small,
               fill=(80, 80, 80), anchor="mt")
    return _png(img)
