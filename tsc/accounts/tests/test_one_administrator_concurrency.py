"""Two transfers of the administrator role at the same moment: exactly one administrator after."""

import threading

import pytest
from django.db import connection, connections

from tsc.accounts.models import Login
from tsc.accounts.services import ServiceError
from tsc.accounts.user_services import administrator_transfer


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_transfers_leave_exactly_one_administrator(demo):
    targets = [demo.filer, demo.filepay]
    barrier = threading.Barrier(len(targets))
    outcomes: list[str] = []

    def transfer(target):
        try:
            admin = Login.objects.get(pk=demo.admin.pk)  # each thread its own connection and objects
            barrier.wait(timeout=10)
            administrator_transfer(actor=admin, login_id=target.pk, expected_version=target.version)
            outcomes.append(f"ok:{target.user_id}")
        except ServiceError as error:
            outcomes.append(f"refused:{error.message}")
        except Exception as error:  # noqa: BLE001 - recorded and asserted below
            outcomes.append(f"error:{type(error).__name__}:{error}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=transfer, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(o.split(":")[0] for o in outcomes) == ["ok", "refused"], outcomes
    administrators = list(Login.objects.filter(business=demo.nutmeg, is_administrator=True))
    assert len(administrators) == 1
    winner = next(o.split(":")[1] for o in outcomes if o.startswith("ok"))
    assert administrators[0].user_id == winner
    assert not Login.objects.get(pk=demo.admin.pk).is_administrator
    if connection.vendor == "postgresql":
        # The refusal came from the row lock + re-check, not from a constraint error.
        assert "Only the TSC Administrator" in next(o for o in outcomes if o.startswith("refused"))
