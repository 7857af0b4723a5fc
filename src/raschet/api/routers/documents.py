"""An account's payment documents: every issued version, and the PDF of one (the stored file of the
documents app, byte for byte what was printed or e-mailed)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.http import HttpResponse
from ninja import Query, Router, Schema

from raschet.api.auth import AUTH
from raschet.api.errors import ERRORS, answers
from raschet.api.pages import Page, PageQuery, page_of
from raschet.api.scope import account_for
from raschet.documents.models import PaymentDocument
from raschet.domain.errors import ProblemsError, problem

router = Router(tags=["Платёжные документы"], auth=AUTH)


class DocumentOut(Schema):
    id: int
    period: str
    version: int
    number: str
    issued_at: datetime
    total: Decimal
    pages: int
    pdf_sha256: str
    pdf_url: str


def document_out(document: PaymentDocument, account: str) -> DocumentOut:
    return DocumentOut(id=document.pk, period=document.period, version=document.version, number=document.number,
                       issued_at=document.issued_at, total=document.total, pages=document.pages,
                       pdf_sha256=document.pdf_sha256, pdf_url=f"/api/v1/accounts/{account}/documents/{document.pk}/pdf")


@router.get("/accounts/{number}/documents", response=answers(s200=Page[DocumentOut]),
            summary="Платёжные документы лицевого счёта: все версии, новые первыми")
def list_documents(request, number: str, query: Query[PageQuery]):
    account = account_for(request, number)
    rows = (PaymentDocument.objects.filter(account=account).defer("pdf_tail", "figures")
            .order_by("-period", "-version"))
    return page_of(rows, query, lambda d: document_out(d, account.number))


@router.get("/accounts/{number}/documents/{document_id}/pdf", response=ERRORS,
            summary="PDF платёжного документа", openapi_extra={"responses": {200: {
                "description": "PDF", "content": {"application/pdf": {"schema": {"type": "string",
                                                                                  "format": "binary"}}}}}})
def document_pdf(request, number: str, document_id: int):
    account = account_for(request, number)
    document = PaymentDocument.objects.filter(account=account, pk=document_id).only(
        "prefix", "pdf_tail", "number", "version").first()
    if document is None:
        raise ProblemsError([problem("unknown_reference", "path.document_id", kind=f"платёжный документ ЛС {number}",
                                     value=str(document_id))])
    response = HttpResponse(bytes(document.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="EPD-{document.number}-v{document.version}.pdf"'
    return response
