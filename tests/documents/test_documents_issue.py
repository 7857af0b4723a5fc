"""Issuing payment documents from the ledger: the figures tie out to the ledger, the page says them,
the QR codes on the printed page are the payloads, versions keep what was issued."""

import hashlib
from datetime import date
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from doc_helpers import PERIOD, decoded_qr_codes, pdf_text, rasterise

from raschet.billing.models import LedgerEntry
from raschet.documents.models import DocumentPrefix, DocumentSettings, PaymentDocument, QrMode
from raschet.documents.services import issue_account, issue_documents
from raschet.documents.tables import money as _money
from raschet.domain.errors import ProblemsError
from raschet.housing.models import Account
from raschet.payments.services import record_payment
from raschet.tariffs.models import Organization

ISSUED_ON = date(2026, 12, 1)


def money(value: Decimal) -> str:
    """As printed, with the no-break space that pdftotext gives back as a space."""
    return _money(value).replace("\xa0", " ")


def _ledger_balance(account_id: int, supplier_id: int | None = None) -> Decimal:
    entries = LedgerEntry.objects.filter(account_id=account_id, period__lte=str(PERIOD))
    if supplier_id is not None:
        entries = entries.filter(supplier_id=supplier_id)
    return sum((e.amount for e in entries), Decimal("0.00"))


def test_every_document_total_is_the_ledger_balance_and_recipients_add_up(region):
    batch = issue_documents(period=PERIOD, issued_on=ISSUED_ON)
    assert batch.problems == 0 and batch.issued == Account.objects.count()
    suppliers = dict(Organization.objects.values_list("code", "id"))
    for document in PaymentDocument.objects.all():
        figures = document.figures
        assert document.total == _ledger_balance(document.account_id)
        assert Decimal(figures["ledger_balance"]) == document.total
        for part in figures["recipients"]:
            supplier_id = suppliers[part["recipient"]["code"]]
            assert Decimal(part["total"]) == _ledger_balance(document.account_id, supplier_id)
            charged = sum(Decimal(s["charged"]) for s in figures["services"] if s["recipient"] == part["recipient"]["code"])
            assert Decimal(part["charged"]) == charged


def test_the_rendered_page_shows_the_ledger_figures(region, tmp_path):
    account = Account.objects.order_by("number").first()
    document, new = issue_account(account_number=account.number, period=PERIOD, issued_on=ISSUED_ON)
    assert new and document.version == 1
    pages = rasterise(bytes(document.pdf), tmp_path, dpi=100)
    assert len(pages) == document.pages == 1 and pages[0].stat().st_size > 20_000
    text = pdf_text(bytes(document.pdf), tmp_path).replace("\xa0", " ")
    assert "ЕДИНЫЙ ПЛАТЁЖНЫЙ ДОКУМЕНТ" in text and "за ноябрь 2026 г." in text
    assert account.number in text and account.payer in text
    assert f"{money(_ledger_balance(account.id))} руб." in text
    for part in document.figures["recipients"]:
        assert part["recipient"]["name"] in text
        assert money(max(Decimal(part["total"]), Decimal(0))) in text
    for service in document.figures["services"]:
        assert money(Decimal(service["charged"])) in text
    assert "Учтены платежи, поступившие по 30.11.2026 включительно" in text


@pytest.mark.parametrize("mode", [QrMode.PER_RECIPIENT, QrMode.SETTLEMENT_CENTRE])
def test_qr_codes_read_from_the_rasterised_page_are_the_expected_payloads(region, tmp_path, mode):
    DocumentSettings.objects.create(qr_mode=mode)
    account = Account.objects.order_by("number").first()
    document, _ = issue_account(account_number=account.number, period=PERIOD, issued_on=ISSUED_ON)
    figures = document.figures
    if mode == QrMode.SETTLEMENT_CENTRE:
        expected = [figures["centre_qr_payload"]]
        assert f"|Sum={int(document.total * 100)}|" in expected[0]
        assert figures["centre"]["code"] == "RKC"
    else:
        expected = [p["qr_payload"] for p in figures["recipients"] if p["qr_payload"]]
        assert len(expected) >= 5  # several suppliers on one document
    assert all("Оплата ЖКУ за 11.2026" in payload for payload in expected)
    [page] = rasterise(bytes(document.pdf), tmp_path, dpi=300)
    assert sorted(decoded_qr_codes(page)) == sorted(expected)


