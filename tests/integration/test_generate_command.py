"""``raschet generate``: a realistic region written straight into the database, on SQLite and PostgreSQL.

The properties promised by the command: exactly N accounts, buildings of 20–300 premises, ten
services per account, a year of monthly readings with a few missing, mid-month changes of about
1 % of accounts, several suppliers; the same seed gives the same region; a second region is
appended with fresh numbers; and the last month then calculates without problems.
"""

from __future__ import annotations

import io
from collections import Counter
from datetime import date

import polars as pl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Q

from raschet.generators.households import Chunk, name_pools
from raschet.generators.plan import RegionSpec, chunk_plans, plan_buildings
from raschet.generators.reference import ORGANIZATIONS, SERVICES, Reference
from raschet.generators.region import GENERATED
from raschet.housing.models import Account, Building, Premises, PremisesArea, Registration
from raschet.metering.models import Meter, Reading
from raschet.tariffs.models import AccountService, Organization, Service

ACCOUNTS = 1000
WINDOW_START = date(2025, 12, 1)  # the first month of the default twelve, up to 2026-11


def generate(**options) -> str:
    out = io.StringIO()
    call_command("generate", accounts=options.pop("accounts", ACCOUNTS), seed=options.pop("seed", 7),
                 no_progress=True, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def region(db):
    return generate()


def test_exactly_the_accounts_asked_for_in_buildings_of_20_to_300_premises(region):
    assert Account.objects.count() == ACCOUNTS
    sizes = list(Building.objects.annotate(n=Count("premises")).order_by("id").values_list("n", flat=True))
    assert all(20 <= size <= 300 for size in sizes[:-1]) and 1 <= sizes[-1] <= 300
    assert Premises.objects.filter(accounts__isnull=True).count() == 0
    shared = Premises.objects.annotate(n=Count("accounts")).filter(n=2).count()
    assert 0 < shared < 0.08 * ACCOUNTS
    assert len(set(Account.objects.values_list("number", flat=True))) == ACCOUNTS


def test_ten_services_per_account_from_several_suppliers(region):
    per_account = Counter(AccountService.objects.filter(valid_to__isnull=True).values_list("account_id", flat=True))
    assert set(per_account.values()) == {len(SERVICES)} and len(per_account) == ACCOUNTS
    suppliers = AccountService.objects.values("supplier_id").distinct().count()
    assert suppliers >= 5
    assert Organization.objects.count() == len(ORGANIZATIONS)


def test_a_year_of_readings_with_a_few_missing(region):
    meters = Meter.objects.filter(scope="premises")
    assert meters.count() >= 2.5 * ACCOUNTS  # cold, hot and electricity where a meter is possible
    months = Reading.objects.filter(meter__scope="premises").values("meter_id", "date").distinct().count()
    expected = meters.count() * 13  # the month before the window and its twelve
    assert 0.005 < 1 - months / expected < 0.06
    assert Reading.objects.filter(meter__scope="premises").values("meter_id").distinct().count() == meters.count()
    building = Meter.objects.filter(scope="building").annotate(n=Count("readings"))
    assert building.count() >= Building.objects.count() and {m.n for m in building} == {13}
    assert Meter.objects.filter(zones=["day", "night"]).exists()


def test_about_one_per_cent_change_mid_month(region):
    arrivals = Registration.objects.filter(valid_from__gt=WINDOW_START).count()
    leavings = Registration.objects.filter(valid_to__isnull=False).count()
    areas = PremisesArea.objects.filter(valid_to__isnull=False).count()
    suppliers = AccountService.objects.filter(valid_to__isnull=False).count()
    changes = arrivals + leavings + areas + suppliers
    assert 0.002 * ACCOUNTS <= changes <= 0.03 * ACCOUNTS
    assert sum(1 for kind in (arrivals, leavings, areas, suppliers) if kind) >= 3
    mid_month = Q(valid_from__day__gt=1) & Q(valid_from__gt=WINDOW_START)
    assert Registration.objects.filter(mid_month).exists()


def test_the_last_month_calculates_without_problems(region):
    out = io.StringIO()
    call_command("calc", period="2026-11", stdout=out)
    text = out.getvalue()
    assert f"лицевых счетов {ACCOUNTS}," in text and "ошибок 0" in text


def test_same_seed_same_region_and_a_second_region_is_appended(region):
    first = list(Account.objects.order_by("id").values_list("payer", "phone", "share"))
    readings = list(Reading.objects.order_by("id").values_list("date", "zone", "value")[:5000])
    generate()  # the same seed again, appended
    assert Account.objects.count() == 2 * ACCOUNTS
    assert len(set(Account.objects.values_list("number", flat=True))) == 2 * ACCOUNTS
    assert len(set(Meter.objects.values_list("code", flat=True))) == Meter.objects.count()
    second = list(Account.objects.order_by("id").values_list("payer", "phone", "share")[ACCOUNTS:])
    assert second == first
    again = Reading.objects.order_by("id").values_list("date", "zone", "value")
    offset = Reading.objects.count() // 2
    assert list(again[offset:offset + 5000]) == readings
    assert Service.objects.count() == len(SERVICES)  # reference data reused, not doubled


def test_same_seed_same_frames_other_seed_other_frames():
    def frames(seed: int) -> dict:
        spec = RegionSpec(accounts=3000, seed=seed)
        reference = Reference({code: n for n, (code, _name, _roles) in enumerate(ORGANIZATIONS, 1)},
                              {row[0]: n for n, row in enumerate(SERVICES, 1)})
        from faker import Faker

        fake = Faker("ru_RU")
        fake.seed_instance(seed)
        number, first, plans = next(chunk_plans(plan_buildings(spec)))
        return Chunk(spec, reference, name_pools(fake), number, first, plans, {m: 1 for m in GENERATED}).frames()

    one, two, other = frames(3), frames(3), frames(4)
    assert all(one[model].equals(two[model]) for model in one)
    assert not one[Account].select("payer").equals(other[Account].select("payer"))
    assert one[Account].height == 3000 and one[Account]["id"].is_unique().all()
    assert one[Reading].filter(pl.col("value") < 0).is_empty()


def test_partial_reference_data_is_refused(db):
    Service.objects.create(code="cold_water", name="ХВС", kind="cold_water", unit="m3")
    with pytest.raises(CommandError, match="часть справочников генератора"):
        generate(accounts=50)
    assert Account.objects.count() == 0


def test_database_option_must_match_when_not_run_through_raschet(db):
    with pytest.raises(CommandError, match="raschet generate"):
        generate(accounts=10, database="sqlite:////nonexistent/elsewhere.sqlite3")


def test_the_demo_year_calculates_on_a_generated_region(db):
    """``raschet demo`` loads a region with ``load_region`` and calculates, closes and pays its months."""
    from raschet.domain.periods import Period
    from raschet.generators.history import calculate_year
    from raschet.generators.region import load_region

    spec = RegionSpec(accounts=150, seed=5, last_period=Period(2026, 3), months=3)
    figures = load_region(spec, show_progress=False)
    assert figures["accounts"] == 150 and figures["rows"] > 150 * 20
    summary = calculate_year(spec, show_progress=False)
    assert [month for month, _lines, _amount in summary] == ["2026-01", "2026-02", "2026-03"]
    assert all(lines >= 150 * 9 for _month, lines, _amount in summary)


@pytest.mark.django_db(transaction=True)
def test_a_reading_of_a_missing_meter_fails_the_whole_region(monkeypatch):
    """Key triggers are skipped on PostgreSQL for speed; the checks afterwards must still catch this."""
    from django.db import IntegrityError

    from raschet.generators import households, region

    frames = households.Chunk.frames

    def broken(self):
        result = frames(self)
        first = pl.int_range(pl.len()) == 0
        result[Reading] = result[Reading].with_columns(
            pl.when(first).then(pl.col("meter_id").max() + 10**9).otherwise("meter_id").alias("meter_id"))
        return result

    monkeypatch.setattr(households.Chunk, "frames", broken)
    with pytest.raises(IntegrityError):
        region.generate_region(RegionSpec(accounts=60, seed=1))
    assert Account.objects.count() == 0
