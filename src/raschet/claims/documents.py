"""The documents of a debt case, generated in Russian as PDF and kept with the case: the warning of
restriction (ПП 354 п. 119), the pre-trial claim, the application for a court order with the debt by
period and service, the penalty statement and the state duty calculation (domain.md §13).

``generate_documents(case, on)`` makes the documents of the case's current stage.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import polars as pl
from django.db import transaction

from raschet.claims import pdf, sources
from raschet.claims.duty import BASIS as DUTY_BASIS
from raschet.claims.duty import claim_duty, court_order_duty
from raschet.claims.models import CaseDocument, DebtCase, DocumentKind, Stage
from raschet.claims.penalties import penalty_statement
from raschet.claims.permissions import MANAGE_DEBT_CASES, require
from raschet.claims.statement_files import statement_pdf
from raschet.housing.models import Account
from raschet.tariffs.models import Organization, Service


def header(account: Account, creditor: Organization | None = None) -> dict:
    premises = account.premises
    return {"account": account.number, "payer": account.payer,
            "address": f"{premises.building.address}, пом. {premises.number}",
            "creditor": f"{creditor.name}, ИНН {creditor.inn}" if creditor else ""}


def debt_table(account_id: int, on: date) -> tuple[list[list[str]], Decimal, Organization | None]:
    """The overdue-or-not principal by accrual period and service, its total and the main creditor."""
    owed = sources.outstanding([account_id], until=on)
    services = dict(Service.objects.values_list("id", "name"))
    rows = [[f"{p[5:7]}.{p[:4]}", services.get(s, str(s)), pdf.rub(Decimal(a).scaleb(-2))]
            for p, s, a in owed.select("ref_period", "service_id", "amount").iter_rows()]
    total = Decimal(int(owed["amount"].sum() or 0)).scaleb(-2)
    top = owed.group_by("supplier_id").agg(pl.col("amount").sum()).sort("amount", descending=True)
    creditor = Organization.objects.filter(pk=top["supplier_id"][0]).first() if top.height else None
    return rows, total, creditor


def _d(d: date) -> str:
    return d.strftime("%d.%m.%Y")


def warning_pdf(case: DebtCase, on: date) -> bytes:
    rows, total, creditor = debt_table(case.account_id, on)
    service = case.service.name if case.service else "коммунальная услуга"
    until = on + timedelta(days=20)
    story = [pdf.para("ПРЕДУПРЕЖДЕНИЕ<br/>об ограничении (приостановлении) предоставления коммунальной услуги", "title"),
             pdf.para(f"{pdf.escape(header(case.account, creditor)['payer'])}, лицевой счёт № {case.account.number}, "
                      f"{pdf.escape(header(case.account)['address'])}"), pdf.gap(),
             pdf.para(f"По состоянию на {_d(on)} за Вами числится задолженность по оплате коммунальных услуг "
                      f"в размере <b>{pdf.rub(total)}</b>, в том числе по услуге «{pdf.escape(service)}»."),
             pdf.gap(2), pdf.table(["Период", "Услуга", "Долг"], rows, [30, 100, 40]), pdf.gap(),
             pdf.para(f"В соответствии с пунктами 117–119 Правил предоставления коммунальных услуг (ПП РФ от 06.05.2011 "
                      f"№ 354) в случае непогашения задолженности в течение 20 дней со дня доставки настоящего "
                      f"предупреждения — до <b>{_d(until)}</b> — предоставление услуги «{pdf.escape(service)}» будет "
                      f"ограничено, а при отсутствии технической возможности ограничения — приостановлено."),
             pdf.gap(2), pdf.para("Отопление и холодное водоснабжение в многоквартирном доме не ограничиваются."),
             pdf.gap(), pdf.para(f"Исполнитель: {pdf.escape(header(case.account, creditor)['creditor'])}")]
    return pdf.render(story, title="Предупреждение")


def claim_pdf(case: DebtCase, on: date) -> bytes:
    rows, total, creditor = debt_table(case.account_id, on)
    statement = penalty_statement(account_number=case.account.number, as_of=on)
    answer_by = on + timedelta(days=30)
    story = [pdf.para("ПРЕТЕНЗИЯ<br/>об оплате задолженности", "title"),
             pdf.para(f"Кому: {pdf.escape(case.account.payer)} (лицевой счёт № {case.account.number}, "
                      f"{pdf.escape(header(case.account)['address'])})"),
             pdf.para(f"От: {pdf.escape(header(case.account, creditor)['creditor'])}"), pdf.gap(),
             pdf.para(f"На {_d(on)} задолженность по оплате составляет <b>{pdf.rub(total)}</b>, пени по ЖК РФ ст. 155 "
                      f"ч. 14 и законам о ресурсах — <b>{pdf.rub(statement['total'])}</b> (расчёт прилагается)."),
             pdf.gap(2), pdf.table(["Период", "Услуга", "Долг"], rows, [30, 100, 40]), pdf.gap(),
             pdf.para(f"Просим погасить задолженность и пени в течение 30 календарных дней — до <b>{_d(answer_by)}</b>. "
                      f"В противном случае мы обратимся в арбитражный суд (АПК РФ ст. 4 ч. 5) с требованием о "
                      f"взыскании долга, пеней и судебных расходов.")]
    return pdf.render(story, title="Претензия")


def court_order_pdf(case: DebtCase, on: date) -> bytes:
    rows, total, creditor = debt_table(case.account_id, on)
    statement = penalty_statement(account_number=case.account.number, as_of=on)
    penalty = Decimal(statement["total"])
    claim = total + penalty
    duty = court_order_duty(claim)
    story = [pdf.para("Мировому судье судебного участка № ___", "right"),
             pdf.para(f"Взыскатель: {pdf.escape(header(case.account, creditor)['creditor'])}", "right"),
             pdf.para(f"Должник: {pdf.escape(case.account.payer)}, {pdf.escape(header(case.account)['address'])}; "
                      f"дата и место рождения, идентификатор — ________", "right"), pdf.gap(),
             pdf.para("ЗАЯВЛЕНИЕ<br/>о вынесении судебного приказа о взыскании задолженности по оплате жилого "
                      "помещения и коммунальных услуг", "title"),
             pdf.para(f"Должник не исполнил обязанность по оплате (ЖК РФ ст. 153, 155) по лицевому счёту "
                      f"№ {case.account.number}. Задолженность на {_d(on)} — <b>{pdf.rub(total)}</b>, пени — "
                      f"<b>{pdf.rub(penalty)}</b>."), pdf.gap(2),
             pdf.para("Расчёт задолженности по периодам и услугам:", "bold"),
             pdf.table(["Период", "Услуга", "Долг"], rows, [30, 100, 40], total=["Итого", "", pdf.rub(total)]),
             pdf.gap(), pdf.para("На основании ГПК РФ ст. 121–124 прошу вынести судебный приказ о взыскании с должника:"),
             pdf.para(f"• задолженности {pdf.rub(total)};"), pdf.para(f"• пеней {pdf.rub(penalty)};"),
             pdf.para(f"• расходов по уплате государственной пошлины {pdf.rub(duty)}."),
             pdf.gap(), pdf.para(f"Цена требования: {pdf.rub(claim)}. Госпошлина: {pdf.rub(duty)} ({DUTY_BASIS}: "
                                 f"50 % от пошлины по иску, не менее 2 000 ₽)."), pdf.gap(),
             pdf.para("Приложения: расчёт пеней; расчёт государственной пошлины; документ об уплате пошлины; "
                      "выписка из ЕГРН; выписка по лицевому счёту.", "small")]
    return pdf.render(story, title="Заявление о вынесении судебного приказа")


def duty_pdf(case: DebtCase, on: date) -> bytes:
    _, total, _ = debt_table(case.account_id, on)
    penalty = Decimal(penalty_statement(account_number=case.account.number, as_of=on)["total"])
    claim = total + penalty
    rows = [["Цена требования (долг + пени)", pdf.rub(claim)], ["Госпошлина по иску", pdf.rub(claim_duty(claim))],
            ["Госпошлина за судебный приказ (50 %, не менее 2 000 ₽)", pdf.rub(court_order_duty(claim))]]
    story = [pdf.para("РАСЧЁТ государственной пошлины", "title"),
             pdf.para(f"Лицевой счёт № {case.account.number}, {pdf.escape(case.account.payer)}, на {_d(on)}"),
             pdf.gap(), pdf.table(["Показатель", "Сумма"], rows, [120, 50]), pdf.gap(),
             pdf.para(f"Основание: {DUTY_BASIS}. Пошлина исчисляется в полных рублях.", "small")]
    return pdf.render(story, title="Расчёт госпошлины")


def _statement(case: DebtCase, on: date) -> bytes:
    _, _, creditor = debt_table(case.account_id, on)
    return statement_pdf(penalty_statement(account_number=case.account.number, as_of=on), header(case.account, creditor))


STAGE_DOCUMENTS = {
    Stage.WARNING: [(DocumentKind.WARNING, warning_pdf)],
    Stage.PRETRIAL_CLAIM: [(DocumentKind.CLAIM, claim_pdf), (DocumentKind.PENALTY_STATEMENT, _statement)],
    Stage.COURT_ORDER_APPLICATION: [(DocumentKind.COURT_ORDER_APPLICATION, court_order_pdf),
                                    (DocumentKind.PENALTY_STATEMENT, _statement), (DocumentKind.STATE_DUTY, duty_pdf)],
}


@transaction.atomic
def generate_documents(*, case: DebtCase, on: date, actor=None) -> list[CaseDocument]:
    """The documents of the case's current stage, stored with the case (none for other stages)."""
    require(actor, MANAGE_DEBT_CASES)
    case = DebtCase.objects.select_related("account__premises__building", "service").get(pk=case.pk)
    made = []
    for kind, build in STAGE_DOCUMENTS.get(case.stage, []):
        made.append(CaseDocument.objects.create(case=case, kind=kind, on=on, pdf=build(case, on)))
    return made
