"""A stored line explains itself exactly as the engine's line did (issue 12 D).

Worked scenarios are played through the database; every engine result the adapter writes is
captured, and every ChargeLine row is matched with the engine line it came from: the explanation
made later from the line's block (``billing.lines.explain_lines``; the row itself stores none)
equals the engine's key/value explanation of that line in the run (without the method and volume
source, which are columns of the row, and without empty keys), and the sentence shown to people
(``ChargeLine.explained``) equals ``explain.sentence`` of the engine's line.
"""

from __future__ import annotations

import polars as pl
import pytest

import raschet.billing.lines as lines_module
from raschet.billing.lines import explain_lines
from raschet.billing.models import ChargeLine, LineBlock
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


@pytest.mark.parametrize(("name", "note", "block_lines"),
                         [(name, note, lines_module.BLOCK_LINES) for name, note in SCENARIOS.items()]
                         + [("we_3_common_needs.json", "нормативом", 2), ("we_4_4_recalc_corrected_reading.json",
                                                                      "Перерасчёт за", 1)])
def test_every_stored_line_explains_itself_as_the_engine_did(name, note, block_lines, scenario_path, monkeypatch):
    """Also with blocks of one or two lines: an account's lines stay in one block, and a line is
    found in whichever block of its run holds its account."""
    monkeypatch.setattr(lines_module, "BLOCK_LINES", block_lines)
    captured = []
    original = lines_module.line_frame

    def capture(run_id, period, result, ids):
        captured.append(result)
        return original(run_id, period, result, ids)

    monkeypatch.setattr(lines_module, "line_frame", capture)  # a unit's lines and a run's recalculations
    run_scenario(read_scenario(scenario_path(name)))
    engine = _engine_lines(captured)
    stored = list(ChargeLine.objects.select_related("service", "supplier").order_by("id"))
    assert stored and engine
    assert all(line.explanation is None for line in stored)  # narrow rows: the figures are in the blocks
    blocks = list(LineBlock.objects.order_by("id").values_list("run_id", "first_account", "last_account", "lines"))
    assert sum(count for *_, count in blocks) == len(stored)  # every line in one block (the rest were replaced)
    if block_lines < 3:
        assert len(blocks) > len({run for run, *_ in blocks})  # several blocks a run
    explain_lines(stored)
    for line in stored:
        key = (line.account_id, line.service.code, line.supplier.code, line.zone, line.date_from, line.date_to,
               f"{line.amount:.2f}", line.kind)
        candidates = engine.get(key)
        assert candidates, key
        wanted = [{k: v for k, v in c.items() if k not in ("способ", "источник") and v is not None}
                  for c in candidates]
        assert line.explanation in wanted, (key, line.explanation, wanted)
        assert line.explained() in [explain.sentence(c) for c in candidates], key
    fresh = ChargeLine.objects.get(pk=stored[-1].pk)  # one line alone reads its block itself
    assert fresh.explanation is None and fresh.explained() == stored[-1].explained()
    if note is not None:
        assert any(note in line.explanation.get("примечание", "") for line in stored)
