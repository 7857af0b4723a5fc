"""``raschet payments import`` on the layout fixtures: saved mappings (dbf too), --encoding, control files,
the encoding named in the summary, and refusals that say what to do — imported to the kopeck."""

import io
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from raschet.payments.models import Payment, PaymentRegistry, RegistryMapping

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parents[1] / "exchange" / "fixtures"


def run(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("payments", *map(str, args), stdout=out, stderr=err)
    except SystemExit as stop:
        return int(stop.code), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def save(name: str) -> None:
    status, out, err = run("mapping", "save", FIXTURES / name)
    assert status == 0, err
    assert "сохранён" in out


def imported(source: str) -> PaymentRegistry:
    return PaymentRegistry.objects.get(source=source)


def test_koi8r_registry_detected_and_named_in_the_summary():
    status, out, err = run("import", FIXTURES / "sber_koi8r.txt")
    assert status == 0, err
    assert "Кодировка koi8-r (определена автоматически)" in out
    assert imported("sber_koi8r.txt").total == Decimal("6988.33")
    assert set(Payment.objects.values_list("payer", flat=True)) >= {"СИДОРОВ ПЁТР АЛЕКСЕЕВИЧ"}


def test_declared_encoding_is_used_and_a_wrong_one_names_the_option():
    status, out, _ = run("import", FIXTURES / "sber_koi8r.txt", "--encoding", "koi8-r")
    assert status == 0 and "Кодировка koi8-r (указана)" in out
    status, _, err = run("import", FIXTURES / "reestr_0503.txt", "--format", "sber", "--encoding", "cp866")
    assert status == 2 and Payment.objects.count() == 3  # nothing of the second file was written
    with pytest.raises(Exception, match="недопустимое значение «latin-1» параметра --encoding"):
        call_command("payments", "import", str(FIXTURES / "sber_koi8r.txt"), "--encoding", "latin-1")


def test_sberbank_dbf_through_a_saved_dbf_mapping():
    status, _, err = run("import", FIXTURES / "sber_registry.dbf")
    assert status == 2 and "mapping save" in err and "NLS" in err
    save("sber_dbf.json")
    status, out, err = run("import", FIXTURES / "sber_registry.dbf", "--format", "mapping:sber-dbf")
    assert status == 0, err
    registry = imported("sber_registry.dbf")
    assert (registry.format, registry.total, registry.payments) == ("mapping:sber-dbf", Decimal("2214.56"), 2)
    assert set(Payment.objects.values_list("operation_id", flat=True)) == {"86260001203", "86260001204"}


@pytest.mark.parametrize(
    ("mapping", "file", "total", "count"),
    [
        ("kopecks.json", "kopecks.csv", "3570.50", 2),
        ("packs.json", "packs.txt", "5811.20", 4),
        ("pipe.json", "pipe.txt", "2450.74", 3),
        ("tagged.json", "tagged.txt", "3055.80", 2),
    ],
)
def test_saved_mapping_layouts_import_to_the_kopeck(mapping, file, total, count):
    save(mapping)
    name = json.loads((FIXTURES / mapping).read_bytes())["name"]
    status, out, err = run("import", FIXTURES / file, "--format", f"mapping:{name}")
    assert status == 0, err
    assert (imported(file).total, imported(file).payments) == (Decimal(total), count)
    assert f"Загружено платежей: {count} на {total} ₽" in out


def test_two_file_registry_finds_its_control_file(tmp_path):
    save("two_file.json")
    registry = tmp_path / "reestr_0503.txt"
    shutil.copy(FIXTURES / "reestr_0503.txt", registry)
    status, _, err = run("import", registry, "--format", "mapping:bank-two-file")
    assert status == 2 and "reestr_0503.ctl" in err and Payment.objects.count() == 0
    (tmp_path / "itogi.txt").write_bytes(b"3;5225,55\r\n")
    status, out, err = run("import", registry, "--format", "mapping:bank-two-file", "--control", tmp_path / "itogi.txt")
    assert status == 0, err
    assert imported("reestr_0503.txt").total == Decimal("5225.55")


def test_two_file_registry_beside_its_control_file():
    save("two_file.json")
    status, _, err = run("import", FIXTURES / "reestr_0503.txt", "--format", "mapping:bank-two-file")
    assert status == 0, err


def test_1c_statement_is_named():
    status, _, err = run("import", FIXTURES / "statement_1c.txt")
    assert status == 2 and "Ошибок: 1" in err and "1CClientBankExchange" in err
    assert Payment.objects.count() == 0


def test_unrecognised_csv_lists_saved_mappings():
    save("pipe.json")
    status, _, err = run("import", FIXTURES / "unknown.csv")
    assert status == 2 and "«Номер ЛС»" in err and "bank-pipe" in err and "mapping save" in err


def test_a_bad_mapping_file_is_not_saved(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"name": "x", "format": "dbf", "columns": {"paid_on": 0, "account": "NLS"}}))
    status, _, err = run("mapping", "save", bad)
    assert status == 2 and "amount" in err and "именами полей" in err
    assert not RegistryMapping.objects.exists()
    status, out, _ = run("mapping", "list")
    assert status == 0 and out == ""
