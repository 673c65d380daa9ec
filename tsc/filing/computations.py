"""Return arithmetic, computed on the server from what the taxpayer entered (DOMAIN.md).

Every function is pure: entered Decimal values in, the return's lines out. Views never
compute and never trust a total sent by the browser.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from tsc.lib.money import ZERO, cents, percent_of

SALES_TAX_RATE = Decimal("6.35")
INTEREST_RATE_PER_MONTH = Decimal("1")
MINIMUM_PENALTY = Decimal("50.00")


@dataclass(frozen=True)
class Line:
    number: str
    label: str
    amount: Decimal
    entered: bool = False  # typed by the taxpayer (else computed)


@dataclass(frozen=True)
class Computation:
    lines: tuple[Line, ...]
    tax_due: Decimal  # after credits and payments, before penalty and interest
    credit: Decimal  # overpayment carried forward (never negative)
    penalty: Decimal = ZERO
    interest: Decimal = ZERO

    @property
    def amount_due(self) -> Decimal:
        return self.tax_due + self.penalty + self.interest


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
    """Late-payment penalty by tax type (DOMAIN.md):
    Sales and Use: 15 % of the tax or $50, whichever is greater.
    Withholding: 10 % of the tax; $50 for a late return with no tax due.
    Withholding Non-Wage: 10 % of the tax or $50, whichever is greater."""
    if filed <= due:
        return ZERO
    if tax_type_code == "ST":
        return max(percent_of(tax, 15), MINIMUM_PENALTY) if tax > 0 else ZERO
    if tax_type_code == "WH":
        return percent_of(tax, 10) if tax > 0 else MINIMUM_PENALTY
    if tax_type_code == "WN":
        return max(percent_of(tax, 10), MINIMUM_PENALTY)
    return ZERO


def _with_late_charges(
    lines: list[Line], tax_due: Decimal, credit: Decimal, tax_type_code: str, due: date, filed: date
) -> Computation:
    pen = penalty(tax_type_code, tax_due, due, filed)
    intr = interest(tax_due, due, filed)
    n = len(lines)
    lines += [
        Line(str(n + 1), "Penalty", pen),
        Line(str(n + 2), "Interest", intr),
        Line(str(n + 3), "Total amount due", tax_due + pen + intr),
    ]
    return Computation(tuple(lines), tax_due=tax_due, credit=credit, penalty=pen, interest=intr)


# ---- OS-114 Sales and Use Tax ----------------------------------------------------------------


OS114_FIELDS = (
    ("gross_receipts", "Gross receipts from sales, leases, rentals and services"),
    ("nontaxable_sales", "Nontaxable sales and services"),
    ("resales", "Sales for resale"),
    ("other_deductions", "Other deductions (sales to exempt organizations, out-of-state sales)"),
    ("use_tax_purchases", "Purchases subject to use tax"),
    ("credits", "Credits (prior overpayments)"),
)


def os114(values: dict[str, Decimal], *, due: date, filed: date) -> Computation:
    """OS-114. Example: gross 10,000.00; nontaxable 500.00; resale 1,000.00; other 0 → net
    taxable 8,500.00 → tax 539.75; use-tax purchases 200.00 → 12.70; total 552.45."""
    v = {k: cents(values.get(k, ZERO)) for k, _ in OS114_FIELDS}
    deductions = v["nontaxable_sales"] + v["resales"] + v["other_deductions"]
    net_taxable = v["gross_receipts"] - deductions
    if net_taxable < 0:
        raise ValueError("Deductions cannot be more than gross receipts.")
    sales_tax = percent_of(net_taxable, SALES_TAX_RATE)
    use_tax = percent_of(v["use_tax_purchases"], SALES_TAX_RATE)
    total_tax = sales_tax + use_tax
    tax_due = max(total_tax - v["credits"], ZERO)
    lines = [
        Line("1", OS114_FIELDS[0][1], v["gross_receipts"], entered=True),
        Line("2", OS114_FIELDS[1][1], v["nontaxable_sales"], entered=True),
        Line("3", OS114_FIELDS[2][1], v["resales"], entered=True),
        Line("4", OS114_FIELDS[3][1], v["other_deductions"], entered=True),
        Line("5", "Total deductions (lines 2 + 3 + 4)", deductions),
        Line("6", "Net taxable sales (line 1 - line 5)", net_taxable),
        Line("7", "Sales tax at 6.35 % of line 6", sales_tax),
        Line("8", OS114_FIELDS[4][1], v["use_tax_purchases"], entered=True),
        Line("9", "Use tax at 6.35 % of line 8", use_tax),
        Line("10", "Total tax (lines 7 + 9)", total_tax),
        Line("11", OS114_FIELDS[5][1], v["credits"], entered=True),
        Line("12", "Tax due (line 10 - line 11, not less than zero)", tax_due),
    ]
    return _with_late_charges(lines, tax_due, max(v["credits"] - total_tax, ZERO), "ST", due, filed)


# ---- CT-941 Withholding reconciliation ------------------------------------------------------


CT941_FIELDS = (
    ("wages", "Gross Connecticut wages paid this quarter"),
    ("withheld_month1", "Connecticut tax withheld, month 1"),
    ("withheld_month2", "Connecticut tax withheld, month 2"),
    ("withheld_month3", "Connecticut tax withheld, month 3"),
    ("payments", "Payments made for this quarter (CT-WH deposits)"),
)


def ct941(values: dict[str, Decimal], *, due: date, filed: date) -> Computation:
    """CT-941. Example: withheld 1,200.00 + 1,150.50 + 1,300.25 = 3,650.75; deposits 3,500.00
    → balance due 150.75."""
    v = {k: cents(values.get(k, ZERO)) for k, _ in CT941_FIELDS}
    withheld = v["withheld_month1"] + v["withheld_month2"] + v["withheld_month3"]
    balance = withheld - v["payments"]
    tax_due, credit = max(balance, ZERO), max(-balance, ZERO)
    lines = [
        Line("1", CT941_FIELDS[0][1], v["wages"], entered=True),
        Line("2", CT941_FIELDS[1][1], v["withheld_month1"], entered=True),
        Line("3", CT941_FIELDS[2][1], v["withheld_month2"], entered=True),
        Line("4", CT941_FIELDS[3][1], v["withheld_month3"], entered=True),
        Line("5", "Total Connecticut tax withheld (lines 2 + 3 + 4)", withheld),
        Line("6", CT941_FIELDS[4][1], v["payments"], entered=True),
        Line("7", "Balance due (line 5 - line 6, not less than zero)", tax_due),
        Line("8", "Credit (line 6 - line 5, not less than zero)", credit),
    ]
    return _with_late_charges(lines, tax_due, credit, "WH", due, filed)


# ---- CT-1096 annual summary of 1099/W-2G ------------------------------------------------------


def ct1096(*, record_count: int, total_withheld: Decimal, payments: Decimal, due: date, filed: date) -> Computation:
    """CT-1096: summary of the attached 1099/W-2G records. The CT tax they show withheld was due
    with the withholding deposits; any part not yet paid is due with this return."""
    total_withheld = cents(total_withheld)
    payments = cents(payments)
    balance = total_withheld - payments
    tax_due, credit = max(balance, ZERO), max(-balance, ZERO)
    lines = [
        Line("1", "Number of 1099 and W-2G forms attached", Decimal(record_count)),
        Line("2", "Total Connecticut income tax withheld on the attached forms", total_withheld),
        Line("3", "Payments made for this tax withheld", payments, entered=True),
        Line("4", "Balance due (line 2 - line 3, not less than zero)", tax_due),
        Line("5", "Credit (line 3 - line 2, not less than zero)", credit),
    ]
    return _with_late_charges(lines, tax_due, credit, "WN", due, filed)
