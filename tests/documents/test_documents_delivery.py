"""E-mail delivery of documents through a real SMTP server on 127.0.0.1: each version sent once,
refusals retried, nothing sent twice after a stop, only by who may."""

import email
import socket
from datetime import date

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import override_settings
from doc_helpers import PERIOD

from raschet.documents.delivery import send_documents
from raschet.documents.models import Delivery, DeliveryPreference, DeliveryStatus
from raschet.documents.services import issue_documents
from raschet.domain.errors import ProblemsError
from raschet.housing.models import Account


class Inbox:
    """An SMTP handler keeping every message; ``refuse`` first messages are refused with 451."""

    def __init__(self, refuse: int = 0) -> None:
        self.messages: list[email.message.Message] = []
        self.refuse = refuse

    async def handle_DATA(self, server, session, envelope):
        if self.refuse > 0:
            self.refuse -= 1
            return "451 Временная ошибка, повторите позже"
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp():
    servers = []

    def start(refuse: int = 0) -> Inbox:
        inbox = Inbox(refuse)
        with socket.socket() as probe:  # a free port on the loopback
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        servers.append(controller)
        settings = override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                                     EMAIL_HOST="127.0.0.1", EMAIL_PORT=port,
                                     EMAIL_USE_TLS=False, EMAIL_TIMEOUT=10)
        settings.enable()
        servers.append(settings)
        return inbox

    yield start
    for item in reversed(servers):
        item.disable() if hasattr(item, "disable") else item.stop()


def _subscribers(count: int = 3) -> list[Account]:
    accounts = list(Account.objects.order_by("number")[:count + 1])
    for index, account in enumerate(accounts[:count]):
        DeliveryPreference.objects.create(account=account, channel="email" if index % 2 else "both",
                                          email=f"payer{index}@example.test")
    DeliveryPreference.objects.create(account=accounts[count], channel="paper", email="paper@example.test")
    issue_documents(period=PERIOD, scope=",".join(f"account:{a.number}" for a in accounts), issued_on=date(2026, 12, 1))
    return accounts[:count]


def test_documents_go_to_those_who_chose_email_once(region, smtp):
    inbox = smtp()
    chosen = _subscribers()
    summary = send_documents(period=PERIOD, pause=0)
    assert (summary.sent, summary.already, summary.failed) == (3, 0, 0)
    assert sorted(m["To"] for m in inbox.messages) == [f"payer{i}@example.test" for i in range(3)]
    message = inbox.messages[0]
    [attachment] = [part for part in message.walk() if part.get_content_type() == "application/pdf"]
    assert attachment.get_payload(decode=True).startswith(b"%PDF-1.7")
    assert "Платёжный документ за ноябрь 2026 г." in str(email.header.make_header(email.header.decode_header(message["Subject"])))
    again = send_documents(period=PERIOD, pause=0)  # a restart, or the operator pressing twice
    assert (again.sent, again.already) == (0, 3) and len(inbox.messages) == 3
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == len(chosen)


def test_a_refused_message_is_retried_and_then_sent(region, smtp):
    inbox = smtp(refuse=2)
    _subscribers(1)
    pauses = []
    summary = send_documents(period=PERIOD, pause=0.5, sleep=pauses.append)
    assert summary.sent == 1 and len(inbox.messages) == 1 and pauses == [0.5, 1.0]
    assert Delivery.objects.get().attempts == 3


def test_a_server_that_keeps_refusing_is_given_up_and_logged(region, smtp):
    inbox = smtp(refuse=100)
    _subscribers(1)
    summary = send_documents(period=PERIOD, pause=0, sleep=lambda s: None)
    row = Delivery.objects.get()
    assert summary.failed == 1 and row.status == DeliveryStatus.GAVE_UP and "451" in row.last_error
    assert not inbox.messages


def test_a_message_interrupted_while_sending_is_not_sent_again(region, smtp):
    inbox = smtp()
    _subscribers(2)
    send_documents(period=PERIOD, pause=0)
    first = Delivery.objects.order_by("pk").first()
    Delivery.objects.filter(pk=first.pk).update(status=DeliveryStatus.SENDING)  # as a kill mid-send leaves it
    summary = send_documents(period=PERIOD, pause=0)
    assert (summary.sent, summary.uncertain) == (0, 1) and len(inbox.messages) == 2
    assert Delivery.objects.get(pk=first.pk).status == DeliveryStatus.UNCERTAIN
    retried = send_documents(period=PERIOD, pause=0, retry_uncertain=True)
    assert retried.sent == 1 and len(inbox.messages) == 3
    assert inbox.messages[-1]["Message-ID"] == inbox.messages[0]["Message-ID"] or \
        inbox.messages[-1]["Message-ID"] == inbox.messages[1]["Message-ID"]  # the repeat is recognisable


def test_sending_and_issuing_need_their_permissions(region):
    clerk = get_user_model().objects.create_user("clerk", password="x")
    with pytest.raises(ProblemsError) as refused:
        send_documents(period=PERIOD, actor=clerk)
    assert refused.value.problems[0].code == "forbidden"
    assert "documents.send_documents" in refused.value.problems[0].message
    with pytest.raises(ProblemsError):
        issue_documents(period=PERIOD, actor=clerk)
    clerk.user_permissions.add(Permission.objects.get(codename="issue_documents"))
    clerk = get_user_model().objects.get(pk=clerk.pk)
    batch = issue_documents(period=PERIOD, actor=clerk, issued_on=date(2026, 12, 1))
    assert batch.issued_by == clerk and batch.issued == Account.objects.count()
