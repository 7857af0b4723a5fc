"""Models of the address fund: buildings, premises, accounts, persons, registrations, absences.

Everything that can change in time is a dated row (``DatedModel``), so a month with a change is split
into segments by days and a past month can be recalculated with the history as it was.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from raschet.housing.dated import DatedModel
from raschet.housing.validators import validate_snils_field

AREA = {"max_digits": 14, "decimal_places": 4}
POSITIVE = [MinValueValidator(Decimal("0.0001"))]


class HeatingMode(models.TextChoices):
    SEASON = "season", "в отопительный период"
    UNIFORM = "uniform", "равномерно в течение года"
    NONE = "none", "нет центрального отопления"


class Building(models.Model):
    code = models.CharField("код", max_length=40, unique=True)
    address = models.CharField("адрес", max_length=300, db_index=True)
    fias_guid = models.UUIDField("GUID ФИАС/ГАР", null=True, blank=True)
    total_area = models.DecimalField("общая площадь помещений, м²", validators=POSITIVE, **AREA)
    common_area = models.DecimalField("площадь общего имущества, м²", default=0, **AREA)
    floors = models.PositiveSmallIntegerField("этажей", null=True, blank=True)
    entrances = models.PositiveSmallIntegerField("подъездов", null=True, blank=True)
    heating_mode = models.CharField("порядок оплаты отопления", max_length=10,
                                    choices=HeatingMode.choices, default=HeatingMode.SEASON)

    class Meta:
        verbose_name = "дом"
        verbose_name_plural = "дома"
        ordering = ["address"]

    def __str__(self) -> str:
        return self.address


class PremisesKind(models.TextChoices):
    RESIDENTIAL = "residential", "жилое"
    NON_RESIDENTIAL = "non_residential", "нежилое"


class Premises(models.Model):
    building = models.ForeignKey(Building, models.PROTECT, related_name="premises", verbose_name="дом")
    number = models.CharField("номер", max_length=20)
    kind = models.CharField("вид", max_length=20, choices=PremisesKind.choices,
                            default=PremisesKind.RESIDENTIAL)
    entrance = models.PositiveSmallIntegerField("подъезд", null=True, blank=True,
                                                help_text="Для порядка документов в маршруте доставки.")
    meter_possible = models.BooleanField(
        "установка ИПУ технически возможна", default=True,
        help_text="Снимите флажок, если есть акт об отсутствии технической возможности установки ИПУ.")

    class Meta:
        verbose_name = "помещение"
        verbose_name_plural = "помещения"
        constraints = [models.UniqueConstraint(fields=["building", "number"], name="premises_unique_number")]

    def __str__(self) -> str:
        return f"{self.building.address}, кв. {self.number}"


class PremisesArea(DatedModel):
    overlap_key = ("premises_id",)
    overlap_label = "площади помещения"

    premises = models.ForeignKey(Premises, models.CASCADE, related_name="areas", verbose_name="помещение")
    value = models.DecimalField("общая площадь, м²", validators=POSITIVE, **AREA)

    class Meta:
        verbose_name = "площадь помещения"
        verbose_name_plural = "площади помещения"
        indexes = [models.Index(fields=["premises", "valid_from"])]

    def __str__(self) -> str:
        return f"{self.value} м² {self.interval_text()}"


class Account(models.Model):
    number = models.CharField("номер лицевого счёта", max_length=30, unique=True)
    els = models.CharField("ЕЛС", max_length=10, blank=True, db_index=True,
                           help_text="Единый лицевой счёт ГИС ЖКХ, 10 символов.")
    premises = models.ForeignKey(Premises, models.PROTECT, related_name="accounts", verbose_name="помещение")
    payer = models.CharField("плательщик", max_length=200, db_index=True)
    phone = models.CharField("телефон", max_length=20, blank=True, db_index=True)
    share = models.DecimalField("доля в помещении", max_digits=9, decimal_places=6, default=Decimal("1"),
                                validators=[MinValueValidator(Decimal("0.000001"))])
    opened = models.DateField("открыт")
    closed = models.DateField("закрыт (не включая)", null=True, blank=True)
    opening_balance = models.DecimalField("входящее сальдо при переходе", max_digits=14, decimal_places=2,
                                          default=Decimal("0"))

    class Meta:
        verbose_name = "лицевой счёт"
        verbose_name_plural = "лицевые счета"
        ordering = ["number"]

    def __str__(self) -> str:
        return self.number

    def clean(self) -> None:
        if self.share is not None and self.share > 1:
            raise ValidationError({"share": "Доля не может быть больше 1."})
        if self.closed and self.opened and self.closed <= self.opened:
            raise ValidationError({"closed": "Дата закрытия должна быть позже даты открытия."})


class Person(models.Model):
    last_name = models.CharField("фамилия", max_length=80, db_index=True)
    first_name = models.CharField("имя", max_length=80)
    patronymic = models.CharField("отчество", max_length=80, blank=True)
    birth_date = models.DateField("дата рождения", null=True, blank=True)
    snils = models.CharField("СНИЛС", max_length=14, blank=True, validators=[validate_snils_field])
    phone = models.CharField("телефон", max_length=20, blank=True)

    class Meta:
        verbose_name = "гражданин"
        verbose_name_plural = "граждане"
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)


class RegistrationKind(models.TextChoices):
    PERMANENT = "permanent", "постоянная (по месту жительства)"
    TEMPORARY = "temporary", "временная (по месту пребывания)"


class Registration(DatedModel):
    overlap_key = ("person_id", "account_id")
    overlap_label = "регистрации гражданина"

    person = models.ForeignKey(Person, models.CASCADE, related_name="registrations", verbose_name="гражданин")
    account = models.ForeignKey(Account, models.CASCADE, related_name="registrations",
                                verbose_name="лицевой счёт")
    kind = models.CharField("вид", max_length=10, choices=RegistrationKind.choices,
                            default=RegistrationKind.PERMANENT)

    class Meta:
        verbose_name = "регистрация"
        verbose_name_plural = "регистрации"
        indexes = [models.Index(fields=["account", "valid_from"])]

    def __str__(self) -> str:
        return f"{self.person} {self.interval_text()}"


class ResidentCount(DatedModel):
    """The number of residents where only counts are known; it overrides registrations on its days."""

    overlap_key = ("account_id",)
    overlap_label = "числа проживающих"

    account = models.ForeignKey(Account, models.CASCADE, related_name="resident_counts",
                                verbose_name="лицевой счёт")
    count = models.PositiveSmallIntegerField("проживает, чел.")

    class Meta:
        verbose_name = "число проживающих"
        verbose_name_plural = "число проживающих"
        indexes = [models.Index(fields=["account", "valid_from"])]

    def __str__(self) -> str:
        return f"{self.count} чел. {self.interval_text()}"


class Absence(models.Model):
    """Temporary absence; the days of leaving and of return are not counted (Decree 354 p. 86)."""

    account = models.ForeignKey(Account, models.CASCADE, related_name="absences", verbose_name="лицевой счёт")
    date_from = models.DateField("дата выезда")
    date_to = models.DateField("дата возвращения")
    reason = models.CharField("основание", max_length=200, blank=True)

    class Meta:
        verbose_name = "временное отсутствие"
        verbose_name_plural = "временные отсутствия"

    def __str__(self) -> str:
        return f"{self.date_from:%d.%m.%Y}–{self.date_to:%d.%m.%Y}"

    def clean(self) -> None:
        if self.date_from and self.date_to and self.date_to <= self.date_from:
            raise ValidationError({"date_to": "Дата возвращения должна быть позже даты выезда."})


class Parameter(DatedModel):
    """A dated characteristic by key on a building, premises or account: new ones need no migration."""

    overlap_key = ("key", "building_id", "premises_id", "account_id")
    overlap_label = "параметра"

    key = models.SlugField("параметр", max_length=60)
    building = models.ForeignKey(Building, models.CASCADE, null=True, blank=True, related_name="parameters",
                                 verbose_name="дом")
    premises = models.ForeignKey(Premises, models.CASCADE, null=True, blank=True, related_name="parameters",
                                 verbose_name="помещение")
    account = models.ForeignKey(Account, models.CASCADE, null=True, blank=True, related_name="parameters",
                                verbose_name="лицевой счёт")
    value = models.DecimalField("значение", max_digits=20, decimal_places=6)

    class Meta:
        verbose_name = "параметр"
        verbose_name_plural = "параметры"
        constraints = [
            models.CheckConstraint(
                condition=(Q(building__isnull=False, premises__isnull=True, account__isnull=True)
                           | Q(building__isnull=True, premises__isnull=False, account__isnull=True)
                           | Q(building__isnull=True, premises__isnull=True, account__isnull=False)),
                name="parameter_exactly_one_object"),
        ]

    def __str__(self) -> str:
        return f"{self.key} = {self.value} {self.interval_text()}"


def residents_on(account: Account, day: date) -> int:
    """Residents on a day: the count override if one covers the day, else the registrations."""
    dated = Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gt=day))
    override = account.resident_counts.filter(dated).first()
    if override is not None:
        return override.count
    return account.registrations.filter(dated).count()
