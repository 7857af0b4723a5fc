"""Effective-dated rows: the abstract model every dated characteristic inherits.

A dated row is valid on ``[valid_from, valid_to)``; ``valid_to = None`` is open-ended. Rows of the same
key (``overlap_key``) must not overlap: two areas for one premises on the same day would make a charge
ambiguous, so the overlap is refused with a message that names both intervals.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


def _fmt(d: date | None) -> str:
    return d.strftime("%d.%m.%Y") if d else "…"


class DatedModel(models.Model):
    """A row valid on ``[valid_from, valid_to)``; subclasses name the fields of their key."""

    overlap_key: tuple[str, ...] = ()
    overlap_label: str = "значения"

    valid_from = models.DateField("действует с")
    valid_to = models.DateField("действует по (не включая)", null=True, blank=True)

    class Meta:
        abstract = True

    def interval_text(self) -> str:
        return f"[{_fmt(self.valid_from)}; {_fmt(self.valid_to)})"

    def overlapping(self) -> models.QuerySet:
        """Other rows of the same key whose interval meets this one."""
        key = {name: getattr(self, name) for name in self.overlap_key}
        query = type(self)._default_manager.filter(**key).exclude(pk=self.pk)
        # rows edited together in one inline list are checked among themselves (housing/forms.py)
        query = query.exclude(pk__in=getattr(self, "_edited_together", ()))
        if self.valid_to is not None:
            query = query.filter(valid_from__lt=self.valid_to)
        return query.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=self.valid_from))

    def clean(self) -> None:
        super().clean()
        if self.valid_from and self.valid_to and self.valid_to <= self.valid_from:
            raise ValidationError({"valid_to": "Дата окончания должна быть позже даты начала."})
        if not self.valid_from or any(getattr(self, f"{n}_id", getattr(self, n, None)) is None
                                      for n in self.overlap_key if n.endswith("_id")):
            return
        other = self.overlapping().first()
        if other is not None:
            raise ValidationError(
                f"Периоды {self.overlap_label} пересекаются: {self.interval_text()} и "
                f"{other.interval_text()}. Исправьте даты «действует с» / «действует по»."
            )
