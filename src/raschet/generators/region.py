"""A realistic generated region for the demo, the benchmarks and ``raschet generate``, written in chunks.

Seeded, so the same ``seed`` (and number of accounts) gives the same region in an empty database:
buildings of 20–300 premises (a few shared by two accounts), eight suppliers and ten services per
account with dated tariffs and norms, registered residents, individual and building meters with a
year of monthly readings, and about 1 % of accounts changing mid-month. What each part holds is
said where it is made: the plan and the dice in ``plan``, the reference data in ``reference``, the
households in ``households``, the meters and readings in ``meters``; this module writes them.

The region is generated and written in chunks of whole buildings (``plan.CHUNK_ACCOUNTS`` accounts
each), so memory stays bounded whatever the number of accounts. A chunk is built column-wise with
Polars: randomness is a seeded hash of (chunk, purpose, row) as in ``raschet.generators.snapshot``,
so nothing is drawn tuple by tuple (Polars does not promise the same hash across its versions:
the same seed gives the same region with the same Polars). A thread builds the next chunk while
the database takes the current one (COPY on PostgreSQL, ``write_frame``'s multi-row INSERTs on
SQLite), all in one transaction: the region is written whole or not at all. On PostgreSQL the
indexes of empty tables are built once at the end and the foreign keys checked once over all new
rows (see ``_Writer``).

Generating into a database that already holds data appends: ids come from the tables' sequences
(``raschet.ids.IdPools``; no table is locked), and account numbers and meter and building codes
are derived from the new ids, so they stay unique (the unique indexes would refuse the whole region
otherwise). The reference data is written once and reused by later regions.
"""

from __future__ import annotations

import io
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import polars as pl
from django.db import connection, connections, transaction
from faker import Faker

from raschet.bulk import (
    has_insert_triggers,
    indexes_built_afterwards,
    restore_row_triggers,
    skip_row_triggers,
)
from raschet.generators.households import Chunk, name_pools
from raschet.generators.plan import RegionRefused, RegionSpec, chunk_plans, plan_buildings
from raschet.generators.reference import Reference, reference_data
from raschet.housing.models import Account, Building, Person, Premises, PremisesArea, Registration
from raschet.ids import IdPools
from raschet.metering.models import Meter, Reading
from raschet.store.frames import verify_foreign_keys, write_frame
from raschet.tariffs.models import AccountService

__all__ = ["GENERATED", "RegionRefused", "RegionSpec", "Written", "generate_region", "load_region"]

GENERATED = (Building, Premises, PremisesArea, Account, Person, Registration, AccountService, Meter, Reading)


