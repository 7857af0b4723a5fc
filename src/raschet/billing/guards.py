"""The database itself refuses to change history, whatever path the SQL comes by (a service, the
admin, ``psql``, ``sqlite3``, a bulk COPY), on PostgreSQL and SQLite alike:

* ledger entries are never updated, deleted or truncated, and none goes into a closed period;
* the lines of a posted run are never inserted, updated (nor a line moved into one) or deleted, nor
  the blocks that explain them (``LineBlock``);
* a posted run stays posted and is not deleted (its lines are the period's charge entries: the view
  ``billing_ledger``); a run becomes posted only from «done», never inserted so, never a simulation
  nor a run of a closed period;
* a posted period never goes back, a closed one never changes, neither is deleted; a period row is
  born «open»;
* balance snapshots are append-only, and written only into a posted period (the one being closed);
* a payment's amount, date, account as written and operation identity (channel, agent, operation number, identity)
  never change, and no payment is deleted;
* none of these tables, nor the marks of pending recalculations, registries and the payments' audit
  trail, is truncated (on PostgreSQL also each partition, including partitions made later:
  ``billing.partitions`` copies the guards onto every partition it makes).

Who can still change history: on PostgreSQL a superuser (``session_replication_role = replica``
lifts the TRUNCATE guards — the test suite's teardown does exactly this — and ``ALTER TABLE ...
DISABLE TRIGGER`` or ``DROP TRIGGER`` lift any) and the owner of the tables (``DISABLE``/``DROP
TRIGGER``). The application should therefore connect as a role that owns nothing and is no superuser
(docs/history-guards.md). On SQLite every deletion of history asks ``raschet_history_unlocked()``,
a function that exists only where a program defines it: the application defines it returning 0
(``register_sqlite_functions``), so a plain ``sqlite3`` client fails closed ("no such function"), and
only the test suite's flush defines it returning 1. Whoever can write the file can rewrite it, of course.

``install`` creates whatever guard is missing (migrations call it; ``post_migrate`` calls it again,
because SQLite drops a table's triggers when a migration rebuilds the table).
"""

from __future__ import annotations

ENTRY = "Проводки не изменяются и не удаляются: исправление оформляется новой проводкой"
CLOSED_ENTRY = "Период закрыт: проводки в закрытый период не вносятся"
LINE = "Строки проведённого расчёта не изменяются"
RUN = "Проведённый расчёт не изменяется и не удаляется"
RUN_POSTED = ("Расчёт становится проведённым только при проведении периода, из выполненного; "
              "имитация и расчёт закрытого периода не проводятся")
PERIOD = "Проведённый период не возвращается назад, закрытый не изменяется; удалить их нельзя"
PERIOD_BORN = "Расчётный период создаётся открытым: провести и закрыть его можно только через Расчёт"
BALANCE = "Сальдо закрытых периодов не изменяются и не удаляются"
BALANCE_INTO = "Сальдо записывается только при закрытии проведённого периода"
PAYMENT = "Сумма, дата, лицевой счёт и номер операции платежа не изменяются, платёж не удаляется: оформите сторно"
TRUNCATE = "История не удаляется: TRUNCATE этой таблицы запрещён"

TRUNCATE_GUARDED = ("billing_entry", "billing_chargeline", "billing_lineblock", "billing_calcrun", "billing_billingperiod",
                    "billing_balance", "billing_recalcmark", "payments_payment", "payments_paymentregistry",
                    "payments_paymentevent")
PAYMENT_IDENTITY = ("amount", "paid_on", "account_text", "channel", "agent", "operation_id", "identity")
UNLOCKED = "raschet_history_unlocked()"

# ---------------------------------------------------------------- PostgreSQL

