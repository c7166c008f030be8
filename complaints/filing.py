"""The filing draft: what a complainant has typed so far, kept in their session between steps.

Sessions live in the cache (settings.SESSION_ENGINE), never in the database, so an unfinished
narrative leaves no trace in a database dump. Each step's raw POST data is kept as typed, even
when it does not validate yet, so that nothing is lost when a step fails or the person goes back.
"""

import contextlib
import hashlib
import os
import secrets
import time
from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import models
from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from complaints.forms import (
    AboutYouForm,
    ConsentsForm,
    RemediesForm,
    VictimFormSet,
    WhatHappenedForm,
)
from complaints.models import Complaint, ViolationCategory
from complaints.receipts import receipt_hash

SESSION_KEY = "filing"
RECEIPT_TTL_SECONDS = 30 * 60


@dataclass(frozen=True)
class Step:
    slug: str
    title: Promise
    form_class: type | None = None


STEPS = [
    Step("about", _("About you"), AboutYouForm),
    Step("victims", _("The people affected"), VictimFormSet),
    Step("what", _("What happened"), WhatHappenedForm),
    Step("remedies", _("Remedies and requests"), RemediesForm),
    Step("evidence", _("Evidence")),
    Step("consents", _("Consent"), ConsentsForm),
    Step("review", _("Check and send")),
]
STEP_BY_SLUG = {step.slug: step for step in STEPS}
FORM_STEPS = [step for step in STEPS if step.form_class]


def next_step(step: Step) -> Step:
    return STEPS[STEPS.index(step) + 1]


def previous_step(step: Step) -> Step | None:
    index = STEPS.index(step)
    return STEPS[index - 1] if index else None


@dataclass
class Draft:
    """A view of the filing dict in the session; `save()` marks the session modified."""

    session: SessionBase
    state: dict = field(init=False)

    def __post_init__(self) -> None:
        self.state = self.session.setdefault(
            SESSION_KEY, {"data": {}, "evidence": [], "token": secrets.token_urlsafe(32)}
        )

    @property
    def token(self) -> str:
        return self.state["token"]

    @property
    def evidence(self) -> list[dict]:
        return self.state["evidence"]

    def raw(self, step: Step) -> QueryDict | None:
        stored = self.state["data"].get(step.slug)
        return None if stored is None else step_querydict(stored)

    def keep(self, step: Step, data: QueryDict) -> None:
        self.state["data"][step.slug] = {
            key: values for key, values in data.lists() if key != "csrfmiddlewaretoken"
        }
        self.save()

    @staticmethod
    def form_for(step: Step, data: QueryDict | None) -> forms.BaseForm | forms.BaseFormSet:
        if step.form_class is VictimFormSet:
            return VictimFormSet(data, prefix="victims")
        return step.form_class(data)

    def bind(self, step: Step) -> forms.BaseForm | forms.BaseFormSet:
        return self.form_for(step, self.raw(step))

    def first_incomplete(self) -> Step | None:
        for step in FORM_STEPS:
            if self.raw(step) is None or not self.bind(step).is_valid():
                return step
        return None

    def cleaned(self) -> dict[str, dict | list]:
        """The cleaned data of every step; call only when first_incomplete() is None."""
        result: dict[str, dict | list] = {}
        for step in FORM_STEPS:
            bound = self.bind(step)
            bound.is_valid()
            if isinstance(bound, forms.BaseFormSet):
                result[step.slug] = [
                    f.cleaned_data
                    for f in bound.forms
                    if f.cleaned_data and not f.cleaned_data.get("DELETE")
                ]
            else:
                result[step.slug] = bound.cleaned_data
        return result

    def summary(self) -> list[dict]:
        """The answers given, step by step, as (question, readable answer) for the review page."""
        sections = []
        for step in FORM_STEPS:
            bound = self.bind(step)
            bound.is_valid()
            if isinstance(bound, forms.BaseFormSet):
                rows = [
                    _person_row(number, form)
                    for number, form in enumerate(
                        (f for f in bound.forms if not f.cleaned_data.get("DELETE")), start=1
                    )
                ]
            else:
                rows = [
                    (field.label, _readable(field, bound.cleaned_data.get(name)))
                    for name, field in bound.fields.items()
                ]
            answered = [(label, value) for label, value in rows if value]
            sections.append({"title": step.title, "slug": step.slug, "rows": answered})
        evidence_rows = [
            (item["name"] or _("(no name)"), item["description"]) for item in self.evidence
        ]
        sections.insert(4, {"title": _("Evidence"), "slug": "evidence", "rows": evidence_rows})
        return sections

    def add_evidence(self, descriptor: dict) -> None:
        self.evidence.append(descriptor)
        self.save()

    def remove_evidence(self, key: str) -> dict | None:
        for item in self.evidence:
            if item["key"] == key:
                self.evidence.remove(item)
                self.save()
                return item
        return None

    def save(self) -> None:
        self.session.modified = True

    def discard(self) -> None:
        self.session.pop(SESSION_KEY, None)


def step_querydict(values: dict) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, value in values.items():
        data.setlist(key, value if isinstance(value, list) else [value])
    return data


def victims_querydict(people: list[dict]) -> QueryDict:
    values = {"victims-TOTAL_FORMS": str(len(people)), "victims-INITIAL_FORMS": "0"}
    for index, person in enumerate(people):
        values.update({f"victims-{index}-{key}": value for key, value in person.items()})
    return step_querydict(values)


