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
