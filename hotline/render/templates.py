"""Jinja2 templates, rendered from sources the caller hands over (the book's `templates/`
first, then the packaged defaults — see `storage/templates.py`).

A book's templates arrive from other offices by `sync` (whoever can write the shared
repository wrote them), so every template runs in Jinja2's sandbox: no attribute that starts
with `_`, no method that changes data, no Python reached from a template; a template that tries
is an error naming it, and nothing runs.  Sizes are bounded too (`range`, `*`, `**`), so a
template cannot eat the memory.

StrictUndefined; HTML templates autoescape; Markdown templates escape every printed value
for Markdown (`markdown.finalize`).  User text is only ever data, never a template.

A template's own words go through the gettext catalog like every other message (`words`):
`{{ _("Cases received: {n}", n=received) }}` is the sentence in the command's language
(hotline.i18n), its `{name}` placeholders filled with values escaped for the output (Markdown or
HTML) — a value already safe (`{% set n %}**{{ received }}**{% endset %}`, md(...)) goes in as
it is, so markup stays outside the translated words.  `ngettext(singular, plural, count, ...)`
and `pgettext(context, message, ...)` likewise.  `{% trans %}` is not available: its values
would be escaped for HTML, not for Markdown.  A template without `_()` renders as it did.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable

from .. import i18n
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


_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([A-Za-z_]\w*)\}")
_MARK = "\ue000{}\ue001"        # a placeholder while the words around it are escaped (private use)
_MARKED = re.compile("\ue000(\\d+)\ue001")


def fill(text: str, values: dict[str, Any], escape_text: Callable[[str], str],
         escape_value: Callable[[Any], str]) -> str:
    """`text` escaped, each `{name}` replaced by its value — escaped, unless it is already safe
    (it has `__html__`); `{{` and `}}` are braces.  Only plain names: no attribute or index
    (`{x.y}`, `{x[0]}`) is ever looked up, so a template cannot reach past the values it gives."""
    names: list[str] = []

    def mark(m: re.Match) -> str:
        if m.group(1) is None:
            return m.group(0)[0]
        if m.group(1) not in values:
            raise LookupError(_("the words '{text}' need a value for {name}").format(text=text, name=m.group(0)))
        names.append(m.group(1))
        return _MARK.format(len(names) - 1)

    escaped = escape_text(_PLACEHOLDER.sub(mark, text))

    def put(m: re.Match) -> str:
        value = values[names[int(m.group(1))]]
        return str(value.__html__()) if hasattr(value, "__html__") else escape_value(value)

    return _MARKED.sub(put, escaped)


def words(markdown: bool):
    """gettext, ngettext and pgettext for templates: the catalog's words in the command's
    language, escaped for the template's output (Markdown: `markdown.md_words`, each value as
    `markdown.finalize` escapes a printed one; HTML: autoescaping; plain text: as they are), placeholders filled by `fill`.
    What they return is safe: printed as it is, never escaped twice."""
    from jinja2 import pass_eval_context
    from markupsafe import Markup, escape as html_escape

    from .markdown import MdSafe, finalize, md_words

    def out(eval_ctx, text: str, values: dict[str, Any]) -> str:
        if markdown:
            return MdSafe(fill(text, values, md_words, lambda v: str(finalize(v))))
        if eval_ctx.autoescape:
            return Markup(fill(text, values, lambda t: str(html_escape(t)), lambda v: str(html_escape(v))))
        return fill(text, values, str, str)

    @pass_eval_context
    def gettext(eval_ctx, message: str, **values: Any) -> str:
        return out(eval_ctx, _(message), values)

    @pass_eval_context
    def ngettext(eval_ctx, singular: str, plural: str, n: int, **values: Any) -> str:
        values.setdefault("n", n)
        return out(eval_ctx, i18n.ngettext(singular, plural, n), values)

    @pass_eval_context
    def pgettext(eval_ctx, context: str, message: str, **values: Any) -> str:
        return out(eval_ctx, i18n.pgettext(context, message), values)

    return gettext, ngettext, pgettext


def words_extension():
    """Jinja2's i18n extension without its `{% trans %}` tag (see the module's docstring): `_()`,
    `gettext`, `ngettext`, `pgettext` only."""
    from jinja2.ext import InternationalizationExtension

    class Words(InternationalizationExtension):
        tags: set[str] = set()

    return Words


def install_words(env: Any, markdown: bool = False) -> None:
    """The catalog's words in `env` (built with `words_extension()`), and `language`, the
    command's language (for `<html lang=...>`)."""
    gettext, ngettext, pgettext = words(markdown)
    env.install_gettext_callables(gettext, ngettext, newstyle=False, pgettext=pgettext)
    env.globals["language"] = i18n.language()


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
        extensions=[words_extension()],
    )
    install_words(env, markdown)
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
