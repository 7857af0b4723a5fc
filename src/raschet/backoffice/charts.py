"""Charts drawn on the server as inline SVG (no JavaScript, nothing from a CDN): horizontal bars, one
or two series, labelled in Russian with the amounts written beside the bars."""

from __future__ import annotations

from decimal import Decimal
from html import escape

from django.utils.safestring import SafeString, mark_safe

WIDTH, LABEL, BAR, GAP = 760, 230, 16, 10
COLOURS = ("#2f6db5", "#d9822b")


def money(value: Decimal) -> str:
    """12 345,67 — grouped by thin spaces, a decimal comma, as a Russian reader writes it."""
    sign = "−" if value < 0 else ""
    whole, _, cents = f"{abs(value):.2f}".partition(".")
    groups = f"{int(whole):,}".replace(",", "\u2009")
    return f"{sign}{groups},{cents}"


def bars(rows: list[tuple[str, list[Decimal]]], series: list[str], title: str) -> SafeString:
    """``rows``: (label, one value per series); negative values are drawn as zero-length bars."""
    if not rows:
        return mark_safe("")
    peak = max((max(values) for _, values in rows), default=Decimal(0)) or Decimal(1)
    span = WIDTH - LABEL - 110
    group = BAR * len(series) + GAP
    height = 40 + group * len(rows) + 24
    parts = [f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {WIDTH} {height}" '
             f'width="100%" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    for n, name in enumerate(series):  # the legend
        parts.append(f'<rect x="{LABEL + n * 180}" y="6" width="12" height="12" fill="{COLOURS[n % 2]}"/>'
                     f'<text x="{LABEL + n * 180 + 18}" y="17">{escape(name)}</text>')
    for i, (label, values) in enumerate(rows):
        top = 32 + i * group
        parts.append(f'<text x="{LABEL - 8}" y="{top + BAR * len(series) / 2 + 4}" text-anchor="end">'
                     f'{escape(label[:34])}</text>')
        for n, value in enumerate(values):
            length = max(0, int(span * value / peak))
            y = top + n * BAR
            parts.append(f'<rect x="{LABEL}" y="{y}" width="{length}" height="{BAR - 3}" fill="{COLOURS[n % 2]}"/>'
                         f'<text x="{LABEL + length + 6}" y="{y + BAR - 5}">{money(value)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text in it is escaped above
