"""Bar charts drawn as SVG on the server, in the product's colours: no script, no CDN, and
the same picture in every browser. Each bar carries its figure in a <title>; the table under the
chart is what a screen reader reads."""

import math
from dataclasses import dataclass

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from reports.registry import Chart

# The dashboard's brand indigo first, then its status colours and a few calm companions.
PALETTE = ["#4f46e5", "#16a34a", "#d97706", "#0ea5e9", "#dc2626", "#7c3aed", "#64748b", "#db2777"]

WIDTH, HEIGHT = 640, 300
NARROW_WIDTH, NARROW_HEIGHT = 360, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 14, 44


@dataclass(frozen=True)
class LegendItem:
    name: str
    colour: str


def legend(chart: Chart) -> list[LegendItem]:
    return [
        LegendItem(series.name, PALETTE[index % len(PALETTE)])
        for index, series in enumerate(chart.series)
    ]


def nice_scale(value: float) -> tuple[float, int]:
    """The axis top and its number of steps: steps of 1, 2 or 5 times a power of ten (whole
    numbers for counts), three to five of them, the top at or above the largest bar."""
    if value <= 0:
        return 4, 4
    rough = value / 4
    power = 10 ** math.floor(math.log10(rough))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= rough)
    step = max(step, 1)
    steps = max(1, math.ceil(value / step))
    return step * steps, steps


def _figure(value: float, unit: str) -> str:
    if unit == "money":
        if value >= 1_000_000:
            return f"{value / 1_000_000:.1f}M"
        if value >= 10_000:
            return f"{value / 1000:.0f}k"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def svg_chart(chart: Chart, *, title: str, narrow: bool = False) -> SafeString:
    """The chart at a laptop's proportions, or (narrow) at a phone's, where the same text
    stays readable."""
    chart_w, chart_h = (NARROW_WIDTH, NARROW_HEIGHT) if narrow else (WIDTH, HEIGHT)
    series_count = max(1, len(chart.series))
    categories = chart.categories or [""]
    if chart.kind == "stacked":
        tops = [sum(s.values[i] for s in chart.series) for i in range(len(chart.categories))]
    else:
        tops = [
            max((s.values[i] for s in chart.series), default=0)
            for i in range(len(chart.categories))
        ]
    top, steps = nice_scale(max(tops, default=0))
    plot_w, plot_h = chart_w - LEFT - RIGHT, chart_h - TOP - BOTTOM
    slot = plot_w / len(categories)
    parts: list[str] = []

    for tick in range(steps + 1):
        value = top * tick / steps
        y = TOP + plot_h - plot_h * tick / steps
        parts.append(
            format_html(
                '<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                '<text class="tick" x="{}" y="{}" text-anchor="end">{}</text>',
                LEFT,
                chart_w - RIGHT,
                f"{y:.1f}",
                f"{y:.1f}",
                LEFT - 6,
                f"{y + 4:.1f}",
                _figure(value, chart.unit),
            )
        )

    bar_room = slot * 0.72
    for index, category in enumerate(chart.categories):
        x0 = LEFT + slot * index + (slot - bar_room) / 2
        base = TOP + plot_h
        for position, series in enumerate(chart.series):
            value = series.values[index]
            if not value:
                continue
            height = plot_h * value / top
            if chart.kind == "stacked":
                x, width, y = x0, bar_room, base - height
                base = y
            else:
                width = bar_room / series_count
                x, y = x0 + width * position, TOP + plot_h - height
            parts.append(
                format_html(
                    '<rect class="bar" x="{}" y="{}" width="{}" height="{}" fill="{}" '
                    'data-value="{}"><title>{}, {}: {}</title></rect>',
                    f"{x:.1f}",
                    f"{y:.1f}",
                    f"{max(width - 1, 1):.1f}",
                    f"{height:.1f}",
                    PALETTE[position % len(PALETTE)],
                    value,
                    series.name,
                    category,
                    _figure(value, chart.unit),
                )
            )

    # Label as many categories as fit, evenly spaced.
    every = max(1, math.ceil(len(chart.categories) * 64 / plot_w))
    room = max(8, int(slot * every / 7.5))
    for index, category in enumerate(chart.categories):
        if index % every:
            continue
        text = category if len(category) <= room else category[: room - 1] + "…"
        parts.append(
            format_html(
                '<text class="label" x="{}" y="{}" text-anchor="middle">{}</text>',
                f"{LEFT + slot * (index + 0.5):.1f}",
                chart_h - BOTTOM + 18,
                text,
            )
        )
    parts.append(
        format_html(
            '<line class="axis" x1="{}" x2="{}" y1="{}" y2="{}"/>',
            LEFT,
            chart_w - RIGHT,
            TOP + plot_h,
            TOP + plot_h,
        )
    )
    if not any(any(s.values) for s in chart.series):
        parts.append(
            format_html(
                '<text class="empty" x="{}" y="{}" text-anchor="middle">{}</text>',
                chart_w / 2,
                TOP + plot_h / 2,
                "Nothing in this range yet",
            )
        )
    return mark_safe(
        f'<svg class="report-chart {"narrow" if narrow else "wide"}" '
        f'viewBox="0 0 {chart_w} {chart_h}" role="img" '
        f'aria-label="{escape(title)}: the figures are in the table below" '
        f'preserveAspectRatio="xMidYMid meet">' + "".join(parts) + "</svg>"
    )
