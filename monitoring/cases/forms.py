from django import forms
from django.utils.translation import gettext_lazy as _

from complaints.models import Status

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
