"""The back office app; on start it registers the models that matter with the audit trail."""

from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "raschet.backoffice"
    label = "backoffice"
    verbose_name = "Бэк-офис"

    def ready(self) -> None:
        from raschet.backoffice import audit

        audit.register_models()
