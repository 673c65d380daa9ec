"""File Import files its rows a batch at a time (tsc/filing/batch.py, tsc/payments/bulk_schedule.py):
a conflict rejects only its row, a rerun after a crash files nothing twice, the CT-941 credit is
carried inside one file, and the audit rows still say "by the firm's login for the client"."""

from datetime import date
from decimal import Decimal as D

import pytest
import time_machine

from tsc.audit.models import AuditEvent
from tsc.bulk import imports
from tsc.bulk.models import ImportStatus
from tsc.filing.models import ReturnStatus, TaxReturn
from tsc.filing.services import return_submit
from tsc.ledger.models import Assessment
from tsc.payments.models import Payment

from .test_imports import BAKERY, NUTMEG, by_record, csv_file, receive, st, wh


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-01-20 12:00:00-05:00", tick=False):
        yield


@pytest.fixture
def layout(ctx):
    from .test_imports import COLUMNS

    return imports.layout_save(ctx=ctx, name="Season", columns=COLUMNS, header_row=True)


def ct941_row(number, end, withheld="300.00", paid="0.00"):
    third = (D(withheld) / 3).quantize(D("0.01"))
    months = [str(third), str(third), str(D(withheld) - 2 * third)]
    return [number, "WH", end, "", "", "5000.00", "5000.00", withheld, paid, *months, "", ""]


def filed_by_hand(demo, end=date(2025, 11, 30)):
    period = demo.nutmeg.registrations.get(tax_type__code="ST").periods.get(period_end=end)
    return return_submit(actor=demo.admin, period=period, values={}, submission_token=__import__("uuid").uuid4())


ROWS = [st(NUTMEG, pay="63.50", on="01/23/2026"), st(NUTMEG, end="11/30/2025"), wh(BAKERY), st(BAKERY)]


def test_a_period_filed_meanwhile_rejects_only_its_row(demo, ctx, layout, django_capture_on_commit_callbacks):
    earlier = filed_by_hand(demo)
    found = receive(ctx, csv_file(ROWS), django_capture_on_commit_callbacks, kind="csv", layout=layout)
    ack = by_record(found)
    assert (found.accepted_count, found.rejected_count) == (3, 1), ack
    assert "already filed" in ack[3]["reason"] and earlier.confirmation_number in ack[3]["reason"]
    assert all(ack[n]["outcome"] == "accepted" for n in (2, 4, 5))


def test_a_period_filed_after_the_batch_looked_rejects_only_its_row(
    demo, ctx, layout, monkeypatch, django_capture_on_commit_callbacks
):
    from tsc.filing import batch

    earlier = filed_by_hand(demo)
    real = batch._busy_periods
    blinded = []

    def blind(period_ids):  # the batch's look at filed periods misses it: the insert conflicts
        if not blinded:
            blinded.append(1)
            return set()
        return real(period_ids)

    monkeypatch.setattr(batch, "_busy_periods", blind)
    found = receive(ctx, csv_file(ROWS), django_capture_on_commit_callbacks, kind="csv", layout=layout)
    monkeypatch.undo()
    ack = by_record(found)
    assert blinded and (found.accepted_count, found.rejected_count) == (3, 1), ack
    assert "already filed" in ack[3]["reason"] and earlier.confirmation_number in ack[3]["reason"]
    assert TaxReturn.objects.filter(status=ReturnStatus.FILED).count() == 4
    assert Payment.objects.get().tax_return.confirmation_number == ack[2]["confirmation_number"]


def test_a_crash_after_the_batch_was_filed_then_a_rerun_files_nothing_twice(
    demo, ctx, layout, monkeypatch, django_capture_on_commit_callbacks
):
    from tsc.bulk import import_csv

    def crash(*args, **kwargs):
        raise RuntimeError("the worker died before the acknowledgement was kept")

    monkeypatch.setattr(import_csv, "store", crash)
    crashed = receive(ctx, csv_file(ROWS), django_capture_on_commit_callbacks, kind="csv", layout=layout)
    assert crashed.status == ImportStatus.PROCESSING and crashed.records_checked == 0  # the task failed
    first = dict(TaxReturn.objects.filter(status=ReturnStatus.FILED).values_list("period_id", "confirmation_number"))
    assert len(first) == 4 and Payment.objects.count() == 1
    audit_rows = AuditEvent.objects.filter(event__in=["return.filed", "payment.scheduled"]).count()

    monkeypatch.undo()
    found = imports.BulkImport.objects.get()
    done = imports.import_process(str(found.token))
    assert done.status == ImportStatus.ACCEPTED and done.accepted_count == 4
    again = dict(TaxReturn.objects.filter(status=ReturnStatus.FILED).values_list("period_id", "confirmation_number"))
    assert again == first and Payment.objects.count() == 1
    assert AuditEvent.objects.filter(event__in=["return.filed", "payment.scheduled"]).count() == audit_rows
    ack = by_record(done)
    assert {ack[n]["confirmation_number"] for n in (2, 3, 4, 5)} == set(first.values())
    assert ack[2]["payment_confirmation_number"] == Payment.objects.get().confirmation_number


