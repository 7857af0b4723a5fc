"""Registrations swept into dated resident counts in Polars (``billing.snapshot.registration_counts``)
give the intervals of the plain day-by-day sweep it replaced, and overrides win for their account."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from raschet.billing.snapshot import registration_counts, residents_frame

START = date(2026, 1, 1)


def sweep(registrations: list[tuple[int, date, date | None]]) -> set[tuple]:
    """The reference: per account, the count between consecutive change days, nonzero ones kept."""
    events: dict[int, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for account, start, end in registrations:
        events[account][start] += 1
        if end is not None:
            events[account][end] -= 1
    rows = set()
    for account, changes in events.items():
        count, previous = 0, None
        for day in sorted(changes):
            if previous is not None and count:
                rows.add((account, previous, day, count))
            count += changes[day]
            previous = day
        if count:
            rows.add((account, previous, None, count))
    return rows


registration = st.tuples(st.integers(1, 4), st.integers(0, 60), st.one_of(st.none(), st.integers(1, 40))).map(
    lambda r: (r[0], START + timedelta(days=r[1]), None if r[2] is None else START + timedelta(days=r[1] + r[2])))


@settings(max_examples=200, deadline=None)
@given(st.lists(registration, max_size=12))
def test_the_sweep_gives_the_reference_intervals(registrations):
    frame = pl.DataFrame(registrations, schema={"account_id": pl.Int64, "valid_from": pl.Date, "valid_to": pl.Date},
                         orient="row")
    assert set(registration_counts(frame).collect().iter_rows()) == sweep(registrations)


def test_worked_sweep():
    """Two people from the 1st, one leaves on the 10th, another arrives on the 10th: the count stays 2
    but the day is a change day, so the intervals are cut there as before."""
    registrations = [(7, date(2026, 3, 1), None), (7, date(2026, 3, 1), date(2026, 3, 10)),
                     (7, date(2026, 3, 10), date(2026, 3, 20))]
    frame = pl.DataFrame(registrations, schema={"account_id": pl.Int64, "valid_from": pl.Date, "valid_to": pl.Date},
                         orient="row")
    rows = sorted(registration_counts(frame).collect().iter_rows())
    assert rows == [(7, date(2026, 3, 1), date(2026, 3, 10), 2), (7, date(2026, 3, 10), date(2026, 3, 20), 2),
                    (7, date(2026, 3, 20), None, 1)]


@pytest.mark.django_db
def test_an_override_wins_over_registrations():
    from raschet.housing.models import Account, Building, Person, Premises, Registration, ResidentCount

    building = Building.objects.create(code="B1", address="ул. Ленина, 1", total_area=100)
    premises = [Premises.objects.create(building=building, number=str(n)) for n in (1, 2)]
    counted, registered = (Account.objects.create(number=f"10{n}", premises=p, payer="Иванов И. И.", opened=START)
                           for n, p in enumerate(premises))
    for account in (counted, registered):
        for name in ("Иванов", "Петров"):
            person = Person.objects.create(last_name=name, first_name="Иван")
            Registration.objects.create(person=person, account=account, valid_from=date(2026, 2, 1))
    ResidentCount.objects.create(account=counted, valid_from=date(2026, 2, 1), count=5)
    rows = sorted(residents_frame([counted.pk, registered.pk]).iter_rows())
    assert rows == [(counted.pk, date(2026, 2, 1), None, 5), (registered.pk, date(2026, 2, 1), None, 2)]
