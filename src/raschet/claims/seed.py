"""The seed of the penalty rules: the Bank of Russia key rate since 2016, the 2022–2026 rate regimes,
the moratoria, the due days, the fractions of each consumer category and the policies (domain.md §6,
§12). Written once by the data migration ``0002_seed_penalty_rules``; afterwards the rows are edited
in the admin (a new key rate is a new row there, not a release).

Key rates: the dates the rate took effect (the Monday after the board's decision); checked against
the Bank of Russia's published decisions up to the cut to 15.5 % of 16.02.2026. Later decisions are
added as rows.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

KEY_RATE_BASIS = ("Решение Совета директоров Банка России; с 01.01.2016 ставка рефинансирования равна "
                  "ключевой ставке (Указание Банка России от 11.12.2015 № 3894-У)")

KEY_RATES = [
    ("2015-08-03", "11"), ("2016-06-14", "10.5"), ("2016-09-19", "10"), ("2017-03-27", "9.75"),
    ("2017-05-02", "9.25"), ("2017-06-19", "9"), ("2017-09-18", "8.5"), ("2017-10-30", "8.25"),
    ("2017-12-18", "7.75"), ("2018-02-12", "7.5"), ("2018-03-26", "7.25"), ("2018-09-17", "7.5"),
    ("2018-12-17", "7.75"), ("2019-06-17", "7.5"), ("2019-07-29", "7.25"), ("2019-09-09", "7"),
    ("2019-10-28", "6.5"), ("2019-12-16", "6.25"), ("2020-02-10", "6"), ("2020-04-27", "5.5"),
    ("2020-06-22", "4.5"), ("2020-07-27", "4.25"), ("2021-03-22", "4.5"), ("2021-04-26", "5"),
    ("2021-06-15", "5.5"), ("2021-07-26", "6.5"), ("2021-09-13", "6.75"), ("2021-10-25", "7.5"),
    ("2021-12-20", "8.5"), ("2022-02-14", "9.5"), ("2022-02-28", "20"), ("2022-04-11", "17"),
    ("2022-05-04", "14"), ("2022-05-27", "11"), ("2022-06-14", "9.5"), ("2022-07-25", "8"),
    ("2022-09-19", "7.5"), ("2023-07-24", "8.5"), ("2023-08-15", "12"), ("2023-09-18", "13"),
    ("2023-10-30", "15"), ("2023-12-18", "16"), ("2024-07-29", "18"), ("2024-09-16", "19"),
    ("2024-10-28", "21"), ("2025-06-09", "20"), ("2025-07-28", "18"), ("2025-09-15", "17"),
    ("2025-10-27", "16.5"), ("2025-12-22", "16"), ("2026-02-16", "15.5"),
]

ZHK_14 = "ЖК РФ ст. 155 ч. 14: ставка рефинансирования (ключевая ставка) ЦБ РФ на день фактической оплаты"
REGIMES = [
    ("2016-01-01", "2022-02-28", "key", "0", ZHK_14),
    ("2022-02-28", "2023-01-01", "fixed", "9.5",
     "ПП РФ от 26.03.2022 № 474 (п. 2): ключевая ставка на 27.02.2022 — 9,5 %"),
    ("2023-01-01", "2027-01-01", "min_key", "9.5",
     "ПП РФ от 26.03.2022 № 474 в ред. ПП РФ № 1681, № 2479 (2022), № 2382 (2023), № 329 от 18.03.2025: "
     "меньшая из 9,5 % и ключевой ставки на день оплаты, по 31.12.2026"),
    ("2027-01-01", None, "key", "0", ZHK_14),
]

ALL = ["citizen", "manager", "commercial", "budget"]
MORATORIA = [
    ("2020-04-06", "2021-01-02", "Мораторий 2020 года (по 01.01.2021 включительно)", ALL,
     "ПП РФ от 02.04.2020 № 424 (п. 5): неустойка за несвоевременную оплату ЖКУ не взыскивается"),
    ("2022-04-01", "2022-10-02", "Мораторий на банкротство 2022 года (по 01.10.2022 включительно)", ALL,
     "ПП РФ от 28.03.2022 № 497; ФЗ «О несостоятельности (банкротстве)» ст. 9.1; Пленум ВС РФ от 24.12.2020 "
     "№ 44, п. 7"),
]

DUE_DAYS = [
    ("2016-01", 10, "ЖК РФ ст. 155 ч. 1: до 10-го числа месяца, следующего за истёкшим"),
    ("2026-03", 15, "ЖК РФ ст. 155 ч. 1 в ред. закона 2025 г. (с 01.03.2026): до 15-го числа месяца, "
                    "следующего за истёкшим; номер закона не проверен"),
]

ZHK_141 = "ЖК РФ ст. 155 ч. 14.1: 1/300 ставки с 31-го дня просрочки, без 1/130"
RULES = [  # category, group, grace, first, step, second, basis
    ("citizen", "standard", 30, 300, 91, 130, "ЖК РФ ст. 155 ч. 14: 1/300 с 31-го по 90-й день, 1/130 с 91-го дня"),
    ("citizen", "capital_repair", 30, 300, None, None, ZHK_141),
    ("manager", "standard", 30, 300, 91, 130,
     "ФЗ № 190-ФЗ ст. 15 ч. 9.3; ФЗ № 416-ФЗ ст. 13 ч. 6.3, ст. 14 ч. 6.3; ФЗ № 35-ФЗ ст. 37 ч. 2 "
     "(УК, ТСЖ, ЖСК) [M: сверить формулировку закона по ресурсу]"),
    ("manager", "capital_repair", 30, 300, None, None, ZHK_141),
    ("commercial", "standard", 0, 130, None, None,
     "ФЗ № 190-ФЗ ст. 15 ч. 9.1; ФЗ № 416-ФЗ ст. 13 ч. 6.2; ФЗ № 35-ФЗ ст. 37 ч. 2 (иные потребители): "
     "1/130 со дня, следующего за сроком оплаты [M: сверить формулировку закона по ресурсу]"),
    ("commercial", "capital_repair", 30, 300, None, None, ZHK_141),
    ("budget", "standard", 0, 300, None, None,
     "Бюджетные учреждения: 1/300 со дня, следующего за сроком оплаты [M: сверить формулировку закона по ресурсу]"),
    ("budget", "capital_repair", 30, 300, None, None, ZHK_141),
]

POLICY_BASIS = ("ЖК РФ ст. 155 ч. 14 «по день фактической оплаты» — день оплаты включается [M]; перенос срока "
                "по ГК РФ ст. 193 не применяется [M]; доначисление — новый долг со своим сроком (domain.md §4.4) [M]")


def _d(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def seed(apps) -> None:
    """Write the seed rows (the data migration's body; ``apps`` is the migration's app registry)."""
    KeyRate = apps.get_model("tariffs", "KeyRate")
    if not KeyRate.objects.exists():
        rates = [(date.fromisoformat(d), Decimal(v)) for d, v in KEY_RATES]
        KeyRate.objects.bulk_create([
            KeyRate(valid_from=start, valid_to=rates[i + 1][0] if i + 1 < len(rates) else None, value=value,
                    legal_basis=KEY_RATE_BASIS) for i, (start, value) in enumerate(rates)])
    apps.get_model("claims", "RateRegime").objects.bulk_create([
        apps.get_model("claims", "RateRegime")(valid_from=_d(a), valid_to=_d(b), mode=m, rate=Decimal(r),
                                               legal_basis=basis) for a, b, m, r, basis in REGIMES])
    Moratorium = apps.get_model("claims", "Moratorium")
    Moratorium.objects.bulk_create([Moratorium(valid_from=_d(a), valid_to=_d(b), name=name, categories=cats,
                                               legal_basis=basis) for a, b, name, cats, basis in MORATORIA])
    DueDayRule = apps.get_model("claims", "DueDayRule")
    DueDayRule.objects.bulk_create([DueDayRule(first_period=p, day=d, legal_basis=b) for p, d, b in DUE_DAYS])
    PenaltyRule = apps.get_model("claims", "PenaltyRule")
    PenaltyRule.objects.bulk_create([
        PenaltyRule(valid_from=date(2016, 1, 1), category=c, group=g, grace_days=grace, first_denominator=first,
                    step_day=step, second_denominator=second, legal_basis=basis)
        for c, g, grace, first, step, second, basis in RULES])
    apps.get_model("claims", "PenaltyPolicy").objects.create(valid_from=date(2016, 1, 1), legal_basis=POLICY_BASIS)


def unseed(apps) -> None:
    for name in ("RateRegime", "Moratorium", "DueDayRule", "PenaltyRule", "PenaltyPolicy"):
        apps.get_model("claims", name).objects.all().delete()
