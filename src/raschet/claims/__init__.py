"""Debtor work: statutory penalties (rates and rules as dated data, accrual, the penalty statement) and
debt cases with their stages, documents and instalment agreements (domain.md §6, §13).

The ledger is read and written only through :mod:`raschet.claims.sources`; the arithmetic of
penalties lives in the engine (:mod:`raschet.engine.penalties`).
"""
