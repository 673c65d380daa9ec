from django.db.models import Q, QuerySet

from tsc.lib import identifiers, pii

from .models import Business, Individual, TaxType


def business_by_registration_number(value: str) -> Business | None:
    """The business for a typed registration number, or None (bad format or unknown)."""
    try:
        number = identifiers.normalize_registration_number(value)
    except identifiers.InvalidIdentifier:
        return None
    return Business.objects.filter(registration_number=number).first()


def individual_by_ssn(value: str) -> Individual | None:
    try:
        digits = identifiers.normalize_ssn(value)
    except identifiers.InvalidIdentifier:
        return None
    return Individual.objects.filter(ssn_index=pii.blind_index(digits, purpose="ssn")).first()


def business_tax_types(business: Business) -> QuerySet[TaxType]:
    """The tax types a business's logins can hold rights for: those it is registered for, plus
    those offered to every business (Withholding Non-Wage, per the seed)."""
    return (
        TaxType.objects.filter(
            Q(registrations__business=business) | Q(offered_to_all_businesses=True), for_individuals=False
        )
        .distinct()
        .order_by("sort_order", "name")
    )
