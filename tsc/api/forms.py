from django import forms

from tsc.lib.forms import UswdsForm

from .models import Scope


class ApiTokenForm(UswdsForm):
    name = forms.CharField(
        label="Name",
        help_text="Which software or computer uses it, so you can tell your tokens apart.",
        max_length=60,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    scopes = forms.MultipleChoiceField(
        label="What the token may do",
        help_text="Give each token only what its software needs.",
        choices=[(value, f"{label} ({value})") for value, label in Scope.choices],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one thing the token may do."},
    )
