"""The one reader of the ledger: ``billing_ledger`` (every posted entry) and ``billing_balance`` (each
closed period's closing snapshot), for a set of accounts at once, in exact kopecks.

``billing_ledger`` is a view (billing migration 0017): the stored entries (``billing_entry``:
payments, penalties, corrections, the charges of runs posted by copy before) and the lines of each
run posted as itself. Posting a period (:func:`post_runs`) copies nothing: it marks the period's runs
posted, and their lines are then its charge and recalculation entries — as immutable as stored
entries, by the guards on the lines of a posted run. What only stored entries can be (payments,
penalties, corrections: no line is of those kinds) is read from ``billing_entry`` itself, so that
those reads never scan the lines.

Every caller that needs sums of the ledger — the payments' allocation (debts, advances), the cash
desk and the card (where an account stands), the card's months, the documents (opening balance and
the period's movements), the API (balances by period) — reads them here, so that they never
disagree and so that the ledger's storage can change under them (issue 12) in this module only.

Sums are taken in SQL over integer kopecks (:func:`raschet.store.exact.units`), exact on SQLite
(which keeps numerics as floating point) and PostgreSQL alike; a set of accounts goes as one array
parameter on PostgreSQL and as chunks of placeholders on SQLite.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection

from raschet.domain.periods import Period
from raschet.ids import draw_id
from raschet.statements import fetch
from raschet.store.exact import units
from raschet.store.sql import by_ids, in_ids

KOPECKS = units("amount")
ZERO = Decimal("0.00")


def _money(kopecks: int) -> Decimal:
    return Decimal(kopecks).scaleb(-2)


def _select(sql: str, params: Sequence) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _exact(value: int, scale: int) -> Decimal:
    """Integer units of 10^-scale as a decimal of exactly ``scale`` places (a zero too, as a model's
    field gives it: ``0.00``, not ``0E-2``)."""
    return Decimal(int(value)).scaleb(-scale).quantize(Decimal(1).scaleb(-scale))


# ---------------------------------------------------------------- posting

def post_runs(period: Period, done: str, posted: str, posted_at, full_scope: str) -> int:
    """Post ``period``: its runs in state ``done`` (not simulations) become ``posted``, with a place in
    the ledger drawn from the entries' id sequence (``ledger_mark``: what a kept penalty state reads
    as "posted after me"); from then on their lines are the ledger's entries of the period. Returns
    how many lines that is. One statement per step, in the caller's transaction (which holds the
    period's lock): seconds at any size, where copying the lines into entries took minutes."""
    mark = draw_id("billing_entry")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE billing_calcrun SET status = %s, posted_at = %s, ledger_mark = %s "
                       "WHERE period = %s AND status = %s AND simulate = %s RETURNING scope, lines",
                       [posted, posted_at, mark, str(period), done, False])
        runs = cursor.fetchall()
        if len(runs) == 1 and runs[0][0] == full_scope:
            # one full run alone: its count is exact (every unit's lines and the recalculations'); a
            # partial run after it takes some of its lines away, and then they are counted (15 M
            # lines at 1.5 M accounts are seconds to count)
            return int(runs[0][1])
        cursor.execute("SELECT COUNT(*) FROM billing_chargeline l JOIN billing_calcrun r ON r.id = l.run_id "
                       "WHERE l.period = %s AND r.period = %s AND r.ledger_mark = %s",
                       [str(period), str(period), mark])
        return int(cursor.fetchone()[0])


def last_mark() -> int:
    """The ledger's latest place (0 for an empty ledger): the greatest entry id or run mark, read
    from each table's own key, not by scanning the view."""
    rows = _select("SELECT COALESCE(MAX(m), 0) FROM (SELECT MAX(id) AS m FROM billing_entry UNION ALL "
                   "SELECT MAX(ledger_mark) FROM billing_calcrun) marks", [])
    return int(rows[0][0])


# ---------------------------------------------------------------- what is owed and held

def principal(account_ids: Iterable[int]) -> list[tuple[int, str, int, int, Decimal]]:
    """(account, accrual period, service, supplier, balance) of every accrual period × service ×
    supplier of the accounts with a positive balance, penalties left out, ordered by those keys."""
    # Paid-up groups are left in SQL: after a year of monthly payments they are four in five.
    rows = by_ids(f"""SELECT account_id, ref_period, service_id, supplier_id, SUM({KOPECKS})
                      FROM billing_ledger WHERE account_id IN ({{ids}}) AND service_id IS NOT NULL
                      AND kind <> 'penalty' GROUP BY account_id, ref_period, service_id, supplier_id
                      HAVING SUM({KOPECKS}) > 0""", [], account_ids)
    rows.sort()  # by the group's keys: they are unique, so the sum never decides
    return [(a, ref, service, supplier, _money(kopecks)) for a, ref, service, supplier, kopecks in rows]


