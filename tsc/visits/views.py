"""Statistics of the visit log for DRS staff (back office): what is of most and least interest to
visitors, and where the system is slow or failing -- the purposes the privacy policy names."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import number_format

from tsc.backoffice.views import staff_only

from . import charts
from .export import statistics_csv
from .forms import StatisticsForm
from .selectors import Statistics, visit_statistics


def _form(request) -> StatisticsForm:
    return StatisticsForm(request.GET, today=timezone.localdate())


def _count(n) -> str:
    return number_format(n, force_grouping=True)


def _charts(stats: Statistics) -> dict:
    span = f"{stats.start:%m/%d/%Y} to {stats.end:%m/%d/%Y}"
    days = [(f"{d['date']:%m/%d}", d["visits"], _count(d["visits"])) for d in stats.days]
    return {
        "days": charts.columns(
            "chart-days",
            "Visits by day",
            f"Column chart of visits per day, {span}; the table below gives each day's numbers.",
            days,
            label_every=max(len(days) // 8, 1),
        ),
        "hours": charts.columns(
            "chart-hours",
            "Busiest hours",
            f"Column chart of visits by hour of the day (Connecticut time), {span}.",
            [(f"{h['hour']:02d}", h["visits"], _count(h["visits"])) for h in stats.hours],
            label_every=3,
        ),
        "most": charts.rows(
            "chart-most",
            "Most visited pages",
            f"Bar chart of the {len(stats.most_visited)} most visited pages, {span}.",
            [(p["path"], p["visits"], _count(p["visits"])) for p in stats.most_visited],
        ),
        "statuses": charts.rows(
            "chart-statuses",
            "Answers by HTTP status",
            f"Bar chart of the share of visits by HTTP status, {span}.",
            [(str(s["status"]), s["visits"], f"{s['share']} %") for s in stats.statuses],
        ),
        "agents": charts.rows(
            "chart-agents",
            "User agents",
            f"Bar chart of the {len(stats.user_agents)} most common user agents, {span}.",
            [(a["user_agent"] or "(none)", a["visits"], _count(a["visits"])) for a in stats.user_agents],
        ),
        "slow": charts.rows(
            "chart-slow",
            "Slow pages",
            f"Bar chart of the pages with the longest average response time, {span}.",
            [(p["path"], p["avg_ms"], f"{p['avg_ms']} ms") for p in stats.slow_pages],
        ),
    }


@staff_only
def statistics(request):
    form = _form(request)
    stats = visit_statistics(*form.range()) if form.is_valid() or not form.is_bound else None
    context = {"form": form, "stats": stats, "charts": _charts(stats) if stats and stats.visits else None}
    if stats:
        context["csv_query"] = f"start={stats.start:%m/%d/%Y}&end={stats.end:%m/%d/%Y}"
    return render(request, "visits/statistics.html", context)


@staff_only
def statistics_export(request):
    form = _form(request)
    if form.is_bound and not form.is_valid():
        return statistics(request)
    stats = visit_statistics(*form.range())
    response = HttpResponse(statistics_csv(stats), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="visit-statistics-{stats.start:%Y%m%d}-{stats.end:%Y%m%d}.csv"'
    )
    return response
