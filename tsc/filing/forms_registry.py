"""Which return form each tax type files, what the taxpayer types on it, and how it is computed.

A form is laid out in sections of entry fields; a section with rate columns is a table of
inputs (OS-114). Figures the server takes from other returns (OS-114 line 11, CT-941 line 4)
are never typed: `carried` lists them for the entry page and `compute` uses the same values.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from tsc.lib.money import ZERO
from tsc.taxpayers.models import FilingFrequency

from . import selectors
from .computations import (
    CT941_LINES,
    CT941_MONTH_KEYS,
    CT941_PRIOR_CREDIT_LABEL,
    OS114_COLUMNS,
    OS114_DEDUCTION_LINES,
    OS114_PRIOR_TAX_LABEL,
    OS114_RECEIPT_LINES,
    Computation,
    RateColumn,
    ct941,
    ct941_key,
    ct941_monthly_problem,
    monthly_liability_label,
    os114,
    os114_key,
    quarter_months,
)


@dataclass(frozen=True)
class EntryField:
    name: str  # the key in TaxReturn.data
    label: str  # the input's own accessible label
    line: str
    line_label: str
    column: RateColumn | None = None


@dataclass(frozen=True)
class EntryRow:
    line: str
    label: str
    fields: tuple[EntryField, ...]


@dataclass(frozen=True)
class Section:
    heading: str
    hint: str
    fields: tuple[EntryField, ...]
    columns: tuple[RateColumn, ...] = ()  # set: a table of inputs, one column per rate

    def rows(self) -> list[EntryRow]:
        """The fields grouped by line, in order (a table row per line)."""
        rows: list[EntryRow] = []
        for f in self.fields:
            if rows and rows[-1].line == f.line:
                rows[-1] = EntryRow(f.line, f.line_label, (*rows[-1].fields, f))
            else:
                rows.append(EntryRow(f.line, f.line_label, (f,)))
        return rows


@dataclass(frozen=True)
class CarriedLine:
    number: str
    label: str
    amount: Decimal
    source: str  # where the figure comes from, in plain words


@dataclass(frozen=True)
class ReturnForm:
    name: str
    title: str
    # (period) → sections; None: built from attached records (CT-1096)
    sections: Callable[..., tuple[Section, ...]] | None = None
    # (values, *, period, amends, filed) → Computation
    compute: Callable[..., Computation] | None = None
    # (period, amends) → figures the server fills in
    carried: Callable[..., tuple[CarriedLine, ...]] = lambda period, amends: ()
    # (values, period) → {field name: problem}
    check: Callable[..., dict[str, str]] = lambda values, period: {}
    columns: tuple[RateColumn, ...] = field(default=())

    def fields(self, period) -> list[EntryField]:
        return [f for section in (self.sections(period) if self.sections else ()) for f in section.fields]


# ---- OS-114 ---------------------------------------------------------------------------------------


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _grid(lines: tuple[tuple[str, str], ...]) -> tuple[EntryField, ...]:
    return tuple(
        EntryField(
            name=os114_key(number, col.number),
            label=f"Line {number}, Column {col.number} {col.name}: {_lower_first(label)}",
            line=number,
            line_label=label,
            column=col,
        )
        for number, label in lines
        for col in OS114_COLUMNS
    )


_OS114_SECTIONS = (
    Section(
        "Gross receipts and purchases subject to use tax (lines 1 to 6)",
        "Enter each amount in the column of its tax rate, in dollars and cents. Leave blank for zero.",
        _grid(OS114_RECEIPT_LINES),
        OS114_COLUMNS,
    ),
    Section(
        "Deductions (line 8)",
        "Nontaxable sales only. A column's deductions larger than its receipts leave nothing taxable in that column.",
        _grid(OS114_DEDUCTION_LINES),
        OS114_COLUMNS,
    ),
)


def prior_tax(amends) -> Decimal | None:
    """OS-114 line 11: the total tax (line 10b) of the return being amended; None on an original.
    Returns filed before the four-column form have no line 10b: their tax due stands in."""
    if amends is None:
        return None
    reported = next((line["amount"] for line in amends.lines if line["number"] == "10b"), None)
    return Decimal(reported) if reported is not None else amends.tax_due


def _os114_carried(period, amends) -> tuple[CarriedLine, ...]:
    if amends is None:
        return ()
    source = f"The total tax (line 10b) of return {amends.confirmation_number}, which this return amends."
    return (CarriedLine("11", OS114_PRIOR_TAX_LABEL, prior_tax(amends), source),)


def _os114_compute(values, *, period, amends, filed: date) -> Computation:
    return os114(values, due=period.due_date, filed=filed, prior_tax=prior_tax(amends))


# ---- CT-941 ---------------------------------------------------------------------------------------


def _ct941_sections(period) -> tuple[Section, ...]:
    months = quarter_months(period.period_end)
    return (
        Section(
            "Wages, tax withheld and payments",
            "",
            tuple(EntryField(ct941_key(n), f"Line {n}: {label}", n, label) for n, label in CT941_LINES),
        ),
        Section(
            "Monthly liability",
            "For monthly and weekly remitters: the Connecticut income tax withheld in each month of the "
            "quarter. The three months must add up to line 3.",
            tuple(
                EntryField(key, monthly_liability_label(month), "", month)
                for key, month in zip(CT941_MONTH_KEYS, months, strict=True)
            ),
        ),
    )


def _ct941_carried(period, amends) -> tuple[CarriedLine, ...]:
    source = (
        f"The credit (line 8) of your return for the quarter ending "
        f"{period.period_start - timedelta(days=1):%m/%d/%Y}; "
        f"zero when that quarter was not filed with a credit."
    )
    return (CarriedLine("4", CT941_PRIOR_CREDIT_LABEL, selectors.prior_quarter_credit(period), source),)


def _ct941_compute(values, *, period, amends, filed: date) -> Computation:
    return ct941(
        values,
        due=period.due_date,
        filed=filed,
        prior_credit=selectors.prior_quarter_credit(period) or ZERO,
        months=quarter_months(period.period_end),
    )


def _ct941_check(values, period) -> dict[str, str]:
    if period.registration.filing_frequency in (FilingFrequency.MONTHLY, FilingFrequency.WEEKLY):
        # Monthly and weekly remitters report the tax withheld month by month (CT-941 Rev. 12/23).
        months = quarter_months(period.period_end)
        missing = {
            key: f"Enter the Connecticut income tax withheld in {month} (0.00 if none): "
            f"{period.registration.get_filing_frequency_display().lower()} remitters fill in every month."
            for key, month in zip(CT941_MONTH_KEYS, months, strict=True)
            if values.get(key) is None
        }
        if missing:
            return missing
    problem = ct941_monthly_problem(values)
    return {CT941_MONTH_KEYS[-1]: problem} if problem else {}


RETURN_FORMS = {
    "ST": ReturnForm(
        "OS-114",
        "Sales and Use Tax Return",
        sections=lambda period: _OS114_SECTIONS,
        compute=_os114_compute,
        carried=_os114_carried,
        columns=OS114_COLUMNS,
    ),
    "WH": ReturnForm(
        "CT-941",
        "Connecticut Reconciliation of Withholding",
        sections=_ct941_sections,
        compute=_ct941_compute,
        carried=_ct941_carried,
        check=_ct941_check,
    ),
    "WN": ReturnForm("CT-1096", "Connecticut Annual Summary and Transmittal of Information Returns"),
}
RETURN_FORMS_BY_NAME = {form.name: form for form in RETURN_FORMS.values()}
