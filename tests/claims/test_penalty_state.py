"""The accrual from the kept state posts, month after month, exactly what the accrual from the whole
ledger posts: random ledgers of charges, payments (on time, late-recorded, taken back, named to any
period), recalculations both ways, late charges of old periods, two suppliers and capital repair,
with a key rate below the cap entered late, for days already accrued (the state's digest changes once). Each month is
accrued twice from the same ledger — once with the state dropped (the whole ledger), once with it —
and the two sets of entries must be equal; then the month's kept accrual stays and the next month's
entries are written."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.db import transaction

from raschet.billing.models import Entry, LedgerEntry
from raschet.claims.models import PenaltyState
from raschet.claims.penalties import accrue_penalties
from raschet.domain.periods import Period
from raschet.housing.models import Account, Building, Premises
from raschet.payments.models import Payment
from raschet.tariffs.models import KeyRate, Organization, Service

pytestmark = pytest.mark.django_db
MONTHS = [Period(2026, m) for m in range(1, 10)]


class World:
    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.suppliers = [Organization.objects.create(code=f"S{i}", name=f"Поставщик {i}", inn=f"770700001{i}")
                          for i in (1, 2)]
        self.services = [Service.objects.create(code=code, name=code, kind=kind, unit="m2")
                         for code, kind in (("upkeep", "maintenance"), ("water", "cold_water"),
                                            ("repair", "capital_repair"))]
        building = Building.objects.create(code="B1", address="ул. Тестовая, д. 1", total_area=D("500"),
                                           common_area=D("0"))
        self.accounts = []
        for number in range(1, 6):
            premises = Premises.objects.create(building=building, number=str(number), kind="residential")
            self.accounts.append(Account.objects.create(number=f"10000000{number:02d}", premises=premises,
                                                        payer="Плательщик", opened=date(2025, 1, 1)))
        self.payments = 0

    def money(self, low: int, high: int) -> D:
        return D(self.random.randint(low, high)).scaleb(-2)

    def entry(self, account, service, ref: Period, posted: Period, kind: str, amount: D, payment=None) -> Entry:
        supplier = self.suppliers[0] if service.code != "water" else self.suppliers[1]
        return Entry(account=account, service=service, supplier=supplier, ref_period=str(ref), period=str(posted),
                     kind=kind, amount=amount, payment=payment, reason="тест")

    def pay(self, account, on: date, posted: Period, parts: list[tuple[Service, Period, D]]) -> list[Entry]:
        self.payments += 1
        total = sum((amount for _, _, amount in parts), D(0))
        payment = Payment.objects.create(account=account, source="registry", channel="test", agent="test",
                                         operation_id=str(self.payments), identity=f"state-{self.payments}",
                                         paid_on=on, amount=abs(total), state="allocated")
        return [self.entry(account, service, ref, posted, "payment", -amount, payment)
                for service, ref, amount in parts]

    def month(self, period: Period, earlier: list[Period]) -> None:
        """The entries posted in ``period``: its charges, payments on its days, and now and then the
        changes the state cannot take."""
        r, rows = self.random, []
        if period == Period(2026, 6):  # a key rate below the cap, entered late: the past changes
            KeyRate.objects.create(valid_from=date(2026, 4, 20), value=D("8.5"))
        for account in self.accounts:
            for service in self.services:
                if r.random() < 0.9:
                    rows.append(self.entry(account, service, period, period, "charge", self.money(5_000, 400_000)))
            if earlier and r.random() < 0.7:
                ref = r.choice(earlier)
                day = period.start + timedelta(days=r.randint(0, 27))
                rows += self.pay(account, day, period, [(s, ref, self.money(1_000, 150_000))
                                                        for s in r.sample(self.services, r.randint(1, 3))])
            if earlier and r.random() < 0.12:  # recorded late: paid last month
                rows += self.pay(account, period.start - timedelta(days=r.randint(1, 20)), period,
                                 [(r.choice(self.services), r.choice(earlier), self.money(1_000, 50_000))])
            if r.random() < 0.15:  # paid in the first days of the next month, recorded before this accrual
                rows += self.pay(account, period.end + timedelta(days=r.randint(0, 4)), period.next(),
                                 [(r.choice(self.services), period, self.money(1_000, 50_000))])
            if earlier and r.random() < 0.08:  # taken back
                rows += self.pay(account, period.start + timedelta(days=r.randint(0, 27)), period,
                                 [(r.choice(self.services), r.choice(earlier), -self.money(1_000, 20_000))])
            if earlier and r.random() < 0.1:
                rows.append(self.entry(account, r.choice(self.services), r.choice(earlier), period, "recalc",
                                       self.money(-80_000, 80_000)))
            if len(earlier) > 2 and r.random() < 0.06:
                rows.append(self.entry(account, r.choice(self.services), r.choice(earlier[:-2]), period, "charge",
                                       self.money(1_000, 90_000)))
        Entry.objects.bulk_create(rows)


def _posted(period: Period) -> list[tuple]:
    return sorted(LedgerEntry.objects.filter(kind="penalty", period=str(period))
                  .values_list("account_id", "ref_period", "supplier_id", "amount", "reason"))


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_the_kept_state_posts_what_the_whole_ledger_posts(seed):
    world = World(seed)
    kept, reread = [], []
    for index, period in enumerate(MONTHS):
        world.month(period, MONTHS[:index])
        point = transaction.savepoint()
        PenaltyState.objects.all().delete()
        accrue_penalties(period=period)
        whole = _posted(period)
        transaction.savepoint_rollback(point)
        result = accrue_penalties(period=period)
        assert _posted(period) == whole, f"{period}: the kept state's entries differ"
        kept.append(result.kept)
        reread.append(result.reread)
    # the first month has no state; the key rate entered in June changes April's and May's days
    assert kept == [p not in (Period(2026, 1), Period(2026, 6)) for p in MONTHS]
    assert any(0 < n < len(world.accounts) for n in reread if n is not None), reread
    assert any(amount for *_, amount, _ in whole)


def test_a_skipped_month_or_a_rerun_reads_the_whole_ledger_and_posts_the_same():
    world = World(5)
    for index, period in enumerate(MONTHS[:4]):
        world.month(period, MONTHS[:index])
    first = accrue_penalties(period=MONTHS[1])
    again = accrue_penalties(period=MONTHS[1])
    assert not first.kept and not again.kept and again.entries == 0
    skipped = accrue_penalties(period=MONTHS[3])
    assert not skipped.kept and skipped.reread is None
    assert skipped.corrections != 0  # March's days, never accrued, come as a correction
    assert accrue_penalties(period=MONTHS[3]).entries == 0