REFUSE = "USING ERRCODE = 'integrity_constraint_violation'"
PG_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION raschet_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION '%', TG_ARGV[0] {REFUSE}; END $$;
CREATE OR REPLACE FUNCTION raschet_refuse_lines_into_posted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM changed_lines c JOIN billing_calcrun r ON r.id = c.run_id WHERE r.status = 'posted') THEN
    RAISE EXCEPTION '{LINE}' {REFUSE};
  END IF;
  RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION raschet_guard_line_block() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM billing_calcrun r WHERE r.status = 'posted' AND r.id IN (
      CASE WHEN TG_OP = 'INSERT' THEN NEW.run_id ELSE OLD.run_id END,
      CASE WHEN TG_OP = 'DELETE' THEN OLD.run_id ELSE NEW.run_id END)) THEN
    RAISE EXCEPTION '{LINE}' {REFUSE};
  END IF;
  RETURN COALESCE(NEW, OLD);
END $$;
CREATE OR REPLACE FUNCTION raschet_guard_run() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.status = 'posted' THEN RAISE EXCEPTION '{RUN_POSTED}' {REFUSE}; END IF;
    RETURN NEW;
  END IF;
  IF OLD.status = 'posted' THEN RAISE EXCEPTION '{RUN} (расчёт № %)', OLD.id {REFUSE}; END IF;
  IF TG_OP = 'UPDATE' AND NEW.status = 'posted' AND (OLD.status <> 'done' OR NEW.simulate OR EXISTS (
      SELECT 1 FROM billing_billingperiod p WHERE p.period = NEW.period AND p.state = 'closed')) THEN
    RAISE EXCEPTION '{RUN_POSTED} (расчёт № %)', OLD.id {REFUSE};
  END IF;
  RETURN COALESCE(NEW, OLD);
END $$;
CREATE OR REPLACE FUNCTION raschet_refuse_reopen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.state <> 'open' THEN RAISE EXCEPTION '{PERIOD_BORN} (%)', NEW.period {REFUSE}; END IF;
    RETURN NEW;
  END IF;
  IF OLD.state = 'closed' OR (OLD.state = 'posted' AND (TG_OP = 'DELETE' OR NEW.state NOT IN ('posted', 'closed'))) THEN
    RAISE EXCEPTION '{PERIOD} (%)', OLD.period {REFUSE};
  END IF;
  RETURN COALESCE(NEW, OLD);
END $$;
CREATE OR REPLACE FUNCTION raschet_refuse_balances_into_unposted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE wrong text;
BEGIN
  SELECT n.period INTO wrong FROM new_balances n LEFT JOIN billing_billingperiod p
    ON p.period = n.period AND p.state = 'posted' WHERE p.id IS NULL LIMIT 1;
  IF wrong IS NOT NULL THEN RAISE EXCEPTION '{BALANCE_INTO} (%)', wrong {REFUSE}; END IF;
  RETURN NULL;
