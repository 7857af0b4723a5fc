"""Dated lookups: which row of an effective-dated table applies to a segment on its first day.

A segment never straddles a change of any input it uses (``segments.py`` cuts it there), so the
value on ``date_from`` is the value for the whole segment.  Scoped tables (tariffs, norms, rules,
parameters) may hold a general row and more specific ones; :func:`most_specific` keeps, per
group, the row with the highest priority.
"""

from __future__ import annotations

from functools import cache
from typing import TypeVar

import polars as pl

FrameT = TypeVar("FrameT", pl.DataFrame, pl.LazyFrame)  # the functions work on both, as given


# The expression builders below are cached: expressions are immutable, and building one costs
# microseconds that a one-account preview pays hundreds of times.
@cache
def valid_on(when: str = "date_from") -> pl.Expr:
    """Filter for rows whose half-open ``[valid_from, valid_to)`` contains ``when``."""
    return (pl.col("valid_from") <= pl.col(when)) & (pl.col(when) < pl.col("valid_to"))


@cache
def in_building(column: str = "scope_building") -> pl.Expr:
    """Filter for rows that apply everywhere or in the segment's own building."""
    return pl.col(column).is_null() | (pl.col(column) == pl.col("building_id"))


def most_specific(frame: FrameT, group: list[str], priority: pl.Expr) -> FrameT:
    """One row per ``group``: the one with the highest ``priority`` (ties: the last after sorting).

    A lazy frame always gets the sort (its inputs here are a few distinct keys, so it is cheap);
    an eager one is returned as it is when nothing is to be chosen, as is usual for big frames.
    """
    if isinstance(frame, pl.DataFrame):
        distinct = frame[group[0]].n_unique() if len(group) == 1 else frame.n_unique(subset=group)
        if distinct == frame.height:
            return frame  # the usual case: nothing to choose between, so no sort
    return (
        frame.with_columns(_priority=priority)
        .sort([*group, "_priority"])
        .unique(subset=group, keep="last", maintain_order=True)
        .drop("_priority")
    )


@cache
def building_priority(column: str = "scope_building") -> pl.Expr:
    """A building-specific row beats a general one."""
    return pl.col(column).is_not_null().cast(pl.Int8)


def dated(left: FrameT, right: FrameT, on: list[str], when: str = "date_from") -> FrameT:
    """Inner join of ``left`` with the rows of ``right`` valid on ``left[when]``."""
    return left.join(right, on=on, how="inner").filter(valid_on(when)).drop("valid_from", "valid_to")


def dated_value(segs: FrameT, table: FrameT, on: list[str], value: str, alias: str) -> FrameT:
    """``segs`` with a column ``alias``: the sum of ``table[value]`` valid on ``date_from`` (null if none).

    Summing makes residents additive if a data entry splits them over two rows; for areas and
    other one-row-per-day tables it is the single value.
    """
    return segs.join(dated_sum(segs, table, on, value, alias), on="seg_id", how="left")


def dated_sum(segs: FrameT, table: FrameT, on: list[str], value: str, alias: str) -> FrameT:
    """(seg_id, ``alias``): the sum of ``table[value]`` valid on ``date_from``, for segments with a row."""
    return (
        dated(segs.select("seg_id", *on, "date_from"), table.select(*on, "valid_from", "valid_to", value), on)
        .group_by("seg_id")
        .agg(pl.col(value).sum().alias(alias))
    )