@dataclass
class Written:
    """What a generation wrote and how long it took."""

    accounts: int
    rows: dict[str, int]
    generate_s: float
    seconds: float
    steps: dict[str, float]  # writing (with generation alongside), indexes, checks and statistics

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def _ahead(items: Iterator, depth: int = 1) -> Iterator:
    """``items`` produced by a thread, up to ``depth`` ready before the consumer asks: the next chunk is
    built while the database takes the current one (Polars releases the interpreter lock)."""
    box: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def offer(item) -> bool:
        while not stop.is_set():
            try:
                box.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not offer(item):
                    return
            offer(done)
        except BaseException as error:  # handed to the consumer, which raises it
            offer(error)

    thread = threading.Thread(target=produce, name="region-chunks", daemon=True)
    thread.start()
    try:
        while (item := box.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()


def generate_region(spec: RegionSpec, *, progress: Callable[[int, int], None] | None = None,
                    stage: Callable[[str], None] | None = None) -> Written:
    """Generate ``spec``'s region and write it in one transaction (appending to what the database
    holds); ``progress(accounts, rows)`` after each chunk, ``stage(text)`` when the last steps begin.
    Into empty tables the indexes are built once at the end (``indexes_built_afterwards``);
    PostgreSQL's statistics are refreshed, as autovacuum would, so the key checks and the first
    month's run are planned on real figures."""
    started = time.perf_counter()
    fake = Faker("ru_RU")
    fake.seed_instance(spec.seed)
    pools = name_pools(fake)
    rows: dict[str, int] = {model._meta.label: 0 for model in GENERATED}
    generating = [0.0]

    def chunks(reference: Reference, ids: IdPools) -> Iterator[tuple[int, dict[type, pl.DataFrame]]]:
        try:
            for number, first_building, plans in chunk_plans(plan_buildings(spec)):
                began = time.perf_counter()
                frames = Chunk(spec, reference, pools, number, first_building, plans, ids).frames()
                generating[0] += time.perf_counter() - began
                yield sum(p + s for p, s in plans), frames
        finally:  # PostgreSQL: ids were reserved on this thread's own connection
            if threading.current_thread() is not threading.main_thread():
                connections.close_all()

    accounts, stage = 0, stage or (lambda _text: None)
    with transaction.atomic():
        reference = reference_data(fake)
        ids = IdPools().prime(GENERATED)
        writer = _Writer(ids)
        with indexes_built_afterwards(GENERATED):
            for count, frames in _ahead(chunks(reference, ids)):
                for model, frame in frames.items():
                    rows[model._meta.label] += writer.write(model, frame)
                accounts += count
                if progress:
                    progress(accounts, sum(rows.values()))
            stage("Построение индексов")
            loaded = time.perf_counter()
        stage("Проверка ссылок")
        indexed = time.perf_counter()
        writer.finish()
    finished = time.perf_counter()
    steps = {"writing": loaded - started, "indexes": indexed - loaded, "checks": finished - indexed}
    return Written(accounts, rows, generating[0], finished - started, steps)


class _Writer:
    """Writes the chunks' frames. On PostgreSQL each goes straight into COPY, with the per-row key
    triggers off for the whole load where the role may (``raschet.bulk.skip_row_triggers``) and every
    foreign key then checked once over all the new rows, after ANALYZE; checking after each chunk
    (as ``write_frame`` does) costs a scan of the whole parent table per chunk. Elsewhere the frames
    go through ``write_frame`` (SQLite checks the keys at commit)."""

    def __init__(self, ids: IdPools) -> None:
        self.ids, self.columns = ids, {}
        self.direct = connection.vendor == "postgresql"
        self.unchecked = (self.direct and not any(has_insert_triggers(connection, m) for m in GENERATED)
                          and skip_row_triggers(connection))

    def write(self, model: type, frame: pl.DataFrame) -> int:
        if not self.direct:
            return write_frame(model, frame)
        self.columns[model] = frame.columns
        quote = connection.ops.quote_name
        names = ", ".join(quote(model._meta.get_field(name).column) for name in frame.columns)
        with connection.wrap_database_errors, connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN (FORMAT csv)") as copy:
                for part in frame.iter_slices(200_000):
                    buffer = io.BytesIO()
                    part.write_csv(buffer, include_header=False, null_value="", quote_style="necessary")
                    copy.write(buffer.getvalue())
        return frame.height

    def finish(self) -> None:
        """Planner statistics and (where skipped) the key checks (the ids came from the sequences)."""
        if not self.direct:
            return
        if self.unchecked:
            restore_row_triggers(connection)
        with connection.cursor() as cursor:
            for model in self.columns:
                table = connection.ops.quote_name(model._meta.db_table)
                cursor.execute(f"ANALYZE {table}")  # counts this transaction's rows: sane plans below and later
        if self.unchecked:
            for model, columns in self.columns.items():
                verify_foreign_keys(model, columns, self.ids.first[model])


def load_region(spec: RegionSpec, *, show_progress: bool = True) -> dict[str, float | int]:
    """Generate a region and write it with a progress bar; returns counts and seconds (generation runs
    alongside writing, so ``write_s`` is the whole time)."""
    from tqdm import tqdm

    with tqdm(total=spec.accounts, desc="Генерация региона", unit=" ЛС", disable=not show_progress) as bar:
        def progress(accounts: int, rows: int) -> None:
            bar.update(accounts - bar.n)
            bar.set_postfix_str(f"записей {rows:,}".replace(",", " "))

        written = generate_region(spec, progress=progress, stage=bar.set_description)
    return {"generate_s": written.generate_s, "write_s": written.seconds, "rows": written.total_rows,
            "accounts": written.accounts}
