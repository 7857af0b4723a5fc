"""What the resources answer: balances agree with the ledger and the turnover sheet, charges carry
their explanation, documents download byte for byte, readings go through the one check with the
caller's source, lists are bounded and a bad parameter is a 422 naming it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from raschet.billing.models import ChargeLine
from raschet.billing.turnover import turnover
from raschet.documents.models import PaymentDocument
from raschet.documents.sources import ledger_balances, ledger_movements
from raschet.domain.periods import Period
from raschet.housing.models import Account
from raschet.metering.models import Reading

pytestmark = pytest.mark.django_db


def get(client, world, path, who="subscriber", **query):
    return client.get(f"/api/v1/accounts/{world.mine}{path}", query, **world.auth(who))


def test_balances_agree_with_the_ledger_and_the_turnover_sheet(client, world):
    rows = get(client, world, "/balances").json()["periods"]
    assert [r["period"] for r in rows] == ["2026-10", "2026-11"]
    october, november = ({k: Decimal(v) for k, v in r.items() if k != "period"} for r in rows)
    assert november["opening"] == october["closing"] and october["opening"] == 0
    account = Account.objects.get(number=world.mine)
    assert november["closing"] == ledger_balances([account.pk], world.period)[account.pk]
    sheet = next(r for r in turnover(world.period) if r.key == world.mine)
    assert (november["opening"], november["charged"], november["paid"], november["closing"]) == \
        (sheet.opening, sheet.charged, sheet.paid, sheet.closing)
    assert october["charged"] > 0 and november["charged"] > 0
    assert november["closing"] == sum(november[k] for k in ("opening", "charged", "recalculated", "penalties")) \
        - november["paid"]


def test_balances_are_the_sums_the_payment_document_reads(client, world):
    """One read over the periods gives, row by row, what ``ledger_movements`` gives period by period —
    also when the range starts after a closed period, whose snapshot is then the opening."""
    account = Account.objects.get(number=world.mine)
    both = get(client, world, "/balances").json()["periods"]
    alone = get(client, world, "/balances", **{"from": "2026-11"}).json()["periods"]
    assert alone == both[1:]
    for row in both:
        sums: dict[str, Decimal] = {}
        for movement in ledger_movements([account.pk], Period.parse(row["period"])):
            kind = "recalc" if movement.kind == "correction" else movement.kind
            sums[kind] = sums.get(kind, Decimal(0)) + movement.amount
        assert Decimal(row["opening"]) == sums.get("opening", 0)
        assert Decimal(row["charged"]) == sums.get("charge", 0) and Decimal(row["paid"]) == -sums.get("payment", 0)
        assert Decimal(row["recalculated"]) == sums.get("recalc", 0)
        assert Decimal(row["closing"]) == sum(sums.values(), Decimal(0))


def test_charges_are_the_posted_lines_with_their_explanation(client, world):
    answer = get(client, world, "/charges").json()
    lines = ChargeLine.objects.filter(account__number=world.mine, period="2026-11", run__status="posted")
    assert answer["period"] == "2026-11" and len(answer["lines"]) == lines.count() > 0
    assert Decimal(answer["total"]) == sum(line.amount for line in lines)
    explained = {line.explained() for line in lines}
    assert {line["explanation"] for line in answer["lines"]} == explained and "" not in explained
    as_stored = sorted((line.service.code, str(line.date_from), line.zone, str(line.volume), str(line.tariff),
                        str(line.factor), str(line.amount)) for line in lines)  # the ORM's values, on either database
    assert sorted((x["service"], x["date_from"], x["zone"], x["volume"], x["tariff"], x["factor"], x["amount"])
                  for x in answer["lines"]) == as_stored
    assert get(client, world, "/charges", period="2026-10").json()["period"] == "2026-10"
    bad = get(client, world, "/charges", period="2026-13")
    assert bad.status_code in (400, 422) and bad.json()["errors"][0]["subject"].startswith("query")


def test_documents_list_and_download(client, world):
    items = get(client, world, "/documents").json()["items"]
    stored = PaymentDocument.objects.get(account__number=world.mine)
    assert [(d["period"], d["version"]) for d in items] == [("2026-11", 1)]
    pdf = client.get(items[0]["pdf_url"], **world.auth("subscriber"))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content == bytes(stored.pdf)[:len(pdf.content)]
    assert pdf.content.startswith(b"%PDF") and len(pdf.content) == len(bytes(stored.pdf))
    other = PaymentDocument.objects.get(account__number=world.theirs)
    assert client.get(f"/api/v1/accounts/{world.mine}/documents/{other.pk}/pdf",
                      **world.auth("subscriber")).status_code == 404


def _meter_and_last(client, world):
    meter = get(client, world, "/meters").json()[0]
    last = Reading.objects.filter(meter__code=meter["code"], zone=meter["zones"][0]).order_by("-date").first()
    return meter, last


def post_reading(client, world, who, **body):
    return client.post(f"/api/v1/accounts/{world.mine}/readings", body, content_type="application/json",
                       **world.auth(who))


def test_readings_go_through_the_one_check_with_the_callers_source(client, world):
    meter, last = _meter_and_last(client, world)
    zone = meter["zones"][0]
    accepted = post_reading(client, world, "subscriber", meter=meter["code"], date="2026-11-28",
                            value=str(last.value + 1), zone=zone)
    assert accepted.status_code == 201 and accepted.json()["source"] == "portal"
    backwards = post_reading(client, world, "subscriber", meter=meter["code"], date="2026-11-29",
                             value=str(last.value - 5), zone=zone)
    assert backwards.status_code == 400  # the one check refuses it, as it refuses the operator's entry
    assert backwards.json()["errors"][0]["code"] in ("readings_backwards", "implausible_reading")
    as_operator = post_reading(client, world, "subscriber", meter=meter["code"], date="2026-11-29",
                               value=str(last.value + 2), zone=zone, source="operator")
    assert as_operator.status_code == 403
    controller = post_reading(client, world, "operator", meter=meter["code"], date="2026-11-30",
                              value=str(last.value + 3), zone=zone, source="controller")
    assert controller.status_code == 201 and controller.json()["source"] == "controller"
    unknown = post_reading(client, world, "operator", meter="NO-SUCH", date="2026-11-30", value="1")
    assert unknown.status_code == 404 and unknown.json()["errors"][0]["subject"] == "body.meter"
    bad_date = post_reading(client, world, "operator", meter=meter["code"], date="30.11.2026", value="1")
    assert bad_date.status_code == 422 and bad_date.json()["errors"][0]["subject"] == "body.date"
    listed = get(client, world, "/readings", meter=meter["code"], limit=2).json()["items"]
    assert [(r["date"], r["source"]) for r in listed] == [("2026-11-30", "controller"), ("2026-11-28", "portal")]


def test_pages_are_bounded(client, world):
    headers = world.auth("operator")
    first = client.get("/api/v1/accounts", {"limit": 5}, **headers).json()
    assert len(first["items"]) == 5 and first["next_offset"] == 5
    last = client.get("/api/v1/accounts", {"limit": 5, "offset": 10}, **headers).json()
    assert len(last["items"]) == 2 and last["next_offset"] is None
    numbers = [a["number"] for a in first["items"]] + [a["number"] for a in last["items"]]
    assert numbers == sorted(numbers) and len(set(numbers)) == 7
    too_many = client.get("/api/v1/accounts", {"limit": 101}, **headers)
    assert too_many.status_code == 422 and too_many.json()["errors"][0]["subject"] == "query.limit"
    assert client.get("/api/v1/accounts", {"q": world.mine[:-1]}, **headers).json()["items"]


def test_payments_list_and_an_api_key_client_keeps_working(client, world, monkeypatch):
    payments = get(client, world, "/payments").json()["items"]
    assert payments and all(Decimal(p["amount"]) > 0 for p in payments)
    monkeypatch.setenv("RASCHET_API_KEYS", "acquirer:k-1")
    key = {"HTTP_X_API_KEY": "k-1"}
    assert client.get(f"/api/v1/accounts/{world.theirs}/balance", **key).status_code == 200
    assert client.get(f"/api/v1/accounts/{world.theirs}", **key).status_code == 403


def test_the_cash_desk_balance_is_the_cards_standing_to_the_kopeck(client, world):
    from raschet.workplace.standing import standings

    for number in (world.mine, world.theirs):
        body = client.get(f"/api/v1/accounts/{number}/balance", **world.auth("cashier")).json()
        account = Account.objects.get(number=number)
        standing = standings([account.pk])[account.pk]
        assert (Decimal(body["debt"]), Decimal(body["advance"])) == (standing.debt, standing.advance)
        assert standing.debt > 0  # the world's second month is posted and not paid
