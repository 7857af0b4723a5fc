"""E-mailing payment documents to the subscribers who chose e-mail, each version once.

The delivery log (:class:`~.models.Delivery`, one row per document version and address) is the
memory between runs. A row is claimed by a conditional update to ``sending`` and committed before
the message goes out, then marked ``sent``; so after a kill the only rows in doubt are those left
``sending`` — the message may or may not have left. Those become ``uncertain`` and are not sent again
(no double sending) unless the operator asks for it (``retry_uncertain``); the message keeps its
``Message-ID`` then, so the subscriber's mail system can recognise the repeat. A refused message is
retried a few times with a pause, then left ``failed`` for the next run, until ``MAX_ATTEMPTS``.

Mail goes through Django's mail backend (SMTP from the settings ``EMAIL_*``, ``RASCHET_EMAIL_*`` in
the environment).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import F
from django.utils import timezone

from raschet.documents.models import Delivery as Row
from raschet.documents.models import (
    DeliveryChannel,
    DeliveryPreference,
    DeliveryStatus,
    PaymentDocument,
)
from raschet.documents.permissions import SEND_DOCUMENTS, require
from raschet.domain.periods import Period

MAX_ATTEMPTS = 3
MONTHS = ["январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь",
          "ноябрь", "декабрь"]


@dataclass
class SendSummary:
    sent: int = 0
    already: int = 0
    failed: int = 0
    uncertain: int = 0
    errors: list[str] = field(default_factory=list)


def recipients(period: Period) -> list[tuple[PaymentDocument, str]]:
    """The latest document version of each account that chose e-mail, with its address."""
    wanted = dict(DeliveryPreference.objects.filter(channel__in=[DeliveryChannel.EMAIL, DeliveryChannel.BOTH])
                  .exclude(email="").values_list("account_id", "email"))
    latest: dict[int, PaymentDocument] = {}
    for document in PaymentDocument.objects.filter(period=str(period), account_id__in=list(wanted)).defer("figures"):
        if document.account_id not in latest or document.version > latest[document.account_id].version:
            latest[document.account_id] = document
    return [(latest[a], wanted[a]) for a in sorted(latest)]


def send_documents(*, period: Period, actor=None, retry_uncertain: bool = False, pause: float = 1.0,
                   sleep: Callable[[float], None] = time.sleep) -> SendSummary:
    """Send the period's documents by e-mail; returns what was sent, skipped and refused."""
    require(actor, SEND_DOCUMENTS)
    summary = SendSummary()
    Row.objects.filter(status=DeliveryStatus.SENDING, document__period=str(period)).update(
        status=DeliveryStatus.UNCERTAIN)  # left by a run that stopped while sending
    connection = get_connection()
    try:
        for document, address in recipients(period):
            row = _row(document, address)
            if row.status == DeliveryStatus.SENT:
                summary.already += 1
            elif row.status == DeliveryStatus.GAVE_UP or (row.status == DeliveryStatus.UNCERTAIN
                                                          and not retry_uncertain):
                summary.uncertain += row.status == DeliveryStatus.UNCERTAIN
                summary.failed += row.status == DeliveryStatus.GAVE_UP
            else:
                _deliver(row, document, connection, summary, pause, sleep)
    finally:
        connection.close()
    return summary


def _row(document: PaymentDocument, address: str) -> Row:
    row, _ = Row.objects.get_or_create(document=document, channel=DeliveryChannel.EMAIL, address=address,
                                       defaults={"message_id": f"<epd-{document.pk}.{document.version}@raschet>"})
    return row


def _deliver(row: Row, document: PaymentDocument, connection, summary: SendSummary, pause: float,
             sleep: Callable[[float], None]) -> None:
    """Claim the row, send, record; retried in place on a refusal."""
    status = row.status
    while True:
        claimed = Row.objects.filter(pk=row.pk, status=status).update(
            status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, attempted_at=timezone.now())
        if not claimed:  # another run took it meanwhile
            return
        row.refresh_from_db()
        try:
            _message(document, row, connection).send()
        except Exception as error:  # the SMTP server's refusal or a lost connection
            status = DeliveryStatus.GAVE_UP if row.attempts >= MAX_ATTEMPTS else DeliveryStatus.FAILED
            Row.objects.filter(pk=row.pk).update(status=status, last_error=f"{type(error).__name__}: {error}"[:2000])
            if status == DeliveryStatus.GAVE_UP:
                summary.failed += 1
                summary.errors.append(f"ЛС {document.account_id}, {row.address}: {error}")
                return
            sleep(pause * row.attempts)
            continue
        Row.objects.filter(pk=row.pk).update(status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error="")
        summary.sent += 1
        return


def _message(document: PaymentDocument, row: Row, connection) -> EmailMessage:
    period = Period.parse(document.period)
    month = f"{MONTHS[period.month - 1]} {period.year} г."
    body = (f"Здравствуйте!\n\nВо вложении — единый платёжный документ № {document.number} за {month}.\n"
            f"Итого к оплате: {document.total} руб.\n\nОплатить можно в приложении банка по QR-коду на документе.\n"
            f"Это письмо отправлено автоматически, отвечать на него не нужно.")
    message = EmailMessage(subject=f"Платёжный документ за {month}", body=body,
                           from_email=settings.DEFAULT_FROM_EMAIL, to=[row.address], connection=connection,
                           headers={"Message-ID": row.message_id})
    message.attach(f"EPD-{document.number}-v{document.version}.pdf", bytes(document.pdf), "application/pdf")
    return message
