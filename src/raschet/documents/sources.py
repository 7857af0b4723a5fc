"""Everything a payment document needs from the rest of Raschet, read in bulk for a set of accounts.

This is the only module of the documents app that reads the tables of billing, payments, housing,
metering and tariffs. The ledger's storage is being redesigned (issue 12: narrow lines, a ledger
reader in ``store/``), so each function here is narrow, returns plain records, and says which tables
it reads: re-pointing the app at the new storage means rewriting this module only.

Every function takes account (or building) ids and answers for all of them at once, a few queries
per call whatever the number of accounts. Money and volumes are summed and selected as integer units
in SQL (``billing.exact.units``): exact on SQLite, which keeps numerics as floating point, and on
PostgreSQL alike.

Penalties are read from the ledger (entries of kind ``penalty``); instalments (Section 5) from debt
work (``claims``); :func:`penalty_details` (how each penalty was computed) still answers empty.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection

from raschet.domain.periods import Period
from raschet.store import ledger
from raschet.store.exact import units
from raschet.store.ledger import Movement
from raschet.store.sql import by_ids

READING_LOOKBACK_DAYS = 3 * 366  # a previous reading older than this is not printed


def _decimal(value: int | None, scale: int) -> Decimal | None:
    return None if value is None else Decimal(int(value)).scaleb(-scale)


_rows = by_ids  # the store's array-or-chunks helper, for this module's own reads


# ---------------------------------------------------------------- periods, scope, accounts

def period_state(period: Period) -> str | None:
    """The state of ``period`` (open, calculated, posted, closed) or None (billing_billingperiod)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT state FROM billing_billingperiod WHERE period = %s", [str(period)])
        row = cursor.fetchone()
    return row[0] if row else None


@dataclass(frozen=True)
class Placed:
    """An account and where its premises are, for the delivery order."""

    account_id: int
    number: str
    building_id: int
    building_code: str
    building_address: str
    entrance: int | None
    premises: str


def accounts_in_scope(period: Period, building_ids: Sequence[int] | None = None,
                      account_numbers: Sequence[str] | None = None) -> list[Placed]:
    """Accounts open during ``period`` (all, or those of the buildings / with the numbers given), with
    their building, entrance and premises (housing_account, housing_premises, housing_building)."""
    sql = """SELECT a.id, a.number, b.id, b.code, b.address, p.entrance, p.number
             FROM housing_account a JOIN housing_premises p ON p.id = a.premises_id
             JOIN housing_building b ON b.id = p.building_id
             WHERE a.opened < %s AND (a.closed IS NULL OR a.closed > %s)"""
    params: list = [period.end, period.start]
    if building_ids is None and account_numbers is None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
    else:
        rows = _rows(sql + " AND b.id IN ({ids})", params, building_ids or [])
        rows += _rows(sql + " AND a.number IN ({ids})", params, account_numbers or [], cast="text")
    return [Placed(*row) for row in dict.fromkeys(rows)]


@dataclass(frozen=True)
class AccountFacts:
    """Section 1 of one account on the last day of the period."""

    number: str
    els: str
    payer: str
    address: str
    premises: str
    building_id: int
    share: Decimal
    total_area: Decimal | None
    residents: int


def account_facts(account_ids: Sequence[int], period: Period) -> dict[int, AccountFacts]:
    """Number, ЕЛС, payer, address, share, the premises' area and the residents on the period's last day
    (housing_account, housing_premises, housing_building, housing_premisesarea, housing_residentcount,
    housing_registration)."""
    day = period.end - timedelta(days=1)
    base = _rows(f"""SELECT a.id, a.number, a.els, a.payer, b.address, p.number, b.id, {units('a.share', 6)},
                            (SELECT {units('pa.value', 4)} FROM housing_premisesarea pa WHERE pa.premises_id = p.id
                               AND pa.valid_from <= %s AND (pa.valid_to IS NULL OR pa.valid_to > %s)
                             ORDER BY pa.valid_from DESC LIMIT 1)
                     FROM housing_account a JOIN housing_premises p ON p.id = a.premises_id
                     JOIN housing_building b ON b.id = p.building_id WHERE a.id IN ({{ids}})""",
                 [day, day], account_ids)
    residents = _residents(account_ids, day)
    return {row[0]: AccountFacts(number=row[1], els=row[2], payer=row[3], address=row[4], premises=row[5],
                                 building_id=row[6], share=_decimal(row[7], 6), total_area=_decimal(row[8], 4),
                                 residents=residents.get(row[0], 0)) for row in base}


