"""Payment documents (ЕПД): content from the ledger, checks, QR codes, rendering, versions, batches, e-mail."""
