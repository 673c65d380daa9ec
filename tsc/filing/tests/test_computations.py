"""Worked examples for every form, computed by hand."""

from datetime import date
from decimal import Decimal as D

import pytest

from tsc.filing.computations import ct941, ct1096, interest, months_late, os114, penalty

ON_TIME = {"due": date(2025, 2, 28), "filed": date(2025, 2, 20)}


def line(computation, number):
    return next(ln.amount for ln in computation.lines if ln.number == number)


def test_os114_worked_example():
    c = os114(
        {
            "gross_receipts": D("10000.00"),
            "nontaxable_sales": D("500.00"),
            "resales": D("1000.00"),
            "other_deductions": D("0"),
            "use_tax_purchases": D("200.00"),
            "credits": D("0"),
        },
        **ON_TIME,
    )
    assert line(c, "5") == D("1500.00")
    assert line(c, "6") == D("8500.00")
    assert line(c, "7") == D("539.75")  # 8,500 × 6.35 %
    assert line(c, "9") == D("12.70")  # 200 × 6.35 %
    assert line(c, "10") == D("552.45")
    assert c.tax_due == D("552.45") and c.amount_due == D("552.45") and c.penalty == 0


def test_os114_rounds_each_tax_half_up():
    c = os114({"gross_receipts": D("12345.67"), "use_tax_purchases": D("0.08")}, **ON_TIME)
    assert line(c, "7") == D("783.95")  # 783.950045
    assert line(c, "9") == D("0.01")  # 0.00508


def test_os114_credits_cannot_make_tax_negative():
    c = os114({"gross_receipts": D("1000.00"), "credits": D("100.00")}, **ON_TIME)
    assert c.tax_due == D("0.00") and c.credit == D("36.50")  # 100 − 63.50


def test_os114_deductions_above_gross_are_refused():
    with pytest.raises(ValueError, match="Deductions cannot be more"):
        os114({"gross_receipts": D("100"), "resales": D("100.01")}, **ON_TIME)


def test_os114_late_worked_example():
    # Tax 552.45, due 02/28/2025, filed 04/15/2025: 2 months → interest 2 % = 11.05;
    # penalty 15 % = 82.87 but at least $50 → 82.87. Total 552.45 + 82.87 + 11.05 = 646.37.
    c = os114(
        {
            "gross_receipts": D("10000.00"),
            "nontaxable_sales": D("500.00"),
            "resales": D("1000.00"),
            "use_tax_purchases": D("200.00"),
        },
        due=date(2025, 2, 28),
        filed=date(2025, 4, 15),
    )
    assert c.penalty == D("82.87") and c.interest == D("11.05")
    assert c.amount_due == D("646.37")
    assert line(c, "15") == D("646.37")


def test_sales_penalty_minimum_is_50():
    assert penalty("ST", D("100.00"), date(2025, 1, 31), date(2025, 2, 1)) == D("50.00")
    assert penalty("ST", D("0.00"), date(2025, 1, 31), date(2025, 2, 1)) == D("0.00")


def test_withholding_penalty():
    assert penalty("WH", D("1000.00"), date(2025, 1, 31), date(2025, 2, 1)) == D("100.00")
    assert penalty("WH", D("0.00"), date(2025, 1, 31), date(2025, 2, 1)) == D("50.00")  # late, nothing due
    assert penalty("WH", D("1000.00"), date(2025, 1, 31), date(2025, 1, 31)) == D("0.00")


def test_non_wage_penalty():
    assert penalty("WN", D("1000.00"), date(2025, 1, 31), date(2025, 3, 1)) == D("100.00")
    assert penalty("WN", D("100.00"), date(2025, 1, 31), date(2025, 3, 1)) == D("50.00")


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


def test_ct941_worked_example():
    c = ct941(
        {
            "wages": D("45000.00"),
            "withheld_month1": D("1200.00"),
            "withheld_month2": D("1150.50"),
            "withheld_month3": D("1300.25"),
            "payments": D("3500.00"),
        },
        due=date(2025, 4, 30),
        filed=date(2025, 4, 30),
    )
    assert line(c, "5") == D("3650.75")
    assert c.tax_due == D("150.75") and c.credit == D("0.00") and c.amount_due == D("150.75")


def test_ct941_overpaid_gives_a_credit():
    c = ct941({"withheld_month1": D("100.00"), "payments": D("150.00")}, due=date(2025, 4, 30), filed=date(2025, 4, 1))
    assert c.tax_due == D("0.00") and c.credit == D("50.00")


def test_ct941_late():
    # Balance 150.75 filed 06/02/2025, due 04/30/2025: 2 months → interest 3.02 (3.015 half up), penalty 15.08.
    c = ct941({"withheld_month1": D("150.75")}, due=date(2025, 4, 30), filed=date(2025, 6, 2))
    assert c.interest == D("3.02") and c.penalty == D("15.08") and c.amount_due == D("168.85")


def test_ct1096_summary():
    c = ct1096(
        record_count=3,
        total_withheld=D("1234.56"),
        payments=D("1234.56"),
        due=date(2026, 1, 31),
        filed=date(2026, 1, 20),
    )
    assert line(c, "1") == D("3") and line(c, "2") == D("1234.56") and c.amount_due == D("0.00")
    late = ct1096(
        record_count=3,
        total_withheld=D("1234.56"),
        payments=D("1000.00"),
        due=date(2026, 1, 31),
        filed=date(2026, 2, 2),
    )
    assert late.tax_due == D("234.56") and late.penalty == D("50.00") and late.interest == D("2.35")
