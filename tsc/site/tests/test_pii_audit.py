"""pii_audit finds personal data stored in clear, wherever it was planted, and never prints it."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tsc.accounts.models import Login
from tsc.audit.models import AuditEvent
from tsc.site.pii_audit import audit
from tsc.taxpayers.services import individual_create

SSN = "345-67-8912"


@pytest.fixture
def person(db):
    return individual_create(
        first_name="Robin", last_name="Doe", ssn=SSN, street="1 Elm", city="Hartford", zip_code="06103"
    )


def test_a_clean_database_passes(demo, person, capsys):
    call_command("pii_audit")
    assert "No personal data in clear." in capsys.readouterr().out


def test_an_ssn_planted_in_a_json_column_is_found_without_printing_it(person, capsys):
    AuditEvent.objects.create(event="oops", data={"note": "345678912"})
    with pytest.raises(CommandError, match="1 place"):
        call_command("pii_audit")
    out = capsys.readouterr().out
    assert "audit_auditevent.data" in out and "an individual's SSN in clear" in out
    assert "345678912" not in out and SSN not in out


def test_anything_shaped_like_an_ssn_is_found(db):
    AuditEvent.objects.create(event="oops", data={"note": "customer 987-65-4320 called"})
    finds, _ = audit()
    assert [f.what for f in finds] == ["something shaped like an SSN"]


def test_a_password_or_identity_answer_in_clear_is_found(demo):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_login SET answer1_hash = %s WHERE id = %s", ["Hartford", demo.viewer.pk])
    Login.objects.filter(pk=demo.filer.pk).update(password="Demo#2024")
    kinds = sorted(f.what for f in audit()[0])
    assert kinds == ["a password not hashed", "an identity answer not hashed"]


def test_a_bank_account_number_in_a_log_file_is_found(demo, settings, tmp_path):
    log = tmp_path / "logs" / "app.log"
    log.parent.mkdir()
    log.write_text("INFO paid from account 4000-123456 today\n")  # the demo account on file, dashed
    finds, _ = audit([tmp_path / "logs"])
    assert [(f.where, f.what) for f in finds] == [(str(log), "a bank account number in clear")]
