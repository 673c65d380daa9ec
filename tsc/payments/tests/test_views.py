import re
from datetime import date
from decimal import Decimal as D

import pytest
import time_machine

from tsc.accounts.acting import Acting
from tsc.payments import services
from tsc.payments.models import BankAccount, Payment, PaymentStatus

ACCOUNT = {
    "routing_number": "011000015",
    "account_number": "000123456789",
    "account_number2": "000123456789",
    "account_type": "checking",
}


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-11-24 10:00:00-05:00", tick=False):
        yield


def period(demo):
    return demo.nutmeg.registrations.get(tax_type=demo.sales).periods.get(period_end=date(2026, 10, 31))


def form(demo, **overrides):
    return (
        {
            "period": period(demo).pk,
            "amount": "552.45",
            "requested_date": "11/30/2026",
            "pay_from": "one_time",
            "action": "review",
        }
        | ACCOUNT
        | overrides
    )


def test_make_a_payment_review_submit_receipt(demo, signed_in):
    client = signed_in(demo.payer)
    html = client.get("/payments/").content.decode()
    assert "earliest date you can choose now is <strong>11/25/2026</strong>" in html
    review = client.post("/payments/", form(demo)).content.decode()
    assert "Review your payment" in review and "11/27/2026" in review  # sent the Friday after Thanksgiving
    assert "ending 6789" in review and "000123456789" not in review  # the account travels encrypted
    assert not Payment.objects.exists()
    hidden = dict(re.findall(r'name="(\w+)" value="([^"]*)"', review))
    submit = {k: v for k, v in hidden.items() if k != "csrfmiddlewaretoken"} | {"action": "submit"}
    response = client.post("/payments/", submit)
    payment = Payment.objects.get()
    assert response.url == f"/payments/{payment.pk}/?made=1"
    assert payment.amount == D("552.45") and payment.account_number == "000123456789"
    receipt = client.get(response.url).content.decode()
    assert payment.confirmation_number in receipt and "Your payment is scheduled" in receipt
    # Submitting the same review page again records nothing more.
    client.post("/payments/", submit)
    assert Payment.objects.count() == 1


def test_bad_input_is_shown_next_to_the_field_and_kept(demo, signed_in):
    html = (
        signed_in(demo.payer)
        .post("/payments/", form(demo, requested_date="11/26/2026", amount="", account_number2="1"))
        .content.decode()
    )
    assert "The two account numbers do not match" in html and 'value="11/26/2026"' in html
    assert 'value="011000015"' in html  # the routing number is kept; account numbers never echo
    assert "000123456789" not in html and not Payment.objects.exists()


def test_a_holiday_is_refused_with_the_next_banking_day(demo, signed_in):
    html = signed_in(demo.payer).post("/payments/", form(demo, requested_date="11/26/2026")).content.decode()
    assert "11/26/2026 is not a banking day" in html and "The next banking day is 11/27/2026" in html


def test_pay_what_a_return_says_is_due(demo, signed_in):
    import uuid

    from tsc.filing import services as filing
    from tsc.filing.models import TaxReturn

    tax_return = filing.return_submit(actor=demo.filepay, period=period(demo), values={}, submission_token=uuid.uuid4())
    TaxReturn.objects.filter(pk=tax_return.pk).update(amount_due=D("646.37"))
    html = signed_in(demo.filepay).get(f"/payments/?return={tax_return.pk}").content.decode()
    assert 'value="646.37"' in html and f"Paying the amount due on OS-114 {tax_return.confirmation_number}" in html
    assert f'<option value="{tax_return.period_id}" selected>' in html


def test_without_an_account_on_file_the_page_says_so(demo, signed_in):
    BankAccount.objects.filter(business=demo.nutmeg).delete()  # the demo keeps one on file
    html = signed_in(demo.payer).post("/payments/", form(demo, pay_from="on_file")).content.decode()
    assert "no banking information on file for Sales and Use Tax" in html


def test_cancel_then_find_it_under_cancelled(demo, signed_in):
    payment = services.payment_schedule(
        ctx=Acting.for_login(demo.payer),
        period=period(demo),
        amount=D("10.00"),
        requested_date=date(2026, 11, 30),
        submission_token=__import__("uuid").uuid4(),
        account=services.BankDetails("011000015", "12345678", "savings"),
    )
    client = signed_in(demo.payer)
    assert "Yes, cancel this payment" in client.get(f"/payments/{payment.pk}/cancel/").content.decode()
    response = client.post(f"/payments/{payment.pk}/cancel/")
    assert response.url == f"/payments/{payment.pk}/?cancelled=1"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CANCELLED
    html = client.get(
        "/payments/cancelled/",
        {"tax_type": "all", "search_by": "filing_date", "start": "11/01/2026", "end": "11/24/2026"},
    ).content.decode()
    assert payment.confirmation_number in html
    scheduled = client.get(
        "/payments/scheduled/",
        {"tax_type": "ST", "search_by": "period_end", "start": "10/01/2026", "end": "10/31/2026"},
    ).content.decode()
    assert payment.confirmation_number not in scheduled and "No payments were found" in scheduled


