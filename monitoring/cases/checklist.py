"""The admissibility checklist: what a treaty body asks before the merits, pre-answered.

Pure functions over plain values from the complaint, so that each pre-answer can be tested
without a database. The rapporteur confirms or corrects each answer and may comment; the answers
are recorded with the proposed decision.
"""

import json
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

YES, NO, UNCLEAR = "yes", "no", "unclear"
ANSWERS = [(YES, _("Yes")), (NO, _("No")), (UNCLEAR, _("Unclear"))]


@dataclass(frozen=True)
class Question:
    key: str
    text: str


QUESTIONS = [
    Question(
        "remedies",
        _("Were remedies at home tried, or is there a good reason why they were not?"),
    ),
    Question("other_body", _("Is the matter free of any other international procedure?")),
    Question("dates", _("Are the dates of the events known well enough?")),
    Question("authority", _("May the complainant act for the victims?")),
    Question("danger", _("Is everyone safe from immediate danger?")),
]


@dataclass(frozen=True)
class Facts:
    """What the complaint says that the checklist reads (plain values, no model)."""

    remedies_tried: str  # "yes" / "no"
    no_remedy_reasons: tuple[str, ...]
    other_procedure: str  # "no" / "yes" / "unknown"
    date_precision: str  # "day" / "month" / "year" / "unknown"
    relationship: str  # "self", "family", …
    authority: str  # "not_needed", "written", "oral", "unable", "none"
    immediate_danger: bool


@dataclass(frozen=True)
class PreAnswer:
    answer: str
    basis: str  # what in the complaint suggests it


def pre_answers(facts: Facts) -> dict[str, PreAnswer]:
    return {
        "remedies": _remedies(facts),
        "other_body": _other_body(facts),
        "dates": _dates(facts),
        "authority": _authority(facts),
        "danger": _danger(facts),
    }


def _remedies(facts: Facts) -> PreAnswer:
    if facts.remedies_tried == "yes":
        return PreAnswer(YES, str(_("The complainant says remedies were tried.")))
    if facts.no_remedy_reasons:
        return PreAnswer(YES, str(_("Not tried; the complainant gives reasons why not.")))
    return PreAnswer(UNCLEAR, str(_("Not tried, and no reason given.")))


def _other_body(facts: Facts) -> PreAnswer:
    if facts.other_procedure == "no":
        return PreAnswer(YES, str(_("The complainant says no other body was seized.")))
    if facts.other_procedure == "yes":
        return PreAnswer(NO, str(_("The complainant says another body was seized.")))
    return PreAnswer(UNCLEAR, str(_("The complainant does not know.")))


def _dates(facts: Facts) -> PreAnswer:
    if facts.date_precision in {"day", "month"}:
        return PreAnswer(YES, str(_("A day or month is given.")))
    if facts.date_precision == "year":
        return PreAnswer(UNCLEAR, str(_("Only the year is given.")))
    return PreAnswer(UNCLEAR, str(_("No date is given.")))


def _authority(facts: Facts) -> PreAnswer:
    if facts.relationship == "self" or facts.authority in {"not_needed", "written"}:
        return PreAnswer(YES, str(_("Filed by the victim, or with written authority.")))
    if facts.authority in {"oral", "unable"}:
        return PreAnswer(
            UNCLEAR, str(_("Oral agreement, or the victim cannot agree: check the details."))
        )
    return PreAnswer(NO, str(_("The complainant has no agreement from the victims.")))


def _danger(facts: Facts) -> PreAnswer:
    if facts.immediate_danger:
        return PreAnswer(NO, str(_("Someone is in immediate danger: consider protection first.")))
    return PreAnswer(YES, str(_("No immediate danger was reported.")))


def facts_of(complaint: object) -> Facts:
    """The checklist's facts from a complaint and its complainant."""
    return Facts(
        remedies_tried=complaint.remedies_tried,
        no_remedy_reasons=tuple(complaint.no_remedy_reasons),
        other_procedure=complaint.other_procedure,
        date_precision=complaint.incident_date_precision,
        relationship=complaint.complainant.relationship,
        authority=complaint.complainant.authority,
        immediate_danger=complaint.immediate_danger,
    )


def checklist_record(answers: dict[str, tuple[str, str]]) -> str:
    """The checklist as stored with the proposal: {key: {"answer", "comment"}}, in order."""
    return json.dumps(
        {q.key: {"answer": answers[q.key][0], "comment": answers[q.key][1]} for q in QUESTIONS},
        ensure_ascii=False,
    )


def checklist_read(record: str) -> list[tuple[str, str, str]]:
    """(question, answer label, comment) for each question of a stored checklist."""
    stored = json.loads(record or "{}")
    labels = dict(ANSWERS)
    return [
        (
            str(q.text),
            str(labels.get(stored.get(q.key, {}).get("answer", ""), "—")),
            stored.get(q.key, {}).get("comment", ""),
        )
        for q in QUESTIONS
    ]
