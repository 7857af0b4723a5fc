"""Generators of test, benchmark and demo data, each module by what it generates.

``region`` writes a realistic region into the database (with ``plan``, ``reference``,
``households`` and ``meters``), ``history`` gives it a year of calculated, closed and paid months,
``registries`` makes bank payment registries, and ``snapshot`` builds an in-memory snapshot of a
region for the engine alone. They sit above the apps and are imported only by the commands (web,
cli), the scenarios, the tests and the benchmarks; no app imports them (an import-linter contract).
"""
