from django import forms
from django.utils.translation import gettext_lazy as _


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need to see who filed this complaint?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Your name, the time and this reason are recorded and cannot be changed. Write no "
            "names or contact details here."
        ),
    )


class ExportForm(forms.Form):
    level = forms.ChoiceField(label=_("What the file holds"), widget=forms.RadioSelect)
    file_format = forms.ChoiceField(label=_("Format"), widget=forms.RadioSelect)
    purpose = forms.CharField(
        label=_("What is the file for?"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Needed for a file with identities. Your name, the time, the filters and this "
            "purpose are recorded and cannot be changed. Write no names or contact details here."
        ),
    )

    def __init__(self, *args: object, levels: list, formats: list, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [(level.value, level.label) for level in levels]
        self.fields["level"].initial = levels[0].value if levels else None
        self.fields["file_format"].choices = [(f.value, f.label) for f in formats]
        self.fields["file_format"].initial = formats[0].value

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("level") == "identity" and not cleaned.get("purpose", "").strip():
            self.add_error("purpose", _("Say what the identities are exported for."))
        return cleaned
