from django import forms

from tsc.lib.fields import MoneyField, SlashedDateField
from tsc.lib.forms import UswdsForm
from tsc.payments.forms import BANK_FIELDS, RequiredBankAccountMixin


class ClientNumberForm(UswdsForm):
    registration_number = forms.CharField(
        label="Client's Connecticut Tax Registration Number",
        help_text="Like 1234567-000",
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class ClientForm(UswdsForm):
    """Make a Payment for your Client: the client's CT registration number or SSN (seed)."""

    registration_number = forms.CharField(
        label="Client's Connecticut Tax Registration Number",
        help_text="Like 1234567-000. For an individual, leave this blank and enter the SSN.",
        max_length=12,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    ssn = forms.CharField(
        label="Client's Social Security Number",
        help_text="9 digits, like 123-45-6789",
        max_length=11,
        required=False,
        widget=forms.PasswordInput(render_value=True, attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("registration_number") and not cleaned.get("ssn"):
            self.add_error(
                "registration_number", "Enter the client's registration number, or the SSN of an individual."
            )
        return cleaned


class FirmNumberForm(UswdsForm):
    firm = forms.CharField(
        label="The firm's Connecticut Tax Registration Number",
        help_text="The Third Party Bulk Filer gives you this number, like 4444444-000.",
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class IndividualPaymentForm(RequiredBankAccountMixin, UswdsForm):
    """An individual client's income tax estimated payment (no return), from a bank account
    typed for this payment."""

    tax_year = forms.TypedChoiceField(label="Tax year", coerce=int)
    amount = MoneyField(label="Payment amount", help_text="Dollars and cents, like 1,250.00.")
    requested_date = SlashedDateField(
        label="Requested payment date",
        help_text="mm/dd/yyyy, a banking day. The payment is sent to the bank 1 banking day before.",
    )
    field_order = ["tax_year", "amount", "requested_date"]

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tax_year"].choices = [(y, str(y)) for y in years]
        self.fields["tax_year"].widget.attrs["class"] = "usa-select"


class CombinedForm(RequiredBankAccountMixin, UswdsForm):
    """The firm's one bank account and one requested payment date for every row."""

    requested_date = SlashedDateField(
        label="Requested payment date",
        help_text="mm/dd/yyyy, a banking day, for every payment below. Sent to the bank 1 banking day before.",
    )
    field_order = [*BANK_FIELDS, "requested_date"]

    def clean_requested_date(self):
        # A field check, so a bad date keeps the account from being checked (as before the mixin).
        from tsc.payments.services import requested_date_problem

        requested = self.cleaned_data["requested_date"]
        if problem := requested_date_problem(requested):
            raise forms.ValidationError(problem)
        return requested
