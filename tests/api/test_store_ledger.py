"""The store's one ledger reader (``raschet.store.ledger``) against the ledger's entries summed in
Python, on the API's world: 12 accounts, two months, the first closed (its snapshot is the second's
opening) and paid, the second posted. Every function, every account, to the kopeck."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pytest

from raschet.billing.models import LedgerEntry
from raschet.domain.periods import Period
from raschet.housing.models import Account
from raschet.store import ledger

pytestmark = pytest.mark.django_db
ZERO = Decimal(0)


def _entries(ids):
    return list(LedgerEntry.objects.filter(account_id__in=ids).values_list(
        "account_id", "supplier_id", "service_id", "period", "ref_period", "kind", "amount", "payment_id"))


def _nonzero(sums: dict) -> dict:
    return {key: value for key, value in sums.items() if value}


def test_the_reader_equals_the_entries_summed_by_hand(world):
    ids = list(Account.objects.values_list("pk", flat=True))
    entries = _entries(ids)
    assert {e[5] for e in entries} >= {"charge", "payment"} and len({e[3] for e in entries}) == 2
    first, last = Period(2026, 10), world.period

    principal: dict[tuple, Decimal] = defaultdict(Decimal)
    for account, supplier, service, _period, ref, kind, amount, _payment in entries:
        if service is not None and kind != "penalty":
            principal[(account, ref, service, supplier)] += amount
    assert [(a, r, s, o, v) for (a, r, s, o), v in sorted(principal.items()) if v > 0] == ledger.principal(ids)

    for period in (first, last):
        balances: dict[int, Decimal] = defaultdict(Decimal)
        moves: dict[tuple, Decimal] = defaultdict(Decimal)
        for account, supplier, service, posted, _ref, kind, amount, _payment in entries:
            if posted <= str(period):
                balances[account] += amount
                moves[(account, supplier, service, "opening" if posted < str(period) else kind)] += amount
        assert ledger.balances(ids, period) == dict(balances)
        assert {(m.account_id, m.supplier_id, m.service_id, m.kind): m.amount
                for m in ledger.movements(ids, period)} == _nonzero(moves)

    advances: dict[tuple, Decimal] = defaultdict(Decimal)
    for account, _supplier, service, _period, _ref, kind, amount, payment in entries:
        if service is None and kind == "payment":
            advances[(account, payment)] += amount
    read = {(a, p): amount for a, held in ledger.advances(ids).items() for p, amount, _named in held}
    assert read == {key: -value for key, value in advances.items() if value < 0}

    penalties: dict[int, Decimal] = defaultdict(Decimal)
    for account, *_rest, kind, amount, _payment in entries:
        if kind == "penalty":
            penalties[account] += amount
    assert ledger.penalties(ids) == dict(penalties)

    for account in ids:
        mine = [e for e in entries if e[0] == account]
        by_period: dict[Period, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        for *_keys, posted, _ref, kind, amount, _payment in mine:
            by_period[Period.parse(posted)][kind] += amount
        assert {p: dict(k) for p, k in ledger.sums_by_period(account).items()} == \
            {p: dict(k) for p, k in by_period.items()}
        for start in (first, last):  # from the first period, and from after the closed one
            opening, kinds = ledger.period_sums(account, start, last)
            assert opening == sum((e[6] for e in mine if e[3] < str(start)), ZERO)
            expected: dict[str, dict[str, Decimal]] = defaultdict(dict)
            for *_keys, posted, _ref, kind, amount, _payment in mine:
                if posted >= str(start):
                    expected[posted][kind] = expected[posted].get(kind, ZERO) + amount
            assert kinds == dict(expected)


def test_an_empty_set_of_accounts_reads_nothing(world):
    assert ledger.principal([]) == [] and ledger.balances([], world.period) == {}
    assert ledger.advances([]) == {} and ledger.penalties([]) == {} and ledger.movements([], world.period) == []
