"""Geometry of the report's inline SVG charts; the template draws them (escaped).

The count of payable bundles is drawn as steps: it is known only at each trusted
crawl and holds until the next one, so a line between two crawls would suggest a
gradual change nobody observed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from babel.dates import format_datetime

from monitor.i18n import DEFAULT, LOCALES, format_day, jakarta
from monitor.platforms import HALT

WIDTH, HEIGHT = 900, 220
LEFT, RIGHT, TOP, BOTTOM = 52, 20, 16, 44
TRUSTED = "complete"


@dataclass
class Point:
    x: float
    y: float
    crawl_id: int
    observed_at: str
    status: str
    value: int
    bundles: int
    listings: int

    @property
    def trusted(self) -> bool:
        return self.status == TRUSTED


@dataclass
class Chart:
    """A line of bundles payable with Kartu Prakerja per crawl, over time."""

    platform: str
    width: int = WIDTH
    height: int = HEIGHT
    points: list[Point] = field(default_factory=list)
    line: str = ""  # SVG path: steps through the trusted crawls
    y_ticks: list[tuple[float, int]] = field(default_factory=list)
    x_ticks: list[tuple[float, str]] = field(default_factory=list)
    halt_x: float | None = None
    plot: tuple[int, int, int, int] = (LEFT, TOP, WIDTH - RIGHT, HEIGHT - BOTTOM)

    @property
    def untrusted(self) -> list[Point]:
        return [p for p in self.points if not p.trusted]


def _seconds(value: str) -> float:
    return datetime.fromisoformat(value).timestamp()


def _nice_max(value: int) -> int:
    """A round top for the y axis, at least 1."""
    if value <= 4:
        return max(value, 1)
    step = 10 ** (len(str(value)) - 1)
    for mult in (1, 2, 2.5, 5, 10):
        top = int(mult * step)
        if top >= value:
            return top
    return value


def step_path(points: list[Point]) -> str:
    """An SVG path that holds each value until the next point, then jumps."""
    if not points:
        return ""
    first, *rest = points
    path = [f"M{first.x},{first.y}"]
    for point in rest:
        path.append(f"H{point.x}V{point.y}")
    return " ".join(path)


def compliance_chart(
    platform: str, series: list[dict], lang: str = DEFAULT, halt: str = HALT
) -> Chart:
    """Place each crawl (oldest first) at its observed time and its count of
    bundles payable with Kartu Prakerja; untrusted crawls are points off the line.
    A vertical line marks ``halt`` (the configured halt) when it falls in range."""
    chart = Chart(platform)
    x0, y0, x1, y1 = chart.plot
    if not series:
        return chart
    times = [_seconds(row["observed_at"]) for row in series]
    start, end = min(times), max(times)
    span = end - start
    pad = span * 0.04 if span else 1.0
    start, end = start - pad, end + pad

    def x_of(t: float) -> float:
        return round(x0 + (t - start) / (end - start) * (x1 - x0), 1)

    top = _nice_max(max(int(row["payable_bundles"]) for row in series))
    for row, t in zip(series, times, strict=True):
        value = int(row["payable_bundles"])
        chart.points.append(
            Point(
                x=x_of(t),
                y=round(y1 - value / top * (y1 - y0), 1),
                crawl_id=row["crawl_id"],
                observed_at=row["observed_at"],
                status=row["status"],
                value=value,
                bundles=int(row["bundles"]),
                listings=int(row["listings"]),
            )
        )
    chart.line = step_path([p for p in chart.points if p.trusted])
    steps = min(top, 4)
    chart.y_ticks = [
        (round(y1 - (top * i / steps) / top * (y1 - y0), 1), round(top * i / steps))
        for i in range(steps + 1)
    ]
    stamps = [jakarta(row["observed_at"]) for row in series]
    placed = [(x_of(t), s) for t, s in zip(times, stamps, strict=True)]
    chart.x_ticks = _x_ticks(placed, lang)
    halt_at = _seconds(halt)
    if start <= halt_at <= end:
        chart.halt_x = x_of(halt_at)
    return chart


def _x_ticks(
    placed: list[tuple[float, datetime]], lang: str, most: int = 6
) -> list[tuple[float, str]]:
    """Up to ``most`` labels at crawls spread over the axis, in WIB: dates, or
    dates and times when two fall on one day."""
    if len(placed) > most:
        last = len(placed) - 1
        placed = [placed[round(i * last / (most - 1))] for i in range(most)]
    days = [format_day(moment, lang) for _, moment in placed]
    if len(set(days)) == len(days):
        return [(x, day) for (x, _), day in zip(placed, days, strict=True)]
    pattern = "d MMM HH.mm" if lang == "id" else "d MMM HH:mm"
    return [
        (x, format_datetime(moment, pattern, locale=LOCALES[lang]))
        for x, moment in placed
    ]
