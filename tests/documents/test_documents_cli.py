"""``raschet documents``: render one account's document to a file, refusals in Russian without a
traceback."""

import subprocess
import sys

import pytest
from doc_helpers import make_region

from raschet.documents.models import PaymentDocument
from raschet.housing.models import Account


def _raschet(env, *args):
    return subprocess.run([sys.executable, "-m", "raschet.cli", "documents", *args], env=env, capture_output=True,
                          text=True, timeout=300)


@pytest.mark.django_db(transaction=True)
def test_render_issues_the_document_once_and_writes_its_pdf(tmp_path, live_database_env):
    make_region(accounts=3)
    number = Account.objects.order_by("number").first().number
    output = tmp_path / "epd.pdf"
    first = _raschet(live_database_env, "render", "--account", number, "--period", "2026-11", "--output", str(output))
    assert first.returncode == 0, first.stderr
    assert "выпущен 1" in first.stdout and output.read_bytes().startswith(b"%PDF-1.7")
    stored = PaymentDocument.objects.get(account__number=number)
    assert output.read_bytes() == bytes(stored.pdf)
    again = _raschet(live_database_env, "render", "--account", number, "--period", "2026-11", "--output", str(output))
    assert again.returncode == 0 and "без изменений, версия 1" in again.stdout
    assert PaymentDocument.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("args", "message"), [
    (["issue", "--period", "2027-01"], "период не рассчитан"),
    (["issue", "--period", "2026-11", "--scope", "building:НЕТ"], "дома с кодом НЕТ нет"),
    (["render", "--account", "000", "--period", "2026-11"], "«000»"),
    (["issue", "--period", "2026-13"], "неверный период"),
])
def test_refusals_say_what_to_fix_without_a_traceback(live_database_env, args, message):
    make_region(accounts=3)
    result = _raschet(live_database_env, *args)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr
