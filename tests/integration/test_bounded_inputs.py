"""Bounded inputs, declared once in ``raschet.domain.bounds`` (issue 10, item 9): the columns agree with
them; scenario check and load refuse the same values; the API, the cash desk form and registries refuse
what they could not hold instead of rounding, crashing or posting into 2099."""

import copy
import json
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from raschet.billing.models import ChargeLine, ServiceInterruption
from raschet.billing.services import calculate_period, close_period
from raschet.domain import bounds
from raschet.domain.errors import ProblemsError
from raschet.domain.periods import Period
from raschet.exchange import parse_sber
from raschet.housing.models import Absence, Account, Building, Premises, PremisesArea
from raschet.metering.models import Meter, Reading
from raschet.payments.imports import import_registry
from raschet.payments.models import Payment, PaymentRegistry
from raschet.scenarios.loader import check_scenario, load_scenario, read_scenario
from raschet.tariffs.models import KeyRate, Norm, Organization, Service, Tariff

COLUMNS = {
    "PAYMENT_AMOUNT": (Payment, "amount"), "FEE": (Payment, "fee"), "REGISTRY_TOTAL": (PaymentRegistry, "total"),
    "OPENING_BALANCE": (Account, "opening_balance"), "PREMISES_AREA": (PremisesArea, "value"),
    "BUILDING_AREA": (Building, "total_area"), "COMMON_AREA": (Building, "common_area"), "TARIFF": (Tariff, "value"),
    "NORM": (Norm, "value"), "SHARE": (Account, "share"), "KEY_RATE": (KeyRate, "value"),
    "READING": (Reading, "value"), "EXCESS_HOURS": (ServiceInterruption, "excess_hours"),
    "PERCENT_PER_HOUR": (ServiceInterruption, "percent_per_hour"), "INCREASING_FACTOR": (ChargeLine, "factor"),
}
TEXT_MODELS = {"premises": Premises, "organization": Organization, "service": Service, "building": Building, "account": Account,
               "meter": Meter, "payment": Payment, "absence": Absence, "interruption": ServiceInterruption,
               "legal_basis": Tariff}


def test_the_bounds_fit_the_database_columns():
    for name, (model, field_name) in COLUMNS.items():
        bound, column = getattr(bounds, name), model._meta.get_field(field_name)
        assert bound.places <= column.decimal_places, name
        assert bound.maximum < 10 ** (column.max_digits - column.decimal_places), name
    assert bounds.RESIDENTS.maximum <= 32767 and bounds.METER_DIGITS.maximum <= 32767  # smallint
    for kind, limit in bounds.TEXT_LENGTH.items():
        owner, _, field_name = kind.partition(".")
        column = TEXT_MODELS[owner]._meta.get_field(field_name or "legal_basis")
        assert column.max_length == limit, kind
    assert Meter._meta.get_field("code").max_length == bounds.TEXT_LENGTH["meter.code"]


def scenario(scenario_path):
    return read_scenario(scenario_path("cold_water_meter.json"))


def account_of(data):
    return data["buildings"][0]["premises"][0]["accounts"][0]


