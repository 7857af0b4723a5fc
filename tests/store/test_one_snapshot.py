"""A unit's inputs are read as of one moment (``store.frames.one_snapshot``): every reader runs in one
transaction, on PostgreSQL REPEATABLE READ and READ ONLY, so a reading written while the unit reads
is seen by all of its readers or by none."""

from __future__ import annotations

import pytest
from django.db import connection

from raschet.billing import snapshot
from raschet.domain.periods import Period
from raschet.generators.region import RegionSpec, load_region
from raschet.store.frames import one_snapshot


def _state() -> tuple[bool, str, str]:
    if connection.vendor != "postgresql":
        return connection.in_atomic_block, "", ""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('transaction_isolation'), current_setting('transaction_read_only')")
        isolation, read_only = cursor.fetchone()
    return connection.in_atomic_block, isolation, read_only


@pytest.mark.django_db(transaction=True)
def test_every_reader_runs_in_one_read_only_snapshot(monkeypatch):
    load_region(RegionSpec(accounts=20, seed=5, last_period=Period(2026, 11), months=2), show_progress=False)
    seen = []
    for name, reader in list(snapshot.READERS.items()):
        def spied(scope, frames, reader=reader):
            seen.append(_state())
            return reader(scope, frames)
        monkeypatch.setitem(snapshot.READERS, name, spied)
    assert not connection.in_atomic_block
    snapshot.load_snapshot(None, Period(2026, 11))
    assert len(seen) == len(snapshot.READERS)
    expected = (True, "repeatable read", "on") if connection.vendor == "postgresql" else (True, "", "")
    assert set(seen) == {expected}
    assert not connection.in_atomic_block  # the read's transaction is over


@pytest.mark.django_db(transaction=True)
def test_writes_after_the_read_are_not_refused():
    """The read-only transaction ends with the read: the same connection writes again afterwards."""
    with one_snapshot():
        assert connection.in_atomic_block
    from raschet.housing.models import Building

    Building.objects.create(code="after", address="ул. Мира, 2", total_area=100)
    assert Building.objects.filter(code="after").exists()


@pytest.mark.django_db
def test_inside_the_callers_transaction_its_isolation_holds():
    """In a transaction that has already run a statement the isolation cannot change: the read joins it."""
    from raschet.housing.models import Building

    Building.objects.create(code="before", address="ул. Мира, 1", total_area=100)
    with one_snapshot():
        assert Building.objects.filter(code="before").exists()
    Building.objects.create(code="still", address="ул. Мира, 3", total_area=100)
