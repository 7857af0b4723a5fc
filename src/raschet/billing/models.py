"""Billing: periods and their state, calculation runs with their draft lines and problems, and the
append-only ledger.

A run computes a period into draft ``ChargeLine`` rows (replaceable while the period is open); closing
the period posts the lines of its last run as ledger ``Entry`` rows, which nothing updates or deletes.
A later change that reaches into a closed period is corrected by new ``recalc`` entries in the open
period that point at the corrected one (``ref_period``).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from raschet.housing.models import Account
from raschet.tariffs.models import Organization, Service

MONEY = {"max_digits": 14, "decimal_places": 2}
VOLUME = {"max_digits": 20, "decimal_places": 6}


class PeriodState(models.TextChoices):
    OPEN = "open", "открыт"
    CALCULATED = "calculated", "рассчитан"
    POSTED = "posted", "проведён"
    CLOSED = "closed", "закрыт"


class BillingPeriod(models.Model):
    period = models.CharField("расчётный период", max_length=7, unique=True, help_text="ГГГГ-ММ")
    state = models.CharField("состояние", max_length=12, choices=PeriodState.choices, default=PeriodState.OPEN)
    closed_at = models.DateTimeField("закрыт", null=True, blank=True)

    class Meta:
        verbose_name = "расчётный период"
        verbose_name_plural = "расчётные периоды"
        ordering = ["-period"]

    def __str__(self) -> str:
        return self.period


class RunStatus(models.TextChoices):
    RUNNING = "running", "выполняется"
    DONE = "done", "выполнен"
    SUPERSEDED = "superseded", "заменён новым расчётом"
    POSTED = "posted", "проведён"
    FAILED = "failed", "ошибка"
    CANCELLED = "cancelled", "отменён: период проведён во время расчёта"


class CalcRun(models.Model):
    period = models.CharField("период", max_length=7, db_index=True)
    scope = models.CharField("охват", max_length=200, default="все лицевые счета")
    simulate = models.BooleanField("имитация (не проводится)", default=False)
    status = models.CharField("состояние", max_length=12, choices=RunStatus.choices, default=RunStatus.RUNNING)
    started_at = models.DateTimeField("начат", default=timezone.now)
    finished_at = models.DateTimeField("завершён", null=True, blank=True)
    accounts = models.PositiveIntegerField("лицевых счетов", default=0)
    lines = models.PositiveIntegerField("строк начислений", default=0)
    problems = models.PositiveIntegerField("ошибок", default=0)
    timings = models.JSONField("время этапов, с", default=dict, blank=True)
    # Posting marks the run instead of copying its lines: from then on its lines are the period's
    # charge entries (the view ``billing_ledger``, :class:`LedgerEntry`). ``ledger_mark`` is the run's
    # place among the entries, drawn from their id sequence when it is posted (a kept penalty state
    # knows by it what was posted after it); runs posted by copy before keep it empty.
    posted_at = models.DateTimeField("проведён", null=True, blank=True)
    ledger_mark = models.BigIntegerField("место в журнале проводок", null=True, blank=True)

    class Meta:
        verbose_name = "расчёт"
        verbose_name_plural = "расчёты"
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Расчёт за {self.period} ({self.get_status_display()})"


class UnitStatus(models.TextChoices):
    PENDING = "pending", "ожидает"
    DONE = "done", "выполнена"
    FAILED = "failed", "ошибка"


class CalcUnit(models.Model):
    """A part of a run: whole buildings calculated and written in one transaction, so a unit is either
    done with all its lines or has none, and a resumed run does only the units not done."""

    run = models.ForeignKey(CalcRun, models.CASCADE, related_name="units", verbose_name="расчёт")
    number = models.PositiveIntegerField("№ части")
    buildings = models.JSONField("дома", default=list)
    accounts = models.PositiveIntegerField("лицевых счетов", default=0)
    status = models.CharField("состояние", max_length=12, choices=UnitStatus.choices, default=UnitStatus.PENDING)
    lines = models.PositiveIntegerField("строк начислений", default=0)
    problems = models.PositiveIntegerField("ошибок", default=0)
    timings = models.JSONField("время этапов, с", default=dict, blank=True)
    worker = models.CharField("где выполнена", max_length=200, blank=True)
    message = models.TextField("сообщение об ошибке", blank=True)
    finished_at = models.DateTimeField("завершена", null=True, blank=True)

    class Meta:
        verbose_name = "часть расчёта"
        verbose_name_plural = "части расчёта"
        ordering = ["run", "number"]
        constraints = [models.UniqueConstraint(fields=["run", "number"], name="calcunit_unique")]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.number}: {self.get_status_display()}"


class LineKind(models.TextChoices):
    CHARGE = "charge", "начисление"
    RECALC = "recalc", "перерасчёт"
    PAYMENT = "payment", "оплата"
    PENALTY = "penalty", "пени"
    CORRECTION = "correction", "корректировка"


class ChargeLine(models.Model):
    """One computed line of a run: an account × service × supplier × zone × segment, with how it
    was computed, so the operator and the subscriber can see why."""

    run = models.ForeignKey(CalcRun, models.CASCADE, related_name="charge_lines", verbose_name="расчёт")
    account = models.ForeignKey(Account, models.CASCADE, related_name="charge_lines", verbose_name="лицевой счёт",
                                db_index=False)
    # No index of their own on the service and the supplier (ten values each, and no reader looks a
    # line up by them): each index is paid by every line written (docs/performance.md, "Fewer indexes").
    service = models.ForeignKey(Service, models.PROTECT, related_name="+", verbose_name="услуга", db_index=False)
    supplier = models.ForeignKey(Organization, models.PROTECT, related_name="+", verbose_name="поставщик",
                                 db_index=False)
    period = models.CharField("период проведения", max_length=7)
    ref_period = models.CharField("период начисления", max_length=7)
    kind = models.CharField("вид", max_length=12, choices=LineKind.choices, default=LineKind.CHARGE)
    zone = models.CharField("зона", max_length=10, default="total")
    band = models.PositiveSmallIntegerField("диапазон", null=True, blank=True)
    date_from = models.DateField("с")
    date_to = models.DateField("по (не включая)")
    days = models.PositiveSmallIntegerField("дней")
    method = models.CharField("способ расчёта", max_length=20)
    volume_source = models.CharField("источник объёма", max_length=20)
    volume = models.DecimalField("объём", **VOLUME)
    tariff = models.DecimalField("тариф", **VOLUME)
    factor = models.DecimalField("коэффициент", max_digits=8, decimal_places=4, default=1)
    amount = models.DecimalField("сумма", **MONEY)
    excess_amount = models.DecimalField("превышение из-за повышающего коэффициента", default=0, **MONEY)
    reason = models.CharField("основание", max_length=300, blank=True)
    # Lines written before the explanations moved into LineBlock keep theirs here; new lines leave it
    # empty (NULL) and are explained from their block (``billing.lines.explain_lines``).
    explanation = models.JSONField("как рассчитано", null=True, blank=True)

    class Meta:
        verbose_name = "строка начисления"
        verbose_name_plural = "строки начислений"
        indexes = [models.Index(fields=["account", "ref_period"])]

    def __str__(self) -> str:
        return f"{self.ref_period}: {self.amount} ₽"

    def explained(self) -> str:
        """The explanation as one line for a person: how it was computed, then the inputs used."""
        if self.explanation is None:
            from raschet.billing.lines import explain_lines  # the block reader builds on this model

            explain_lines([self])
        return explanation_text(self.explanation)


class LineBlock(models.Model):
    """How a run's lines were computed, for a range of its accounts: the engine's typed line columns
    (``engine.explain.LINE_SCHEMA``) with each line's id, as one Arrow IPC stream compressed with zstd,
    and the run's codes that turn them back into text. A line's explanation is made from its row here
    by the engine's own ``explanation``, so it is exactly the one computed in the run, while the line
    row stays narrow (no JSON per line: two thirds of a line's bytes before). Immutable once the run
    is posted, like the lines (``billing.guards``)."""

    run = models.ForeignKey(CalcRun, models.CASCADE, related_name="line_blocks", verbose_name="расчёт")
    first_account = models.BigIntegerField("первый лицевой счёт (id)")
    last_account = models.BigIntegerField("последний лицевой счёт (id)")
    lines = models.PositiveIntegerField("строк")
    codes = models.JSONField("коды расчёта")
    data = models.BinaryField("строки (Arrow IPC, zstd)")

    class Meta:
        verbose_name = "блок объяснений строк"
        verbose_name_plural = "блоки объяснений строк"
        indexes = [models.Index(fields=["run", "last_account"])]

    def __str__(self) -> str:
        return f"{self.run_id}: {self.first_account}–{self.last_account} ({self.lines})"


INPUT_LABELS = {"area": "площадь", "share": "доля", "residents": "проживает", "norm": "норматив",
                "reading_prev": "показание было", "reading_cur": "показание стало", "building_volume": "ОДПУ",
                "individual_volume_sum": "Σ ИПУ", "дни": "дней"}


def explanation_text(explanation: dict | None) -> str:
    """A line's stored explanation as one line for a person (:meth:`ChargeLine.explained`)."""
    data = explanation or {}
    head = [str(data[key]) for key in ("расчёт", "примечание") if data.get(key)]
    tail = [f"{label} {data[key]}" for key, label in INPUT_LABELS.items() if data.get(key) not in (None, "")]
    return "; ".join(head + tail)


class CalcProblem(models.Model):
    """An account the run could not calculate (errors as data: the rest of the run goes on)."""

    run = models.ForeignKey(CalcRun, models.CASCADE, related_name="problem_rows", verbose_name="расчёт")
    account = models.ForeignKey(Account, models.CASCADE, null=True, blank=True, related_name="+",
                                verbose_name="лицевой счёт")
    service = models.CharField("услуга", max_length=40, blank=True)
    code = models.CharField("код", max_length=40)
    message = models.TextField("сообщение")
    subject = models.CharField("где", max_length=200, blank=True)

    class Meta:
        verbose_name = "ошибка расчёта"
        verbose_name_plural = "ошибки расчёта"

    def __str__(self) -> str:
        return f"{self.subject}: {self.message}"


class Entry(models.Model):
    """The ledger: append-only; the sign of ``amount`` is its effect on the debt. A payment's entries
    are its allocations; the part kept as an advance has no service and no supplier."""

    account = models.ForeignKey(Account, models.PROTECT, related_name="entries", verbose_name="лицевой счёт",
                                db_index=False)
    # Indexed are only the keys the ledger is read by: the account (with the accrual period), the
    # posting period and the payment. The service, the supplier and the line are never looked up alone,
    # and each index is paid by every entry posted (docs/performance.md, "Fewer indexes").
    service = models.ForeignKey(Service, models.PROTECT, null=True, blank=True, related_name="+",
                                verbose_name="услуга", db_index=False)
    supplier = models.ForeignKey(Organization, models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name="поставщик", db_index=False)
    period = models.CharField("период проведения", max_length=7)
    ref_period = models.CharField("период начисления", max_length=7)
    kind = models.CharField("вид", max_length=12, choices=LineKind.choices)
    amount = models.DecimalField("сумма", **MONEY)
    volume = models.DecimalField("объём", null=True, blank=True, **VOLUME)
    line = models.ForeignKey(ChargeLine, models.PROTECT, null=True, blank=True, related_name="entries",
                             verbose_name="строка расчёта", db_index=False)
    payment = models.ForeignKey("payments.Payment", models.PROTECT, null=True, blank=True, related_name="entries",
                                verbose_name="платёж")
    reason = models.CharField("основание", max_length=300, blank=True)
    created_at = models.DateTimeField("проведено", auto_now_add=True)

    class Meta:
        verbose_name = "проводка"
        verbose_name_plural = "проводки хранимые (оплаты, пени, корректировки)"
        indexes = [models.Index(fields=["account", "ref_period"]),
                   models.Index(fields=["period"], name="entry_posting_period")]

    def __str__(self) -> str:
        return f"{self.period} {self.get_kind_display()} {self.amount}"


class LedgerEntry(models.Model):
    """The whole ledger as it is read (the view ``billing_ledger``, read-only): every stored entry
    (:class:`Entry`: payments, penalties, corrections, and the charges of runs posted by copy before)
    and every line of a run posted as itself (``CalcRun.ledger_mark``) as a charge or recalculation
    entry of its period. A line's row has the line's id negated (``line`` is the line itself) and
    the run's mark as ``mark``; an entry's ``mark`` is its id. Readers go through ``store.ledger``;
    this model serves the admin and the tests."""

    account = models.ForeignKey(Account, models.DO_NOTHING, related_name="+", verbose_name="лицевой счёт")
    service = models.ForeignKey(Service, models.DO_NOTHING, null=True, related_name="+", verbose_name="услуга")
    supplier = models.ForeignKey(Organization, models.DO_NOTHING, null=True, related_name="+",
                                 verbose_name="поставщик")
    period = models.CharField("период проведения", max_length=7)
    ref_period = models.CharField("период начисления", max_length=7)
    kind = models.CharField("вид", max_length=12, choices=LineKind.choices)
    amount = models.DecimalField("сумма", **MONEY)
    volume = models.DecimalField("объём", null=True, **VOLUME)
    line = models.ForeignKey(ChargeLine, models.DO_NOTHING, null=True, related_name="+",
                             verbose_name="строка расчёта")
    payment = models.ForeignKey("payments.Payment", models.DO_NOTHING, null=True, related_name="+",
                                verbose_name="платёж")
    reason = models.CharField("основание", max_length=300, blank=True)
    created_at = models.DateTimeField("проведено")
    mark = models.BigIntegerField("место в журнале")

    class Meta:
        managed = False
        db_table = "billing_ledger"
        verbose_name = "проводка журнала"
        verbose_name_plural = "журнал проводок"
        ordering = ["mark", "line_id"]

    def __str__(self) -> str:
        return f"{self.period} {self.get_kind_display()} {self.amount}"


class RecalcMark(models.Model):
    """An (account, closed accrual period) whose inputs changed after it was charged: the next calculation
    of the open period recalculates it and posts the difference; closing that period clears the mark."""

    account = models.ForeignKey(Account, models.CASCADE, related_name="recalc_marks", verbose_name="лицевой счёт",
                                db_index=False)
    period = models.CharField("период начисления", max_length=7)
    reason = models.CharField("что изменилось", max_length=300)
    created_at = models.DateTimeField("отмечено")

    class Meta:
        verbose_name = "отметка о перерасчёте"
        verbose_name_plural = "ожидающие перерасчёты"
        constraints = [models.UniqueConstraint(fields=["account", "period"], name="recalcmark_unique")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.period}: {self.reason}"


class ServiceInterruption(models.Model):
    """A service interrupted or of poor quality beyond the permitted allowance (Decree 354 Section IX,
    Appendix 1): the month's charge for the service is reduced by ``percent_per_hour`` for each hour
    beyond the allowance. The allowances differ by service and are not re-checked here [M], so the
    operator enters the hours beyond them; the percentage is a field with the usual 0.15 % default."""

    building = models.ForeignKey("housing.Building", models.CASCADE, null=True, blank=True,
                                 related_name="interruptions", verbose_name="дом")
    account = models.ForeignKey(Account, models.CASCADE, null=True, blank=True, related_name="interruptions",
                                verbose_name="лицевой счёт")
    service = models.ForeignKey(Service, models.PROTECT, related_name="+", verbose_name="услуга")
    date_from = models.DateField("начало")
    date_to = models.DateField("окончание (не включая)")
    excess_hours = models.DecimalField("часов сверх допустимого", max_digits=8, decimal_places=2)
    percent_per_hour = models.DecimalField("снижение за час, %", max_digits=6, decimal_places=4, default="0.15")
    reason = models.CharField("основание (акт)", max_length=300)

    class Meta:
        verbose_name = "перерыв или ненадлежащее качество услуги"
        verbose_name_plural = "перерывы и ненадлежащее качество услуг"
        constraints = [models.CheckConstraint(condition=models.Q(building__isnull=False) | models.Q(account__isnull=False),
                                              name="interruption_has_scope")]

    def __str__(self) -> str:
        return f"{self.service} {self.date_from:%d.%m.%Y}: {self.excess_hours} ч"


class Balance(models.Model):
    """The closing balance of an account × service × supplier at the end of a closed posting period,
    written when the period closes, so statements and the turnover sheet start from it instead of
    summing the whole history. Derived data: the ledger stays the truth (a test compares them)."""

    account = models.ForeignKey(Account, models.CASCADE, related_name="balances", verbose_name="лицевой счёт",
                                db_index=False)
    service = models.ForeignKey(Service, models.PROTECT, null=True, blank=True, related_name="+",
                                verbose_name="услуга")
    supplier = models.ForeignKey(Organization, models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name="поставщик")
    period = models.CharField("период", max_length=7, db_index=True)
    closing = models.DecimalField("сальдо на конец", **MONEY)

    class Meta:
        verbose_name = "сальдо закрытого периода"
        verbose_name_plural = "сальдо закрытых периодов"
        indexes = [models.Index(fields=["account", "period"])]

    def __str__(self) -> str:
        return f"{self.account_id} {self.period}: {self.closing}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "в очереди"
    RUNNING = "running", "выполняется"
    DONE = "done", "выполнено"
    FAILED = "failed", "ошибка"


class Job(models.Model):
    """Long work run in the background (a period's calculation, a mass recalculation), with progress
    that the CLI and the admin show while it runs."""

    kind = models.CharField("работа", max_length=40)
    params = models.JSONField("параметры", default=dict)
    status = models.CharField("состояние", max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    done = models.PositiveIntegerField("выполнено", default=0)
    total = models.PositiveIntegerField("всего", default=0)
    message = models.TextField("итог", blank=True)
    task_id = models.CharField("задача", max_length=64, blank=True)
    created_at = models.DateTimeField("поставлена", default=timezone.now)
    finished_at = models.DateTimeField("завершена", null=True, blank=True)

    class Meta:
        verbose_name = "фоновая работа"
        verbose_name_plural = "фоновые работы"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.params} — {self.get_status_display()} {self.done}/{self.total}"
