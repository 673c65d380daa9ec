"""Forms of the account pages: the Account Period Details search and the penalty waiver request."""

from datetime import date, timedelta
from decimal import Decimal

from django import forms

from tsc.filing.forms import HistorySearchForm, three_years_before
from tsc.lib.fields import SlashedDateField
from tsc.lib.forms import UswdsForm
from tsc.payments.forms import ALL

BILLING_YEARS = 6  # "Billing inquiries may be made for 6 years prior to the current date."
PAID_BY_DAYS = 365


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # February 29
        return day.replace(year=day.year - years, day=28)


class AccountSearchForm(HistorySearchForm):
    """The seed: "Select the tax type or all and choose the option to view by Period End or by
    Filing Date Range and enter the desired dates", with the balance if paid by a date."""

    bills_only = forms.BooleanField(
        label="Billing inquiry: only periods with a balance due (up to 6 years back)", required=False
    )
    paid_by = SlashedDateField(
        label="Balance if paid by",
        help_text="mm/dd/yyyy. Interest is added to this date. Leave blank for today.",
        required=False,
    )

    def __init__(self, *args, tax_types, today, **kwargs):
        super().__init__(*args, tax_types=tax_types, today=today, **kwargs)
        self.fields["tax_type"].choices = [(ALL, "All")] + [(t.code, t.name) for t in tax_types]
        self.fields["tax_type"].initial = ALL

    def clean(self):
        bills = bool(self.data.get("bills_only"))
        if bills:
            self.earliest = years_before(self.today, BILLING_YEARS)
        cleaned = super().clean()
        if bills and "start" in self.errors and "3 years" in str(self.errors["start"]):
            self.errors["start"] = self.error_class(
                [f"Billing inquiries reach 6 years back. Enter a date on or after {self.earliest:%m/%d/%Y}."]
            )
        paid_by = cleaned.get("paid_by")
        if paid_by and paid_by < self.today:
            self.add_error("paid_by", "The balance if paid by date cannot be in the past.")
        elif paid_by and paid_by > self.today + timedelta(days=PAID_BY_DAYS):
            self.add_error("paid_by", "Enter a date within a year from today.")
        return cleaned

    def tax_type_obj(self):
        code = self.cleaned_data["tax_type"]
        return None if code == ALL else self.tax_types[code]


def default_range(today: date) -> dict:
    return {"start": three_years_before(today), "end": today}


class WaiverRequestForm(UswdsForm):
    reason = forms.CharField(
        label="Why should the penalty be waived?",
        help_text="Explain what kept you from filing or paying on time. The Penalty Waiver Unit reads this.",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=4000,
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if len(reason) < 10:
            raise forms.ValidationError("Tell the Penalty Waiver Unit why the penalty should be waived.")
        return reason


class RefundLookupForm(UswdsForm):
    """Refund Status for individuals, without signing in: SSN and the exact refund expected."""

    ssn = forms.CharField(
        label="Social Security Number",
        help_text="9 digits, like 123-45-6789",
        max_length=11,
        widget=forms.PasswordInput(render_value=True, attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    amount = forms.DecimalField(
        label="Refund amount expected",
        help_text="The exact amount of the refund shown on your return, like 1234.56",
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )

    def clean_ssn(self):
        from tsc.lib import identifiers

        try:
            return identifiers.normalize_ssn(self.cleaned_data["ssn"])
        except identifiers.InvalidIdentifier as error:
            raise forms.ValidationError(str(error)) from error
