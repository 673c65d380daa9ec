"""Statistics of the visit log over a date range, each one GROUP BY in the database.

Each query filters on `date` first and groups by one column, which is what the (date, X) indexes
of Visit are for: the database reads an index, never 10 million rows into Python.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Avg, Count, Max, Sum

from .models import Visit

TOP = 10


@dataclass
class Statistics:
    start: date
    end: date
    visits: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0
    avg_ms: float = 0.0
    most_visited: list[dict] = field(default_factory=list)
    least_visited: list[dict] = field(default_factory=list)
    statuses: list[dict] = field(default_factory=list)
    status_classes: list[dict] = field(default_factory=list)
    hours: list[dict] = field(default_factory=list)
    days: list[dict] = field(default_factory=list)
    user_agents: list[dict] = field(default_factory=list)
    slow_pages: list[dict] = field(default_factory=list)

    @property
    def error_rate(self) -> float:
        """Share of visits answered 4xx or 5xx, in percent."""
        errors = sum(c["visits"] for c in self.status_classes if c["class"] in ("4xx", "5xx"))
        return _percent(errors, self.visits)


def _percent(part: int, whole: int) -> float:
    return round(100 * part / whole, 2) if whole else 0.0


def visits_between(start: date, end: date):
    return Visit.objects.filter(date__gte=start, date__lte=end)


def totals(start: date, end: date) -> dict:
    """Visits, bytes sent and received, and the average response time."""
    row = visits_between(start, end).aggregate(
        visits=Count("*"), bytes_sent=Sum("bytes_sent"), bytes_received=Sum("bytes_received"), avg_ms=Avg("duration_ms")
    )
    row["avg_ms"] = round(row["avg_ms"] or 0, 1)
    return {key: value or 0 for key, value in row.items()}


def pages(start: date, end: date, *, least: bool = False, top: int = TOP) -> list[dict]:
    """The most (or least) visited pages: path and number of visits."""
    order = ("visits", "path") if least else ("-visits", "path")
    rows = visits_between(start, end).values("path").annotate(visits=Count("*")).order_by(*order)[:top]
    return list(rows)


def statuses(start: date, end: date) -> list[dict]:
    rows = visits_between(start, end).values("status").annotate(visits=Count("*")).order_by("status")
    return list(rows)


def hours(start: date, end: date) -> list[dict]:
    """Visits by hour of the day (Connecticut time), all 24 hours."""
    counts = dict(visits_between(start, end).values_list("hour").annotate(visits=Count("*")).order_by())
    return [{"hour": hour, "visits": counts.get(hour, 0)} for hour in range(24)]


def days(start: date, end: date) -> list[dict]:
    """Visits and bytes by day."""
    rows = (
        visits_between(start, end)
        .values("date")
        .annotate(visits=Count("*"), bytes_sent=Sum("bytes_sent"), bytes_received=Sum("bytes_received"))
        .order_by("date")
    )
    return list(rows)


def user_agents(start: date, end: date, *, top: int = TOP) -> list[dict]:
    rows = visits_between(start, end).values("user_agent").annotate(visits=Count("*")).order_by("-visits", "user_agent")
    return list(rows[:top])


def slow_pages(start: date, end: date, *, top: int = TOP) -> list[dict]:
    """Pages by average response time, slowest first (with the slowest single response)."""
    rows = (
        visits_between(start, end)
        .values("path")
        .annotate(visits=Count("*"), avg_ms=Avg("duration_ms"), max_ms=Max("duration_ms"))
        .order_by("-avg_ms", "path")
    )
    return [row | {"avg_ms": round(row["avg_ms"], 1)} for row in rows[:top]]


def visit_statistics(start: date, end: date) -> Statistics:
    stats = Statistics(start=start, end=end, **totals(start, end))
    if not stats.visits:
        stats.hours = hours(start, end)
        return stats
    stats.most_visited = pages(start, end)
    stats.least_visited = pages(start, end, least=True)
    stats.statuses = [row | {"share": _percent(row["visits"], stats.visits)} for row in statuses(start, end)]
    classes: dict[str, int] = {}
    for row in stats.statuses:
        key = f"{row['status'] // 100}xx"
        classes[key] = classes.get(key, 0) + row["visits"]
    stats.status_classes = [
        {"class": key, "visits": count, "share": _percent(count, stats.visits)}
        for key, count in sorted(classes.items())
    ]
    stats.hours = hours(start, end)
    stats.days = days(start, end)
    stats.user_agents = user_agents(start, end)
    stats.slow_pages = slow_pages(start, end)
    return stats
