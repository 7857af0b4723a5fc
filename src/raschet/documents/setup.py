"""The settings every document of a batch shares, resolved once: executor, QR mode, centre, contacts."""

from __future__ import annotations

from raschet.documents import sources
from raschet.documents.assemble import DocumentSetup
from raschet.documents.content import Organisation
from raschet.documents.models import DocumentSettings, OrganizationContact, QrMode
from raschet.domain.errors import ProblemsError, problem


def _organisation(row: sources.OrganisationRow, contact: OrganizationContact | None) -> Organisation:
    extra = {}
    if contact is not None:
        extra = {"address": contact.address, "phone": contact.phone, "email": contact.email,
                 "website": contact.website, "hours": contact.hours}
    return Organisation(code=row.code, name=row.name, inn=row.inn, kpp=row.kpp, bank_name=row.bank_name,
                        bic=row.bic, settlement_account=row.settlement_account, corr_account=row.corr_account,
                        **extra)


def _with_role(rows: dict[int, sources.OrganisationRow], role: str) -> int | None:
    return next((i for i, row in sorted(rows.items()) if role in row.roles), None)


def document_setup() -> DocumentSetup:
    """The executor (the configured one, else the settlement centre, else the management company), the
    QR mode and, for one QR code, the settlement centre that takes the whole sum."""
    rows = sources.organisations()
    contacts = {c.organization_id: c for c in OrganizationContact.objects.all()}
    organisations = {i: _organisation(row, contacts.get(i)) for i, row in rows.items()}
    settings = DocumentSettings.objects.order_by("pk").first() or DocumentSettings()
    executor_id = (settings.executor_id or _with_role(rows, "settlement_centre")
                   or _with_role(rows, "management_company"))
    if executor_id is None:
        raise ProblemsError([problem("no_executor", "настройки документов", reason="в справочнике нет ни "
                                     "расчётного центра, ни управляющей организации")])
    centre = None
    if settings.qr_mode == QrMode.SETTLEMENT_CENTRE:
        centre_id = settings.settlement_centre_id or _with_role(rows, "settlement_centre")
        if centre_id is None:
            raise ProblemsError([problem("no_executor", "настройки документов", reason="выбран один QR-код "
                                         "расчётного центра, но расчётный центр не указан")])
        centre = organisations[centre_id]
    return DocumentSetup(executor=organisations[executor_id], qr_mode=settings.qr_mode, centre=centre,
                         note=settings.note, organisations=organisations)
