"""Payment documents (ЕПД): issued versions, how they are printed and delivered, and the batches that
make them.

A :class:`PaymentDocument` row is one version of an account's document for a period: its PDF bytes,
their SHA-256 and the figures it shows. Rows are inserted, never updated or deleted (the database
refuses it, see migration 0002); a re-issue after a recalculation is the next version, and the old
one stays byte for byte what the subscriber received.
"""

from __future__ import annotations

import hashlib
from functools import cache

from django.conf import settings
from django.db import models
from django.utils import timezone

from raschet.documents.permissions import PERMISSIONS
from raschet.housing.models import Account, Building
from raschet.tariffs.models import Organization

MONEY = {"max_digits": 14, "decimal_places": 2}


class QrMode(models.TextChoices):
    PER_RECIPIENT = "per_recipient", "QR-код на каждого получателя платежа"
    SETTLEMENT_CENTRE = "settlement_centre", "один QR-код расчётного центра на всю сумму"


class DocumentSettings(models.Model):
    """How documents are made (one row): who is the executor printed in Section 1, and whether the
    subscriber pays each recipient by its own QR code or the settlement centre (агент) by one."""

    executor = models.ForeignKey(Organization, models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name="исполнитель услуг",
                                 help_text="Пусто — расчётный центр, если он есть, иначе управляющая организация.")
    qr_mode = models.CharField("QR-код", max_length=20, choices=QrMode.choices, default=QrMode.PER_RECIPIENT)
    settlement_centre = models.ForeignKey(Organization, models.PROTECT, null=True, blank=True, related_name="+",
                                          verbose_name="расчётный центр (получатель по единому QR-коду)")
    note = models.TextField("текст на документе", blank=True,
                            default="Показания приборов учёта передавайте с 15 по 25 число месяца.")

    class Meta:
        verbose_name = "настройки платёжных документов"
        verbose_name_plural = "настройки платёжных документов"

    def __str__(self) -> str:
        return "Настройки платёжных документов"


class OrganizationContact(models.Model):
    """The contacts an organisation prints on documents (Section 1 of the model form)."""

    organization = models.OneToOneField(Organization, models.CASCADE, related_name="document_contact",
                                        verbose_name="организация")
    address = models.CharField("адрес", max_length=300, blank=True)
    phone = models.CharField("телефон", max_length=60, blank=True)
    email = models.CharField("электронная почта", max_length=120, blank=True)
    website = models.CharField("сайт", max_length=120, blank=True)
    hours = models.CharField("часы приёма", max_length=120, blank=True)

    class Meta:
        verbose_name = "контакты организации для документов"
        verbose_name_plural = "контакты организаций для документов"

    def __str__(self) -> str:
        return str(self.organization)


class DeliveryRoute(models.Model):
    """A delivery route (участок доставки): the buildings whose paper documents one person carries;
    its documents are printed as one file, in the order of the route's buildings."""

    code = models.CharField("код", max_length=40, unique=True)
    name = models.CharField("наименование", max_length=200)

    class Meta:
        verbose_name = "маршрут доставки"
        verbose_name_plural = "маршруты доставки"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class RouteBuilding(models.Model):
    route = models.ForeignKey(DeliveryRoute, models.CASCADE, related_name="stops", verbose_name="маршрут")
    building = models.OneToOneField(Building, models.CASCADE, related_name="delivery_stop", verbose_name="дом")
    order = models.PositiveIntegerField("порядок обхода", default=0)

    class Meta:
        verbose_name = "дом маршрута"
        verbose_name_plural = "дома маршрута"
        ordering = ["route", "order"]

    def __str__(self) -> str:
        return f"{self.route.code}: {self.building}"


class DeliveryChannel(models.TextChoices):
    PAPER = "paper", "на бумаге"
    EMAIL = "email", "по электронной почте"
    BOTH = "both", "на бумаге и по электронной почте"


class DeliveryPreference(models.Model):
    """How the subscriber chose to receive documents; without a row: on paper."""

    account = models.OneToOneField(Account, models.CASCADE, related_name="delivery_preference",
                                   verbose_name="лицевой счёт")
    channel = models.CharField("способ доставки", max_length=10, choices=DeliveryChannel.choices,
                               default=DeliveryChannel.PAPER)
    email = models.EmailField("электронная почта", blank=True)

    class Meta:
        verbose_name = "способ доставки документов"
        verbose_name_plural = "способы доставки документов"

    def __str__(self) -> str:
        return f"{self.account}: {self.get_channel_display()}"


