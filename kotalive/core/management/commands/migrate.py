"""Django's `migrate`, allowed to create the SQLite database file (connecting alone never does: core.sqlite)."""

from typing import Any

from django.core.management.commands import migrate

from kotalive.core.sqlite.base import creation_allowed


class Command(migrate.Command):
    def execute(self, *args: Any, **options: Any) -> str | None:
        with creation_allowed():  # the system checks before `handle` connect too
            return super().execute(*args, **options)