def _residents(account_ids: Sequence[int], day: date) -> dict[int, int]:
    """The resident count that overrides registrations on ``day``, else the registrations."""
    dated = "valid_from <= %s AND (valid_to IS NULL OR valid_to > %s)"
    counts = dict(_rows(f"SELECT account_id, count FROM housing_residentcount WHERE {dated} "
                        "AND account_id IN ({ids})", [day, day], account_ids))
    registered = dict(_rows(f"SELECT account_id, COUNT(*) FROM housing_registration WHERE {dated} "
                            "AND account_id IN ({ids}) GROUP BY account_id", [day, day], account_ids))
    return {account_id: counts.get(account_id, registered.get(account_id, 0))
            for account_id in set(counts) | set(registered)}


def gis_service_ids(account_ids: Sequence[int], period: Period) -> dict[int, list[tuple[str, str]]]:
    """(service name, ИЖКУ) of the account's services in force during the period that have one
    (tariffs_accountservice, tariffs_service)."""
    rows = _rows("""SELECT s2.account_id, s.name, s2.gis_service_id FROM tariffs_accountservice s2
                    JOIN tariffs_service s ON s.id = s2.service_id
                    WHERE s2.gis_service_id <> '' AND s2.valid_from < %s AND (s2.valid_to IS NULL OR s2.valid_to > %s)
                    AND s2.account_id IN ({ids})""", [period.end, period.start], account_ids)
    out: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for account_id, name, gis_id in sorted(rows):
        out[account_id].append((name, gis_id))
    return dict(out)


# ---------------------------------------------------------------- reference data

@dataclass(frozen=True)
class OrganisationRow:
    id: int
    code: str
    name: str
    roles: tuple[str, ...]
    inn: str
    kpp: str
    bank_name: str
    bic: str
    settlement_account: str
    corr_account: str


def organisations() -> dict[int, OrganisationRow]:
    """Every organisation with its bank details (tariffs_organization)."""
    import json

    with connection.cursor() as cursor:
        cursor.execute("SELECT id, code, name, roles, inn, kpp, bank_name, bic, settlement_account, corr_account "
                       "FROM tariffs_organization")
        rows = cursor.fetchall()
    out = {}
    for row in rows:
        roles = row[3] if isinstance(row[3], list) else json.loads(row[3] or "[]")
        out[row[0]] = OrganisationRow(row[0], row[1], row[2], tuple(roles), *row[4:])
    return out


@dataclass(frozen=True)
class ServiceRow:
    id: int
    code: str
    name: str
    kind: str
    unit: str


def services() -> dict[int, ServiceRow]:
    """Every service (tariffs_service)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, code, name, kind, unit FROM tariffs_service")
        return {row[0]: ServiceRow(*row) for row in cursor.fetchall()}


# ---------------------------------------------------------------- the ledger

def ledger_movements(account_ids: Sequence[int], period: Period) -> list[Movement]:
    """The opening balance and the period's entries by kind (the store's ledger reader: the last
    closed period's snapshot before ``period`` and the entries after it, up to ``period``)."""
    return ledger.movements(account_ids, period)


def ledger_balances(account_ids: Sequence[int], period: Period) -> dict[int, Decimal]:
    """Each account's balance at the end of ``period`` straight from the ledger's entries: what the
    document's total must equal."""
    return ledger.balances(account_ids, period)


