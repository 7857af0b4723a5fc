"""Meters and readings.

A meter measures one service, in one or more zones (registers); a premises meter bills an account, a
building meter (ОДПУ) feeds heating and common-needs distribution. A replaced meter keeps its final
reading on its ``removed`` date and the new one its initial reading on ``installed``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from raschet.housing.models import Account, Building, Premises
from raschet.tariffs.models import Service, Zone


class MeterScope(models.TextChoices):
    PREMISES = "premises", "индивидуальный (ИПУ)"
    BUILDING = "building", "общедомовой (ОДПУ)"


class Meter(models.Model):
    code = models.CharField("код", max_length=40, unique=True)
    serial = models.CharField("заводской номер", max_length=40, blank=True, db_index=True)
    scope = models.CharField("вид", max_length=10, choices=MeterScope.choices, default=MeterScope.PREMISES)
    building = models.ForeignKey(Building, models.CASCADE, related_name="meters", verbose_name="дом")
    premises = models.ForeignKey(Premises, models.CASCADE, null=True, blank=True, related_name="meters",
                                 verbose_name="помещение")
    account = models.ForeignKey(Account, models.CASCADE, null=True, blank=True, related_name="meters",
                                verbose_name="лицевой счёт")
    service = models.ForeignKey(Service, models.PROTECT, related_name="meters", verbose_name="услуга")
    zones = models.JSONField("зоны (тарифы)", default=list, blank=True,
                             help_text='Например ["day", "night"]; пусто — одна зона.')
    installed = models.DateField("установлен", null=True, blank=True)
    removed = models.DateField("снят", null=True, blank=True)
    verification_due = models.DateField("срок поверки", null=True, blank=True)
    digits = models.PositiveSmallIntegerField("разрядность (целая часть)", null=True, blank=True)

    class Meta:
        verbose_name = "прибор учёта"
        verbose_name_plural = "приборы учёта"

    def __str__(self) -> str:
        return f"{self.service.name}, № {self.serial or self.code}"

    def zone_list(self) -> list[str]:
        return list(self.zones) or [Zone.TOTAL]

    def clean(self) -> None:
        if self.scope == MeterScope.PREMISES and self.premises_id is None:
            raise ValidationError({"premises": "Для ИПУ укажите помещение."})
        if self.installed and self.removed and self.removed < self.installed:
            raise ValidationError({"removed": "Дата снятия раньше даты установки."})
        unknown = [z for z in self.zones if z not in Zone.values]
        if unknown:
            raise ValidationError({"zones": f"Неизвестные зоны: {', '.join(map(str, unknown))}."})


class ReadingSource(models.TextChoices):
    OPERATOR = "operator", "оператор"
    PORTAL = "portal", "личный кабинет"
    REGISTRY = "registry", "реестр банка"
    CONTROLLER = "controller", "контролёр"
    IMPORT = "import", "загрузка"


class Reading(models.Model):
    # no index of its own: the unique (meter, date, zone) index serves lookups by meter
    meter = models.ForeignKey(Meter, models.CASCADE, related_name="readings", verbose_name="прибор учёта",
                              db_index=False)
    date = models.DateField("дата")
    zone = models.CharField("зона", max_length=10, choices=Zone.choices, default=Zone.TOTAL)
    value = models.DecimalField("показание", max_digits=22, decimal_places=7)
    source = models.CharField("источник", max_length=12, choices=ReadingSource.choices,
                              default=ReadingSource.OPERATOR)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   verbose_name="внёс")
    entered_at = models.DateTimeField("внесено", auto_now_add=True)

    class Meta:
        verbose_name = "показание"
        verbose_name_plural = "показания"
        ordering = ["meter", "date", "zone"]
        constraints = [models.UniqueConstraint(fields=["meter", "date", "zone"], name="reading_unique_day")]

    def __str__(self) -> str:
        return f"{self.date:%d.%m.%Y} {self.get_zone_display()}: {self.value}"
