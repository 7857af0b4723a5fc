"""An account's money: its payments, the charge lines of a period with their explanation, and the
balances per period — read through the ledger functions the payment document uses
(``documents.sources.ledger_movements``), so the API, the document and the turnover sheet agree."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ninja import Field, Query, Router, Schema

from raschet.api.auth import AUTH
from raschet.api.errors import answers
from raschet.api.pages import Page, PageQuery, page_of
from raschet.api.scope import account_for
from raschet.billing.models import BillingPeriod, CalcRun, ChargeLine, RunStatus
from raschet.documents.sources import ledger_movements
from raschet.domain.errors import ProblemsError, problem
from raschet.domain.periods import Period
from raschet.payments.models import Payment

router = Router(tags=["Начисления и оплаты"], auth=AUTH)
MAX_PERIODS = 36
DEFAULT_PERIODS = 12
PERIOD = r"^\d{4}-\d{2}$"


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
    rows = list(BillingPeriod.objects.values_list("period", "state"))
    posted = [period for period, state in rows if state in ("posted", "closed")]
    return (Period.parse(min(p for p, _ in rows)) if rows else None,
            Period.parse(max(posted)) if posted else None)


class ChargeLineOut(Schema):
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


class ChargesOut(Schema):
    account: str
    period: str | None
    total: Decimal
    lines: list[ChargeLineOut]


class ChargesQuery(Schema):
    period: str | None = Field(None, pattern=PERIOD, description="ГГГГ-ММ; по умолчанию последний проведённый")


def line_out(line: ChargeLine) -> ChargeLineOut:
    return ChargeLineOut(service=line.service.code, service_name=line.service.name, supplier=line.supplier.code,
                         kind=line.kind, ref_period=line.ref_period, zone=line.zone, date_from=line.date_from,
                         date_to=line.date_to, days=line.days, method=line.method, volume=line.volume,
                         tariff=line.tariff, factor=line.factor, amount=line.amount, reason=line.reason,
                         explanation=line.explained())


def posted_lines(account_id: int, period: Period) -> list[ChargeLine]:
    """The account's lines of the period from its posted runs. Read by account and the posted runs
    picked here: a join with the runs lets PostgreSQL intersect the run index, the whole month's lines."""
    posted = set(CalcRun.objects.filter(period=str(period), status=RunStatus.POSTED, simulate=False)
                 .values_list("pk", flat=True))
    lines = (ChargeLine.objects.filter(account_id=account_id, period=str(period)).select_related("service", "supplier")
             .order_by("service__code", "date_from", "zone", "id"))
    return [line for line in lines if line.run_id in posted]


@router.get("/accounts/{number}/charges", response=answers(s200=ChargesOut),
            summary="Начисления периода по строкам, с объяснением каждой суммы")
def list_charges(request, number: str, query: Query[ChargesQuery]):
    account = account_for(request, number)
    period = _period(query.period, "query.period") or kept_periods()[1]
    lines = posted_lines(account.pk, period) if period is not None else []
    return ChargesOut(account=account.number, period=str(period) if period else None,
                      total=sum((line.amount for line in lines), Decimal("0.00")), lines=[line_out(x) for x in lines])


class BalanceRowOut(Schema):
    period: str
    opening: Decimal
    charged: Decimal
    recalculated: Decimal
    paid: Decimal
    penalties: Decimal
    closing: Decimal


class BalancesOut(Schema):
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


def balance_row(account_id: int, period: Period) -> BalanceRowOut:
    sums = {"opening": Decimal("0.00"), "charge": Decimal("0.00"), "recalc": Decimal("0.00"),
            "payment": Decimal("0.00"), "penalty": Decimal("0.00")}
    for movement in ledger_movements([account_id], period):
        key = "recalc" if movement.kind == "correction" else movement.kind
        sums[key] = sums.get(key, Decimal("0.00")) + movement.amount
    return BalanceRowOut(period=str(period), opening=sums["opening"], charged=sums["charge"],
                         recalculated=sums["recalc"], paid=-sums["payment"], penalties=sums["penalty"],
                         closing=sum(sums.values(), Decimal("0.00")))


@router.get("/accounts/{number}/balances", response=answers(s200=BalancesOut),
            summary="Сальдо по периодам: на начало, начислено, перерасчёт, оплачено, пени, на конец",
            description=f"По умолчанию — {DEFAULT_PERIODS} периодов по последний проведённый; не больше "
                        f"{MAX_PERIODS} за раз; периоды до открытия счёта и до первого периода учёта не показываются.")
def list_balances(request, number: str, query: Query[BalancesQuery]):
    account = account_for(request, number)
    return BalancesOut(account=account.number, periods=[balance_row(account.pk, p) for p in _range(query, account)])