CASES = {  # the five files of the issue that `scenario check` passed and `scenario load` then failed on
    "area 1e30": (lambda d: d["buildings"][0]["premises"][0]["area"][0].update(value=Decimal("1E+30")),
                  "buildings[0].premises[0].area[0].value"),
    "20-digit tariff": (lambda d: d["tariffs"][0].update(value="12345678901234567890"), "tariffs[0].value"),
    "10^12 residents": (lambda d: account_of(d)["residents"][0].update(count=10**12),
                        "buildings[0].premises[0].accounts[0].residents[0].count"),
    "40-character account": (lambda d: account_of(d).update(number="4" * 40),
                             "buildings[0].premises[0].accounts[0].number"),
    "period 2026-13": (lambda d: d["timeline"].append({"calculate": "2026-13"}), "timeline[1].calculate"),
    "full-width digits": (lambda d: d["tariffs"][0].update(value="５２.３０"), "tariffs[0].value"),
    "7 decimals of a tariff": (lambda d: d["tariffs"][0].update(value="52.3000001"), "tariffs[0].value"),
    "year 0001": (lambda d: d["tariffs"][0].update(valid_from="0001-01-01"), "tariffs[0].valid_from"),
    "reading in a change": (lambda d: d["timeline"].append({"change": {"meter": "CW-1", "readings": [
        {"date": "2026-04-25", "value": "1e20"}]}}), "timeline[1].change.readings[0].value"),
    "reading beyond the register": (lambda d: account_of(d)["meters"][0].update(digits=2),
                                    "buildings[0].premises[0].accounts[0].meters[0].readings[0]"),
    "residents as text in a change": (lambda d: d["timeline"].append({"change": {"account": "1000000001",
                                                                                 "residents": "x"}}),
                                      "timeline[1].change.residents"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(CASES))
def test_check_refuses_what_load_cannot_hold_with_its_path(scenario_path, case):
    change, path = CASES[case]
    data = scenario(scenario_path)
    change(data)
    problems = check_scenario(data)
    assert path in {p.subject for p in problems}, problems
    with pytest.raises(ProblemsError) as refused:
        load_scenario(data)
    assert refused.value.problems == problems
    assert not Account.objects.exists()


@pytest.mark.django_db
def test_the_extremes_within_bounds_pass_the_check_and_load(scenario_path):
    data = scenario(scenario_path)
    building = data["buildings"][0]
    building.update(code="B" * 40, address="А" * 300, total_area="10000000", common_area="10000000")
    premises = building["premises"][0]
    premises.update(number="9" * 20, area=[{"valid_from": "1900-01-01", "value": "100000.0000"}])
    account = account_of(data)
    account.update(number="7" * 30, payer="П" * 200, share="0.000001", opening_balance="-999999999.99",
                   residents=[{"valid_from": "2020-01-01", "count": 9999}], opened="1900-01-01")
    account["meters"][0].update(code="M" * 40, digits=9, readings=[{"date": "2026-02-25", "value": "0"}, {
        "date": "2026-03-25", "value": "999999999.999999"}])
    data["tariffs"][0]["value"] = "1000000.000000"
    data["norms"][0]["value"] = "100000"
    data["key_rates"][0]["value"] = "100"
    data["organizations"][0].update(name="О" * 300, code="V" * 40)
    for row in (*data["tariffs"], *account["services"]):
        row["supplier"] = "V" * 40
    data["timeline"] = [{"pay": {"account": "7" * 30, "date": "2200-12-31", "amount": "999999999.99"}}]
    assert check_scenario(data) == []
    written = load_scenario(data)
    assert Account.objects.get().number == "7" * 30 and sum(written.values()) > 10
    assert Reading.objects.get(value__gt=1).value == Decimal("999999999.999999")  # exact on SQLite too


@pytest.fixture
def charged(scenario_path, monkeypatch):
    monkeypatch.setenv("RASCHET_API_KEYS", "acquirer:test-key")
    load_scenario(read_scenario(scenario_path("cold_water_meter.json")))
    calculate_period(period=Period(2026, 3))
    close_period(period=Period(2026, 3))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("field", "value"), [
    ("amount", "100.005"), ("amount", 100.005), ("amount", "1e3"), ("amount", "1_000.00"), ("amount", "１００"),
    ("amount", 1e100), ("amount", "1" * 60), ("amount", "1000000000000"), ("amount", "NaN"), ("amount", 0),
    ("date", "2099-01-01"), ("date", "garbage"), ("account", "4" * 40), ("period", "2026-13"),
])
def test_api_refuses_out_of_bounds_values_with_a_stable_body(client, charged, field, value):
    body = {"account": "1000000001", "date": "2026-04-20", "amount": "100.00", "operation_id": "b-1", field: value}
    answer = client.post("/api/v1/payments", json.dumps(body), content_type="application/json",
                         HTTP_X_API_KEY="test-key")
    assert answer.status_code in (400, 422)
    [error] = answer.json()["errors"]
    assert error["subject"] == f"body.{field}" and error["code"] in ("invalid_value", "invalid_date", "invalid_period")
    assert not Payment.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_api_refuses_nan_and_deep_json(client, charged):
    for raw in ('{"account": "1000000001", "date": "2026-04-20", "amount": NaN, "operation_id": "n"}',
                "[" * 100_000 + "]" * 100_000, "{not json"):
        answer = client.post("/api/v1/payments", raw, content_type="application/json", HTTP_X_API_KEY="test-key")
        assert answer.status_code == 400 and answer.json()["errors"][0]["code"] in ("invalid_file", "invalid_structure")
    assert not Payment.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("amount", ["1_000,00", "1e3", "１００,００", "1e100", "1" * 60 + ",00", "1000000000000,00"])
