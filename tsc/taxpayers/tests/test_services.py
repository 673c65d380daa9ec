from datetime import date

import pytest
from django.db import connection

from tsc.audit.models import AuditEvent
from tsc.lib.identifiers import InvalidIdentifier, normalize_fein, normalize_registration_number, normalize_ssn
from tsc.taxpayers import selectors, services
from tsc.taxpayers.models import Business, FilingFrequency, Individual, TaxType


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        ("1234567-000", "1234567-000"),
        ("1234567000", "1234567-000"),
        ("12345678-000", "12345678-000"),
        ("12345678000", "12345678-000"),
        (" 1234567 001 ", "1234567-001"),
    ],
)
def test_registration_numbers_are_stored_in_one_form(typed, normal):
    assert normalize_registration_number(typed) == normal


@pytest.mark.parametrize("bad", ["", "123456-000", "123456789-000", "1234567-00", "abcdefg-000", "1234567--000"])
def test_bad_registration_numbers(bad):
    with pytest.raises(InvalidIdentifier):
        normalize_registration_number(bad)


def test_fein_and_ssn():
    assert normalize_fein("061234567") == "06-1234567"
    assert normalize_ssn("123-45-6789") == "123456789"
    for bad in ["000-12-3456", "123-45-67", "666-12-3456"]:
        with pytest.raises(InvalidIdentifier):
            normalize_ssn(bad)


@pytest.mark.django_db
def test_tax_types_are_installed():
    codes = dict(TaxType.objects.values_list("code", "name"))
    assert codes == {
        "ST": "Sales and Use Tax",
        "WH": "Withholding",
        "WN": "Withholding Non-Wage",
        "IT": "Individual Income Tax",
    }


@pytest.mark.django_db
def test_business_register_normalises_and_audits():
    business = services.business_register(
        registration_number="7777777000",
        legal_name="Elm City Books",
        street="1 Chapel St",
        city="New Haven",
        zip_code="06510",
        fein="061111111",
    )
    assert business.registration_number == "7777777-000" and business.fein == "06-1111111"
    assert AuditEvent.objects.filter(event="business.registered", business=business).exists()
    assert selectors.business_by_registration_number("7777777 000") == business
    assert selectors.business_by_registration_number("nonsense") is None


@pytest.mark.django_db
def test_individual_ssn_is_encrypted_at_rest_and_found_by_blind_index():
    person = services.individual_create(
        first_name="Ada", last_name="Lovelace", ssn="123-45-6789", street="1 Main", city="Hartford", zip_code="06103"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT ssn, ssn_index, ssn_last4 FROM taxpayers_individual WHERE id = %s", [person.pk])
        stored, index, last4 = cursor.fetchone()
    assert "123456789" not in stored and "6789" not in stored and "123456789" not in index
    assert last4 == "6789"
    assert Individual.objects.get(pk=person.pk).ssn == "123456789"
    assert selectors.individual_by_ssn("123456789") == person
    assert selectors.individual_by_ssn("987-65-4321") is None
    assert "6789" in str(person) and "12345" not in str(person)


@pytest.mark.django_db
def test_filing_periods_generate_is_idempotent():
    business = Business.objects.create(
        registration_number="7777777-000", legal_name="X", street="s", city="c", zip_code="06103"
    )
    registration = services.registration_add(
        business=business,
        tax_type=TaxType.objects.get(code="ST"),
        filing_frequency=FilingFrequency.MONTHLY,
        start_date=date(2023, 11, 5),
        periods_through=date(2024, 3, 15),
    )
    assert [p.period_end for p in registration.periods.order_by("period_end")] == [
        date(2023, 11, 30),
        date(2023, 12, 31),
        date(2024, 1, 31),
        date(2024, 2, 29),
    ]
    # Due 03/31/2024, a Sunday: the next business day.
    assert registration.periods.get(period_end=date(2024, 2, 29)).due_date == date(2024, 4, 1)
    assert services.filing_periods_generate(registration=registration, through=date(2024, 3, 15)) == 0
    assert services.filing_periods_generate(registration=registration, through=date(2024, 4, 30)) == 2


@pytest.mark.django_db
def test_business_tax_types_include_non_wage_for_everyone(demo):
    assert [t.code for t in selectors.business_tax_types(demo.bakery)] == ["ST", "WH", "WN"]
    assert [t.code for t in selectors.business_tax_types(demo.mystic)] == ["ST", "WN"]


def test_demo_has_three_years_of_periods(demo):
    sales = demo.nutmeg.registrations.get(tax_type__code="ST")
    assert sales.periods.count() >= 36


def test_withholding_returns_are_quarterly_whatever_the_deposit_schedule(demo):
    withholding = demo.nutmeg.registrations.get(tax_type__code="WH")
    assert withholding.filing_frequency == "monthly"
    ends = sorted(withholding.periods.values_list("period_end", flat=True))
    assert all(end.month in (3, 6, 9, 12) for end in ends)
    first = withholding.periods.get(period_end=date(2019, 3, 31))
    assert (first.period_start, first.due_date) == (date(2019, 1, 1), date(2019, 4, 30))