def _token_look_ups(queries) -> int:
    """Returns and payments read whole by their tokens (not SQLite's ids read back after an insert)."""
    whole = ('SELECT "filing_taxreturn"."id", ', 'SELECT "payments_payment"."id", ')
    by_token = ('"submission_token" IN', '"submission_token" = ANY')
    return sum(q["sql"].startswith(whole) and any(t in q["sql"] for t in by_token) for q in queries)


def test_the_first_run_looks_up_no_tokens_and_a_rerun_does(
    demo, ctx, layout, monkeypatch, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tsc.bulk import import_csv

    with django_capture_on_commit_callbacks(execute=False):
        found = imports.import_receive(ctx=ctx, file=csv_file(ROWS), kind="csv", layout=layout)
    real_store, stores = import_csv.store, []

    def crash_after_the_first_batch(bulk_import, outcomes, **kwargs):
        if stores:
            raise RuntimeError("the worker died")
        stores.append(1)
        real_store(bulk_import, outcomes, **kwargs)

    monkeypatch.setattr(import_csv, "BATCH", 2)
    monkeypatch.setattr(import_csv, "store", crash_after_the_first_batch)
    with CaptureQueriesContext(connection) as first, pytest.raises(RuntimeError):
        imports.import_process(str(found.token))
    assert _token_look_ups(first) == 0  # received → processing: nothing of it filed before
    monkeypatch.setattr(import_csv, "store", real_store)
    with CaptureQueriesContext(connection) as rerun:
        done = imports.import_process(str(found.token))
    assert _token_look_ups(rerun) >= 1  # the second batch's return and payment tokens were used
    assert done.accepted_count == 4 and TaxReturn.objects.filter(status=ReturnStatus.FILED).count() == 4
    assert Payment.objects.count() == 1


def test_a_token_used_before_the_first_run_is_found_not_filed_twice(
    demo, ctx, layout, django_capture_on_commit_callbacks
):
    from tsc.bulk.import_run import submission_token

    with django_capture_on_commit_callbacks(execute=False):
        found = imports.import_receive(ctx=ctx, file=csv_file(ROWS), kind="csv", layout=layout)
    # As if a second run had filed record 3 at the same moment (both took it for their first).
    period = demo.nutmeg.registrations.get(tax_type__code="ST").periods.get(period_end=date(2025, 11, 30))
    meanwhile = return_submit(
        actor=demo.admin, period=period, values={}, submission_token=submission_token(found, "return:3")
    )
    with django_capture_on_commit_callbacks(execute=True):
        done = imports.import_process(str(found.token))
    ack = by_record(done)
    assert done.accepted_count == 4, ack
    assert ack[3]["confirmation_number"] == meanwhile.confirmation_number
    assert TaxReturn.objects.filter(status=ReturnStatus.FILED).count() == 4 and Payment.objects.count() == 1


def test_the_ct941_credit_is_carried_to_the_next_quarter_in_the_same_file(
    demo, ctx, layout, django_capture_on_commit_callbacks
):
    rows = [ct941_row(NUTMEG, "06/30/2025", "300.00", "500.00"), ct941_row(NUTMEG, "09/30/2025", "300.00")]
    rows.append(ct941_row(NUTMEG, "12/31/2025", "300.00"))
    found = receive(ctx, csv_file(rows), django_capture_on_commit_callbacks, kind="csv", layout=layout)
    assert found.accepted_count == 3, by_record(found)
    returns = TaxReturn.objects.filter(business=demo.nutmeg, form="CT-941").order_by("period__period_end")
    line4 = [next(ln["amount"] for ln in r.lines if ln["number"] == "4") for r in returns]
    assert line4 == ["0.00", "200.00", "0.00"]  # Q3 takes Q2's credit, which Q3 uses up (300 - 200 → 100 due)
    assert [r.tax_due for r in returns] == [D("0.00"), D("100.00"), D("300.00")]


def test_batched_rows_are_audited_by_the_firm_for_each_client_and_processed_when_on_time(
    demo, ctx, layout, django_capture_on_commit_callbacks
):
    found = receive(ctx, csv_file(ROWS), django_capture_on_commit_callbacks, kind="csv", layout=layout)
    assert found.accepted_count == 4
    for audit in AuditEvent.objects.filter(event__in=["return.filed", "payment.scheduled"]):
        assert audit.actor_id == ctx.login.pk
        assert audit.data["acting"] == {
            "relationship": "bulk_filer",
            "for_business": audit.business_id,
            "by_firm": ctx.taxpayer_id,
        }
    on_time = TaxReturn.objects.filter(period__period_end=date(2025, 12, 31))
    late = TaxReturn.objects.get(period__period_end=date(2025, 11, 30))
    assert Assessment.objects.filter(tax_return__in=on_time).count() == 3
    assert not Assessment.objects.filter(tax_return=late).exists()  # waits for a clerk
    payment = Payment.objects.get()
    assert payment.bulk_filer.firm_id == ctx.taxpayer_id and payment.amount == D("63.50")


def test_a_batch_of_rows_costs_a_few_queries_not_a_few_per_row(demo, ctx, layout, django_capture_on_commit_callbacks):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    months = [date(2025, m + 1, 1) - __import__("datetime").timedelta(days=1) for m in range(1, 12)]
    rows = [st(client, end=f"{end:%m/%d/%Y}", pay="10.00", on="01/23/2026") for client in (NUTMEG,) for end in months]
    rows += [st(BAKERY, end=end) for end in ("03/31/2025", "06/30/2025", "09/30/2025")]  # quarterly
    rows += [ct941_row(client, end) for client in (NUTMEG, BAKERY) for end in ("03/31/2025", "06/30/2025")]
    with django_capture_on_commit_callbacks(execute=False):
        found = imports.import_receive(ctx=ctx, file=csv_file(rows), kind="csv", layout=layout)
    with CaptureQueriesContext(connection) as queries:
        done = imports.import_process(str(found.token))
    assert done.accepted_count == len(rows) == 18, [r["reason"] for r in by_record(done).values() if r["reason"]]
    assert len(queries) < 60, len(queries)  # filed one by one: about ten a row


@pytest.mark.parametrize(
    "text",
    ["0.00", "1234.56", "0001.50", "999999999999.99", "1,234.56", "12.5", "$10.00", " 7.00", "-3.00", "1e3", "1.005"],
)
def test_an_amount_cell_reads_as_parse_amount_reads_it(text):
    from tsc.bulk.import_csv import _amount
    from tsc.lib.money import parse_amount

    try:
        expected = parse_amount(text)
    except ValueError:
        with pytest.raises(ValueError):
            _amount(text)
        return
    assert _amount(text) == expected and str(_amount(text)) == str(expected)


def test_an_imports_rows_are_read_by_the_unique_index_that_leads_with_the_import(demo):
    from django.db import connection

    from tsc.bulk.models import ImportRecord

    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, ImportRecord._meta.db_table)
    assert any(c["unique"] and c["columns"] == ["bulk_import_id", "record_number"] for c in found.values())
    # No second index for what the unique one leads with.
    assert not [name for name, c in found.items() if c["index"] and c["columns"] == ["bulk_import_id"]]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")  # the choice an empty test table would hide
            plan = ImportRecord.objects.filter(bulk_import_id=1).order_by("record_number").explain()
        assert "one_row_per_import_record" in plan, plan


