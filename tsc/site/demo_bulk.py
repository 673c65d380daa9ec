"""Demo data for Third Party Bulk Filing: a preparer firm, its administrator and its clients.
Idempotent."""

from datetime import date

from tsc.bulk import services as bulk
from tsc.taxpayers.models import Business, Individual

DEMO_FIRM = "4444444-000"
DEMO_FIRM_ADMIN = "prep1"


def firm_ensure(today: date, *, password: str, login) -> Business:
    from tsc.taxpayers.services import business_register

    firm = Business.objects.filter(registration_number=DEMO_FIRM).first() or business_register(
        registration_number=DEMO_FIRM,
        legal_name="Constitution Tax Services LLC",
        street="250 Constitution Plaza",
        city="Hartford",
        zip_code="06103",
        fein="06-4444444",
    )
    login(firm, DEMO_FIRM_ADMIN, "Priya Preparer", administrator=True)
    bulk_filer = bulk.bulk_filer_designate(firm=firm, actor=None)
    for number in ("1234567-000", "7654321-000", "2222222-000"):
        client = Business.objects.get(registration_number=number)
        bulk.staff_authorization_record(actor=None, bulk_filer=bulk_filer, client=client)
    if Individual.objects.filter(first_name="Pat", last_name="Lee").exists():
        from .demo_account import DEMO_REFUND_SSN

        bulk.staff_authorization_record(actor=None, bulk_filer=bulk_filer, ssn=DEMO_REFUND_SSN)
    return firm
