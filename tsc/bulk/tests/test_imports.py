"""File Import for Third Party Bulk Filers: CSV files in a saved layout and Publication 1220 files
with many payers, each record accepted or rejected on its own, filed once whatever happens."""

import csv
import io
from datetime import date
from decimal import Decimal as D

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse

from tsc.accounts.acting import Acting
from tsc.accounts.models import Login
from tsc.bulk import imports
from tsc.bulk import services as bulk
from tsc.bulk.import_pub1220 import NOT_A_CLIENT_FEIN
from tsc.bulk.models import BulkImport, ImportRecord, ImportStatus
from tsc.filing.models import ReturnStatus, TaxReturn
from tsc.lib.errors import ServiceError
from tsc.payments.models import Payment
from tsc.taxpayers.models import Business, TaxType
from tsc.taxpayers.services import business_register, registration_add

FIRM = "4444444-000"  # the demo firm, Constitution Tax Services LLC
NUTMEG, BAKERY, HARBOR = "1234567-000", "7654321-000", "3333333-000"  # clients (Nutmeg banks on file); not one
COLUMNS = [
    "registration_number",
    "tax_type",
    "period_end",
    "os114_l1_c1",
    "os114_l8a_c1",
    "ct941_l1",
    "ct941_l2",
    "ct941_l3",
    "ct941_l5",
    "ct941_m1",
    "ct941_m2",
    "ct941_m3",
    "payment_amount",
    "payment_date",
]


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-01-20 12:00:00-05:00", tick=False):
        yield


@pytest.fixture
def layout(ctx):
    return imports.layout_save(ctx=ctx, name="Season", columns=COLUMNS, header_row=True)


def st(number, end="12/31/2025", sales="10000.00", resale="", pay="", on=""):
    return [number, "ST", end, sales, resale, "", "", "", "", "", "", "", pay, on]


def wh(number, end="12/31/2025", withheld="300.00", months=("100.00", "100.00", "100.00"), pay="", on=""):
    return [number, "WH", end, "", "", "5000.00", "5000.00", withheld, "0", *months, pay, on]


def csv_file(rows, header=True, name="season.csv") -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.writer(out)
    if header:
        writer.writerow(COLUMNS)
    writer.writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode("utf-8"))


def receive(ctx, file, capture, **kwargs):
    with capture(execute=True):
        found = imports.import_receive(ctx=ctx, file=file, **kwargs)
    found.refresh_from_db()
    return found


def by_record(bulk_import) -> dict[int, dict]:
    return {row["record"]: row for row in imports.acknowledgement_rows(bulk_import)}


