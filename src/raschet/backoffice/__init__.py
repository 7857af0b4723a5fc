"""The back office in the browser: bank registries, suspense, the period's calculation, posting and
closing with live progress, reports with charts and Excel export, and the audit trail."""
