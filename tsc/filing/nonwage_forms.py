"""Forms for Withholding Non-Wage: 1099/W-2G entered by hand (up to 50) or uploaded."""

from django import forms

from tsc.lib.fields import MoneyField
from tsc.lib.formats import records
from tsc.lib.forms import UswdsForm
from tsc.lib.usps import STATE_CHOICES

from .models import UploadKind

MAX_MANUAL_RECORDS = 50
FORM_CHOICES = [("1099-MISC", "1099-MISC"), ("1099-NEC", "1099-NEC"), ("W-2G", "W-2G")]
# The box an amount entered by hand goes in: MISC other income (3), NEC nonemployee
# compensation (1), W-2G gross winnings (1).
AMOUNT_CODE = {"1099-MISC": "3", "1099-NEC": "1", "W-2G": "1"}
TOO_MANY = (
    "You can enter at most 50 forms by hand. To file more, use "
    '"Upload a file containing 1099/W-2G information" or '
    '"Upload a 1099/W-2G file using the Standard file formatting".'
)


class RecordForm(UswdsForm):
    form = forms.ChoiceField(label="Form", choices=FORM_CHOICES)
    payee_name = forms.CharField(label="Payee name", max_length=40)
    payee_tin = forms.CharField(
        label="Payee TIN (SSN or EIN)",
        max_length=11,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    tin_type = forms.ChoiceField(label="TIN type", choices=[("2", "SSN or ITIN"), ("1", "EIN")])
    payee_address = forms.CharField(label="Street address", max_length=40)
    payee_city = forms.CharField(label="City", max_length=40)
    payee_state = forms.ChoiceField(label="State", choices=STATE_CHOICES)
    payee_zip = forms.RegexField(
        label="ZIP code",
        regex=r"^\d{5}(-?\d{4})?$",
        max_length=10,
        error_messages={"invalid": "Enter a 5-digit ZIP code, or ZIP+4."},
    )
    amount = MoneyField(label="Amount paid")
    ct_tax_withheld = MoneyField(label="Connecticut tax withheld")

    def clean_payee_tin(self):
        digits = "".join(ch for ch in self.cleaned_data["payee_tin"] if ch.isdigit())
        if len(digits) != 9 or digits == "000000000":
            raise forms.ValidationError("Enter the payee's 9-digit SSN or EIN.")
        return digits

    def clean(self):
        cleaned = super().clean()
        amount, withheld = cleaned.get("amount"), cleaned.get("ct_tax_withheld")
        if amount is not None and withheld is not None and withheld > amount:
            self.add_error("ct_tax_withheld", "The tax withheld cannot be more than the amount paid.")
        return cleaned


# Where a problem the record checks find (the same checks uploads get) shows on the form.
_FIELD_OF_PROBLEM = {
    records.F_FORM: "form",
    records.F_PAYEE_TIN: "payee_tin",
    records.F_TIN_TYPE: "tin_type",
    records.F_PAYEE_NAME: "payee_name",
    records.F_PAYEE_ADDRESS: "payee_address",
    records.F_PAYEE_CITY: "payee_city",
    records.F_PAYEE_STATE: "payee_state",
    records.F_PAYEE_ZIP: "payee_zip",
    records.F_STATE_TAX: "ct_tax_withheld",
}


def check_record(form: RecordForm, record: records.InformationReturn) -> bool:
    """Run the checks every 1099/W-2G gets, whichever way it came in (entered here, CSV,
    Publication 1220), and put each problem next to its field. True when there are none."""
    problems = records.validate_record(record, 1)
    for problem in problems:
        field = _FIELD_OF_PROBLEM.get(problem.field)
        if field is None and problem.field.startswith("Amount"):
            field = "amount"
        label = form.fields[field].label if field else problem.field
        message = f"{label} {problem.reason}."
        if field is None or field in form.cleaned_data:
            form.add_error(field, message)
        else:  # the field already has its own error: one message per field is enough
            continue
    return not problems


class BaseRecordFormSet(forms.BaseFormSet):
    default_error_messages = {**forms.BaseFormSet.default_error_messages, "too_many_forms": TOO_MANY}

    def clean(self):
        super().clean()
        if not any(f.has_changed() for f in self.forms if f not in self.deleted_forms):
            raise forms.ValidationError("Enter at least one 1099 or W-2G form.")


RecordFormSet = forms.formset_factory(
    RecordForm,
    formset=BaseRecordFormSet,
    extra=0,
    min_num=1,
    max_num=MAX_MANUAL_RECORDS,
    validate_max=True,
    absolute_max=MAX_MANUAL_RECORDS + 1,
)


class UploadForm(UswdsForm):
    file = forms.FileField(label="File")

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = UploadKind(kind)
        self.fields["file"].help_text = (
            "A CSV file with the header row from the template."
            if self.kind == UploadKind.CSV
            else "A text file of 750-character records (T, A, B, C, K, F) as in IRS Publication 1220."
        )
        self.fields["file"].widget.attrs["class"] = "usa-file-input"
