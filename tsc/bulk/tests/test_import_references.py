"""ADR 0013: the references a File Import writes by the 10,000s without a foreign key constraint in
the database (a return's business, tax type and logins; an audit row's actor and business; an
acknowledgement row's import and client) are kept by the application: every one an import writes
points at a row that exists, and deletes through Django still protect, cascade and set to NULL.
The references that hold money (a return's period, an acknowledgement's return and payment) keep
their constraints."""

import pytest
import time_machine
from django.db import connection
from django.db.models import ProtectedError

from tsc.audit.models import AuditEvent
from tsc.bulk import imports
from tsc.bulk.models import BulkImport, ImportRecord
from tsc.filing.models import LineLayout, TaxReturn
from tsc.taxpayers.models import Business

from .test_imports import BAKERY, COLUMNS, NUTMEG, csv_file, receive, st, wh

UNCONSTRAINED = {
    TaxReturn: ("business", "tax_type", "created_by", "filed_by"),
    AuditEvent: ("actor", "business"),
    ImportRecord: ("bulk_import", "client"),
}
CONSTRAINED = {TaxReturn: ("period", "amends"), ImportRecord: ("tax_return", "payment")}


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-01-20 12:00:00-05:00", tick=False):
        yield


def foreign_keys(model) -> set[str]:
    """The columns of `model`'s table that have a foreign key constraint in the database."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {column for c in found.values() if c["foreign_key"] for column in c["columns"]}


@pytest.mark.django_db
def test_only_the_references_that_hold_money_keep_their_constraint_in_the_database():
    for model, names in UNCONSTRAINED.items():
        columns = foreign_keys(model)
        for name in names:
            assert model._meta.get_field(name).column not in columns, (model, name)
    for model, names in CONSTRAINED.items():
        columns = foreign_keys(model)
        for name in names:
            assert model._meta.get_field(name).column in columns, (model, name)


def dangling(model, name: str) -> int:
    """Rows of `model` whose `name` points at no row."""
    target = model._meta.get_field(name).related_model
    return model.objects.filter(**{f"{name}__isnull": False}).exclude(**{f"{name}__in": target.objects.all()}).count()


def test_every_reference_an_import_writes_points_at_a_row(demo, ctx, django_capture_on_commit_callbacks):
    layout = imports.layout_save(ctx=ctx, name="Season", columns=COLUMNS, header_row=True)
    rows = [st(NUTMEG, pay="63.50", on="01/23/2026"), wh(BAKERY), st(BAKERY), st("9999999-000")]
    found = receive(ctx, csv_file(rows), django_capture_on_commit_callbacks, kind="csv", layout=layout)
    assert (found.accepted_count, found.rejected_count) == (3, 1)
    written = {
        TaxReturn: TaxReturn.objects.count(),
        AuditEvent: AuditEvent.objects.filter(event="return.filed").count(),
        ImportRecord: ImportRecord.objects.count(),
    }
    assert written == {TaxReturn: 3, AuditEvent: 3, ImportRecord: 4}
    for model, names in UNCONSTRAINED.items():
        for name in names:
            assert dangling(model, name) == 0, (model, name)
    # A return's line layout (a key, not a foreign key: tsc/filing/stored_lines.py) is stored too.
    assert TaxReturn.objects.exclude(line_layout__in=LineLayout.objects.values("key")).count() == 0
    assert TaxReturn.objects.filter(line_layout=None).count() == 0
    for r in TaxReturn.objects.select_related("period__registration"):
        assert (r.business_id, r.tax_type_id) == (r.period.registration.business_id, r.period.registration.tax_type_id)
        assert r.created_by_id == r.filed_by_id == ctx.login.pk


def test_the_dangling_check_finds_a_reference_to_nothing(demo):
    """The check above is not blind: a row that points at nothing (possible now) is counted."""
    AuditEvent.objects.create(event="test", business_id=Business.objects.order_by("-pk").first().pk + 1000)
    assert dangling(AuditEvent, "business") == 1


def test_deletes_through_django_still_protect_cascade_and_set_null(demo, ctx, django_capture_on_commit_callbacks):
    layout = imports.layout_save(ctx=ctx, name="Season", columns=COLUMNS, header_row=True)
    found = receive(ctx, csv_file([st(NUTMEG)]), django_capture_on_commit_callbacks, kind="csv", layout=layout)
    filed = TaxReturn.objects.get()
    with pytest.raises(ProtectedError):
        Business.objects.filter(pk=filed.business_id).delete()  # the return's business: PROTECT
    with pytest.raises(ProtectedError):
        filed.tax_type.delete()
    # The import deleted: its acknowledgement rows go with it (CASCADE).
    ImportRecord.objects.filter(tax_return=filed).update(tax_return=None)  # the acknowledgement lets go first
    BulkImport.objects.filter(pk=found.pk).delete()  # the import: CASCADE to its rows
    assert not ImportRecord.objects.filter(bulk_import_id=found.pk).exists()
    # The login deleted: the return and the audit rows it made keep no id of it (SET_NULL).
    login_id = ctx.login.pk
    assert AuditEvent.objects.filter(actor_id=login_id).exists()
    ctx.login.delete()
    filed.refresh_from_db()
    assert (filed.created_by_id, filed.filed_by_id) == (None, None)
    assert not AuditEvent.objects.filter(actor_id=login_id).exists()