def test_processed_list_says_when_it_is_current(demo, signed_in):
    html = (
        signed_in(demo.viewer)
        .get(
            "/payments/processed/",
            {"tax_type": "all", "search_by": "filing_date", "start": "01/01/2026", "end": "11/24/2026"},
        )
        .content.decode()
    )
    assert "Information is current as of 11/24/2026" in html and "has not been posted to your account" in html


def test_the_administrator_changes_banking_for_all_tax_types(demo, signed_in):
    client = signed_in(demo.admin)
    response = client.post("/business-profile/banking/", {"tax_type": "all"} | ACCOUNT)
    assert response.url == "/business-profile/"
    assert BankAccount.objects.filter(business=demo.nutmeg).count() == 3
    html = client.get("/business-profile/").content.decode()
    assert html.count("Checking account ending 6789") == 3 and "000123456789" not in html


def test_banking_errors_stay_by_the_field(demo, signed_in):
    html = (
        signed_in(demo.admin)
        .post("/business-profile/banking/", {"tax_type": "ST"} | ACCOUNT | {"routing_number": "011000016"})
        .content.decode()
    )
    assert "check digit does not match" in html and 'value="011000016"' in html
    assert "000123456789" not in html  # account numbers are never shown back
    assert set(BankAccount.objects.filter(business=demo.nutmeg).values_list("account_last4", flat=True)) == {"3456"}


def test_the_business_contact_is_changed_and_audited(demo, signed_in):
    from tsc.audit.models import AuditEvent

    data = {
        "street": "200 Main Street",
        "street2": "",
        "city": "Hartford",
        "state": "CT",
        "zip_code": "06103",
        "phone": "(860) 555-0100",
        "email": "office@nutmeg.example",
    }
    response = signed_in(demo.admin).post("/business-profile/contact/", data)
    assert response.url == "/business-profile/"
    demo.nutmeg.refresh_from_db()
    assert demo.nutmeg.phone == "860-555-0100" and demo.nutmeg.street == "200 Main Street"
    event = AuditEvent.objects.get(event="business.contact_updated")
    assert set(event.data["fields"]) == {"street", "phone", "email"}


def test_a_filed_return_with_an_amount_due_offers_to_pay_it(demo, signed_in):
    import uuid

    from tsc.filing import services as filing

    tax_return = filing.return_submit(
        actor=demo.filepay, period=period(demo), values={"l1_c1": D("1000.00")}, submission_token=uuid.uuid4()
    )
    assert tax_return.amount_due > 0
    link = f"/payments/?return={tax_return.pk}"
    assert link in signed_in(demo.filepay).get(f"/returns/{tax_return.pk}/").content.decode()
    assert link not in signed_in(demo.viewer).get(f"/returns/{tax_return.pk}/").content.decode()  # no Pay right


def test_close_a_tax_type_from_a_date(demo, signed_in):
    from tsc.audit.models import AuditEvent
    from tsc.taxpayers.services import filing_periods_generate

    client = signed_in(demo.admin)
    data = {"tax_types": ["WH"], "closed_on": "12/31/2026"}
    confirm = client.post("/business-profile/close/", data).content.decode()
    assert "no new filing periods will be opened for" in confirm and "Withholding" in confirm
    registration = demo.nutmeg.registrations.get(tax_type=demo.withholding)
    assert registration.end_date is None  # nothing until confirmed
    response = client.post("/business-profile/close/", data | {"confirm": "yes"})
    assert response.url == "/business-profile/"
    registration.refresh_from_db()
    assert registration.end_date == date(2026, 12, 31)
    assert AuditEvent.objects.get(event="registration.closed").data["tax_type"] == "WH"
    # No period after the closing date is opened; the sales tax goes on.
    filing_periods_generate(registration=registration, through=date(2027, 6, 30))
    assert not registration.periods.filter(period_start__gt=date(2026, 12, 31)).exists()
    assert "Withholding: closed from 12/31/2026" in client.get("/business-profile/").content.decode()


def test_closing_needs_a_tax_type_and_a_real_date(demo, signed_in):
    html = (
        signed_in(demo.admin)
        .post("/business-profile/close/", {"closed_on": "13/45/2026", "confirm": "yes"})
        .content.decode()
    )
    assert "This field is required" in html or "Choose" in html
    assert 'value="13/45/2026"' in html
    assert not demo.nutmeg.registrations.filter(end_date__isnull=False).exists()
