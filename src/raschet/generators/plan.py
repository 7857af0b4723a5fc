"""The plan of a generated region: its spec, its buildings and their chunks, and the seeded dice.

A plan is a few bytes per building, so any number of accounts fits; the rows themselves are made
chunk by chunk (``raschet.generators.households`` and ``raschet.generators.meters``) and written by
``raschet.generators.region``.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import polars as pl

from raschet.domain.periods import Period

MIN_PREMISES, MAX_PREMISES = 20, 300
SHARED = 0.03  # premises held by two accounts (half each)
CHUNK_ACCOUNTS = 20_000


class RegionRefused(ValueError):
    """The database cannot take a generated region; the message says why and what to do."""


@dataclass
class RegionSpec:
    accounts: int = 2000
    seed: int = 2026
    last_period: Period = Period(2026, 11)
    months: int = 12


class Dice:
    """Seeded vectorised randomness: a hash of (seed, chunk, purpose, key); the key is the row number
    unless given, so the same chunk always gets the same numbers."""

    def __init__(self, seed: int, chunk: int) -> None:
        self.base = (seed % 1_000_003) * 1_000_003 + chunk

    def raw(self, purpose: str, key: pl.Expr | None = None) -> pl.Expr:
        key = pl.int_range(pl.len(), dtype=pl.UInt64) if key is None else key.cast(pl.UInt64)
        return key.hash(seed=((self.base << 32) | zlib.crc32(purpose.encode())) % 2**64)

    def ints(self, purpose: str, low: int, high: int, key: pl.Expr | None = None) -> pl.Expr:
        """An integer in [low, high] per row."""
        return (self.raw(purpose, key) % (high - low + 1)).cast(pl.Int64) + low

    def chance(self, purpose: str, p: float, key: pl.Expr | None = None) -> pl.Expr:
        return self.raw(purpose, key) % 1_000_000 < int(p * 1_000_000)


def plan_buildings(spec: RegionSpec) -> list[tuple[int, int]]:
    """(premises, shared premises) per building, exactly ``spec.accounts`` accounts in all; only the
    last building may be smaller than ``MIN_PREMISES``. A few bytes per building: any N fits."""
    rng = random.Random(spec.seed)
    plans, made = [], 0
    while made < spec.accounts:
        premises = rng.randint(MIN_PREMISES, MAX_PREMISES)
        shared = sum(rng.random() < SHARED for _ in range(premises))
        left = spec.accounts - made
        if premises + shared > left:
            shared = min(shared, left // 2)
            premises = left - shared
        plans.append((premises, shared))
        made += premises + shared
    return plans


def chunk_plans(plans: list[tuple[int, int]]) -> Iterator[tuple[int, int, list[tuple[int, int]]]]:
    """(chunk number, number of its first building, its buildings): whole buildings, about
    ``CHUNK_ACCOUNTS`` accounts each."""
    chunk, first, part, accounts = 0, 1, [], 0
    for number, plan in enumerate(plans, 1):
        part.append(plan)
        accounts += plan[0] + plan[1]
        if accounts >= CHUNK_ACCOUNTS:
            yield chunk, first, part
            chunk, first, part, accounts = chunk + 1, number + 1, [], 0
    if part:
        yield chunk, first, part

