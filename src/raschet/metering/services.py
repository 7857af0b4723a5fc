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

from raschet.domain.bounds import parse_plain
from raschet.domain.errors import Problem, ProblemsError, problem
from raschet.domain.readings import MeterFacts, reading_problems
from raschet.metering.models import Meter, Reading, ReadingSource

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


def check_readings(items: list[ReadingIn], *, confirmed: bool = False,
                   exclude: int | None = None) -> tuple[list[ReadingIn], list[Problem]]:
    """The accepted readings (with ``number`` set) and a problem for each refused one."""
    if not items:
        return [], []
    meters = _facts({item.meter_id for item in items})
    history = _history(set(meters), min(item.on for item in items) - timedelta(days=HISTORY_DAYS), exclude)
    accepted, problems = [], []
    for item in sorted(items, key=lambda i: (i.on, i.meter_id)):
        facts, zones = meters[item.meter_id]
        if item.zone not in zones:
            problems.append(problem("unknown_reference", item.subject, kind=f"зона прибора {facts.name}",
                                    value=item.zone))
            continue
        earlier = history[(item.meter_id, item.zone)]
        found = reading_problems(facts, item.on, item.value, earlier, item.subject, confirmed=confirmed)
        if found:
            problems += found
            continue
        number = parse_plain(item.value)  # already read once by the check: plain and within bounds
        accepted.append(replace(item, number=number))
        earlier.append((item.on, number))
        earlier.sort(key=lambda row: row[0])
    return accepted, problems


@transaction.atomic
def enter_reading(*, meter: Meter, on: date, value: object, zone: str = "total", user=None,
                  source: str = ReadingSource.OPERATOR, confirmed: bool = False) -> Reading:
    """The operator's (or a controller's) reading: checked, then kept; a reading of the same day and
    zone is replaced."""
    accepted, problems = check_readings([ReadingIn(meter.pk, on, value, f"прибор {meter.code}", zone)],
                                        confirmed=confirmed)
    if problems:
        raise ProblemsError(problems)
    Reading.objects.filter(meter=meter, date=on, zone=zone).delete()
    return Reading.objects.create(meter=meter, date=on, zone=zone, value=accepted[0].number, source=source,
                                  entered_by=user)
