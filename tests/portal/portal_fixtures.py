"""Fixtures of the portal tests: a small generated region with two months (the first closed, the
second posted) and one account's document issued, the state a subscriber finds in the personal
account; the scenario's cold-water account over two posted months with a new tariff in the second
(what the card's and the portal's «why did it change» name as the tariff cause); and a local SMTP
server (aiosmtpd on 127.0.0.1) that keeps the letters Django sends.

A plain module, imported by the portal tests and the browser journey: as a conftest.py it would
shadow tests/documents/conftest.py for that directory's ``from conftest import make_region``."""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from raschet.billing.services import calculate_period, post_period
from raschet.domain.periods import Period
from raschet.generators.history import calculate_year
from raschet.generators.region import RegionSpec, load_region
from raschet.housing.models import Account
from raschet.metering.models import Meter, Reading
from raschet.scenarios.loader import load_scenario, read_scenario
from raschet.tariffs.models import Tariff

PERIOD = Period(2026, 11)
PASSWORD = "Сложный-пароль-2026"


@dataclass
class Region:
    period: Period
    mine: Account  # has a meter and a document
    other: Account  # someone else's


def metered_accounts() -> list[Account]:
    ids = Meter.objects.filter(account__isnull=False, removed__isnull=True).values_list("account_id", flat=True)
    return list(Account.objects.filter(pk__in=ids).order_by("number"))


def make_region() -> Region:
    from raschet.documents.services import issue_account

    load_region(RegionSpec(accounts=6, seed=7, last_period=PERIOD, months=2), show_progress=False)
    calculate_year(RegionSpec(accounts=6, seed=7, last_period=PERIOD, months=2), show_progress=False)
    post_period(period=PERIOD)
    mine, other = metered_accounts()[:2]
    issue_account(account_number=mine.number, period=PERIOD)
    return Region(PERIOD, mine, other)


@pytest.fixture
def region(db):
    return make_region()


def make_tariff_change() -> Account:
    """The scenario's account 1000000001 (cold water by meter): March at 52.30 ₽/м³ for 7.333 м³, April
    at 55.00 ₽ for 9 м³; both months calculated and posted."""
    load_scenario(read_scenario(Path(__file__).resolve().parents[1] / "scenarios" / "cold_water_meter.json"))
    calculate_period(period=Period(2026, 3))
    post_period(period=Period(2026, 3))
    Tariff.objects.filter(valid_to__isnull=True).update(valid_to=date(2026, 4, 1))
    old = Tariff.objects.get()
    Tariff.objects.create(service=old.service, supplier=old.supplier, value=Decimal("55.00"), valid_from=date(2026, 4, 1))
    Reading.objects.create(meter=Meter.objects.get(code="CW-1"), date=date(2026, 4, 24), value=Decimal("139.789"))
    calculate_period(period=Period(2026, 4))
    post_period(period=Period(2026, 4))
    return Account.objects.get(number="1000000001")


@dataclass
class Mailbox:
    letters: list = field(default_factory=list)

    def link(self, path_start: str) -> str:
        """The last letter's link whose path starts with ``path_start``."""
        body = self.letters[-1].get_payload(decode=True).decode("utf-8") if not self.letters[-1].is_multipart() \
            else self.letters[-1].get_payload()[0].get_payload(decode=True).decode("utf-8")
        found = re.findall(r"https?://\S+", body)
        return next(url for url in found if path_start in url)


@pytest.fixture
def smtp_server(settings):
    """A local SMTP server on 127.0.0.1 that Django's SMTP backend sends to; ``.letters`` are parsed."""
    from email import message_from_bytes

    from aiosmtpd.controller import Controller

    box = Mailbox()

    class Keep:
        async def handle_DATA(self, server, session, envelope):
            box.letters.append(message_from_bytes(envelope.content))
            return "250 OK"

    with socket.socket() as probe:  # a free port (aiosmtpd's readiness check needs a real one)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = False
    try:
        yield box
    finally:
        controller.stop()
