"""Forms rendered with the U.S. Web Design System: labels, hints and errors next to the field."""

from django import forms
from django.forms.renderers import TemplatesSetting


class UswdsFormRenderer(TemplatesSetting):
    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"


_WIDGET_CLASSES = {
    forms.CheckboxSelectMultiple: "usa-checkbox__input",  # before RadioSelect, its base class
    forms.Select: "usa-select",
    forms.Textarea: "usa-textarea",
    forms.CheckboxInput: "usa-checkbox__input",
    forms.RadioSelect: "usa-radio__input",
}


class UswdsForm(forms.Form):
    """Adds the USWDS class to every widget; errors keep what the user typed (Django's default)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = next((c for w, c in _WIDGET_CLASSES.items() if isinstance(field.widget, w)), "usa-input")
            field.widget.attrs.setdefault("class", css)
