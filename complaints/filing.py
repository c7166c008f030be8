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
from collections.abc import Callable
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


# Questions asked only when an earlier answer makes them apply. The pages branch on the answers
# already saved, so that a phone without JavaScript never shows a question that does not apply.
def always(_data: QueryDict) -> bool:
    return True


FOR_SOMEONE_ELSE = ("relationship", "organisation_name", "authority", "authority_details")
ASKED_ONLY_IF = {
    "full_name": lambda data: data.get("anonymous") != "yes",
    **{name: (lambda data: data.get("filing_for") != "self") for name in FOR_SOMEONE_ELSE},
}


@dataclass(frozen=True)
class Page:
    """One page of the filing: a few questions of a step, so that no phone page is a wall.

    A step's answers are kept and checked together, as one form; a page shows and checks only
    its own questions (all of them when `fields` is empty) and only those that apply.
    """

    slug: str
    title: Promise
    step: Step
    fields: tuple[str, ...] = ()

    def asked(self, data: QueryDict | None) -> list[str]:
        """The page's questions that apply, given the step's answers so far."""
        data = data if data is not None else QueryDict()
        return [name for name in self.fields if ASKED_ONLY_IF.get(name, always)(data)]

    def applies(self, data: QueryDict | None) -> bool:
        return self.whole_step or bool(self.asked(data))

    @property
    def whole_step(self) -> bool:
        return not self.fields


