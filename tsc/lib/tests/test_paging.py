"""A long list a page at a time (tsc/lib/paging.py): the count of each key, then the rows of the
keys the page spans, with Django's get_page rules for a page number that is not one or out of
range, and the page links."""

import pytest
from django.core.paginator import Paginator
from django.test import RequestFactory

from tsc.lib.paging import page_links, page_of_groups


class Listed:
    """A Grouped list over rows already in memory, (key, value) in the list's order; it counts
    what it is asked to read."""

    def __init__(self, rows):
        self.all = rows
        self.read = []

    def counts(self):
        found = {}
        for key, _ in self.all:
            found[key] = found.get(key, 0) + 1
        return list(found.items())

    def rows(self, first, last, skip, limit):
        keys = [k for k, _ in self.counts()]
        span = keys[keys.index(first) : keys.index(last) + 1]
        picked = [r for r in self.all if r[0] in span]
        self.read.append(len(picked))
        return picked[skip : skip + limit]


ROWS = [(key, n) for n, key in enumerate([9, 9, 9, 8, 7, 7, 7, 7, 7, 6, 5, 5, 4])]


@pytest.mark.parametrize("per_page", [1, 2, 3, 5, 13, 50])
@pytest.mark.parametrize("asked", [None, "1", "2", "3", "4", "5", "13", "99", "0", "-1", "abc", "2.5", ""])
def test_the_same_page_as_django_get_page(asked, per_page):
    listed = Listed(ROWS)
    request = RequestFactory().get("/", {} if asked is None else {"page": asked, "q": "x"})
    page = page_of_groups(request, listed, per_page=per_page)
    expected = Paginator(ROWS, per_page).get_page(asked)
    assert (page.number, page.paginator.count, page.paginator.num_pages) == (
        expected.number,
        expected.paginator.count,
        expected.paginator.num_pages,
    )
    assert list(page) == list(expected)
    # Only the keys the page spans are read: at most a page and the rest of its first and last keys.
    assert listed.read[0] <= per_page + 2 * 5


def test_an_empty_list_is_one_empty_page_with_no_links():
    empty = page_of_groups(RequestFactory().get("/", {"page": "3"}), Listed([]), per_page=2)
    assert (empty.number, len(empty), page_links(RequestFactory().get("/"), empty)) == (1, 0, None)


def test_the_links_keep_the_search_and_show_the_pages_near_this_one():
    request = RequestFactory().get("/", {"q": "a&b", "page": "1"})
    links = page_links(request, page_of_groups(request, Listed(ROWS), per_page=1))
    assert links.previous is None and links.next == "q=a%26b&page=2"
    assert [(n.number, n.current) for n in links.numbers] == [(1, True), (2, False), (3, False), (13, False)]
    assert (links.start_index, links.end_index, links.count) == (1, 1, 13)


def test_the_links_keep_where_page_stood_in_the_query():
    request = RequestFactory().get("/?a=1&page=7&b=tscpage0&c=%26")
    links = page_links(request, page_of_groups(request, Listed(ROWS), per_page=1))
    assert links.previous == "a=1&page=6&b=tscpage0&c=%26"
    assert links.next == "a=1&page=8&b=tscpage0&c=%26"
    assert [n.query for n in links.numbers] == [f"a=1&page={n}&b=tscpage0&c=%26" for n in (1, 5, 6, 7, 8, 9, 13)]
