"""Running migrations for real on the test database, for the tests of data migrations."""

from typing import Any

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(targets: list[tuple[str, str]]) -> Any:
    """Migrate the test database to `targets`; returns the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


def latest() -> list[tuple[str, str]]:
    """Every app's newest migration."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes()
