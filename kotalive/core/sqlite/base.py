"""Django's SQLite backend, except that it never creates a missing database file by merely connecting.

SQLite creates an empty file when asked to open one that is not there: a mistyped DATABASE_URL or a deleted file
would then look healthy while every request fails on a missing table. Only `kotalive migrate` and the test
database's creation may create the file (`creation_allowed`)."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.db import OperationalError
from django.db.backends.sqlite3 import base, creation

_creating = False


@contextmanager
def creation_allowed() -> Iterator[None]:
    """Within this block, connecting may create a missing database file (migrate, test database setup)."""
    global _creating  # noqa: PLW0603 (one switch for the process: the commands that create the schema)
    before, _creating = _creating, True
    try:
        yield
    finally:
        _creating = before


class DatabaseCreation(creation.DatabaseCreation):
    def _create_test_db(self, verbosity: int, autoclobber: bool, keepdb: bool = False) -> Any:
        with creation_allowed():
            return super()._create_test_db(verbosity, autoclobber, keepdb)  # type: ignore[misc]  # untyped in the stubs


class DatabaseWrapper(base.DatabaseWrapper):
    creation_class = DatabaseCreation

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        name = str(conn_params["database"])
        in_memory = self.is_in_memory_db() or name.startswith("file:")
        if not _creating and not in_memory and not Path(name).exists():
            raise OperationalError(
                f"The SQLite database {name} does not exist. Create it with `uv run kotalive migrate` "
                "(`make run` does), or point DATABASE_URL at the right file."
            )
        return super().get_new_connection(conn_params)
