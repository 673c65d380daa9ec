"""Long lists a page at a time: the query count and the page size stay the same however long a
taxpayer's history grows (issue 13)."""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator

PER_PAGE = 50
NEAR = 2  # page links shown either side of the current page (plus the first and the last)


def page_of(request, items, per_page: int = PER_PAGE) -> Page:
    """The page of `items` (a queryset: one COUNT and one LIMIT query) the request asks for with
    ?page=N; a page out of range or not a number shows the nearest one."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def page_query(request, number: int) -> str:
    """The current query string with `page` set to `number` (the search stays as it was)."""
    query = request.GET.copy()
    query["page"] = number
    return query.urlencode()


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
    return PageLinks(
        previous=page_query(request, page.previous_page_number()) if page.has_previous() else None,
        numbers=[PageLink(n, page_query(request, n), n == page.number) for n in shown],
        next=page_query(request, page.next_page_number()) if page.has_next() else None,
        start_index=page.start_index(),
        end_index=page.end_index(),
        count=page.paginator.count,
    )
