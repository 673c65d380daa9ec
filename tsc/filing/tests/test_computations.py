"""Worked examples for every form, computed by hand."""

from datetime import date
from decimal import Decimal as D

import pytest

from tsc.filing.computations import (
    ct941,
    ct941_monthly_problem,
    ct1096,
    interest,
    line_changes,
    months_late,
    os114,
    penalty,
    quarter_months,
)

ON_TIME = {"due": date(2025, 2, 28), "filed": date(2025, 2, 20)}


def line(computation, number):
    return next(ln.amount for ln in computation.lines if ln.number == number)


def columns(computation, number):
    return next(ln.columns for ln in computation.lines if ln.number == number)


# ---- OS-114 ------------------------------------------------------------------------------------

# Column 1 general, 2 meals, 3 luxury, 4 rental of passenger motor vehicles; lines by letter.
MIXED = {
    "l1_c1": D("10000.00"),  # sales of goods
    "l3_c1": D("2000.00"),  # labor and services
    "l4_c1": D("500.00"),  # goods bought subject to use tax
    "l8a_c1": D("1500.00"),  # sales for resale
    "l8c_c1": D("1000.00"),  # out-of-state sales
    "l1_c2": D("8000.00"),  # meals
    "l8b_c2": D("500.00"),  # sales to exempt organizations
    "l1_c3": D("5000.00"),  # luxury goods
    "l2_c4": D("3000.00"),  # rentals of passenger motor vehicles
}


@pytest.mark.parametrize(
    ("column", "receipts", "tax"),
    [
        (1, "10000.00", "635.00"),  # 6.35 %
        (2, "10000.00", "735.00"),  # 7.35 %
        (3, "10000.00", "775.00"),  # 7.75 %
        (4, "10000.00", "935.00"),  # 9.35 %
        (1, "1234.56", "78.39"),  # 78.394560
        (2, "70.00", "5.15"),  # 5.145: half up (half even would give 5.14)
        (3, "1234.56", "95.68"),  # 95.678400
        (4, "1234.56", "115.43"),  # 115.431360
    ],
)
def test_os114_each_column_is_taxed_at_its_own_rate(column, receipts, tax):
    c = os114({f"l1_c{column}": D(receipts)}, **ON_TIME)
    expected = tuple(D(tax) if n == column else D("0.00") for n in (1, 2, 3, 4))
    assert columns(c, "10a") == expected
    assert line(c, "10b") == D(tax) and line(c, "12") == D(tax) and c.amount_due == D(tax)


def test_os114_mixed_return_line_by_line():
    c = os114(MIXED, **ON_TIME)
    assert columns(c, "7") == (D("12500.00"), D("8000.00"), D("5000.00"), D("3000.00"))
    assert line(c, "7") == D("28500.00")
    assert columns(c, "8") == (D("2500.00"), D("500.00"), D("0.00"), D("0.00"))
    assert columns(c, "9") == (D("10000.00"), D("7500.00"), D("5000.00"), D("3000.00"))
    # 10,000 × 6.35 % = 635.00; 7,500 × 7.35 % = 551.25; 5,000 × 7.75 % = 387.50; 3,000 × 9.35 % = 280.50
    assert columns(c, "10a") == (D("635.00"), D("551.25"), D("387.50"), D("280.50"))
    assert line(c, "10b") == D("1854.25")
    assert line(c, "11") == D("0.00") and line(c, "12") == D("1854.25")
    assert line(c, "13") == D("0.00") and line(c, "14") == D("1854.25")
    assert c.tax_due == D("1854.25") and c.credit == D("0.00")
    assert [ln.number for ln in c.lines] == [
        *"1234567",
        "8a",
        "8b",
        "8c",
        "8d",
        "8",
        "9",
        "10a",
        "10b",
        "11",
        "12",
        "13",
        "14",
    ]


def test_os114_deductions_larger_than_one_columns_receipts_leave_that_column_at_zero():
    c = os114({"l1_c1": D("100.00"), "l8a_c1": D("250.00"), "l1_c2": D("1000.00")}, **ON_TIME)
    assert columns(c, "9") == (D("0.00"), D("1000.00"), D("0.00"), D("0.00"))  # not −150.00
    assert columns(c, "10a") == (D("0.00"), D("73.50"), D("0.00"), D("0.00"))
    assert line(c, "10b") == D("73.50")


