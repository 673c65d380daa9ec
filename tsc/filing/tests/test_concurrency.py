"""Two tabs (or a double click reaching two servers) submit the same period at once: one return."""

import threading
import uuid
from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connections

from tsc.accounts.models import Login
from tsc.accounts.services import ServiceError
from tsc.filing import services
from tsc.filing.models import TaxReturn


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("same_token", [True, False], ids=["double-click", "two-tabs"])
def test_concurrent_submits_record_exactly_one_return(demo, same_token):
    period = demo.nutmeg.registrations.get(tax_type__code="ST").periods.order_by("-period_end").first()
    tokens = [uuid.uuid4()] * 2 if same_token else [uuid.uuid4(), uuid.uuid4()]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit(token):
        try:
            filer = Login.objects.get(pk=demo.filer.pk)
            barrier.wait(timeout=10)
            filed = services.return_submit(
                actor=filer, period=period, values={"gross_receipts": D("1000")}, submission_token=token
            )
            outcomes.append(f"filed:{filed.pk}")
        except ServiceError:
            outcomes.append("refused")
        except Exception as error:  # noqa: BLE001 - recorded and asserted below
            outcomes.append(f"error:{type(error).__name__}:{error}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(t,)) for t in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert TaxReturn.objects.filter(period=period).count() == 1
    only = TaxReturn.objects.get(period=period)
    if same_token:
        assert outcomes == [f"filed:{only.pk}"] * 2, outcomes
    else:
        assert sorted(outcomes) == sorted([f"filed:{only.pk}", "refused"]), outcomes
    assert date.today() >= only.filed_on