END $$;
"""
_IDENTITY_CHANGED = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in PAYMENT_IDENTITY)
PG_TRIGGERS = {  # (table, trigger): definition; all enabled ALWAYS except TRUNCATE's (see the docstring)
    ("billing_chargeline", "chargeline_posted_insert"):
        "AFTER INSERT ON billing_chargeline REFERENCING NEW TABLE AS changed_lines FOR EACH STATEMENT "
        "EXECUTE FUNCTION raschet_refuse_lines_into_posted()",
    ("billing_chargeline", "chargeline_posted_update_into"):
        "AFTER UPDATE ON billing_chargeline REFERENCING NEW TABLE AS changed_lines FOR EACH STATEMENT "
        "EXECUTE FUNCTION raschet_refuse_lines_into_posted()",
    ("billing_lineblock", "lineblock_posted"):  # a few rows a run: a row trigger costs nothing
        "BEFORE INSERT OR UPDATE OR DELETE ON billing_lineblock FOR EACH ROW EXECUTE FUNCTION raschet_guard_line_block()",
    ("billing_calcrun", "calcrun_guard"):
        "BEFORE INSERT OR UPDATE OR DELETE ON billing_calcrun FOR EACH ROW EXECUTE FUNCTION raschet_guard_run()",
    ("billing_billingperiod", "period_born_open"):
        "BEFORE INSERT ON billing_billingperiod FOR EACH ROW EXECUTE FUNCTION raschet_refuse_reopen()",
    ("billing_balance", "balance_no_update"):
        f"BEFORE UPDATE OR DELETE ON billing_balance FOR EACH ROW EXECUTE FUNCTION raschet_refuse('{BALANCE}')",
    ("billing_balance", "balance_into_posted"):
        "AFTER INSERT ON billing_balance REFERENCING NEW TABLE AS new_balances FOR EACH STATEMENT "
        "EXECUTE FUNCTION raschet_refuse_balances_into_unposted()",
    ("payments_payment", "payment_identity_fixed"):
        f"BEFORE UPDATE OF {', '.join(PAYMENT_IDENTITY)} ON payments_payment FOR EACH ROW "
        f"WHEN ({_IDENTITY_CHANGED}) EXECUTE FUNCTION raschet_refuse('{PAYMENT}')",
    ("payments_payment", "payment_no_delete"):
        f"BEFORE DELETE ON payments_payment FOR EACH ROW EXECUTE FUNCTION raschet_refuse('{PAYMENT}')",
    **{(table, f"{table}_no_truncate"):
       f"BEFORE TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION raschet_refuse('{TRUNCATE}')"
       for table in TRUNCATE_GUARDED},
}

# ---------------------------------------------------------------- SQLite


def _abort(message: str) -> str:
    return f"BEGIN SELECT RAISE(ABORT, '{message}'); END"


_POSTED_RUN = "EXISTS (SELECT 1 FROM billing_calcrun WHERE id = {row}.run_id AND status = 'posted')"
_SQLITE_IDENTITY = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in PAYMENT_IDENTITY)
SQLITE_TRIGGERS = {  # name: definition (those of migration 0003 named here are made anew; the rest stay)
    "entry_no_delete": f"BEFORE DELETE ON billing_entry WHEN NOT {UNLOCKED} {_abort(ENTRY)}",
    "chargeline_no_insert":
        f"BEFORE INSERT ON billing_chargeline WHEN {_POSTED_RUN.format(row='NEW')} {_abort(LINE)}",
    "chargeline_no_update":
        f"BEFORE UPDATE ON billing_chargeline WHEN {_POSTED_RUN.format(row='OLD')} OR "
        f"{_POSTED_RUN.format(row='NEW')} {_abort(LINE)}",
    "chargeline_no_delete":
        f"BEFORE DELETE ON billing_chargeline WHEN NOT {UNLOCKED} AND {_POSTED_RUN.format(row='OLD')} {_abort(LINE)}",
    "lineblock_no_insert":
        f"BEFORE INSERT ON billing_lineblock WHEN {_POSTED_RUN.format(row='NEW')} {_abort(LINE)}",
    "lineblock_no_update":
        f"BEFORE UPDATE ON billing_lineblock WHEN {_POSTED_RUN.format(row='OLD')} OR "
        f"{_POSTED_RUN.format(row='NEW')} {_abort(LINE)}",
    "lineblock_no_delete":
        f"BEFORE DELETE ON billing_lineblock WHEN NOT {UNLOCKED} AND {_POSTED_RUN.format(row='OLD')} {_abort(LINE)}",
    "calcrun_not_born_posted": f"BEFORE INSERT ON billing_calcrun WHEN NEW.status = 'posted' {_abort(RUN_POSTED)}",
    "calcrun_posted_final":
        f"BEFORE UPDATE ON billing_calcrun WHEN OLD.status = 'posted' {_abort(RUN)}",
    "calcrun_posted_from_done":
        f"BEFORE UPDATE ON billing_calcrun WHEN NEW.status = 'posted' AND (OLD.status <> 'done' OR NEW.simulate OR "
        f"EXISTS (SELECT 1 FROM billing_billingperiod WHERE period = NEW.period AND state = 'closed')) {_abort(RUN_POSTED)}",
    "calcrun_no_delete":
        f"BEFORE DELETE ON billing_calcrun WHEN NOT {UNLOCKED} AND OLD.status = 'posted' {_abort(RUN)}",
    "period_born_open": f"BEFORE INSERT ON billing_billingperiod WHEN NEW.state <> 'open' {_abort(PERIOD_BORN)}",
    "period_no_reopen":
        f"BEFORE UPDATE ON billing_billingperiod WHEN OLD.state = 'closed' OR "
        f"(OLD.state = 'posted' AND NEW.state NOT IN ('posted', 'closed')) {_abort(PERIOD)}",
    "period_no_delete":
        f"BEFORE DELETE ON billing_billingperiod WHEN NOT {UNLOCKED} AND OLD.state IN ('posted', 'closed') "
        f"{_abort(PERIOD)}",
    "balance_no_update": f"BEFORE UPDATE ON billing_balance {_abort(BALANCE)}",
    "balance_no_delete": f"BEFORE DELETE ON billing_balance WHEN NOT {UNLOCKED} {_abort(BALANCE)}",
    "balance_into_posted":
        f"BEFORE INSERT ON billing_balance WHEN NOT EXISTS (SELECT 1 FROM billing_billingperiod WHERE "
        f"period = NEW.period AND state = 'posted') {_abort(BALANCE_INTO)}",
    "payment_identity_fixed":
        f"BEFORE UPDATE OF {', '.join(PAYMENT_IDENTITY)} ON payments_payment WHEN {_SQLITE_IDENTITY} "
        f"{_abort(PAYMENT)}",
    "payment_no_delete": f"BEFORE DELETE ON payments_payment WHEN NOT {UNLOCKED} {_abort(PAYMENT)}",
}


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    """``connection_created``: the application's SQLite connections answer "locked" to the guards."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("raschet_history_unlocked", 0, _locked)


