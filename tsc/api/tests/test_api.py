"""The API: tokens and scopes, clients, payments with idempotency keys, the rate limit, JSON
errors and the audit of every call."""

from datetime import date

import pytest

from tsc.api.models import IdempotencyKey
from tsc.audit.models import AuditEvent
from tsc.payments.models import Payment, PaymentStatus
from tsc.payments.services import earliest_payment_date

from .conftest import Api

NUTMEG, BAKERY, HARBOR = "1234567-000", "7654321-000", "3333333-000"


def payment(number=NUTMEG, **changes):
    return {
        "registration_number": number,
        "tax_type": "ST",
        "period_end": "2026-10-31",
        "amount": "125.40",
        "requested_date": earliest_payment_date().isoformat(),
    } | changes


# ---- tokens --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Bearer nonsense", "Bearer tsc_", "Basic dXNlcjpwYXNz", "Bearer tsc_deadbeef_" + "x" * 43],
)
def test_no_or_a_bad_token_is_401_in_json(demo, authorization):
    api = Api(None)
    headers = {"Authorization": authorization} if authorization else {}
    response = api.get("/clients", **headers)
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Bearer"
    assert response.json()["detail"].startswith("Send a valid API token")
    assert api.post("/payments", payment(), **headers).status_code == 401
    assert not Payment.objects.exists()


def test_a_wrong_secret_or_a_revoked_token_is_401(demo, make_token, prep):
    from tsc.accounts.acting import Acting
    from tsc.api.services import api_token_revoke

    token, full = make_token()
    assert Api(full[:-1] + ("A" if full[-1] != "A" else "B")).get("/clients").status_code == 401
    api_token_revoke(ctx=Acting.for_login(prep), token_id=token.pk)
    assert Api(full).get("/clients").status_code == 401


def test_a_firm_no_longer_designated_loses_its_tokens(demo, make_token):
    from tsc.bulk.services import bulk_filer_revoke

    token, full = make_token()
    bulk_filer_revoke(bulk_filer=token.bulk_filer, actor=None)
    assert Api(full).get("/clients").status_code == 401


def test_each_operation_needs_its_scope(demo, api):
    reader = api("clients:read")
    assert reader.get("/clients").status_code == 200
    refused = reader.post("/payments", payment())
    assert refused.status_code == 403 and "payments:write" in refused.json()["detail"]
    assert reader.get("/payments/TSC-AAAA-BBBB-CCCC").status_code == 403
    assert reader.get("/imports/00000000-0000-0000-0000-000000000000").status_code == 403
    payer = api("payments:write")
    assert payer.get("/clients").status_code == 403
    assert payer.post("/payments", payment()).status_code == 201
    assert Payment.objects.count() == 1


# ---- clients -------------------------------------------------------------------------------------


def test_the_clients_are_the_firms_live_business_clients(demo, api, django_assert_max_num_queries):
    from tsc.bulk.models import ClientAuthorization

    reader = api("clients:read")
    with django_assert_max_num_queries(12):  # no query per client or per tax type
        clients = reader.get("/clients").json()
    live = ClientAuthorization.objects.filter(
        bulk_filer__firm__registration_number="4444444-000", client__isnull=False, revoked_at__isnull=True
    ).order_by("client__legal_name")
    numbers = [c["registration_number"] for c in clients]
    assert numbers == [a.client.registration_number for a in live]  # businesses only: not the individual
    assert {BAKERY, NUTMEG} <= set(numbers) and HARBOR not in numbers
    nutmeg = next(c for c in clients if c["registration_number"] == NUTMEG)
    assert nutmeg["name"] == "Nutmeg Hardware LLC"
    assert {t["code"] for t in nutmeg["tax_types"]} >= {"ST", "WH"}
    ClientAuthorization.objects.filter(client=demo.bakery).update(revoked_at="2026-11-01T00:00:00Z")
    assert BAKERY not in [c["registration_number"] for c in reader.get("/clients").json()]


# ---- payments ------------------------------------------------------------------------------------


