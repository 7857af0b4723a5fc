"""Use cases of metering: readings from every source are checked against their meter's history by the
one rule of ``raschet.domain.readings`` before they are kept.

:func:`check_readings` checks a batch (a bank registry's readings, a portal's, a controller's route)
in date order, so a second reading of one meter in the same batch is compared with the first;
:func:`enter_reading` is the operator's entry, where an implausible reading may be confirmed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from raschet import access
from raschet.domain.bounds import READING, parse_plain
from raschet.domain.errors import Problem, ProblemsError, problem
from raschet.domain.readings import PLAUSIBLE_TIMES, MeterFacts, date_text, reading_problems, reading_text
from raschet.metering.models import Meter, Reading, ReadingSource

READINGS_PERMISSION = "metering.add_reading"  # Django's own model permission, held by operators' roles
access.register("metering", {"add_reading": "Вносить показания приборов учёта"})
HISTORY_DAYS = 400  # a year and a month: the previous reading and six months of average, with room


@dataclass(frozen=True)
class ReadingIn:
    """A reading to check: ``subject`` says where it came from (``file:line``, a form field)."""

    meter_id: int
    on: date
    value: object
    subject: str
    zone: str = "total"
    number: Decimal | None = None  # set on the accepted ones


def _facts(meter_ids: set[int]) -> dict[int, tuple[MeterFacts, list[str]]]:
    rows = Meter.objects.filter(pk__in=meter_ids).values_list("id", "code", "serial", "digits", "service__unit",
                                                               "zones")
    return {pk: (MeterFacts(serial or code, digits, unit), list(zones) or ["total"])
            for pk, code, serial, digits, unit, zones in rows}


def _history(meter_ids: set[int], since: date, exclude: int | None = None) -> dict[tuple[int, str], list]:
    """Readings of the meters from ``since`` in date order, and the last one before it where there is none."""
    found: dict[tuple[int, str], list[tuple[date, Decimal]]] = defaultdict(list)
    ids = sorted(meter_ids)
    for start in range(0, len(ids), 5000):
        chunk = Reading.objects.filter(meter_id__in=ids[start:start + 5000], date__gte=since).exclude(pk=exclude)
        for meter_id, zone, on, value in chunk.order_by("date").values_list("meter_id", "zone", "date", "value"):
            found[(meter_id, zone)].append((on, value))
    quiet = [pk for pk in ids if not any(key[0] == pk for key in found)]
    for start in range(0, len(quiet), 1000):
        older = Reading.objects.filter(meter_id__in=quiet[start:start + 1000], date__lt=since).exclude(pk=exclude)
        for meter_id, zone, on, value in older.order_by("-date").values_list("meter_id", "zone", "date", "value"):
            if (meter_id, zone) not in found:
                found[(meter_id, zone)].append((on, value))
    return found


def check_readings(items: list[ReadingIn], *, confirmed: bool = False, exclude: int | None = None,
                   times: int = PLAUSIBLE_TIMES, digits: int | None = None) -> tuple[list[ReadingIn], list[Problem]]:
    """The accepted readings (with ``number`` set) and a problem for each refused one; ``times`` as in
    ``domain.readings.reading_problems``; ``digits`` overrides the register of every meter checked
    (a rollover the operator declared)."""
    if not items:
        return [], []
    meters = _facts({item.meter_id for item in items})
    history = _history(set(meters), min(item.on for item in items) - timedelta(days=HISTORY_DAYS), exclude)
    accepted, problems = [], []
    for item in sorted(items, key=lambda i: (i.on, i.meter_id)):
        facts, zones = meters[item.meter_id]
        if digits:
            facts = replace(facts, digits=digits)
        if item.zone not in zones:
            problems.append(problem("unknown_reference", item.subject, kind=f"зона прибора {facts.name}",
                                    value=item.zone))
            continue
        earlier = history[(item.meter_id, item.zone)]
        found = reading_problems(facts, item.on, item.value, earlier, item.subject, confirmed=confirmed, times=times)
        if found:
            problems += found
            continue
        number = parse_plain(item.value)  # already read once by the check: plain and within bounds
        accepted.append(replace(item, number=number))
        earlier.append((item.on, number))
        earlier.sort(key=lambda row: row[0])
    return accepted, problems


OPERATOR_TIMES = 3  # an operator is asked to confirm a consumption above 3× the recent average
DECLARED = {"": "обычное показание", "rollover": "переход через ноль", "replacement": "замена прибора"}


def _previous(meter: Meter, on: date, zone: str) -> tuple[date, Decimal] | None:
    row = (Reading.objects.filter(meter=meter, zone=zone, date__lt=on).order_by("-date")
           .values_list("date", "value").first())
    return tuple(row) if row else None


def _register_digits(meter: Meter, previous: Decimal) -> int:
    """The register's integer digits: the meter's own, else as many as the previous reading shows."""
    return meter.digits or len(str(int(previous)))


@transaction.atomic
def enter_reading(*, meter: Meter, on: date, value: object, zone: str = "total", user=None,
                  source: str = ReadingSource.OPERATOR, confirmed: bool = False, declared: str = "",
                  times: int | None = None) -> Reading:
    """A reading entered by a person (operator, controller, subscriber): checked, then kept with its
    source and who entered it; a reading of the same day and zone is replaced.

    Below the previous reading it is refused unless a rollover is ``declared`` (the consumption is
    then what passed zero); a replaced meter is :func:`replace_meter`. Above ``times`` (3 for the
    operator) the recent monthly average it must be ``confirmed``; a zone the meter lacks is refused.
    An operator's entry needs the permission to add readings."""
    if source == ReadingSource.OPERATOR:
        access.require(user, READINGS_PERMISSION)
    subject = f"прибор {meter.serial or meter.code}"
    digits = None
    previous = _previous(meter, on, zone)
    number, _ = READING.read(value)
    if declared == "rollover" and previous is not None:
        digits = _register_digits(meter, previous[1])
    elif previous is not None and number is not None and number < previous[1]:
        raise ProblemsError([problem("readings_backwards", subject, current=reading_text(number),
                                     current_date=date_text(on), previous=reading_text(previous[1]),
                                     previous_date=date_text(previous[0]))])
    accepted, problems = check_readings([ReadingIn(meter.pk, on, value, subject, zone)], confirmed=confirmed,
                                        times=times or (OPERATOR_TIMES if source == ReadingSource.OPERATOR
                                                        else PLAUSIBLE_TIMES), digits=digits)
    if problems:
        raise ProblemsError(problems)
    Reading.objects.filter(meter=meter, date=on, zone=zone).delete()
    return Reading.objects.create(meter=meter, date=on, zone=zone, value=accepted[0].number, source=source,
                                  entered_by=access.user_of(user) if user is not None else None)


@transaction.atomic
def replace_meter(*, meter: Meter, on: date, initial: dict[str, object], serial: str = "", user=None) -> Meter:
    """A meter replaced on ``on``: the old one is removed that day, a new one of the same service and
    zones is installed with its ``initial`` readings (zone → value) — its own history, so the drop to
    a new meter's small figures is never a reading going backwards."""
    access.require(user, READINGS_PERMISSION)
    if meter.removed:
        raise ProblemsError([problem("invalid_value", f"прибор {meter.code}", value=f"{meter.removed:%d.%m.%Y}",
                                     field="дата снятия", reason="прибор уже снят; показания вносятся в новый")])
    meter.removed = on
    meter.save(update_fields=["removed"])
    fresh = Meter.objects.create(code=f"{meter.code}/{on:%Y%m%d}", serial=serial.strip(), scope=meter.scope,
                                 building_id=meter.building_id, premises_id=meter.premises_id,
                                 account_id=meter.account_id, service_id=meter.service_id, zones=meter.zones,
                                 installed=on, digits=meter.digits)
    for zone, value in initial.items():
        enter_reading(meter=fresh, on=on, value=value, zone=zone, user=user, confirmed=True)
    return fresh