def test_the_collector_runs_less_often_while_an_import_files_and_as_before_after(
    demo, ctx, layout, monkeypatch, django_capture_on_commit_callbacks
):
    import gc

    from tsc.bulk import import_csv, import_parts

    with django_capture_on_commit_callbacks(execute=False):
        found = imports.import_receive(ctx=ctx, file=csv_file(ROWS), kind="csv", layout=layout)
    before, seen = gc.get_threshold(), []
    real_file_rows = import_csv.file_rows

    def file_rows(*args, **kwargs):
        seen.append(gc.get_threshold())
        return real_file_rows(*args, **kwargs)

    monkeypatch.setattr(import_csv, "file_rows", file_rows)
    done = imports.import_process(str(found.token))
    assert done.accepted_count == 4
    assert seen == [tuple(max(a, b) for a, b in zip(before, import_parts.COLLECT_LESS, strict=True))]
    assert seen[0][0] > before[0] and gc.get_threshold() == before


def test_a_client_that_withdraws_its_authorization_between_batches_is_refused_from_the_next(demo, prep):
    """The businesses are learnt once a run (by registration number); the authorizations are read
    again for every batch."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tsc.accounts.acting import Acting
    from tsc.bulk import services as bulk
    from tsc.bulk.import_clients import Clients
    from tsc.bulk.models import BulkImport, ClientAuthorization

    firm = BulkImport(bulk_filer=bulk.bulk_filer_of(prep.business_id))
    clients = Clients(firm, prep)
    first = clients.in_force({NUTMEG, BAKERY, "0000000-000", ""})
    assert sorted(first) == sorted([BAKERY, NUTMEG])
    assert first[NUTMEG].client_id == demo.nutmeg.pk and first[BAKERY].client_id == demo.bakery.pk

    authorization = ClientAuthorization.objects.get(client=demo.bakery, bulk_filer__firm_id=prep.business_id)
    bulk.client_revoke(ctx=Acting.for_login(demo.outsider), authorization_id=authorization.pk)
    with CaptureQueriesContext(connection) as queries:
        second = clients.in_force({NUTMEG, BAKERY})
    assert list(second) == [NUTMEG]
    assert not any("taxpayers_business" in q["sql"] for q in queries), "a business is looked up once a run"
