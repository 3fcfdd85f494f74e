"""Jinja2 templates: the book's own `templates/` first, then the packaged defaults.

StrictUndefined, autoescape for HTML; user text is only ever data, never a template.
"""
from __future__ import annotations

from pathlib import Path

DEFAULT_TEMPLATES = Path(__file__).resolve().parent.parent / "defaults" / "templates"


def jinja_env(book_root: Path):
    """Templates from the book's templates/ first, then the packaged defaults."""
    from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=ChoiceLoader([
            FileSystemLoader(str(book_root / "templates")),
            FileSystemLoader(str(DEFAULT_TEMPLATES)),
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

    from ..errors import BookError

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
