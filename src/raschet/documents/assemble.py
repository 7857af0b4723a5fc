"""From the ledger to the content of payment documents: one assembler for one account or a route.

:class:`Assembler` reads the reference data once (organisations, services, norms), then for each set
of accounts asks :mod:`.sources` for their facts, ledger sums, charge lines, recalculations, meters
and building figures — a few queries per set, whatever its size — and builds one
:class:`~.content.PaymentDocumentContent` per account. Each document is checked by :mod:`.checks`;
one that does not tie out, or whose recipient's bank details cannot make a QR code, becomes a
problem for that account and the others go on.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from raschet.documents import sources
from raschet.documents.checks import check
from raschet.documents.content import (
    ZERO,
    BuildingFigure,
    Instalment,
    MeterReading,
    Organisation,
    Payer,
    PaymentDocumentContent,
    Penalty,
    Recalculation,
    RecipientPart,
    ServiceLine,
)
from raschet.documents.qr import PayeeProblem, payment_payload
from raschet.documents.signup import signup_code
from raschet.domain.errors import Problem, problem
from raschet.domain.periods import Period

UNITS = {"m3": "м³", "kWh": "кВт·ч", "Gcal": "Гкал", "m2": "м²", "person": "чел.", "month": "мес."}
ZONES = {"total": "", "day": "день", "night": "ночь", "peak": "пик", "semipeak": "полупик"}
GIS_METER_CODES = {"cold_water": 1, "hot_water": 2, "wastewater": 3, "electricity": 4, "gas": 5, "heating": 6,
                   "waste": 7}
BASIS = {"meter": "M", "building_meter": "M", "norm": "N", "area": ""}  # anything else: O (other)
KIND_ORDER = ["maintenance", "common_needs", "capital_repair", "heating", "hot_water", "cold_water", "wastewater",
              "electricity", "gas", "waste", "other"]
NEW_DUE_RULE = Period(2026, 3)  # charges from March 2026 are due by the 15th (domain.md §6.1)


def due_date(period: Period) -> date:
    """The day the period's charges are due: the 10th of the next month, the 15th from March 2026."""
    return period.next().start + timedelta(days=14 if period >= NEW_DUE_RULE else 9)


@dataclass(frozen=True)
class DocumentSetup:
    """What every document of a batch shares: the executor, the QR mode and its centre, the note."""

    executor: Organisation
    qr_mode: str
    centre: Organisation | None
    note: str
    organisations: dict[int, Organisation]


