from decimal import Decimal

import pytest

from tsc.lib.money import cents, dollars, parse_amount, percent_of


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0.005", "0.01"), ("0.004", "0.00"), ("2.675", "2.68"), ("1.125", "1.13"), ("-1.125", "-1.13"), (7, "7.00")],
)
def test_cents_round_half_up(value, expected):
    assert cents(value) == Decimal(expected)


def test_float_is_refused():
    with pytest.raises(TypeError):
        cents(1.1)


@pytest.mark.parametrize(
    ("amount", "rate", "expected"),
    [
        ("1000.00", "6.35", "63.50"),
        ("12345.67", "6.35", "783.95"),  # 783.950045 → 783.95
        ("0.08", "6.35", "0.01"),  # 0.00508 → 0.01
        ("0.07", "6.35", "0.00"),  # 0.004445 → 0.00
        ("1999.99", "15", "300.00"),  # 299.9985 → 300.00
        ("433.33", "1", "4.33"),
    ],
)
def test_percent_of_worked_examples(amount, rate, expected):
    assert percent_of(Decimal(amount), rate) == Decimal(expected)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("1234.5", "1234.50"), ("$1,234.56", "1234.56"), (" 12 ", "12.00"), (".5", "0.50"), ("-3", "-3.00")],
)
def test_parse_amount(typed, expected):
    assert parse_amount(typed) == Decimal(expected)


@pytest.mark.parametrize("typed", ["", "abc", "1.234", "1.2.3", "$", "12e3"])
def test_parse_amount_refuses(typed):
    with pytest.raises(ValueError):
        parse_amount(typed)


def test_dollars():
    assert dollars(Decimal("1234.5")) == "$1,234.50"
    assert dollars(Decimal("-12")) == "-$12.00"
