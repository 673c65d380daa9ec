"""Every change to the taxpayer registry goes through here: validated, atomic, audited."""

from datetime import date

from django.db import transaction

from tsc.audit.services import audit_record
from tsc.lib import identifiers, pii

from .models import Business, FilingPeriod, Individual, Registration, TaxType
from .periods import due_date, periods_between, return_frequency


@transaction.atomic
def business_register(
    *,
    registration_number: str,
    legal_name: str,
    street: str,
    city: str,
    zip_code: str,
    state: str = "CT",
    dba_name: str = "",
    fein: str = "",
    actor=None,
) -> Business:
    business = Business(
        registration_number=identifiers.normalize_registration_number(registration_number),
        legal_name=legal_name,
        dba_name=dba_name,
        fein=identifiers.normalize_fein(fein) if fein else "",
        street=street,
        city=city,
        state=state,
        zip_code=zip_code,
    )
    business.full_clean()
    business.save()
    audit_record(event="business.registered", actor=actor, target=business, business=business)
    return business


@transaction.atomic
def individual_create(
    *,
    first_name: str,
    last_name: str,
    ssn: str,
    street: str,
    city: str,
    zip_code: str,
    state: str = "CT",
    actor=None,
) -> Individual:
    digits = identifiers.normalize_ssn(ssn)
    individual = Individual(
        first_name=first_name,
        last_name=last_name,
        ssn=digits,
        ssn_index=pii.blind_index(digits, purpose="ssn"),
        ssn_last4=pii.last4(digits),
        street=street,
        city=city,
        state=state,
        zip_code=zip_code,
    )
    individual.full_clean(exclude=["ssn_index", "ssn_last4"])
    individual.save()
    audit_record(event="individual.created", actor=actor, target=individual)
    return individual


@transaction.atomic
def registration_add(
    *,
    business: Business,
    tax_type: TaxType,
    filing_frequency: str,
    start_date: date,
    actor=None,
    periods_through: date | None = None,
) -> Registration:
    registration = Registration(
        business=business, tax_type=tax_type, filing_frequency=filing_frequency, start_date=start_date
    )
    registration.full_clean()
    registration.save()
    audit_record(
        event="registration.added",
        actor=actor,
        target=registration,
        business=business,
        data={"tax_type": tax_type.code, "filing_frequency": filing_frequency},
    )
    if periods_through:
        filing_periods_generate(registration=registration, through=periods_through)
    return registration


def filing_periods_current(*, registration: Registration, through: date) -> bool:
    """Are the periods ended by `through` all there? One read, so a page can skip the write
    transaction of `filing_periods_generate` when nothing is missing (they are made all at once)."""
    frequency = return_frequency(registration.tax_type.code, registration.filing_frequency)
    ends = [
        end
        for start, end in periods_between(registration.start_date, through, frequency)
        if registration.end_date is None or start <= registration.end_date
    ]
    return not ends or registration.periods.filter(period_end=ends[-1]).exists()


@transaction.atomic
def filing_periods_generate(*, registration: Registration, through: date) -> int:
    """Create the filing periods that have ended by `through`. Safe to run again: periods
    that exist are left alone. Returns how many were created."""
    existing = set(registration.periods.values_list("period_end", flat=True))
    frequency = return_frequency(registration.tax_type.code, registration.filing_frequency)
    new = [
        FilingPeriod(
            registration=registration,
            period_start=start,
            period_end=end,
            due_date=due_date(registration.tax_type.code, frequency, end),
        )
        for start, end in periods_between(registration.start_date, through, frequency)
        if end not in existing and (registration.end_date is None or start <= registration.end_date)
    ]
    FilingPeriod.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)
