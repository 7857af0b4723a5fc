"""Debt cases: saved selections of debtors, one open case per account with its stage, deadline and
history, the documents generated at each stage, and instalment agreements with their schedule.

Stages and transitions are in :mod:`raschet.claims.stages`; these models only hold the state. The
history (``CaseEvent``) is append-only: who acted, when, from which stage to which.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from raschet.housing.models import Account, Building
from raschet.tariffs.models import Organization, Service

MONEY = {"max_digits": 14, "decimal_places": 2}


class Stage(models.TextChoices):
    REMINDER = "reminder", "напоминание"
    WARNING = "warning", "предупреждение об ограничении (ПП 354 п. 119)"
    RESTRICTION = "restriction", "ограничение предоставления услуги"
    SUSPENSION = "suspension", "приостановление предоставления услуги"
    PRETRIAL_CLAIM = "pretrial_claim", "досудебная претензия"
    COURT_ORDER_APPLICATION = "court_order_application", "заявление о вынесении судебного приказа"
    COURT_ORDER = "court_order", "судебный приказ"
    ENFORCEMENT = "enforcement", "исполнительное производство"
    INSTALMENT = "instalment", "соглашение о рассрочке"
    PAID = "paid", "долг погашен"
    WRITTEN_OFF = "written_off", "долг списан"


CLOSED_STAGES = (Stage.PAID, Stage.WRITTEN_OFF)


class InCase(models.TextChoices):
    ANY = "any", "все"
    YES = "yes", "только уже в работе"
    NO = "no", "только без открытого дела"


class SelectionRule(models.Model):
    """A saved rule that selects debtors; run on demand or every month (``monthly``)."""

    name = models.CharField("название", max_length=200, unique=True)
    min_debt = models.DecimalField("долг не меньше, ₽", default=0, **MONEY)
    min_months_overdue = models.PositiveSmallIntegerField("просрочено месяцев не меньше", default=0)
    service = models.ForeignKey(Service, models.PROTECT, null=True, blank=True, verbose_name="услуга")
    building = models.ForeignKey(Building, models.PROTECT, null=True, blank=True, verbose_name="дом")
    supplier = models.ForeignKey(Organization, models.PROTECT, null=True, blank=True, verbose_name="поставщик")
    in_case = models.CharField("открытое дело", max_length=3, choices=InCase.choices, default=InCase.NO)
    monthly = models.BooleanField("выполнять ежемесячно", default=False)
    last_run_on = models.DateField("последний отбор", null=True, blank=True)

    class Meta:
        verbose_name = "правило отбора должников"
        verbose_name_plural = "правила отбора должников"
        permissions = [("accrue_penalties", "Начислять пени"),
                       ("manage_debt_cases", "Вести дела должников (этапы, документы, рассрочки)")]

    def __str__(self) -> str:
        return self.name


class DebtCase(models.Model):
    """The debtor work on one account; at most one open case per account."""

    account = models.ForeignKey(Account, models.PROTECT, related_name="debt_cases", verbose_name="лицевой счёт")
    stage = models.CharField("этап", max_length=24, choices=Stage.choices, default=Stage.REMINDER)
    previous_stage = models.CharField("этап до рассрочки", max_length=24, choices=Stage.choices, blank=True)
    service = models.ForeignKey(Service, models.PROTECT, null=True, blank=True, verbose_name="услуга (ограничение)")
    opened_on = models.DateField("открыто")
    stage_since = models.DateField("на этапе с")
    deadline = models.DateField("срок этапа", null=True, blank=True)
    debt = models.DecimalField("долг при открытии, ₽", **MONEY)
    is_open = models.BooleanField("открыто", default=True)
    closed_on = models.DateField("закрыто", null=True, blank=True)

    class Meta:
        verbose_name = "дело должника"
        verbose_name_plural = "дела должников"
        constraints = [models.UniqueConstraint(fields=["account"], condition=models.Q(is_open=True),
                                               name="debtcase_one_open_per_account")]
        indexes = [models.Index(fields=["stage", "deadline"])]

    def __str__(self) -> str:
        return f"Дело ЛС {self.account_id}: {self.get_stage_display()}"


class CaseEvent(models.Model):
    """One step of a case's history: never edited."""

    case = models.ForeignKey(DebtCase, models.CASCADE, related_name="events", verbose_name="дело")
    on = models.DateField("дата")
    stage_from = models.CharField("с этапа", max_length=24, choices=Stage.choices, blank=True)
    stage_to = models.CharField("на этап", max_length=24, choices=Stage.choices)
    deadline = models.DateField("срок", null=True, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                             verbose_name="пользователь")
    actor = models.CharField("кто", max_length=150)
    note = models.TextField("примечание", blank=True)
    created_at = models.DateTimeField("записано", auto_now_add=True)

    class Meta:
        verbose_name = "событие дела"
        verbose_name_plural = "история дел"
        ordering = ["case", "id"]

    def __str__(self) -> str:
        return f"{self.on:%d.%m.%Y} {self.stage_from or '—'} → {self.stage_to}"


