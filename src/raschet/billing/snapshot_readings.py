"""The readings a month needs, read for the inputs of a scope (``billing.snapshot``): the last usable
reading before the period and the period's own, the window an average looks back over, and the whole
history only of the registers that need it — not the region's every reading."""

from __future__ import annotations

from datetime import date
from functools import partial

import polars as pl
from django.db import connection

from raschet.billing.snapshot_sql import Scope, _frame, _in, _join
from raschet.domain.periods import Period
from raschet.engine.plans import collect
from raschet.store.frames import read_frame


def _readings(scope: Scope, meters: pl.DataFrame) -> pl.DataFrame:
    """The readings of the buildings' meters that the month needs (:func:`_needed`). On PostgreSQL
    the meters' ids go to the readings' index as one array (as a join the planner hashes the meters
    and scans every reading of the region) and the cut is made here, after reading: a preview's
    building reads every reading before the period's end (:func:`_needed_only`), a unit the recent
    ones and only the history its registers need (:func:`_needed_by_index`). SQLite, and the whole
    region at once, cut in SQL."""
    building_ids, lookup = scope.building_ids, scope.lookup
    where_m, p_m = _in("m.building_id", building_ids)
    frame = partial(_frame, small=scope.small)
    columns = f"r.meter_id, {scope.text('r.date')}, r.zone, {scope.text('r.value')}"
    if lookup and scope.period is not None and not scope.small:
        return _needed_by_index(scope, meters, columns)
    if lookup and scope.period is not None:
        where_r, p_r = _in("r.meter_id", meters["meter_id"].to_list())
        everything = frame("readings", f"SELECT {columns} FROM metering_reading r WHERE r.date < %s{where_r}",
                           [scope.period.end.isoformat(), *p_r])
        return _needed_only(everything, meters, scope.period)
    if lookup:  # no period: every reading of the buildings' meters
        return frame("readings", f"""SELECT {columns} FROM metering_reading r
                     WHERE r.meter_id = ANY(ARRAY(SELECT m.id FROM metering_meter m WHERE 1 = 1{where_m}))""", p_m)
    needed, p_n, cut, p_c = _needed(scope)
    return frame("readings", f"""{needed}SELECT {columns}
        FROM {_join('metering_reading r', 'meter_id', 'metering_meter m', False)}{cut[0]}
        WHERE 1 = 1{where_m}{cut[1]}""", [*p_n, *p_m, *p_c])


AVERAGE_MONTHS = 6  # the average looks back at most 6 months before the last reading (ПП 354 п. 59)


def _needed(scope: Scope) -> tuple[str, list, tuple[str, str], list]:
    """A ``WITH`` clause of the earliest reading date each individual register needs for the period
    (the month of its last usable reading before the period, less the months an average looks
    back), the join and condition that keep only those readings, and their parameters. Older
    readings change nothing: the last reading before the period is the base, the average is taken
    over the 6th to 3rd months before it, and a late reading's gap starts at it. Building meters
    keep their whole history (the annual heating correction reads the year before); nothing dated
    after the period is read. No period: every reading."""
    period = scope.period
    if period is None:
        return "", [], ("", ""), []
    if connection.vendor == "postgresql":
        month = f"CAST(date_trunc('month', MAX(p.date)) - interval '{AVERAGE_MONTHS} months' AS date)"
    else:
        month = f"date(MAX(p.date), 'start of month', '-{AVERAGE_MONTHS} months')"
    where, params = _in("pm.building_id", scope.building_ids)
    start = period.start.isoformat()
    with_clause = f"""WITH needed AS (SELECT p.meter_id, p.zone, {month} AS since
        FROM metering_reading p JOIN metering_meter pm ON pm.id = p.meter_id
        WHERE 1 = 1{where} AND p.date < %s AND pm.scope = 'premises'
          AND (pm.installed IS NULL OR p.date >= pm.installed) AND (pm.removed IS NULL OR p.date <= pm.removed)
          AND (pm.verification_due IS NULL OR p.date < pm.verification_due)
        GROUP BY p.meter_id, p.zone) """
    cut = (" LEFT JOIN needed n ON n.meter_id = r.meter_id AND n.zone = r.zone",
           " AND r.date < %s AND (n.since IS NULL OR r.date >= n.since OR r.date >= %s)")
    return with_clause, [*params, start], cut, [period.end.isoformat(), start]