def test_os114_amended_with_more_tax_owes_the_difference():
    c = os114(MIXED, **ON_TIME, prior_tax=D("1466.75"))
    assert line(c, "11") == D("1466.75") and line(c, "12") == D("387.50")
    assert c.tax_due == D("387.50") and c.amount_due == D("387.50")


def test_os114_amended_with_less_tax_is_a_credit_not_zero():
    fewer = {k: v for k, v in MIXED.items() if k != "l1_c3"}  # the luxury sales were reported in error
    c = os114(fewer, due=date(2025, 2, 28), filed=date(2025, 6, 1), prior_tax=D("1854.25"))
    assert line(c, "10b") == D("1466.75")
    assert line(c, "12") == D("-387.50")
    assert "credit" in next(ln.label for ln in c.lines if ln.number == "12")
    assert c.credit == D("387.50") and c.tax_due == D("0.00")
    assert c.penalty == D("0.00") and c.interest == D("0.00") and line(c, "14") == D("0.00")


def test_os114_late_worked_example():
    # Tax 1,854.25, due 02/28/2025, filed 04/15/2025: 2 months. Interest 2 % = 37.085 → 37.09;
    # penalty 15 % = 278.1375 → 278.14 (more than $50). Line 13 315.23; line 14 2,169.48.
    c = os114(MIXED, due=date(2025, 2, 28), filed=date(2025, 4, 15))
    assert c.interest == D("37.09") and c.penalty == D("278.14")
    assert line(c, "13") == D("315.23") and line(c, "14") == D("2169.48") and c.amount_due == D("2169.48")


def test_os114_late_with_little_tax_pays_the_50_dollar_minimum():
    # Meals 1,000.00 → 73.50; one day late: penalty 15 % = 11.03 → $50; interest 1 % = 0.735 → 0.74.
    c = os114({"l1_c2": D("1000.00")}, due=date(2025, 2, 28), filed=date(2025, 3, 1))
    assert c.penalty == D("50.00") and c.interest == D("0.74") and line(c, "14") == D("124.24")


def test_os114_blank_return_is_all_zero():
    c = os114({}, **ON_TIME)
    assert line(c, "14") == D("0.00") and columns(c, "1") == (D("0.00"),) * 4


def test_sales_penalty_minimum_is_50():
    assert penalty("ST", D("100.00"), date(2025, 1, 31), date(2025, 2, 1)) == D("50.00")
    assert penalty("ST", D("0.00"), date(2025, 1, 31), date(2025, 2, 1)) == D("0.00")


def test_withholding_penalty():
    assert penalty("WH", D("1000.00"), date(2025, 1, 31), date(2025, 2, 1)) == D("100.00")
    assert penalty("WH", D("0.00"), date(2025, 1, 31), date(2025, 2, 1)) == D("50.00")  # late, nothing due
    assert penalty("WH", D("1000.00"), date(2025, 1, 31), date(2025, 1, 31)) == D("0.00")


def test_a_late_ct1096_with_100_withheld_carries_no_penalty():
    # The review found a $50 penalty on a late CT-1096: it is a transmittal, nothing is due with it.
    assert penalty("WN", D("100.00"), date(2025, 1, 31), date(2025, 3, 1)) == D("0.00")


@pytest.mark.parametrize(
    ("due", "paid", "months"),
    [
        (date(2025, 1, 15), date(2025, 1, 15), 0),
        (date(2025, 1, 15), date(2025, 1, 16), 1),
        (date(2025, 1, 15), date(2025, 2, 15), 1),
        (date(2025, 1, 15), date(2025, 2, 16), 2),
        (date(2025, 1, 31), date(2025, 2, 28), 1),
        (date(2025, 1, 31), date(2025, 3, 1), 2),
        (date(2024, 12, 31), date(2025, 12, 31), 12),
    ],
)
def test_months_or_fraction_of_a_month(due, paid, months):
    assert months_late(due, paid) == months


def test_interest_is_one_percent_per_month():
    assert interest(D("1000.00"), date(2025, 1, 15), date(2025, 4, 1)) == D("30.00")
    assert interest(D("0"), date(2025, 1, 15), date(2025, 4, 1)) == D("0.00")


