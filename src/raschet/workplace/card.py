"""What the account card shows, read for one account: the header, the month-by-month table, a
month's lines with their explanations, and the month's bill for «why did the bill change».

Balances come from the ledger readers the documents and payments use (``documents.sources``:
opening balance and entries by kind per period; ``standing``: debt, advance, penalties), lines from
``ChargeLine`` through its ``explained()`` sentence, with method and source names in Russian.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q

from raschet.billing.lines import explain_lines
from raschet.billing.models import CalcRun, ChargeLine, RunStatus
from raschet.documents import sources
from raschet.domain.periods import Period
from raschet.housing.models import Account, PremisesArea, residents_on
from raschet.store import ledger as store
from raschet.tariffs.models import CalcRule, Service, Zone
from raschet.workplace import why
from raschet.workplace.standing import Standing, standings
from raschet.workplace.words import number

ZERO = Decimal("0.00")
MONTHS_SHOWN = 24
METHODS = {
    "metered": "по прибору учёта", "norm": "по нормативу", "area": "по площади", "heating": "отопление",
    "common_needs": "на содержание общего имущества (КР на СОИ)", "formula": "по формуле",
    "sum_of": "сумма объёмов других услуг", "heating_correction": "корректировка платы за отопление",
    "recalc": "перерасчёт",
}
SOURCES = {"meter": "показания ИПУ", "average": "среднемесячный объём", "norm": "норматив", "area": "площадь",
           "building_meter": "показания ОДПУ", "formula": "формула"}
# The legal basis of a line when its rule names none: Decree 354 and the Housing Code.
LEGAL = {
    ("metered", "meter"): "п. 42 Правил № 354 (формула 1)",
    ("metered", "average"): "пп. «а» п. 59 Правил № 354",
    ("metered", "norm"): "п. 42 (формула 4), п. 60 Правил № 354",
    ("norm", "norm"): "п. 42 Правил № 354 (формула 4)",
    ("area", "area"): "ч. 1 ст. 158 ЖК РФ",
    ("heating", "building_meter"): "п. 42(1) Правил № 354 (формула 3)",
    ("heating", "norm"): "п. 42(1) Правил № 354 (формула 2)",
    ("common_needs", "building_meter"): "ч. 9.2 ст. 156 ЖК РФ, п. 44 Правил № 354",
    ("common_needs", "norm"): "ч. 9.2 ст. 156 ЖК РФ, п. 44 Правил № 354",
    ("sum_of", None): "п. 42 Правил № 354: водоотведение — сумма объёмов ХВС и ГВС",
    ("recalc", None): "раздел IX Правил № 354 (перерасчёт)",
    ("heating_correction", None): "п. 42(1) Правил № 354 (корректировка)",
}
ZONE_NAMES = dict(Zone.choices)


@dataclass(frozen=True)
class Header:
    account: Account
    area: Decimal | None
    residents: int
    standing: Standing


def header(account: Account, today: date) -> Header:
    area = (PremisesArea.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=today), premises=account.premises_id,
                                        valid_from__lte=today).order_by("-valid_from").values_list("value", flat=True)
            .first())
    return Header(account, area, residents_on(account, today), standings([account.pk])[account.pk])


@dataclass
class MonthRow:
    period: Period
    opening: Decimal = ZERO
    charged: Decimal = ZERO
    recalculated: Decimal = ZERO
    paid: Decimal = ZERO
    penalties: Decimal = ZERO

    @property
    def closing(self) -> Decimal:
        return self.opening + self.charged + self.recalculated - self.paid + self.penalties


KIND_COLUMN = {"charge": "charged", "recalc": "recalculated", "correction": "recalculated", "penalty": "penalties"}


def _sums_by_period(account: Account) -> dict[Period, dict[str, Decimal]]:
    """The account's ledger entries summed per posting period and kind (the store's ledger reader, one
    query: the same sums ``documents.sources.ledger_movements`` takes one period at a time)."""
    return store.sums_by_period(account.pk)


def months(account: Account, shown: int = MONTHS_SHOWN) -> list[MonthRow]:
    """The last ``shown`` posting periods of the account, newest first: the first one's opening
    balance from ``documents.sources.ledger_movements`` (the closed-period snapshot and the entries
    after it), then each month's entries by kind; each closing is the next opening."""
    sums = _sums_by_period(account)
    periods = sorted(sums)[-shown:]
    if not periods:
        return []
    opening = sum((m.amount for m in sources.ledger_movements([account.pk], periods[0]) if m.kind == "opening"), ZERO)
    rows = []
    for period in periods:
        row = MonthRow(period, opening=opening)
        for kind, amount in sums[period].items():
            if kind == "payment":
                row.paid -= amount
            else:
                column = KIND_COLUMN.get(kind, "recalculated")
                setattr(row, column, getattr(row, column) + amount)
        rows.append(row)
        opening = row.closing
    return rows[::-1]


@dataclass
class LineView:
    line: ChargeLine
    zone: str
    sentence: str
    legal: str


@dataclass
class ServiceGroup:
    service: Service
    lines: list[LineView] = field(default_factory=list)

    @property
    def amount(self) -> Decimal:
        return sum((item.line.amount for item in self.lines), ZERO)


