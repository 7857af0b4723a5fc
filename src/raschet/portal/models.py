"""Models of the personal account: the link of a site user to the accounts they may see, the readings
submission window as dated data, and the payments started through a gateway."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from raschet.housing.dated import DatedModel
from raschet.housing.models import Account


class AccountLink(models.Model):
    """A user may see an account only through a confirmed link (``confirmed_at`` set).

    The link is made at sign-up (or when adding another account) with the account's code from the
    payment document; it is confirmed when the user confirms the e-mail address.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="account_links",
                             verbose_name="пользователь")
    account = models.ForeignKey(Account, models.CASCADE, related_name="portal_links",
                                verbose_name="лицевой счёт")
    confirmed_at = models.DateTimeField("подтверждена", null=True, blank=True)
    created_at = models.DateTimeField("создана", auto_now_add=True)

    class Meta:
        verbose_name = "привязка лицевого счёта"
        verbose_name_plural = "привязки лицевых счетов"
        ordering = ["account__number"]
        constraints = [models.UniqueConstraint(fields=["user", "account"], name="portal_link_unique")]

    def __str__(self) -> str:
        return f"{self.user} → {self.account}"

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


class SignupAttempt(models.Model):
    """A wrong sign-up code typed for an account number (the number as typed: it may not exist)."""

    account_number = models.CharField("лицевой счёт (как введён)", max_length=30)
    at = models.DateTimeField("когда", auto_now_add=True)

    class Meta:
        verbose_name = "неверный код регистрации"
        verbose_name_plural = "неверные коды регистрации"
        indexes = [models.Index(fields=["account_number", "at"])]

    def __str__(self) -> str:
        return f"{self.account_number} {self.at:%d.%m.%Y %H:%M}"


class SubmissionWindow(DatedModel):
    """The days of each month on which subscribers may submit readings in the personal account, from
    ``valid_from`` on; without a row valid on a day: :data:`DEFAULT_WINDOW`."""

    overlap_label = "окна приёма показаний"

    first_day = models.PositiveSmallIntegerField("с числа", validators=[MinValueValidator(1), MaxValueValidator(31)])
    last_day = models.PositiveSmallIntegerField("по число (включая)",
                                                validators=[MinValueValidator(1), MaxValueValidator(31)],
                                                help_text="31 — до конца месяца в любом месяце.")

    class Meta:
        verbose_name = "окно приёма показаний"
        verbose_name_plural = "окна приёма показаний"
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return f"с {self.first_day} по {self.last_day} число {self.interval_text()}"

    def clean(self) -> None:
        super().clean()
        if self.first_day and self.last_day and self.first_day > self.last_day:
            raise ValidationError({"last_day": "Последний день окна раньше первого: исправьте «по число»."})


DEFAULT_WINDOW = (15, 25)  # the days printed on the documents by default (DocumentSettings.note)


class GatewayPaymentState(models.TextChoices):
    STARTED = "started", "ожидает оплаты"
    PAID = "paid", "оплачен"
    FAILED = "failed", "не оплачен"


class GatewayPayment(models.Model):
    """A payment started in the personal account: sent to a payment gateway, recorded as a
    ``payments.Payment`` (by the idempotent payment service) when the gateway calls back."""

    account = models.ForeignKey(Account, models.PROTECT, related_name="+", verbose_name="лицевой счёт")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="пользователь")
    gateway = models.CharField("шлюз", max_length=40)
    operation_id = models.CharField("номер операции шлюза", max_length=120, unique=True)
    amount = models.DecimalField("сумма", max_digits=14, decimal_places=2)
    state = models.CharField("состояние", max_length=10, choices=GatewayPaymentState.choices,
                             default=GatewayPaymentState.STARTED)
    payment = models.ForeignKey("payments.Payment", models.PROTECT, null=True, blank=True, related_name="+",
                                verbose_name="платёж")
    created_at = models.DateTimeField("создан", auto_now_add=True)
    finished_at = models.DateTimeField("завершён", null=True, blank=True)

    class Meta:
        verbose_name = "оплата через личный кабинет"
        verbose_name_plural = "оплаты через личный кабинет"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.operation_id}: {self.amount} ₽, {self.get_state_display()}"