def test_good_and_bad_rows_in_one_file_each_get_their_own_outcome(
    demo, ctx, layout, django_capture_on_commit_callbacks
):
    elm = business_register(
        registration_number="5555555-000", legal_name="Elm Cafe", street="1 Elm", city="Hartford", zip_code="06103"
    )
    registration_add(
        business=elm,
        tax_type=TaxType.objects.get(code="ST"),
        filing_frequency="monthly",
        start_date=date(2024, 1, 1),
        periods_through=date(2026, 1, 20),
    )
    bulk.staff_authorization_record(actor=None, bulk_filer=bulk.bulk_filer_of(ctx.taxpayer_id), client=elm)
    earlier = demo.nutmeg.registrations.get(tax_type__code="ST").periods.get(period_end=date(2025, 11, 30))
    from tsc.filing.services import return_submit

    filed = return_submit(actor=demo.admin, period=earlier, values={}, submission_token=__import__("uuid").uuid4())
    rows = [
        st(NUTMEG, pay="63.50", on="01/23/2026"),  # 2: accepted, with its payment
        wh(BAKERY),  # 3: accepted
        st(HARBOR),  # 4: not a client
        st("9999999-000"),  # 5: unknown: the same words
        wh("5555555-000"),  # 6: not registered for withholding
        st(NUTMEG, end="06/15/2025"),  # 7: no such period
        st(NUTMEG, end="11/30/2025"),  # 8: already filed
        st(BAKERY, end="12/31/2025", sales="12,3x"),  # 9: bad amount
        st(BAKERY, end="12/31/2025", sales=""),  # 10: missing amounts
        wh(BAKERY, end="09/30/2025", pay="300.00", on="01/23/2026"),  # 11: no banking on file
        st(NUTMEG, end="13/45/2025"),  # 12: bad date
        ["", "ST", "12/31/2025", "1.00"] + [""] * 10,  # 13: no registration number
        wh(NUTMEG, months=("100.00", "", "100.00")),  # 14: a monthly remitter must fill every month
    ]
    found = receive(ctx, csv_file(rows), django_capture_on_commit_callbacks, kind="csv", layout=layout)

    assert found.status == ImportStatus.ACCEPTED_WITH_REJECTIONS, list(imports.acknowledgement_rows(found))
    ack = by_record(found)
    assert (found.accepted_count, found.rejected_count, found.records_checked) == (2, 11, 13), ack
    nutmeg_return = TaxReturn.objects.get(business=demo.nutmeg, period__period_end=date(2025, 12, 31), form="OS-114")
    assert ack[2]["outcome"] == "accepted" and ack[2]["confirmation_number"] == nutmeg_return.confirmation_number
    payment = Payment.objects.get(tax_return=nutmeg_return)
    assert payment.amount == D("63.50") and ack[2]["payment_confirmation_number"] == payment.confirmation_number
    assert ack[3]["outcome"] == "accepted" and ack[3]["confirmation_number"].startswith("TSC-")
    assert ack[4]["reason"] == ack[5]["reason"] == bulk.NOT_A_CLIENT
    assert ack[5]["client"] == "9999999-000" and ack[4]["outcome"] == "rejected"
    assert ack[6]["reason"] == "Elm Cafe is not registered for Withholding."
    assert "no Sales and Use Tax filing period ending 06/15/2025" in ack[7]["reason"]
    assert "already filed" in ack[8]["reason"] and filed.confirmation_number in ack[8]["reason"]
    assert "enter dollars and cents" in ack[9]["reason"] and "12,3x" in ack[9]["reason"]
    assert "amounts of the OS-114 are missing" in ack[10]["reason"]
    assert "no banking information on file for Withholding" in ack[11]["reason"]
    assert "mm/dd/yyyy" in ack[12]["reason"]
    assert ack[13]["reason"] == "The client's registration number is missing."
    assert "fill in every month" in ack[14]["reason"]
    # Rejected rows filed nothing (not even the withholding of row 11, refused for its payment).
    assert not TaxReturn.objects.filter(business=demo.bakery, period__period_end=date(2025, 9, 30)).exists()
    assert TaxReturn.objects.filter(status=ReturnStatus.FILED).count() == 3  # the two accepted + the earlier


def test_the_same_file_again_files_nothing_twice(demo, ctx, layout, django_capture_on_commit_callbacks):
    content = [st(NUTMEG), wh(BAKERY)]
    first = receive(ctx, csv_file(content), django_capture_on_commit_callbacks, kind="csv", layout=layout)
    assert first.accepted_count == 2
    again = receive(ctx, csv_file(content), django_capture_on_commit_callbacks, kind="csv", layout=layout)
    assert again.pk == first.pk
    imports.import_process(str(first.token))
    assert BulkImport.objects.count() == 1 and TaxReturn.objects.filter(status=ReturnStatus.FILED).count() == 2
    keyed = receive(
        ctx,
        csv_file([st(NUTMEG, end="11/30/2025")]),
        django_capture_on_commit_callbacks,
        kind="csv",
        layout=layout,
        idempotency_key="k-1",
    )
    assert (
        imports.import_receive(
            ctx=ctx, file=csv_file([st(NUTMEG, end="11/30/2025")]), kind="csv", layout=layout, idempotency_key="k-1"
        ).pk
        == keyed.pk
    )
    with pytest.raises(ServiceError, match="different file"):
        imports.import_receive(ctx=ctx, file=csv_file([st(BAKERY)]), kind="csv", layout=layout, idempotency_key="k-1")


