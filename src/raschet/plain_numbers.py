"""Numbers typed by people into the admin's forms: read by the one rule of ``raschet.domain.bounds``.

Django's own decimal field takes ``1e3``, ``1_000`` and full-width digits (``Decimal`` does); here a
number is plain notation only, no more decimals than its column (refused, never rounded) and within
the common-sense bounds of its field where they are declared (:data:`FIELD_BOUNDS`). An admin takes
this with :class:`BoundedNumbers` before its base class.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from raschet.domain import bounds

FIELD_BOUNDS: dict[str, bounds.Bound] = {
    "housing.building.total_area": bounds.BUILDING_AREA, "housing.building.common_area": bounds.COMMON_AREA,
    "housing.premisesarea.value": bounds.PREMISES_AREA, "housing.account.share": bounds.SHARE,
    "housing.account.opening_balance": bounds.OPENING_BALANCE, "housing.residentcount.count": bounds.RESIDENTS,
    "tariffs.tariff.value": bounds.TARIFF, "tariffs.norm.value": bounds.NORM, "tariffs.keyrate.value": bounds.KEY_RATE,
    "metering.reading.value": bounds.READING, "metering.meter.digits": bounds.METER_DIGITS,
    "billing.serviceinterruption.excess_hours": bounds.EXCESS_HOURS,
    "billing.serviceinterruption.percent_per_hour": bounds.PERCENT_PER_HOUR,
}


def _check(bound: bounds.Bound | None, value) -> None:
    reason = bound.reason(value) if bound is not None and value is not None else None
    if reason:
        raise ValidationError(reason, code="out_of_bounds")


class PlainDecimalField(forms.DecimalField):
    def __init__(self, *, bound: bounds.Bound | None = None, **kwargs) -> None:
        self.bound = bound
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return bounds.parse_plain(str(value))
        except ValueError as error:
            raise ValidationError(f"Неверное число «{value}»: {error}.", code="invalid") from None

    def validate(self, value) -> None:
        super().validate(value)
        _check(self.bound, value)


class BoundedNumbers:
    """Admin mixin: decimal fields read plainly and every bounded number checked (see the module)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        bound = FIELD_BOUNDS.get(f"{db_field.model._meta.label_lower}.{db_field.name}")
        if isinstance(db_field, models.DecimalField):
            return db_field.formfield(form_class=PlainDecimalField, bound=bound, **kwargs)
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if bound is not None and field is not None:
            field.validators.append(lambda value, bound=bound: _check(bound, value))
        return field
