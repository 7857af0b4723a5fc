"""Every saved or deleted input that can reach a closed period marks it for recalculation.

Edits through the admin and the ORM arrive here; bulk paths (scenario changes, imports) call
``tracking.mark`` themselves. The interval marked is the union of the row's old and new dates, so
moving a tariff's start from March back to January marks January to March.
"""

from __future__ import annotations

from datetime import date

from django.db.models.signals import post_delete, post_save, pre_save

from raschet.billing.models import ServiceInterruption
from raschet.billing.tracking import Scope, mark
from raschet.housing.models import (
    Absence,
    Account,
    Building,
    Parameter,
    Premises,
    PremisesArea,
    Registration,
    ResidentCount,
)
from raschet.metering.models import Meter, Reading
from raschet.tariffs.models import AccountService, CalcRule, Norm, Tariff

EVER = (None, None)


def _scope(instance) -> Scope:
    if isinstance(instance, (Tariff, Norm)):
        return Scope(service=instance.service_id, building=instance.building_id)
    if isinstance(instance, CalcRule):
        return Scope(account=instance.account_id) if instance.account_id else \
            Scope(service=instance.service_id, building=instance.building_id)
    if isinstance(instance, PremisesArea):
        return Scope(premises=instance.premises_id)
    if isinstance(instance, Parameter):
        return Scope(account=instance.account_id, premises=instance.premises_id, building=instance.building_id)
    if isinstance(instance, Reading):
        meter = instance.meter
        return Scope(account=meter.account_id) if meter.account_id else Scope(building=meter.building_id)
    if isinstance(instance, Meter):
        return Scope(account=instance.account_id) if instance.account_id else Scope(building=instance.building_id)
    if isinstance(instance, Premises):
        return Scope(premises=instance.pk)
    if isinstance(instance, Building):
        return Scope(building=instance.pk)
    if isinstance(instance, Account):
        return Scope(account=instance.pk)
    if isinstance(instance, ServiceInterruption):
        return Scope(account=instance.account_id) if instance.account_id else Scope(building=instance.building_id)
    return Scope(account=instance.account_id)  # residents, registrations, absences, account services


def _dates(instance) -> tuple[date | None, date | None]:
    if hasattr(instance, "valid_from"):
        return instance.valid_from, instance.valid_to
    if isinstance(instance, (Absence, ServiceInterruption)):
        return instance.date_from, instance.date_to
    if isinstance(instance, Reading):  # a reading changes its own month's volume and the next one's
        return instance.date.replace(day=1), None
    return EVER


def _union(first: tuple, second: tuple | None) -> tuple:
    if second is None:
        return first
    starts = [first[0], second[0]]
    ends = [first[1], second[1]]
    return (None if None in starts else min(starts)), (None if None in ends else max(ends))


def _remember_old(sender, instance, **kwargs) -> None:
    if instance.pk is not None:
        old = sender._default_manager.filter(pk=instance.pk).first()
        instance._dates_before_change = _dates(old) if old is not None else None


def _changed(sender, instance, **kwargs) -> None:
    start, end = _union(_dates(instance), getattr(instance, "_dates_before_change", None))
    mark(_scope(instance), start, end, f"изменено: {sender._meta.verbose_name} ({instance})")


TRACKED = [PremisesArea, ResidentCount, Registration, Absence, Parameter, Tariff, Norm, CalcRule, AccountService,
           Meter, Reading, Premises, Building, Account, ServiceInterruption]


def connect() -> None:
    for model in TRACKED:
        pre_save.connect(_remember_old, sender=model, dispatch_uid=f"recalc-old-{model.__name__}")
        post_save.connect(_changed, sender=model, dispatch_uid=f"recalc-save-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"recalc-delete-{model.__name__}")