def test_a_crash_half_way_then_a_rerun_files_each_record_once(
    demo, ctx, layout, monkeypatch, django_capture_on_commit_callbacks
):
    from tsc.filing import batch

    real = batch.returns_file
    calls = []

    def crash_on_the_second(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the worker died")
        return real(**kwargs)

    monkeypatch.setattr("tsc.bulk.import_csv.BATCH", 1)
    monkeypatch.setattr(batch, "returns_file", crash_on_the_second)
    rows = [st(NUTMEG, pay="10.00", on="01/23/2026"), wh(BAKERY), st(BAKERY)]
    found = receive(ctx, csv_file(rows), django_capture_on_commit_callbacks, kind="csv", layout=layout)
    assert found.status == ImportStatus.PROCESSING and found.records_checked == 1  # the task failed
    first = TaxReturn.objects.get(status=ReturnStatus.FILED)

    monkeypatch.setattr(batch, "returns_file", real)
    ImportRecord.objects.filter(bulk_import=found).delete()  # as if the crash came before the rows were kept
    done = imports.import_process(str(found.token))
    assert done.status == ImportStatus.ACCEPTED and done.accepted_count == 3
    assert TaxReturn.objects.filter(status=ReturnStatus.FILED).count() == 3 and Payment.objects.count() == 1
    assert by_record(done)[2]["confirmation_number"] == first.confirmation_number


def test_layouts_take_columns_in_any_order_with_filler(demo, ctx, django_capture_on_commit_callbacks):
    columns = ["filler", "ct941_m3", "period_end", "ct941_l3", "filler", "ct941_m1", "registration_number"]
    columns += ["ct941_m2", "tax_type"]
    layout = imports.layout_save(ctx=ctx, name="Payroll", columns=columns, header_row=False)
    row = ["=HYPERLINK(x)", "50.00", "12/31/2025", "150.00", "anything", "50.00", BAKERY, "50.00", "wh"]
    file = SimpleUploadedFile("p.csv", (",".join(row) + "\n").encode())
    found = receive(ctx, file, django_capture_on_commit_callbacks, kind="csv", layout=layout)
    assert found.accepted_count == 1, list(imports.acknowledgement_rows(found))
    filed = TaxReturn.objects.get(business=demo.bakery, status=ReturnStatus.FILED)
    assert filed.data == {"l3": "150.00", "m1": "50.00", "m2": "50.00", "m3": "50.00"}
    with pytest.raises(ServiceError) as refused:
        imports.layout_save(ctx=ctx, name="Bad", columns=["tax_type", "tax_type", "sales", "filler"], header_row=True)
    assert "sales" in refused.value.message and "more than once" in refused.value.message
    assert "registration_number" in refused.value.message


def test_the_acknowledgement_csv_neutralises_formulas(
    demo, ctx, layout, signed_in, prep, django_capture_on_commit_callbacks
):
    rows = [[NUTMEG, "=1+2", "12/31/2025"] + [""] * 11, [BAKERY, "@SUM(A1)", "12/31/2025"] + [""] * 11]
    found = receive(ctx, csv_file(rows), django_capture_on_commit_callbacks, kind="csv", layout=layout)
    client = signed_in(prep)
    response = client.get(reverse("bulk:import_ack_csv", args=[found.token]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert table[0][:3] == ["record", "client", "tax_type"]
    assert [r[2] for r in table[1:]] == ["'=1+2", "'@SUM"]
    assert [imports.neutralised(v) for v in ("=a", "+a", "-a", "@a", "\ta", "\ra", "a=")] == [
        "'=a",
        "'+a",
        "'-a",
        "'@a",
        "'\ta",
        "'\ra",
        "a=",
    ]


def test_another_firms_import_is_not_found(demo, ctx, layout, signed_in, prep, django_capture_on_commit_callbacks):
    other_firm = business_register(
        registration_number="8888888-000", legal_name="Other Tax", street="1 Main", city="Hartford", zip_code="06103"
    )
    other_admin = Login.objects.create(business=other_firm, user_id="other9", is_administrator=True)
    bulk.bulk_filer_designate(firm=other_firm, actor=None)
    theirs = imports.layout_save(ctx=Acting.for_login(other_admin), name="Theirs", columns=COLUMNS, header_row=True)
    other = receive(
        Acting.for_login(other_admin),
        csv_file([st(NUTMEG)]),
        django_capture_on_commit_callbacks,
        kind="csv",
        layout=theirs,
    )
    assert other.rejected_count == 1  # Nutmeg is not their client
    with pytest.raises(Http404):
        imports.import_for(ctx, other.token)
    client = signed_in(prep)
    for name in ("bulk:import_status", "bulk:import_progress", "bulk:import_ack_csv"):
        assert client.get(reverse(name, args=[other.token])).status_code == 404
    assert other.original_name not in client.get(reverse("bulk:imports")).content.decode()
    with pytest.raises(ServiceError, match="saved layouts"):
        imports.import_receive(ctx=ctx, file=csv_file([st(NUTMEG)]), kind="csv", layout=theirs)


def test_the_pages_show_progress_then_the_acknowledgement(demo, ctx, layout, signed_in, prep):
    client = signed_in(prep)
    assert client.get(reverse("bulk:import")).status_code == 200
    response = client.post(
        reverse("bulk:layouts"),
        {"name": "Mine", "columns": "registration_number, tax_type, period_end, os114_l1_c1", "header_row": "on"},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("bulk:import"), {"kind": "csv", "layout": layout.pk, "file": csv_file([st(NUTMEG), st(HARBOR)])}
    )
    found = BulkImport.objects.get()
    assert response.status_code == 302 and response.url == reverse("bulk:import_status", args=[found.token])
    html = client.get(response.url).content.decode()
    assert 'id="upload-progress"' in html and "<progress" in html and "http-equiv" not in html
    progress = client.get(reverse("bulk:import_progress", args=[found.token])).json()
    assert progress == {"status": "received", "label": "Received", "checked": 0, "total": 2, "finished": False}
    imports.import_process(str(found.token))
    html = client.get(reverse("bulk:import_status", args=[found.token])).content.decode()
    assert "Accepted with rejections" in html and bulk.NOT_A_CLIENT in html
    assert TaxReturn.objects.get(status=ReturnStatus.FILED).confirmation_number in html
    assert "season.csv" in client.get(reverse("bulk:imports")).content.decode()


# ---- Publication 1220 with many payers, written by hand from the IRS layout -------------------------


class Record:
    """750 characters filled by 1-based inclusive positions, as Publication 1220 prints them."""

    def __init__(self, kind: str):
        self.chars = [" "] * 750
        self.put(1, 1, kind)

    def put(self, start: int, end: int, text: str) -> "Record":
        assert len(text) <= end - start + 1
        self.chars[start - 1 : end] = list(text.ljust(end - start + 1))
        return self

    def num(self, start: int, end: int, value: int) -> "Record":
        return self.put(start, end, str(value).zfill(end - start + 1))


def payer(tin: str, name: str) -> Record:
    r = Record("A").num(2, 5, 2025).put(6, 6, "1").put(12, 20, tin).put(26, 27, "NE").put(28, 45, "1")
    r.put(53, 92, name).put(133, 133, "0").put(134, 173, "1 Main St").put(174, 213, "Hartford")
    return r.put(214, 215, "CT").put(216, 224, "06103")


def payee(tin: str, name: str, paid: int, tax: int, state: str = "08") -> Record:
    r = Record("B").num(2, 5, 2025).put(11, 11, "2").put(12, 20, tin)
    for start in range(55, 271, 12):  # eighteen 12-digit amounts; code 1 at 55-66
        r.num(start, start + 11, paid if start == 55 else 0)
    r.put(288, 327, name).put(368, 407, "2 Elm St").put(448, 487, "New Haven").put(488, 489, "CT")
    return r.put(490, 498, "06510").num(723, 734, tax).num(735, 746, 0).put(747, 748, state)


def control(payees: int, paid: int) -> Record:
    r = Record("C").num(2, 9, payees)
    for start in range(16, 340, 18):  # eighteen 18-digit control totals; code 1 at 16-33
        r.num(start, start + 17, paid if start == 16 else 0)
    return r


def pub1220_file(records: list[Record]) -> bytes:
    lines = []
    for n, r in enumerate(records, 1):
        r.num(500, 507, n)
        lines.append("".join(r.chars))
    return ("\r\n".join(lines) + "\r\n").encode("ascii")


def multi_payer_file() -> bytes:
    t = Record("T").num(2, 5, 2025).put(7, 15, "064444444").put(16, 20, "12ABC")
    t.put(30, 69, "Constitution Tax Services").put(110, 149, "Constitution Tax Services LLC").num(296, 303, 6)
    t.put(304, 343, "Priya Preparer").put(344, 358, "8605550100").put(518, 518, "I")
    return pub1220_file(
        [
            t,  # 1
            payer("061234567", "Nutmeg Hardware LLC"),  # 2: a client
            payee("123456789", "Jane Q Public", 250000, 15000),  # 3: CT
            payee("987654321", "Bay State Co", 90000, 4500, state="25"),  # 4: Massachusetts
            control(2, 340000),  # 5
            payer("069999999", "Stranger Inc"),  # 6: not a client
            payee("111223333", "Oak Tree Services", 70000, 3500),  # 7
            control(1, 70000),  # 8
            payer("067654321", "Charter Oak Bakery"),  # 9: a client, with a bad total
            payee("222334444", "Rye Mill", 50000, 2500),  # 10
            payee("333445555", "Flour Co", 60000, 3000),  # 11
            control(2, 999999),  # 12: does not add up
            payer("061234567", "Nutmeg Hardware LLC"),  # 13: Nutmeg again (a second A record)
            payee("444556666", "Second Payee", 10000, 500, state="  "),  # 14: uncoded: Connecticut
            control(1, 10000),  # 15
            Record("F").num(2, 9, 4).put(10, 30, "0" * 21).num(50, 57, 6),  # 16
        ]
    )


def test_a_pub1220_file_with_many_payers_files_each_clients_ct1096(demo, ctx, django_capture_on_commit_callbacks):
    file = SimpleUploadedFile("1099s.txt", multi_payer_file())
    found = receive(ctx, file, django_capture_on_commit_callbacks, kind="pub1220")
    ack = by_record(found)
    ct1096 = TaxReturn.objects.get(form="CT-1096", status=ReturnStatus.FILED)
    assert ct1096.business == demo.nutmeg and ct1096.record_count == 2  # records 3 and 14; not Massachusetts
    assert ct1096.period.period_end == date(2025, 12, 31)
    assert [ack[n]["outcome"] for n in (3, 14)] == ["accepted", "accepted"]
    assert ack[3]["confirmation_number"] == ct1096.confirmation_number and ack[3]["client"] == NUTMEG
    assert ack[4]["outcome"] == "rejected" and "Coded for state 25 (MA)" in ack[4]["reason"]
    assert ack[7]["reason"] == NOT_A_CLIENT_FEIN
    assert ack[7]["client"] == "FEIN ending 9999"  # never the whole TIN
    assert ack[10]["outcome"] == ack[11]["outcome"] == "rejected" and "see record 12" in ack[10]["reason"]
    assert "control total 1" in ack[12]["reason"] and ack[12]["client"] == BAKERY
    assert not TaxReturn.objects.filter(business=demo.bakery).exists()
    assert found.status == ImportStatus.ACCEPTED_WITH_REJECTIONS and found.accepted_count == 2
    assert "123456789" not in str(list(imports.acknowledgement_rows(found)))
    # Processing again (a retry) files nothing twice.
    BulkImport.objects.filter(pk=found.pk).update(status=ImportStatus.PROCESSING)
    imports.import_process(str(found.token))
    assert TaxReturn.objects.filter(form="CT-1096", status=ReturnStatus.FILED).count() == 1
    assert Business.objects.filter(fein="06-1234567").count() == 1


def test_imported_files_are_deleted_after_the_retention_period(
    demo, ctx, layout, settings, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    done = receive(ctx, csv_file([st(NUTMEG)]), django_capture_on_commit_callbacks, kind="csv", layout=layout)
    stored = done.file.name
    assert done.file.storage.exists(stored)
    assert imports.imports_purge(now=timezone.now() + timedelta(days=settings.TSC_UPLOAD_RETENTION_DAYS - 1)) == 0
    assert imports.imports_purge(now=timezone.now() + timedelta(days=settings.TSC_UPLOAD_RETENTION_DAYS + 1)) == 1
    done.refresh_from_db()
    assert done.purged_at is not None and not done.file and not done.file.storage.exists(stored)
    assert done.accepted_count == 1  # the acknowledgement stays
