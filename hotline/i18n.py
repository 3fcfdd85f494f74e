"""Messages in the volunteers' language: gettext catalogs, chosen per book and per person.

Source strings are English; `hotline/locale/<lang>/LC_MESSAGES/hotline.po` translates them
(maintained with Babel: extract → update → compile; the compiled `.mo` ships in the package).
The language is, in order: `$HOTLINE_LANG`, the book's `rules.yaml` `language:`, `zh-CN`.

    from .i18n import _, ngettext
    raise UsageError(_("unknown partner '{value}'; partners in roster.yaml: {known}").format(...))

Ids (`phone`, `gray`) and option names (`--note`) are never translated; they are placeholders.
"""
from __future__ import annotations

import gettext as _gettext
import os
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Iterator

DOMAIN = "hotline"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("zh-CN", "en")
DEFAULT = "zh-CN"

# The language a command speaks, set for the length of one run (`speaking`); no module-level
# variable changes as a side effect. Outside a run: $HOTLINE_LANG, else the default.
_spoken: ContextVar[str | None] = ContextVar("hotline_language", default=None)


def normalise(lang: str | None) -> str | None:
    """'zh_CN', 'zh-cn', 'zh', 'zh_CN.UTF-8' → 'zh-CN'; 'en_US' → 'en'; unknown → None."""
    if not lang:
        return None
    code = lang.split(".")[0].replace("_", "-").lower()
    if code.startswith("zh"):
        return "zh-CN"
    if code.startswith("en") or code in ("c", "posix"):
        return "en"
    return None


def choose(book_language: str | None = None) -> str:
    """The language: $HOTLINE_LANG wins, then the book's, then the default."""
    return normalise(os.environ.get("HOTLINE_LANG")) or normalise(book_language) or DEFAULT


@contextmanager
def speaking(book_language: str | None = None) -> Iterator[str]:
    """Messages in the chosen language (`choose`) inside the block, as they were after it."""
    token = _spoken.set(choose(book_language))
    try:
        yield _spoken.get()
    finally:
        _spoken.reset(token)


def language() -> str:
    return _spoken.get() or choose()


@lru_cache(maxsize=None)
def _translation(lang: str):
    if lang == "en":
        return _gettext.NullTranslations()
    return _gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang.replace("-", "_")], fallback=True)


def _tr():
    return _translation(language())


def _(message: str) -> str:
    """The message in the current language."""
    return _tr().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _tr().ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """A short word whose translation depends on where it is used (e.g. 'open' as a status)."""
    return _tr().pgettext(context, message)


def every_language(message: str) -> set[str]:
    """The message as each language says it (the English id and every translation): what a
    reader may type back for one of the tool's own words, whatever the book's language."""
    return {message} | {_translation(lang).gettext(message) for lang in LANGUAGES}


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet (translated where it is shown)."""
    return message
