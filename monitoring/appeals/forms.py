"""The Appeal Body's forms in the admin. They check what was typed; the rules (panel, votes,
majority) are the services', which refuse with the rule's name."""

from django import forms
from django.utils.translation import gettext_lazy as _

from complaints.models import Outcome
from monitoring.appeals.models import VoteChoice
from monitoring.appeals.panels import Judge

TEXT_MAX = 20000


def _text(
    label: str, *, required: bool = True, rows: int = 6, help_text: str = ""
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_MAX,
        strip=True,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def judge_label(judge: Judge, username: str) -> str:
    from complaints.admin import SITE_LANGUAGES as languages

    return _(
        "%(name)s — nationality: %(nations)s; reads: %(languages)s; open appeals: %(load)d"
    ) % {
        "name": username,
        "nations": ", ".join(sorted(judge.nationalities)),
        "languages": ", ".join(str(languages.get(code, code)) for code in sorted(judge.languages))
        or "—",
        "load": judge.workload,
    }


class SeatForm(forms.Form):
    """Judges to seat, hand-picked from the roster or as the draw proposed them."""

    judges = forms.TypedMultipleChoiceField(
        label=_("Judges to seat"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Please choose the judges to seat.")},
    )
    draw = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: object, choices: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["judges"].choices = choices


class VacateForm(forms.Form):
    reason = _text(
        _("Why the seat is freed (the co-presidents read it)"),
        rows=3,
        help_text=_("For example: no declaration within the time allowed; left the roster."),
    )


class DeclarationForm(forms.Form):
    NO_CONFLICT, RECUSE = "no_conflict", "recuse"
    declaration = forms.ChoiceField(
        label=_("Your declaration"),
        choices=[
            (NO_CONFLICT, _("I have no conflict of interest in this appeal.")),
            (RECUSE, _("I recuse myself from this appeal.")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose your declaration.")},
    )
    reason = _text(
        _("If you recuse yourself: why (the co-presidents read it; the panel does not)"),
        required=False,
        rows=3,
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("declaration") == self.RECUSE and not data.get("reason"):
            self.add_error("reason", _("Please say why you recuse yourself."))
        return data


class VoteForm(forms.Form):
    choice = forms.ChoiceField(
        label=_("Your vote"),
        choices=VoteChoice.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose your vote.")},
    )
    opinion = _text(
        _("Separate or dissenting opinion (optional; published unsigned with the decision)"),
        required=False,
    )


class OpinionForm(forms.Form):
    opinion = _text(
        _("Separate or dissenting opinion (published unsigned with the decision)"),
        required=False,
    )


class JudgmentForm(forms.Form):
    choice = forms.ChoiceField(
        label=_("The panel's decision"),
        choices=VoteChoice.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose the decision.")},
    )
    finding = forms.ChoiceField(
        label=_("If the decision is overturned: the Appeal Body's own finding"),
        choices=[("", "—"), *Outcome.choices],
        required=False,
    )
    reasons = _text(_("Reasons (the complainant reads them)"), rows=10)
    withhold_opinions = forms.BooleanField(
        label=_("Withhold the members' opinions from the complainant"), required=False
    )
    withheld_reason = _text(_("Why they are withheld"), required=False, rows=2)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("choice") == VoteChoice.OVERTURN and not data.get("finding"):
            self.add_error("finding", _("An overturning states the Appeal Body's own finding."))
        if data.get("withhold_opinions") and not data.get("withheld_reason"):
            self.add_error("withheld_reason", _("Please say why the opinions are withheld."))
        return data


class LodgeForm(forms.Form):
    """An appeal lodged for a complainant who asked by letter, phone or in person. Their receipt
    is the proof that they asked: nobody appeals a case for someone who did not."""

    receipt = forms.CharField(
        label=_("The complainant's 16-digit receipt"),
        max_length=40,
        help_text=_("As they read it out or wrote it in their letter; spaces are fine."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    grounds = _text(_("Grounds of appeal, as the complainant gave them"), rows=8)
