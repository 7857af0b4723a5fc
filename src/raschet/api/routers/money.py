"""An account's money: its payments, the charge lines of a period with their explanation, and the
balances per period — the same sums as the payment document and the turnover sheet
(``payments.ledger.period_sums``; a test compares them). The balance and charges endpoints are the
API's most asked: each is a few written-out statements rather than ORM queries (bench/api.py)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from django.db import connection
from ninja import Field, Query, Router, Schema
from pydantic import BaseModel

from raschet.api.auth import AUTH
from raschet.api.errors import answers
from raschet.api.pages import Page, PageQuery, page_of
from raschet.api.scope import account_for
from raschet.billing.lines import explanations_of
from raschet.billing.models import ChargeLine, RunStatus, explanation_text
from raschet.domain.errors import ProblemsError, problem
from raschet.domain.periods import Period
from raschet.payments import ledger
from raschet.payments.models import Payment
from raschet.statements import fetch, fetch_one

router = Router(tags=["Начисления и оплаты"], auth=AUTH)
MAX_PERIODS = 36
DEFAULT_PERIODS = 12
PERIOD = r"^\d{4}-\d{2}$"
ZERO = Decimal("0.00")


class PaymentRowOut(Schema):
    id: int
    paid_on: date
    amount: Decimal
    state: str
    source: str
    channel: str
    named_period: str


@router.get("/accounts/{number}/payments", response=answers(s200=Page[PaymentRowOut]),
            summary="Платежи лицевого счёта, новые первыми")
def list_payments(request, number: str, query: Query[PageQuery]):
    rows = Payment.objects.filter(account=account_for(request, number)).order_by("-paid_on", "-id")
    return page_of(rows, query, lambda p: PaymentRowOut(id=p.pk, paid_on=p.paid_on, amount=p.amount, state=p.state,
                                                         source=p.source, channel=p.channel,
                                                         named_period=p.named_period))


def _period(text: str | None, subject: str) -> Period | None:
    if not text:
        return None
    try:
        return Period.parse(text)
    except ValueError as error:
        raise ProblemsError([problem("invalid_period", subject, value=text[:20])]) from error


def kept_periods() -> tuple[Period | None, Period | None]:
    """The first period the installation keeps (none before it has a ledger) and the latest posted one
    (its charges are in the ledger) — one read of the few period rows."""
    first, posted = fetch_one("SELECT MIN(period), MAX(CASE WHEN state IN ('posted', 'closed') THEN period END) "
                              "FROM billing_billingperiod")
    return (Period.parse(first) if first else None, Period.parse(posted) if posted else None)


class Output(BaseModel):
    """An answer built here field by field: a plain pydantic model, which ninja passes on as it is
    (its ``Schema`` would read each field of each line again through a Django-object getter)."""


class ChargeLineOut(Output):
    service: str
    service_name: str
    supplier: str
    kind: str
    ref_period: str
    zone: str
    date_from: date
    date_to: date
    days: int
    method: str
    volume: Decimal
    tariff: Decimal
    factor: Decimal
    amount: Decimal
    reason: str
    explanation: str = Field(..., description="как рассчитано — одной фразой")


class ChargesOut(Output):
    account: str
    period: str | None
    total: Decimal
    lines: list[ChargeLineOut]


class ChargesQuery(Schema):
    period: str | None = Field(None, pattern=PERIOD, description="ГГГГ-ММ; по умолчанию последний проведённый")


LINES = """SELECT s.code, s.name, o.code, l.kind, l.ref_period, l.zone, l.date_from, l.date_to, l.days, l.method,
                     l.volume, l.tariff, l.factor, l.amount, l.reason, l.explanation, l.id, l.run_id
              FROM billing_chargeline l JOIN tariffs_service s ON s.id = l.service_id
                   JOIN tariffs_organization o ON o.id = l.supplier_id
              WHERE l.account_id = %s AND l.period = %s AND l.run_id IN ({runs})
              ORDER BY s.code, l.date_from, l.zone, l.id"""


# the places of volume, tariff, factor and amount, as PostgreSQL's NUMERIC columns give them back
PLACES = tuple(Decimal(1).scaleb(-ChargeLine._meta.get_field(name).decimal_places)
               for name in ("volume", "tariff", "factor", "amount"))


def posted_lines(account_id: int, period: Period) -> list[ChargeLineOut]:
    """The account's lines of the period from its posted runs, in two written-out statements: the
    posted runs (a few rows), then the account's lines by its index (joined with the runs, PostgreSQL
    would intersect the run index, the whole month's lines)."""
    runs = [run for (run,) in fetch("SELECT id FROM billing_calcrun WHERE period = %s AND status = %s AND NOT simulate",
                                    [str(period), str(RunStatus.POSTED)])]
    if not runs:
        return []
    rows = fetch(LINES.format(runs=", ".join(["%s"] * len(runs))), [account_id, str(period), *runs])
    stored_as_is = connection.vendor == "sqlite"  # SQLite gives numbers and dates back as it stores them
    blocks = explanations_of((row[-2], row[-1], account_id) for row in rows if row[-3] is None)
    lines = []
    for (service, service_name, supplier, kind, ref_period, zone, date_from, date_to, days, method, volume, tariff,
         factor, amount, reason, explanation, line_id, _run) in rows:
        if stored_as_is:
            volume, tariff, factor, amount = (None if value is None else Decimal(str(value)).quantize(place)
                                              for value, place in zip((volume, tariff, factor, amount), PLACES,
                                                                      strict=True))
            date_from, date_to = date.fromisoformat(str(date_from)), date.fromisoformat(str(date_to))
        if explanation is None:  # written with its run's blocks
            explanation = blocks.get(line_id)
        elif isinstance(explanation, str):
            explanation = json.loads(explanation)
        lines.append(ChargeLineOut(
            service=service, service_name=service_name, supplier=supplier, kind=kind, ref_period=ref_period,
            zone=zone, date_from=date_from, date_to=date_to, days=days, method=method, volume=volume,
            tariff=tariff, factor=factor, amount=amount, reason=reason,
            explanation=explanation_text(explanation)))
    return lines


