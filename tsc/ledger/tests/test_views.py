"""The account pages as a user sees them: View Account Period Details, a period's account,
penalty waiver requests, Refund Status, and the individual's refund look-up."""

import uuid
from datetime import date
from decimal import Decimal as D

import pytest
import time_machine
from django.urls import reverse

from tsc.filing import services as filing
from tsc.ledger import services as ledger
from tsc.ledger.models import EntryKind, LedgerEntry, PenaltyWaiver, Refund, RefundStatus
from tsc.taxpayers.models import FilingPeriod
from tsc.taxpayers.services import individual_create


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-11-24 10:00:00-05:00", tick=False):
        yield


@pytest.fixture
def late(demo):
    """Nutmeg's OS-114 for September 2026 (due Monday 11/02), filed late on 11/20 and processed:
    tax $635.00, penalty $95.25, interest $6.35 to today."""
    period = demo.nutmeg.registrations.get(tax_type=demo.sales).periods.get(period_end=date(2026, 9, 30))
    tax_return = filing.return_submit(
        actor=demo.filepay,
        period=period,
        values={"l1_c1": D("10000.00")},
        submission_token=uuid.uuid4(),
        filed_on=date(2026, 11, 20),
    )
    ledger.return_process(tax_return=tax_return)
    return period


def test_account_period_details_shows_tax_penalty_interest_and_the_balance(signed_in, demo, late):
    html = signed_in(demo.viewer).get(reverse("ledger:account")).content.decode()
    assert "$635.00" in html and "$95.25" in html and "$6.35" in html and "$736.60" in html
    assert "Information is current as of 11/24/2026" in html
    assert "NOTE on Balance Due" in html
    assert "Pay $736.60" not in html  # View Only: no payment link


def test_balance_if_paid_by_a_later_date_and_the_link_to_pay_it(signed_in, demo, late):
    query = {"tax_type": "ST", "search_by": "period_end", "start": "09/30/2026", "end": "09/30/2026"}
    html = signed_in(demo.payer).get(reverse("ledger:account"), query | {"paid_by": "12/03/2026"}).content.decode()
    # Due Monday 11/02 (10/31 was a Saturday): 12/03 is past 12/02, the first month's end, so two
    # months of interest, $12.70.
    assert "Balance if paid by 12/03/2026" in html and "$12.70" in html and "$742.95" in html
    assert f"period={late.pk}&amp;amount=742.95&amp;date=12%2F03%2F2026" in html
    form = signed_in(demo.payer).get(
        reverse("payments:make"), {"period": late.pk, "amount": "742.95", "date": "12/03/2026"}
    )
    assert form.context["form"].initial["amount"] == "742.95"
    assert form.context["form"].initial["requested_date"] == date(2026, 12, 3)


def test_a_paid_by_date_in_the_past_is_refused_next_to_the_field(signed_in, demo, late):
    query = {"tax_type": "all", "search_by": "period_end", "start": "01/01/2026", "end": "11/24/2026"}
    response = signed_in(demo.viewer).get(reverse("ledger:account"), query | {"paid_by": "11/01/2026"})
    assert response.context["form"].errors["paid_by"] == ["The balance if paid by date cannot be in the past."]
    assert 'value="11/01/2026"' in response.content.decode()


def test_billing_inquiries_reach_six_years_and_show_only_bills(signed_in, demo, late):
    query = {"tax_type": "all", "search_by": "period_end", "start": "12/01/2020", "end": "11/24/2026"}
    response = signed_in(demo.viewer).get(reverse("ledger:account"), query)
    assert "You may view up to 3 years" in response.context["form"].errors["start"][0]
    response = signed_in(demo.viewer).get(reverse("ledger:account"), query | {"bills_only": "on"})
    assert [r["row"].period for r in response.context["rows"]] == [late]
    response = signed_in(demo.viewer).get(
        reverse("ledger:account"), query | {"start": "11/01/2020", "bills_only": "on"}
    )
    assert "Billing inquiries reach 6 years back" in response.context["form"].errors["start"][0]


def test_an_unfiled_period_shows_zero_with_the_note(signed_in, demo, late):
    query = {"tax_type": "ST", "search_by": "period_end", "start": "10/31/2026", "end": "10/31/2026"}
    html = signed_in(demo.viewer).get(reverse("ledger:account"), query).content.decode()
    assert "Return not filed" in html and "$0.00" in html