def test_registry_amounts_out_of_bounds_refuse_the_file_naming_the_line(charged, amount):
    text = (f"25-04-2026;10-15-00;8626;1001;1000000001;;;0326;{amount};{amount};0,00\n"
            f"=1;{amount};{amount};0.00;7;25-04-2026\n")
    with pytest.raises(ProblemsError) as refused:
        parse_sber(text.encode("utf-8"), "r.txt")
    assert ("r.txt:1", "registry_invalid_amount") in {(p.subject, p.code) for p in refused.value.problems}


@pytest.mark.django_db(transaction=True)
def test_a_registry_dated_beyond_the_horizon_is_refused_whole(charged):
    text = b"25-04-2099;10-15-00;8626;1001;1000000001;;;0326;10,00;10,00;0,00\n=1;10.00;10.00;0.00;7;25-04-2099\n"
    with pytest.raises(ProblemsError) as refused:
        import_registry(parse_sber(text, "r.txt"))
    assert refused.value.problems[0].subject == "r.txt:1" and "в будущем" in refused.value.problems[0].message
    assert not Payment.objects.exists() and not PaymentRegistry.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("amount", ["1_000.00", "1e3", "100.005", "１００"])
def test_cash_desk_form_refuses_amounts_it_would_have_rounded_or_misread(client, charged, amount):
    client.force_login(get_user_model().objects.create_superuser("cashier", "c@example.invalid", "pw-test-1234"))
    page = client.post("/cash/", {"account": "1000000001", "amount": amount, "action": "pay"}).content.decode()
    assert "Неверная сумма" in page and not Payment.objects.exists()


def test_scenario_with_an_unknown_structure_inside_a_change_is_refused_before_anything_runs(scenario_path):
    data = copy.deepcopy(scenario(scenario_path))
    data["timeline"].append({"change": {"tariffs": [{"service": "cold_water"}]}})
    assert any(p.subject.startswith("timeline[1].change.tariffs[0]") for p in check_scenario(data))


@pytest.mark.django_db(transaction=True)
def test_an_unexpected_api_failure_is_a_stable_500_body_and_a_log_entry(client, charged, monkeypatch, caplog):
    def broken(**_kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("raschet.payments.api.record_payment", broken)
    body = {"account": "1000000001", "date": "2026-04-20", "amount": "1.00", "operation_id": "u-1"}
    answer = client.post("/api/v1/payments", body, content_type="application/json", HTTP_X_API_KEY="test-key")
    [error] = answer.json()["errors"]
    assert answer.status_code == 500 and error["code"] == "internal_error" and "disk on fire" not in error["message"]
    reference = error["message"].split("номер ")[1].split(")")[0]
    assert any(reference in record.getMessage() for record in caplog.records)


@pytest.mark.django_db
@pytest.mark.parametrize(("value", "ok"), [("52,30", True), ("1 000.5", True), ("1e3", False), ("1_000", False),
                                           ("５２", False), ("52.3000001", False), ("12345678901234567890", False),
                                           ("NaN", False)])
def test_admin_forms_read_numbers_by_the_same_rule(rf, scenario_path, value, ok):
    from django.contrib import admin

    load_scenario(scenario(scenario_path))
    request = rf.get("/")
    request.user = get_user_model().objects.create_superuser("admin", "a@example.invalid", "pw-test-1234")
    form_class = admin.site._registry[Tariff].get_form(request)
    tariff = Tariff.objects.get()
    data = {"service": tariff.service_id, "supplier": tariff.supplier_id, "zone": "total", "valid_from": "2027-01-01",
            "value": value, "legal_basis": ""}
    form = form_class(data=data)
    assert form.is_valid() == ok, form.errors
    residents = admin.site._registry[Account].inlines
    assert any("ResidentCount" in inline.__name__ for inline in residents)
