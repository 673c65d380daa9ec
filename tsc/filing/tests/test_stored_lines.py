"""A return's lines stored compactly (tsc/filing/stored_lines.py, migration filing/0011): the form's
layout once, the amounts per return. Every reader of `TaxReturn.lines` sees the very list of dicts
that was stored before (the JSON of each line's `as_dict`), for any amounts, through the ORM, the
batch and the migration both ways; lines of another shape are kept whole."""

import json
import random
import uuid
from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tsc.filing import batch, stored_lines
from tsc.filing.computations import ct941, ct1096, os114, quarter_months
from tsc.filing.lines import compacted, layout_key, lines_of
from tsc.filing.models import LineLayout, TaxReturn
from tsc.filing.services import return_submit

from .test_lines import CT941_KEYS, OS114_KEYS, amount


def computations(seed: int, count: int = 100):
    rnd = random.Random(seed)
    due, filed = date(2025, 2, 28), rnd.choice([date(2025, 2, 1), date(2025, 6, 1)])
    for _ in range(count):
        values = {k: amount(rnd) for k in rnd.sample(OS114_KEYS, rnd.choice([0, 1, 2, 5, 40]))}
        yield os114(values, due=due, filed=filed, prior_tax=rnd.choice([None, D(rnd.randint(0, 10**7)) / 100]))
        values = {k: amount(rnd) for k in rnd.sample(CT941_KEYS, rnd.randint(0, 7))}
        months = quarter_months(date(2025, rnd.choice([3, 6, 9, 12]), 28))
        yield ct941(values, due=due, filed=filed, prior_credit=D(rnd.randint(0, 10**5)) / 100, months=months)
    yield ct1096(record_count=rnd.randint(0, 999), total_paid=D("18500"), total_withheld=D("1234.555"))


def as_stored_before(computation) -> list[dict]:
    """TaxReturn.lines as read before issue 11's change: the JSON text of each line's as_dict."""
    return json.loads(json.dumps([line.as_dict() for line in computation.lines]))


@pytest.mark.parametrize("seed", range(4))
def test_the_layout_and_amounts_give_back_the_lines_as_stored_before(seed):
    for c in computations(seed):
        before = as_stored_before(c)
        assert compacted(before) == (c.layout.entries, c.amounts_text())
        assert layout_key(c.layout.entries) == c.layout.key
        assert lines_of(c.layout.entries, c.amounts_text()) == before


# Lines of another shape than a computation's (an older release, a hand fix): kept whole.
IRREGULAR = [
    [],
    [{"number": "1", "label": "Tax", "amount": "1.00"}],  # no "entered"
    [{"number": "1", "label": "Tax", "amount": "1.00", "entered": False, "note": "x"}],  # another key
    [{"number": "1", "label": "Tax", "amount": 1.5, "entered": False}],  # a number, not text
    [{"number": "1", "label": "Tax", "amount": "1 000.00", "entered": False}],  # a space
    [{"number": "1", "label": "Tax", "amount": "", "entered": True}],  # empty
    [{"number": 1, "label": "Tax", "amount": "1.00", "entered": True}],
    [{"number": "1", "label": "Tax", "amount": "1.00", "entered": "yes"}],
    [{"number": "1", "label": "T", "amount": "1.00", "entered": True, "columns": ["1.00", None]}],
    {"number": "1"},
]


def test_lines_of_another_shape_do_not_compact():
    for lines in IRREGULAR:
        assert compacted(lines) is None, lines
    regular = [{"number": "", "label": "Tax \ue000 %s", "amount": "-1E+2", "entered": True, "columns": []}]
    entries, text = compacted(regular)
    assert entries == (("", "Tax \ue000 %s", True, 0),) and lines_of(entries, text) == regular
    with pytest.raises(ValueError, match="amounts for a layout"):
        lines_of(entries, text + " 2.00")


def periods(demo, count: int):
    st = demo.nutmeg.registrations.get(tax_type__code="ST").periods.order_by("period_end")
    return list(st[:count])


@pytest.mark.django_db
def test_a_return_saved_reads_back_the_lines_it_was_given(demo):
    found = list(computations(7, count=10))
    returns = []
    for period, c in zip(periods(demo, len(found) + len(IRREGULAR)), [*found, *IRREGULAR], strict=False):
        r = TaxReturn(period=period, business=demo.nutmeg, tax_type=demo.sales, form="OS-114")
        r.lines = as_stored_before(c) if not isinstance(c, list | dict) else c
        r.save()
        returns.append((r.pk, as_stored_before(c) if not isinstance(c, list | dict) else c))
    stored_lines._ENTRIES.clear()  # read the layouts from the database
    for pk, lines in returns:
        read = TaxReturn.objects.get(pk=pk)
        assert read.lines == lines
        assert (read.line_layout is None) == (compacted(lines) is None)
        assert read.full_lines == ([] if read.line_layout else lines)
    assert LineLayout.objects.filter(key__in=[c.layout.key for c in found]).count() == len(
        {c.layout.key for c in found}
    )


