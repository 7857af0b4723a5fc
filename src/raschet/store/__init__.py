"""The storage layer (issue 12): SQL over the big tables, under the apps and above the engine.

:mod:`.exact` — exact sums in SQL on both databases; :mod:`.sql` — a query over a set of ids;
:mod:`.ledger` — the one reader of the ledger (``billing_entry`` and the closed periods' snapshots
``billing_balance``) that the payments, the card, the documents and the API read through. No Django model is imported here: plain SQL on
``django.db.connection``, amounts as integer kopecks turned into ``Decimal``.
"""
