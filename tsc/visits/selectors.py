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


def days(start: date, end: date) -> list[dict]:
    """Visits, bytes and total response time by day (the totals are their sums)."""
    rows = (
        visits_between(start, end)
        .values("date")
        .annotate(
            visits=Count("*"),
            bytes_sent=Sum("bytes_sent"),
            bytes_received=Sum("bytes_received"),
            total_ms=Sum("duration_ms"),
        )
        .order_by("date")
    )
    return list(rows)


def pages(start: date, end: date) -> list[dict]:
    """Every page visited in the range: visits, average and slowest response time. One scan of
    the (date, path, duration_ms) index serves most visited, least visited and slow pages."""
    rows = (
        visits_between(start, end)
        .values("path")
        .annotate(visits=Count("*"), avg_ms=Avg("duration_ms"), max_ms=Max("duration_ms"))
        .order_by()
    )
    return [row | {"avg_ms": round(row["avg_ms"], 1)} for row in rows]


def statuses(start: date, end: date) -> list[dict]:
    rows = visits_between(start, end).values("status").annotate(visits=Count("*")).order_by("status")
    return list(rows)


def hours(start: date, end: date) -> list[dict]:
    """Visits by hour of the day (Connecticut time), all 24 hours."""
    counts = dict(visits_between(start, end).values_list("hour").annotate(visits=Count("*")).order_by())
    return [{"hour": hour, "visits": counts.get(hour, 0)} for hour in range(24)]


def user_agents(start: date, end: date, *, top: int = TOP) -> list[dict]:
    rows = visits_between(start, end).values("user_agent").annotate(visits=Count("*")).order_by("-visits", "user_agent")
    return list(rows[:top])


def visit_statistics(start: date, end: date) -> Statistics:
    stats = Statistics(start=start, end=end)
    stats.days = days(start, end)
    stats.hours = hours(start, end)
    stats.visits = sum(d["visits"] for d in stats.days)
    if not stats.visits:
        return stats
    stats.bytes_sent = sum(d["bytes_sent"] for d in stats.days)
    stats.bytes_received = sum(d["bytes_received"] for d in stats.days)
    stats.avg_ms = round(sum(d["total_ms"] for d in stats.days) / stats.visits, 1)
    visited = pages(start, end)
    stats.most_visited = sorted(visited, key=lambda p: (-p["visits"], p["path"]))[:TOP]
    stats.least_visited = sorted(visited, key=lambda p: (p["visits"], p["path"]))[:TOP]
    stats.slow_pages = sorted(visited, key=lambda p: (-p["avg_ms"], p["path"]))[:TOP]
    stats.statuses = [row | {"share": _percent(row["visits"], stats.visits)} for row in statuses(start, end)]
    classes: dict[str, int] = {}
    for row in stats.statuses:
        key = f"{row['status'] // 100}xx"
        classes[key] = classes.get(key, 0) + row["visits"]
    stats.status_classes = [
        {"class": key, "visits": count, "share": _percent(count, stats.visits)}
        for key, count in sorted(classes.items())
    ]
    stats.user_agents = user_agents(start, end)
    return stats
