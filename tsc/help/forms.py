from django import forms

from tsc.lib.forms import UswdsForm

from .models import Area


class SearchForm(UswdsForm):
    q = forms.CharField(
        label="Words to search for",
        max_length=200,
        required=False,
        widget=forms.SearchInput,
        error_messages={"max_length": "Use fewer words: at most 200 characters."},
    )
    area = forms.ChoiceField(label="Area", choices=[("", "All areas"), *Area.choices], required=False)