class BatchStatus(models.TextChoices):
    RUNNING = "running", "выполняется"
    DONE = "done", "выполнен"
    FAILED = "failed", "ошибка"


class DocumentBatch(models.Model):
    """Issuing the documents of a period for a scope, cut into units (a route each); a batch stopped
    half-way is resumed by issuing the same period and scope again."""

    period = models.CharField("период", max_length=7, db_index=True)
    scope = models.CharField("охват", max_length=300)
    status = models.CharField("состояние", max_length=10, choices=BatchStatus.choices, default=BatchStatus.RUNNING)
    started_at = models.DateTimeField("начат", default=timezone.now)
    finished_at = models.DateTimeField("завершён", null=True, blank=True)
    output_dir = models.CharField("папка файлов печати", max_length=500)
    accounts = models.PositiveIntegerField("лицевых счетов", default=0)
    issued = models.PositiveIntegerField("выпущено версий", default=0)
    unchanged = models.PositiveIntegerField("без изменений", default=0)
    problems = models.PositiveIntegerField("ошибок", default=0)
    timings = models.JSONField("время этапов, с", default=dict, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                  verbose_name="запустил")

    class Meta:
        verbose_name = "выпуск документов"
        verbose_name_plural = "выпуски документов"
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Документы за {self.period} ({self.scope}): {self.get_status_display()}"


class UnitStatus(models.TextChoices):
    PENDING = "pending", "ожидает"
    ISSUED = "issued", "документы выпущены"
    DONE = "done", "файл печати записан"


class BatchUnit(models.Model):
    """One route of a batch: its documents are issued in one transaction, then its print file is
    written; a resumed batch does only what is not done."""

    batch = models.ForeignKey(DocumentBatch, models.CASCADE, related_name="units", verbose_name="выпуск")
    number = models.PositiveIntegerField("№ части")
    route = models.CharField("маршрут", max_length=200)
    file_name = models.CharField("файл печати", max_length=200)
    buildings = models.JSONField("дома", default=list)
    accounts = models.JSONField("лицевые счета в порядке доставки", default=list)
    status = models.CharField("состояние", max_length=10, choices=UnitStatus.choices, default=UnitStatus.PENDING)
    documents = models.PositiveIntegerField("документов", default=0)
    issued = models.PositiveIntegerField("новых версий", default=0)
    pages = models.PositiveIntegerField("страниц в файле", default=0)
    finished_at = models.DateTimeField("завершена", null=True, blank=True)

    class Meta:
        verbose_name = "часть выпуска"
        verbose_name_plural = "части выпуска"
        ordering = ["batch", "number"]
        constraints = [models.UniqueConstraint(fields=["batch", "number"], name="batchunit_unique")]

    def __str__(self) -> str:
        return f"{self.route}: {self.get_status_display()}"


class BatchProblem(models.Model):
    """An account whose document could not be made (errors as data: the rest of the batch goes on)."""

    batch = models.ForeignKey(DocumentBatch, models.CASCADE, related_name="problem_rows", verbose_name="выпуск")
    account = models.ForeignKey(Account, models.CASCADE, null=True, blank=True, related_name="+",
                                verbose_name="лицевой счёт")
    code = models.CharField("код", max_length=40)
    message = models.TextField("сообщение")
    subject = models.CharField("где", max_length=200, blank=True)

    class Meta:
        verbose_name = "ошибка выпуска документа"
        verbose_name_plural = "ошибки выпуска документов"

    def __str__(self) -> str:
        return f"{self.subject}: {self.message}"


class DocumentPrefix(models.Model):
    """The beginning every document file shares: the header, the catalog, both embedded fonts and the
    static forms — 38 KB of a 46 KB one-page document, the same bytes for every document rendered with
    the same fonts and forms (``documents.pdf.writer``). Kept once under its SHA-256 instead of in each
    of a month's 1.5 M versions, it makes them six times smaller to write and to keep; never changed."""

    sha256 = models.CharField("SHA-256", max_length=64, primary_key=True)
    data = models.BinaryField("начало файла PDF")

    class Meta:
        verbose_name = "общее начало файлов документов"
        verbose_name_plural = "общие начала файлов документов"
        default_permissions = ()

    def __str__(self) -> str:
        return self.sha256[:12]


