"""Jinja2 templates, rendered from sources the caller hands over (the book's `templates/`
first, then the packaged defaults — see `storage/templates.py`).

A book's templates arrive from other offices by `sync` (whoever can write the shared
repository wrote them), so every template runs in Jinja2's sandbox: no attribute that starts
with `_`, no method that changes data, no Python reached from a template; a template that tries
is an error naming it, and nothing runs.  Sizes are bounded too (`range`, `*`, `**`), so a
template cannot eat the memory.

StrictUndefined; HTML templates autoescape; Markdown templates escape every printed value
for Markdown (`markdown.finalize`).  User text is only ever data, never a template.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..i18n import _

# name -> (source, filename) or None when there is no such template
Source = Callable[[str], "tuple[str, str] | None"]


MAX_PRODUCT = 1_000_000  # items or characters a template's `*` or `**` may make


def sandbox_class():
    """Jinja2's immutable sandbox, with `*` and `**` bounded (the sandbox bounds `range` itself)."""
    from jinja2.exceptions import SecurityError
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class Sandbox(ImmutableSandboxedEnvironment):
        intercepted_binops = frozenset(["*", "**"])

        def call_binop(self, context, operator, left, right):
            if operator == "**" and isinstance(right, (int, float)) and abs(right) > 64:
                raise SecurityError(_("a power above 64 is not allowed in a template"))
            if operator == "*":
                for a, b in ((left, right), (right, left)):
                    if isinstance(a, (str, list, tuple, bytes)) and isinstance(b, int) and len(a) * b > MAX_PRODUCT:
                        raise SecurityError(_("a template may not make a text or list of more than {n} items")
                                            .format(n=MAX_PRODUCT))
            return super().call_binop(context, operator, left, right)

    return Sandbox


def jinja_env(source: Source, markdown: bool = False, cache: Path | None = None):
    """The sandboxed environment; `cache` is a folder for compiled templates (a throwaway cache,
    checked against each template's source, so an edited template is compiled again)."""
    from jinja2 import FileSystemBytecodeCache, FunctionLoader, StrictUndefined, select_autoescape

    from .markdown import finalize, join, md_cell, md_text

    def load(name: str):
        found = source(name)
        if found is None:
            return None
        text, filename = found
        return text, filename, lambda: False  # read once per command: never reloaded

    env = sandbox_class()(
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
    from jinja2.exceptions import SecurityError

    from ..errors import BookError

    env = jinja_env(source, markdown=name.endswith((".md.j2", ".md")), cache=cache)
    try:
        return env.get_template(name).render(**context)
    except TemplateNotFound:
        raise BookError(_("template '{name}' is missing (neither templates/{name2} nor the built-in one)").format(name=name, name2=name)) from None
    except (SecurityError, OverflowError) as e:
        raise BookError(_("template refused: it tries something a template may not do ({why}); templates can "
                          "only lay out the report's data — restore it from a fresh `hotline init` or ask who "
                          "changed it (`git log templates/`)").format(why=e), Path("templates") / name,
                        _template_line(e, name)) from None
    except TemplateSyntaxError as e:
        raise BookError(_("template error: {message}").format(message=e.message), Path("templates") / (e.name or name), e.lineno) from None
    except TemplateError as e:
        raise BookError(_("template error: {why}").format(why=e), Path("templates") / name, _template_line(e, name)) from None
    except (ArithmeticError, TypeError, ValueError, LookupError, AttributeError, RecursionError, MemoryError) as e:
        # a template's own mistake (1/0, a wrong type): named with its line, never a traceback
        raise BookError(_("template error: {why}").format(why=f"{type(e).__name__}: {e}"), Path("templates") / name,
                        _template_line(e, name)) from None


def _template_line(exc: BaseException, name: str) -> int | None:
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(name):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
