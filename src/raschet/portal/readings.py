"""Readings in the personal account: accepted only inside the submission window (dated data,
:class:`SubmissionWindow`, days 15–25 by default), then checked exactly as the operator's entry is
(``metering.services.enter_reading``: not below the previous, within the meter's digits, plausible),
kept with ``source = portal`` and the subscriber as ``entered_by``.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.utils import timezone

from raschet.domain import bounds
from raschet.domain.errors import ProblemsError, problem
from raschet.domain.readings import date_text, reading_text
from raschet.metering.models import Meter, MeterScope, Reading, ReadingSource
from raschet.metering.services import enter_reading
from raschet.portal.models import DEFAULT_WINDOW, SubmissionWindow
from raschet.portal.services import NotLinked, linked_account
from raschet.tariffs.models import Zone


@dataclass(frozen=True)
class Window:
    first: date
    last: date  # included

    def __contains__(self, day: date) -> bool:
        return self.first <= day <= self.last

    def text(self) -> str:
        return f"с {self.first:%d.%m.%Y} по {self.last:%d.%m.%Y}"


def _days(year: int, month: int) -> tuple[int, int]:
    row = (SubmissionWindow.objects.filter(valid_from__lte=date(year, month, 1))
           .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=date(year, month, 1))).order_by("-valid_from").first())
    return (row.first_day, row.last_day) if row else DEFAULT_WINDOW


def window_of(year: int, month: int) -> Window:
    """The window of a month (a last day past the month's end is its last day)."""
    first, last = _days(year, month)
    length = calendar.monthrange(year, month)[1]
    return Window(date(year, month, min(first, length)), date(year, month, min(last, length)))


def next_window(today: date) -> Window:
    """This month's window if it has not ended, else next month's."""
    window = window_of(today.year, today.month)
    if today <= window.last:
        return window
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return window_of(year, month)


@dataclass(frozen=True)
class ZoneRow:
    code: str
    label: str  # empty for a meter of one zone
    last: Reading | None


@dataclass(frozen=True)
class MeterRow:
    meter: Meter
    zones: list[ZoneRow]


def _meters(account) -> list[Meter]:
    return list(Meter.objects.filter(Q(account=account) | Q(account__isnull=True, premises=account.premises_id,
                                                            scope=MeterScope.PREMISES))
                .filter(removed__isnull=True).select_related("service").order_by("service__name", "code"))


def meters(*, user, account_number: str) -> list[MeterRow]:
    """The account's working meters, each zone with its last reading."""
    account = linked_account(user, account_number)
    labels = dict(Zone.choices)
    return [MeterRow(m, [ZoneRow(zone, "" if zone == Zone.TOTAL else labels.get(zone, zone),
                                 Reading.objects.filter(meter=m, zone=zone).order_by("-date").first())
                         for zone in m.zone_list()]) for m in _meters(account)]


def submit_reading(*, user, account_number: str, meter_id: int, value: object, zone: str = "total",
                   today: date | None = None) -> Reading:
    """The subscriber's reading of today, refused outside the window or when the checks refuse it."""
    account = linked_account(user, account_number)
    meter = next((m for m in _meters(account) if m.pk == meter_id), None)
    if meter is None:
        raise NotLinked([problem("unknown_reference", str(meter_id), kind="прибор учёта лицевого счёта",
                                 value=meter_id)])
    today = today or timezone.localdate()
    _refuse_outside_window(meter, today)
    if isinstance(value, str):
        value = value.strip().replace(",", ".").replace(" ", "")
    _refuse_backwards(meter, zone, today, value)
    return enter_reading(meter=meter, on=today, value=value, zone=zone, user=user, source=ReadingSource.PORTAL)


def _refuse_outside_window(meter: Meter, today: date) -> None:
    window = window_of(today.year, today.month)
    if today in window:
        return
    if today < window.first:
        advice = f"Передайте показание с {window.first:%d.%m.%Y}."
    else:
        advice = f"Приём в этом месяце закончился; передайте показание {next_window(today).text()}."
    raise ProblemsError([problem("reading_window", f"прибор {meter.serial or meter.code}", window=window.text(),
                                 today=f"{today:%d.%m.%Y}", advice=advice)])


def _refuse_backwards(meter: Meter, zone: str, today: date, value: object) -> None:
    """Below the previous reading: the operator's check may take it for the meter passing through zero,
    which a subscriber cannot confirm; here it is simply refused as going backwards."""
    previous = Reading.objects.filter(meter=meter, zone=zone, date__lt=today).order_by("-date").first()
    number, _ = bounds.READING.read(value)
    if previous is not None and number is not None and number < previous.value:
        raise ProblemsError([problem("readings_backwards", f"прибор {meter.serial or meter.code}",
                                     current=reading_text(number), current_date=date_text(today),
                                     previous=reading_text(previous.value), previous_date=date_text(previous.date))])
