"""``raschet demo`` issues its last month's documents: posted, one QR code for the settlement centre,
print files by route, e-mail chosen by some subscribers."""

from doc_helpers import PERIOD, make_region

from raschet.billing.models import BillingPeriod
from raschet.documents.demo import issue_last_month
from raschet.documents.models import DeliveryPreference, PaymentDocument, RouteBuilding
from raschet.housing.models import Account, Building


def test_the_demo_posts_its_last_month_and_issues_every_document(db, tmp_path, settings):
    settings.VAR_DIR = tmp_path
    make_region(accounts=25, post=False)
    batch = issue_last_month(PERIOD)
    assert BillingPeriod.objects.get(period=str(PERIOD)).state == "posted"
    assert batch.issued == PaymentDocument.objects.count() == Account.objects.count() and batch.problems == 0
    assert RouteBuilding.objects.count() == Building.objects.count()
    assert DeliveryPreference.objects.filter(channel="email").exists()
    document = PaymentDocument.objects.first()
    assert document.figures["qr_mode"] == "settlement_centre" and document.figures["centre_qr_payload"]
    assert document.figures["executor"]["phone"]
    assert sorted(p.name for p in (tmp_path / "documents").rglob("*.pdf"))