def _locked() -> int:
    return 0


def install(connection, *, replace: bool = False) -> int:
    """Create every guard that is missing (all of them anew with ``replace``); returns how many."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            return _install_postgresql(cursor, replace)
        if connection.vendor == "sqlite":
            return _install_sqlite(cursor, replace)
    return 0


def _install_sqlite(cursor, replace: bool) -> int:
    """Each trigger made anew where it is missing or defined otherwise (an earlier migration's)."""
    cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
    existing = dict(cursor.fetchall())
    cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    tables = {name for (name,) in cursor.fetchall()}
    made = 0
    for name, definition in SQLITE_TRIGGERS.items():
        if definition.split(" ON ", 1)[1].split()[0] not in tables:  # made by a later migration
            continue
        wanted = f"CREATE TRIGGER {name} {definition}"
        if name in existing and (replace or existing[name] != wanted):
            cursor.execute(f"DROP TRIGGER {name}")
            existing.pop(name)
        if name not in existing:
            cursor.execute(wanted)
            made += 1
    cursor.execute("DROP TABLE IF EXISTS billing_ledger_unlock")
    return made


def _install_postgresql(cursor, replace: bool) -> int:
    cursor.execute("SELECT tgrelid::regclass::text || '.' || tgname FROM pg_trigger WHERE NOT tgisinternal")
    existing = {name for (name,) in cursor.fetchall()}
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    tables = {name for (name,) in cursor.fetchall()}  # a table of a later migration is guarded by that one
    missing = [(table, name) for table, name in PG_TRIGGERS
               if table in tables and (replace or f"{table}.{name}" not in existing)]
    if missing:
        cursor.execute(PG_FUNCTIONS)
    for table, name in missing:
        cursor.execute(f'DROP TRIGGER IF EXISTS "{name}" ON {table}')
        cursor.execute(f'CREATE TRIGGER "{name}" {PG_TRIGGERS[(table, name)]}')
        if not name.endswith("_no_truncate"):  # the TRUNCATE guards stay ENABLE (origin): see the docstring
            cursor.execute(f'ALTER TABLE {table} ENABLE ALWAYS TRIGGER "{name}"')
    cursor.execute("DROP TABLE IF EXISTS billing_ledger_unlock")
    from raschet.billing.partitions import guard_all_partitions

    return len(missing) + guard_all_partitions(cursor)