def test_a_payment_is_scheduled_from_the_account_on_file_and_read_back(demo, api):
    client = api()
    response = client.post("/payments", payment())
    assert response.status_code == 201, response.content
    body = response.json()
    made = Payment.objects.get()
    assert body["confirmation_number"] == made.confirmation_number
    assert body["amount"] == "125.40" and body["period_end"] == "2026-10-31" and body["status"] == "scheduled"
    assert body["requested_date"] == earliest_payment_date().isoformat() and body["cancellable"] is True
    assert made.bulk_filer.firm.registration_number == "4444444-000" and not made.one_time_account
    assert made.created_by is None and made.business == demo.nutmeg
    read = client.get(f"/payments/{made.confirmation_number}")
    assert read.status_code == 200 and read.json() == body
    event = AuditEvent.objects.get(event="payment.scheduled")
    assert event.data["acting"]["relationship"] == "api_client"
    assert event.data["acting"]["by_firm"] == made.bulk_filer.firm_id


def test_a_business_that_is_not_a_client_does_not_exist(demo, api):
    client = api()
    for number in (HARBOR, "9999999-000", "not a number"):
        response = client.post("/payments", payment(number))
        assert response.status_code == 404, number
        assert response.json() == {"detail": response.json()["detail"], "field": "registration_number"}
    # Harbor's own payment is not found either.
    from tsc.accounts.acting import Acting
    from tsc.accounts.models import Login
    from tsc.payments import services as payments

    harbor = Login.objects.get(user_id="admin3")
    period = harbor.business.registrations.get(tax_type=demo.sales).periods.order_by("-period_end").first()
    theirs = payments.payment_schedule(
        ctx=Acting.for_login(harbor),
        period=period,
        amount=payments.Decimal("10.00"),
        requested_date=earliest_payment_date(),
        submission_token=payments.uuid.uuid4(),
        account=payments.BankDetails("011000015", "12345678", "checking"),
    )
    assert client.get(f"/payments/{theirs.confirmation_number}").status_code == 404
    assert client.post(f"/payments/{theirs.confirmation_number}/cancel").status_code == 404
    assert Payment.objects.get(pk=theirs.pk).status == PaymentStatus.SCHEDULED


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [
        ({"registration_number": BAKERY, "period_end": "2026-09-30"}, 422, "account"),  # no bank on file
        ({"tax_type": "XX"}, 422, "tax_type"),
        ({"period_end": "2026-10-30"}, 422, "period_end"),
        ({"amount": "0.00"}, 422, "amount"),
        ({"requested_date": "2026-11-28"}, 422, "requested_date"),  # a Saturday
        ({"requested_date": "2020-01-02"}, 422, "requested_date"),
        ({"amount": "12.345"}, 422, None),  # not dollars and cents: refused by the schema
        ({"amount": 12.5}, 422, None),
        ({"period_end": "10/31/2026"}, 422, None),
    ],
)
def test_refused_payments_say_why_next_to_the_field(demo, api, changes, status, field):
    response = api().post("/payments", payment(**changes))
    assert response.status_code == status, response.content
    body = response.json()
    assert body["detail"] and body.get("field") == field
    if field is None:
        assert body["errors"]
    assert not Payment.objects.exists()


