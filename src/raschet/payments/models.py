"""Payments and where they came from. Where a payment went is in the ledger: its allocations are
``billing.Entry`` rows of kind ``payment`` pointing at it (an advance is such a row without a service).

A payment is never edited: a reversal (сторно) adds entries that undo its allocations, a move to
another account is a reversal plus a new payment; every such act leaves a ``PaymentEvent``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from raschet.housing.dated import DatedModel
from raschet.housing.models import Account
from raschet.tariffs.models import Organization

MONEY = {"max_digits": 14, "decimal_places": 2}


class PaymentRegistry(models.Model):
    source = models.CharField("файл", max_length=300)
    format = models.CharField("формат", max_length=60)
    sha256 = models.CharField("контрольная сумма файла", max_length=64, unique=True)
    channel = models.CharField("канал (банк)", max_length=60)
    payment_order = models.CharField("платёжное поручение", max_length=40, blank=True)
    payment_order_date = models.DateField("дата п/п", null=True, blank=True)
    imported_at = models.DateTimeField("загружен", auto_now_add=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                    verbose_name="загрузил")
    payments = models.PositiveIntegerField("платежей", default=0)
    total = models.DecimalField("сумма", default=Decimal(0), **MONEY)
    duplicates = models.PositiveIntegerField("повторов", default=0)
    suspense = models.PositiveIntegerField("невыясненных", default=0)
    readings = models.PositiveIntegerField("показаний", default=0)
    problems = models.JSONField("отклонённые показания", default=list, blank=True,
                                help_text="Строки реестра, показания которых не приняты (платёж принят).")

    class Meta:
        verbose_name = "реестр платежей"
        verbose_name_plural = "реестры платежей"
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return self.source


class PaymentSource(models.TextChoices):
    REGISTRY = "registry", "реестр банка"
    CASH = "cash", "касса"
    API = "api", "API (эквайринг)"
    PORTAL = "portal", "личный кабинет"
    SCENARIO = "scenario", "сценарий"
    MOVE = "move", "перенос с другого счёта"


class PaymentState(models.TextChoices):
    ALLOCATED = "allocated", "распределён"
    SUSPENSE = "suspense", "невыясненный"
    REVERSED = "reversed", "сторнирован"


class PaymentMethod(models.TextChoices):
    CASH = "cash", "наличные"
    CARD = "card", "банковская карта"


class CashShift(models.Model):
    """A cashier's shift at the desk: opened, its payments taken, closed with its totals by method.
    A cashier has at most one open shift (a partial unique constraint)."""

    cashier = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="cash_shifts",
                                verbose_name="кассир")
    opened_at = models.DateTimeField("открыта", auto_now_add=True)
    closed_at = models.DateTimeField("закрыта", null=True, blank=True)

    class Meta:
        verbose_name = "кассовая смена"
        verbose_name_plural = "кассовые смены"
        ordering = ["-opened_at"]
        constraints = [models.UniqueConstraint(fields=["cashier"], condition=models.Q(closed_at__isnull=True),
                                               name="cashshift_one_open_per_cashier")]

    def __str__(self) -> str:
        return f"Смена № {self.pk} ({self.cashier})"


class Payment(models.Model):
    account = models.ForeignKey(Account, models.PROTECT, null=True, blank=True, related_name="payments",
                                verbose_name="лицевой счёт")
    registry = models.ForeignKey(PaymentRegistry, models.PROTECT, null=True, blank=True, related_name="payment_rows",
                                 verbose_name="реестр")
    source = models.CharField("источник", max_length=12, choices=PaymentSource.choices)
    channel = models.CharField("канал", max_length=60, help_text="Подпись источника (банк, касса, клиент API); "
                                                                   "на распознавание повторов не влияет.")
    agent = models.CharField("агент", max_length=80, help_text="Кто принял деньги: банк (по формату реестра "
                             "или шаблону), касса, клиент API.")
    operation_id = models.CharField("номер операции", max_length=120)
    identity = models.CharField("отпечаток платежа", max_length=64, unique=True,
                                help_text="Агент, номер операции, дата, лицевой счёт и сумма: один платёж — "
                                          "одна запись, повтор распознаётся.")
    paid_on = models.DateField("дата оплаты")
    amount = models.DecimalField("сумма", **MONEY)
    fee = models.DecimalField("комиссия банка", default=Decimal(0), **MONEY)
    named_period = models.CharField("период, указанный плательщиком", max_length=7, blank=True)
    account_text = models.CharField("лицевой счёт (как указан)", max_length=40, blank=True)
    payer = models.CharField("плательщик", max_length=200, blank=True)
    address = models.CharField("адрес", max_length=300, blank=True)
    state = models.CharField("состояние", max_length=10, choices=PaymentState.choices)
    shift = models.ForeignKey(CashShift, models.PROTECT, null=True, blank=True, related_name="payments",
                              verbose_name="кассовая смена")
    # NULL, not "": SQLite adds a nullable column in place, without rebuilding a table of millions of payments
    method = models.CharField("способ оплаты", max_length=8, choices=PaymentMethod.choices, null=True,  # noqa: DJ001
                              blank=True, help_text="Для оплаты в кассе; у остальных платежей не указан.")
    moved_from = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="moved_to",
                                   verbose_name="перенесён с платежа")
    created_at = models.DateTimeField("внесён", auto_now_add=True)

    class Meta:
        verbose_name = "платёж"
        verbose_name_plural = "платежи"
        indexes = [models.Index(fields=["account", "paid_on"]), models.Index(fields=["state"]),
                   models.Index(fields=["agent", "operation_id"], name="payment_agent_operation")]

    def __str__(self) -> str:
        return f"{self.paid_on:%d.%m.%Y} {self.amount} ₽ ({self.account_text})"


class PaymentEvent(models.Model):
    """The audit trail of what was done to a payment by whom: assigned from suspense, reversed, moved."""

    payment = models.ForeignKey(Payment, models.CASCADE, related_name="events", verbose_name="платёж")
    action = models.CharField("действие", max_length=20)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                             verbose_name="пользователь")
    at = models.DateTimeField("когда", auto_now_add=True)
    details = models.JSONField("подробности", default=dict, blank=True)

    class Meta:
        verbose_name = "действие с платежом"
        verbose_name_plural = "журнал действий с платежами"
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.action} {self.at:%d.%m.%Y %H:%M}"


class RegistryMapping(models.Model):
    """A bank's CSV/XLSX column layout, saved once and used by name (``--format mapping:NAME``)."""

    name = models.SlugField("название", max_length=60, unique=True)
    config = models.JSONField("описание столбцов")

    class Meta:
        verbose_name = "шаблон реестра банка"
        verbose_name_plural = "шаблоны реестров банков"

    def __str__(self) -> str:
        return self.name


class AgentContract(DatedModel):
    """The agent's commission on money collected for a supplier, as a dated percentage."""

    overlap_key = ("supplier_id",)
    overlap_label = "агентского договора"

    supplier = models.ForeignKey(Organization, models.PROTECT, related_name="agent_contracts",
                                 verbose_name="поставщик")
    number = models.CharField("номер договора", max_length=60, blank=True)
    commission_percent = models.DecimalField("вознаграждение агента, %", max_digits=6, decimal_places=3)

    class Meta:
        verbose_name = "агентский договор"
        verbose_name_plural = "агентские договоры"

    def __str__(self) -> str:
        return f"{self.supplier}: {self.commission_percent} % {self.interval_text()}"
