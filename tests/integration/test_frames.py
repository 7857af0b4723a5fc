"""Frames to and from the database (``raschet.store.frames``): exact round trips, keys, ids."""

import json
from datetime import date
from decimal import Decimal as D

import polars as pl
import pytest
from django.db import IntegrityError, connection, transaction
from polars.testing import assert_frame_equal

from raschet.billing.models import CalcRun, ChargeLine
from raschet.housing.models import Account, Building, Premises
from raschet.store.frames import read_frame, write_frame
from raschet.tariffs.models import Organization, Service

pytestmark = pytest.mark.django_db(transaction=True)

TEXTS = ["таб\tкавычка\"запятая,", "строка\nперевод\r\nвозврат", "", "'; DROP TABLE x; --", "\\N", "NULL", " пробел "]
AMOUNTS = ["0.00", "-0.01", "0.05", "-0.05", "12.50", "-999999999999.99", "999999999999.99"]
VOLUMES = ["0.000000", "-0.005000", "0.005000", "12345678901234.000000", "-12345678901234.000000",
           "123456789.123456", "2.500000"]  # numeric(20, 6): at most 14 digits before the point
MONEY, VOLUME, FACTOR = pl.Decimal(38, 2), pl.Decimal(38, 6), pl.Decimal(38, 4)
LINE_SCHEMA = {"id": pl.Int64, "run_id": pl.Int64, "account_id": pl.Int64, "service_id": pl.Int64,
               "supplier_id": pl.Int64, "period": pl.Utf8, "ref_period": pl.Utf8, "kind": pl.Utf8, "zone": pl.Utf8,
               "band": pl.Int64, "date_from": pl.Date, "date_to": pl.Date, "days": pl.Int64, "method": pl.Utf8,
               "volume_source": pl.Utf8, "volume": VOLUME, "tariff": VOLUME, "factor": FACTOR, "amount": MONEY,
               "excess_amount": MONEY, "reason": pl.Utf8, "explanation": pl.Utf8}
DECIMALS = ("volume", "tariff", "factor", "amount", "excess_amount")


@pytest.fixture
def refs():
    building = Building.objects.create(code="B", address="ул. Тестовая, 1", total_area=D("100"))
    premises = Premises.objects.create(building=building, number="1")
    account = Account.objects.create(number="A1", premises=premises, payer="П", opened=date(2020, 1, 1))
    run = CalcRun.objects.create(period="2026-03")
    service = Service.objects.create(code="cw", name="ХВС", kind="cold_water", unit="m3")
    supplier = Organization.objects.create(code="vk", name="Водоканал", inn="7707083893")
    return {"run_id": run.id, "account_id": account.id, "service_id": service.id, "supplier_id": supplier.id,
            "premises": premises}


def _lines(refs: dict, count: int = len(TEXTS)) -> pl.DataFrame:
    rows = [{"run_id": refs["run_id"], "account_id": refs["account_id"], "service_id": refs["service_id"],
             "supplier_id": refs["supplier_id"], "period": "2026-03", "ref_period": "2026-03", "kind": "charge",
             "zone": "total", "band": None if i % 2 else i, "date_from": date(2026, 3, 1 + i),
             "date_to": date(2026, 4, 1), "days": 31 - i, "method": "норматив", "volume_source": "formula",
             "volume": VOLUMES[i % 7], "tariff": VOLUMES[-1 - i % 7], "factor": "1.5000",
             "amount": AMOUNTS[i % 7], "excess_amount": AMOUNTS[-1 - i % 7], "reason": TEXTS[i % 7],
             "explanation": json.dumps({"норматив": "6.935", "i": i, "текст": TEXTS[i % 7]}, ensure_ascii=False)}
            for i in range(count)]
    frame = pl.DataFrame(rows, schema={k: pl.Utf8 if k in DECIMALS else v for k, v in LINE_SCHEMA.items() if k != "id"})
    return frame.with_columns(pl.col(c).str.to_decimal(scale=LINE_SCHEMA[c].scale).cast(LINE_SCHEMA[c])
                              for c in DECIMALS)


