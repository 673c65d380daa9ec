"""Forms of File Import: the upload, and a CSV layout defined once and saved."""

import re

from django import forms

from tsc.lib.forms import UswdsForm

from .imports import layout_problems
from .models import ImportKind


class ImportForm(UswdsForm):
    kind = forms.ChoiceField(
        label="Kind of file", choices=ImportKind.choices, widget=forms.RadioSelect, initial=ImportKind.CSV
    )
    layout = forms.TypedChoiceField(
        label="Your saved CSV layout",
        help_text="For a CSV file: the layout that says what each column holds.",
        coerce=int,
        required=False,
    )
    file = forms.FileField(label="File", help_text="A CSV file, or a text file of 750-character records.")

    def __init__(self, *args, layouts, **kwargs):
        super().__init__(*args, **kwargs)
        self.layouts = {layout.pk: layout for layout in layouts}
        self.fields["layout"].choices = [("", "- Select -")] + [(pk, lay.name) for pk, lay in self.layouts.items()]
        self.fields["file"].widget.attrs["class"] = "usa-file-input"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == ImportKind.CSV:
            chosen = self.layouts.get(cleaned.get("layout"))
            if chosen is None:
                self.add_error("layout", "Choose one of your saved layouts for a CSV file.")
            cleaned["layout"] = chosen
        else:
            cleaned["layout"] = None
        return cleaned


class LayoutForm(UswdsForm):
    name = forms.CharField(
        label="Layout name", max_length=60, help_text="Saving under a name you used before replaces that layout."
    )
    columns = forms.CharField(
        label="Columns, in the order they appear in your file",
        help_text="Column names from the list below, separated by commas. Write filler for a column to skip.",
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "autocomplete": "off"}),
    )
    header_row = forms.BooleanField(label="The file starts with a header row (it is skipped)", required=False)

    def clean_columns(self):
        columns = [c.strip().lower() for c in re.split(r"[,\s]+", self.cleaned_data["columns"]) if c.strip()]
        if problems := layout_problems(columns):
            raise forms.ValidationError(" ".join(problems))
        return columns
