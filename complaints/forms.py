"""The public forms. Each lists its fields; none can set a status, an assignee, a date or a hash."""

import datetime
import re

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from complaints.models import (
    AgeGroup,
    Authority,
    ContactChannel,
    NoRemedyReason,
    OtherProcedure,
    Perpetrator,
    PreferredLanguage,
    Relationship,
    RemediesTried,
    ResidenceStatus,
    Sex,
    Situation,
    ViolationCategory,
    ViolationGroup,
)
from complaints.receipts import RECEIPT_DIGITS

YES_NO = [("yes", _("Yes")), ("no", _("No"))]
MONTHS = [
    ("", _("Month not known")),
    *[
        (str(i), name)
        for i, name in enumerate(
            (
                _("January"),
                _("February"),
                _("March"),
                _("April"),
                _("May"),
                _("June"),
                _("July"),
                _("August"),
                _("September"),
                _("October"),
                _("November"),
                _("December"),
            ),
            start=1,
        )
    ],
]
NARRATIVE_MAX = 20_000
TEXT_MAX = 4_000


def country_field(label: str, *, required: bool = False) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, required=required, choices=lambda: [("", _("Choose a country")), *countries]
    )


def text_field(
    label: str,
    *,
    help_text: str = "",
    required: bool = False,
    max_length: int = TEXT_MAX,
    rows: int = 3,
) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def yes_no_field(label: str, *, help_text: str = "") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        help_text=help_text,
        choices=YES_NO,
        widget=forms.RadioSelect,
        coerce=lambda v: v == "yes",
    )


def require(form: forms.Form, field: str, message: str) -> None:
    if not form.cleaned_data.get(field):
        form.add_error(field, message)


def optional_label(label: str) -> str:
    return _("%(label)s (optional)") % {"label": label}


class PublicForm(forms.Form):
    """A form the public fills in: text that arrived garbled is refused, not stored garbled.

    A question one may leave unanswered says "(optional)"; one that is needed only after a
    given answer (listed in `conditional`) says when in its own words instead.
    """

    conditional: tuple[str, ...] = ()

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if (
                not field.required
                and name not in self.conditional
                and (not isinstance(field, forms.BooleanField))
            ):
                field.label = lazy(optional_label, str)(field.label)

    def clean(self) -> dict:
        cleaned = super().clean()
        for name, value in list(cleaned.items()):
            # Django replaces bytes that are not UTF-8 with U+FFFD rather than refusing them.
            if isinstance(value, str) and "\ufffd" in value:
                self.add_error(
                    name, _("Some characters could not be read. Please type this text again.")
                )
        return cleaned