class Assembler:
    """Builds the documents of ``period``, issued on ``issued_on``; reference data read once."""

    def __init__(self, period: Period, setup: DocumentSetup, issued_on: date) -> None:
        self.period, self.setup, self.issued_on = period, setup, issued_on
        self.services = sources.services()
        self.by_code = {s.code: s for s in self.services.values()}
        self.resources = sources.common_needs_resources()
        self.norms = sources.common_norms(period)
        self.buildings: dict[int, tuple[BuildingFigure, ...]] = {}
        self.payee_problems: dict[str, PayeeProblem] = {}

    def build(self, account_ids: list[int]) -> tuple[dict[int, PaymentDocumentContent], list[tuple[int, Problem]]]:
        """The documents of the accounts that tie out, and a problem for each one that does not."""
        data = _Inputs.read(account_ids, self.period)
        self._read_buildings({facts.building_id for facts in data.facts.values()})
        documents, problems = {}, []
        for account_id in account_ids:
            if account_id not in data.facts:
                continue
            try:
                document = self._document(account_id, data)
            except PayeeProblem as error:
                problems.append((account_id, error.problem))
                continue
            except (ArithmeticError, KeyError, LookupError, TypeError, ValueError) as error:
                # data this assembler did not foresee: that account's problem, the others go on
                facts = data.facts[account_id]
                problems.append((account_id, problem("document_mismatch", f"ЛС {facts.number}", account=facts.number,
                                                     period=str(self.period), what=f"{type(error).__name__}: {error}")))
                continue
            found = check(document)
            if found:
                problems += [(account_id, p) for p in found]
            else:
                documents[account_id] = document
        return documents, problems

    # ---------------------------------------------------------------- one account
    def _document(self, account_id: int, data: _Inputs) -> PaymentDocumentContent:
        facts, period = data.facts[account_id], self.period
        services = self._service_lines(data.details.get(account_id, []), data.recalcs.get(account_id, []))
        moves = data.movements.get(account_id, [])
        parts = tuple(self._recipient(code, moves, services) for code in _recipient_order(moves, services,
                                                                                           self.setup.organisations))
        document = PaymentDocumentContent(
            period=period, number=f"{period.year}{period.month:02d}-{facts.number}", issued_on=self.issued_on,
            payer=Payer(account_number=facts.number, name=facts.payer, address=f"{facts.address}, кв. {facts.premises}",
                        els=facts.els, total_area=facts.total_area, share=facts.share, residents=facts.residents,
                        service_ids=tuple(data.gis.get(account_id, []))),
            executor=self.setup.executor, recipients=parts, services=services,
            meters=tuple(self._meter(m) for m in data.meters.get(account_id, [])),
            recalculations=self._recalculations(data.recalcs.get(account_id, [])),
            instalments=self._instalments(data.instalments.get(account_id)),
            penalties=tuple(Penalty(p.recipient.code, p.penalties) for p in parts if p.penalties),
            building=self.buildings.get(facts.building_id, ()),
            unassigned_advance=sum((m.amount for m in moves if m.supplier_id is None), ZERO),
            payments_taken_until=period.end - timedelta(days=1), last_payment_date=data.paid_on.get(account_id),
            ledger_balance=data.balances.get(account_id, ZERO), due_date=due_date(period),
            qr_mode=self.setup.qr_mode, centre=self.setup.centre, notes=(self.setup.note,) if self.setup.note else (),
            signup_code=signup_code(facts.number))
        return self._with_codes(document)

    def _instalments(self, part: sources.InstalmentPart | None) -> tuple[Instalment, ...]:
        """Section 5: the debt paid by an instalment agreement, owed to the executor (the settlement centre)."""
        if part is None:
            return ()
        return (Instalment(service=f"Задолженность по соглашению о рассрочке {part.agreement}",
                           recipient=self.setup.executor.code, of_period=part.of_period, of_past=part.of_past,
                           interest=part.interest, interest_percent=part.interest_percent, total=part.total),)

    def _with_codes(self, document: PaymentDocumentContent) -> PaymentDocumentContent:
        """The document with its QR payloads: one per recipient with money due, or one for the centre."""
        number = document.payer.account_number
        if document.qr_mode == "settlement_centre":
            if document.due <= 0:
                return document
            centre = document.centre or self.setup.executor
            return replace(document, centre=centre, centre_qr_payload=self._payload(centre, document.due, number))
        parts = tuple(replace(p, qr_payload=self._payload(p.recipient, p.due, number)) if p.due > 0 else p
                      for p in document.recipients)
        return replace(document, recipients=parts)

    def _payload(self, organisation: Organisation, amount: Decimal, number: str) -> str:
        if organisation.code in self.payee_problems:
            raise self.payee_problems[organisation.code]
        try:
            return payment_payload(organisation, amount=amount, account_number=number, period=self.period)
        except PayeeProblem as error:
            if error.problem.code == "payee_details":
                self.payee_problems[organisation.code] = error
            raise

    def _recipient(self, supplier_id: int, moves: list[sources.Movement], services: tuple[ServiceLine, ...]
                   ) -> RecipientPart:
        organisation = self.setup.organisations[supplier_id]
        sums: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for move in moves:
            if move.supplier_id == supplier_id:
                sums[move.kind] += move.amount
        lines = [line for line in services if line.recipient == organisation.code]
        benefits = sum((line.benefits for line in lines), ZERO)
        charged, recalc = sums["charge"], sums["recalc"] + sums["correction"]
        return RecipientPart(
            recipient=organisation, opening=sums["opening"], charged=charged, recalculation=recalc,
            benefits=benefits, payable=charged + recalc - benefits, penalties=sums["penalty"], state_fees=ZERO,
            court_costs=ZERO, paid=-sums["payment"], total=sum(sums.values(), ZERO) - benefits)

    def _service_lines(self, details: list[sources.ChargeDetail], recalcs: list[sources.RecalcEntry]
                       ) -> tuple[ServiceLine, ...]:
        groups: dict[tuple, list[sources.ChargeDetail]] = {}
        for detail in details:
            groups.setdefault((detail.supplier_id, detail.service_id, detail.zone, detail.tariff), []).append(detail)
        lines = {key: self._line(key, group) for key, group in groups.items()}
        recalc_sums: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
        for entry in recalcs:
            recalc_sums[(entry.supplier_id, entry.service_id)] += entry.amount
        for (supplier_id, service_id), amount in recalc_sums.items():
            key = next((k for k in lines if k[:2] == (supplier_id, service_id)), None)
            if key is None:
                key = (supplier_id, service_id, "total", None)
                lines[key] = self._line(key, [])
            line = lines[key]
            lines[key] = replace(line, recalculation=amount, payable=line.charged + amount - line.benefits)
        return tuple(sorted(lines.values(), key=self._order))

    def _line(self, key: tuple, group: list[sources.ChargeDetail]) -> ServiceLine:
        supplier_id, service_id, zone, tariff = key
        service = self.services[service_id]
        common = service.kind == "common_needs"
        volume = sum((d.volume for d in group), Decimal(0)) if group else None
        factor = max((d.factor for d in group), default=Decimal(1))
        charged = sum((d.amount for d in group), ZERO)
        name = service.name.replace("на содержание общего имущества", "на СОИ") if common else service.name
        name += f" ({ZONES[zone]})" if ZONES.get(zone) else ""
        sources_used = {d.volume_source for d in group}
        basis = "" if not group else BASIS.get(sources_used.pop(), "O") if len(sources_used) == 1 else "O"
        return ServiceLine(
            service_code=service.code, service=name, recipient=self.setup.organisations[supplier_id].code,
            unit=UNITS.get(service.unit, service.unit), individual_volume=None if common else volume,
            common_volume=volume if common else None, basis=basis, tariff=tariff, charged=charged,
            increasing_factor=factor if factor != 1 else None,
            factor_excess=sum((d.excess for d in group), ZERO), payable=charged)

    def _order(self, line: ServiceLine) -> tuple:
        service = self.by_code[line.service_code]
        kind = "maintenance" if service.kind == "common_needs" else service.kind
        position = KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)
        return position, service.kind == "common_needs", line.service_code, line.service

    def _recalculations(self, recalcs: list[sources.RecalcEntry]) -> tuple[Recalculation, ...]:
        return tuple(Recalculation(service=self.services[r.service_id].name,
                                   recipient=self.setup.organisations[r.supplier_id].code, period=r.ref_period,
                                   reason=r.reason or "перерасчёт", amount=r.amount) for r in recalcs)

    def _meter(self, meter: sources.MeterFacts) -> MeterReading:
        service = self.services[meter.service_id]
        previous, current = meter.previous or (None, None), meter.current or (None, None)
        return MeterReading(service=service.name, gis_code=GIS_METER_CODES.get(service.kind), serial=meter.serial,
                            zone=ZONES.get(meter.zone, meter.zone), unit=UNITS.get(service.unit, service.unit),
                            previous=previous[1], previous_date=previous[0], current=current[1],
                            current_date=current[0], verification_due=meter.verification_due)

    # ---------------------------------------------------------------- the building (Section 4)
    def _read_buildings(self, building_ids: set[int]) -> None:
        new = sorted(building_ids - set(self.buildings))
        if not new:
            return
        volumes = sources.building_volumes(new, self.period)
        meters: dict[tuple[int, int], sources.MeterFacts] = {}
        for meter in sources.meter_readings(new, self.period, building=True):
            meters.setdefault((meter.owner_id, meter.service_id), meter)
        for building_id in new:
            self.buildings[building_id] = self._building(building_id, volumes, meters)

    def _building(self, building_id: int, volumes: dict, meters: dict) -> tuple[BuildingFigure, ...]:
        figures = []
        for common_id, resource_code in sorted(self.resources.items()):
            resource = self.by_code.get(resource_code)
            if resource is None:
                continue
            norm = self._norm(building_id, common_id)
            meter = meters.get((building_id, resource.id))
            unit = UNITS.get(resource.unit, resource.unit)
            figures.append(BuildingFigure(
                service=resource.name, unit=unit, common_norm=norm, norm_unit=f"{unit}/м² общ. имущ.",
                individual_total=volumes.get((building_id, resource.id)),
                common_total=volumes.get((building_id, common_id)),
                meter_previous=meter.previous[1] if meter and meter.previous else None,
                meter_current=meter.current[1] if meter and meter.current else None))
        return tuple(figures)

    def _norm(self, building_id: int, service_id: int) -> Decimal | None:
        matching = [(b is None, value) for b, s, _basis, value in self.norms
                    if s == service_id and b in (None, building_id)]
        return min(matching)[1] if matching else None


