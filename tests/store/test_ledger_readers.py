"""The ledger (the view ``billing_ledger`` over the stored entries ``billing_entry`` and the lines of
posted runs) is read through ``store.ledger`` only: no module outside the list below names either,
so its storage can change in the store alone (issue 12, docs/architecture.md).

A file that needs the ledger asks the store for a function (or for the SQL of a subquery, when the
rows are too many for Python); it is not added here. A file here that no longer names the table is
taken off the list, so the list only shrinks."""

from pathlib import Path

import raschet

SOURCE = Path(raschet.__file__).resolve().parent
TABLES = ("billing_entry", "billing_ledger")

ALLOWED = {
    # the one reader of the ledger, and the one writer of posted charges
    "store/": "the store: the one reader of the ledger, and posting",
    # the schema's history: the table, its guards and partitions as they were made
    "billing/migrations/": "the migrations that made the table, its guards and its partitions",
    # the schema kept up to date (DDL, no read of the entries)
    "billing/guards.py": "the append-only triggers on the table (DDL)",
    "billing/partitions.py": "the table's yearly partitions on PostgreSQL (DDL, ANALYZE)",
    # the read-only model over the view, for the admin and the tests
    "billing/models.py": "LedgerEntry's db_table",
}


def _allowed(relative: str) -> bool:
    return any(relative == entry or (entry.endswith("/") and relative.startswith(entry)) for entry in ALLOWED)


def _naming_the_table() -> set[str]:
    return {path.relative_to(SOURCE).as_posix() for path in SOURCE.rglob("*.py")
            if any(table in path.read_text(encoding="utf-8") for table in TABLES)}


def test_only_the_store_and_the_write_paths_name_the_ledger_table():
    outside = sorted(relative for relative in _naming_the_table() if not _allowed(relative))
    assert outside == [], f"{TABLES} named outside store/ (read it through raschet.store.ledger): {outside}"


def test_every_file_of_the_allow_list_still_names_the_table():
    naming = _naming_the_table()
    stale = sorted(entry for entry in ALLOWED if not any(
        relative == entry or (entry.endswith("/") and relative.startswith(entry)) for relative in naming))
    assert stale == [], f"no longer naming {TABLES}, take them off the list: {stale}"


def test_the_scan_sees_the_store():
    assert "store/ledger.py" in _naming_the_table()  # the scan reads the package it should
