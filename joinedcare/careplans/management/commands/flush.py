"""Django's `flush`, able to empty the care plan versions on SQLite.

On SQLite Django flushes by DELETE, which the trigger keeping care plan versions refuses
(migration 0002); tests that commit (the browser tests' live server) flush after each
test. So on SQLite the delete trigger is dropped for the flush and created again in the
same transaction: no other connection ever sees the table without it. PostgreSQL flushes
by TRUNCATE, which fires no row trigger, and needs nothing.
"""

from importlib import import_module

from django.core.management.commands.flush import Command as DjangoFlush
from django.db import connections, transaction

_triggers = import_module("joinedcare.careplans.migrations.0002_version_triggers")


class Command(DjangoFlush):
    def handle(self, **options) -> None:
        """Flush as Django does, lifting the SQLite delete trigger meanwhile."""
        database = options["database"]
        connection = connections[database]
        if connection.vendor != "sqlite":
            return super().handle(**options)
        with transaction.atomic(using=database), connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = %s",
                [_triggers.SQLITE_NO_DELETE_NAME],
            )
            guarded = cursor.fetchone() is not None
            cursor.execute(_triggers.SQLITE_NO_DELETE_REVERSE)
            super().handle(**options)
            if guarded:
                cursor.execute(_triggers.SQLITE_NO_DELETE)