def _recipient_order(moves: list[sources.Movement], services: tuple[ServiceLine, ...],
                     organisations: dict[int, Organisation]) -> list[int]:
    """Recipients in the order of their first service on the document, then those with only a balance."""
    by_code = {o.code: i for i, o in organisations.items()}
    order = list(dict.fromkeys(by_code[line.recipient] for line in services))
    return order + sorted({m.supplier_id for m in moves if m.supplier_id is not None} - set(order))


@dataclass
class _Inputs:
    """What :mod:`.sources` says about a set of accounts, grouped by account."""

    facts: dict
    movements: dict
    details: dict
    recalcs: dict
    meters: dict
    gis: dict
    paid_on: dict
    balances: dict
    instalments: dict

    @classmethod
    def read(cls, account_ids: list[int], period: Period) -> _Inputs:
        def by_account(rows, key=lambda row: row.account_id) -> dict:
            grouped = defaultdict(list)
            for row in rows:
                grouped[key(row)].append(row)
            return grouped

        return cls(
            facts=sources.account_facts(account_ids, period),
            movements=by_account(sources.ledger_movements(account_ids, period)),
            details=by_account(sources.charge_details(account_ids, period)),
            recalcs=by_account(sources.recalculations(account_ids, period)),
            meters=by_account(sources.meter_readings(account_ids, period), key=lambda m: m.owner_id),
            gis=sources.gis_service_ids(account_ids, period),
            paid_on=sources.last_payment_dates(account_ids, period.end - timedelta(days=1)),
            balances=sources.ledger_balances(account_ids, period),
            instalments=sources.instalments(account_ids, period))