def _text(column: str) -> str:
    """Decimals leave SQLite as text (it keeps them as floating point); PostgreSQL sends them as they are."""
    return column if connection.vendor == "postgresql" else f"CAST({column} AS TEXT)"


def _read_lines(where: str = "1 = 1", params: list | None = None) -> pl.DataFrame:
    columns = [_text(c) if c in DECIMALS else c for c in LINE_SCHEMA]
    return read_frame(f"SELECT {', '.join(columns)} FROM billing_chargeline WHERE {where} ORDER BY id",
                      params, LINE_SCHEMA)


def test_chargeline_round_trip_is_exact(refs):
    frame = _lines(refs)
    assert write_frame(ChargeLine, frame) == frame.height
    back = _read_lines()
    assert back.schema == pl.Schema(LINE_SCHEMA)
    assert_frame_equal(back.drop("id", "explanation"), frame.drop("explanation"))
    assert [json.loads(x) for x in back["explanation"]] == [json.loads(x) for x in frame["explanation"]]
    orm = ChargeLine.objects.order_by("id")
    assert [str(x) for x in orm.values_list("amount", flat=True)] == AMOUNTS
    assert orm[1].explanation["текст"] == TEXTS[1] and orm[0].reason == TEXTS[0]


def test_read_binds_parameters_and_tells_null_from_empty_text(refs):
    write_frame(ChargeLine, _lines(refs))
    quoted = "'; DROP TABLE x; --"
    frame = read_frame("SELECT reason, CASE WHEN band IS NULL THEN NULL ELSE reason END, band IS NULL "
                       "FROM billing_chargeline WHERE reason <> %s AND days < %s ORDER BY id", [quoted, 31],
                       {"reason": pl.Utf8, "maybe": pl.Utf8, "no_band": pl.Boolean})
    assert frame.rows() == [(TEXTS[1], None, True), ("", "", False), ("\\N", "\\N", False),
                            ("NULL", None, True), (TEXTS[6], TEXTS[6], False)]
    empty = read_frame("SELECT id FROM billing_chargeline WHERE 1 = 0", None, {"id": pl.Int64})
    assert empty.height == 0 and empty.schema == pl.Schema({"id": pl.Int64})


def test_fifteen_digit_integers_and_twenty_digit_decimals_read_exactly(refs):
    if connection.vendor == "postgresql":
        sql = "SELECT 123456789012345.00::numeric(17, 2), -99999999999999.999999::numeric(20, 6)"
        expected = [D("123456789012345.00"), D("-99999999999999.999999")]
    else:  # SQLite's REAL holds 15 significant digits: more arrive exactly only as text
        sql = "SELECT CAST(123456789012345 AS TEXT), '-99999999999999.999999'"
        expected = [D("123456789012345.00"), D("-99999999999999.999999")]
    frame = read_frame(sql, None, {"a": MONEY, "v": VOLUME})
    assert list(frame.row(0)) == expected
    if connection.vendor == "postgresql":
        line = _lines(refs, 1).with_columns(pl.lit(D("-99999999999999.999999")).cast(VOLUME).alias("volume"))
        write_frame(ChargeLine, line)
        assert str(ChargeLine.objects.get().volume) == "-99999999999999.999999"
        assert _read_lines()["volume"].to_list() == [D("-99999999999999.999999")]