@cache
def prefix_bytes(sha256: str) -> bytes:
    """The stored prefix ``sha256`` (read once per process: rows are content-addressed and immutable),
    checked against its digest."""
    data = bytes(DocumentPrefix.objects.values_list("data", flat=True).get(sha256=sha256))
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ValueError(f"Общее начало файлов документов {sha256[:12]} повреждено: контрольная сумма не сходится")
    return data


class PaymentDocument(models.Model):
    """One issued version of an account's payment document for a period; never changed.

    Its file is :attr:`pdf`: the shared :class:`DocumentPrefix` followed by the document's own bytes
    (``pdf_tail``), equal byte for byte to the file as rendered (``pdf_sha256`` is of the whole file).
    A version stored without a prefix holds its whole file in ``pdf_tail``."""

    account = models.ForeignKey(Account, models.PROTECT, related_name="payment_documents",
                                verbose_name="лицевой счёт", db_index=False)
    period = models.CharField("расчётный период", max_length=7)
    version = models.PositiveSmallIntegerField("версия")
    number = models.CharField("номер документа", max_length=40)
    issued_at = models.DateTimeField("выпущен")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.DO_NOTHING, null=True, blank=True,
                                  db_constraint=False, related_name="+", verbose_name="выпустил")
    batch = models.ForeignKey(DocumentBatch, models.DO_NOTHING, null=True, blank=True, db_constraint=False,
                              related_name="+", verbose_name="выпуск")
    total = models.DecimalField("итого к оплате", **MONEY)
    figures = models.JSONField("содержание документа")
    content_sha256 = models.CharField("контрольная сумма содержания", max_length=64)
    prefix = models.ForeignKey(DocumentPrefix, models.PROTECT, null=True, blank=True, db_index=False,
                               related_name="+", verbose_name="общее начало файла")
    pdf_tail = models.BinaryField("PDF (без общего начала)")
    pdf_sha256 = models.CharField("контрольная сумма PDF", max_length=64)
    pages = models.PositiveSmallIntegerField("страниц", default=1)

    class Meta:
        verbose_name = "платёжный документ"
        verbose_name_plural = "платёжные документы"
        default_permissions = ("view",)
        permissions = list(PERMISSIONS.items())
        constraints = [models.UniqueConstraint(fields=["account", "period", "version"], name="paymentdocument_version")]
        indexes = [models.Index(fields=["period", "account"])]

    def __str__(self) -> str:
        return f"ЕПД № {self.number}, версия {self.version}"

    @property
    def pdf(self) -> bytes:
        """The document's whole file, as rendered."""
        head = prefix_bytes(self.prefix_id) if self.prefix_id else b""
        return head + bytes(self.pdf_tail)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "ожидает отправки"
    SENDING = "sending", "отправляется"
    SENT = "sent", "отправлено"
    FAILED = "failed", "ошибка, будет повтор"
    GAVE_UP = "gave_up", "не отправлено (попытки исчерпаны)"
    UNCERTAIN = "uncertain", "прервано во время отправки: проверьте"


class Delivery(models.Model):
    """The delivery log: one row per document version and address, so a version is e-mailed once."""

    document = models.ForeignKey(PaymentDocument, models.DO_NOTHING, db_constraint=False, related_name="deliveries",
                                 verbose_name="документ")
    channel = models.CharField("канал", max_length=10, default=DeliveryChannel.EMAIL)
    address = models.CharField("адрес", max_length=254)
    status = models.CharField("состояние", max_length=10, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField("попыток", default=0)
    last_error = models.TextField("последняя ошибка", blank=True)
    message_id = models.CharField("Message-ID", max_length=200)
    created_at = models.DateTimeField("создано", default=timezone.now)
    attempted_at = models.DateTimeField("последняя попытка", null=True, blank=True)
    sent_at = models.DateTimeField("отправлено", null=True, blank=True)

    class Meta:
        verbose_name = "отправка документа"
        verbose_name_plural = "журнал отправки документов"
        constraints = [models.UniqueConstraint(fields=["document", "channel", "address"], name="delivery_once")]
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.address}: {self.get_status_display()}"
