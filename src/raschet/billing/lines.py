"""The engine's lines as ChargeLine rows, and how each was computed as LineBlock rows.

A line row holds what is summed, posted and shown in lists (keys, dates, method, volume, tariff,
amount); the figures behind it stay in the engine's typed columns (``engine.explain.LINE_SCHEMA``),
kept per range of accounts as one compressed Arrow block with the lines' ids. A line's explanation is
made from its row of the block by the engine's own ``explain.explanation`` whenever it is shown, so it
is the one computed in the run, never text edited afterwards (``tests/integration/test_stored_explanation.py``).
"""

from __future__ import annotations

import io
import time
from collections import defaultdict
from collections.abc import Iterable

import polars as pl

from raschet.billing.models import ChargeLine, LineBlock
from raschet.domain.periods import Period
from raschet.engine import CalcResult, explain
from raschet.engine.codes import KINDS, METHODS, SOURCES, ZONES, Codes
from raschet.engine.fixed import to_decimal
from raschet.ids import reserve_ids
from raschet.store.frames import write_frame

BLOCK_LINES = 4096  # lines of a block, about: an account's lines are never split between two
SHOWN = ("дни", "расчёт", "примечание", *explain.INPUT_LABELS)  # the keys of a line's explanation


def line_frame(run_id: int, period: Period, result: CalcResult, ids: dict) -> pl.DataFrame:
    """The engine's lines as ChargeLine rows, column-wise from their typed columns, in the engine's order:
    codes to ids and texts, reductions posted as recalculations with their note's sentence as the
    reason. The explanation goes to the lines' blocks (:func:`block_rows`), not into the row."""
    lines, codes = result.frame, result.codes
    services = {i: ids["services"][c] for i, c in enumerate(codes.services) if c in ids["services"]}
    suppliers = {i: ids["suppliers"][c] for i, c in enumerate(codes.suppliers) if c in ids["suppliers"]}
    charge = pl.col("kind") == KINDS.index("charge")
    texts = {c: dict(enumerate(t)) for c, t in (("zone", ZONES), ("method", METHODS), ("volume_source", SOURCES))}
    stored = lines.with_row_index("_row")
    notes = stored.filter(~charge)
    if notes.height:  # only these few need the note's text now
        why = explain.explanation(notes.drop("_row"), codes)
        texts_of_notes = pl.DataFrame({"_row": notes["_row"], "_note": why["примечание"]})
        stored = stored.join(texts_of_notes, on="_row", how="left", maintain_order="left")
    else:
        stored = stored.with_columns(pl.lit(None, pl.Utf8).alias("_note"))
    return stored.select(
        pl.lit(run_id, pl.Int64).alias("run_id"), "account_id",
        pl.col("service").replace_strict(services, return_dtype=pl.Int64).alias("service_id"),
        pl.col("supplier").replace_strict(suppliers, return_dtype=pl.Int64).alias("supplier_id"),
        pl.lit(str(period)).alias("period"), pl.col("ref_period").dt.strftime("%Y-%m").fill_null(str(period)),
        pl.when(charge).then(pl.lit("charge")).otherwise(pl.lit("recalc")).alias("kind"),
        *[pl.col(c).replace_strict(t, return_dtype=pl.Utf8).alias(c) for c, t in texts.items()],
        pl.col("band").cast(pl.Int16), "date_from", "date_to", "days",
        *[to_decimal(pl.col(c), s).alias(c) for c, s in (("volume", 6), ("tariff", 6), ("factor", 4), ("amount", 2),
                                                         ("excess_amount", 2))],
        pl.when(charge).then(pl.lit("")).otherwise(pl.col("_note").fill_null("")).alias("reason"),
    )


