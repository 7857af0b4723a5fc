"""The synthetic registry generator, and the parser on a full-size 100,000-line registry."""

from datetime import date
from decimal import Decimal

from raschet.exchange import parse_sber
from raschet.generators.registries import sber_registry

ACCOUNTS = [f"{1_000_000_000 + i}" for i in range(2_000)]


def test_synthetic_registry_is_valid_and_deterministic():
    data = sber_registry(ACCOUNTS, 500, date(2026, 3, 5), seed=7, with_readings=0.5)
    assert data == sber_registry(ACCOUNTS, 500, date(2026, 3, 5), seed=7, with_readings=0.5)
    parsed = parse_sber(data, "synthetic.txt")
    assert parsed.encoding == "cp1251" and parsed.totals.count == 500
    assert any(p.readings for p in parsed.payments)
    assert all(p.paid_on == date(2026, 3, 5) and p.period is not None for p in parsed.payments)
    assert len({p.operation_id for p in parsed.payments}) == 500


def test_100000_line_registry_parses():
    data = sber_registry(ACCOUNTS, 100_000, date(2026, 3, 5))
    footer = data.rstrip().rsplit(b"\n", 1)[1].decode("cp1251")
    expected_paid = Decimal(footer.split(";")[1].replace(",", "."))
    parsed = parse_sber(data, "big.txt")
    assert parsed.totals.count == len(parsed.payments) == 100_000
    assert parsed.totals.paid == expected_paid == sum(p.amount for p in parsed.payments)