def step_cleaned(form: forms.BaseForm | forms.BaseFormSet) -> dict | list:
    """The cleaned data of a valid step; raises ValueError with the errors otherwise."""
    if not form.is_valid():
        errors = (
            form.errors
            if isinstance(form, forms.BaseForm)
            else [*form.errors, *form.non_form_errors()]
        )
        raise ValueError(f"invalid step data: {errors}")
    if isinstance(form, forms.BaseFormSet):
        return [
            f.cleaned_data
            for f in form.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
    return form.cleaned_data


def victims_with_another(data: QueryDict, *, prefix: str = "victims") -> VictimFormSet:
    """The people described so far, unvalidated, and one more empty person to describe."""
    formset = VictimFormSet(data, prefix=prefix)
    people = [
        {
            key: form.data.get(form.add_prefix(key), "")
            for key in ("name", "sex", "age_group", "situation")
        }
        for form in formset.forms[: formset.total_form_count()]
    ]
    return VictimFormSet(initial=[*people, {}], prefix=prefix)


def steps_from_data(data: dict) -> dict:
    """Cleaned data of every form step from plain data: {"about": {...}, "victims": [...]...}."""
    cleaned = {}
    for step in FORM_STEPS:
        values = data[step.slug]
        raw = (
            victims_querydict(values)
            if step.form_class is VictimFormSet
            else (step_querydict(values))
        )
        cleaned[step.slug] = step_cleaned(Draft.form_for(step, raw))
    return cleaned


def _person_row(number: int, form: forms.Form) -> tuple[str, str]:
    label = _("Person %(number)d") % {"number": number}
    name = form.cleaned_data.get("name")
    details = [
        _readable(form.fields[key], form.cleaned_data.get(key))
        for key in ("sex", "age_group", "situation")
    ]
    return (f"{label}: {name}" if name else label), ", ".join(details)


def _readable(field: forms.Field, value: object) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(_readable(field, item) for item in value)
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, models.Choices):
        return ""  # filled in by the form's clean() (filing for oneself), not an answer
    if isinstance(value, ViolationCategory):
        return value.label((get_language() or "en")[:2])
    choices = dict(_flat_choices(getattr(field, "choices", [])))
    if value in choices:
        return str(choices[value]) if value != "" else ""
    return "" if value is None else str(value)


def _flat_choices(choices: object) -> list[tuple]:
    flat = []
    for key, label in choices:
        if isinstance(label, list | tuple):
            flat.extend(label)
        else:
            flat.append((key, label))
    return flat


def _receipt_cache_key(token: str) -> str:
    return "receipt:" + hashlib.sha256(token.encode()).hexdigest()


def receipt_hold(*, token: str, receipt: str) -> bool:
    """Keep a receipt drawn for a filing before its complaint is committed, unless another
    press of the same filing already holds one: that press may be the one whose complaint is
    committed, and its receipt must not be replaced by one that will open nothing. Returns
    whether this receipt is the one kept."""
    return cache.add(
        _receipt_cache_key(token), {"reference": None, "receipt": receipt}, RECEIPT_TTL_SECONDS
    )


def receipt_hand_over(*, token: str, reference: str | None, receipt: str) -> None:
    # Held only in the cache (memory), for the receipt page to show; never in the database.
    # Set once the complaint is committed: its receipt, with its reference, is the true one.
    cache.set(
        _receipt_cache_key(token), {"reference": reference, "receipt": receipt}, RECEIPT_TTL_SECONDS
    )


def receipt_pending(token: str) -> dict | None:
    return cache.get(_receipt_cache_key(token))


def receipt_confirmed(token: str, *, wait_seconds: float = 0) -> dict | None:
    """The receipt kept for a filing, only if it opens the complaint that filing committed.

    Two presses of "Send" draw a receipt each before either commits; the cache may hold the one
    whose complaint was never written until the press that committed sets its own, just after
    its commit. Shown unchecked, it would lock the person out of their complaint. A press that
    lost waits up to `wait_seconds` for the winner's receipt.
    """
    deadline = time.monotonic() + wait_seconds
    while True:
        pending = receipt_pending(token)
        complaint = (
            Complaint.objects.filter(submission_token=token)
            .values("reference", "receipt_hash")
            .first()
        )
        if pending and complaint and receipt_hash(pending["receipt"]) == complaint["receipt_hash"]:
            return {"reference": complaint["reference"], "receipt": pending["receipt"]}
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.1)


def receipt_forget(token: str) -> None:
    cache.delete(_receipt_cache_key(token))


TRACKING_SESSION_KEY = "tracking_complaint"


def filing_keep_alive(session: SessionBase) -> None:
    """Start or renew a filing on each of its requests: session id, idle timeout, files' age.

    A session that a receipt opened keeps the tracking timeout (at most 30 minutes): filing a
    new complaint must not stretch how long an open case stays readable on a phone. Touching the
    draft's uploads tells `purge_abandoned_uploads` that their filing is still in progress.
    """
    if SESSION_KEY not in session:
        # A filing starts under a session id of its own: a cookie planted on a shared computer
        # beforehand never sees what is typed, nor the receipt.
        session.cycle_key()
    if TRACKING_SESSION_KEY in session:
        session.set_expiry(settings.TRACKING_IDLE_MINUTES * 60)
    else:
        session.set_expiry(settings.FILING_IDLE_MINUTES * 60)
    for item in session.get(SESSION_KEY, {}).get("evidence", []):
        with contextlib.suppress(FileNotFoundError, NotImplementedError):
            os.utime(default_storage.path(item["path"]))


def draft_files_missing(draft: Draft) -> list[dict]:
    return [item for item in draft.evidence if not default_storage.exists(item["path"])]
