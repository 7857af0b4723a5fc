"""The dated rules of penalties, each row with its legal basis (printed on every penalty statement).

Seeded by a data migration (``0002_seed_penalty_rules``) and edited in the admin: a new law or a new
key rate is a new row, not a release. The key rates themselves are ``tariffs.KeyRate``.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from raschet.housing.dated import DatedModel
from raschet.housing.models import Account

BASIS = {"max_length": 400, "verbose_name": "правовое основание"}


class Category(models.TextChoices):
    """Who owes: the penalty fractions differ by consumer category (domain.md §12)."""

    CITIZEN = "citizen", "гражданин — собственник или наниматель (ЖК РФ ст. 155 ч. 14)"
    MANAGER = "manager", "УК, ТСЖ, ЖСК — исполнитель коммунальных услуг"
    COMMERCIAL = "commercial", "иной потребитель — юридическое лицо или ИП"
    BUDGET = "budget", "бюджетное (казённое) учреждение"


CATEGORY_CODES = [c.value for c in Category]


class Group(models.TextChoices):
    STANDARD = "standard", "жилищно-коммунальные услуги"
    CAPITAL_REPAIR = "capital_repair", "взнос на капитальный ремонт"


class RateMode(models.TextChoices):
    KEY = "key", "ключевая ставка на день оплаты"
    FIXED = "fixed", "фиксированная ставка"
    MIN_KEY = "min_key", "меньшая из предельной и ключевой ставки на день оплаты"


class IncreasePolicy(models.TextChoices):
    OWN_DUE_DATE = "own_due_date", "доначисление — новый долг со своим сроком оплаты (периода проведения)"
    ORIGINAL_DUE_DATE = "original_due_date", "доначисление увеличивает долг с исходного срока оплаты"


class RateDate(models.TextChoices):
    PAYMENT = "payment", "ставка на день оплаты долга (на дату расчёта — для неоплаченного)"
    AS_OF = "as_of", "ставка на дату расчёта для всех строк"


class PenaltyRule(DatedModel):
    """Which days of delay accrue at which fraction of the rate, for a category and a group of services."""

    overlap_key = ("category", "group")
    overlap_label = "правила пеней"

    category = models.CharField("категория потребителя", max_length=12, choices=Category.choices)
    group = models.CharField("услуги", max_length=16, choices=Group.choices, default=Group.STANDARD)
    grace_days = models.PositiveSmallIntegerField("дней без пеней после срока оплаты", default=30)
    first_denominator = models.PositiveSmallIntegerField("доля ставки, 1/…", default=300,
                                                         validators=[MinValueValidator(1)])
    step_day = models.PositiveSmallIntegerField("с какого дня просрочки вторая доля", null=True, blank=True,
                                                default=91)
    second_denominator = models.PositiveSmallIntegerField("вторая доля ставки, 1/…", null=True, blank=True,
                                                          default=130, validators=[MinValueValidator(1)])
    due_day = models.PositiveSmallIntegerField("срок оплаты по договору, число следующего месяца", null=True,
                                               blank=True, validators=[MinValueValidator(1), MaxValueValidator(31)],
                                               help_text="Пусто — общий срок оплаты (правила сроков оплаты).")
    legal_basis = models.CharField(**BASIS)

    class Meta:
        verbose_name = "правило начисления пеней"
        verbose_name_plural = "правила начисления пеней"
        ordering = ["category", "group", "valid_from"]

    def __str__(self) -> str:
        second = f", 1/{self.second_denominator} с {self.step_day}-го дня" if self.step_day else ""
        return f"{self.get_category_display()}, {self.get_group_display()}: 1/{self.first_denominator}" \
               f" с {self.grace_days + 1}-го дня{second}"


class RateRegime(DatedModel):
    """Which rate a day of delay takes (ПП 474 and its extensions for 2022–2026); days outside every
    row take the key rate (ЖК РФ ст. 155 ч. 14)."""

    overlap_label = "порядка определения ставки"

    mode = models.CharField("порядок", max_length=8, choices=RateMode.choices)
    rate = models.DecimalField("ставка или предел, % годовых", max_digits=7, decimal_places=4, default=0)
    legal_basis = models.CharField(**BASIS)

    class Meta:
        verbose_name = "порядок определения ставки пеней"
        verbose_name_plural = "порядки определения ставки пеней"
        ordering = ["valid_from"]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} {self.rate} % {self.interval_text()}"


class Moratorium(DatedModel):
    """Days on which no penalty accrues for the categories it covers; ``valid_to`` is the day after the
    last day of the moratorium (both of its end dates are included in the law)."""

    overlap_label = "моратория"

    name = models.CharField("название", max_length=200)
    categories = models.JSONField("кого касается", default=list, help_text=f"Коды категорий: {CATEGORY_CODES}")
    legal_basis = models.CharField(**BASIS)

    class Meta:
        verbose_name = "мораторий на начисление пеней"
        verbose_name_plural = "моратории на начисление пеней"
        ordering = ["valid_from"]

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        super().clean()
        unknown = [c for c in self.categories or [] if c not in CATEGORY_CODES]
        if unknown or not isinstance(self.categories, list):
            raise ValidationError({"categories": f"Неизвестные категории {unknown}; допустимы: {CATEGORY_CODES}."})

    def __str__(self) -> str:
        return f"{self.name} {self.interval_text()}"


class DueDayRule(models.Model):
    """Charges of accrual periods from ``first_period`` on are due on ``day`` of the next month."""

    first_period = models.CharField("для периодов начисления с", max_length=7, unique=True, help_text="ГГГГ-ММ")
    day = models.PositiveSmallIntegerField("срок оплаты, число следующего месяца",
                                           validators=[MinValueValidator(1), MaxValueValidator(31)])
    legal_basis = models.CharField(**BASIS)

    class Meta:
        verbose_name = "срок оплаты"
        verbose_name_plural = "сроки оплаты"
        ordering = ["first_period"]

    def __str__(self) -> str:
        return f"с периода {self.first_period}: до {self.day}-го числа следующего месяца"


class NonWorkingDay(models.Model):
    """A holiday or moved day off; used only when the policy shifts a due date past non-working days."""

    day = models.DateField("нерабочий день", unique=True)
    legal_basis = models.CharField(**BASIS)

    class Meta:
        verbose_name = "нерабочий праздничный день"
        verbose_name_plural = "нерабочие праздничные дни"
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%d.%m.%Y}"


class PenaltyPolicy(DatedModel):
    """The readings of open points of law (domain.md marks them [M]); the row in force on the statement's
    date applies."""

    overlap_label = "порядка расчёта пеней"

    payment_day_accrues = models.BooleanField("день оплаты включается в просрочку", default=True)
    weekend_shift = models.BooleanField("срок оплаты в выходной переносится на рабочий день (ГК ст. 193)",
                                        default=False)
    increase = models.CharField("доначисление прошлого периода", max_length=20, choices=IncreasePolicy.choices,
                                default=IncreasePolicy.OWN_DUE_DATE)
    rate_date = models.CharField("дата ставки", max_length=8, choices=RateDate.choices, default=RateDate.PAYMENT)
    legal_basis = models.CharField(**BASIS)

    class Meta:
        verbose_name = "порядок расчёта пеней"
        verbose_name_plural = "порядок расчёта пеней"
        ordering = ["valid_from"]

    def __str__(self) -> str:
        return f"Порядок расчёта пеней {self.interval_text()}"


class AccountCategory(DatedModel):
    """The penalty category of an account on given days; an account without a row is a citizen."""

    overlap_key = ("account_id",)
    overlap_label = "категории плательщика"

    account = models.ForeignKey(Account, models.CASCADE, related_name="penalty_categories",
                                verbose_name="лицевой счёт")
    category = models.CharField("категория", max_length=12, choices=Category.choices)
    legal_basis = models.CharField("основание (договор)", max_length=400, blank=True)

    class Meta:
        verbose_name = "категория плательщика для пеней"
        verbose_name_plural = "категории плательщиков для пеней"
        indexes = [models.Index(fields=["account", "valid_from"])]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.get_category_display()} {self.interval_text()}"