@router.get("/accounts/{number}/charges", response=answers(s200=ChargesOut),
            summary="Начисления периода по строкам, с объяснением каждой суммы")
def list_charges(request, number: str, query: Query[ChargesQuery]):
    account = account_for(request, number, light=True)
    period = _period(query.period, "query.period") or kept_periods()[1]
    lines = posted_lines(account.pk, period) if period is not None else []
    return ChargesOut(account=account.number, period=str(period) if period else None,
                      total=sum((line.amount for line in lines), Decimal("0.00")), lines=lines)


class BalanceRowOut(Output):
    period: str
    opening: Decimal
    charged: Decimal
    recalculated: Decimal
    paid: Decimal
    penalties: Decimal
    closing: Decimal


class BalancesOut(Output):
    account: str
    periods: list[BalanceRowOut]


class BalancesQuery(Schema):
    first: str | None = Field(None, alias="from", pattern=PERIOD, description="с периода ГГГГ-ММ")
    last: str | None = Field(None, alias="to", pattern=PERIOD,
                             description="по период ГГГГ-ММ; по умолчанию последний проведённый")


def _range(query: BalancesQuery, account) -> list[Period]:
    """The periods asked for, without those before the account was opened or the first kept period."""
    kept, latest = kept_periods()
    last = _period(query.last, "query.to") or latest
    if last is None:
        return []
    first = _period(query.first, "query.from") or last - (DEFAULT_PERIODS - 1)
    if first > last or last - first >= MAX_PERIODS:
        raise ProblemsError([problem("invalid_value", "query.from", value=str(first), field="from",
                                     reason=f"период «с» не позже периода «по» {last}, не больше {MAX_PERIODS} "
                                            "периодов за раз")])
    return [p for p in Period.between(first, last) if p >= max(Period.of(account.opened), kept or first)]


def balance_rows(account_id: int, periods: list[Period]) -> list[BalanceRowOut]:
    """Each period's row from one read of the ledger (``payments.ledger.period_sums``)."""
    if not periods:
        return []
    opening, kinds = ledger.period_sums(account_id, periods[0], periods[-1])
    rows = []
    for period in periods:
        sums = kinds.get(str(period), {})
        charged, paid = sums.get("charge", ZERO), -sums.get("payment", ZERO)
        recalculated = sums.get("recalc", ZERO) + sums.get("correction", ZERO)
        penalties = sums.get("penalty", ZERO)
        closing = opening + sum(sums.values(), ZERO)
        rows.append(BalanceRowOut(period=str(period), opening=opening, charged=charged, recalculated=recalculated,
                                  paid=paid, penalties=penalties, closing=closing))
        opening = closing
    return rows


@router.get("/accounts/{number}/balances", response=answers(s200=BalancesOut),
            summary="Сальдо по периодам: на начало, начислено, перерасчёт, оплачено, пени, на конец",
            description=f"По умолчанию — {DEFAULT_PERIODS} периодов по последний проведённый; не больше "
                        f"{MAX_PERIODS} за раз; периоды до открытия счёта и до первого периода учёта не показываются.")
def list_balances(request, number: str, query: Query[BalancesQuery]):
    account = account_for(request, number, light=True)
    return BalancesOut(account=account.number, periods=balance_rows(account.pk, _range(query, account)))
