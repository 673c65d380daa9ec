"""Charts as plain SVG drawn on the server: the geometry here, the markup in
templates/visits/_chart.html (presentation attributes only: the Content Security Policy allows
no inline styles). A chart is an image with a title and a description for assistive technology;
the page always shows the same numbers in a table beside it."""

from dataclasses import dataclass, field

WIDTH = 640
BAR_COLOUR = "#005ea2"  # USWDS primary: 7:1 against white
TEXT_COLOUR = "#1b1b1b"


@dataclass
class Bar:
    label: str
    value: float
    display: str
    x: float
    y: float
    width: float
    height: float
    label_x: float = 0
    label_y: float = 0
    value_x: float = 0
    value_y: float = 0
    show_label: bool = True


@dataclass
class Chart:
    id: str
    title: str
    desc: str
    kind: str  # "columns" (vertical bars along an axis) or "rows" (one labelled bar per line)
    height: float
    bars: list[Bar] = field(default_factory=list)
    width: float = WIDTH
    max_display: str = ""
    axis_y: float = 0
    colour: str = BAR_COLOUR
    text_colour: str = TEXT_COLOUR


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def rows(chart_id: str, title: str, desc: str, items: list[tuple[str, float, str]]) -> Chart:
    """One bar per item under its label; `items` are (label, value, value as shown)."""
    line = 40
    peak = max((value for _, value, _ in items), default=0) or 1
    usable = WIDTH - 120  # room for the value after the longest bar
    chart = Chart(chart_id, title, desc, "rows", height=max(line * len(items), line))
    for i, (label, value, display) in enumerate(items):
        top = i * line
        width = max(usable * value / peak, 1 if value else 0)
        chart.bars.append(
            Bar(
                label=_short(label),
                value=value,
                display=display,
                x=0,
                y=top + 18,
                width=round(width, 1),
                height=16,
                label_x=0,
                label_y=top + 13,
                value_x=round(width + 6, 1),
                value_y=top + 31,
            )
        )
    return chart


def columns(
    chart_id: str, title: str, desc: str, items: list[tuple[str, float, str]], *, label_every: int = 1
) -> Chart:
    """Vertical bars along an axis, labelled every `label_every` bars; the peak is marked."""
    plot_top, plot_height, left = 20, 160, 4
    peak = max((value for _, value, _ in items), default=0) or 1
    step = (WIDTH - left) / max(len(items), 1)
    chart = Chart(chart_id, title, desc, "columns", height=plot_top + plot_height + 24)
    chart.axis_y = plot_top + plot_height
    peak_display = ""
    for i, (label, value, display) in enumerate(items):
        height = plot_height * value / peak
        if value == peak:
            peak_display = display
        x = left + i * step
        chart.bars.append(
            Bar(
                label=label,
                value=value,
                display=display,
                x=round(x + step * 0.1, 1),
                y=round(plot_top + plot_height - height, 1),
                width=round(step * 0.8, 1),
                height=round(height, 1),
                label_x=round(x + step / 2, 1),
                label_y=plot_top + plot_height + 16,
                show_label=i % label_every == 0,
            )
        )
    chart.max_display = f"Highest: {peak_display}" if items else ""
    return chart
