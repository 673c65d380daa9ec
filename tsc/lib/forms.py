"""Forms rendered with the U.S. Web Design System: labels, hints and errors next to the field."""

import html

from django import forms
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting
from django.templatetags.static import static
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe


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


# ---- The same markup without the template machinery (issue 13) ------------------------------
# A field rendered through forms/field.html and Django's widget templates costs about 0.3 ms;
# the search forms at the top of the data pages have 4 to 6 fields. FastBoundField writes the
# markup of forms/field.html and of Django's input, select, checkbox and radio templates in
# Python, from the same widget context (attributes, values, choices, errors, aria-describedby);
# any other widget goes through the templates as before. tsc/lib/tests/test_forms.py renders
# both ways and compares them.


def conditional_escape(value) -> str:
    """django.utils.html.conditional_escape without its lazy-string wrapper (a search form calls it
    about 50 times): markup marked safe as it is, anything else HTML-escaped (& < > " ')."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value), quote=True)


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html."""
    return "".join(
        f" {name}" if value is True else f' {name}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(w: dict) -> str:
    """django/forms/widgets/input.html (text, date and checkbox)."""
    value = "" if w["value"] is None else f' value="{conditional_escape(str(w["value"]))}"'
    return f'<input type="{w["type"]}" name="{conditional_escape(w["name"])}"{value}{_attrs(w["attrs"])}>'


def _select(w: dict) -> str:
    """django/forms/widgets/select.html and select_option.html (no option groups)."""
    options = "".join(
        f'\n  <option value="{conditional_escape(str(o["value"]))}"{_attrs(o["attrs"])}>'
        f"{conditional_escape(o['label'])}</option>"
        for _, group, _ in w["optgroups"]
        for o in group
    )
    return f'<select name="{conditional_escape(w["name"])}"{_attrs(w["attrs"])}>{options}\n</select>'


def _date_picker(w: dict) -> str:
    """forms/date_picker.html (tsc.lib.fields.UswdsDatePicker)."""
    if w["iso_value"]:
        data = f' data-default-value="{conditional_escape(w["iso_value"])}"'
    elif w["value"]:
        data = f' data-typed-value="{conditional_escape(w["value"])}"'
    else:
        data = ""
    script = f'<script src="{static("js/date-field.js")}" defer></script>' if not w["iso_value"] and w["value"] else ""
    return f'<div class="usa-date-picker"{data}>{_input(w)}</div>{script}'


_WIDGET_MARKUP = {
    "django/forms/widgets/text.html": _input,
    "django/forms/widgets/date.html": _input,
    "django/forms/widgets/checkbox.html": _input,
    "django/forms/widgets/select.html": _select,
    "forms/date_picker.html": _date_picker,
}


class FastBoundField(BoundField):
    """A BoundField whose widget and field group (forms/field.html) are written in Python."""

    def as_widget(self, widget=None, attrs=None, only_initial=False):
        markup = _WIDGET_MARKUP.get(self.field.widget.template_name)
        if widget is not None or only_initial or markup is None or self.field.localize:
            return super().as_widget(widget, attrs, only_initial)
        attrs = self.build_widget_attrs(attrs or {})
        if self.auto_id and "id" not in self.field.widget.attrs:
            attrs.setdefault("id", self.auto_id)
        context = self.field.widget.get_context(self.html_name, self.value(), attrs)
        return mark_safe(markup(context["widget"]))  # noqa: S308 - every value above is escaped

    def as_field_group(self) -> SafeString:
        kind = self.widget_type
        if kind not in ("select", "text", "date", "uswdsdatepicker", "checkbox", "radioselect"):
            return super().as_field_group()
        errors = self.errors
        auto_id = self.auto_id
        label = conditional_escape(self.label)
        hint = (
            f'<div class="usa-hint" id="{auto_id}_helptext">{conditional_escape(self.help_text)}</div>'
            if self.help_text
            else ""
        )
        error = (
            f'<span class="usa-error-message" id="{auto_id}_error">'
            f"{' '.join(conditional_escape(message) for message in errors)}</span>"
            if errors
            else ""
        )
        group = f'<div class="usa-form-group{" usa-form-group--error" if errors else ""}">'
        if kind == "checkbox":
            body = (
                f'{error}<div class="usa-checkbox">{self.as_widget()}'
                f'<label class="usa-checkbox__label" for="{auto_id}">{label}</label></div>{hint}'
            )
        elif kind == "radioselect":
            described = f' aria-describedby="{auto_id}_helptext"' if self.help_text else ""
            radios = "".join(
                f'<div class="usa-radio"><input class="usa-radio__input" type="radio" id="{radio.id_for_label}" '
                f'name="{conditional_escape(radio.data["name"])}" value="{conditional_escape(radio.data["value"])}"'
                f"{' checked' if radio.data['selected'] else ''}>"
                f'<label class="usa-radio__label" for="{radio.id_for_label}">'
                f"{conditional_escape(radio.choice_label)}</label></div>"
                for radio in self.subwidgets
            )
            body = (
                f'<fieldset class="usa-fieldset"{described}>'
                f'<legend class="usa-legend{" usa-label--error" if errors else ""}">{label}</legend>'
                f"{hint}{error}{radios}</fieldset>"
            )
        else:
            optional = "" if self.field.required else ' <span class="usa-hint">(optional)</span>'
            body = (
                f'<label class="usa-label{" usa-label--error" if errors else ""}" for="{auto_id}">'
                f"{label}{optional}</label>{hint}{error}{self.as_widget()}"
            )
        return mark_safe(f"{group}{body}</div>")  # noqa: S308 - every value above is escaped
