"""Asking a person at a terminal: one small interface, two front ends.

- `RichTerminal` (prompt_toolkit) on a real terminal — Linux and macOS terminals, Windows
  Terminal, PowerShell and cmd: line editing that is right for Chinese (wide characters,
  backspace, arrows, input methods), a pasted message kept whole in the field it was pasted
  into (bracketed paste), lists filtered as you type, the answer kept when it is refused.
- `LineTerminal` reads whole lines: for Git Bash (mintty) on Windows, whose stdin is a pipe
  and not a terminal, and for scripts that answer on stdin (`HOTLINE_INTERACTIVE=1`).  A long
  text there ends with an empty line, so a pasted message stays in its field too.

`ask` keeps asking until `parse` accepts the answer (parse raises UsageError with the reason);
Ctrl-C and Ctrl-D raise `Cancelled`, and the caller decides what that means.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

from ..errors import UsageError
from ..i18n import _
from ..render.text import safe


class Cancelled(Exception):
    """Ctrl-C (or Ctrl-D) at a prompt; `partial` is what had been typed there, so that going on
    puts it back in the line."""

    def __init__(self, partial: str = ""):
        super().__init__(partial)
        self.partial = partial


@dataclass
class Option:
    """A choice: its id, its label, and words it is also found by (pinyin initials …)."""

    id: str
    label: str
    keys: tuple[str, ...] = ()


def interactive_terminal(no_input: bool) -> "LineTerminal | None":
    """The terminal to ask on, or None when nobody can be asked (then every missing field is
    an error that says what to give)."""
    if no_input:
        return None
    if os.environ.get("HOTLINE_INTERACTIVE") == "1" and not sys.stdin.isatty():
        return LineTerminal()
    if sys.stdin.isatty() and sys.stdout.isatty():
        return RichTerminal()
    if os.name == "nt" and os.environ.get("MSYSTEM") and os.environ.get("TERM"):
        return LineTerminal()  # Git Bash (mintty): stdin is a pipe, but a person types into it
    return None


class LineTerminal:
    """Whole lines from stdin, answers and questions on stdout."""

    rich = False

    def __init__(self, stdin=None, stdout=None):
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout

    def say(self, text: str = "") -> None:
        self.stdout.write(safe(text) + "\n")
        self.stdout.flush()

    def _line(self) -> str:
        try:
            line = self.stdin.readline()
        except KeyboardInterrupt:
            raise Cancelled() from None
        if line == "":
            raise Cancelled()  # end of input
        return line.rstrip("\r\n")

    def ask(self, prompt: str, parse: Callable[[str], Any], *, multiline: bool = False, default: str = "",
            prefill: str = "", options: Sequence[Option] = (), hint: str = "") -> Any:
        """Ask until `parse` accepts the answer.  An empty answer means `default` (shown in
        brackets); `prefill` is put in the line to be edited (a line-based terminal shows it as
        the default instead)."""
        default = default or prefill
        while True:
            shown = f"{prompt}" + (f" [{default}]" if default and not multiline else "") + (f" {hint}" if hint else "")
            if multiline:
                self.say(f"{shown} " + _("(end with an empty line)"))
                lines: list[str] = []
                while True:
                    try:
                        line = self._line()
                    except Cancelled:
                        raise Cancelled("\n".join(lines)) from None  # the lines already typed are kept
                    if line == "":
                        break
                    lines.append(line)
                text = "\n".join(lines) or default
            else:
                self.stdout.write(safe(shown) + ": ")
                self.stdout.flush()
                text = self._line() or default
            try:
                return parse(text)
            except UsageError as e:
                self.say("  " + str(e))


class RichTerminal(LineTerminal):
    """prompt_toolkit: completion menus that filter as you type, multi-line text, a toolbar."""

    rich = True

    def __init__(self):
        super().__init__()
        from prompt_toolkit import PromptSession

        self.session: Any = PromptSession()

    def say(self, text: str = "") -> None:
        from prompt_toolkit import print_formatted_text

        print_formatted_text(safe(text))

    def ask(self, prompt: str, parse: Callable[[str], Any], *, multiline: bool = False, default: str = "",
            prefill: str = "", options: Sequence[Option] = (), hint: str = "") -> Any:
        from prompt_toolkit.validation import ValidationError

        def check(text: str) -> None:
            try:
                parse(text or default)
            except UsageError as e:
                raise ValidationError(message=str(e), cursor_position=len(text)) from None

        bar = hint or (_("Enter: done · Alt+Enter: new line · Ctrl+C: stop") if multiline
                       else _("Enter: done · Tab: choices · Ctrl+C: stop") if options else _("Enter: done · Ctrl+C: stop"))
        try:
            shown = safe(prompt) + (f" [{safe(default)}]" if default else "")
            text = self.session.prompt(
                shown + ("\n" if multiline else ": "), default=prefill, multiline=multiline,
                key_bindings=_multiline_keys() if multiline else None,
                completer=_Completer(options) if options else None, complete_while_typing=bool(options),
                validator=_PtValidator(check),
                validate_while_typing=False, bottom_toolbar=bar, prompt_continuation=lambda w, n, s: "  ")
        except (KeyboardInterrupt, EOFError):
            raise Cancelled(self.session.default_buffer.text) from None  # the half-typed answer, to put back
        return parse(text or default)


def _multiline_keys():
    """In a long text: Enter finishes (a pasted text keeps its line breaks), Alt+Enter breaks a line."""
    from prompt_toolkit.key_binding import KeyBindings

    kb = KeyBindings()

    @kb.add("enter")
    def _(event) -> None:
        event.current_buffer.validate_and_handle()

    @kb.add("escape", "enter")
    def _(event) -> None:
        event.current_buffer.insert_text("\n")

    return kb


def _PtValidator(check: Callable[[str], None]):
    from prompt_toolkit.validation import Validator

    class V(Validator):
        def validate(self, document) -> None:
            check(document.text)

    return V()


def matches(option: Option, word: str) -> int:
    """How well `word` finds `option` (0: not at all; higher is better): the id, the Chinese
    label or an abbreviation of it (家暴 → 家庭暴力), its pinyin initials or full pinyin
    (jb, jiating → 家庭暴力)."""
    w = word.strip().lower()
    if not w:
        return 1
    if w == option.id.lower():
        return 6
    if option.id.lower().startswith(w):
        return 5
    if w in option.label.lower():
        return 4
    for k in option.keys:
        if k.startswith(w):
            return 3
    initials = option.keys[0] if option.keys else ""
    it = iter(initials)
    if initials and all(ch in it for ch in w):
        return 2
    it = iter(option.label.lower())
    if all(ch in it for ch in w):   # an abbreviation: 家暴 → 家庭暴力
        return 2
    return 0


def _Completer(options: Sequence[Option]):
    """Completions for the word being typed (after the last separator of a multiple choice)."""
    from prompt_toolkit.completion import Completer, Completion

    class C(Completer):
        def get_completions(self, document, complete_event) -> Iterable[Completion]:
            before = document.text_before_cursor
            start = max(before.rfind(s) for s in (",", "，", "、", " ", ";", "；")) + 1
            word = before[start:]
            ranked = sorted(((matches(o, word), i, o) for i, o in enumerate(options)), key=lambda t: (-t[0], t[1]))
            for score, i, o in ranked:
                if score:
                    yield Completion(o.id, start_position=-len(word), display=f"{i + 1:>2} {o.label}",
                                     display_meta=o.id)

    return C()


def pinyin_keys(label: str) -> tuple[str, ...]:
    """(initials, full pinyin) of a Chinese label, for type-ahead: 家庭暴力 → ('jtbl', 'jiatingbaoli')."""
    try:
        from pypinyin import Style, lazy_pinyin
    except ImportError:  # pragma: no cover - a dependency; without it labels and ids still work
        return ()
    initials = "".join(p[0] for p in lazy_pinyin(label, style=Style.FIRST_LETTER) if p and p[0].isalnum()).lower()
    full = "".join(p for p in lazy_pinyin(label) if p.isalnum()).lower()
    return initials, full