def test_a_bill_before_2003_is_paid_by_check(signed_in, demo):
    registration = demo.nutmeg.registrations.get(tax_type=demo.sales)
    old = FilingPeriod.objects.create(
        registration=registration,
        period_start=date(2002, 11, 1),
        period_end=date(2002, 11, 30),
        due_date=date(2002, 12, 31),
    )
    LedgerEntry.objects.create(
        business=demo.nutmeg,
        tax_type=demo.sales,
        period=old,
        kind=EntryKind.TAX,
        amount=D("100.00"),
        effective_date=old.due_date,
    )
    html = signed_in(demo.payer).get(reverse("ledger:period", args=[old.pk])).content.decode()
    assert "Accounts Receivable Unit, P.O. Box 5088, Hartford CT 06102-5088" in html
    assert "payments/?period=" not in html


def test_a_penalty_waiver_request_is_refused_while_tax_is_due_then_received(signed_in, demo, late):
    client = signed_in(demo.payer)
    url = reverse("ledger:waiver_request", args=[late.pk])
    html = client.get(url).content.decode()
    assert "Tax and interest of $641.35 are still due" in html and "860-297-4944" in html
    assert "Submit penalty waiver request" not in html
    LedgerEntry.objects.create(
        business=demo.nutmeg,
        tax_type=demo.sales,
        period=late,
        kind=EntryKind.PAYMENT,
        amount=D("-641.35"),
        effective_date=date(2026, 11, 24),
    )
    response = client.post(url, {"reason": "short"})
    assert "Tell the Penalty Waiver Unit why" in response.content.decode()
    response = client.post(url, {"reason": "Our bookkeeper was in hospital for October."})
    waiver = PenaltyWaiver.objects.get(period=late)
    assert response.url == reverse("ledger:waiver", args=[waiver.pk])
    html = client.get(response.url).content.decode()
    assert "Received: waiting for review" in html and "allow 2 months" in html and "$95.25" in html


def test_refund_status_shows_the_seed_explanation(signed_in, demo, late):
    Refund.objects.create(business=demo.nutmeg, period=late, amount=D("12.00"), status=RefundStatus.UNDELIVERABLE)
    html = signed_in(demo.viewer).get(reverse("ledger:refunds")).content.decode()
    assert "UNDELIVERABLE" in html and "860-297-5962" in html


@pytest.fixture
def individual_refund(demo):
    person = individual_create(
        first_name="Robin",
        last_name="Doe",
        ssn="345-67-8901",
        street="1 Elm St",
        city="Hartford",
        zip_code="06103",
    )
    return Refund.objects.create(individual=person, tax_year=2025, amount=D("1234.56"), status=RefundStatus.PROCESSED)


def test_an_individual_checks_a_refund_without_signing_in(client, individual_refund):
    html = client.post(reverse("ledger:refund_lookup"), {"ssn": "345-67-8901", "amount": "1234.56"}).content.decode()
    assert "PROCESSED" in html and "2-3 business days" in html and "tax year 2025" in html
    assert "Doe" not in html and "Robin" not in html  # nothing about the person beyond the refund


def test_an_unknown_ssn_and_a_wrong_amount_get_the_same_answer(client, individual_refund):
    url = reverse("ledger:refund_lookup")
    wrong_amount = client.post(url, {"ssn": "345-67-8901", "amount": "1234.00"})
    unknown = client.post(url, {"ssn": "234-56-7890", "amount": "1234.56"})
    assert wrong_amount.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()
    assert "could not find a refund" in wrong_amount.content.decode()


def test_refund_look_ups_are_rate_limited(client, settings, individual_refund):
    settings.TSC_THROTTLE_PER_ADDRESS = 3
    url = reverse("ledger:refund_lookup")
    for n in range(3):
        assert client.post(url, {"ssn": "234-56-7890", "amount": f"{n + 1}.00"}).status_code == 200
    blocked = client.post(url, {"ssn": "345-67-8901", "amount": "1234.56"})  # right this time, but refused
    assert blocked.status_code == 429 and "PROCESSED" not in blocked.content.decode()


def test_the_history_hub_leads_to_the_account_and_the_status_letter(signed_in, demo):
    html = signed_in(demo.admin).get(reverse("accounts:history")).content.decode()
    assert reverse("ledger:account") in html and reverse("letters:status_letter") in html
    html = signed_in(demo.viewer).get(reverse("accounts:history")).content.decode()
    assert reverse("ledger:account") in html and reverse("letters:status_letter") not in html
