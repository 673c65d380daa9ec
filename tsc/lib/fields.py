"""Form fields for money and for dates typed as mm/dd/yyyy."""

import re
from datetime import date
from decimal import Decimal

from django import forms

from .money import parse_amount

MAX_AMOUNT = Decimal("999999999999.99")


class MoneyField(forms.CharField):
    """Dollars and cents as people type them ('1,234.50', '$12'); cleaned to Decimal."""

    def __init__(self, *, allow_negative: bool = False, **kwargs):
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "maxlength": "20"})
        )
        self.allow_negative = allow_negative
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        if len(value) > 20:
            raise forms.ValidationError("That amount is too long.")
        try:
            amount = parse_amount(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
        if amount < 0 and not self.allow_negative:
            raise forms.ValidationError("Enter an amount of zero or more.")
        if abs(amount) > MAX_AMOUNT:
            raise forms.ValidationError("That amount is too large.")
        return amount


class UswdsDatePicker(forms.DateInput):
    """A text box in mm/dd/yyyy that USWDS turns into a calendar picker (works without JS)."""

    template_name = "forms/date_picker.html"

    def __init__(self, attrs=None):
        super().__init__(attrs={"placeholder": "mm/dd/yyyy", **(attrs or {})}, format="%m/%d/%Y")

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        # The USWDS script clears the box and refills it from this ISO date.
        shown = context["widget"]["value"]
        day = slashed_date(shown) if isinstance(shown, str) else None
        context["widget"]["iso_value"] = day.isoformat() if day else ""
        return context


_SLASHED = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")
_EXACTLY_SLASHED = re.compile(r"(\d{1,2})/(\d{1,2}| \d)/(\d{4})")  # strptime's %d takes " 5" too


def slashed_date(text: str) -> date | None:
    """`datetime.strptime(text, "%m/%d/%Y").date()`, or None where it raises: read from the
    digits (strptime costs a search form a third of its time; tsc/lib/tests/test_forms.py compares)."""
    match = _EXACTLY_SLASHED.fullmatch(text)
    if match is None:
        return None
    month, day, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


class SlashedDateField(forms.DateField):
    """The seed: 'entered in mm/dd/yyyy format (You must include the slashes)'."""

    widget = UswdsDatePicker

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if hasattr(value, "year"):
            return value
        if not _SLASHED.match(str(value)):
            raise forms.ValidationError("Enter the date as mm/dd/yyyy, including the slashes, like 01/31/2025.")
        day = slashed_date(str(value).strip())
        if day is None:
            raise forms.ValidationError("That date does not exist. Check the month and day.")
        return day
