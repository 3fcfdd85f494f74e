"""The bulletin's words: the domain (`domain.bulletin`) returns ids, numbers and dates; this
chooses the words shown for them — labels from the book's vocabularies (rules.yaml), the tool's
own words through the catalog (`domain.labels`), and the notices as sentences.  It adds the
`*_label` keys the templates, the JSON (SPEC §8: more keys may be added, none removed), the
workbook and the Word report read."""
from __future__ import annotations

from typing import Any

from ..domain import labels
from ..i18n import N_, _

NO_REGION = N_("not given")


def short(label: str) -> str:
    """A grade's label without its explanation: 绿色·问题咨询 → 绿色."""
    return label.split("·")[0]


def _case_words(r: dict[str, Any], rules: Any) -> None:
    V = rules.vocab
    for key, vocab in (("grade", "grade"), ("channel", "channel"), ("role", "role")):
        if key in r:
            r[f"{key}_label"] = V[vocab].label(r[key])
    if "grade" in r:
        r["grade_short_label"] = short(r["grade_label"])
    if "status" in r:
        r["status_label"] = labels.status(r["status"])
    if "outcome" in r:
        r["outcome_label"] = V["outcome"].label(r["outcome"]) if r["outcome"] else ""
    for x in r.get("categories", ()):
        x["label"] = V["category"].label(x["id"])


def alert_text(a: dict[str, Any]) -> str:
    """A points warning (`points.Alert.to_dict`) as a sentence in the reader's language."""
    if a["kind"] == "group_last":
        return _("group {id} {name} last {n} months running: leader to be replaced").format(
            id=a["id"], name=a["name"], n=a["months"])
    if a["kind"] == "person_bottom":
        return _("person {id} {name} among the last {places} for {n} months running: volunteer certificate "
                 "withdrawn").format(id=a["id"], name=a["name"], places=a["places"], n=a["months"])
    return _("groups {names} tie for first with {score}: the committee chooses the group to recommend").format(
        names=a["name"], score=a["score"])


def score_warnings(scores: Any) -> list[str]:
    """The warnings of `points.Scores` as sentences."""
    return [alert_text(a.to_dict()) for a in scores.alerts]


def score_words(d: dict[str, Any]) -> dict[str, Any]:
    """`Scores.to_dict()` as `hotline score --format json` prints it: its alerts said as "warnings"
    (in the same place)."""
    return {("warnings" if k == "alerts" else k): ([alert_text(a) for a in v] if k == "alerts" else v)
            for k, v in d.items()}


def notice_text(n: dict[str, Any]) -> str:
    """One notice of the bulletin (`sections.notices`) as a sentence in the reader's language."""
    kind = n["kind"]
    if kind == "not_begun":
        return _("{month} has not begun: this report has no data").format(month=n["month"])
    if kind == "missing_years":
        return (_("the calendar has no data for {years}: the deadlines of {n} case(s) could not be computed "
                  "(add that year's public holidays and make-up working days to rules.yaml under calendar)")
                .format(years=", ".join(str(y) for y in n["years"]), n=n["cases"]))
    if kind == "provisional":
        return (_("the working days of {years} are provisional (computed from the statutory public holidays, "
                  "without make-up working days): the deadlines of {n} case(s) use them, and figures marked "
                  "{mark} may change when the State Council's notice is published (add it to rules.yaml under "
                  "calendar; `hotline overdue` prints lines to paste)")
                .format(years="、".join(str(y) for y in n["years"]), n=n["cases"], mark=labels.provisional()))
    return _("the deadlines of {n} case(s) could not be computed: {why}").format(n=n["cases"], why=n["why"])


def bulletin_words(data: dict[str, Any], rules: Any) -> dict[str, Any]:
    """`data` with the words for its ids added (in place; returned for convenience)."""
    V = rules.vocab
    vocab_of = {"channel": "channel", "grade": "grade", "role": "role", "category_group": "category_group",
                "category": "category", "region": None, "gender": "gender", "age_group": "age_group", "need": "need"}
    for key, rows in data.get("dist", {}).items():
        vocab = vocab_of.get(key)
        for r in rows:
            r["label"] = V[vocab].label(r["id"]) if vocab else (r["id"] or _(NO_REGION))
            if "group" in r:
                r["group_label"] = V["category_group"].label(r["group"])
    for r in data.get("hot_topics", []) + data.get("rising_topics", []):
        r["label"] = V["category"].label(r["id"])
        if "group" in r:
            r["group_label"] = V["category_group"].label(r["group"])
    for r in data.get("red_cases", {}).get("cases", []):
        _case_words(r, rules)
        r["respond_state_label"] = labels.state(r["respond_state"])
    for r in data.get("closures", {}).get("outcomes", []):
        r["label"] = V["outcome"].label(r["id"])
    overdue = data.get("overdue_at_month_end", {})
    for r in overdue.get("cases", []):
        _case_words(r, rules)
        r["kind_labels"] = [labels.deadline(k) for k in r["kinds"]]
    for r in overdue.get("kinds", []):
        r["label"] = labels.deadline(r["id"])
    for r in data.get("typical_cases", []):
        _case_words(r, rules)
    for g in data.get("grades", []):
        g["label"] = V["grade"].label(g["id"])
        g["short_label"] = short(g["label"])
    risk = V.get("risk")
    for r in (data.get("crisis_levels") or {}).get("levels", []):
        r["label"] = (labels.not_assessed() if r["id"] == "unassessed"
                      else risk.label(r["id"]) if risk is not None else r["id"])
    for r in (data.get("mandatory_reports") or {}).get("cases", []):
        r["state_label"] = labels.state(r["state"])
    data["warnings"] = [notice_text(n) for n in data.get("notices", [])]
    if data.get("ranking"):
        data["ranking"]["warnings"] = [alert_text(a) for a in data["ranking"]["warnings"]]
    return data
