"""Bounded lists: ``limit`` (1…:data:`MAX_LIMIT`, :data:`DEFAULT_LIMIT` unless given) and ``offset``;
the answer says the ``next_offset`` to ask for, or null on the last page. No total count: counting
1.5 million accounts on every page would cost more than the page itself."""

from __future__ import annotations

from typing import Generic, TypeVar

from ninja import Field, Schema

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_OFFSET = 100_000
T = TypeVar("T")


class PageQuery(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"строк на странице, не больше {MAX_LIMIT}")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="сколько строк пропустить")


class Page(Schema, Generic[T]):
    items: list[T]
    limit: int
    offset: int
    next_offset: int | None


def page_of(rows, query: PageQuery, convert) -> dict:
    """One page of ``rows`` (a queryset or list, already ordered) with each row passed through ``convert``."""
    taken = list(rows[query.offset:query.offset + query.limit + 1])
    more = len(taken) > query.limit
    return {"items": [convert(row) for row in taken[:query.limit]], "limit": query.limit, "offset": query.offset,
            "next_offset": query.offset + query.limit if more else None}
