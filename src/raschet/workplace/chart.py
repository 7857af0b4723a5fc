"""A small consumption chart drawn on the server as inline SVG: monthly use from consecutive readings,
one bar a month, no JavaScript and nothing fetched."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from html import escape

from raschet.workplace.words import MONTHS, number

WIDTH, HEIGHT, TOP, BOTTOM = 360, 110, 14, 18


def monthly_use(readings) -> list[tuple[str, Decimal]]:
    """(YYYY-MM, use) from readings in date order, per zone summed; a drop (replacement) counts as 0."""
    by_zone = defaultdict(list)
    for reading in readings:
        by_zone[reading.zone].append(reading)
    used: dict[str, Decimal] = defaultdict(Decimal)
    for series in by_zone.values():
        for earlier, later in zip(series, series[1:], strict=False):
            used[f"{later.date:%Y-%m}"] += max(later.value - earlier.value, Decimal(0))
    return sorted(used.items())[-12:]


def consumption_chart(readings, unit: str) -> str:
    months = monthly_use(readings)
    if not months:
        return ""
    peak = max(value for _, value in months) or Decimal(1)
    step = WIDTH / len(months)
    bars = []
    for index, (key, value) in enumerate(months):
        height = float(value / peak) * (HEIGHT - TOP - BOTTOM)
        x, y = index * step + 3, HEIGHT - BOTTOM - height
        label = MONTHS[int(key[5:]) - 1][:3]
        text = f"{label} {key[:4]}: {number(value, 3)} {unit}"
        bars.append(f'<g><title>{escape(text)}</title><rect x="{x:.1f}" y="{y:.1f}" width="{step - 6:.1f}" '
                    f'height="{height:.1f}" fill="#5b8fd0"></rect>'
                    f'<text x="{x + (step - 6) / 2:.1f}" y="{HEIGHT - 5}" text-anchor="middle">{label}</text></g>')
    return (f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" '
            f'aria-label="Расход по месяцам, {escape(unit)}"><text x="0" y="10">макс. {number(peak, 3)} {escape(unit)}'
            f'</text>{"".join(bars)}</svg>')
