"""«Why did the bill change»: a month's bill against the month before, decomposed by cause — tariff,
volume, residents, area, a switch of method (meter → average → norm), recalculation, penalties and
the rest — in words and figures that add up exactly to the difference.

Pure functions over plain records (:class:`MonthBill`, one :class:`ServiceMonth` per service), so the
decomposition is tested without a database. For a service billed the same way in both months the
change of ``volume × tariff`` is split the usual way, exactly:

    V₁·T₁ − V₀·T₀ = (V₁ − V₀)·T₀ + (T₁ − T₀)·V₁

each part rounded to kopecks (HALF_UP); what the rounding, factors, days and reductions leave is the
service's «other» part, so the parts always sum to the difference. A change of volume is put down to
the residents or the area when the volume comes from them (a norm per person, a rate per m²) and they
changed; a service whose method or volume source changed is one «method» part.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from raschet.workplace.words import money, number

CAUSES = {
    "tariff": "Тариф", "volume": "Объём потребления", "residents": "Число проживающих", "area": "Площадь",
    "method": "Способ расчёта", "recalc": "Перерасчёт", "penalty": "Пени", "other": "Прочее",
}
SOURCES = {
    "meter": "по показаниям прибора", "average": "по среднемесячному объёму", "norm": "по нормативу",
    "area": "по площади", "building_meter": "по общедомовому прибору", "formula": "по формуле",
}
ZERO = Decimal("0.00")
KOPECK = Decimal("0.01")


def kopecks(value: Decimal) -> Decimal:
    return Decimal(value).quantize(KOPECK, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ServiceMonth:
    """One service in one month: what was charged and from what."""

    name: str
    amount: Decimal
    volume: Decimal = Decimal(0)
    tariff: Decimal | None = None  # None: several tariffs within the month
    source: str = ""               # the volume source(s), e.g. "meter", "average+meter"
    unit: str = ""
    residents: int | None = None
    area: Decimal | None = None


@dataclass(frozen=True)
class MonthBill:
    services: dict[str, ServiceMonth] = field(default_factory=dict)
    recalculated: Decimal = ZERO
    penalties: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return sum((s.amount for s in self.services.values()), ZERO) + self.recalculated + self.penalties


@dataclass(frozen=True)
class Part:
    cause: str
    amount: Decimal
    text: str

    @property
    def cause_name(self) -> str:
        return CAUSES[self.cause]


@dataclass(frozen=True)
class Change:
    before: Decimal
    after: Decimal
    parts: list[Part]

    @property
    def difference(self) -> Decimal:
        return self.after - self.before

    def by_cause(self) -> list[tuple[str, str, Decimal]]:
        """(cause, its name, the sum of its parts) for each cause present, in the order of :data:`CAUSES`."""
        sums = {cause: sum((p.amount for p in self.parts if p.cause == cause), ZERO) for cause in CAUSES}
        return [(cause, CAUSES[cause], sums[cause]) for cause in CAUSES
                if any(p.cause == cause for p in self.parts)]


def _source_text(source: str) -> str:
    return " и ".join(SOURCES.get(part, part) for part in source.split("+") if part) or "—"


def _volume_cause(before: ServiceMonth, after: ServiceMonth) -> tuple[str, str]:
    if "norm" in after.source and before.residents != after.residents and None not in (before.residents, after.residents):
        return "residents", f"проживающих {before.residents} → {after.residents}, "
    if "area" in after.source and before.area != after.area and None not in (before.area, after.area):
        return "area", f"площадь {number(before.area)} → {number(after.area)} м², "
    return "volume", ""


def _same_way(key: str, before: ServiceMonth, after: ServiceMonth) -> list[Part]:
    """The parts of a service billed the same way (same volume source) in both months."""
    difference = after.amount - before.amount
    if before.tariff is None or after.tariff is None:
        return [Part("other", difference, f"{after.name}: несколько тарифов в месяце, {money(difference, sign=True)} ₽")]
    parts = []
    unit = after.unit or "ед."
    if after.tariff != before.tariff:
        amount = kopecks((after.tariff - before.tariff) * after.volume)
        parts.append(Part("tariff", amount, f"{after.name}: тариф {number(before.tariff)} → {number(after.tariff)} ₽ "
                                            f"за {unit} при объёме {number(after.volume)} {unit}: "
                                            f"{money(amount, sign=True)} ₽"))
    if after.volume != before.volume:
        cause, why = _volume_cause(before, after)
        amount = kopecks((after.volume - before.volume) * before.tariff)
        parts.append(Part(cause, amount, f"{after.name}: {why}объём {number(before.volume)} → {number(after.volume)} "
                                         f"{unit} по тарифу {number(before.tariff)} ₽: {money(amount, sign=True)} ₽"))
    rest = difference - sum((p.amount for p in parts), ZERO)
    if rest:
        parts.append(Part("other", rest, f"{after.name}: дни, коэффициенты, снижение платы и округление: "
                                         f"{money(rest, sign=True)} ₽"))
    return parts


def _service_parts(key: str, before: ServiceMonth | None, after: ServiceMonth | None) -> list[Part]:
    if before is None or after is None:
        present = after or before
        amount = after.amount if after else -before.amount
        text = "начислена в этом месяце, в прошлом её не было" if after else "в этом месяце не начислялась"
        return [Part("other", amount, f"{present.name}: {text}: {money(amount, sign=True)} ₽")] if amount else []
    if before.source != after.source:
        amount = after.amount - before.amount
        return [] if not amount else [Part("method", amount, f"{after.name}: {_source_text(before.source)} → {_source_text(after.source)}, "
                                       f"{money(before.amount)} → {money(after.amount)} ₽: {money(amount, sign=True)} ₽")]
    return [p for p in _same_way(key, before, after) if p.amount]


def explain_change(before: MonthBill, after: MonthBill) -> Change:
    """The difference ``after.total − before.total`` as parts by cause; they sum to it exactly."""
    parts: list[Part] = []
    for key in sorted(set(before.services) | set(after.services),
                      key=lambda k: (after.services.get(k) or before.services[k]).name):
        parts += _service_parts(key, before.services.get(key), after.services.get(key))
    recalc = after.recalculated - before.recalculated
    if recalc:
        parts.append(Part("recalc", recalc, f"Перерасчёты: {money(before.recalculated)} → {money(after.recalculated)} ₽: "
                                            f"{money(recalc, sign=True)} ₽"))
    penalty = after.penalties - before.penalties
    if penalty:
        parts.append(Part("penalty", penalty, f"Пени: {money(before.penalties)} → {money(after.penalties)} ₽: "
                                              f"{money(penalty, sign=True)} ₽"))
    return Change(before.total, after.total, parts)
