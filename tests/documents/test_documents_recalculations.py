"""Recalculations of a closed month and penalties in the ledger appear on the current month's document
(domain.md §4.4, §6): per service in Section 3, with their reasons in Section 6, tying out."""

from datetime import date
from decimal import Decimal

from doc_helpers import PERIOD, make_region, pdf_text

from raschet.billing.models import Entry, LedgerEntry
from raschet.billing.services import calculate_period, post_period
from raschet.documents.services import issue_account
from raschet.housing.models import Account, ResidentCount


def test_a_backdated_change_shows_as_a_recalculation_with_its_reason(db, tmp_path):
    make_region(accounts=6, post=False)
    account = Account.objects.order_by("number").first()
    ResidentCount.objects.create(account=account, valid_from=date(2026, 10, 1), count=7)  # October was closed
    calculate_period(period=PERIOD)
    post_period(period=PERIOD)
    document, _ = issue_account(account_number=account.number, period=PERIOD, issued_on=date(2026, 12, 1))
    recalcs = document.figures["recalculations"]
    assert recalcs and all(r["period"] == "2026-10" and r["reason"].startswith("Перерасчёт за 2026-10") for r in recalcs)
    posted = sum(e.amount for e in LedgerEntry.objects.filter(account=account, period=str(PERIOD), kind="recalc"))
    assert sum(Decimal(r["amount"]) for r in recalcs) == posted != 0
    assert sum(Decimal(s["recalculation"]) for s in document.figures["services"]) == posted
    text = pdf_text(bytes(document.pdf), tmp_path)
    assert "Раздел 6. Сведения о перерасчётах" in text and "Перерасчёт за 2026-10" in text


def test_a_penalty_in_the_ledger_is_on_the_document_and_in_its_total(region):
    account = Account.objects.order_by("number").first()
    charge = LedgerEntry.objects.filter(account=account, period=str(PERIOD), kind="charge").first()
    Entry.objects.create(account=account, service=charge.service, supplier=charge.supplier, period=str(PERIOD),
                         ref_period="2026-10", kind="penalty", amount=Decimal("153.46"), reason="пени (тест)")
    document, _ = issue_account(account_number=account.number, period=PERIOD, issued_on=date(2026, 12, 1))
    [penalty] = document.figures["penalties"]
    assert penalty == {"recipient": charge.supplier.code, "amount": "153.46", "basis": ""}
    part = next(p for p in document.figures["recipients"] if p["recipient"]["code"] == charge.supplier.code)
    assert part["penalties"] == "153.46"
    assert document.total == sum(e.amount for e in LedgerEntry.objects.filter(account=account, period__lte=str(PERIOD)))
