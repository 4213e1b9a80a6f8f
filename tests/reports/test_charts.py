"""The SVG charts: one bar per figure, scaled to a readable axis, names escaped, and the same
picture at a phone's proportions."""

import re

from reports.charts import nice_scale, svg_chart
from reports.registry import Chart, Series


def test_the_axis_steps_are_round_numbers_above_the_tallest_bar():
    assert nice_scale(0) == (4, 4)
    assert nice_scale(3) == (3, 3)
    assert nice_scale(8) == (8, 4)
    assert nice_scale(24) == (30, 3)
    assert nice_scale(25_500) == (30_000, 3)


def test_every_figure_is_a_bar_with_its_value_and_escaped_name():
    chart = Chart(
        kind="grouped",
        categories=["<b>Stage</b>", "Won"],
        series=[Series("Deals", [3, 0]), Series("Value", [1, 2])],
    )
    for narrow, box in ((False, "0 0 640 300"), (True, "0 0 360 260")):
        svg = str(svg_chart(chart, title="Pipeline & co", narrow=narrow))
        assert f'viewBox="{box}"' in svg
        assert len(re.findall(r'<rect class="bar"', svg)) == 3  # the zero draws nothing
        assert "<b>" not in svg and "&lt;b&gt;Stage&lt;/b&gt;" in svg
        assert 'aria-label="Pipeline &amp; co' in svg
        assert "<title>Deals, &lt;b&gt;Stage&lt;/b&gt;: 3</title>" in svg


def test_stacked_bars_sit_on_each_other():
    chart = Chart(kind="stacked", categories=["Mon"], series=[Series("A", [2]), Series("B", [2])])
    svg = str(svg_chart(chart, title="Replies"))
    ys = [float(y) for y in re.findall(r'<rect class="bar" x="[\d.]+" y="([\d.]+)"', svg)]
    heights = [float(h) for h in re.findall(r'height="([\d.]+)" fill', svg)]
    assert ys[0] - heights[1] == ys[1]
    assert ys[0] + heights[0] == 300 - 44  # on the axis


def test_an_empty_range_says_so():
    chart = Chart(kind="stacked", categories=["Mon", "Tue"], series=[Series("A", [0, 0])])
    assert "Nothing in this range yet" in str(svg_chart(chart, title="Replies"))
