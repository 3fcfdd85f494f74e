"""The registration form on a terminal: intake asks it, amend shows it filled in.

The questions follow the line's own flow (seed 000: 个案接入 → 需求了解 → 情况分级 → 问题识别 →
用户分类 → 需求回应 → 个案记录): channel, needs, grade (then the crisis level, for the grades that ask
it), categories, caller role, caller details (then the age of the person harmed, when the mandatory
report's categories concern someone other than the caller), summary, response, personal data,
consent to publish.  Each answer is checked at its own
prompt and asked again when refused (nothing answered is lost); clear text is searched for
personal data, which can be moved to the encrypted fields or removed; a review screen shows
every answer (personal data masked) before anything is written: save, change one, or discard.
Ctrl-C asks whether to discard.  Nothing is ever written to disk before "save".
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Callable

from ..domain import detect
from ..domain.cases import MAX_SHORT, IntakeInput, clean_text
from ..errors import UsageError
from ..i18n import N_, _
from .terminal import Cancelled, Option, matches, pinyin_keys


class Discarded(Exception):
    """The person chose to discard the form."""


@dataclass(frozen=True)
class Question:
    key: str              # the IntakeInput attribute
    title: str            # N_-marked, translated where shown
    kind: str             # choice | multi | text | long | yesno
    vocab: str | None = None
    required: bool = False
    personal: bool = False  # encrypted: shown masked on the review screen
    clear: bool = False     # kept in clear: searched for personal data
    when: str | None = None  # asked only when it applies: "risk" (the grade asks it), "victim" (domain.safety)
    blank: Any = "unknown"  # a choice left empty
    review_only: bool = False  # not asked in turn: shown on the review screen, changed by its number


QUESTIONS = (
    Question("channel", N_("Channel (how they reached us)"), "choice", "channel", required=True),
    Question("needs", N_("Needs"), "multi", "need", required=True),
    Question("grade", N_("Grade"), "choice", "grade", required=True),
    Question("risk", N_("Crisis level (Enter: not assessed yet)"), "choice", "risk", when="risk", blank=None),
    Question("categories", N_("Problem categories"), "multi", "category", required=True),
    Question("role", N_("Caller's role"), "choice", "role", required=True),
    Question("gender", N_("Gender"), "choice", "gender"),
    Question("age_group", N_("Age group"), "choice", "age_group"),
    Question("victim_age_group", N_("Age group of the person harmed, if not the caller"), "choice", "age_group",
             when="victim", blank=None),
    Question("region", N_("Region (city or county, for statistics)"), "text", clear=True),
    Question("occupation", N_("Occupation (for statistics)"), "text", clear=True),
    Question("summary", N_("Summary: what the caller asked (no names or numbers)"), "long", required=True, clear=True),
    Question("response", N_("Response: what you said or did"), "long", clear=True),
    Question("name", N_("Caller's name or how to address them (encrypted)"), "text", personal=True),
    Question("contact", N_("Contact: phone, WeChat, QQ or e-mail (encrypted)"), "text", personal=True),
    Question("address", N_("Address (encrypted)"), "text", personal=True),
    Question("notes", N_("Identifying notes (encrypted)"), "long", personal=True),
    Question("consent_publish", N_("May the case be published, anonymised, as a typical case? (y/N)"), "yesno"),
    Question("difficult", N_("A difficult call? (y/N)"), "yesno", review_only=True),
    Question("key_case", N_("A key case for the line's attention? (y/N)"), "yesno", review_only=True),
)
BY_KEY = {q.key: q for q in QUESTIONS}
SEPARATORS = re.compile(r"[,，、;；\s]+")
CONTACT_KINDS = ("mobile", "landline", "email", "account")


def _typed(text: str) -> str:
    """Full-width letters and digits typed with a Chinese input method, as ASCII."""
    return unicodedata.normalize("NFKC", text).strip()


class Form:
    def __init__(self, term, rules, raw: IntakeInput, title: str):
        self.term, self.rules, self.raw, self.title = term, rules, raw, title
        self._options: dict[str, list[Option]] = {}

    # ------------------------------------------------------------ answers
    def options(self, vocab: str) -> list[Option]:
        if vocab not in self._options:
            v = self.rules.vocab[vocab]
            self._options[vocab] = [Option(k, lab, pinyin_keys(lab)) for k, lab in v.labels.items()]
        return self._options[vocab]

    def _one(self, vocab: str, word: str) -> str:
        """One choice: its number, id or label — or a few letters that find exactly one
        (part of the label, pinyin initials `jb` → 家庭暴力, the start of the id)."""
        opts = self.options(vocab)
        w = _typed(word)
        if w.isdigit() and 1 <= int(w) <= len(opts):
            return opts[int(w) - 1].id
        try:
            return self.rules.vocab[vocab].resolve(w)
        except UsageError:
            scored = [(matches(o, w), o) for o in opts]
            top = max((sc for sc, _o in scored), default=0)
            best = [o for sc, o in scored if sc == top and top >= 2]
            if len(best) == 1:
                return best[0].id
            if best:
                raise UsageError(_("'{word}' could be {choices}: type a little more").format(
                    word=word, choices="、".join(o.label for o in best[:8]))) from None
            raise

    def parser(self, q: Question) -> Callable[[str], Any]:
        def parse(text: str) -> Any:
            t = text.strip()
            if q.kind == "yesno":
                if _typed(t).lower() in ("", "n", "no", "否", "不", "不同意", "0"):
                    return False
                if _typed(t).lower() in ("y", "yes", "是", "同意", "1"):
                    return True
                raise UsageError(_("answer y (yes) or n (no)"))
            if not t:
                if q.required:
                    raise UsageError(_("an answer is needed here"))
                return [] if q.kind == "multi" else (q.blank if q.kind == "choice" else "")
            if q.kind == "choice":
                return self._one(q.vocab, t)
            if q.kind == "multi":
                return list(dict.fromkeys(self._one(q.vocab, w) for w in SEPARATORS.split(t) if w))
            limit = MAX_SHORT if q.kind == "text" else 5000
            return clean_text(text, _(q.title), limit=limit)
        return parse

    def show_value(self, q: Question) -> str:
        """An answer as the review screen shows it: labels for ids, personal data masked."""
        value = getattr(self.raw, q.key)
        if q.kind == "yesno":
            return _("yes") if value else _("no")
        if q.kind in ("choice", "multi"):
            ids = value if isinstance(value, list) else ([value] if value else [])
            return "、".join(self.rules.vocab[q.vocab].label(x) for x in ids) or "—"
        if not value:
            return "—"
        if q.personal:
            return mask(q.key, value)
        return value.replace("\n", " ⏎ ")

    def ask(self, q: Question) -> None:
        """Ask one question until its answer is accepted (Ctrl-C: discard, or go on — with what was
        half typed put back in the line)."""
        typed: str | None = None
        while True:
            try:
                current = self._as_text(q, getattr(self.raw, q.key))
                if q.kind in ("choice", "multi") and not self.term.rich:
                    self._list(q)
                opts = self.options(q.vocab) if q.vocab else ()
                hint = _("(several: 1,3 or parts of the labels, 、 between them)") if q.kind == "multi" else ""
                edit = q.kind in ("text", "long")  # text is put in the line to be edited; a choice is the default
                prefill = typed if typed else (current if edit else "")
                value = self.term.ask(_(q.title), self.parser(q), multiline=q.kind == "long",
                                      default="" if edit else current, prefill=prefill,
                                      options=opts, hint=hint)
                setattr(self.raw, q.key, value)
                if q.clear:
                    self.personal_data(q)
                return
            except Cancelled as c:
                self.maybe_discard()
                typed = c.partial

    def _as_text(self, q: Question, value: Any) -> str:
        if q.kind == "yesno":
            return "y" if value else ""
        if q.kind in ("choice", "multi"):
            ids = value if isinstance(value, list) else ([value] if value and value != "unknown" else [])
            return "、".join(self.rules.vocab[q.vocab].label(x) for x in ids)
        return value or ""

    def _list(self, q: Question) -> None:
        """The numbered choices, in columns (a line-based terminal has no completion menu)."""
        opts = self.options(q.vocab)
        cells = [f"{i:>2} {o.label}" for i, o in enumerate(opts, 1)]
        per_row = 3 if len(cells) > 8 else 1
        for i in range(0, len(cells), per_row):
            self.term.say("  " + "".join(c.ljust(20) for c in cells[i:i + per_row]).rstrip())

    def maybe_discard(self) -> None:
        try:
            ok = self.term.ask(_("Discard this form? Nothing has been saved (y/N)"), self.parser(YESNO))
        except Cancelled:
            ok = True
        if ok:
            raise Discarded()

    # ------------------------------------------------------------ personal data in clear text
    def personal_data(self, q: Question) -> None:
        """Offer to move what looks like personal data out of a clear-text answer: contact
        details into the encrypted contact (when empty), anything else into the notes."""
        def edit(text: str) -> str:
            return self.term.ask(_(q.title), self.parser(q), multiline=q.kind == "long", prefill=text)

        def target(kind: str) -> str:
            return "contact" if kind in CONTACT_KINDS and not self.raw.contact else "notes"

        text, moved = sift(self.term, _short(q.title), getattr(self.raw, q.key), edit,
                           lambda kind: _short(BY_KEY[target(kind)].title))
        setattr(self.raw, q.key, text)
        for kind, found in moved:
            key = target(kind)
            setattr(self.raw, key, f"{self.raw.notes}\n{found}".strip() if key == "notes" else found)

    # ------------------------------------------------------------ the whole form
    def applies(self, q: Question) -> bool:
        """Whether the question is asked, given the answers so far (domain.safety's rules)."""
        from ..domain import safety

        if q.when == "risk":
            return safety.asks_risk(self.rules, self.raw.grade)
        if q.when == "victim":
            return safety.asks_victim_age(self.rules, self.raw.categories or [], self.raw.role)
        return True

    def questions(self) -> list[Question]:
        return [q for q in QUESTIONS if self.applies(q)]

    def fill(self, skip: set[str]) -> None:
        """Ask every question not answered already (by an option), in the line's order."""
        for q in QUESTIONS:
            if not self.applies(q) or q.review_only and q.key not in skip:
                continue
            if q.key not in skip:
                self.ask(q)
            elif q.clear and getattr(self.raw, q.key):
                self.personal_data(q)

    def review(self, save: Callable[[], Any]) -> Any:
        """The review screen until the person saves (then `save()` is returned) or discards.
        A refusal from `save` (UsageError) is shown, and the form stays on screen."""
        while True:
            self.term.say()
            self.term.say(self.title)
            shown = self.questions()
            for i, q in enumerate(shown, 1):
                self.term.say(f"  {i:>2} {_short(q.title)}: {self.show_value(q)}")
            try:
                choice = self.term.ask(_("Enter or s: save · a number: change it · d: discard"),
                                       _review_choice(len(shown)))
            except Cancelled:
                self.maybe_discard()
                continue
            if choice == "d":
                self.maybe_discard()
                continue
            if choice == "s":
                try:
                    return save()
                except UsageError as e:
                    self.term.say("  " + str(e))
                    continue
            self.ask(shown[choice - 1])


YESNO = Question("discard", "", "yesno")


def _short(title: str) -> str:
    """A question's title without its hint: up to the first bracket or colon (ASCII or full-width)."""
    return re.split(r"[(:（：]", _(title), maxsplit=1)[0].strip()


def sift(term, field: str, text: str, edit: Callable[[str], str],
         where: Callable[[str], str]) -> tuple[str, list[tuple[str, str]]]:
    """Go through what the detector finds in `text`, asking for each: move it to the encrypted
    fields (`where(kind)` names them), remove it, or edit the text (`edit`).  Returns the text
    left and what was moved out, as (kind, text) pairs."""
    moved: list[tuple[str, str]] = []
    while True:
        found = detect.find(text)
        if not found:
            return text, moved
        f = found[0]
        term.say(_("! {field} holds what looks like a {kind}: «{text}». In clear it would stay in git for good.")
                 .format(field=field, kind=_(detect.KINDS[f.kind]), text=f.text))
        choice = term.ask(_("1 move it to the encrypted {where} · 2 remove it · 3 edit the text").format(where=where(f.kind)),
                          _choice_of(3), default="1")
        if choice == 3:
            text = edit(text)
            continue
        if choice == 1:
            moved.append((f.kind, f.text.strip()))
        text = _cut(text, f.start, f.end)


def _choice_of(n: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        t = _typed(text)
        if t.isdigit() and 1 <= int(t) <= n:
            return int(t)
        raise UsageError(_("answer a number from 1 to {n}").format(n=n))
    return parse


def _review_choice(n: int) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        t = _typed(text).lower()
        if t in ("", "s", "save", "保存"):
            return "s"
        if t in ("d", "discard", "放弃"):
            return "d"
        if t.isdigit() and 1 <= int(t) <= n:
            return int(t)
        raise UsageError(_("answer s to save, d to discard, or a number from 1 to {n} to change it").format(n=n))
    return parse


def _cut(text: str, start: int, end: int) -> str:
    """`text` without [start, end), the seam tidied (no doubled spaces, no dangling ：)."""
    before, after = text[:start].rstrip(" ：:"), text[end:].lstrip(" ")
    joined = before + (" " if before and after and before[-1].isascii() and after[0].isascii() else "") + after
    return re.sub(r"[ \t]{2,}", " ", joined).strip()


def mask(key: str, value: str) -> str:
    """Personal data shown on the review screen: enough to recognise, not to copy."""
    v = value.strip()
    if key == "name":
        return v[:1] + "*" * max(len(v) - 1, 1)
    if key == "contact":
        return (v[:3] + "*" * (len(v) - 5) + v[-2:]) if len(v) > 6 else "*" * len(v)
    return _("(given, kept encrypted)")
