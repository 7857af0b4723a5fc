"""Synthetic Sberbank-style registries for tests and benchmarks.

:func:`sber_registry` writes a valid Windows-1251 file with a reconciled footer: deterministic
for a seed, with a 1 % bank fee, times in business hours in ascending order, the previous month
as the period and, on a share of lines, meter readings in the trailing fields.  Amounts are
generated in kopecks (integers), so no float ever touches them.
"""

from __future__ import annotations

import random
from datetime import date

from raschet.domain.money import format_money, from_kopecks

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
