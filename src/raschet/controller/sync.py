"""The sync of what a controller recorded offline: readings, meter checks and seals, each entry with
the id the phone gave it.

Idempotent: the first time an entry's id arrives, a :class:`SyncEntry` with that (unique) id is
inserted first, in the entry's own transaction, then the entry is processed and its answer stored
with it; every later arrival of that id (a repeated sync, an answer lost on the way, two requests at
once — the second waits on the unique index and then reads the first's answer) is answered with the
stored answer, marked ``replayed``. So a reading sent twice is stored once.

A reading goes through the one reading check (``metering.services.enter_reading``, source
«контролёр», entered by the controller); a refused one comes back with the check's Russian reasons.
A reading is a conflict, stored nowhere and shown to the controller, when the meter already has a
newer one: dated later, or entered by anyone else after the controller took the route sheet.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from raschet.access import describe, user_of
from raschet.controller.models import CheckResult, EntryKind, EntryStatus, MeterCheck, Route, Seal, SyncEntry
from raschet.controller.permissions import WALK_ROUTES, require
from raschet.controller.sheet import period_text, plain, route_meters
from raschet.domain.bounds import READING
from raschet.domain.errors import Problem, ProblemsError, problem
from raschet.domain.readings import date_text, reading_text
from raschet.metering.models import Meter, Reading, ReadingSource
from raschet.metering.services import enter_reading

NOTE_LENGTH = 500
SEAL_LENGTH = 40


@dataclass(frozen=True)
class EntryIn:
    """One entry as the phone sent it; ``sheet_taken_at`` is when the route sheet it was made on was taken."""

    client_id: str
    kind: str
    route: int
    meter: int
    on: date
    zone: str = "total"
    value: str = ""
    result: str = ""
    note: str = ""
    seal_number: str = ""
    sheet_taken_at: datetime | None = None

    def payload(self) -> dict:
        """The entry as JSON, to tell a replay from another entry under a reused id."""
        data = asdict(self)
        data["on"] = self.on.isoformat()
        data["sheet_taken_at"] = self.sheet_taken_at.isoformat() if self.sheet_taken_at else None
        return data


def sync_entries(entries: list[EntryIn], *, actor=None, today: date, now: datetime) -> list[dict]:
    """The answer to each entry, in the order sent; one refused entry never stops the others."""
    actor = require(actor, WALK_ROUTES)
    return [sync_entry(entry, actor=actor, today=today, now=now) for entry in entries]


def sync_entry(entry: EntryIn, *, actor=None, today: date, now: datetime) -> dict:
    """The answer to one entry: the stored one if its id arrived before, else the entry processed."""
    actor = require(actor, WALK_ROUTES)
    stored = SyncEntry.objects.filter(client_id=entry.client_id).first()
    if stored is not None:
        return _replay(stored, entry, actor)
    try:
        meter, route = _place(entry, actor, today)
    except ProblemsError as error:  # no route or meter of the controller's to record it against
        return _answer(entry, EntryStatus.REFUSED, error.problems)
    try:
        with transaction.atomic():
            record = SyncEntry.objects.create(client_id=entry.client_id, route=route, user=user_of(actor),
                                              kind=entry.kind, meter=meter, status=EntryStatus.REFUSED,
                                              answer={}, received_at=now)
            answer, reading = _process(entry, meter, actor, record)
            record.status, record.answer, record.reading = answer["status"], answer, reading
            record.save(update_fields=["status", "answer", "reading"])
            return answer
    except IntegrityError:  # the same entry arrived in another request at the same moment: its answer
        stored = SyncEntry.objects.filter(client_id=entry.client_id).first()
        if stored is None:
            raise
        return _replay(stored, entry, actor)


def _answer(entry: EntryIn, status: str, problems: list[Problem] = (), **extra) -> dict:
    messages = " ".join(p.message for p in problems)
    return {"client_id": entry.client_id, "kind": entry.kind, "status": str(status), "message": messages,
            "problems": [p.as_dict() for p in problems], "entry": entry.payload(), "replayed": False, **extra}


def _replay(stored: SyncEntry, entry: EntryIn, actor) -> dict:
    if stored.user_id != getattr(actor, "pk", None) or stored.answer.get("entry") != entry.payload():
        found = problem("client_id_reused", f"entries.{entry.client_id}", client_id=entry.client_id)
        return _answer(entry, EntryStatus.REFUSED, [found])
    return {**stored.answer, "replayed": True}


def _place(entry: EntryIn, actor, today: date) -> tuple[Meter, Route]:
    """The entry's meter and route, if the route is the actor's, in force on the entry's date and
    holds the meter; refused otherwise."""
    subject = f"entries.{entry.client_id}"
    if entry.kind not in EntryKind.values:
        raise ProblemsError([problem("invalid_value", subject, value=entry.kind, field="вид записи",
                                     reason=f"допустимы {', '.join(EntryKind.values)}")])
    route = Route.objects.filter(pk=entry.route).first()
    if route is None:
        raise ProblemsError([problem("unknown_reference", subject, kind="маршруты контролёров", value=str(entry.route))])
    if route.controller_id != getattr(actor, "pk", None):
        raise ProblemsError([problem("foreign_route", subject, route=route.code, user=describe(actor))])
    if entry.on > today:
        raise ProblemsError([problem("invalid_value", subject, value=f"{entry.on:%d.%m.%Y}", field="дата записи",
                                     reason=f"дата позже сегодняшней ({today:%d.%m.%Y}): проверьте дату на телефоне")])
    if not route.active_on(entry.on):
        raise ProblemsError([problem("route_not_active", subject, route=route.code, date=f"{entry.on:%d.%m.%Y}",
                                     period=period_text(route))])
    meter = route_meters(route, entry.on).filter(pk=entry.meter).first()
    if meter is None:
        name = Meter.objects.filter(pk=entry.meter).values_list("code", flat=True).first() or f"№ {entry.meter}"
        raise ProblemsError([problem("meter_not_on_route", subject, meter=name, route=route.code)])
    return meter, route


def _process(entry: EntryIn, meter: Meter, actor, record: SyncEntry) -> tuple[dict, Reading | None]:
    if entry.kind == EntryKind.READING:
        return _reading(entry, meter, actor)
    try:
        if entry.kind == EntryKind.CHECK:
            _check(entry, meter, record)
        else:
            _seal(entry, meter, record)
    except ProblemsError as error:
        return _answer(entry, EntryStatus.REFUSED, error.problems), None
    return _answer(entry, EntryStatus.ACCEPTED), None


def _reading(entry: EntryIn, meter: Meter, actor) -> tuple[dict, Reading | None]:
    newer = newer_reading(meter, entry, actor)
    if newer is not None:
        return _answer(entry, EntryStatus.CONFLICT, [_conflict(entry, meter, newer)], existing=_reading_json(newer)), None
    try:
        with transaction.atomic():
            reading = enter_reading(meter=meter, on=entry.on, value=entry.value, zone=entry.zone,
                                    user=user_of(actor), source=ReadingSource.CONTROLLER)
    except ProblemsError as error:
        return _answer(entry, EntryStatus.REFUSED, error.problems), None
    return _answer(entry, EntryStatus.ACCEPTED, reading=_reading_json(reading)), reading


def newer_reading(meter: Meter, entry: EntryIn, actor) -> Reading | None:
    """The newest reading of the meter's zone dated after the entry, or entered after the sheet was
    taken by anyone but this controller (their own entries of the walk may be corrected by them)."""
    match = Q(date__gt=entry.on)
    if entry.sheet_taken_at is not None:
        match |= Q(entered_at__gt=entry.sheet_taken_at)
    candidates = Reading.objects.filter(meter=meter, zone=entry.zone).filter(match).order_by("-date", "-entered_at")
    own = getattr(actor, "pk", None)
    for reading in candidates:
        if reading.date > entry.on or not (reading.entered_by_id == own and reading.source == ReadingSource.CONTROLLER):
            return reading
    return None


def _conflict(entry: EntryIn, meter: Meter, newer: Reading) -> Problem:
    why = ("оно датировано позже вашего" if newer.date > entry.on
           else "оно внесено после того, как вы получили маршрутный лист")
    entered = f"{timezone.localtime(newer.entered_at):%d.%m.%Y %H:%M}" if newer.entered_at else "—"
    number, _ = READING.read(entry.value)  # not checked yet: an unreadable value is shown as sent
    return problem("reading_conflict", f"entries.{entry.client_id}",
                   value=entry.value if number is None else reading_text(number), date=date_text(entry.on),
                   meter=meter.serial or meter.code, existing=reading_text(newer.value),
                   existing_date=date_text(newer.date), source=newer.get_source_display(), entered=entered, why=why)


def _reading_json(reading: Reading) -> dict:
    return {"id": reading.pk, "date": reading.date.isoformat(), "zone": reading.zone, "value": plain(reading.value),
            "source": reading.get_source_display()}


def _check(entry: EntryIn, meter: Meter, record: SyncEntry) -> None:
    subject = f"entries.{entry.client_id}"
    if entry.result not in CheckResult.values:
        known = "; ".join(f"{value} — {label}" for value, label in CheckResult.choices)
        raise ProblemsError([problem("invalid_value", subject, value=entry.result, field="результат проверки",
                                     reason=f"выберите один из результатов: {known}")])
    if len(entry.note) > NOTE_LENGTH:
        raise ProblemsError([problem("invalid_value", subject, value=entry.note[:40] + "…", field="примечание",
                                     reason=f"не длиннее {NOTE_LENGTH} знаков")])
    MeterCheck.objects.create(entry=record, meter=meter,
                              checked_on=entry.on, result=entry.result, note=entry.note)


def _seal(entry: EntryIn, meter: Meter, record: SyncEntry) -> None:
    subject = f"entries.{entry.client_id}"
    number = entry.seal_number.strip()
    if not number:
        raise ProblemsError([problem("missing_field", subject, field="номер пломбы")])
    if len(number) > SEAL_LENGTH:
        raise ProblemsError([problem("invalid_value", subject, value=number[:40] + "…", field="номер пломбы",
                                     reason=f"не длиннее {SEAL_LENGTH} знаков")])
    Seal.objects.create(entry=record, meter=meter, number=number,
                        sealed_on=entry.on)

