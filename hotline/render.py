"""Output formats, chosen apart from the numbers: table, json, csv, and Jinja2 templates."""
from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any, Sequence

LIST_FORMATS = ("table", "json", "csv")


def _plain(v: Any) -> Any:
    if isinstance(v, datetime):
        return v.isoformat(timespec="seconds")
    if isinstance(v, date):
        return v.isoformat()
    return v


def to_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=_plain)


def rows_out(rows: Sequence[dict], fmt: str, columns: Sequence[tuple[str, str]]) -> str:
    """rows: dicts of plain values; columns: (key, header) pairs for table and csv."""
    if fmt == "json":
        return to_json([{k: _plain(v) for k, v in r.items()} for r in rows])
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow([k for k, _ in columns])
        for r in rows:
            w.writerow([_cell(r.get(k)) for k, _ in columns])
        return buf.getvalue().rstrip("\n")
    from tabulate import tabulate

    return tabulate([[_cell(r.get(k)) for k, _ in columns] for r in rows], headers=[h for _, h in columns],
                    disable_numparse=True)


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M")
    if isinstance(v, (list, tuple)):
        return ", ".join(str(x) for x in v)
    return str(v)


def jinja_env(book_root: Path):
    """Templates from the book's templates/ first, then the packaged defaults."""
    from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=ChoiceLoader([
            FileSystemLoader(str(book_root / "templates")),
            FileSystemLoader(str(Path(__file__).parent / "defaults" / "templates")),
        ]),
        autoescape=select_autoescape(enabled_extensions=("html", "htm", "html.j2"), default_for_string=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["dt"] = lambda v, fmt="%Y-%m-%d %H:%M": v.strftime(fmt) if hasattr(v, "strftime") else v
    return env


def render_template(book_root: Path, name: str, context: dict) -> str:
    """Render templates/<name>; a template error names the template and its line."""
    from jinja2 import TemplateError, TemplateSyntaxError

    from .errors import BookError

    env = jinja_env(book_root)
    try:
        return env.get_template(name).render(**context)
    except TemplateSyntaxError as e:
        raise BookError(f"template error: {e.message}", Path("templates") / (e.name or name), e.lineno) from None
    except TemplateError as e:
        line = _template_line(e, name)
        raise BookError(f"template error: {e}", Path("templates") / name, line) from None


def _template_line(exc: BaseException, name: str) -> int | None:
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(name):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