RECENT_MONTHS = AVERAGE_MONTHS + 1  # a register read in the month before the period needs no older reading
# Each register's earliest reading date, never later than it: kept by the readings' own triggers on
# PostgreSQL (metering migration 0002), where a unit's read by index asks it.
FIRST_READINGS = "metering_register_first"


def _needed_by_index(scope: Scope, meters: pl.DataFrame, columns: str) -> pl.DataFrame:
    """:func:`_needed_only`'s readings of a unit, without reading the history that most registers do
    not need. First every reading from :data:`RECENT_MONTHS` before the period (the bound) to its
    end, and which registers have readings before the bound (one row each, not the readings); then
    the whole history of only the meters with such a register whose window is not inside what was
    read — its last usable reading before the period is older than the month before it, or it has
    none since the bound, or it is a building meter (whose history is kept whole). Every other
    register's window starts at or after the bound, so the cut is the one of all the readings
    (``tests/store/test_needed_readings.py``). At 1.5 M accounts a unit read 810,000 readings and
    kept 510,000; printing each row is what the server's COPY spends its time on. Which registers
    have older readings is asked of :data:`FIRST_READINGS`, one row per register, not of the
    readings' index, which walked every old reading of the unit's meters to answer."""
    period = scope.period
    bound = (period - RECENT_MONTHS).start.isoformat()
    where, params = _in("r.meter_id", meters["meter_id"].to_list())
    readings = _frame("readings", f"SELECT {columns} FROM metering_reading r WHERE r.date >= %s AND r.date < %s{where}",
                      [bound, period.end.isoformat(), *params])
    older = read_frame(_older_registers(where), [bound, *params], {"meter_id": pl.Int64, "zone": pl.Utf8})
    if older.is_empty():
        return _needed_only(readings, meters, period)
    inside = _since(readings, meters, period.start).filter(pl.col("since") >= pl.lit(bound).str.to_date())
    wanted = collect(older.lazy().join(inside, on=["meter_id", "zone"], how="anti").select("meter_id").unique())
    if wanted.is_empty():
        return _needed_only(readings, meters, period)
    where, params = _in("r.meter_id", wanted["meter_id"].sort().to_list())
    history = _frame("readings", f"SELECT {columns} FROM metering_reading r WHERE r.date < %s{where}",
                     [bound, *params])
    return _needed_only(pl.concat([history, readings]).sort("meter_id", "date", "zone", maintain_order=True),
                        meters, period)


def _older_registers(where: str) -> str:
    """The registers with a reading before the bound (the first parameter): one row each from
    :data:`FIRST_READINGS` on PostgreSQL, from the readings themselves elsewhere."""
    if connection.vendor == "postgresql":
        return f"SELECT r.meter_id, r.zone FROM {FIRST_READINGS} r WHERE r.first_date < %s{where}"
    return f"SELECT DISTINCT r.meter_id, r.zone FROM metering_reading r WHERE r.date < %s{where}"


def _since(readings: pl.DataFrame, meters: pl.DataFrame, start: date) -> pl.LazyFrame:
    """Per register of a premises meter, the first day its readings matter (:func:`_needed`): the
    month of its last usable reading before ``start``, less the months an average looks back."""
    day = pl.col("date")
    usable = readings.lazy().join(
        meters.lazy().filter(pl.col("scope") == "premises").select("meter_id", "installed", "removed",
                                                                   "verification_due"), on="meter_id"
    ).filter((day < start) & (pl.col("installed").is_null() | (day >= pl.col("installed")))
             & (pl.col("removed").is_null() | (day <= pl.col("removed")))
             & (pl.col("verification_due").is_null() | (day < pl.col("verification_due"))))
    return usable.group_by("meter_id", "zone").agg(
        day.max().dt.truncate("1mo").dt.offset_by(f"-{AVERAGE_MONTHS}mo").alias("since"))


def _needed_only(readings: pl.DataFrame, meters: pl.DataFrame, period: Period) -> pl.DataFrame:
    """:func:`_needed`'s cut made on the frame of every reading before the period's end: for one
    building the readings' index is read once (5 ms) instead of twice and joined to the meters per
    reading (11 ms), and the few thousand rows are cut here in one plan."""
    start = period.start
    day = pl.col("date")
    since = _since(readings, meters, start)
    kept = readings.lazy().join(since, on=["meter_id", "zone"], how="left", maintain_order="left").filter(
        pl.col("since").is_null() | (day >= pl.col("since")) | (day >= start))
    return collect(kept.drop("since"))
