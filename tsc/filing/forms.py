from datetime import date

from django import forms

from tsc.lib.fields import MoneyField, SlashedDateField
from tsc.lib.forms import FastBoundField, UswdsForm

from .forms_registry import ReturnForm

HISTORY_YEARS = 3


class ReturnEntryForm(UswdsForm):
    """The entered lines of one return form; everything else is computed on the server.
    Fields in rate columns have no hint of their own: their section states it once."""

    def __init__(self, *args, return_form: ReturnForm, period, **kwargs):
        super().__init__(*args, **kwargs)
        self.return_form = return_form
        self.period = period
        self._sections = return_form.sections(period) if return_form.sections else ()
        for section in self._sections:
            for entry in section.fields:
                self.fields[entry.name] = MoneyField(
                    label=entry.label,
                    required=False,
                    help_text="" if entry.column else "Dollars and cents. Leave blank for zero.",
                )
                self.fields[entry.name].widget.attrs["class"] = "usa-input"

    def sections(self) -> list[dict]:
        """For the template: each section with its bound fields, by line for a table of inputs."""
        return [
            {
                "section": section,
                "fields": [self[entry.name] for entry in section.fields],
                "rows": [
                    {"line": row.line, "label": row.label, "cells": [(e.column, self[e.name]) for e in row.fields]}
                    for row in section.rows()
                ]
                if section.columns
                else [],
            }
            for section in self._sections
        ]

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            for name, problem in self.return_form.check(self.values(), self.period).items():
                self.add_error(name, problem)
        return cleaned

    def values(self):
        return {name: value for name, value in self.cleaned_data.items() if value is not None}


def three_years_before(day: date) -> date:
    try:
        return day.replace(year=day.year - HISTORY_YEARS)
    except ValueError:  # February 29
        return day.replace(year=day.year - HISTORY_YEARS, day=28)


class HistorySearchForm(UswdsForm):
    """The search at the top of View Return History (and of the payment lists and the account,
    which extend it): rendered without the widget templates, as it is on every such page."""

    bound_field_class = FastBoundField
    BY_PERIOD_END = "period_end"
    BY_FILING_DATE = "filing_date"

    tax_type = forms.ChoiceField(label="Tax type")
    search_by = forms.ChoiceField(
        label="Search by",
        choices=[(BY_PERIOD_END, "by Period End"), (BY_FILING_DATE, "by Filing Date Range")],
        widget=forms.RadioSelect,
        initial=BY_PERIOD_END,
    )
    start = SlashedDateField(label="From", help_text="mm/dd/yyyy")
    end = SlashedDateField(label="To", help_text="mm/dd/yyyy")

    def __init__(self, *args, tax_types, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tax_type"].choices = [("", "- Select a tax type -")] + [(t.code, t.name) for t in tax_types]
        self.fields["tax_type"].widget.attrs["class"] = "usa-select"
        self.tax_types = {t.code: t for t in tax_types}
        self.today = today
        self.earliest = three_years_before(today)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and start < self.earliest:
            self.add_error(
                "start",
                f"You may view up to 3 years prior activity. Enter a date on or after {self.earliest:%m/%d/%Y}.",
            )
        if start and end and end < start:
            self.add_error("end", "The To date must be on or after the From date.")
        if end and end > self.today and cleaned.get("search_by") == self.BY_FILING_DATE:
            self.add_error("end", "The filing date range cannot end after today.")
        return cleaned

    def tax_type_obj(self):
        return self.tax_types[self.cleaned_data["tax_type"]]