@pytest.mark.django_db
def test_a_return_set_back_to_lines_of_another_shape_keeps_them_whole(demo):
    c = os114({"l1_c1": D("10.00")}, due=date(2025, 2, 28), filed=date(2025, 2, 1))
    r = TaxReturn(period=periods(demo, 1)[0], business=demo.nutmeg, tax_type=demo.sales, form="OS-114")
    r.lines = as_stored_before(c)
    r.lines = IRREGULAR[2]
    r.save()
    read = TaxReturn.objects.get(pk=r.pk)
    assert (read.lines, read.line_layout, read.line_amounts) == (IRREGULAR[2], None, "")


@pytest.mark.django_db
def test_a_layout_that_does_not_hold_what_its_key_says_is_refused(demo):
    c = os114({"l1_c1": D("10.00")}, due=date(2025, 2, 28), filed=date(2025, 2, 1))
    LineLayout.objects.create(key="0" * 32, lines=[list(e) for e in c.layout.entries])
    stored_lines._ENTRIES.pop("0" * 32, None)
    with pytest.raises(ValueError, match="does not hold"):
        stored_lines.lines_read("0" * 32, c.amounts_text())


@pytest.mark.django_db
def test_a_batch_stores_the_lines_return_submit_stores(demo):
    """The batch writes the layout's key and amounts itself: the same as the ORM path."""
    rnd = random.Random(3)
    items, by_hand = [], []
    for period in periods(demo, 12):
        values = {k: D(rnd.randint(0, 10**7)) / 100 for k in rnd.sample(OS114_KEYS, 3)}
        items.append(batch.ReturnItem(period, values, uuid.uuid4()))
        by_hand.append(values)
    filed = batch.returns_file(actor=demo.admin, items=items)
    from django.db import transaction

    for item, values in zip(filed, by_hand, strict=True):
        stored = TaxReturn.objects.get(pk=item.tax_return.pk)
        with transaction.atomic():
            period = stored.period
            stored.delete()  # the same period, filed the per-return way
            again = return_submit(actor=demo.admin, period=period, values=values, submission_token=uuid.uuid4())
            again = TaxReturn.objects.get(pk=again.pk)
            assert (stored.line_layout, stored.line_amounts) == (again.line_layout, again.line_amounts)
            assert stored.lines == again.lines and stored.full_lines == again.full_lines == []
            transaction.set_rollback(True)
    assert LineLayout.objects.filter(key=filed[0].tax_return.line_layout).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_converts_existing_returns_both_ways(demo):
    found = list(computations(11, count=8))
    expected = {}
    for period, c in zip(periods(demo, len(found)), found, strict=False):
        r = TaxReturn(period=period, business=demo.nutmeg, tax_type=demo.sales, form="OS-114")
        r.lines = as_stored_before(c)
        r.save()
        expected[r.pk] = as_stored_before(c)
    executor = MigrationExecutor(connection)
    before, latest = [("filing", "0010_fewer_constraints")], executor.loader.graph.leaf_nodes("filing")
    try:
        executor.migrate(before)
        old = MigrationExecutor(connection).loader.project_state(before[0]).apps.get_model("filing", "TaxReturn")
        assert {r.pk: r.lines for r in old.objects.filter(pk__in=expected)} == expected  # whole again
        # Returns stored whole by older code, some of a shape that does not compact.
        extra = periods(demo, len(found) + len(IRREGULAR) - 1)[len(found) :]
        for period, lines in zip(extra, IRREGULAR[:-1], strict=True):
            made = old.objects.create(
                period_id=period.pk, business_id=demo.nutmeg.pk, tax_type_id=demo.sales.pk, form="OS-114", lines=lines
            )
            expected[made.pk] = lines
    finally:
        MigrationExecutor(connection).migrate([("filing", latest[0][1])])
    stored_lines._ENTRIES.clear()
    read = {r.pk: r for r in TaxReturn.objects.filter(pk__in=expected)}
    assert {pk: r.lines for pk, r in read.items()} == expected
    for pk, r in read.items():
        assert (r.line_layout is not None) == (compacted(expected[pk]) is not None)
