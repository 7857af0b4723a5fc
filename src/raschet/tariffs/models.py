"""Organisations, services and the dated reference data the calculation reads.

Tariffs, norms and rules are dated rows with an optional scope (a building, for rules also an
account); the most specific row in force on a day wins. A new law is a new dated rule, not a release.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from raschet.housing.dated import DatedModel
from raschet.housing.models import Account, Building
from raschet.housing.validators import (
    validate_bic_field,
    validate_inn_field,
    validate_kpp_field,
    validate_ogrn_field,
)

RATE = {"max_digits": 20, "decimal_places": 6}


class OrganizationRole(models.TextChoices):
    MANAGEMENT_COMPANY = "management_company", "управляющая организация"
    RESOURCE_SUPPLIER = "resource_supplier", "ресурсоснабжающая организация"
    WASTE_OPERATOR = "waste_operator", "региональный оператор по обращению с ТКО"
    CAPITAL_REPAIR_OPERATOR = "capital_repair_operator", "региональный оператор капремонта"
    SETTLEMENT_CENTRE = "settlement_centre", "расчётный центр"
    POWER_SUPPLIER = "power_supplier", "энергосбытовая компания"


class Organization(models.Model):
    code = models.CharField("код", max_length=40, unique=True)
    name = models.CharField("наименование", max_length=300)
    roles = models.JSONField("роли", default=list, blank=True,
                             help_text="Список ролей: " + ", ".join(OrganizationRole.values))
    inn = models.CharField("ИНН", max_length=12, validators=[validate_inn_field], db_index=True)
    kpp = models.CharField("КПП", max_length=9, blank=True, validators=[validate_kpp_field])
    ogrn = models.CharField("ОГРН", max_length=15, blank=True, validators=[validate_ogrn_field])
    bank_name = models.CharField("банк", max_length=200, blank=True)
    bic = models.CharField("БИК", max_length=9, blank=True, validators=[validate_bic_field])
    settlement_account = models.CharField("расчётный счёт", max_length=20, blank=True)
    corr_account = models.CharField("корреспондентский счёт", max_length=20, blank=True)

    class Meta:
        verbose_name = "организация"
        verbose_name_plural = "организации"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def role_names(self) -> str:
        labels = dict(OrganizationRole.choices)
        return ", ".join(labels.get(role, role) for role in self.roles)

    role_names.short_description = "роли"

    def clean(self) -> None:
        from raschet.domain import identifiers

        unknown = [role for role in self.roles if role not in OrganizationRole.values]
        if unknown:
            raise ValidationError({"roles": f"Неизвестные роли: {', '.join(map(str, unknown))}."})
        if self.settlement_account and self.bic:
            try:
                identifiers.validate_settlement_account(self.settlement_account, self.bic)
            except identifiers.IdentifierError as error:
                raise ValidationError({"settlement_account": str(error)}) from error


class ServiceKind(models.TextChoices):
    COLD_WATER = "cold_water", "холодное водоснабжение"
    HOT_WATER = "hot_water", "горячее водоснабжение"
    WASTEWATER = "wastewater", "водоотведение"
    ELECTRICITY = "electricity", "электроснабжение"
    GAS = "gas", "газоснабжение"
    HEATING = "heating", "отопление"
    MAINTENANCE = "maintenance", "содержание жилого помещения"
    CAPITAL_REPAIR = "capital_repair", "взнос на капитальный ремонт"
    WASTE = "waste", "обращение с ТКО"
    COMMON_NEEDS = "common_needs", "КР на СОИ"
    OTHER = "other", "прочее"


class Unit(models.TextChoices):
    M3 = "m3", "м³"
    KWH = "kWh", "кВт·ч"
    GCAL = "Gcal", "Гкал"
    M2 = "m2", "м²"
    PERSON = "person", "чел."
    MONTH = "month", "мес."


class Service(models.Model):
    code = models.CharField("код", max_length=40, unique=True)
    name = models.CharField("наименование", max_length=200)
    kind = models.CharField("вид", max_length=20, choices=ServiceKind.choices)
    unit = models.CharField("единица", max_length=10, choices=Unit.choices)

    class Meta:
        verbose_name = "услуга"
        verbose_name_plural = "услуги"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Zone(models.TextChoices):
    TOTAL = "total", "без зон"
    DAY = "day", "день"
    NIGHT = "night", "ночь"
    PEAK = "peak", "пик"
    SEMIPEAK = "semipeak", "полупик"


class Tariff(DatedModel):
    overlap_key = ("service_id", "supplier_id", "zone", "band", "building_id")
    overlap_label = "тарифа"

    service = models.ForeignKey(Service, models.PROTECT, related_name="tariffs", verbose_name="услуга")
    supplier = models.ForeignKey(Organization, models.PROTECT, related_name="tariffs",
                                 verbose_name="поставщик")
    zone = models.CharField("зона суток", max_length=10, choices=Zone.choices, default=Zone.TOTAL)
    band = models.PositiveSmallIntegerField("диапазон объёма", null=True, blank=True,
                                            help_text="1, 2 или 3 для тарифов, дифференцированных по объёму")
    building = models.ForeignKey(Building, models.CASCADE, null=True, blank=True, related_name="tariffs",
                                 verbose_name="дом", help_text="Пусто — для всех домов.")
    value = models.DecimalField("тариф, ₽ за единицу", validators=[MinValueValidator(Decimal("0"))], **RATE)
    legal_basis = models.CharField("основание", max_length=300, blank=True)

    class Meta:
        verbose_name = "тариф"
        verbose_name_plural = "тарифы"
        indexes = [models.Index(fields=["service", "supplier", "valid_from"])]

    def __str__(self) -> str:
        return f"{self.service.code}: {self.value} {self.interval_text()}"


class NormKind(models.TextChoices):
    INDIVIDUAL = "individual", "индивидуальное потребление"
    COMMON = "common", "содержание общего имущества"


class NormBasis(models.TextChoices):
    PERSON = "person", "на человека"
    AREA = "area", "на м² помещения"
    COMMON_AREA = "common_area", "на м² общего имущества"


class Norm(DatedModel):
    overlap_key = ("service_id", "kind", "basis", "building_id")
    overlap_label = "норматива"

    service = models.ForeignKey(Service, models.PROTECT, related_name="norms", verbose_name="услуга")
    kind = models.CharField("вид", max_length=12, choices=NormKind.choices, default=NormKind.INDIVIDUAL)
    basis = models.CharField("база", max_length=12, choices=NormBasis.choices, default=NormBasis.PERSON)
    building = models.ForeignKey(Building, models.CASCADE, null=True, blank=True, related_name="norms",
                                 verbose_name="дом")
    value = models.DecimalField("норматив в месяц", validators=[MinValueValidator(Decimal("0"))], **RATE)
    legal_basis = models.CharField("основание", max_length=300, blank=True)

    class Meta:
        verbose_name = "норматив потребления"
        verbose_name_plural = "нормативы потребления"

    def __str__(self) -> str:
        return f"{self.service.code} {self.get_basis_display()}: {self.value} {self.interval_text()}"


class Method(models.TextChoices):
    METERED = "metered", "по прибору учёта (среднее, норматив)"
    NORM = "norm", "по нормативу"
    AREA = "area", "по площади"
    HEATING = "heating", "отопление"
    COMMON_NEEDS = "common_needs", "КР на СОИ"
    SUM_OF = "sum_of", "сумма объёмов других услуг (водоотведение = ХВС + ГВС)"
    FORMULA = "formula", "по формуле"


class CalcRule(DatedModel):
    overlap_key = ("service_id", "building_id", "account_id")
    overlap_label = "правила расчёта"

    service = models.ForeignKey(Service, models.PROTECT, related_name="rules", verbose_name="услуга")
    method = models.CharField("способ расчёта", max_length=20, choices=Method.choices)
    building = models.ForeignKey(Building, models.CASCADE, null=True, blank=True, related_name="rules",
                                 verbose_name="дом")
    account = models.ForeignKey(Account, models.CASCADE, null=True, blank=True, related_name="rules",
                                verbose_name="лицевой счёт")
    params = models.JSONField("параметры", default=dict, blank=True)
    legal_basis = models.CharField("основание", max_length=300, blank=True)

    class Meta:
        verbose_name = "правило расчёта"
        verbose_name_plural = "правила расчёта"

    def __str__(self) -> str:
        return f"{self.service.code}: {self.get_method_display()} {self.interval_text()}"


class AccountService(DatedModel):
    """Which supplier bills which service to an account, on which days."""

    overlap_key = ("account_id", "service_id")
    overlap_label = "подключения услуги"

    account = models.ForeignKey(Account, models.CASCADE, related_name="services", verbose_name="лицевой счёт")
    service = models.ForeignKey(Service, models.PROTECT, related_name="accounts", verbose_name="услуга")
    supplier = models.ForeignKey(Organization, models.PROTECT, related_name="account_services",
                                 verbose_name="поставщик")
    gis_service_id = models.CharField("ИЖКУ", max_length=30, blank=True)

    class Meta:
        verbose_name = "услуга лицевого счёта"
        verbose_name_plural = "услуги лицевого счёта"
        indexes = [models.Index(fields=["account", "valid_from"])]

    def __str__(self) -> str:
        return f"{self.service} — {self.supplier} {self.interval_text()}"


class KeyRate(DatedModel):
    """The Central Bank key rate, % per year, for penalties (domain.md §6.3)."""

    overlap_key = ()
    overlap_label = "ключевой ставки"

    value = models.DecimalField("ключевая ставка, % годовых", max_digits=7, decimal_places=4)
    legal_basis = models.CharField("основание", max_length=300, blank=True, default="", db_default="")

    class Meta:
        verbose_name = "ключевая ставка"
        verbose_name_plural = "ключевые ставки"
        ordering = ["valid_from"]

    def __str__(self) -> str:
        return f"{self.value} % {self.interval_text()}"
