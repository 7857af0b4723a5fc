"""The audit trail: who changed what and when on the models that matter (django-auditlog).

The models are registered here, not in their apps, so their migrations stay as they are; each save
and delete through the ORM writes a ``LogEntry`` with the changed fields (old → new) and the signed-in
user (``AuditlogMiddleware``). Bulk writes (a month's lines, a registry's payments, generated regions)
are not model saves and are not logged: they have their own records (runs, registries, payment events).
:func:`history_of` gathers the entries of an account and of everything that belongs to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.contrib.contenttypes.models import ContentType

AUDITED = (  # (app label, model): accounts, premises, registrations, areas/shares, meters, readings, …
    ("housing", "Building"), ("housing", "Premises"), ("housing", "PremisesArea"), ("housing", "Account"),
    ("housing", "Person"), ("housing", "Registration"), ("housing", "ResidentCount"), ("housing", "Absence"),
    ("metering", "Meter"), ("metering", "Reading"), ("tariffs", "Tariff"), ("tariffs", "Norm"),
    ("tariffs", "CalcRule"), ("tariffs", "AccountService"), ("payments", "Payment"), ("claims", "DebtCase"),
)
ACTIONS = {0: "создано", 1: "изменено", 2: "удалено", 3: "просмотрено"}


def register_models() -> None:
    from auditlog.registry import auditlog

    for app_label, name in AUDITED:
        model = apps.get_model(app_label, name)
        if not auditlog.contains(model):
            auditlog.register(model)


@dataclass(frozen=True)
class Change:
    """One audited change, ready to show: when, who, what object, which fields from → to."""

    at: datetime
    user: str
    action: str
    subject: str
    fields: list[tuple[str, str, str]]  # (field's name, old value, new value)


def _field_name(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # a field removed since the change was logged
        return name


def _objects_of(account) -> dict[type, list]:
    """Every audited object that belongs to ``account``, by model."""
    from raschet.claims.models import DebtCase
    from raschet.housing.models import Absence, PremisesArea, Registration, ResidentCount
    from raschet.metering.models import Meter, Reading
    from raschet.payments.models import Payment

    meters = list(Meter.objects.filter(account=account).values_list("pk", flat=True)) + list(
        Meter.objects.filter(premises_id=account.premises_id, account__isnull=True).values_list("pk", flat=True))
    return {
        type(account): [account.pk], type(account.premises): [account.premises_id],
        PremisesArea: list(PremisesArea.objects.filter(premises_id=account.premises_id).values_list("pk", flat=True)),
        Registration: list(Registration.objects.filter(account=account).values_list("pk", flat=True)),
        ResidentCount: list(ResidentCount.objects.filter(account=account).values_list("pk", flat=True)),
        Absence: list(Absence.objects.filter(account=account).values_list("pk", flat=True)),
        Meter: meters, Reading: list(Reading.objects.filter(meter_id__in=meters).values_list("pk", flat=True)),
        Payment: list(Payment.objects.filter(account=account).values_list("pk", flat=True)),
        DebtCase: list(DebtCase.objects.filter(account=account).values_list("pk", flat=True)),
    }


def history_of(account, limit: int = 200) -> list[Change]:
    """The changes of ``account`` and of what belongs to it (premises, areas, registrations, residents,
    absences, meters, readings, payments, debt cases), newest first."""
    from auditlog.models import LogEntry
    from django.db.models import Q

    wanted = Q(pk__in=[])
    models = {}
    for model, ids in _objects_of(account).items():
        if ids:
            kind = ContentType.objects.get_for_model(model)
            models[kind.pk] = model
            wanted |= Q(content_type=kind, object_pk__in=[str(i) for i in ids])
    entries = LogEntry.objects.filter(wanted).select_related("actor").order_by("-timestamp", "-pk")[:limit]
    return [_change(entry, models.get(entry.content_type_id)) for entry in entries]


def _change(entry, model) -> Change:
    user = entry.actor.get_full_name() or entry.actor.get_username() if entry.actor else "система"
    kind = str(model._meta.verbose_name) if model else "объект"
    changes = entry.changes_dict if isinstance(entry.changes_dict, dict) else {}
    fields = [(_field_name(model, name), _text(values, 0), _text(values, 1)) for name, values in changes.items()
              ] if model else []
    return Change(entry.timestamp, user, ACTIONS.get(entry.action, str(entry.action)),
                  f"{kind}: {entry.object_repr}", fields)


def _text(values, index: int) -> str:
    value = values[index] if isinstance(values, list | tuple) and len(values) > index else ""
    return "—" if value in (None, "None", "") else str(value)
