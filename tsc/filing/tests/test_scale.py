"""Issue 13: a page's query count and size do not grow with the taxpayer's history."""

import uuid
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tsc.filing.models import ReturnStatus, TaxReturn


def add_returns(demo, n: int) -> None:
    """n filed returns over the Sales and Use periods (amended ones beyond one a period)."""
    since = date.today() - timedelta(days=2 * 365)
    periods = list(
        demo.nutmeg.registrations.get(tax_type=demo.sales).periods.filter(period_end__gte=since).order_by("period_end")
    )
    originals = {
        r.period_id: r
        for r in TaxReturn.objects.filter(
            tax_type=demo.sales, business=demo.nutmeg, amends__isnull=True, status="filed"
        )
    }
    rows = []
    for i in range(n):
        period = periods[i % len(periods)]
        rows.append(
            TaxReturn(
                business=demo.nutmeg,
                tax_type=demo.sales,
                period=period,
                form="OS-114",
                status=ReturnStatus.FILED,
                amends=originals.get(period.pk),
                confirmation_number=f"T{uuid.uuid4().hex[:12].upper()}",
                filed_on=period.due_date - timedelta(days=1),
                filed_by=demo.filepay,
            )
        )
        if period.pk not in originals:
            TaxReturn.objects.bulk_create(rows[-1:])
            originals[period.pk] = rows.pop()
    TaxReturn.objects.bulk_create(rows)


def measure(client, url, query):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, query)
    assert response.status_code == 200
    return len(queries), len(response.content)


@pytest.mark.parametrize(
    ("url", "query"),
    [
        ("filing:history", {"tax_type": "ST", "search_by": "period_end", "start": "years_ago", "end": "today"}),
        ("payments:processed", {"tax_type": "all", "search_by": "period_end", "start": "years_ago", "end": "today"}),
        ("ledger:account", {}),
        ("accounts:menu", {}),
        ("filing:index", {}),
    ],
)
def test_queries_and_page_size_stay_the_same_as_the_history_grows_ten_times(demo, signed_in, url, query):
    client = signed_in(demo.filepay)
    dates = {"today": date.today(), "years_ago": date.today() - timedelta(days=2 * 365 + 30)}
    query = {k: (dates[v].strftime("%m/%d/%Y") if v in dates else v) for k, v in query.items()}
    add_returns(demo, 60)
    client.get(reverse(url), query)  # warm: sessions, periods made on a first visit
    small = measure(client, reverse(url), query)
    add_returns(demo, 600)
    large = measure(client, reverse(url), query)
    assert large[0] == small[0], f"{url}: {small[0]} queries with 60 returns, {large[0]} with 660"
    assert large[1] < small[1] * 1.2, f"{url}: {small[1]} bytes with 60 returns, {large[1]} with 660"
