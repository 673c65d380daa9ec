"""A business in good standing: registered today, its first period not yet ended, so nothing is
due; and its TSC Administrator."""

from datetime import date

from tsc.accounts.models import Login
from tsc.taxpayers.models import FilingFrequency
from tsc.taxpayers.services import business_register, registration_add


def good_standing_business(demo, today: date):
    business = business_register(
        registration_number="5550123-000",
        legal_name="Thimble Islands Kayak Co.",
        street="1 Stony Creek Road",
        city="Branford",
        zip_code="06405",
        fein="06-5550123",
    )
    registration_add(
        business=business,
        tax_type=demo.sales,
        filing_frequency=FilingFrequency.MONTHLY,
        start_date=today,
        periods_through=today,
    )
    admin = Login.objects.create(business=business, user_id="kayak1", is_administrator=True)
    return business, admin
