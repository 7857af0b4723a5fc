"""Each register's earliest reading date, kept by the readings table itself (PostgreSQL).

A unit's read asks which of its registers have readings before the recent window
(``billing.snapshot_readings._needed_by_index``): asked of the readings' index, that walked every old
reading of the unit's meters (0.3–0.6 s a unit); asked of ``metering_register_first`` it is one row per
register. The table is written only by the triggers below, which fire on every INSERT and UPDATE of
readings — COPY and a superuser's ``session_replication_role = replica`` included (``ENABLE ALWAYS``) —
and lower a register's date, never raise it: a deleted reading leaves the date as it was, so the date is
never later than the register's earliest reading (the read then fetches a history that may be empty,
never misses one). The upsert takes the registers in order, so two writers cannot deadlock on them.
SQLite: nothing (its read cuts the readings in SQL and never asks).

The SQL is written out here, not imported: a migration does what it did when it was written.
"""

from django.db import migrations

FORWARDS = """
LOCK TABLE metering_reading IN SHARE MODE;
CREATE TABLE metering_register_first (
    meter_id bigint NOT NULL,
    zone varchar(10) NOT NULL,
    first_date date NOT NULL,
    PRIMARY KEY (meter_id, zone)
);
CREATE FUNCTION raschet_note_first_readings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO metering_register_first AS kept (meter_id, zone, first_date)
    SELECT meter_id, zone, MIN(date) FROM new_readings GROUP BY meter_id, zone ORDER BY meter_id, zone
    ON CONFLICT (meter_id, zone) DO UPDATE SET first_date = excluded.first_date
        WHERE excluded.first_date < kept.first_date;
    RETURN NULL;
END $$;
CREATE FUNCTION raschet_forget_first_readings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM metering_register_first;
    RETURN NULL;
END $$;
CREATE TRIGGER reading_first_inserted AFTER INSERT ON metering_reading
    REFERENCING NEW TABLE AS new_readings FOR EACH STATEMENT EXECUTE FUNCTION raschet_note_first_readings();
CREATE TRIGGER reading_first_updated AFTER UPDATE ON metering_reading
    REFERENCING NEW TABLE AS new_readings FOR EACH STATEMENT EXECUTE FUNCTION raschet_note_first_readings();
CREATE TRIGGER reading_first_truncated AFTER TRUNCATE ON metering_reading
    FOR EACH STATEMENT EXECUTE FUNCTION raschet_forget_first_readings();
ALTER TABLE metering_reading ENABLE ALWAYS TRIGGER reading_first_inserted;
ALTER TABLE metering_reading ENABLE ALWAYS TRIGGER reading_first_updated;
ALTER TABLE metering_reading ENABLE ALWAYS TRIGGER reading_first_truncated;
INSERT INTO metering_register_first (meter_id, zone, first_date)
    SELECT meter_id, zone, MIN(date) FROM metering_reading GROUP BY meter_id, zone;
ANALYZE metering_register_first;
"""

BACKWARDS = """
DROP TRIGGER reading_first_inserted ON metering_reading;
DROP TRIGGER reading_first_updated ON metering_reading;
DROP TRIGGER reading_first_truncated ON metering_reading;
DROP FUNCTION raschet_note_first_readings();
DROP FUNCTION raschet_forget_first_readings();
DROP TABLE metering_register_first;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:  # no parameters: the SQL's $ and % are its own
            cursor.execute(FORWARDS)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(BACKWARDS)


class Migration(migrations.Migration):

    dependencies = [
        ('metering', '0001_initial'),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
