import os
import uuid
from datetime import date
from decimal import Decimal as D

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from tsc.accounts.acting import Acting
from tsc.lib.errors import ServiceError
from tsc.lib.testing import run_at_once
from tsc.payments import batch as bank
from tsc.payments import services
from tsc.payments.models import Payment, PaymentBatch, PaymentStatus

from .nacha_check import check


@pytest.fixture(autouse=True)
def _today():
    # Tuesday 11/24/2026, 10:00: payments for Wednesday are sent today.
    with time_machine.travel("2026-11-24 10:00:00-05:00", tick=False):
        yield


def period(demo, business=None):
    business = business or demo.nutmeg
    periods = business.registrations.get(tax_type=demo.sales).periods
    return periods.filter(period_end__lte=date(2026, 10, 31)).order_by("-period_end").first()


def pay(demo, amount="552.45", requested=date(2026, 11, 25), login=None, account=None, business=None):
    return services.payment_schedule(
        ctx=Acting.for_login(login or demo.payer),
        period=period(demo, business),
        amount=D(amount),
        requested_date=requested,
        submission_token=uuid.uuid4(),
        account=account or services.BankDetails("011000015", "000123456789", "checking"),
    )


def test_the_days_payments_go_in_one_nacha_file(demo):
    first = pay(demo)
    second = pay(
        demo,
        "1250.00",
        login=demo.outsider,
        business=demo.bakery,
        account=services.BankDetails("021000021", "987654321", "savings"),
    )
    later = pay(demo, "10.00", requested=date(2026, 11, 27))  # sent Wednesday 11/25
    batch = bank.payment_batch_send(day=date(2026, 11, 24))
    found = check(batch.content)
    assert batch.entry_count == 2 and batch.total == D("1802.45") and found["total"] == 180245
    by_amount = {p["amount"]: p for p in found["payments"]}
    nutmeg, bakery = by_amount[55245], by_amount[125000]
    # Read at the published positions, by hand.
    assert (nutmeg["code"], nutmeg["routing"], nutmeg["account"]) == ("27", "011000015", "000123456789")
    assert nutmeg["txp"] == "TXP*1234567000*ST*261031*T*55245\\"
    assert nutmeg["id"] == "1234567000" and nutmeg["name"] == "NUTMEG HARDWARE LLC"
    assert nutmeg["effective"] == "261125"
    assert (bakery["code"], bakery["routing"]) == ("37", "021000021")
    for payment in (first, second):
        payment.refresh_from_db()
        assert payment.status == PaymentStatus.SENT and payment.batch == batch
    later.refresh_from_db()
    assert later.status == PaymentStatus.SCHEDULED


def test_an_empty_day_still_makes_a_valid_file(db):
    batch = bank.payment_batch_send(day=date(2026, 11, 24))
    assert check(batch.content)["batches"] == 0 and batch.entry_count == 0


def test_running_it_again_sends_nothing_twice(demo):
    pay(demo)
    first = bank.payment_batch_send(day=date(2026, 11, 24))
    pay(demo, "20.00", requested=date(2026, 11, 27))
    again = bank.payment_batch_send(day=date(2026, 11, 24))
    assert again.pk == first.pk and again.entry_count == 1 and PaymentBatch.objects.count() == 1


def test_a_crash_after_writing_the_file_leaves_nothing_sent(demo, monkeypatch):
    payment = pay(demo)

    def crash(**kwargs):
        raise RuntimeError("the worker died")

    monkeypatch.setattr(bank, "audit_record", crash)  # after the file is written and payments marked
    with pytest.raises(RuntimeError):
        bank.payment_batch_send(day=date(2026, 11, 24))
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SCHEDULED and not PaymentBatch.objects.exists()
    monkeypatch.undo()
    batch = bank.payment_batch_send(day=date(2026, 11, 24))
    assert batch.entry_count == 1 and check(batch.content)["payments"][0]["amount"] == 55245


