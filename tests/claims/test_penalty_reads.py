"""The penalty engine's ledger reads summed in the database (no service, no payment) give exactly the
engine inputs and supplier weights of the per-service reads they replace — including a service whose
recalculation is negative beside another's positive one of the same supplier, which a sum over
services before the positive filter would get wrong."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import polars as pl
import pytest

from raschet.billing.models import Entry, LedgerEntry
from raschet.claims import sources
from raschet.claims.inputs import categories, engine_inputs, group_of, supplier_weights
from raschet.claims.terms import load_terms
from raschet.tariffs.models import Organization, Service

from .world import build

pytestmark = pytest.mark.django_db


def _per_service_weights(debts: pl.DataFrame) -> pl.DataFrame:
    """The weights as they were computed from the per-service rows."""
    return (debts.with_columns(group=group_of()).filter(pl.col("amount") > 0)
            .group_by("account_id", "ref_period", "group", "supplier_id").agg(weight=pl.col("amount").sum()))


def _ledger_with_two_suppliers() -> list[int]:
    build()
    owner = Organization.objects.get(code="UK")
    other = Organization.objects.create(code="VK", name="АО «Водоканал»", inn="7701000014")
    heating, cold = Service.objects.get(code="heating"), Service.objects.get(code="cold_water")
    account_id = LedgerEntry.objects.filter(kind="charge").values_list("account_id", flat=True).order_by("account_id")[0]
    rows = [Entry(account_id=account_id, service=cold, supplier=other, period="2026-04", ref_period="2026-02",
                  kind="recalc", amount=D("120.40"), reason="тест"),
            Entry(account_id=account_id, service=heating, supplier=owner, period="2026-04", ref_period="2026-02",
                  kind="recalc", amount=D("-300.00"), reason="тест"),
            Entry(account_id=account_id, service=cold, supplier=owner, period="2026-04", ref_period="2026-02",
                  kind="recalc", amount=D("75.25"), reason="тест")]
    Entry.objects.bulk_create(rows)
    return [account_id]


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(frame.columns)


def test_summed_reads_give_the_per_service_engine_inputs_and_weights():
    for scope in (None, _ledger_with_two_suppliers()):
        per_service = sources.debt_movements(scope)
        summed = sources.penalty_debts(scope)
        assert _sorted(supplier_weights(summed)).equals(_sorted(_per_service_weights(per_service)))
        loaded = load_terms(date(2026, 12, 31))
        cats = categories(scope)
        old = engine_inputs(per_service, sources.allocations(scope), loaded, cats)
        new = engine_inputs(summed, sources.penalty_payments(scope), loaded, cats)
        for before, after in zip(old, new, strict=True):
            assert _sorted(after).equals(_sorted(before))
        assert summed.height < per_service.height
    weights = dict(supplier_weights(sources.penalty_debts(scope)).filter(pl.col("ref_period") == "2026-02")
                   .select("supplier_id", "weight").iter_rows())
    # February's 5,000.00 and cold water's +75.25 weigh for the owner; heating's −300.00 lowers nothing
    # (summed over services first, the owner's recalculation would be −224.75 and count for 0)
    assert weights == {Organization.objects.get(code="UK").id: 507_525, Organization.objects.get(code="VK").id: 12_040}
    assert sources.penalty_payments(None)["amount"].sum() == 2 * 1_500_000
