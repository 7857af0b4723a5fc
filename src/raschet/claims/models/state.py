"""The penalty accrual's kept state: what the next month's accrual needs of every account with debt
still accruing, so that it reads the month's new ledger entries instead of the whole history.

A derived record, never a source of truth: a missing, outdated or mismatched state only means the
next accrual reads the whole ledger (the same result, slower). Written in the transaction of the
accrual that computed it, so it never describes entries that did not commit.
"""

from __future__ import annotations

from django.db import models


class PenaltyState(models.Model):
    """One accrual's state: as of the end of ``period``, the ledger up to entry ``mark`` (every entry
    with a larger id is new to it), computed under the terms whose digest is ``terms``."""

    period = models.CharField("период начисления пеней", max_length=7)
    mark = models.BigIntegerField("последняя учтённая проводка")
    terms = models.CharField("отпечаток правил", max_length=64)
    accounts = models.IntegerField("лицевых счетов с долгом", default=0)
    created_at = models.DateTimeField("записано", auto_now_add=True)

    class Meta:
        verbose_name = "состояние начисления пеней"
        verbose_name_plural = "состояния начисления пеней"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.period} (до проводки {self.mark})"


class PenaltyStatePart(models.Model):
    """One frame of a state, Arrow IPC compressed with zstd: ``buckets``, ``movements``, ``totals``,
    ``weights`` or ``excluded``."""

    state = models.ForeignKey(PenaltyState, models.CASCADE, related_name="parts")
    name = models.CharField("часть", max_length=20)
    rows = models.IntegerField("строк")
    data = models.BinaryField("данные")

    class Meta:
        verbose_name = "часть состояния начисления пеней"
        verbose_name_plural = "части состояния начисления пеней"
        constraints = [models.UniqueConstraint(fields=["state", "name"], name="claims_state_part_unique")]

    def __str__(self) -> str:
        return f"{self.name}: {self.rows} строк"
