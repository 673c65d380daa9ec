"""Return arithmetic, computed on the server from what the taxpayer entered (DOMAIN.md).

Every function is pure: entered Decimal values in, the return's lines out. Views never
compute and never trust a total sent by the browser. Amounts are kept in cents, rounded half
up; the paper forms' whole dollars are not used (docs/adr/0005).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

from tsc.lib.money import ZERO, cents, dollars, percent_of

from .lines import Computation, Layout, Line, LineChange, line_changes

__all__ = ["Computation", "Line", "LineChange", "line_changes"]  # kept importable from here

INTEREST_RATE_PER_MONTH = Decimal("1")
MINIMUM_PENALTY = Decimal("50.00")
FORMS_ATTACHED = "Number of 1099 and W-2G forms attached"  # a count, not dollars


# ---- late filing ---------------------------------------------------------------------------


def months_late(due: date, paid: date) -> int:
    """Months or fractions of a month from the due date until paid: due 01/15, paid 01/16 → 1;
    paid 02/15 → 1; paid 02/16 → 2. Paid on or before the due date → 0."""
    if paid <= due:
        return 0
    months = (paid.year - due.year) * 12 + (paid.month - due.month)
    if paid.day > due.day:
        months += 1
    return max(months, 1)


def interest(tax: Decimal, due: date, paid: date) -> Decimal:
    """1 % of the unpaid tax per month or fraction of a month. Interest is never waived."""
    if tax <= 0:
        return ZERO
    return percent_of(tax, INTEREST_RATE_PER_MONTH * months_late(due, paid))


def penalty(tax_type_code: str, tax: Decimal, due: date, filed: date) -> Decimal:
    """Late penalty by tax type (DOMAIN.md; the choice for OS-114 is in docs/adr/0005):
    Sales and Use: 15 % of the tax or $50, whichever is greater (CGS §12-419); none when no tax is due.
    Withholding: 10 % of the tax; $50 for a late return with no tax due.
    Withholding Non-Wage (CT-1096): none, it is a transmittal (see ct1096)."""
    if filed <= due:
        return ZERO
    if tax_type_code == "ST":
        return max(percent_of(tax, 15), MINIMUM_PENALTY) if tax > 0 else ZERO
    if tax_type_code == "WH":
        return percent_of(tax, 10) if tax > 0 else MINIMUM_PENALTY
    return ZERO


# ---- OS-114 Sales and Use Tax (Rev. 09/20), in four rate columns -------------------------------


@dataclass(frozen=True)
class RateColumn:
    number: int
    name: str
    rate: Decimal

    @property
    def heading(self) -> str:
        return f"Column {self.number} {self.name} {self.rate}%"


OS114_COLUMNS = (
    RateColumn(1, "General", Decimal("6.35")),
    RateColumn(2, "Meals and beverages", Decimal("7.35")),
    RateColumn(3, "Luxury", Decimal("7.75")),
    RateColumn(4, "Rental of passenger motor vehicles", Decimal("9.35")),
)
OS114_RECEIPT_LINES = (
    ("1", "Gross receipts from sales of goods"),
    ("2", "Gross receipts from leases and rentals"),
    ("3", "Gross receipts from labor and services (including computer and data processing services)"),
    ("4", "Goods purchased by your business subject to use tax"),
    ("5", "Leases and rentals subject to use tax"),
    ("6", "Services subject to use tax"),
)
# Line 8, itemised as on the deductions schedule.
OS114_DEDUCTION_LINES = (
    ("8a", "Deductions: sales for resale"),
    ("8b", "Deductions: sales to exempt organizations"),
    ("8c", "Deductions: out-of-state sales"),
    ("8d", "Deductions: other nontaxable sales"),
)
OS114_PRIOR_TAX_LABEL = "Tax paid on the prior return (amended returns only)"


def os114_key(line: str, column: int) -> str:
    """The TaxReturn.data key of one entered cell: line 1, column 2 → 'l1_c2'."""
    return f"l{line}_c{column}"


# The entered cells: data key → (row, column), rows being lines 1 to 6 then 8a to 8d.
_OS114_CELLS = {
    os114_key(number, col.number): (row, c)
    for row, (number, _) in enumerate((*OS114_RECEIPT_LINES, *OS114_DEDUCTION_LINES))
    for c, col in enumerate(OS114_COLUMNS)
}
_OS114_RATES = tuple(col.rate for col in OS114_COLUMNS)
_OS114_NET_LABEL = "Net tax due (line 10b minus line 11)"


def _os114_layout(net_label: str) -> Layout:
    width = len(OS114_COLUMNS)
    return Layout(
        (
            *((n, label, True, width) for n, label in OS114_RECEIPT_LINES),
            ("7", "Total (add lines 1 through 6)", False, width),
            *((n, label, True, width) for n, label in OS114_DEDUCTION_LINES),
            ("8", "Total deductions (add lines 8a through 8d)", False, width),
            ("9", "Gross receipts subject to tax (line 7 minus line 8, not less than zero)", False, width),
            ("10a", "Tax (line 9 times the column's rate)", False, width),
            ("10b", "Total tax (add line 10a, columns 1 through 4)", False, 0),
            ("11", OS114_PRIOR_TAX_LABEL, False, 0),
            ("12", net_label, False, 0),
            ("13", "Interest and penalty", False, 0),
            ("14", "Total amount due (line 12 plus line 13; zero when line 12 is a credit)", False, 0),
        )
    )


_OS114_LAYOUT = _os114_layout(_OS114_NET_LABEL)
_OS114_CREDIT_LAYOUT = _os114_layout(f"{_OS114_NET_LABEL}: a credit, to be refunded")


# Where each line's amounts start in an OS-114 computation's flat amounts (the line's total, then
# its four columns): lines 1-6, 7, 8a-8d, 8, 9 and 10a; then 10b, 11, 12, 13, 14 one amount each.
_WIDE = 1 + len(OS114_COLUMNS)
_RECEIPT_AT = tuple(range(0, 6 * _WIDE, _WIDE))
_TOTAL_AT = 6 * _WIDE
_DEDUCTION_AT = tuple(range(7 * _WIDE, 11 * _WIDE, _WIDE))
_DEDUCTED_AT, _TAXABLE_AT, _TAX_AT, _SCALARS_AT = 11 * _WIDE, 12 * _WIDE, 13 * _WIDE, 14 * _WIDE
_ROW_AT = (*_RECEIPT_AT, *_DEDUCTION_AT)  # grid row (lines 1-6, then 8a-8d) → where its amounts start
_NOTHING_TYPED = [ZERO] * (_SCALARS_AT + 5)  # every amount zero: the same ZERO (its text known at once)


def _line(amounts: list, at: int, columns) -> None:
    """Put a line in rate columns at `at`: its total, then each column (as `sum` of them from ZERO)."""
    amounts[at + 1 : at + _WIDE] = columns
    amounts[at] = sum(columns, ZERO)


def os114(values: dict[str, Decimal], *, due: date, filed: date, prior_tax: Decimal | None = None) -> Computation:
    """OS-114. Example: general sales 10,000.00 less 1,500.00 sold for resale → 8,500.00 × 6.35 %
    = 539.75; meals 10,000.00 × 7.35 % = 735.00; total tax (10b) 1,274.75.
    Deductions larger than a column's receipts leave that column at zero (line 9).
    `prior_tax` (line 11) is the total tax of the return being amended, None on an original;
    when it is more than the new total, line 12 is negative: a credit."""
    # Only the cells typed are worked on (a return usually fills a few of its 40): a blank cell
    # is zero (the one ZERO), and a line or column with nothing typed is zero all the way down.
    typed: dict[int, list[Decimal]] = {}  # grid row → its four columns, for the lines typed
    for key, value in values.items():
        if value and (cell := _OS114_CELLS.get(key)) is not None:
            row, column = cell
            if (columns := typed.get(row)) is None:
                columns = typed[row] = _ZERO_COLUMNS.copy()
            columns[column] = cents(value)
    amounts = _NOTHING_TYPED.copy()
    if typed:
        receipts = deductions = None  # column by column, the sums of the lines typed (lines 7 and 8)
        for row, columns in typed.items():
            _line(amounts, _ROW_AT[row], columns)
            if row < len(OS114_RECEIPT_LINES):
                receipts = columns if receipts is None else [t + a for t, a in zip(receipts, columns, strict=True)]
            else:
                deductions = (
                    columns if deductions is None else [t + a for t, a in zip(deductions, columns, strict=True)]
                )
        total = _ZERO_COLUMNS if receipts is None else [ZERO + a for a in receipts]
        deducted = _ZERO_COLUMNS if deductions is None else [ZERO + a for a in deductions]
        if receipts is not None:
            _line(amounts, _TOTAL_AT, total)
        if deductions is not None:
            _line(amounts, _DEDUCTED_AT, deducted)
        taxable = [max(t - d, ZERO) for t, d in zip(total, deducted, strict=True)]
        tax = [percent_of(amount, rate) if amount else ZERO for amount, rate in zip(taxable, _OS114_RATES, strict=True)]
        _line(amounts, _TAXABLE_AT, taxable)
        _line(amounts, _TAX_AT, tax)
        total_tax = amounts[_TAX_AT]
    else:
        total_tax = ZERO
    prior = cents(prior_tax) if prior_tax is not None else ZERO
    net = total_tax - prior
    tax_due, credit = max(net, ZERO), max(-net, ZERO)
    pen, intr = penalty("ST", tax_due, due, filed), interest(tax_due, due, filed)
    amounts[_SCALARS_AT:] = (total_tax, prior, net, pen + intr, tax_due + pen + intr)
    layout = _OS114_CREDIT_LAYOUT if net < 0 else _OS114_LAYOUT
    return Computation(layout, tuple(amounts), tax_due=tax_due, credit=credit, penalty=pen, interest=intr)


_ZERO_COLUMNS = [ZERO] * len(OS114_COLUMNS)


# ---- CT-941 Reconciliation of Withholding (Rev. 12/23) ----------------------------------------


CT941_LINES = (
    ("1", "Gross wages"),
    ("2", "Gross Connecticut wages"),
    ("3", "Connecticut income tax withheld"),
    ("5", "Payments made for this quarter"),
)
CT941_PRIOR_CREDIT_LABEL = "Credit from the prior quarter"
CT941_MONTH_KEYS = ("m1", "m2", "m3")
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def ct941_key(line: str) -> str:
    return f"l{line}"


def quarter_months(period_end: date) -> tuple[str, str, str]:
    """The months of the quarter ending `period_end`: 12/31 → October, November, December."""
    return tuple(MONTH_NAMES[(period_end.month - back - 1) % 12] for back in (2, 1, 0))


def monthly_liability_label(month: str) -> str:
    return f"Monthly liability: Connecticut income tax withheld in {month}"


def ct941_monthly_problem(values: dict[str, Decimal]) -> str | None:
    """The monthly liability section must add up to line 3 once any month is entered (monthly
    and weekly remitters fill it in; quarterly remitters may leave it blank)."""
    months = [values.get(key) for key in CT941_MONTH_KEYS]
    if all(month is None for month in months):
        return None
    total = sum((cents(m) for m in months if m is not None), ZERO)
    withheld = cents(values.get(ct941_key("3")) or ZERO)
    if total == withheld:
        return None
    return (
        f"The three months add up to {dollars(total)}, but line 3 (Connecticut income tax withheld) is "
        f"{dollars(withheld)}. Correct the months or line 3 so they are the same."
    )


def ct941(
    values: dict[str, Decimal],
    *,
    due: date,
    filed: date,
    prior_credit: Decimal = ZERO,
    months: tuple[str, str, str] = ("month 1", "month 2", "month 3"),
) -> Computation:
    """CT-941. Example: withheld 3,650.75; credit from the prior quarter 100.00; payments
    3,500.00 → total payments and credits 3,600.00 → net tax due 50.75.
    `prior_credit` (line 4) is the credit (line 8) of the prior quarter's return, found by the
    caller; `months` names the monthly liability section."""
    v = {key: cents(values.get(key) or ZERO) for key in _CT941_KEYS}
    prior = cents(prior_credit)
    paid = prior + v["l5"]
    balance = v["l3"] - paid
    tax_due, credit = max(balance, ZERO), max(-balance, ZERO)
    pen, intr = penalty("WH", tax_due, due, filed), interest(tax_due, due, filed)
    amounts = (v["l1"], v["l2"], v["l3"], prior, v["l5"], paid, tax_due, credit, pen, intr, tax_due + pen + intr)
    amounts += tuple(v[key] for key in CT941_MONTH_KEYS)
    layout = _ct941_layout(tuple(months))
    return Computation(layout, amounts, tax_due=tax_due, credit=credit, penalty=pen, interest=intr)


_CT941_KEYS = (*(ct941_key(n) for n, _ in CT941_LINES), *CT941_MONTH_KEYS)


@lru_cache(maxsize=64)
def _ct941_layout(months: tuple[str, str, str]) -> Layout:
    entered = {n: (n, label, True, 0) for n, label in CT941_LINES}
    return Layout(
        (
            entered["1"],
            entered["2"],
            entered["3"],
            ("4", CT941_PRIOR_CREDIT_LABEL, False, 0),
            entered["5"],
            ("6", "Total payments and credits (line 4 plus line 5)", False, 0),
            ("7", "Net tax due (line 3 minus line 6, if more than zero)", False, 0),
            (
                "8",
                "Credit (line 6 minus line 3, if more than zero), to be refunded or applied to the next quarter",
                False,
                0,
            ),
            ("9", "Penalty", False, 0),
            ("10", "Interest", False, 0),
            ("11", "Total amount due (add lines 7, 9 and 10)", False, 0),
            *(("", monthly_liability_label(month), True, 0) for month in months),
        )
    )


# ---- CT-1096 annual summary of 1099/W-2G ------------------------------------------------------


def ct1096(*, record_count: int, total_paid: Decimal, total_withheld: Decimal) -> Computation:
    """CT-1096 is a transmittal: it reports the attached 1099/W-2G forms and computes no tax.
    The Connecticut tax they show withheld is paid with the withholding (CT-WH) payments, so
    nothing is due with a CT-1096 and no penalty or interest is charged on it, late or not."""
    amounts = (Decimal(record_count), cents(total_paid), cents(total_withheld))
    return Computation(_CT1096_LAYOUT, amounts, tax_due=ZERO, credit=ZERO)


_CT1096_LAYOUT = Layout(
    (
        ("1", FORMS_ATTACHED, False, 0),
        ("2", "Total amounts paid on the attached forms", False, 0),
        ("3", "Total Connecticut income tax withheld on the attached forms", False, 0),
    )
)