def write_lines(run_id: int, period: Period, result: CalcResult, ids: dict,
                timings: dict[str, float] | None = None, table: str | None = None) -> int:
    """Write the engine's lines of a run (inside the caller's transaction): the rows, with ids reserved
    up front so that each block can name its lines, then their blocks. The rows go into ``table`` when
    given (the run's own table, ``billing.partitions.open_run_table``). Returns the lines written;
    ``timings`` receives the seconds of each step (``write_rows``: shaping the rows, ``write_copy``:
    their COPY, ``write_blocks``: the blocks made and inserted)."""
    started = time.perf_counter()
    rows = line_frame(run_id, period, result, ids)
    if rows.is_empty():
        return 0
    line_ids = pl.concat([pl.int_range(run.start, run.stop, dtype=pl.Int64, eager=True)
                          for run in reserve_ids(ChargeLine, rows.height)])
    shaped = time.perf_counter()
    write_frame(ChargeLine, rows.with_columns(line_ids.alias("id")), table=table)
    copied = time.perf_counter()
    LineBlock.objects.bulk_create(block_rows(run_id, result, line_ids), batch_size=100)
    if timings is not None:
        timings.update(write_rows=shaped - started, write_copy=copied - shaped,
                       write_blocks=time.perf_counter() - copied)
    return rows.height


def _codes_json(codes: Codes) -> dict:
    return {"services": list(codes.services), "suppliers": list(codes.suppliers), "reasons": list(codes.reasons),
            "expressions": {str(rule): text for rule, text in codes.expressions.items()}}


def _codes(data: dict) -> Codes:
    return Codes(tuple(data["services"]), tuple(data["suppliers"]),
                 {int(rule): text for rule, text in data["expressions"].items()}, tuple(data["reasons"]))


def block_rows(run_id: int, result: CalcResult, line_ids: pl.Series) -> list[LineBlock]:
    """The lines' typed columns with their ids, cut into blocks of whole accounts of about
    :data:`BLOCK_LINES` lines each (by account id, so that an account's lines are in one block)."""
    lines = result.frame.with_columns(line_ids.alias("line_id"))
    per_account = lines.group_by("account_id").len().sort("account_id")
    per_account = per_account.with_columns(
        ((pl.col("len").cum_sum() - pl.col("len")) // BLOCK_LINES).alias("_block")).drop("len")
    blocked = lines.join(per_account, on="account_id", how="left", maintain_order="left")
    codes = _codes_json(result.codes)
    blocks = []
    for part in blocked.partition_by("_block", maintain_order=True):
        data = io.BytesIO()
        part.drop("_block").write_ipc(data, compression="zstd")
        blocks.append(LineBlock(run_id=run_id, first_account=part["account_id"].min(),
                                last_account=part["account_id"].max(), lines=part.height, codes=codes,
                                data=data.getvalue()))
    return blocks


def explanations_of(lines: Iterable[tuple[int, int, int]]) -> dict[int, dict[str, str]]:
    """The explanation of each line given as (line id, run id, account id), by line id: the keys of
    :data:`SHOWN` that have a value, made from the line's block. A line without a block (written
    before blocks, or not a run's line) is absent from the result."""
    by_run: dict[int, dict[int, int]] = defaultdict(dict)
    for line_id, run_id, account_id in lines:
        by_run[run_id][line_id] = account_id
    found: dict[int, dict[str, str]] = {}
    for run_id, wanted in by_run.items():
        accounts = wanted.values()
        blocks = LineBlock.objects.filter(run_id=run_id, last_account__gte=min(accounts),
                                          first_account__lte=max(accounts)).values_list("codes", "data")
        for codes, data in blocks:
            frame = pl.read_ipc(io.BytesIO(bytes(data))).filter(pl.col("line_id").is_in(list(wanted)))
            if frame.is_empty():
                continue
            why = explain.explanation(frame.drop("line_id"), _codes(codes)).select(SHOWN)
            for line_id, row in zip(frame["line_id"], why.iter_rows(named=True), strict=True):
                found[line_id] = {key: value for key, value in row.items() if value is not None}
    return found


def explain_lines(lines: Iterable[ChargeLine]) -> None:
    """Give each line without a stored explanation its explanation from its block (in place)."""
    todo = [line for line in lines if line.explanation is None]
    if not todo:
        return
    found = explanations_of((line.pk, line.run_id, line.account_id) for line in todo)
    for line in todo:
        line.explanation = found.get(line.pk, {})