@dataclass(frozen=True)
class ChargeDetail:
    """One posted charge line of the period: how its amount was computed (billing_chargeline)."""

    account_id: int
    supplier_id: int
    service_id: int
    amount: Decimal
    volume: Decimal
    tariff: Decimal
    factor: Decimal
    excess: Decimal
    method: str
    volume_source: str
    zone: str


def charge_details(account_ids: Sequence[int], period: Period) -> list[ChargeDetail]:
    """The period's posted charge lines: the lines its ``charge`` entries were posted from
    (billing_chargeline of runs in state ``posted``; read by account, not through the entries, whose
    join with the month's lines PostgreSQL hashes over the whole partition)."""
    rows = _rows(f"""SELECT l.account_id, l.supplier_id, l.service_id, {units('l.amount')},
                            {units('COALESCE(l.volume, 0)', 6)}, {units('l.tariff', 6)}, {units('l.factor', 4)},
                            {units('l.excess_amount')}, l.method, l.volume_source, l.zone
                     FROM billing_chargeline l JOIN billing_calcrun r ON r.id = l.run_id
                     WHERE l.period = %s AND l.kind = 'charge' AND r.status = 'posted' AND r.simulate = %s
                       AND l.account_id IN ({{ids}})
                     ORDER BY l.account_id, l.service_id, l.date_from, l.zone""", [str(period), False], account_ids)
    return [ChargeDetail(a, o, s, _decimal(amount, 2), _decimal(volume, 6), _decimal(tariff, 6),
                         _decimal(factor, 4), _decimal(excess, 2), method, source, zone)
            for a, o, s, amount, volume, tariff, factor, excess, method, source, zone in rows]


@dataclass(frozen=True)
class RecalcEntry:
    account_id: int
    supplier_id: int
    service_id: int
    ref_period: str
    reason: str
    amount: Decimal


def recalculations(account_ids: Sequence[int], period: Period) -> list[RecalcEntry]:
    """The period's recalculations and corrections with their reasons (the store's ledger reader)."""
    return [RecalcEntry(*row) for row in ledger.recalculations(account_ids, period)]


def last_payment_dates(account_ids: Sequence[int], until: date) -> dict[int, date]:
    """The date of each account's last payment not reversed, up to ``until`` (payments_payment)."""
    rows = _rows("SELECT account_id, MAX(paid_on) FROM payments_payment WHERE state <> 'reversed' "
                 "AND paid_on <= %s AND account_id IN ({ids}) GROUP BY account_id", [until], account_ids)
    return {account_id: day if isinstance(day, date) else date.fromisoformat(day) for account_id, day in rows}


def penalty_details(account_ids: Sequence[int], period: Period) -> dict[int, list[tuple[int, str]]]:
    """How each penalty of the period was computed, per (supplier id, text): issue 13 — empty until
    then; the penalty amounts themselves are in :func:`ledger_movements` (kind ``penalty``)."""
    return {}


@dataclass(frozen=True)
class InstalmentPart:
    """This period's part of an instalment agreement of debt work (``claims``), for Section 5."""

    agreement: str
    of_period: Decimal
    of_past: Decimal
    interest: Decimal
    interest_percent: Decimal
    total: Decimal


def instalments(account_ids: Sequence[int], period: Period) -> dict[int, InstalmentPart]:
    """Instalment agreements in force with a part due in ``period`` (Section 5), from debt work
    (``claims.services.instalment_sections``: claims_instalment, claims_instalmentitem)."""
    from raschet.claims.services import instalment_sections

    return {account_id: InstalmentPart(
        agreement=section["agreement"], of_period=Decimal(section["payment"]), of_past=Decimal(section["remaining"]),
        interest=Decimal(section["interest"]), interest_percent=Decimal(section["interest_percent"]),
        total=Decimal(section["total"])) for account_id, section in instalment_sections(account_ids, period).items()}


