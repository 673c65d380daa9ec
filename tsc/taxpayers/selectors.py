from django.db.models import Q, QuerySet

from tsc.lib import identifiers, pii

from .models import Business, Individual, Registration, TaxType


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
    # A subquery on the business's own registrations (its index), not an OR over a join: the
    # join made PostgreSQL scan every registration of the state on each call (issue 13).
    registered = Registration.objects.filter(business=business).values("tax_type_id")
    return TaxType.objects.filter(
        Q(pk__in=registered) | Q(offered_to_all_businesses=True), for_individuals=False
    ).order_by("sort_order", "name")
