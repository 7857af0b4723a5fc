"""The two big tables carry only the indexes their readers use: every line and every entry written
pays for each index (docs/performance.md, "Fewer indexes"). A new index here is a decision to make
with its measured cost, not a side effect of ``ForeignKey``'s default."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

EXPECTED = {
    "billing_chargeline": {("id",), ("account_id", "ref_period"), ("run_id",)},
    "billing_entry": {("id",), ("account_id", "ref_period"), ("period",), ("payment_id",)},
}


def indexed_columns(table: str) -> set[tuple[str, ...]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    found = set()
    for item in constraints.values():
        if not (item["index"] or item["primary_key"]):
            continue
        columns = tuple(item["columns"])
        if item["primary_key"] and columns[1:] in (("period",), ("period", "run_id")):
            columns = columns[:1]  # PostgreSQL's partitioned tables: the key takes the partition columns
        found.add(columns)
    return found


@pytest.mark.parametrize("table", sorted(EXPECTED))
def test_big_tables_have_only_the_indexes_their_readers_use(table):
    assert indexed_columns(table) == EXPECTED[table]


def test_no_pattern_index_on_the_posting_period():
    with connection.cursor() as cursor:
        names = set(connection.introspection.get_constraints(cursor, "billing_entry"))
    assert not [name for name in names if name.endswith("_like")]