def test_ct941_worked_example_with_a_credit_from_the_prior_quarter():
    c = ct941(
        {"l1": D("60000.00"), "l2": D("45000.00"), "l3": D("3650.75"), "l5": D("3500.00")},
        due=date(2025, 4, 30),
        filed=date(2025, 4, 30),
        prior_credit=D("100.00"),
        months=quarter_months(date(2025, 3, 31)),
    )
    assert line(c, "4") == D("100.00") and line(c, "6") == D("3600.00")
    assert line(c, "7") == D("50.75") and line(c, "8") == D("0.00") and line(c, "11") == D("50.75")
    assert c.tax_due == D("50.75") and c.credit == D("0.00") and c.amount_due == D("50.75")
    assert [ln.label for ln in c.lines if not ln.number] == [
        "Monthly liability: Connecticut income tax withheld in January",
        "Monthly liability: Connecticut income tax withheld in February",
        "Monthly liability: Connecticut income tax withheld in March",
    ]


def test_ct941_overpaid_gives_a_credit_for_the_next_quarter():
    c = ct941(
        {"l3": D("3000.00"), "l5": D("3000.00")},
        due=date(2025, 4, 30),
        filed=date(2025, 4, 1),
        prior_credit=D("250.00"),
    )
    assert line(c, "6") == D("3250.00") and line(c, "7") == D("0.00") and line(c, "8") == D("250.00")
    assert c.tax_due == D("0.00") and c.credit == D("250.00") and c.amount_due == D("0.00")


def test_ct941_late():
    # Balance 150.75 filed 06/02/2025, due 04/30/2025: 2 months → interest 3.02 (3.015 half up), penalty 15.08.
    c = ct941({"l3": D("150.75")}, due=date(2025, 4, 30), filed=date(2025, 6, 2))
    assert c.interest == D("3.02") and c.penalty == D("15.08") and c.amount_due == D("168.85")
    assert line(c, "9") == D("15.08") and line(c, "10") == D("3.02") and line(c, "11") == D("168.85")


def test_ct941_late_with_nothing_due_is_50_dollars():
    c = ct941({"l3": D("100.00"), "l5": D("100.00")}, due=date(2025, 4, 30), filed=date(2025, 5, 1))
    assert c.penalty == D("50.00") and c.interest == D("0.00") and c.amount_due == D("50.00")


@pytest.mark.parametrize(
    ("end", "months"),
    [
        (date(2025, 3, 31), ("January", "February", "March")),
        (date(2025, 6, 30), ("April", "May", "June")),
        (date(2025, 12, 31), ("October", "November", "December")),
    ],
)
def test_quarter_months_are_named(end, months):
    assert quarter_months(end) == months


def test_ct941_months_must_add_up_to_line_3():
    months = {"m1": D("1200.00"), "m2": D("1150.50"), "m3": D("1300.25")}
    assert ct941_monthly_problem(months | {"l3": D("3650.75")}) is None
    problem = ct941_monthly_problem(months | {"l3": D("3650.00")})
    assert "$3,650.75" in problem and "$3,650.00" in problem
    assert ct941_monthly_problem({"l3": D("3650.00")}) is None  # quarterly remitter: section left blank
    assert ct941_monthly_problem({"m2": D("10.00")}) is not None  # a month alone, line 3 blank


def test_line_changes_compare_each_line_and_each_changed_column():
    original = [ln.as_dict() for ln in os114(MIXED, **ON_TIME).lines]
    amended_values = MIXED | {"l1_c2": D("9000.00")}
    amended = [ln.as_dict() for ln in os114(amended_values, **ON_TIME, prior_tax=D("1854.25")).lines]
    changes = {(ch.number, ch.label): ch for ch in line_changes(original, amended)}
    assert changes[("10b", "Total tax (add line 10a, columns 1 through 4)")].difference == D("73.50")
    column = changes[("", "Line 1, Column 2 Meals and beverages 7.35%")]
    assert (column.original, column.amended, column.difference) == (D("8000.00"), D("9000.00"), D("1000.00"))
    assert ("", "Line 1, Column 1 General 6.35%") not in changes  # unchanged column: no row
    assert changes[("11", "Tax paid on the prior return (amended returns only)")].amended == D("1854.25")
    assert changes[("12", "Net tax due (line 10b minus line 11)")].amended == D("73.50")


