"""The whole OpenAPI schema fuzzed with schemathesis against a live test server, with a valid
token of every scope so the calls reach the handlers: no answer is a 5xx, every answer is one the
schema documents, in the documented shape and content type.

A few examples per operation and generation mode (schema-valid and schema-invalid data), each
run on random data and, where it helps reach the services, on real path parameters and a body a
rule accepts; it stays fast."""

import os
import uuid

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import checks
from schemathesis.generation import GenerationMode

from tsc.accounts.acting import Acting
from tsc.api.models import Scope

EXAMPLES = int(os.environ.get("TSC_API_FUZZ_EXAMPLES", "6"))
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


@pytest.fixture
def live_api(live_server, demo, prep, settings):
    from tsc.api import services
    from tsc.payments import services as payments
    from tsc.taxpayers.models import FilingPeriod

    settings.TSC_API_RATE_PER_MINUTE = 1_000_000  # the fuzzing itself is not the test of the limit
    _, full = services.api_token_create(ctx=Acting.for_login(prep), name="Fuzzing", scopes=list(Scope.values))
    token = services.token_authenticate(full)
    from tsc.api.selectors import client_context

    ctx = client_context(token, "1234567-000")
    period = FilingPeriod.objects.filter(registration__business=demo.nutmeg, registration__tax_type=demo.sales).latest(
        "period_end"
    )
    payment = payments.payment_schedule(
        ctx=ctx,
        period=period,
        amount=payments.Decimal("10.00"),
        requested_date=payments.earliest_payment_date(),
        submission_token=payments.uuid.uuid4(),
    )
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/openapi.json")
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tsc.api import imports

    received = imports.receive(
        token=token,
        file=SimpleUploadedFile("f.txt", b"T2026 not a real file\n"),
        kind="pub1220",
        layout_id=None,
        key="k",
    )
    paid = {"confirmation_number": payment.confirmation_number}
    imported = {"token": str(received.token)}
    # Besides random data: real path parameters, and bodies a rule accepts, so calls get past
    # the lookups into the services.
    known = {
        "GET /api/v1/payments/{confirmation_number}": {"path_parameters": paid},
        "POST /api/v1/payments/{confirmation_number}/cancel": {"path_parameters": paid},
        "GET /api/v1/imports/{token}": {"path_parameters": imported},
        "GET /api/v1/imports/{token}/acknowledgement": {"path_parameters": imported},
        "POST /api/v1/payments": {
            "body": {
                "registration_number": "1234567-000",
                "tax_type": "ST",
                "period_end": period.period_end.isoformat(),
                "amount": "12.34",
                "requested_date": payments.earliest_payment_date().isoformat(),
            }
        },
        "POST /api/v1/imports": {"body": {"file": b"T2026 not a real file\n", "kind": "pub1220"}},
    }
    return schema, live_server.url, {"Authorization": f"Bearer {full}"}, known


def _fuzz(strategy, *, base_url: str, headers: dict, fresh_key: bool) -> None:
    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def call(case):
        sent = headers
        if fresh_key and case.method == "POST":  # a fresh key, so a known good body gets through
            sent = headers | {"Idempotency-Key": str(uuid.uuid4())}
        case.call_and_validate(base_url=base_url, headers=sent, checks=CHECKS, timeout=10)

    call()


# Transactional (the live server answers from another thread), restoring the database afterwards
# like the suite's other transactional tests.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_no_5xx_and_no_answer_outside_the_schema(live_api):
    schema, base_url, headers, known = live_api
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 7
    for operation in operations:
        variants = [{}] + ([known[operation.label]] if operation.label in known else [])
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            for variant in variants:
                strategy = operation.as_strategy(generation_mode=mode, **variant)
                _fuzz(strategy, base_url=base_url, headers=headers, fresh_key=bool(variant))
