"""Key and Send – Combined Client Filing: many clients' withholding payments, one bank account."""

import re
from datetime import date
from decimal import Decimal as D

import pytest
import time_machine
from django.urls import reverse

from tsc.accounts.models import Login
from tsc.payments.models import Payment

PREP = {"business__registration_number": "4444444-000", "user_id": "prep1"}


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-11-24 10:00:00-05:00", tick=False):
        yield


@pytest.fixture
def prep(client, demo):
    client.force_login(Login.objects.get(**PREP), backend="tsc.accounts.backends.LoginBackend")
    return client


def page(client, rows, **extra):
    data = {
        "action": "submit",
        "rows": "10",
        "routing_number": "011000015",
        "account_number": "8000111222",
        "account_number2": "8000111222",
        "account_type": "checking",
        "requested_date": "11/25/2026",
    } | extra
    for n, (number, period, amount, *token) in enumerate(rows, start=1):
        data |= {f"client_{n}": number, f"period_{n}": period, f"amount_{n}": amount}
        if token:
            data[f"token_{n}"] = token[0]
    return client.post(reverse("bulk:combined"), data)


def tokens(html):
    return dict(re.findall(r'name="token_(\d+)" value="([0-9a-f-]+)"', html))


def test_each_client_gets_its_own_payment_from_the_one_account_and_bad_rows_wait(prep, demo):
    rows = [
        ("1234567-000", "09/30/2026", "1,200.00"),  # Nutmeg: withholding, the quarter to 09/30
        ("7654321-000", "09/30/2026", "300.50"),  # Charter Oak Bakery
        ("3333333-000", "09/30/2026", "99.00"),  # Harbor Light Books: not a client
        ("1234567-000", "10/15/2026", "10.00"),  # no such period
        ("7654321-000", "06/30/2026", "abc"),  # bad amount
    ]
    html = page(prep, rows).content.decode()
    paid = Payment.objects.order_by("pk")
    assert [(p.business.registration_number, p.amount) for p in paid] == [
        ("1234567-000", D("1200.00")),
        ("7654321-000", D("300.50")),
    ]
    assert {p.account_last4 for p in paid} == {"1222"} and len({p.confirmation_number for p in paid}) == 2
    assert all(p.requested_date == date(2026, 11, 25) and p.bulk_filer is not None for p in paid)
    assert "None of your clients has that registration number" in html
    assert "has no Withholding period ending 10/15/2026" in html
    assert "Enter the amount in dollars and cents" in html
    assert "3 rows need a correction" in html and "2 payments scheduled" in html
    # Sending the page again (with the same row tokens, as the browser does) pays nothing twice.
    again = [(*row, tokens(html)[str(n)]) for n, row in enumerate(rows, start=1)]
    again[4] = ("7654321-000", "06/30/2026", "45.00", tokens(html)["5"])
    page(prep, again)
    assert Payment.objects.count() == 3


def test_a_bad_bank_account_or_date_pays_nothing_and_keeps_the_rows(prep):
    html = page(prep, [("1234567-000", "09/30/2026", "5.00")], routing_number="123456789").content.decode()
    assert Payment.objects.count() == 0
    assert 'value="1234567-000"' in html and 'value="5.00"' in html


def test_only_bulk_filers_reach_it(client, demo):
    client.force_login(demo.admin, backend="tsc.accounts.backends.LoginBackend")
    assert client.get(reverse("bulk:combined")).status_code == 403
