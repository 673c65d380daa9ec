"""Two tabs (or a double click reaching two servers) submit the same period at once: one return."""

import uuid
from decimal import Decimal as D

import pytest

from tsc.accounts.models import Login
from tsc.filing import services
from tsc.filing.models import TaxReturn
from tsc.lib.errors import ServiceError
from tsc.lib.testing import run_at_once


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("same_token", [True, False], ids=["double-click", "two-tabs"])
def test_concurrent_submits_record_exactly_one_return(demo, same_token):
    period = demo.nutmeg.registrations.get(tax_type__code="ST").periods.order_by("-period_end").first()
    tokens = [uuid.uuid4()] * 2 if same_token else [uuid.uuid4(), uuid.uuid4()]

    def submit(token):
        filer = Login.objects.get(pk=demo.filer.pk)
        try:
            filed = services.return_submit(
                actor=filer, period=period, values={"gross_receipts": D("1000")}, submission_token=token
            )
        except ServiceError:
            return "refused"
        return f"filed:{filed.pk}"

    outcomes = run_at_once(submit, [(t,) for t in tokens])

    only = TaxReturn.objects.get(period=period)  # exactly one
    expected = [f"filed:{only.pk}"] * 2 if same_token else [f"filed:{only.pk}", "refused"]
    assert sorted(outcomes) == sorted(expected), outcomes