PAGES = [
    Page("about", _("About you"), STEP_BY_SLUG["about"], ("filing_for", "anonymous")),
    Page("about-you", _("Who you are"), STEP_BY_SLUG["about"], ("full_name", *FOR_SOMEONE_ELSE)),
    Page(
        "contact",
        _("How to reach you"),
        STEP_BY_SLUG["about"],
        ("contact_channel", "contact_details", "safe_contact_instructions"),
    ),
    Page(
        "where",
        _("Where you live"),
        STEP_BY_SLUG["about"],
        (
            "country_of_residence",
            "residence_status",
            "nationality",
            "unhcr_number",
            "preferred_language",
        ),
    ),
    Page("victims", _("The people affected"), STEP_BY_SLUG["victims"]),
    Page("what", _("What happened"), STEP_BY_SLUG["what"], ("categories",)),
    Page(
        "when",
        _("When, where and who"),
        STEP_BY_SLUG["what"],
        (
            "incident_year",
            "incident_month",
            "incident_day",
            "incident_country",
            "incident_place",
            "perpetrators",
        ),
    ),
    Page(
        "account",
        _("In your own words"),
        STEP_BY_SLUG["what"],
        ("narrative", "is_ongoing", "immediate_danger", "danger_details"),
    ),
    Page("remedies", _("Remedies and requests"), STEP_BY_SLUG["remedies"]),
    Page("evidence", _("Evidence"), STEP_BY_SLUG["evidence"]),
    Page("consents", _("Consent"), STEP_BY_SLUG["consents"]),
    Page("review", _("Check and send"), STEP_BY_SLUG["review"]),
]
PAGE_BY_SLUG = {page.slug: page for page in PAGES}
FORM_PAGES = [page for page in PAGES if page.step.form_class]
# What a page posts to steer, not to answer: never kept in the draft.
CONTROL_KEYS = {"csrfmiddlewaretoken", "next", "back", "add_person", "return_to", "language"}


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

    def keep(self, page: Page, data: QueryDict, *, sent: bool) -> None:
        """Keep what a page posted: its own questions replaced (an unticked box is not posted),
        the step's other answers left as they were."""
        stored = {} if page.whole_step else dict(self.state["data"].get(page.step.slug, {}))
        for name in page.fields:
            stored.pop(name, None)
        # Only the step's own questions: anything else posted would only grow the session.
        stored.update({key: values for key, values in data.lists() if step_field(page.step, key)})
        self.state["data"][page.step.slug] = stored
        self.state.setdefault("seen", [])
        if sent and page.slug not in self.state["seen"]:
            self.state["seen"].append(page.slug)
        self.save()

    def seen(self, page: Page) -> bool:
        """Whether this page was sent at least once: only then are its errors shown."""
        return page.slug in self.state.get("seen", [])

    def form_for(self, step: Step, data: QueryDict | None) -> forms.BaseForm | forms.BaseFormSet:
        if step.slug == "consents":
            about = self.raw(STEP_BY_SLUG["about"])
            return ConsentsForm(data, contact_channel=about and about.get("contact_channel"))
        return form_of(step, data)

    def bind(self, step: Step) -> forms.BaseForm | forms.BaseFormSet:
        return self.form_for(step, self.raw(step))

    def page_form(self, page: Page) -> forms.BaseForm | forms.BaseFormSet:
        """The page's step form: bound once the page was sent, so that it shows its errors;
        otherwise unbound, showing what the step already holds without calling it wrong."""
        raw = self.raw(page.step)
        if raw is None or self.seen(page) or page.step.form_class is VictimFormSet:
            return self.form_for(page.step, raw)
        form = self.form_for(page.step, None)
        form.initial = {
            name: field.widget.value_from_datadict(raw, {}, name)
            for name, field in form.fields.items()
            if name in raw
        }
        return form

    def page_complete(self, page: Page) -> bool:
        if page.step.form_class is None:
            return True
        raw = self.raw(page.step)
        if raw is None:
            return False  # nothing saved for the step yet (a page skipped, a session expired)
        form = self.form_for(page.step, raw)
        if page.whole_step:
            return form.is_valid()
        return not page_errors(form, page.asked(raw))

    def first_incomplete(self) -> Page | None:
        for page in FORM_PAGES:
            if page.applies(self.raw(page.step)) and not self.page_complete(page):
                return page
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
        """The answers given, page by page, as (question, readable answer) for the review page;
        a question that does not apply (a name after choosing anonymous) is not shown."""
        sections = []
        for page in PAGES[:-1]:
            if page.slug == "evidence":
                rows = [
                    (item["name"] or _("(no name)"), item["description"]) for item in self.evidence
                ]
                sections.append({"title": page.title, "slug": page.slug, "rows": rows})
                continue
            raw = self.raw(page.step)
            if not page.applies(raw):
                continue
            bound = self.form_for(page.step, raw)
            if not bound.is_bound:
                continue  # nothing saved for it: the review is not reached before it is
            bound.is_valid()
            if isinstance(bound, forms.BaseFormSet):
                rows = [
                    _person_row(number, form)
                    for number, form in enumerate(
                        (f for f in bound.forms if not f.cleaned_data.get("DELETE")), start=1
                    )
                ]
            else:
                names = page.asked(raw) if page.fields else list(bound.fields)
                rows = [
                    (
                        bound.fields[name].label,
                        _readable(bound.fields[name], bound.cleaned_data.get(name)),
                    )
                    for name in names
                ]
            answered = [(label, value) for label, value in rows if value]
            sections.append({"title": page.title, "slug": page.slug, "rows": answered})
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


def form_of(step: Step, data: QueryDict | None) -> forms.BaseForm | forms.BaseFormSet:
    if step.form_class is VictimFormSet:
        return VictimFormSet(data, prefix="victims")
    return step.form_class(data)


def step_field(step: Step, key: str) -> bool:
    """Whether a posted key answers one of the step's questions."""
    if step.form_class is VictimFormSet:
        return key.startswith("victims-")
    return key in step.form_class.base_fields


def page_errors(form: forms.BaseForm, names: list[str]) -> dict[str, list[str]]:
    """The errors of a page's own questions, in the order the page asks them."""
    return {name: form.errors[name] for name in names if name in form.errors}


def next_page(page: Page, data_of: Callable[[Step], QueryDict | None]) -> Page:
    """The next page with a question that applies (the review page always does)."""
    for following in PAGES[PAGES.index(page) + 1 :]:
        if following.step.form_class is None or following.applies(data_of(following.step)):
            return following
    return PAGES[-1]


def previous_page(page: Page, data_of: Callable[[Step], QueryDict | None]) -> Page | None:
    for earlier in reversed(PAGES[: PAGES.index(page)]):
        if earlier.step.form_class is None or earlier.applies(data_of(earlier.step)):
            return earlier
    return None


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
        cleaned[step.slug] = step_cleaned(form_of(step, raw))
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
