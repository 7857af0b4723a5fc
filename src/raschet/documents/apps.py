"""The payment documents app: ЕПД content, QR, versions, rendering, batches, delivery."""

from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "raschet.documents"
    label = "documents"
    verbose_name = "Платёжные документы"
    default_auto_field = "django.db.models.BigAutoField"