def test_a_cancelled_payment_is_left_out_and_a_sent_one_cannot_be_cancelled(demo):
    kept, dropped = pay(demo), pay(demo, "99.00")
    services.payment_cancel(ctx=Acting.for_login(demo.payer), payment_id=dropped.pk)
    batch = bank.payment_batch_send(day=date(2026, 11, 24))
    assert [p["amount"] for p in check(batch.content)["payments"]] == [55245]
    with pytest.raises(ServiceError, match="can no longer be cancelled"):
        services.payment_cancel(ctx=Acting.for_login(demo.payer), payment_id=kept.pk)


def test_the_stored_file_holds_no_plaintext_account_number(demo):
    pay(demo)
    batch = bank.payment_batch_send(day=date(2026, 11, 24))
    stored = batch.path.read_bytes()
    # Long strings only: a 3-byte one would turn up in random ciphertext now and then.
    assert b"000123456789" not in stored and b"NUTMEG" not in stored
    assert oct(os.stat(batch.path).st_mode & 0o777) == "0o600"
    assert "000123456789" in batch.content  # the service reads it back
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM payments_paymentbatch")
        assert "000123456789" not in str(cursor.fetchall())


def test_the_command_writes_the_file_for_the_bank(demo, tmp_path, capsys):
    pay(demo)
    out = tmp_path / "ach.txt"
    call_command("send_payment_batch", "--date", "11/24/2026", "--output", str(out))
    printed = capsys.readouterr().out
    assert "1 payment(s), total $552.45" in printed
    assert check(out.read_text())["total"] == 55245
    assert oct(os.stat(out).st_mode & 0o777) == "0o600"
    call_command("send_payment_batch", "--date", "11/24/2026")
    assert "1 payment(s)" in capsys.readouterr().out and PaymentBatch.objects.count() == 1


def test_posting_and_bank_returns(demo, capsys):
    first, second = pay(demo), pay(demo, "40.00")
    bank.payment_batch_send(day=date(2026, 11, 24))
    call_command("post_payment_batch", "--date", "11/24/2026")
    assert "Posted 2 payment(s)" in capsys.readouterr().out
    call_command("post_payment_batch", "--return", second.confirmation_number, "r01")
    first.refresh_from_db(), second.refresh_from_db()
    assert first.status == PaymentStatus.PROCESSED and first.posted_on == date(2026, 11, 24)
    assert second.status == PaymentStatus.RETURNED and second.return_reason == "R01"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_batches_at_once_send_each_payment_once(demo):
    for n in range(5):
        pay(demo, f"{n + 1}.00")

    def run(_):
        return str(bank.payment_batch_send(day=date(2026, 11, 24)).pk)

    outcomes = run_at_once(run, [(1,), (2,), (3,)])
    assert len(set(outcomes)) == 1 and not any(o.startswith("error") for o in outcomes), outcomes
    assert PaymentBatch.objects.count() == 1
    batch = PaymentBatch.objects.get()
    assert batch.entry_count == 5 and Payment.objects.filter(status=PaymentStatus.SENT, batch=batch).count() == 5


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_cancel_racing_the_batch_wins_before_the_send_or_is_refused(demo):
    payment = pay(demo)

    def cancel(_):
        try:
            services.payment_cancel(
                ctx=Acting.for_login(type(demo.payer).objects.get(pk=demo.payer.pk)), payment_id=payment.pk
            )
        except ServiceError:
            return "refused"
        return "cancelled"

    def send(_):
        return f"batch:{bank.payment_batch_send(day=date(2026, 11, 24)).entry_count}"

    outcomes = sorted(run_at_once(lambda f: f(None), [(cancel,), (send,)]))
    payment.refresh_from_db()
    if payment.status == PaymentStatus.CANCELLED:
        assert outcomes == ["batch:0", "cancelled"]
    else:
        assert payment.status == PaymentStatus.SENT and outcomes == ["batch:1", "refused"], outcomes


def test_names_are_upper_case_ascii_in_their_field():
    from tsc.lib.formats.nacha import _text

    assert _text("Café Ñandú & Co.", 22) == "CAF   AND  & CO.".ljust(22)  # accents blanked, not dropped
    assert _text("Nutmeg Hardware LLC of Connecticut", 22) == "NUTMEG HARDWARE LLC OF"