def test_a_reissue_is_a_new_version_and_the_old_one_stays_byte_for_byte(region):
    account = Account.objects.order_by("number").first()
    first, _ = issue_account(account_number=account.number, period=PERIOD, issued_on=ISSUED_ON)
    kept = bytes(first.pdf)
    same, new = issue_account(account_number=account.number, period=PERIOD, issued_on=date(2026, 12, 2))
    assert not new and same.pk == first.pk  # nothing changed: no new version
    record_payment(account_number=account.number, paid_on=date(2026, 11, 28), amount="1000.00", source="cash",
                   channel="касса 1", operation_id="doc-test-1")
    second, new = issue_account(account_number=account.number, period=PERIOD, issued_on=date(2026, 12, 2))
    assert new and second.version == 2 and second.number == first.number
    assert second.total == first.total - Decimal("1000.00") == _ledger_balance(account.id)
    old = PaymentDocument.objects.get(pk=first.pk)
    assert bytes(old.pdf) == kept and hashlib.sha256(kept).hexdigest() == old.pdf_sha256
    batch = issue_documents(period=PERIOD, issued_on=date(2026, 12, 3))
    assert PaymentDocument.objects.filter(account=account).count() == 2  # the batch adds no third version
    assert batch.unchanged == 1 and batch.issued == Account.objects.count() - 1


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_to_change_or_delete_an_issued_document():
    from doc_helpers import make_region

    make_region(accounts=3)
    document, _ = issue_account(account_number=Account.objects.first().number, period=PERIOD, issued_on=ISSUED_ON)
    for statement in ("UPDATE documents_paymentdocument SET total = 0 WHERE id = %s",
                      "DELETE FROM documents_paymentdocument WHERE id = %s"):
        with pytest.raises(DatabaseError, match="не изменяется и не удаляется"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement, [document.pk])
    assert PaymentDocument.objects.get(pk=document.pk).total == document.total
    for statement, params in (("UPDATE documents_documentprefix SET data = %s WHERE sha256 = %s",
                               [b"%PDF-", document.prefix_id]),
                              ("DELETE FROM documents_documentprefix WHERE sha256 = %s", [document.prefix_id])):
        with pytest.raises(DatabaseError, match="не изменяется и не удаляется"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement, params)
    assert bytes(PaymentDocument.objects.get(pk=document.pk).pdf) == bytes(document.pdf)


def test_versions_share_one_stored_file_beginning_and_keep_only_their_own_bytes(region, tmp_path):
    """The fonts and forms every file begins with are stored once; each version keeps the rest, and the
    two together are the file as rendered, byte for byte."""
    issue_documents(period=PERIOD, issued_on=ISSUED_ON)
    documents = list(PaymentDocument.objects.all())
    assert len(documents) > 1 and DocumentPrefix.objects.count() == 1
    [prefix] = DocumentPrefix.objects.all()
    for document in documents:
        whole = bytes(document.pdf)
        assert document.prefix_id == prefix.sha256 and whole.startswith(bytes(prefix.data))
        assert hashlib.sha256(whole).hexdigest() == document.pdf_sha256
        assert len(bytes(document.pdf_tail)) < len(whole) / 3  # the shared beginning is most of a one-page file
    first = documents[0]
    assert Account.objects.get(pk=first.account_id).number in pdf_text(bytes(first.pdf), tmp_path)


def test_an_unposted_period_is_refused_with_what_to_do(db):
    with pytest.raises(ProblemsError) as refused:
        issue_documents(period=PERIOD)
    [found] = refused.value.problems
    assert found.code == "period_not_posted" and "raschet period post --period 2026-11" in found.message


def test_a_recipient_with_a_separator_in_its_name_is_refused_and_the_rest_issued(region):
    Organization.objects.filter(code="TKO").update(name="ООО «ТКО | Регион»")
    batch = issue_documents(period=PERIOD, issued_on=ISSUED_ON)
    refused = list(batch.problem_rows.values_list("code", "message"))
    assert refused and all(code == "payee_details" and "ООО «ТКО | Регион»" in message and "(код TKO)" in message
                           for code, message in refused)
    with_waste = LedgerEntry.objects.filter(period=str(PERIOD), supplier__code="TKO").values("account_id").distinct().count()
    assert batch.problems == len(refused) >= 1
    assert PaymentDocument.objects.count() == Account.objects.count() - batch.problems
    assert with_waste >= batch.problems


def test_two_issuers_of_the_same_version_at_once_leave_one_version(region, monkeypatch):
    from raschet.documents import batches

    account = Account.objects.order_by("number").first()
    issue_account(account_number=account.number, period=PERIOD, issued_on=ISSUED_ON)
    record_payment(account_number=account.number, paid_on=date(2026, 11, 28), amount="10.00", source="cash",
                   channel="касса 1", operation_id="race-1")
    real, calls = batches.latest_versions, []

    def first_sees_nothing_new(account_ids, period):  # as if the other process had not committed yet
        calls.append(1)
        return {} if len(calls) == 1 else real(account_ids, period)

    monkeypatch.setattr(batches, "latest_versions", first_sees_nothing_new)
    document, new = issue_account(account_number=account.number, period=PERIOD, issued_on=ISSUED_ON)
    assert new and document.version == 2 and len(calls) == 2  # the collision with version 1 was retried
    assert list(PaymentDocument.objects.filter(account=account).values_list("version", flat=True).order_by("version")) == [1, 2]


def test_an_account_the_assembler_cannot_read_is_a_problem_and_the_others_are_issued(region, monkeypatch):
    from raschet.documents import assemble

    broken = Account.objects.order_by("number").first()
    real = assemble.Assembler._meter

    def unreadable(self, meter):
        if meter.owner_id == broken.pk:
            raise KeyError("нет такой услуги")
        return real(self, meter)

    monkeypatch.setattr(assemble.Assembler, "_meter", unreadable)
    batch = issue_documents(period=PERIOD, issued_on=ISSUED_ON)
    [found] = batch.problem_rows.all()
    assert found.account_id == broken.pk and found.code == "document_mismatch" and "KeyError" in found.message
    assert PaymentDocument.objects.count() == Account.objects.count() - 1
