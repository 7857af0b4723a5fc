"""``store.sql.in_ids``: the filter by a list of ids finds exactly those rows on both databases; on
PostgreSQL the ids are written into the statement as one array, ``integer[]`` while they fit (the type
the planner's choice of the readings' index depends on), ``bigint[]`` beyond."""

import pytest
from django.db import connection

from raschet.store.sql import INT4, in_ids

pytestmark = pytest.mark.django_db


def found(ids) -> list[int]:
    where, params = in_ids("x.id", ids)
    with connection.cursor() as cursor:
        cursor.execute("SELECT x.id FROM (SELECT 1 AS id UNION ALL SELECT 2 UNION ALL SELECT %s) x "
                       f"WHERE 1 = 1{where} ORDER BY x.id", [INT4 + 5, *params])
        return [row[0] for row in cursor.fetchall()]


def test_the_rows_of_the_ids_and_no_others():
    assert found([2]) == [2]
    assert found([1, 2, 7]) == [1, 2]
    assert found([INT4 + 5, 1]) == [1, INT4 + 5]
    assert found([]) == []
    assert found(None) == [1, 2, INT4 + 5]


def test_the_array_is_integer_while_the_ids_fit():
    if connection.vendor != "postgresql":
        pytest.skip("the array is PostgreSQL's")
    assert in_ids("m.id", [1, 2, INT4 - 1]) == (f" AND m.id = ANY('{{1,2,{INT4 - 1}}}'::integer[])", [])
    assert in_ids("m.id", [1, INT4]) == (f" AND m.id = ANY('{{1,{INT4}}}'::bigint[])", [])
    with pytest.raises(ValueError):
        in_ids("m.id", ["1); DROP TABLE x; --"])  # only integers are written into a statement
