from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from complaints.models import Complaint, DecisionKind, InadmissibilityGround, Outcome, Status
from complaints.selectors import REFERENCE_LENGTH, complaints_by_reference, reference_typed
from monitoring.cases.checklist import ANSWERS, QUESTIONS

# What each move the case page offers is called, and what its text box asks for.
MOVE_WORDING: dict[str, tuple[str, str]] = {
    Status.TRIAGE: (_("Start triage"), _("Note for the record (optional)")),
    Status.AWAITING_COMPLAINANT: (
        _("Ask the complainant a question"),
        _(
            "Your question. The complainant reads it on the tracking page; the clock stops until "
            "they answer."
        ),
    ),
    Status.EXAMINATION: (
        _("Declare admissible and examine the facts"),
        _("Why the complaint is admissible (optional)"),
    ),
    Status.WITHDRAWN: (
        _("Record a withdrawal asked for in writing"),
        _("What the complainant wrote, and when"),
    ),
}
RETURN_WORDING = (
    _("Go on without waiting for the answer"),
    _("Why (optional)"),
)


class MoveForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=10000)
    expected_status = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: object, label: str, required: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label
        self.fields["reason"].required = required


class AssignForm(forms.Form):
    rapporteur = forms.TypedChoiceField(
        label=_("Rapporteur"), coerce=int, empty_value=None, required=False
    )
    expected_rapporteur = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: object, people: list, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rapporteur"].choices = [
            ("", _("Nobody: back to the queue")),
            *[(person.pk, person.get_username()) for person in people],
        ]


class TextForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), max_length=20000)

    def __init__(self, *args: object, label: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].label = label


class ProposalForm(forms.Form):
    """A proposed decision: inadmissibility (in triage) or on the facts (in examination)."""

    ground = forms.ChoiceField(
        label=_("Why the complaint is not accepted"),
        choices=[("", "—"), *InadmissibilityGround.choices],
        required=False,
    )
    duplicate_of = forms.CharField(
        label=_("If a duplicate: the other complaint's reference"),
        required=False,
        max_length=20,
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("", "—"), *Outcome.choices], required=False
    )
    reasons = forms.CharField(
        label=_("Reasons (the complainant reads them; write plainly)"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=50000,
    )
    recommendations = forms.CharField(
        label=_("Recommendations (optional)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=20000,
    )
    expected_status = forms.CharField(widget=forms.HiddenInput)

    def __init__(
        self, *args: object, kind: str, pre: dict, visible: QuerySet[Complaint], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.visible = visible
        if kind == DecisionKind.INADMISSIBLE:
            del self.fields["outcome"]
            self.fields["ground"].required = True
        else:
            del self.fields["ground"], self.fields["duplicate_of"]
            self.fields["outcome"].required = True
        for question in QUESTIONS:
            suggestion = pre[question.key]
            self.fields[f"check_{question.key}"] = forms.ChoiceField(
                label=question.text,
                choices=ANSWERS,
                initial=suggestion.answer,
                widget=forms.RadioSelect,
                help_text=_("From the complaint: %(basis)s") % {"basis": suggestion.basis},
            )
            self.fields[f"comment_{question.key}"] = forms.CharField(
                label=_("Comment"),
                required=False,
                max_length=2000,
                # Five boxes called "Comment": a screen reader hears which question each is for.
                widget=forms.TextInput(
                    attrs={
                        "aria-label": _("Comment on: %(question)s") % {"question": question.text}
                    }
                ),
            )

    def checklist_answers(self) -> dict[str, tuple[str, str]]:
        data = self.cleaned_data
        return {q.key: (data[f"check_{q.key}"], data[f"comment_{q.key}"]) for q in QUESTIONS}

    def clean_duplicate_of(self) -> Complaint | None:
        typed = self.cleaned_data.get("duplicate_of", "").strip()
        if not typed:
            return None
        return case_by_reference(self.visible, typed)


class SendBackForm(forms.Form):
    comment = forms.CharField(
        label=_("What the rapporteur should change"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10000,
    )


class LinkForm(forms.Form):
    reference = forms.CharField(label=_("The other complaint's reference"), max_length=20)
    reason = forms.CharField(
        label=_("Why they are about the same events (optional)"),
        required=False,
        max_length=2000,
    )

    def __init__(self, *args: object, visible: QuerySet[Complaint], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.visible = visible

    def clean_reference(self) -> Complaint:
        return case_by_reference(self.visible, self.cleaned_data["reference"])


def case_by_reference(visible: QuerySet[Complaint], typed: str) -> Complaint:
    """The case a typed reference names, among those the user may see. One message for a
    reference that does not exist and one the user may not see: it must not tell them apart."""
    found = complaints_by_reference(visible, typed)
    if len(reference_typed(typed)) != REFERENCE_LENGTH or not found.exists():
        raise forms.ValidationError(_("No complaint you may see has this reference."))
    return found.get()
