from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings

from tsc.lib.formats.records import (
    CFSF_STATE_CODES,
    FORMS,
    US_STATES,
    InformationReturn,
    Problem,
    shown,
    validate_record,
)

from .strategies import SAMPLE, records


def problems_of(rec: InformationReturn) -> list[tuple[str, str]]:
    return [(p.field, p.reason) for p in validate_record(rec, 7)]


def test_sample_is_valid_and_totals_its_amounts():
    assert validate_record(SAMPLE, 1) == []
    assert SAMPLE.total_paid == Decimal("1334.56")
    assert InformationReturn("W-2G", "1", "2", "", "n", "", "", "CT", "06103").total_paid == Decimal("0.00")


def test_tables():
    assert FORMS == {"1099-MISC": "A ", "1099-NEC": "NE", "W-2G": "W "}
    assert len(US_STATES) == 56 and {"CT", "DC", "PR", "VI", "GU", "AS", "MP"} <= US_STATES
    assert CFSF_STATE_CODES["08"] == "CT"
    assert all(len(code) == 2 and code.isdigit() for code in CFSF_STATE_CODES)


@given(records())
@settings(max_examples=50, deadline=None, database=None)
def test_generated_records_are_valid(rec):
    assert validate_record(rec, 1) == []


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"form": "1099-INT"}, "Form", "must be 1099-MISC, 1099-NEC or W-2G"),
        ({"payer_tin": "06123456"}, "Payer TIN", "must be 9 digits"),
        ({"payee_tin": "12345678X"}, "Payee TIN", "must be 9 digits"),
        ({"payee_tin": "123-45-678"}, "Payee TIN", "must be 9 digits"),
        ({"payee_tin": "000000000"}, "Payee TIN", "must not be all zeros"),
        ({"tin_type": "3"}, "TIN type", "must be 1 (EIN), 2 (SSN, ITIN or ATIN) or blank"),
        ({"payee_name": "   "}, "Payee name", "is required"),
        ({"payee_name": "x" * 41}, "Payee name", "is 41 characters; at most 40 fit"),
        ({"payee_name": "José Ruiz"}, "Payee name", "must use plain letters"),
        ({"payee_name": "=HYPERLINK()"}, "Payee name", "must not start with =, +, - or @"),
        ({"payee_city": " Hartford"}, "Payee city", "must not start or end with a space"),
        ({"account_number": "A" * 21}, "Account number", "is 21 characters; at most 20 fit"),
        ({"payee_state": "XX"}, "Payee state", "must be a 2-letter U.S. state or territory code"),
        ({"payee_state": "ct"}, "Payee state", "must be a 2-letter"),
        ({"payee_zip": "0651"}, "Payee ZIP", "must be 5 or 9 digits"),
        ({"payee_zip": "06510-123"}, "Payee ZIP", "must be 5 or 9 digits"),
        ({"amounts": (("1", Decimal("-1.00")),)}, "Payment amount 1", "must not be negative"),
        ({"amounts": (("1", Decimal("1.005")),)}, "Payment amount 1", "must be in whole cents"),
        ({"amounts": (("1", Decimal("10000000000.00")),)}, "Payment amount 1", "is more than $9,999,999,999.99"),
        ({"amounts": (("I", Decimal("1.00")),)}, "Payment amount I", "is not an amount code"),
        ({"amounts": (("1", Decimal(1)), ("1", Decimal(2)))}, "Payment amount 1", "appears more than once"),
        ({"state_tax_withheld": Decimal("-0.01")}, "State income tax withheld", "must not be negative"),
        ({"state_tax_withheld": Decimal("NaN")}, "State income tax withheld", "must be an amount"),
        (
            {"state_tax_withheld": Decimal("1334.57")},
            "State income tax withheld",
            "is $1,334.57, more than the $1,334.56 paid",
        ),
        ({"state_code": "99"}, "Combined federal/state code", "Connecticut is 08"),
        ({"payee_name": "00000000000000000000000"}, "Payee name", "is all digits"),
    ],
)
def test_each_rule_names_its_field(change, field, reason):
    found = problems_of(replace(SAMPLE, **change))
    assert len(found) == 1, found
    assert found[0][0] == field
    assert reason in found[0][1]
    assert validate_record(replace(SAMPLE, **change), 7)[0].record_number == 7


def test_tax_may_be_withheld_when_nothing_is_paid():
    assert validate_record(replace(SAMPLE, amounts=(), state_tax_withheld=Decimal("5.00")), 1) == []


def test_a_bad_tin_is_never_repeated_back():
    for problem in validate_record(replace(SAMPLE, payee_tin="12345678X", tin_type="9"), 1):
        assert "12345678" not in problem.reason


def test_shown_hides_anything_that_could_be_a_tin():
    assert shown("12AB") == ' (found "12AB")'
    assert shown("123-45-6789") == ""
    assert shown("  1234567890") == ""


def test_problems_are_values():
    assert Problem(1, "Payee TIN", "must be 9 digits") == Problem(1, "Payee TIN", "must be 9 digits")
    # A record is not frozen (a reader builds 100,000s; see records.py) but compares as a value,
    # and a changed copy leaves the original as it was.
    copy = replace(SAMPLE, payee_name="OTHER NAME")
    assert copy != SAMPLE and SAMPLE.payee_name != "OTHER NAME"
    assert replace(SAMPLE) == SAMPLE
    with pytest.raises(AttributeError):
        SAMPLE.no_such_field = "x"  # type: ignore[attr-defined]  # slots: no stray attributes
