"""The help centre (public): Filtered Topic Search and the topics themselves."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from . import search, selectors, topics
from .forms import SearchForm
from .models import Area


@require_safe
def index(request):
    """Search by words and narrow to an area; without words, every topic (of the area) by area."""
    form = SearchForm(request.GET or None)
    query = area = ""
    if form.is_valid():
        query, area = form.cleaned_data["q"].strip(), form.cleaned_data["area"]
    context = {
        "form": form,
        "query": query,
        "area_label": Area(area).label if area else "",
        "hits": search.topic_search(query, area=area) if query else None,
        "by_area": None if query else selectors.topics_by_area(area),
    }
    return render(request, "help/index.html", context)


@require_safe
def topic(request, slug: str):
    found = selectors.topic_by_slug(slug)
    if found is None:
        raise Http404("No such help topic.")
    context = {
        "topic": found,
        "blocks": topics.blocks(found.body),
        "related": selectors.topics_in_area(found.area, besides=found),
    }
    return render(request, "help/topic.html", context)
