"""Use cases of the address fund: a dated characteristic changes from a date by a new version.

The value in force is never overwritten: the version covering the date ends there and a new one
starts, up to where the old one ended (or the next version begins), so past months keep their
inputs and a recalculation of a closed month sees what changed and when (``billing.signals``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from raschet import access
from raschet.domain.errors import ProblemsError, problem
from raschet.housing.dated import DatedModel
from raschet.housing.models import Account, Premises, PremisesArea, ResidentCount

access.register("housing", {"add_premisesarea": "Изменять площадь помещения",
                            "add_residentcount": "Изменять число проживающих"})
AREA_PERMISSION = "housing.add_premisesarea"
RESIDENTS_PERMISSION = "housing.add_residentcount"


def _refused(subject: str, field: str, value: object, reason: str) -> ProblemsError:
    return ProblemsError([problem("invalid_value", subject, value=str(value), field=field, reason=reason)])


def new_version(model: type[DatedModel], key: dict, valid_from: date, values: dict, subject: str) -> DatedModel:
    """A new dated version of ``model`` for ``key`` from ``valid_from``; the one in force then ends there."""
    rows = model.objects.select_for_update().filter(**key)
    current = rows.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=valid_from), valid_from__lte=valid_from).first()
    if current is not None and current.valid_from == valid_from:
        raise _refused(subject, "действует с", f"{valid_from:%d.%m.%Y}",
                       "с этой даты уже есть значение; новое значение вводится с другой даты, прежнее не затирается")
    following = rows.filter(valid_from__gt=valid_from).order_by("valid_from").first()
    end = current.valid_to if current is not None else (following.valid_from if following else None)
    if current is not None:
        current.valid_to = valid_from
        current.save(update_fields=["valid_to"])
    row = model(**key, **values, valid_from=valid_from, valid_to=end)
    try:
        row.full_clean()
    except ValidationError as error:
        reason = "; ".join(message for messages in error.message_dict.values() for message in messages)
        raise _refused(subject, "значение", ", ".join(map(str, values.values())), reason) from None
    row.save()
    return row


@transaction.atomic
def set_area(*, premises: Premises, value: Decimal, valid_from: date, actor=None) -> PremisesArea:
    access.require(actor, AREA_PERMISSION)
    if value <= 0:
        raise _refused(f"помещение {premises}", "площадь", value, "площадь должна быть больше нуля")
    return new_version(PremisesArea, {"premises": premises}, valid_from, {"value": value}, f"помещение {premises}")


@transaction.atomic
def set_residents(*, account: Account, count: int, valid_from: date, actor=None) -> ResidentCount:
    access.require(actor, RESIDENTS_PERMISSION)
    if count < 0:
        raise _refused(f"лицевой счёт {account.number}", "проживает", count, "число не может быть отрицательным")
    return new_version(ResidentCount, {"account": account}, valid_from, {"count": count},
                       f"лицевой счёт {account.number}")
