"""Synthetic Sberbank-style registries for tests, benchmarks and the demo.

:func:`sber_registry` writes a valid Windows-1251 file with a reconciled footer: deterministic
for a seed, with a 1 % bank fee, times in business hours in ascending order, the previous month
as the period and, on a share of lines, meter readings in the trailing fields.  Amounts are
generated in kopecks (integers), so no float ever touches them.  :func:`demo_registry` pays a
month's bills instead: most in full, some in part, some not at all.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from raschet.domain.money import format_money, from_kopecks, round_money
from raschet.domain.periods import Period

SURNAMES = ("Иванов", "Петрова", "Смирнов", "Кузнецова", "Попов", "Васильева", "Соколов", "Михайлова")
INITIALS = ("А.", "Б.", "В.", "Г.", "Д.", "Е.", "Ж.", "И.")
STREETS = ("ул. Ленина", "пр-т Мира", "ул. Садовая", "ул. Школьная", "пер. Почтовый")
METERS = ("ХВС", "ГВС", "ЭЛ")


def _money(kopecks: int) -> str:
    """Bank style: comma decimal separator, no thousands grouping ("1234,50")."""
    return format_money(from_kopecks(kopecks)).replace(" ", "")


def _line(
    rng: random.Random, account: str, day: date, seconds: int, with_readings: float
) -> tuple[str, int, int]:
    """One payment line and its paid and fee amounts in kopecks."""
    paid = rng.randint(10_000, 1_500_000)
    fee = paid // 100
    period = (day.month - 2) % 12 + 1, day.year - (day.month == 1)
    fields = [
        day.strftime("%d-%m-%Y"),
        f"{seconds // 3600:02d}-{seconds // 60 % 60:02d}-{seconds % 60:02d}",
        f"{rng.randint(8600, 8699)}",
        f"{rng.randint(1, 400):05d}",
        account,
        f"{rng.choice(SURNAMES)} {rng.choice(INITIALS)}{rng.choice(INITIALS)}",
        f"г. Пример, {rng.choice(STREETS)}, д. {rng.randint(1, 60)}, кв. {rng.randint(1, 200)}",
        f"{period[0]:02d}{period[1] % 100:02d}",
        _money(paid),
        _money(paid - fee),
        _money(fee),
    ]
    if rng.random() < with_readings:
        for meter in rng.sample(METERS, rng.randint(1, 2)):
            fields += [f"{meter}-{account}", f"{rng.randint(0, 99_999)},{rng.randint(0, 999):03d}"]
    return ";".join(fields), paid, fee


def sber_registry(
    accounts: list[str], count: int, day: date, seed: int = 1, with_readings: float = 0.1
) -> bytes:
    """A valid text registry of ``count`` payments by randomly chosen ``accounts`` on ``day``."""
    if not accounts:
        raise ValueError("Нужен хотя бы один лицевой счёт для синтетического реестра.")
    rng = random.Random(seed)
    times = sorted(rng.randint(8 * 3600, 20 * 3600) for _ in range(count))
    lines, total_paid, total_fee = [], 0, 0
    for seconds in times:
        line, paid, fee = _line(rng, rng.choice(accounts), day, seconds, with_readings)
        lines.append(line)
        total_paid, total_fee = total_paid + paid, total_fee + fee
    order_no = f"{rng.randint(1, 999_999)}"
    lines.append(
        f"={count};{_money(total_paid)};{_money(total_paid - total_fee)};{_money(total_fee)};"
        f"{order_no};{day.strftime('%d-%m-%Y')}"
    )
    return ("\r\n".join(lines) + "\r\n").encode("cp1251")


def demo_registry(period: Period, bills: list[tuple[str, Decimal]], rng: random.Random) -> bytes:
    """A Sber-style registry of the month after ``period``: most pay the bill, some part of it, some nothing."""
    month = period.next()
    lines, total = [], Decimal(0)
    for index, (number, amount) in enumerate(bills):
        luck = rng.random()
        if luck < 0.1 or amount <= 0:
            continue
        paid = amount if luck < 0.9 else round_money(amount * Decimal(rng.randint(20, 80)) / 100)
        day = rng.randint(5, 25)
        lines.append(f"{day:02d}-{month.month:02d}-{month.year};{10 + index % 9:02d}-{index % 60:02d}-00;8626;"
                     f"{1000 + index % 7};{number};;;{period.month:02d}{period.year % 100:02d};{paid};{paid};0.00")
        total += paid
    lines.append(f"={len(lines)};{total};{total};0.00;{period.month}{period.year};01-{month.month:02d}-{month.year}")
    return ("\n".join(lines) + "\n").encode("cp1251")
