"""Forms for Make a Payment, the payment lists, banking information and the business profile."""

from django import forms

from tsc.filing.forms import HistorySearchForm
from tsc.lib.fields import MoneyField, SlashedDateField
from tsc.lib.forms import UswdsForm
from tsc.lib.phone import normalize_phone
from tsc.lib.usps import STATE_CHOICES

from .models import AccountType
from .services import BankDetails, BusinessContact

ON_FILE = "on_file"
ONE_TIME = "one_time"
ALL = "all"


class BankAccountMixin(forms.Form):
    routing_number = forms.CharField(
        label="Routing number",
        max_length=9,
        required=False,
        help_text="9 digits, at the bottom left of a check.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    account_number = forms.CharField(
        label="Account number",
        max_length=17,
        required=False,
        help_text="4 to 17 digits.",
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    account_number2 = forms.CharField(
        label="Type the account number again",
        max_length=17,
        required=False,
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    account_type = forms.ChoiceField(
        label="Account type", choices=AccountType.choices, widget=forms.RadioSelect, required=False
    )

    def _digits(self, name):
        return "".join(ch for ch in self.cleaned_data.get(name, "") if not ch.isspace())

    def clean_bank(self, cleaned) -> None:
        details = BankDetails(
            self._digits("routing_number"), self._digits("account_number"), cleaned.get("account_type") or ""
        )
        for field, problem in details.problems().items():
            self.add_error(field, problem)
        if details.account_number and self._digits("account_number2") != details.account_number:
            self.add_error("account_number2", "The two account numbers do not match. Type the same number twice.")
        cleaned["bank"] = details

    def bank(self) -> BankDetails:
        return self.cleaned_data["bank"]


BANK_FIELDS = ("routing_number", "account_number", "account_number2", "account_type")


class RequiredBankAccountMixin(BankAccountMixin):
    """A form where the bank account is always typed: every bank field required, and the account
    checked once the form's own fields are clean."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in BANK_FIELDS:
            self.fields[name].required = True

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            self.clean_bank(cleaned)
        return cleaned


class PaymentForm(BankAccountMixin, UswdsForm):
    period = forms.TypedChoiceField(label="Tax type and filing period", coerce=int)
    amount = MoneyField(label="Payment amount", help_text="Dollars and cents, like 1,250.00.")
    requested_date = SlashedDateField(
        label="Requested payment date",
        help_text="mm/dd/yyyy, a banking day. The payment is sent to the bank 1 banking day before.",
    )
    pay_from = forms.ChoiceField(
        label="Pay from",
        choices=[
            (ON_FILE, "The bank account on file for this tax type"),
            (ONE_TIME, "Another bank account, for this payment only"),
        ],
        widget=forms.RadioSelect,
        initial=ON_FILE,
    )
    field_order = ["period", "amount", "requested_date", "pay_from"]

    def __init__(self, *args, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [("", "- Select a tax type and period -")] + [
            (tax_type.name, [(p.pk, f"Period ending {p.period_end:%m/%d/%Y}") for p in group])
            for tax_type, group in periods
        ]
        self.fields["period"].widget.attrs["class"] = "usa-select"
        self.periods = {p.pk: p for _, group in periods for p in group}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("pay_from") == ONE_TIME:
            self.clean_bank(cleaned)
        return cleaned

    def period_obj(self):
        return self.periods[self.cleaned_data["period"]]

    def one_time_bank(self) -> BankDetails | None:
        return self.bank() if self.cleaned_data["pay_from"] == ONE_TIME else None


class BankingForm(RequiredBankAccountMixin, UswdsForm):
    tax_type = forms.ChoiceField(label="Tax type", help_text="Choose one tax type, or all of them at once.")
    field_order = ["tax_type", *BANK_FIELDS]

    def __init__(self, *args, tax_types, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tax_type"].choices = [(ALL, "All tax types")] + [(t.code, t.name) for t in tax_types]
        self.fields["tax_type"].widget.attrs["class"] = "usa-select"
        self.tax_types = {t.code: t for t in tax_types}

    def chosen_tax_types(self):
        code = self.cleaned_data["tax_type"]
        return list(self.tax_types.values()) if code == ALL else [self.tax_types[code]]


class BusinessContactForm(UswdsForm):
    street = forms.CharField(label="Street address", max_length=120)
    street2 = forms.CharField(label="Street address line 2", max_length=120, required=False)
    city = forms.CharField(label="City", max_length=60)
    state = forms.ChoiceField(label="State", choices=STATE_CHOICES)
    zip_code = forms.RegexField(
        label="ZIP code",
        regex=r"^\d{5}(-\d{4})?$",
        max_length=10,
        error_messages={"invalid": "Enter a 5-digit ZIP code, or ZIP+4 like 06103-1234."},
    )
    phone = forms.CharField(label="Phone number", max_length=30, help_text="With area code, like 860-297-5962.")
    email = forms.EmailField(label="Email address", max_length=254)

    def clean_phone(self):
        try:
            return normalize_phone(self.cleaned_data["phone"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def contact(self) -> BusinessContact:
        return BusinessContact(**{f: self.cleaned_data[f] for f in BusinessContact.__dataclass_fields__})


class PaymentSearchForm(HistorySearchForm):
    """The seed: "Select the tax type or 'View All' and choose the option to view by Period End or
    by Filing Date Range"."""

    def __init__(self, *args, tax_types, today, **kwargs):
        super().__init__(*args, tax_types=tax_types, today=today, **kwargs)
        self.fields["tax_type"].choices = [(ALL, "View All")] + [(t.code, t.name) for t in tax_types]
        self.fields["tax_type"].initial = ALL
        self.fields["end"].help_text = "mm/dd/yyyy"

    def tax_type_obj(self):
        code = self.cleaned_data["tax_type"]
        return None if code == ALL else self.tax_types[code]


class CloseTaxTypesForm(UswdsForm):
    tax_types = forms.MultipleChoiceField(
        label="Tax types to close",
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose every tax type to close the business.",
    )
    closed_on = SlashedDateField(
        label="Closing date", help_text="mm/dd/yyyy: the last day the business had activity for these tax types."
    )

    def __init__(self, *args, registrations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tax_types"].choices = [
            (r.tax_type.code, r.tax_type.name + (f" (closed {r.end_date:%m/%d/%Y})" if r.end_date else ""))
            for r in registrations
        ]
        self.fields["tax_types"].widget.attrs["class"] = "usa-checkbox__input"
        self.by_code = {r.tax_type.code: r.tax_type for r in registrations}

    def chosen(self):
        return [self.by_code[code] for code in self.cleaned_data["tax_types"]]
