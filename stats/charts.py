"""Line charts drawn on the server as SVG geometry: the template writes the points, the stylesheet the colours and
dash patterns (no inline style, no script). Every chart also carries its data for a table beside it."""

import math
from dataclasses import dataclass, field
from datetime import date

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 24, 12, 28


@dataclass
class Series:
    label: str
    values: list[int]
    css: str = "series-1"
    # A daily total (messages) adds up over the period; a count of distinct people a day does not.
    additive: bool = True
    points: str = ""


@dataclass
class Chart:
    key: str
    title: str
    days: list[date]
    series: list[Series]
    description: str = ""
    y_ticks: list[tuple[float, int]] = field(default_factory=list)
    x_ticks: list[tuple[float, str]] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    bottom_edge: int = HEIGHT - BOTTOM

    @property
    def rows(self):
        """(day, [value of each series]) for the data table."""
        return [(day, [s.values[i] for s in self.series]) for i, day in enumerate(self.days)]


def nice_top(value: int) -> int:
    """The smallest 1, 2 or 5 × 10ⁿ at or above the value (at least 1): a round top for the axis."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def _y(value: int, top: int) -> float:
    return round(HEIGHT - BOTTOM - (HEIGHT - BOTTOM - TOP) * value / top, 1)


def _x(index: int, count: int) -> float:
    span = WIDTH - RIGHT - LEFT
    return round(LEFT + (span * index / (count - 1) if count > 1 else span / 2), 1)


def line_chart(key: str, title: str, days: list[date], series: list[Series]) -> Chart:
    """Lay out the series over the days: points of each line, ticks of both axes, a text summary."""
    top = nice_top(max((v for s in series for v in s.values), default=0))
    count = len(days)
    for index, s in enumerate(series, start=1):
        s.css = f"series-{index}"
        s.points = " ".join(f"{_x(i, count)},{_y(v, top)}" for i, v in enumerate(s.values))
    y_ticks = [(_y(v, top), v) for v in sorted({0, top // 2, top})]
    marks = sorted({0, count // 2, count - 1}) if count else []
    x_ticks = [(_x(i, count), days[i].strftime("%d.%m")) for i in marks]
    chart = Chart(key=key, title=title, days=days, series=series, y_ticks=y_ticks, x_ticks=x_ticks)
    chart.description = describe(chart)
    return chart


def describe(chart: Chart) -> str:
    """What a reader of the chart would take from it, in words: period, and per line its total, peak and last day."""
    if not chart.days:
        return "Нет данных за период."
    period = f"С {chart.days[0]:%d.%m.%Y} по {chart.days[-1]:%d.%m.%Y}."
    parts = []
    for s in chart.series:
        total = f"всего {sum(s.values)}, " if s.additive else ""
        parts.append(f"{s.label}: {total}наибольшее за день {max(s.values)}, в последний день {s.values[-1]}.")
    return " ".join([period, *parts])
