"""A page and the count of all rows in one query (tsc/lib/paging.py), with Django's get_page
rules for a page number that is not one or out of range, and the page links."""

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from tsc.lib.paging import page_links, page_of
from tsc.taxpayers.models import TaxType


@pytest.mark.parametrize("asked", [None, "1", "2", "3", "4", "99", "0", "-1", "abc", "2.5", ""])
def test_the_same_page_as_django_get_page(demo, asked):
    items = TaxType.objects.order_by("pk").values("pk", "name")
    request = RequestFactory().get("/", {} if asked is None else {"page": asked, "q": "x"})
    page = page_of(request, items, per_page=2)
    expected = Paginator(items, 2).get_page(asked)
    assert (page.number, page.paginator.count, page.paginator.num_pages) == (
        expected.number,
        expected.paginator.count,
        expected.paginator.num_pages,
    )
    assert [r["pk"] for r in page] == [r["pk"] for r in expected]


def test_one_query_for_a_page_in_range_and_nothing_to_page_when_empty(demo):
    items = TaxType.objects.order_by("pk").values("pk")
    with CaptureQueriesContext(connection) as queries:
        page = page_of(RequestFactory().get("/", {"page": "2"}), items, per_page=2)
    assert len(queries) == 1 and page.number == 2
    empty = page_of(RequestFactory().get("/", {"page": "3"}), items.none(), per_page=2)
    assert (empty.number, len(empty), page_links(RequestFactory().get("/"), empty)) == (1, 0, None)


def test_the_links_keep_the_search_and_show_the_pages_near_this_one(demo):
    items = TaxType.objects.order_by("pk").values("pk")
    request = RequestFactory().get("/", {"q": "a&b", "page": "1"})
    links = page_links(request, page_of(request, items, per_page=1))
    assert links.previous is None and links.next == "q=a%26b&page=2"
    assert [(n.number, n.current) for n in links.numbers][:2] == [(1, True), (2, False)]
    assert links.numbers[-1].number == links.count