def test_booleans_null_dates_and_renamed_columns(refs):
    building_id = refs["premises"].building_id
    premises = pl.DataFrame({"building": [building_id] * 3, "number": ["2", "3", "4"],
                             "kind": ["residential", "non_residential", "residential"],
                             "meter_possible": [True, False, True]})
    write_frame(Premises, premises, columns={"building": "building_id"})
    read = read_frame("SELECT number, meter_possible FROM housing_premises WHERE number > %s ORDER BY number",
                      ["1"], {"number": pl.Utf8, "meter_possible": pl.Boolean})
    assert read.rows() == [("2", True), ("3", False), ("4", True)]
    assert list(Premises.objects.order_by("number").values_list("meter_possible", flat=True)) == [
        True, True, False, True]
    accounts = pl.DataFrame({"number": ["A2", "A3"], "premises_id": [refs["premises"].id] * 2, "payer": ["Я", "Ты"],
                             "share": ["0.333333", "1"], "opened": [date(2020, 1, 1)] * 2,
                             "closed": [None, date(2026, 2, 28)], "opening_balance": ["-0.01", "0"]})
    accounts = accounts.with_columns(pl.col("share").str.to_decimal(scale=6),
                                     pl.col("opening_balance").str.to_decimal(scale=2))
    write_frame(Account, accounts)
    schema = {"number": pl.Utf8, "share": pl.Decimal(38, 6), "closed": pl.Date, "opening_balance": pl.Decimal(38, 2)}
    back = read_frame(f"SELECT number, {_text('share')}, closed, {_text('opening_balance')} FROM housing_account "
                      "WHERE number <> %s ORDER BY number", ["A1"], schema)
    assert_frame_equal(back, accounts.select(list(schema)).cast(schema))


def test_ids_continue_after_existing_rows_and_the_sequence_follows(refs):
    first = ChargeLine.objects.create(**_lines(refs, 1).drop("explanation").row(0, named=True), explanation={})
    write_frame(ChargeLine, _lines(refs, 3))
    ids = read_frame("SELECT id FROM billing_chargeline ORDER BY id", [], {"id": pl.Int64})["id"].to_list()
    assert ids == [first.id, first.id + 1, first.id + 2, first.id + 3]
    after = ChargeLine.objects.create(**_lines(refs, 1).drop("explanation").row(0, named=True), explanation={})
    assert after.id == first.id + 4


def test_a_dangling_foreign_key_fails_the_transaction(refs):
    lines = _lines(refs, 3).with_columns(pl.when(pl.col("days") == 30).then(10**9).otherwise(pl.col("account_id"))
                                         .alias("account_id"))
    with pytest.raises(IntegrityError):
        with transaction.atomic():
            write_frame(ChargeLine, lines)
    assert not ChargeLine.objects.exists()
    write_frame(ChargeLine, _lines(refs, 3))
    assert ChargeLine.objects.count() == 3


def test_more_decimal_places_than_the_field_are_refused_not_rounded(refs):
    lines = _lines(refs, 2).with_columns(pl.Series("amount", [D("1.005"), D("2.000")], pl.Decimal(38, 3)))
    with pytest.raises(ValueError, match="amount"):
        write_frame(ChargeLine, lines)
    whole = lines.with_columns(pl.Series("amount", [D("1.000"), D("-2.010")], pl.Decimal(38, 3)))
    assert write_frame(ChargeLine, whole) == 2
    assert [str(a) for a in ChargeLine.objects.order_by("id").values_list("amount", flat=True)] == ["1.00", "-2.01"]


def test_unknown_columns_are_refused(refs):
    with pytest.raises(ValueError, match="no field"):
        write_frame(ChargeLine, _lines(refs, 1).with_columns(pl.lit(1).alias("nonsense")))


def test_fetched_rows_become_columns_of_one_type_or_are_inferred_row_by_row():
    """``_columns`` (the fetch path's frame): typed columns, nulls kept; a column mixing integers and
    reals (as SQLite may return) is inferred as the row-wise frame would infer it."""
    from raschet.store.frames import _columns

    frame = _columns([(1, "а", None), (2, None, None)], ["n", "t", "x"])
    assert frame.schema == pl.Schema({"n": pl.Int64, "t": pl.Utf8, "x": pl.Null})
    assert frame.rows() == [(1, "а", None), (2, None, None)]
    mixed = _columns([(1, "a"), (2.5, "b")], ["v", "t"])
    assert mixed.schema["v"] == pl.Float64 and mixed["v"].to_list() == [1.0, 2.5]
    big = read_frame("SELECT 123456789012345, 'x'", None, {"n": pl.Int64, "t": pl.Utf8}, small=True)
    assert big.rows() == [(123456789012345, "x")]
