"""Long lists a page at a time: the query count and the page size stay the same however long a
taxpayer's history grows (issue 13)."""

from dataclasses import dataclass
from math import ceil
from typing import Any, Protocol

from django.core.paginator import Page, Paginator

PER_PAGE = 50
NEAR = 2  # page links shown either side of the current page (plus the first and the last)


class Grouped(Protocol):
    """A long list read a page at a time in two short queries instead of one that sorts every row
    (`page_of_groups`): the rows come ordered by a key first (a period end, a date), and the list
    can count its rows by key and read the rows of a span of keys."""

    def counts(self) -> list[tuple[Any, int]]:
        """(key, number of rows), in the list's order of keys."""

    def rows(self, first, last, skip: int, limit: int) -> list:
        """The rows whose key runs from `first` to `last` (in the list's order), in the list's
        order, leaving out the first `skip`, at most `limit`."""


def page_of_groups(request, items: Grouped, per_page: int = PER_PAGE) -> Page:
    """The page of `items` the request asks for with ?page=N, as Django's Paginator.get_page has
    it (not a whole number: the first page; below 1 or past the end: the last), in two short
    queries: the count of each key (a few dozen rows however long the history, where one query
    with a count over every row sorted them all: issue 13), then the page's rows from the keys it
    spans."""
    counts = items.counts()
    count = sum(n for _, n in counts)
    last = max(1, ceil(count / per_page))
    number = _page_number(request.GET.get("page"))
    if number is None or number > last:
        number = last
    bottom, seen, skip, span = (number - 1) * per_page, 0, 0, []
    for key, n in counts:
        if seen >= bottom + per_page:
            break
        if seen + n > bottom:
            if not span:
                skip = bottom - seen
            span.append(key)
        seen += n
    rows = items.rows(span[0], span[-1], skip, per_page) if span else []
    paginator = Paginator((), per_page)
    paginator.count = count  # known: not counted again
    return Page(rows, number, paginator)


def _page_number(value) -> int | None:
    """?page= as Paginator.get_page reads it: not a whole number is the first page; below 1,
    None (the last page)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return number if number >= 1 else None


@dataclass(frozen=True)
class PageLink:
    number: int
    query: str  # "page=N" with the rest of the search
    current: bool


@dataclass(frozen=True)
class PageLinks:
    """What templates/_pagination.html shows: Previous, the first, the last and the pages near the
    current one, Next. Worked out here once, not by testing every page number in the template."""

    previous: str | None
    numbers: list[PageLink]
    next: str | None
    start_index: int
    end_index: int
    count: int


def page_links(request, page: Page) -> PageLinks | None:
    """None when everything fits on one page."""
    if not page.has_other_pages():
        return None
    last = page.paginator.num_pages
    shown = sorted({1, last, *range(max(page.number - NEAR, 1), min(page.number + NEAR, last) + 1)})
    link = _page_query_maker(request)
    return PageLinks(
        previous=link(page.previous_page_number()) if page.has_previous() else None,
        numbers=[PageLink(n, link(n), n == page.number) for n in shown],
        next=link(page.next_page_number()) if page.has_next() else None,
        start_index=page.start_index(),
        end_index=page.end_index(),
        count=page.paginator.count,
    )


_MARKER = "tscpage0"  # letters and digits: urlencode leaves it as it is


def _page_query_maker(request):
    """The current query string with `page` set to a number (the search stays as it was), for
    any number, from one copy and encoding of the query string."""
    query = request.GET.copy()
    query["page"] = _MARKER
    before, after = query.urlencode().split("page=" + _MARKER, 1)
    return lambda number: f"{before}page={int(number)}{after}"