def _posted_lines(account: Account, period: Period):
    # the period's posted runs first (a few rows), then the account's lines by its index: joined with
    # the runs, PostgreSQL scanned the month's whole partition (0.8 s at 1.5 M accounts)
    runs = list(CalcRun.objects.filter(period=str(period), status=RunStatus.POSTED, simulate=False)
                .values_list("pk", flat=True))
    lines = list(ChargeLine.objects.filter(account=account, period=str(period), run_id__in=runs)
                 .select_related("service").order_by("service__name", "kind", "date_from", "zone"))
    explain_lines(lines)  # each line's explanation from its run's block
    return lines


_NUMBER = re.compile(r"(?<![\w.])(\d+)\.(\d+)(?![\w.])")


def _russian_numbers(text: str) -> str:
    return _NUMBER.sub(lambda m: number(Decimal(m.group(0))), text)


def sentence(line: ChargeLine, names: dict[str, str]) -> str:
    """One Russian sentence: the method and the volume source, then the line's own ``explained()``
    (its calculation, note and inputs) with decimal commas and service names instead of codes."""
    text = line.explained()
    for code, name in names.items():
        text = re.sub(rf"\b{re.escape(code)}\b", name, text)
    for code, name in SOURCES.items():
        text = text.replace(f"({code})", f"({name})")
    text = re.sub(r"дней (\d+)/(\d+)", r"дней \1 из \2", _russian_numbers(text))
    how = METHODS.get(line.method, line.method)
    source = SOURCES.get(line.volume_source)
    head = f"{how[0].upper()}{how[1:]}" + (f", объём — {source}" if source and line.kind == "charge" else "")
    return f"{head}: {text}." if text else f"{head}."


def legal_basis(line: ChargeLine, rules: dict[int, str]) -> str:
    rule = (line.explanation or {}).get("rule_id")
    if rule and rules.get(int(rule)):
        return rules[int(rule)]
    method = "recalc" if line.kind != "charge" else line.method
    return LEGAL.get((method, line.volume_source)) or LEGAL.get((method, None)) or "Правила № 354"


def month_groups(account: Account, period: Period) -> list[ServiceGroup]:
    """The month's posted lines grouped by service, each with its sentence and legal basis."""
    lines = list(_posted_lines(account, period))
    names = dict(Service.objects.values_list("code", "name"))
    rule_ids = {int(r) for line in lines if (r := (line.explanation or {}).get("rule_id"))}
    rules = dict(CalcRule.objects.filter(pk__in=rule_ids).exclude(legal_basis="").values_list("id", "legal_basis"))
    groups: dict[int, ServiceGroup] = {}
    for line in lines:
        group = groups.setdefault(line.service_id, ServiceGroup(line.service))
        zone = "" if line.zone == Zone.TOTAL else ZONE_NAMES.get(line.zone, line.zone)
        group.lines.append(LineView(line, zone, sentence(line, names), legal_basis(line, rules)))
    return list(groups.values())


def _service_month(service: Service, lines: list[ChargeLine]) -> why.ServiceMonth:
    charges = [line for line in lines if line.kind == "charge"]
    tariffs = {line.tariff for line in charges}
    data = [line.explanation or {} for line in charges]
    residents = {int(d["residents"]) for d in data if d.get("residents") not in (None, "")}
    areas = {Decimal(d["area"]) for d in data if d.get("area") not in (None, "")}
    return why.ServiceMonth(
        name=service.name, amount=sum((line.amount for line in charges), ZERO),
        volume=sum((line.volume or 0 for line in charges), Decimal(0)),
        tariff=tariffs.pop() if len(tariffs) == 1 else None,
        source="+".join(sorted({line.volume_source for line in charges})), unit=service.get_unit_display(),
        residents=max(residents) if residents else None, area=max(areas) if areas else None)


def month_bill(account: Account, period: Period, row: MonthRow | None = None) -> why.MonthBill:
    """The month's bill as «why» reads it: charges per service from the posted lines, recalculations
    (reduction and recalculation lines, corrections) and penalties from the ledger (the month's row
    of :func:`months` when the caller has it)."""
    by_service: dict[int, list[ChargeLine]] = defaultdict(list)
    services = {}
    for line in _posted_lines(account, period):
        by_service[line.service_id].append(line)
        services[line.service_id] = line.service
    charged = {services[pk].code: _service_month(services[pk], lines) for pk, lines in by_service.items()
               if any(line.kind == "charge" for line in lines)}
    if row is None:
        row = MonthRow(period)
        for movement in sources.ledger_movements([account.pk], period):
            if movement.kind in ("recalc", "correction"):
                row.recalculated += movement.amount
            elif movement.kind == "penalty":
                row.penalties += movement.amount
    return why.MonthBill(charged, row.recalculated, row.penalties)


def bill_change(account: Account, period: Period, rows: list[MonthRow] | None = None) -> why.Change:
    """Why the bill of ``period`` differs from the month before (``rows``: :func:`months`, if read)."""
    by_period = {row.period: row for row in rows or []}
    before = month_bill(account, period - 1, by_period.get(period - 1) or (MonthRow(period - 1) if rows else None))
    return why.explain_change(before, month_bill(account, period, by_period.get(period)))