# ---------------------------------------------------------------- meters and the building

@dataclass(frozen=True)
class MeterFacts:
    """A meter register's reading before the period and its last reading in it."""

    owner_id: int  # the account (individual meter) or the building (building meter)
    service_id: int
    serial: str
    zone: str
    verification_due: date | None
    previous: tuple[date, Decimal] | None
    current: tuple[date, Decimal] | None


def meter_readings(owner_ids: Sequence[int], period: Period, building: bool = False) -> list[MeterFacts]:
    """Individual meters of the accounts (or building meters of the buildings) in service during the
    period, each register with its last reading before the period and its last one inside it
    (metering_meter, metering_reading)."""
    owner = "m.building_id" if building else "m.account_id"
    scope = "building" if building else "premises"
    since = period.start - timedelta(days=READING_LOOKBACK_DAYS)
    rows = _rows(f"""SELECT owner, service_id, serial, zone, due, inside, day, value FROM (
                       SELECT {owner} AS owner, m.service_id, COALESCE(NULLIF(m.serial, ''), m.code) AS serial,
                              r.zone, m.verification_due AS due, CASE WHEN r.date >= %s THEN 1 ELSE 0 END AS inside,
                              r.date AS day, {units('r.value', 7)} AS value, ROW_NUMBER() OVER (
                                PARTITION BY r.meter_id, r.zone, CASE WHEN r.date >= %s THEN 1 ELSE 0 END
                                ORDER BY r.date DESC) AS n
                       FROM metering_meter m JOIN metering_reading r ON r.meter_id = m.id
                       WHERE m.scope = %s AND r.date >= %s AND r.date < %s
                         AND (m.installed IS NULL OR m.installed < %s) AND (m.removed IS NULL OR m.removed >= %s)
                         AND {owner} IN ({{ids}})) x WHERE n = 1""",
                 [period.start, period.start, scope, since, period.end, period.end, period.start], owner_ids)
    registers: dict[tuple, dict] = {}
    for owner_id, service_id, serial, zone, due, inside, day, value in rows:
        key = (owner_id, service_id, serial, zone)
        entry = registers.setdefault(key, {"due": _day(due)})
        entry["current" if inside else "previous"] = (_day(day), _decimal(value, 7))
    return [MeterFacts(*key, facts["due"], facts.get("previous"), facts.get("current"))
            for key, facts in sorted(registers.items(), key=lambda item: (item[0][0], item[0][1], item[0][2]))]


def _day(value) -> date | None:
    return value if value is None or isinstance(value, date) else date.fromisoformat(str(value))


def building_volumes(building_ids: Sequence[int], period: Period) -> dict[tuple[int, int], Decimal]:
    """The period's charged volume per (building, service) over all its accounts (the store's ledger
    reader)."""
    return ledger.building_volumes(building_ids, period)


def common_norms(period: Period) -> list[tuple[int | None, int, str, Decimal]]:
    """Common-property norms in force on the period's first day: (building id or None for all, service
    id, basis, value) (tariffs_norm)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT building_id, service_id, basis, {units('value', 6)} FROM tariffs_norm "
                       "WHERE kind = 'common' AND valid_from <= %s AND (valid_to IS NULL OR valid_to > %s)",
                       [period.start, period.start])
        return [(b, s, basis, _decimal(v, 6)) for b, s, basis, v in cursor.fetchall()]


def common_needs_resources() -> dict[int, str]:
    """Service id of each common-needs service → the code of the resource it is the common part of
    (the ``resource`` parameter of its rule, tariffs_calcrule)."""
    import json

    with connection.cursor() as cursor:
        cursor.execute("SELECT service_id, params FROM tariffs_calcrule WHERE method = 'common_needs'")
        rows = cursor.fetchall()
    out = {}
    for service_id, params in rows:
        params = params if isinstance(params, dict) else json.loads(params or "{}")
        if params.get("resource"):
            out[service_id] = params["resource"]
    return out