class DocumentKind(models.TextChoices):
    WARNING = "warning", "предупреждение об ограничении"
    CLAIM = "claim", "досудебная претензия"
    COURT_ORDER_APPLICATION = "court_order_application", "заявление о вынесении судебного приказа"
    PENALTY_STATEMENT = "penalty_statement", "расчёт пеней"
    STATE_DUTY = "state_duty", "расчёт государственной пошлины"


class CaseDocument(models.Model):
    """A generated document (PDF) of a case, kept as issued."""

    case = models.ForeignKey(DebtCase, models.CASCADE, related_name="documents", verbose_name="дело")
    kind = models.CharField("документ", max_length=24, choices=DocumentKind.choices)
    on = models.DateField("дата документа")
    pdf = models.BinaryField("PDF")
    amount = models.DecimalField("сумма требования, ₽", null=True, blank=True, **MONEY)
    created_at = models.DateTimeField("создан", auto_now_add=True)

    class Meta:
        verbose_name = "документ дела"
        verbose_name_plural = "документы дел"
        ordering = ["case", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} от {self.on:%d.%m.%Y}"


class Instalment(models.Model):
    """An instalment agreement (соглашение о рассрочке) of a case."""

    case = models.ForeignKey(DebtCase, models.PROTECT, related_name="instalments", verbose_name="дело")
    number = models.CharField("номер соглашения", max_length=40)
    signed_on = models.DateField("дата соглашения")
    principal = models.DecimalField("сумма долга в рассрочку, ₽", **MONEY)
    covers_to = models.CharField("долг по периодам начисления до (включительно)", max_length=7)
    interest_percent = models.DecimalField("проценты за рассрочку, % годовых", max_digits=7, decimal_places=4,
                                           default=0)
    is_active = models.BooleanField("действует", default=True)

    class Meta:
        verbose_name = "соглашение о рассрочке"
        verbose_name_plural = "соглашения о рассрочке"

    def __str__(self) -> str:
        return f"Рассрочка № {self.number} от {self.signed_on:%d.%m.%Y}"


class InstalmentItem(models.Model):
    """One scheduled payment: principal plus interest on the principal still outstanding."""

    instalment = models.ForeignKey(Instalment, models.CASCADE, related_name="items", verbose_name="рассрочка")
    period = models.CharField("период платёжного документа", max_length=7)
    due_on = models.DateField("срок платежа")
    principal = models.DecimalField("основной долг, ₽", **MONEY)
    interest = models.DecimalField("проценты, ₽", **MONEY)
    remaining = models.DecimalField("остаток долга после платежа, ₽", **MONEY)

    class Meta:
        verbose_name = "платёж по рассрочке"
        verbose_name_plural = "график рассрочки"
        ordering = ["instalment", "due_on"]
        constraints = [models.UniqueConstraint(fields=["instalment", "period"], name="instalmentitem_unique_period")]

    def __str__(self) -> str:
        return f"{self.period}: {self.principal} + {self.interest}"
