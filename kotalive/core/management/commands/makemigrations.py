"""Django's `makemigrations`, allowed to create the SQLite database file: its model checks connect, and on a fresh
clone (CI's missing-migrations check) there is no database yet. Connecting alone never creates one (core.sqlite)."""

from typing import Any

from django.core.management.commands import makemigrations

from kotalive.core.sqlite.base import creation_allowed


class Command(makemigrations.Command):
    def execute(self, *args: Any, **options: Any) -> str | None:
        with creation_allowed():
            return super().execute(*args, **options)
