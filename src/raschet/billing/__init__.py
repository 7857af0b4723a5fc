"""Periods, calculation runs, the ledger, recalculation and balances."""
