"""Exact sums in SQL: moved to :mod:`raschet.store.exact` (the storage layer); kept for the callers
that import it from here."""

from raschet.store.exact import units

__all__ = ["units"]
