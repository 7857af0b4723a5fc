"""Routes of meter controllers and what they record on them.

A :class:`Route` is a set of buildings or entrances (:class:`RouteStop`) assigned to one controller
for a half-open period ``[valid_from, valid_to)``. What the controller records on the phone arrives
through the sync as entries, each with the id the phone gave it: :class:`SyncEntry` keeps that id
unique together with the answer given, so an entry sent twice is stored once and answered the same.
Readings themselves are ``metering.Reading`` rows (source «контролёр»); meter checks and seals are
:class:`MeterCheck` and :class:`Seal`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from raschet.controller.permissions import PERMISSIONS
from raschet.housing.models import Building
from raschet.metering.models import Meter, Reading


class Route(models.Model):
    code = models.CharField("код", max_length=40, unique=True)
    name = models.CharField("название", max_length=200, blank=True)
    controller = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="controller_routes",
                                   verbose_name="контролёр")
    valid_from = models.DateField("действует с")
    valid_to = models.DateField("действует до (не включая)", null=True, blank=True)

    class Meta:
        verbose_name = "маршрут контролёра"
        verbose_name_plural = "маршруты контролёров"
        ordering = ["-valid_from", "code"]
        permissions = list(PERMISSIONS.items())

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()

    def clean(self) -> None:
        if self.valid_to and self.valid_to <= self.valid_from:
            raise ValidationError({"valid_to": "Конец периода маршрута должен быть позже начала (конец не включается)."})

    def active_on(self, day) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)


class RouteStop(models.Model):
    """A building of a route, whole (no entrance) or one entrance of it."""

    route = models.ForeignKey(Route, models.CASCADE, related_name="stops", verbose_name="маршрут")
    building = models.ForeignKey(Building, models.PROTECT, related_name="+", verbose_name="дом")
    entrance = models.PositiveSmallIntegerField("подъезд", null=True, blank=True, help_text="Пусто — весь дом.")
    order = models.PositiveSmallIntegerField("порядок обхода", default=0)

    class Meta:
        verbose_name = "дом (подъезд) маршрута"
        verbose_name_plural = "дома и подъезды маршрута"
        ordering = ["route", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["route", "building", "entrance"], name="route_stop_unique")]

    def __str__(self) -> str:
        return f"{self.building.address}" + (f", подъезд {self.entrance}" if self.entrance else "")


class EntryKind(models.TextChoices):
    READING = "reading", "показание"
    CHECK = "check", "проверка прибора"
    SEAL = "seal", "пломба"


class EntryStatus(models.TextChoices):
    ACCEPTED = "accepted", "принято"
    REFUSED = "refused", "отказано"
    CONFLICT = "conflict", "конфликт с более новым показанием"


class SyncEntry(models.Model):
    """One entry the phone sent, by its client-generated id, with the answer it was given."""

    client_id = models.CharField("идентификатор записи на телефоне", max_length=64, unique=True)
    route = models.ForeignKey(Route, models.PROTECT, related_name="entries", verbose_name="маршрут")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="контролёр")
    kind = models.CharField("вид", max_length=10, choices=EntryKind.choices)
    meter = models.ForeignKey(Meter, models.PROTECT, related_name="+", verbose_name="прибор учёта")
    status = models.CharField("итог", max_length=10, choices=EntryStatus.choices)
    answer = models.JSONField("ответ телефону")
    reading = models.ForeignKey(Reading, models.SET_NULL, null=True, blank=True, related_name="+",
                                verbose_name="показание")
    received_at = models.DateTimeField("получено")

    class Meta:
        verbose_name = "запись обхода"
        verbose_name_plural = "записи обходов"
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.client_id}: {self.get_status_display()}"


class CheckResult(models.TextChoices):
    OK = "ok", "исправен, пломбы целы"
    DAMAGED = "damaged", "неисправен"
    SEAL_BROKEN = "seal_broken", "нарушена пломба"
    INTERFERENCE = "interference", "признаки вмешательства"
    NO_ACCESS = "no_access", "нет доступа"


class MeterCheck(models.Model):
    entry = models.OneToOneField(SyncEntry, models.PROTECT, related_name="meter_check", verbose_name="запись обхода")
    meter = models.ForeignKey(Meter, models.PROTECT, related_name="checks", verbose_name="прибор учёта")
    checked_on = models.DateField("дата проверки")
    result = models.CharField("результат проверки", max_length=20, choices=CheckResult.choices)
    note = models.CharField("примечание", max_length=500, blank=True)

    class Meta:
        verbose_name = "проверка прибора учёта"
        verbose_name_plural = "проверки приборов учёта"
        ordering = ["-checked_on"]

    def __str__(self) -> str:
        return f"{self.checked_on:%d.%m.%Y}: {self.get_result_display()}"


class Seal(models.Model):
    entry = models.OneToOneField(SyncEntry, models.PROTECT, related_name="seal", verbose_name="запись обхода")
    meter = models.ForeignKey(Meter, models.PROTECT, related_name="seals", verbose_name="прибор учёта")
    number = models.CharField("номер пломбы", max_length=40)
    sealed_on = models.DateField("дата опломбирования")

    class Meta:
        verbose_name = "пломба"
        verbose_name_plural = "пломбы"
        ordering = ["-sealed_on"]

    def __str__(self) -> str:
        return f"№ {self.number} от {self.sealed_on:%d.%m.%Y}"