def test_ct1096_is_a_transmittal_with_no_tax_penalty_or_interest():
    c = ct1096(record_count=3, total_paid=D("18500.00"), total_withheld=D("1234.56"))
    assert [(ln.number, ln.amount) for ln in c.lines] == [("1", D("3")), ("2", D("18500.00")), ("3", D("1234.56"))]
    assert c.tax_due == c.penalty == c.interest == c.amount_due == D("0.00")


def _os114_as_written_first(values, *, due, filed, prior_tax=None):
    """The OS-114 computation as first written (a grid of the lines typed, lines added up with
    tuples): the amounts `os114` gives, exponents and all, must be these."""
    from tsc.filing.computations import (
        _OS114_CELLS,
        _OS114_CREDIT_LAYOUT,
        _OS114_LAYOUT,
        _OS114_RATES,
        OS114_COLUMNS,
        OS114_DEDUCTION_LINES,
        OS114_RECEIPT_LINES,
        interest,
        penalty,
    )
    from tsc.lib.money import ZERO, cents, percent_of

    zeros = (ZERO,) * len(OS114_COLUMNS)

    def add(rows):
        rows = [row for row in rows if row is not None]
        return zeros if not rows else tuple(sum(column, ZERO) for column in zip(*rows, strict=True))

    def with_sum(amounts):
        return (ZERO, *zeros) if amounts is zeros else (sum(amounts, ZERO), *amounts)

    grid = [None] * (len(OS114_RECEIPT_LINES) + len(OS114_DEDUCTION_LINES))
    for key, value in values.items():
        if value and (cell := _OS114_CELLS.get(key)) is not None:
            row, column = cell
            if grid[row] is None:
                grid[row] = list(zeros)
            grid[row][column] = cents(value)
    receipts, deductions = grid[: len(OS114_RECEIPT_LINES)], grid[len(OS114_RECEIPT_LINES) :]
    total, deducted = add(receipts), add(deductions)
    if total is zeros and deducted is zeros:
        taxable = tax = zeros
    else:
        taxable = tuple(max(t - d, ZERO) for t, d in zip(total, deducted, strict=True))
        tax = tuple(percent_of(a, r) if a else ZERO for a, r in zip(taxable, _OS114_RATES, strict=True))
    total_tax = sum(tax, ZERO)
    prior = cents(prior_tax) if prior_tax is not None else ZERO
    net = total_tax - prior
    tax_due, credit = max(net, ZERO), max(-net, ZERO)
    pen, intr = penalty("ST", tax_due, due, filed), interest(tax_due, due, filed)
    amounts = []
    for row in receipts:
        amounts += with_sum(zeros if row is None else tuple(row))
    amounts += with_sum(total)
    for row in deductions:
        amounts += with_sum(zeros if row is None else tuple(row))
    for line in (deducted, taxable, tax):
        amounts += with_sum(line)
    amounts += (total_tax, prior, net, pen + intr, tax_due + pen + intr)
    return (_OS114_CREDIT_LAYOUT if net < 0 else _OS114_LAYOUT), tuple(amounts), (tax_due, credit, pen, intr)


def test_os114_gives_the_amounts_of_the_computation_as_first_written_on_random_returns():
    import random

    from tsc.filing.computations import _OS114_CELLS

    rng = random.Random(11)
    keys = list(_OS114_CELLS)
    odd = [D("0"), D("0.00"), D("-0.00"), D("0.004"), D("0.005"), D("12.345"), D("999999999.99"), D("7")]
    for _ in range(3000):
        values = {}
        for key in rng.sample(keys, rng.choice([0, 1, 1, 1, 2, 3, 5, 12, 40])):
            values[key] = rng.choice(odd) if rng.random() < 0.2 else D(rng.randint(0, 10**7)) / 100
        values |= {"unrelated": D("5.00")} if rng.random() < 0.1 else {}
        prior = rng.choice([None, None, D("0.00"), D(rng.randint(0, 10**6)) / 100])
        due, filed = date(2025, 2, 20), rng.choice([date(2025, 2, 20), date(2025, 7, 3)])
        c = os114(values, due=due, filed=filed, prior_tax=prior)
        layout, amounts, figures = _os114_as_written_first(values, due=due, filed=filed, prior_tax=prior)
        assert c.layout is layout and [str(a) for a in c.amounts] == [str(a) for a in amounts], values
        assert c.amounts == amounts and (c.tax_due, c.credit, c.penalty, c.interest) == figures
        assert c.amounts_text() == " ".join(map(str, amounts))
