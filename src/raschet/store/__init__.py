"""The storage layer (issue 12): SQL over the big tables, under the apps and above the engine.

:mod:`.exact` — exact sums in SQL on both databases; :mod:`.sql` — a query over a set of ids;
:mod:`.frames` — Polars frames read from and written to the database in bulk (COPY on PostgreSQL);
:mod:`.ledger` — the one reader of the ledger (``billing_entry`` and the closed periods' snapshots
``billing_balance``) that the payments, the card, the documents and the API read through, and
:mod:`.claims_ledger` — its frames for the penalty engine and the debtor work. No app's model is
imported here: plain SQL on ``django.db.connection`` (``frames.write_frame`` takes the model it is
given), amounts as integer kopecks turned into ``Decimal`` or kept as ``Int64``.
"""
