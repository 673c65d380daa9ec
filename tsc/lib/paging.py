"""Long lists a page at a time: the query count and the page size stay the same however long a
taxpayer's history grows (issue 13)."""

from django.core.paginator import Page, Paginator

PER_PAGE = 50


def page_of(request, items, per_page: int = PER_PAGE) -> Page:
    """The page of `items` (a queryset: one COUNT and one LIMIT query) the request asks for with
    ?page=N; a page out of range or not a number shows the nearest one."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def page_query(request, number: int) -> str:
    """The current query string with `page` set to `number` (the search stays as it was)."""
    query = request.GET.copy()
    query["page"] = number
    return query.urlencode()
