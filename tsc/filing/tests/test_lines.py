"""A computation's lines as stored: the JSON text from the form's layout is exactly what encoding
each line's `as_dict` gives, for any amounts; and batch confirmation numbers look and spread like
`confirmation_number_new`'s."""

import json
import random
import re
from collections import Counter
from datetime import date
from decimal import Decimal as D

import pytest

from tsc.filing.batch import _data_json, confirmation_numbers_new
from tsc.filing.computations import ct941, ct1096, os114, quarter_months
from tsc.filing.services import _CONFIRMATION_ALPHABET

OS114_KEYS = [f"l{n}_c{c}" for n in ("1", "2", "3", "4", "5", "6", "8a", "8b", "8c", "8d") for c in (1, 2, 3, 4)]
CT941_KEYS = ["l1", "l2", "l3", "l5", "m1", "m2", "m3"]


def amount(rnd: random.Random):
    return rnd.choice(
        [D("0"), D("0.00"), D("-0.00"), None, D(rnd.randint(-(10**6), 10**6)) / 100, D(rnd.randint(0, 10**11)) / 100]
    )


def stored(computation) -> str:
    return json.dumps([line.as_dict() for line in computation.lines])


@pytest.mark.parametrize("seed", range(5))
def test_the_lines_json_is_the_json_of_each_line(seed):
    rnd = random.Random(seed)
    due, filed = date(2025, 2, 28), rnd.choice([date(2025, 2, 1), date(2025, 6, 1)])
    for _ in range(200):
        values = {k: amount(rnd) for k in rnd.sample(OS114_KEYS, rnd.choice([0, 1, 2, 5, 40]))}
        prior = rnd.choice([None, D("0"), D(rnd.randint(0, 10**7)) / 100])
        c = os114(values, due=due, filed=filed, prior_tax=prior)
        assert c.lines_json() == stored(c)
        values = {k: amount(rnd) for k in rnd.sample(CT941_KEYS, rnd.randint(0, 7))}
        months = quarter_months(date(2025, rnd.choice([3, 6, 9, 12]), 28))
        c = ct941(values, due=due, filed=filed, prior_credit=D(rnd.randint(0, 10**5)) / 100, months=months)
        assert c.lines_json() == stored(c)
    c = ct1096(record_count=3, total_paid=D("18500"), total_withheld=D("1234.555"))
    assert c.lines_json() == stored(c)


def test_an_os114_with_a_credit_has_its_own_line_12_label_in_the_json():
    c = os114({"l1_c1": D("100.00")}, due=date(2025, 2, 28), filed=date(2025, 2, 1), prior_tax=D("500.00"))
    assert "a credit, to be refunded" in c.lines_json()
    assert json.loads(c.lines_json()) == [line.as_dict() for line in c.lines]


def test_data_json_is_what_the_return_stores():
    values = {"l1_c1": D("1000"), "l3_c2": D("2.5")}
    assert _data_json(values) == json.dumps({k: str(v.quantize(D("0.01"))) for k, v in values.items()})


def test_batch_confirmation_numbers_have_the_format_and_are_uniform():
    numbers = confirmation_numbers_new(20_000)
    pattern = re.compile(
        rf"^TSC-[{_CONFIRMATION_ALPHABET}]{{4}}-[{_CONFIRMATION_ALPHABET}]{{4}}-[{_CONFIRMATION_ALPHABET}]{{4}}$"
    )
    assert all(pattern.match(n) for n in numbers)
    assert len(set(numbers)) == len(numbers)
    counts = Counter("".join(n[4:].replace("-", "") for n in numbers))
    assert set(counts) == set(_CONFIRMATION_ALPHABET)
    expected = 12 * len(numbers) / len(_CONFIRMATION_ALPHABET)  # 8,000 each
    # Chi-square with 29 degrees of freedom: above 70 once in ~20,000 runs of a fair draw.
    assert sum((c - expected) ** 2 / expected for c in counts.values()) < 70
    assert confirmation_numbers_new(0) == []


@pytest.mark.django_db
def test_returns_lines_are_compressed_with_lz4_on_a_postgresql_that_has_it():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL storage setting")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")
        (available,) = cursor.fetchone()
        cursor.execute(
            "SELECT attcompression FROM pg_attribute"
            " WHERE attrelid = 'filing_taxreturn'::regclass AND attname = 'lines'"
        )
        (method,) = cursor.fetchone()
    assert method == ("l" if available else "")
