"""The statistics as CSV, safe to open in a spreadsheet.

Paths, user agents and referrers come from visitors: a cell beginning with = + - @ (or a tab or
carriage return) would be read as a formula by a spreadsheet, so it gets a leading apostrophe.
"""

import csv
import io
from collections.abc import Iterator

from .selectors import Statistics

HEADER = ["statistic", "item", "visits", "share (%)", "bytes sent", "bytes received", "average ms", "slowest ms"]
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def statistics_rows(stats: Statistics) -> Iterator[list]:
    yield ["range", f"{stats.start:%m/%d/%Y} to {stats.end:%m/%d/%Y}", "", "", "", "", "", ""]
    yield ["total", "all visits", stats.visits, "", stats.bytes_sent, stats.bytes_received, stats.avg_ms, ""]
    for row in stats.most_visited:
        yield ["most visited page", row["path"], row["visits"], "", "", "", "", ""]
    for row in stats.least_visited:
        yield ["least visited page", row["path"], row["visits"], "", "", "", "", ""]
    for row in stats.status_classes:
        yield ["status class", row["class"], row["visits"], row["share"], "", "", "", ""]
    for row in stats.statuses:
        yield ["status", row["status"], row["visits"], row["share"], "", "", "", ""]
    for row in stats.hours:
        yield ["hour", f"{row['hour']:02d}:00", row["visits"], "", "", "", "", ""]
    for row in stats.days:
        yield ["day", f"{row['date']:%m/%d/%Y}", row["visits"], "", row["bytes_sent"], row["bytes_received"], "", ""]
    for row in stats.user_agents:
        yield ["user agent", row["user_agent"], row["visits"], "", "", "", "", ""]
    for row in stats.slow_pages:
        yield ["slow page", row["path"], row["visits"], "", "", "", row["avg_ms"], row["max_ms"]]


def statistics_csv(stats: Statistics) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for row in statistics_rows(stats):
        writer.writerow([neutralised(cell) for cell in row])
    return out.getvalue()