def advances(account_ids: Iterable[int]) -> dict[int, list[tuple[int, Decimal, Period | None]]]:
    """The advance each account holds, per payment it came from, oldest payment first, with the
    period that payment's payer named (its advance is designated to it, domain.md §7 rule 1)."""
    rows = by_ids(f"""SELECT e.account_id, e.payment_id, MAX(p.named_period), SUM({units("e.amount")})
                      FROM billing_entry e LEFT JOIN payments_payment p ON p.id = e.payment_id
                      WHERE e.account_id IN ({{ids}}) AND e.service_id IS NULL AND e.kind = 'payment'
                      GROUP BY e.account_id, e.payment_id""", [], account_ids)
    result: dict[int, list[tuple[int, Decimal, Period | None]]] = defaultdict(list)
    for account_id, payment_id, named, kopecks in sorted(rows, key=lambda r: (r[0], r[1] or 0)):
        if kopecks < 0:
            result[account_id].append((payment_id, _money(-kopecks), Period.parse(named) if named else None))
    return result


def penalties(account_ids: Iterable[int]) -> dict[int, Decimal]:
    """The penalties each account has been charged in all (entries of kind ``penalty``)."""
    rows = by_ids(f"SELECT account_id, SUM({KOPECKS}) FROM billing_entry WHERE kind = 'penalty' "
                  "AND account_id IN ({ids}) GROUP BY account_id", [], account_ids)
    return {account_id: _money(kopecks) for account_id, kopecks in rows}


def balances(account_ids: Iterable[int], period: Period) -> dict[int, Decimal]:
    """Each account's balance at the end of ``period`` straight from the entries (every entry posted
    up to the period, no snapshot): what a payment document's total must equal."""
    rows = by_ids(f"SELECT account_id, SUM({KOPECKS}) FROM billing_ledger WHERE period <= %s "
                  "AND account_id IN ({ids}) GROUP BY account_id", [str(period)], account_ids)
    return {account_id: _money(kopecks) for account_id, kopecks in rows}


# ---------------------------------------------------------------- movements by period

@dataclass(frozen=True)
class Movement:
    """A sum of the ledger per account × supplier × service: ``kind`` is ``opening`` (the balance at
    the start of the period) or the kind of the period's entries (charge, recalc, correction,
    payment, penalty). No supplier and no service: the advance not yet allotted."""

    account_id: int
    supplier_id: int | None
    service_id: int | None
    kind: str
    amount: Decimal


