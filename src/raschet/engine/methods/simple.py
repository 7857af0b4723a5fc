"""The per-month methods that need no meter: ``norm`` and ``area``.

``norm``: norm × residents (basis person) or × area × share (basis area), no increasing factor
(domain.md §1.2 formula 4 without K; waste §5.3 with a monthly norm).  ``area``: premises area ×
share, the tariff being per m² (maintenance §5.1, capital repair §5.2).  Both are monthly
quantities prorated by calendar days (domain.md §14).
"""

from __future__ import annotations

import polars as pl

from raschet.engine.context import Context
from raschet.engine.fixed import EXACT, big, lit
from raschet.engine.methods.base import lines, no_area, no_norm, norm_volume, prorate
from raschet.engine.plans import collect


def norm(segs: pl.DataFrame, ctx: Context, individual: pl.DataFrame | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    found = no_norm(segs, pl.lit(True))
    ok = segs.lazy().filter(
        pl.col("norm").is_not_null() & ((pl.col("norm_basis") != "area") | pl.col("area").is_not_null())
    )
    out = lines(ok, volume_source=pl.lit("norm"), volume=norm_volume(), norm_used=pl.col("norm"))
    return collect(out), found


def area(segs: pl.DataFrame, ctx: Context, individual: pl.DataFrame | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    found = no_area(segs)
    ok = segs.lazy().filter(pl.col("area").is_not_null())
    # area 10⁻⁴ × share 10⁻⁶ = 10⁻¹⁰; scaled up to the common 10⁻¹⁶ before prorating.
    exact = big("area") * pl.col("share") * lit(10 ** (EXACT - 10))
    out = collect(lines(ok, volume_source=pl.lit("area"), volume=prorate(exact, pl.col("days"), pl.col("period_days"))))
    return out, found
