"""A stored line explains itself exactly as the engine's line did (issue 12 D).

Worked scenarios are played through the database; every engine result the adapter writes is
captured, and every ChargeLine row is matched with the engine line it came from: the JSON the row
stores equals the engine's key/value explanation of that line (without the method and volume
source, which are columns of the row, and without empty keys), and the sentence shown to people
(``ChargeLine.explained``) equals ``explain.sentence`` of the engine's line.
"""

from __future__ import annotations

import polars as pl
import pytest

import raschet.billing.services as services
import raschet.billing.units as units
from raschet.billing.models import ChargeLine
from raschet.engine import explain
from raschet.scenarios.loader import read_scenario
from raschet.scenarios.runner import run_scenario

pytestmark = pytest.mark.django_db(transaction=True)
# Each scenario with a note its lines must carry (None: plain lines only).
SCENARIOS = {"we_4_3_late_reading_after_norm.json": "вычтено", "we_4_1_absence.json": "Временное отсутствие",
             "we_4_2_interruption.json": "Снижение платы", "we_3_common_needs.json": "нормативом",
             "we_5_4_electricity_zones.json": None, "we_2_heating_annual_correction.json": "Корректировка",
             "we_4_4_recalc_corrected_reading.json": "Перерасчёт за", "we_14_mid_month_tariff.json": None,
             "sum_of_wastewater.json": "сумма объёмов: cold_water"}
KEY = ["account_id", "service", "supplier", "zone", "date_from", "date_to", "amount", "kind"]


def _engine_lines(captured: list) -> dict[tuple, list[dict]]:
    """The engine's explanation of every captured line, by the key the stored row has too."""
    by_key: dict[tuple, list[dict]] = {}
    for result in captured:
        why = explain.explanation(result.frame, result.codes)
        readable = result.lines.select(
            "account_id", "service", "supplier", "zone", "date_from", "date_to", pl.col("amount").cast(pl.Utf8),
            pl.when(pl.col("kind") == "charge").then(pl.lit("charge")).otherwise(pl.lit("recalc")).alias("kind"))
        for key, explained in zip(readable.iter_rows(), why.iter_rows(named=True), strict=True):
            by_key.setdefault(key, []).append(explained)
    return by_key


@pytest.mark.parametrize(("name", "note"), SCENARIOS.items())
def test_every_stored_line_explains_itself_as_the_engine_did(name, note, scenario_path, monkeypatch):
    captured = []
    original = services.line_frame

    def capture(run_id, period, result, ids):
        captured.append(result)
        return original(run_id, period, result, ids)

    monkeypatch.setattr(units, "line_frame", capture)  # a unit's lines
    monkeypatch.setattr(services, "line_frame", capture)  # the recalculation lines of a run
    run_scenario(read_scenario(scenario_path(name)))
    engine = _engine_lines(captured)
    stored = list(ChargeLine.objects.select_related("service", "supplier").order_by("id"))
    assert stored and engine
    for line in stored:
        key = (line.account_id, line.service.code, line.supplier.code, line.zone, line.date_from, line.date_to,
               f"{line.amount:.2f}", line.kind)
        candidates = engine.get(key)
        assert candidates, key
        wanted = [{k: v for k, v in c.items() if k not in ("способ", "источник") and v is not None}
                  for c in candidates]
        assert line.explanation in wanted, (key, line.explanation, wanted)
        assert line.explained() in [explain.sentence(c) for c in candidates], key
    if note is not None:
        assert any(note in line.explanation.get("примечание", "") for line in stored)