def test_the_same_idempotency_key_schedules_once_and_a_changed_body_is_409(demo, api):
    client = api()
    first = client.post("/payments", payment(), key="season-2026-nutmeg-1")
    again = client.post("/payments", payment(), key="season-2026-nutmeg-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Payment.objects.count() == 1
    changed = client.post("/payments", payment(amount="125.41"), key="season-2026-nutmeg-1")
    assert changed.status_code == 409 and "different request" in changed.json()["detail"]
    assert Payment.objects.count() == 1
    assert client.post("/payments", payment(), key="season-2026-nutmeg-2").status_code == 201
    assert Payment.objects.count() == 2
    # A refusal is an answer too: the same key gets it again.
    refused = client.post("/payments", payment(amount="0.00"), key="k3")
    assert client.post("/payments", payment(amount="0.00"), key="k3").json() == refused.json()


def test_keys_belong_to_one_token(demo, api):
    one, other = api(), api()
    assert one.post("/payments", payment(), key="same").status_code == 201
    assert other.post("/payments", payment(), key="same").status_code == 201
    assert Payment.objects.count() == 2


def test_a_key_still_being_answered_is_409_until_it_is_stale(demo, make_token):
    from datetime import timedelta

    from django.utils import timezone

    from tsc.api import services

    token, full = make_token()
    body = payment()
    fingerprint = services.fingerprint("POST", "api/v1/payments", body)
    IdempotencyKey.objects.create(token=token, key="k", fingerprint=fingerprint)
    client = Api(full)
    assert client.post("/payments", body, key="k").status_code == 409
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    assert client.post("/payments", body, key="k").status_code == 201  # its request died: taken over
    assert IdempotencyKey.objects.get().status == 201


@pytest.mark.parametrize("key", [None, "", "has space", "x" * 256, "é"])
def test_a_post_without_a_good_idempotency_key_is_400(demo, api, key):
    headers = {"Idempotency-Key": key} if key is not None else {}
    response = api().post("/payments", payment(), key=None, **headers)
    assert response.status_code == 400 and "Idempotency-Key" in response.json()["detail"]
    assert not Payment.objects.exists()


def test_cancel_until_sent_with_its_own_confirmation_number(demo, api):
    client = api()
    made = client.post("/payments", payment()).json()
    number = made["confirmation_number"]
    cancelled = client.post(f"/payments/{number}/cancel")
    assert cancelled.status_code == 200
    body = cancelled.json()
    assert body["status"] == "cancelled" and body["cancel_confirmation_number"] and not body["cancellable"]
    assert client.post(f"/payments/{number}/cancel").json() == body  # a second cancel: the same answer
    assert Payment.objects.get().status == PaymentStatus.CANCELLED
    sent = client.post("/payments", payment(), key="second").json()["confirmation_number"]
    Payment.objects.filter(confirmation_number=sent).update(status=PaymentStatus.SENT)
    refused = client.post(f"/payments/{sent}/cancel")
    assert refused.status_code == 422 and "can no longer be cancelled" in refused.json()["detail"]
    assert client.get("/payments/TSC-NONE-NONE-NONE").status_code == 404


# ---- the rate limit, errors, the audit -----------------------------------------------------------


def test_the_rate_limit_is_per_token_and_says_when_to_retry(demo, api, settings):
    settings.TSC_API_RATE_PER_MINUTE = 3
    busy, calm = api(), api()
    assert [busy.get("/clients").status_code for _ in range(3)] == [200, 200, 200]
    refused = busy.get("/clients")
    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 60
    assert busy.post("/payments", payment()).status_code == 429
    assert calm.get("/clients").status_code == 200
    assert not Payment.objects.exists()


def test_every_call_is_audited_without_bodies_or_secrets(demo, make_token):
    token, full = make_token("clients:read", "payments:write")
    client = Api(full)
    client.get("/clients")
    client.post("/payments", payment(amount="987.65"), key="audit-key")
    client.get("/payments/TSC-AAAA-BBBB-CCCC")  # no scope: 403
    Api(None).get("/clients")
    calls = list(AuditEvent.objects.filter(event="api.call").order_by("id"))
    assert [(c.data["method"], c.data["path"], c.data["status"]) for c in calls] == [
        ("GET", "/api/v1/clients", 200),
        ("POST", "/api/v1/payments", 201),
        ("GET", "/api/v1/payments/<confirmation_number>", 403),
        ("GET", "/api/v1/clients", 401),
    ]
    assert all(c.data["token"] == token.prefix and c.business_id == token.bulk_filer.firm_id for c in calls[:3])
    assert calls[3].business_id is None and calls[3].data["token"] == ""
    secret = full.split("_", 2)[2]
    everything = str(list(AuditEvent.objects.values_list("data", flat=True)))
    assert secret not in everything and "audit-key" not in everything and "TSC-AAAA" not in everything


def test_errors_are_json_never_html(demo, api):
    client = api()
    for response in (
        client.client.get("/api/v1/nowhere"),
        client.client.get("/api/"),
        client.client.delete("/api/v1/clients"),
        client.client.post("/api/v1/payments", "{not json", content_type="application/json", headers=client.headers),
        client.get("/imports/not-a-uuid"),
    ):
        assert response["Content-Type"].startswith("application/json"), response
        assert response.status_code in (400, 404, 405, 422) and response.json()["detail"]


def test_the_schema_and_the_docs_are_public(client, db):
    schema = client.get("/api/openapi.json").json()
    assert {"/api/v1/clients", "/api/v1/payments", "/api/v1/imports"} <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
    html = client.get("/api/docs").content.decode()
    assert "Idempotency-Key" in html and "POST /api/v1/payments" in html and '<script src="http' not in html


def test_money_and_dates_are_strings(demo, api):
    body = api().post("/payments", payment(amount="5")).json()
    assert body["amount"] == "5.00" and date.fromisoformat(body["send_date"]) < earliest_payment_date()