class AboutYouForm(PublicForm):
    conditional = ("full_name", "contact_details", "organisation_name", "relationship", "authority")
    filing_for = forms.ChoiceField(
        label=_("Who are you filing for?"),
        widget=forms.RadioSelect,
        choices=[("self", _("For myself")), ("other", _("For someone else, or for a group"))],
    )
    anonymous = yes_no_field(
        _("Do you want to stay anonymous?"),
        help_text=_(
            "If you stay anonymous we do not ask your name. The Committee can still "
            "follow your complaint, and you can follow it with your receipt."
        ),
    )
    full_name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        required=False,
        help_text=_("Only the Committee members working on your complaint can see it."),
    )
    relationship = forms.ChoiceField(
        label=_("If you file for someone else: who are you to them?"),
        required=False,
        widget=forms.RadioSelect,
        choices=[c for c in Relationship.choices if c[0] != Relationship.SELF],
    )
    organisation_name = forms.CharField(
        label=_("Name of your organisation"), max_length=200, required=False
    )
    authority = forms.ChoiceField(
        label=_("If you file for someone else: did they agree?"),
        required=False,
        widget=forms.RadioSelect,
        choices=[c for c in Authority.choices if c[0] != Authority.NOT_NEEDED],
    )
    authority_details = text_field(
        _("Explain, if you wish"),
        help_text=_("For example why the person cannot agree, or who gave you authority."),
    )
    contact_channel = forms.ChoiceField(
        label=_("How may the Committee contact you?"),
        widget=forms.RadioSelect,
        choices=ContactChannel.choices,
        initial=ContactChannel.NONE,
    )
    contact_details = forms.CharField(
        label=_("Phone number, email or address"),
        max_length=300,
        required=False,
        help_text=_("Only what is needed for the way you chose."),
    )
    safe_contact_instructions = text_field(
        _("When and how is it safe to contact you?"),
        help_text=_("For example: “only after 6pm”, “never leave a message”, “ask for Marie”."),
    )
    country_of_residence = country_field(_("Country where you live now"))
    residence_status = forms.ChoiceField(
        label=_("Your situation there"),
        required=False,
        widget=forms.RadioSelect,
        choices=ResidenceStatus.choices,
    )
    nationality = country_field(_("Your nationality"))
    unhcr_number = forms.CharField(
        label=_("UNHCR registration number, if you have one"), max_length=60, required=False
    )
    preferred_language = forms.ChoiceField(
        label=_("Language you prefer"),
        required=False,
        widget=forms.RadioSelect,
        choices=PreferredLanguage.choices,
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("anonymous") is False:
            require(self, "full_name", _("Please write your name, or choose to stay anonymous."))
        if cleaned.get("contact_channel") not in (
            None,
            ContactChannel.NONE,
            ContactChannel.INTERMEDIARY,
        ):
            require(
                self,
                "contact_details",
                _("Please say how to reach you, or choose “Do not contact me”."),
            )
        if cleaned.get("filing_for") == "other":
            require(self, "relationship", _("Please say who you are to the victims."))
            require(self, "authority", _("Please say whether the victims agreed."))
            if cleaned.get("relationship") == Relationship.ORGANISATION:
                require(self, "organisation_name", _("Please give your organisation's name."))
        elif cleaned.get("filing_for") == "self":
            # Answers typed before changing to "For myself" were not asked: never keep them.
            cleaned["relationship"] = Relationship.SELF
            cleaned["authority"] = Authority.NOT_NEEDED
            cleaned["organisation_name"] = cleaned["authority_details"] = ""
        if cleaned.get("anonymous"):
            cleaned["full_name"] = ""
        if cleaned.get("contact_channel") == ContactChannel.NONE:
            # "Do not contact me": a number or an address typed before is not kept.
            cleaned["contact_details"] = cleaned["safe_contact_instructions"] = ""
        return cleaned


class VictimForm(PublicForm):
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    age_group = forms.ChoiceField(
        label=_("Age"), choices=AgeGroup.choices, initial=AgeGroup.UNKNOWN
    )
    situation = forms.ChoiceField(
        label=_("Where is the person now?"), choices=Situation.choices, initial=Situation.UNKNOWN
    )


class BaseVictimFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        super().clean()
        kept = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if not kept and not any(f.errors for f in self.forms):
            raise forms.ValidationError(_("Please describe at least one person affected."))


VictimFormSet = forms.formset_factory(
    VictimForm,
    formset=BaseVictimFormSet,
    extra=0,
    min_num=1,
    max_num=30,
    absolute_max=30,
    validate_max=True,
    can_delete=True,
)


class WhatHappenedForm(PublicForm):
    conditional = ("danger_details",)
    categories = forms.MultipleChoiceField(
        label=_("What happened? Choose everything that applies."),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Please choose at least one; “Other” is at the end.")},
    )
    incident_year = forms.IntegerField(
        label=_("Year"),
        required=False,
        min_value=1950,
        max_value=9999,  # a date's own limit; later years are refused as "in the future"
        help_text=_("Leave empty if you do not know. It is fine to be approximate."),
    )
    incident_month = forms.ChoiceField(label=_("Month"), required=False, choices=MONTHS)
    incident_day = forms.IntegerField(label=_("Day"), required=False, min_value=1, max_value=31)
    incident_country = country_field(_("Country where it happened"))
    incident_place = forms.CharField(
        label=_("Town, camp, prison or other place"), max_length=200, required=False
    )
    perpetrators = forms.MultipleChoiceField(
        label=_("Who did it? Choose everything that applies."),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=Perpetrator.choices,
    )
    narrative = text_field(
        _("What happened, in the order it happened"),
        required=True,
        max_length=NARRATIVE_MAX,
        rows=10,
        help_text=_(
            "Say who, what, when and where, as far as you can. You may write "
            "in Kinyarwanda, French, English or Swahili."
        ),
    )
    is_ongoing = yes_no_field(_("Is it still going on?"))
    immediate_danger = yes_no_field(
        _("Is anyone in immediate danger now?"),
        help_text=_(
            "For example at risk of being killed, tortured, disappeared or sent back. "
            "Urgent complaints are looked at within 48 hours."
        ),
    )
    danger_details = text_field(_("Who is in danger, and from what?"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        language = (get_language() or "en")[:2]
        self.category_by_code = {
            c.code: c for c in ViolationCategory.objects.filter(is_active=True)
        }
        grouped: dict[str, list[tuple[str, str]]] = {}
        for category in self.category_by_code.values():
            grouped.setdefault(category.group, []).append((category.code, category.label(language)))
        self.fields["categories"].choices = [
            (ViolationGroup(group).label, items) for group, items in grouped.items()
        ]

    def category_groups(self) -> list[dict]:
        """The choices by right concerned; a group with a ticked box is shown open."""
        selected = set(self["categories"].value() or [])
        return [
            {
                "label": label,
                "open": bool(selected & {code for code, _l in options}),
                "options": [(code, text, code in selected) for code, text in options],
            }
            for label, options in self.fields["categories"].choices
        ]

    def clean_categories(self) -> list[ViolationCategory]:
        return [self.category_by_code[code] for code in self.cleaned_data["categories"]]

    def clean(self) -> dict:
        cleaned = super().clean()
        self._clean_date(cleaned)
        if cleaned.get("immediate_danger"):
            require(self, "danger_details", _("Please say who is in danger and from what."))
        return cleaned

    def _clean_date(self, cleaned: dict) -> None:
        year, month, day = (
            cleaned.get("incident_year"),
            cleaned.get("incident_month"),
            cleaned.get("incident_day"),
        )
        if day and not month:
            self.add_error("incident_month", _("Please choose the month, or leave the day empty."))
        if (month or day) and not year:
            self.add_error("incident_year", _("Please give the year too."))
        date_fields = ("incident_year", "incident_month", "incident_day")
        if any(name in self.errors for name in date_fields) or not year:
            # Checked with the step's other errors, not after them: a day that does not exist
            # is reported in the same round as a missing narrative.
            cleaned["incident_date"], cleaned["incident_date_precision"] = None, "unknown"
            return
        try:
            date = datetime.date(year, int(month or 1), day or 1)
        except ValueError:
            self.add_error("incident_day", _("This day does not exist in that month."))
            return
        if date > timezone.localdate():
            self.add_error("incident_year", _("This date is in the future."))
            return
        cleaned["incident_date"] = date
        cleaned["incident_date_precision"] = "day" if day else "month" if month else "year"


class RemediesForm(PublicForm):
    conditional = ("remedies_details", "no_remedy_reasons", "other_procedure_details")
    remedies_tried = forms.ChoiceField(
        label=_(
            "Did you or the victims go to the police, a court or another authority in the "
            "country concerned?"
        ),
        widget=forms.RadioSelect,
        choices=RemediesTried.choices,
    )
    remedies_details = text_field(_("Where did you go, when, and what happened?"))
    no_remedy_reasons = forms.MultipleChoiceField(
        label=_("If not, why not?"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=NoRemedyReason.choices,
    )
    no_remedy_details = text_field(_("More about why not"))
    other_procedure = forms.ChoiceField(
        label=_(
            "Has this matter been sent to another international body (a UN committee, the "
            "African Commission, a court)?"
        ),
        widget=forms.RadioSelect,
        choices=OtherProcedure.choices,
    )
    other_procedure_details = text_field(_("Which body, when, and where does it stand?"))
    remedy_sought = text_field(
        _("What do you ask the Committee for?"),
        required=True,
        help_text=_("For example: release, an investigation, return of property, protection."),
    )
    protective_measures = text_field(
        _("Does anyone need protection while the complaint is examined?"),
        help_text=_("Say who, and what protection."),
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("remedies_tried") == RemediesTried.YES:
            require(self, "remedies_details", _("Please say what was tried and what happened."))
        elif cleaned.get("remedies_tried") == RemediesTried.NO:
            require(self, "no_remedy_reasons", _("Please choose at least one reason."))
        if cleaned.get("other_procedure") == OtherProcedure.YES:
            require(self, "other_procedure_details", _("Please say which body."))
        return cleaned


class EvidenceUploadForm(PublicForm):
    file = forms.FileField(
        label=_("Choose a file"),
        required=True,
        error_messages={"required": _("Please choose a file to send.")},
    )
    description = text_field(_("What does this file show?"), rows=2, max_length=1000)


class ConsentsForm(PublicForm):
    consent_processing = forms.BooleanField(
        label=_("I agree that the Committee keeps and examines this complaint."),
        error_messages={"required": _("The Committee cannot examine a complaint without this.")},
    )
    consent_contact = forms.BooleanField(
        label=_("The Committee may contact me in the way I chose."), required=False
    )
    consent_disclose_identity = forms.BooleanField(
        label=_(
            "The Committee may tell the authorities concerned who I am, if that is needed "
            "to deal with the complaint."
        ),
        required=False,
        help_text=_("If you leave this unticked, your identity is never given to them."),
    )
    consent_anonymised_use = forms.BooleanField(
        label=_("The complaint may be used, without names, in reports and statistics."),
        required=False,
    )

    def __init__(self, *args: object, contact_channel: str | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.contact_channel = contact_channel

    def clean(self) -> dict:
        cleaned = super().clean()
        wants_contact = self.contact_channel not in (None, "", ContactChannel.NONE)
        if wants_contact and not cleaned.get("consent_contact"):
            self.add_error(
                "consent_contact",
                _(
                    "You chose a way for the Committee to contact you, but did not tick that it "
                    "may contact you. Tick the box, or go back to “How to reach you” and choose "
                    "“Do not contact me”."
                ),
            )
        return cleaned


class ConsentsChangeForm(PublicForm):
    """The consents of the filing form that the complainant may change afterwards."""

    contact = ConsentsForm.base_fields["consent_contact"]
    disclose_identity = ConsentsForm.base_fields["consent_disclose_identity"]
    anonymised_use = ConsentsForm.base_fields["consent_anonymised_use"]

    @classmethod
    def of(cls, complaint: object, data: object = None) -> "ConsentsChangeForm":
        initial = {name: getattr(complaint, f"consent_{name}") for name in cls.base_fields}
        return cls(data, initial=initial, prefix="consents")


class ReviewForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)


class ReceiptForm(forms.Form):
    receipt = forms.CharField(
        label=_("Your 16-digit receipt"),
        max_length=40,
        strip=True,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "off",
                "autocapitalize": "off",
                "spellcheck": "false",
            }
        ),
        help_text=_("Spaces between the groups of digits are fine."),
    )

    def clean_receipt(self) -> str:
        typed = self.cleaned_data["receipt"]
        digits = re.sub(r"[\s\-.]", "", typed)
        if not (digits.isascii() and digits.isdigit()):
            raise forms.ValidationError(
                _("A receipt has only digits, 0 to 9. Check what you typed and try again.")
            )
        if len(digits) != RECEIPT_DIGITS:
            raise forms.ValidationError(
                ngettext(
                    "A receipt has 16 digits. You typed %(count)d digit.",
                    "A receipt has 16 digits. You typed %(count)d digits.",
                    len(digits),
                )
                % {"count": len(digits)}
            )
        return typed


class MessageForm(PublicForm):
    body = text_field(_("Your message or new information"), required=True, rows=5)


class WithdrawForm(PublicForm):
    reason = text_field(
        _("Why do you withdraw the complaint?"),
        help_text=_("A few words are enough."),
        required=True,
        rows=3,
    )
    confirm = forms.BooleanField(
        label=_("I understand that the Committee will stop working on this complaint."),
        error_messages={"required": _("Please tick the box to confirm.")},
    )


class AppealForm(PublicForm):
    grounds = forms.CharField(
        label=_("Why do you disagree with the decision?"),
        help_text=_(
            "Say what you think the Committee got wrong: facts it missed, evidence it did not "
            "weigh, or anything that was unfair. Write as much as you need."
        ),
        max_length=NARRATIVE_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Please say why you disagree with the decision.")},
    )
    file = forms.FileField(label=_("A file for the Appeal Body"), required=False)
    description = text_field(_("What does this file show?"), rows=2, max_length=1000)


def evidence_limits_text() -> str:
    return _("Up to %(files)d files, each up to %(file_mb)d MB, %(total_mb)d MB in all.") % {
        "files": settings.EVIDENCE_MAX_FILES,
        "file_mb": settings.EVIDENCE_MAX_FILE_MB,
        "total_mb": settings.EVIDENCE_MAX_TOTAL_MB,
    }
