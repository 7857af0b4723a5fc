"""Exact sums in SQL on both databases.

SQLite keeps numerics as floating point, so summing money there directly drifts by fractions of a
kopeck. Every sum of money (or volume) in SQL goes over integer units instead — ``ROUND(x * 100)``
for kopecks — which is exact on SQLite and PostgreSQL alike; Python turns the units back into
``Decimal`` with ``Decimal(units).scaleb(-2)``.
"""

from __future__ import annotations


def units(column: str, scale: int = 2) -> str:
    """SQL for ``column`` in integer units of 10^-scale (kopecks by default)."""
    return f"CAST(ROUND({column} * {10 ** scale}) AS BIGINT)"
