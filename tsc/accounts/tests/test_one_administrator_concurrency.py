"""Two transfers of the administrator role at the same moment: exactly one administrator after."""

import pytest
from django.db import connection

from tsc.accounts.models import Login
from tsc.accounts.user_services import administrator_transfer
from tsc.lib.errors import ServiceError
from tsc.lib.testing import run_at_once


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_transfers_leave_exactly_one_administrator(demo):
    def transfer(target):
        admin = Login.objects.get(pk=demo.admin.pk)  # each thread its own connection and objects
        try:
            administrator_transfer(actor=admin, login_id=target.pk, expected_version=target.version)
        except ServiceError as error:
            return f"refused:{error.message}"
        return f"ok:{target.user_id}"

    outcomes = run_at_once(transfer, [(demo.filer,), (demo.filepay,)])

    assert sorted(o.split(":")[0] for o in outcomes) == ["ok", "refused"], outcomes
    administrators = list(Login.objects.filter(business=demo.nutmeg, is_administrator=True))
    assert len(administrators) == 1
    winner = next(o.split(":")[1] for o in outcomes if o.startswith("ok"))
    assert administrators[0].user_id == winner
    assert not Login.objects.get(pk=demo.admin.pk).is_administrator
    if connection.vendor == "postgresql":
        # The refusal came from the row lock + re-check, not from a constraint error.
        assert "Only the TSC Administrator" in next(o for o in outcomes if o.startswith("refused"))
