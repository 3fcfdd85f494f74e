"""Jinja2 templates, rendered from sources the caller hands over (the book's `templates/`
first, then the packaged defaults — see `storage/templates.py`).

StrictUndefined; HTML templates autoescape; Markdown templates escape every printed value
for Markdown (`markdown.finalize`).  User text is only ever data, never a template.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..i18n import _

# name -> (source, filename) or None when there is no such template
Source = Callable[[str], "tuple[str, str] | None"]


def jinja_env(source: Source, markdown: bool = False, cache: Path | None = None):
    """The environment; `cache` is a folder for compiled templates (a throwaway cache, checked
    against each template's source, so an edited template is compiled again)."""
    from jinja2 import Environment, FileSystemBytecodeCache, FunctionLoader, StrictUndefined, select_autoescape

    from .markdown import finalize, join, md_cell, md_text

    def load(name: str):
        found = source(name)
        if found is None:
            return None
        text, filename = found
        return text, filename, lambda: False  # read once per command: never reloaded

    env = Environment(
        loader=FunctionLoader(load),
        # Markdown: autoescaping on, and `finalize` makes each value inert for Markdown first
        autoescape=True if markdown else select_autoescape(enabled_extensions=("html", "htm", "html.j2"),
                                                           default_for_string=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=finalize if markdown else None,
        bytecode_cache=FileSystemBytecodeCache(str(cache)) if cache is not None else None,
    )
    env.filters["dt"] = lambda v, fmt="%Y-%m-%d %H:%M": v.strftime(fmt) if hasattr(v, "strftime") else v
    if markdown:
        env.globals.update(md=md_text, md_cell=md_cell)
        env.filters["join"] = join
    return env


def render_template(source: Source, name: str, context: dict, cache: Path | None = None) -> str:
    """Render template `name`; a template error names the template and its line."""
    from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError

    from ..errors import BookError

    env = jinja_env(source, markdown=name.endswith((".md.j2", ".md")), cache=cache)
    try:
        return env.get_template(name).render(**context)
    except TemplateNotFound:
        raise BookError(_("template '{name}' is missing (neither templates/{name2} nor the built-in one)").format(name=name, name2=name)) from None
    except TemplateSyntaxError as e:
        raise BookError(_("template error: {message}").format(message=e.message), Path("templates") / (e.name or name), e.lineno) from None
    except TemplateError as e:
        raise BookError(_("template error: {why}").format(why=e), Path("templates") / name, _template_line(e, name)) from None


def _template_line(exc: BaseException, name: str) -> int | None:
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(name):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
