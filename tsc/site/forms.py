from django import forms

from tsc.lib import identifiers
from tsc.lib.forms import UswdsForm


class WelcomeForm(UswdsForm):
    registration_number = forms.CharField(
        label="Tax Registration Number",
        max_length=14,
        help_text="Your Connecticut Tax Registration Number, like 1234567-000.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )

    def clean_registration_number(self):
        try:
            return identifiers.normalize_registration_number(self.cleaned_data["registration_number"])
        except identifiers.InvalidIdentifier as exc:
            raise forms.ValidationError(str(exc)) from exc