def movements(account_ids: Sequence[int], period: Period) -> list[Movement]:
    """The opening balance and the period's entries by kind: the last closed period's snapshot before
    ``period`` (billing_balance) and the entries after it, up to ``period`` (billing_ledger)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT MAX(period) FROM billing_balance WHERE period < %s", [str(period)])
        snapshot = cursor.fetchone()[0] or ""
    sums: dict[tuple, int] = defaultdict(int)
    if snapshot:
        for account_id, supplier_id, service_id, kopecks in by_ids(
                f"SELECT account_id, supplier_id, service_id, {units('closing')} FROM billing_balance "
                "WHERE period = %s AND account_id IN ({ids})", [snapshot], account_ids):
            sums[(account_id, supplier_id, service_id, "opening")] += kopecks
    for account_id, supplier_id, service_id, kind, kopecks in by_ids(
            f"""SELECT account_id, supplier_id, service_id, CASE WHEN period < %s THEN 'opening' ELSE kind END,
                       SUM({KOPECKS}) FROM billing_ledger
                WHERE period > %s AND period <= %s AND account_id IN ({{ids}}) GROUP BY 1, 2, 3, 4""",
            [str(period), snapshot, str(period)], account_ids):
        sums[(account_id, supplier_id, service_id, kind)] += kopecks
    return [Movement(a, o, s, k, _money(v)) for (a, o, s, k), v in sorted(
        sums.items(), key=lambda item: (item[0][0], item[0][1] or 0, item[0][2] or 0, item[0][3])) if v]


def sums_by_period(account_id: int) -> dict[Period, dict[str, Decimal]]:
    """One account's entries summed per posting period and kind, over all periods (one query)."""
    rows = fetch(f"SELECT period, kind, SUM({KOPECKS}) FROM billing_ledger WHERE account_id = %s "
                 "GROUP BY period, kind", [account_id])
    sums: dict[Period, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for period, kind, kopecks in rows:
        sums[Period.parse(period)][kind] += _money(kopecks)
    return sums


def period_sums(account_id: int, first: Period, last: Period) -> tuple[Decimal, dict[str, dict[str, Decimal]]]:
    """One account's balance before ``first`` and its entries of each period ``first`` … ``last`` by
    kind, in one statement: the last closed period's snapshot before ``first`` (billing_balance) plus
    the entries after it. The same sums as :func:`movements` per period: a closed period's snapshot
    is the sum of the entries up to it, which can no longer change."""
    rows = fetch(f"""
            WITH snapshot AS (SELECT COALESCE(MAX(period), '') AS period FROM billing_balance WHERE period < %s)
            SELECT '', 'opening', SUM({units('b.closing')}) FROM billing_balance b, snapshot s
             WHERE b.period = s.period AND b.account_id = %s
            UNION ALL
            SELECT CASE WHEN e.period < %s THEN '' ELSE e.period END, CASE WHEN e.period < %s THEN 'opening'
                   ELSE e.kind END, SUM({KOPECKS}) FROM billing_ledger e, snapshot s
             WHERE e.account_id = %s AND e.period > s.period AND e.period <= %s GROUP BY 1, 2""",
                 [str(first), account_id, str(first), str(first), account_id, str(last)])
    opening = Decimal(0)
    kinds: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for period, kind, kopecks in rows:
        if kopecks is None:
            continue
        amount = _money(kopecks)
        if kind == "opening":
            opening += amount
        else:
            kinds[period][kind] = kinds[period].get(kind, Decimal(0)) + amount
    return opening.quantize(ZERO), dict(kinds)


# ---------------------------------------------------------------- what a subscriber owes, by part

@dataclass(frozen=True)
class Part:
    """A sum of one account's ledger per accrual period × service × supplier, of either sign (a
    recalculation can leave a paid part below zero). ``penalty``: the part is penalties (their entries
    have no service, or the service of the late charge), kept apart from the principal of that key."""

    ref_period: str
    service_id: int | None
    supplier_id: int | None
    penalty: bool
    amount: Decimal


def owed(account_ids: Iterable[int], *, penalties: bool) -> dict[int, list[Part]]:
    """What each account owes, part by part: the principal only (``penalties=False``: charges,
    recalculations, corrections and the payments allotted to them) or the principal and the
    penalties (``penalties=True``). The advance no charge has taken is apart (:func:`advances`)."""
    kinds = "(service_id IS NOT NULL OR kind = 'penalty')" if penalties else \
        "service_id IS NOT NULL AND kind <> 'penalty'"
    rows = by_ids(f"""SELECT account_id, ref_period, service_id, supplier_id,
                             CASE WHEN kind = 'penalty' THEN 1 ELSE 0 END, SUM({KOPECKS})
                      FROM billing_ledger WHERE {kinds} AND account_id IN ({{ids}})
                      GROUP BY account_id, ref_period, service_id, supplier_id, CASE WHEN kind = 'penalty' THEN 1 ELSE 0 END""",
                  [], account_ids)
    parts: dict[int, list[Part]] = defaultdict(list)
    for account_id, ref, service, supplier, penalty, kopecks in sorted(
            rows, key=lambda r: (r[0], r[1], r[4], r[2] or 0, r[3] or 0)):
        parts[account_id].append(Part(ref, service, supplier, bool(penalty), _exact(kopecks, 2)))
    return parts


@dataclass(frozen=True)
class Posted:
    """One entry as posted: ``line_id`` is the calculated line it was copied from (charges and
    recalculations), ``volume`` its volume when it has one."""

    id: int
    service_id: int | None
    supplier_id: int | None
    kind: str
    ref_period: str
    volume: Decimal | None
    amount: Decimal
    reason: str
    line_id: int | None


def posted(account_id: int, period: Period, kinds: Sequence[str]) -> list[Posted]:
    """One account's entries of ``kinds`` posted in ``period``, by service name, accrual period, id."""
    marks = ", ".join(["%s"] * len(kinds))
    rows = _select(f"""SELECT e.id, e.service_id, e.supplier_id, e.kind, e.ref_period, {units("e.volume", 6)},
                            {units("e.amount")}, e.reason, e.line_id
                     FROM billing_ledger e LEFT JOIN tariffs_service s ON s.id = e.service_id
                     WHERE e.account_id = %s AND e.period = %s AND e.kind IN ({marks})
                     ORDER BY s.name, e.ref_period, e.mark, e.line_id, e.id""", [account_id, str(period), *kinds])
    return [Posted(pk, service, supplier, kind, ref, None if volume is None else _exact(volume, 6),
                   _exact(kopecks, 2), reason, line) for pk, service, supplier, kind, ref, volume, kopecks, reason, line in rows]


# ---------------------------------------------------------------- payments as posted

@dataclass(frozen=True)
class PaymentEntry:
    """A payment's entry: an allocation (with a service and a supplier, by their codes) or the
    advance (neither); the payment's day and the period its payer named, if any."""

    account_id: int
    period: str
    ref_period: str
    service: str | None
    supplier: str | None
    payment_id: int | None
    paid_on: date | None
    named_period: str
    amount: Decimal


def payment_entries() -> list[PaymentEntry]:
    """Every entry of kind ``payment`` in the ledger, by the payment's day, the payment, the entry."""
    rows = _select(f"""SELECT e.account_id, e.period, e.ref_period, s.code, o.code, e.payment_id,
                            CAST(p.paid_on AS TEXT), p.named_period, {units("e.amount")}
                     FROM billing_entry e LEFT JOIN tariffs_service s ON s.id = e.service_id
                     LEFT JOIN tariffs_organization o ON o.id = e.supplier_id
                     LEFT JOIN payments_payment p ON p.id = e.payment_id
                     WHERE e.kind = 'payment' ORDER BY p.paid_on, e.payment_id, e.id""", [])
    return [PaymentEntry(account_id, period, ref, service, supplier, payment_id,
                         date.fromisoformat(paid_on) if paid_on else None, named or "", _exact(kopecks, 2))
            for account_id, period, ref, service, supplier, payment_id, paid_on, named, kopecks in rows]


def collected_by_supplier(first: date, last: date) -> list[tuple[date, int | None, str | None, str, str, int]]:
    """(day, supplier id, code, name, INN, kopecks collected) per payment day in ``[first, last]`` and
    supplier of the allocations; the advance kept is the row without a supplier. The agents'
    settlements with the suppliers (``payments.settlements``)."""
    rows = _select(f"""SELECT CAST(p.paid_on AS TEXT), e.supplier_id, o.code, o.name, o.inn, -SUM({units("e.amount")})
                       FROM billing_entry e JOIN payments_payment p ON p.id = e.payment_id
                       LEFT JOIN tariffs_organization o ON o.id = e.supplier_id
                       WHERE e.kind = 'payment' AND p.paid_on >= %s AND p.paid_on <= %s
                       GROUP BY p.paid_on, e.supplier_id, o.code, o.name, o.inn""", [first, last])
    return [(date.fromisoformat(str(day)[:10]), supplier_id, code, name, inn, int(kopecks))
            for day, supplier_id, code, name, inn, kopecks in rows]


# ---------------------------------------------------------------- a period's lines of a payment document

def recalculations(account_ids: Iterable[int], period: Period) -> list[tuple[int, int, int, str, str, Decimal]]:
    """(account, supplier, service, accrual period, reason, amount) of the recalculations and
    corrections posted in ``period``, by account, service, accrual period; sums of zero left out."""
    rows = by_ids(f"""SELECT account_id, supplier_id, service_id, ref_period, reason, SUM({KOPECKS})
                      FROM billing_ledger WHERE period = %s AND kind IN ('recalc', 'correction')
                      AND account_id IN ({{ids}}) GROUP BY account_id, supplier_id, service_id, ref_period, reason
                      ORDER BY account_id, service_id, ref_period""", [str(period)], account_ids)
    return [(a, o, s, ref, reason, _exact(kopecks, 2)) for a, o, s, ref, reason, kopecks in rows if kopecks]


def building_volumes(building_ids: Iterable[int], period: Period) -> dict[tuple[int, int], Decimal]:
    """The volume charged in ``period`` per (building, service) over all the building's accounts."""
    rows = by_ids(f"""SELECT p.building_id, e.service_id, SUM({units('COALESCE(e.volume, 0)', 6)})
                      FROM billing_ledger e JOIN housing_account a ON a.id = e.account_id
                      JOIN housing_premises p ON p.id = a.premises_id
                      WHERE e.period = %s AND e.kind = 'charge' AND p.building_id IN ({{ids}})
                      GROUP BY p.building_id, e.service_id""", [str(period)], building_ids)
    return {(building_id, service_id): Decimal(int(volume)).scaleb(-6) for building_id, service_id, volume in rows}


# ---------------------------------------------------------------- set-based reads for a statement of the caller's

def last_snapshot(before: Period) -> str:
    """The latest closed period before ``before`` that keeps its closing balances (billing_balance),
    or ``""`` when none does."""
    rows = _select("SELECT MAX(period) FROM billing_balance WHERE period < %s", [str(before)])
    return rows[0][0] or ""


def balances_and_entries(snapshot: str, last: Period) -> tuple[str, list]:
    """SQL (and its parameters) of a subquery for the caller's own aggregate: the closing balances of
    the period ``snapshot`` (none for ``""``) as rows of period ``''`` and kind ``balance``, then every
    entry posted after it up to ``last``. Columns ``account_id, service_id, supplier_id, period, kind,
    kopecks`` (integer kopecks: the caller sums them exactly). The closing, the turnover sheet: a set
    of rows too large for Python, summed where it lies."""
    return (f"""SELECT account_id, service_id, supplier_id, '' AS period, 'balance' AS kind, {units("closing")} AS kopecks
                  FROM billing_balance WHERE period = %s
                UNION ALL
                SELECT account_id, service_id, supplier_id, period, kind, {KOPECKS}
                  FROM billing_ledger WHERE period > %s AND period <= %s""", [snapshot, snapshot, str(last)])


def charges_query(account_ids: Sequence[int] | None, first: Period, last: Period, *, heating_only: bool = False,
                  volume: bool = False) -> tuple[str, list]:
    """SQL (and its parameters) of the charges and recalculations posted for the accrual periods
    ``first`` … ``last``, per account × service code × supplier code: ``account_id, service, supplier,
    kopecks`` and with ``volume`` the volume in 10⁻⁶ — for a frame (``store.frames.read_frame``,
    COPY on PostgreSQL). ``account_ids`` None: every account; ``heating_only``: services of kind heating."""
    where, ids = in_ids("e.account_id", account_ids)
    heating = " AND s.kind = 'heating'" if heating_only else ""
    volumes = f", SUM({units('COALESCE(e.volume, 0)', 6)})" if volume else ""
    periods, bounds = ("e.ref_period = %s", [str(first)]) if first == last else \
        ("e.ref_period >= %s AND e.ref_period <= %s", [str(first), str(last)])
    return (f"""SELECT e.account_id, s.code, o.code, SUM({units("e.amount")}){volumes}
                FROM billing_ledger e JOIN tariffs_service s ON s.id = e.service_id
                JOIN tariffs_organization o ON o.id = e.supplier_id
                WHERE {periods}{heating} AND e.kind IN ('charge', 'recalc'){where}
                GROUP BY e.account_id, s.code, o.code""", [*bounds, *ids])


def _month_index(column: str) -> str:
    """SQL for the month number of a ``YYYY-MM`` column, the same on SQLite and PostgreSQL."""
    return f"(CAST(substr({column}, 1, 4) AS INTEGER) * 12 + CAST(substr({column}, 6, 2) AS INTEGER))"


def debt_by_age(as_of: Period, ages: Sequence[tuple[int, int | None]], building: str = "") -> dict[int, tuple[int, Decimal]]:
    """The principal owed at the end of ``as_of`` (entries posted up to it for accrual periods up to it,
    penalties apart), only the parts owed (> 0) of each accrual period × service × supplier, by the
    age of the accrual period in months: for the index of each ``(low, high)`` of ``ages`` (``high``
    None: no bound) the number of accounts owing and the amount; one building's (by code) or all."""
    age = f"({as_of.year * 12 + as_of.month} - {_month_index('d.ref_period')})"
    cases = " ".join(f"WHEN {age} >= {int(low)}" + (f" AND {age} <= {int(high)}" if high is not None else "")
                     + f" THEN {n}" for n, (low, high) in enumerate(ages))
    where, params = "", [str(as_of), str(as_of)]
    if building:
        where = ("AND e.account_id IN (SELECT a.id FROM housing_account a JOIN housing_premises p ON p.id = "
                 "a.premises_id JOIN housing_building b ON b.id = p.building_id WHERE b.code = %s)")
        params.append(building)
    rows = _select(f"""SELECT CASE {cases} ELSE 0 END AS bucket, COUNT(DISTINCT d.account_id), SUM(d.kopecks) FROM (
                       SELECT e.account_id, e.ref_period, e.service_id, e.supplier_id, SUM({KOPECKS}) AS kopecks
                       FROM billing_ledger e WHERE e.service_id IS NOT NULL AND e.kind <> 'penalty' AND e.ref_period <= %s
                       AND e.period <= %s
                       {where} GROUP BY e.account_id, e.ref_period, e.service_id, e.supplier_id) d
                     WHERE d.kopecks > 0 GROUP BY 1 ORDER BY 1""", params)
    return {int(bucket): (accounts, Decimal(kopecks or 0).scaleb(-2)) for bucket, accounts, kopecks in rows}
