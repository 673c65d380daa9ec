"""Reading the help topics (the search itself is in search.py)."""

from .models import Area, Topic


def topic_by_slug(slug: str) -> Topic | None:
    return Topic.objects.filter(slug=slug).first()


def topics_by_area(area: str = "") -> list[tuple[str, list[Topic]]]:
    """(area label, its topics in the seed's order) for every area that has topics, in the
    order of the filter; only `area` when given."""
    topics = Topic.objects.only("slug", "title", "area", "position")
    if area:
        topics = topics.filter(area=area)
    grouped: dict[str, list[Topic]] = {}
    for topic in topics:
        grouped.setdefault(topic.area, []).append(topic)
    return [(choice.label, grouped[choice.value]) for choice in Area if choice.value in grouped]


def topics_in_area(area: str, *, besides: Topic) -> list[Topic]:
    return list(Topic.objects.filter(area=area).exclude(pk=besides.pk).only("slug", "title"))
