"""The database itself keeps what was agreed, whatever code runs against it.

Care plan versions are never deleted, and a superseded version is never changed (not its
content, nor its superseded time). Superseding, the one change allowed, updates a current
version, so the UPDATE triggers look only at rows already superseded. Both refusals hold on
SQLite and PostgreSQL. PostgreSQL's TRUNCATE fires no row trigger (it stays with the
database owner); SQLite's test flush deletes rows, so the `flush` command of this app lifts
the SQLite delete trigger for the flush alone.
"""

from django.db import migrations

SUPERSEDED = "care plan versions are kept as agreed: a superseded version cannot be changed"
NEVER_DELETED = "care plan versions are kept as agreed: a version cannot be deleted"

SQLITE_NO_DELETE_NAME = "careplan_version_no_delete"
SQLITE_NO_DELETE = (
    f"CREATE TRIGGER {SQLITE_NO_DELETE_NAME} BEFORE DELETE ON careplans_careplanversion "
    f"BEGIN SELECT RAISE(ABORT, '{NEVER_DELETED}'); END;"
)
SQLITE_NO_DELETE_REVERSE = f"DROP TRIGGER IF EXISTS {SQLITE_NO_DELETE_NAME};"
SQLITE = [
    "CREATE TRIGGER careplan_version_superseded_no_update "
    "BEFORE UPDATE ON careplans_careplanversion WHEN OLD.superseded_at IS NOT NULL "
    f"BEGIN SELECT RAISE(ABORT, '{SUPERSEDED}'); END;",
    SQLITE_NO_DELETE,
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS careplan_version_superseded_no_update;",
    SQLITE_NO_DELETE_REVERSE,
]

POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION careplan_version_kept() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN RAISE EXCEPTION '{NEVER_DELETED}'; END IF;
        RAISE EXCEPTION '{SUPERSEDED}';
    END; $$ LANGUAGE plpgsql;""",
    "CREATE TRIGGER careplan_version_superseded_no_update "
    "BEFORE UPDATE ON careplans_careplanversion FOR EACH ROW "
    "WHEN (OLD.superseded_at IS NOT NULL) EXECUTE FUNCTION careplan_version_kept();",
    "CREATE TRIGGER careplan_version_no_delete "
    "BEFORE DELETE ON careplans_careplanversion FOR EACH ROW "
    "EXECUTE FUNCTION careplan_version_kept();",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS careplan_version_superseded_no_update ON careplans_careplanversion;",
    "DROP TRIGGER IF EXISTS careplan_version_no_delete ON careplans_careplanversion;",
    "DROP FUNCTION IF EXISTS careplan_version_kept();",
]


def _run(schema_editor, by_vendor: dict[str, list[str]]) -> None:
    for sql in by_vendor.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def forwards(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE, "postgresql": POSTGRES})


def backwards(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE})


class Migration(migrations.Migration):
    dependencies = [("careplans", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
