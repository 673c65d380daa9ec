"""File imports through the API: upload (202 with the import's token), status and counts, the
acknowledgement as JSON rows; the same file or key files nothing twice; scopes and other firms."""

import csv
import io
import uuid

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from tsc.accounts.acting import Acting
from tsc.bulk import imports
from tsc.bulk.models import BulkImport
from tsc.filing.models import TaxReturn

NUTMEG, HARBOR = "1234567-000", "3333333-000"
COLUMNS = ["filler", "registration_number", "tax_type", "period_end", "os114_l1_c1"]


@pytest.fixture(autouse=True)
def _today():  # a January: the December returns are due and none is filed yet
    with time_machine.travel("2026-01-20 12:00:00-05:00", tick=False):
        yield


@pytest.fixture
def layout(prep):
    return imports.layout_save(ctx=Acting.for_login(prep), name="API season", columns=COLUMNS, header_row=True)


def season_file(*rows) -> SimpleUploadedFile:
    out = io.StringIO()
    csv.writer(out).writerows([["note", *COLUMNS[1:]], *rows])
    return SimpleUploadedFile("season.csv", out.getvalue().encode())


ROWS = (["a", NUTMEG, "ST", "12/31/2025", "10000.00"], ["b", HARBOR, "ST", "12/31/2025", "500.00"])


def test_an_upload_is_processed_and_acknowledged_record_by_record(
    demo, api, layout, django_capture_on_commit_callbacks
):
    client = api("imports:write", "imports:read")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.upload("/imports", {"file": season_file(*ROWS), "kind": "csv", "layout_id": layout.pk})
    assert response.status_code == 202, response.content
    token = response.json()["token"]
    status = client.get(f"/imports/{token}").json()
    assert status["status"] == "accepted_with_rejections" and status["records_total"] == 2
    assert (status["accepted_count"], status["rejected_count"]) == (1, 1) and status["finished_at"]
    acknowledgement = client.get(f"/imports/{token}/acknowledgement").json()
    assert acknowledgement["token"] == token
    accepted, rejected = acknowledgement["records"]
    filed = TaxReturn.objects.get(period__registration__business=demo.nutmeg, period__period_end="2025-12-31")
    assert accepted == accepted | {
        "record": 2,  # the file's line: the header row is line 1
        "client": NUTMEG,
        "tax_type": "ST",
        "period_end": "2025-12-31",
        "outcome": "accepted",
        "confirmation_number": filed.confirmation_number,
    }
    assert rejected["outcome"] == "rejected" and rejected["reason"] and rejected["confirmation_number"] is None


def test_the_same_file_again_files_nothing_twice(demo, api, layout, django_capture_on_commit_callbacks):
    client = api("imports:write", "imports:read")
    data = {"kind": "csv", "layout_id": layout.pk}
    with django_capture_on_commit_callbacks(execute=True):
        first = client.upload("/imports", data | {"file": season_file(*ROWS)}, key="file-1")
    again = client.upload("/imports", data | {"file": season_file(*ROWS)}, key="file-1")
    other_key = client.upload("/imports", data | {"file": season_file(*ROWS)}, key="file-2")
    assert first.status_code == again.status_code == other_key.status_code == 202
    assert first.json()["token"] == again.json()["token"] == other_key.json()["token"]
    assert again["Idempotent-Replayed"] == "true"
    changed = client.upload("/imports", data | {"file": season_file(ROWS[0])}, key="file-1")
    assert changed.status_code == 409
    assert BulkImport.objects.count() == 1 and TaxReturn.objects.filter(period__period_end="2025-12-31").count() == 1


def test_refusals(demo, api, layout):
    client = api("imports:write", "imports:read")
    no_layout = client.upload("/imports", {"file": season_file(*ROWS), "kind": "csv"})
    assert no_layout.status_code == 422 and no_layout.json()["field"] == "layout_id"
    for data, status in (
        ({"file": season_file(*ROWS), "kind": "xls"}, 422),
        ({"kind": "pub1220"}, 422),
        ({"file": SimpleUploadedFile("empty.txt", b""), "kind": "pub1220"}, 422),
        ({"file": season_file(*ROWS), "kind": "csv", "layout_id": 999999}, 422),
    ):
        assert client.upload("/imports", data).status_code == status, data
    assert client.upload("/imports", {"file": season_file(*ROWS), "kind": "pub1220"}, key=None).status_code == 400
    assert not BulkImport.objects.exists()
    assert api("imports:read").upload("/imports", {"file": season_file(*ROWS), "kind": "pub1220"}).status_code == 403
    assert api("imports:write").get(f"/imports/{uuid.uuid4()}").status_code == 403


def test_another_firms_import_is_not_found(demo, api, layout, prep):
    from tsc.bulk.services import bulk_filer_designate

    mine = imports.import_receive(ctx=Acting.for_login(prep), file=season_file(*ROWS), kind="csv", layout=layout)
    client = api("imports:read")
    assert client.get(f"/imports/{mine.token}").status_code == 200
    bulk_filer_designate(firm=demo.bakery, actor=None)
    from tsc.api.services import api_token_create

    from .conftest import Api

    _, theirs = api_token_create(ctx=Acting.for_login(demo.outsider), name="Theirs", scopes=["imports:read"])
    for path in (f"/imports/{mine.token}", f"/imports/{mine.token}/acknowledgement", f"/imports/{uuid.uuid4()}"):
        response = Api(theirs).get(path)
        assert response.status_code == 404 and response.json()["detail"] == "Your firm has no import with that token."
