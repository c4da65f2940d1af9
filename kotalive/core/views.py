from functools import cache

from django.db import DatabaseError, connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache


@cache
def _expected_migrations() -> frozenset[tuple[str, str]]:
    """The last migration of every app, from the code (read once per process: it changes only with a deploy)."""
    return frozenset(MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes())


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and readiness for load balancers: 200 when the database answers and holds the schema this code
    expects (a real query on a real table: the migration record), 503 naming the part that failed."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:  # the server does not answer, or (SQLite) the file is not there
        return _failed(error=exc, database="unreachable")
    try:
        applied = set(MigrationRecorder(connection).applied_migrations())
    except DatabaseError as exc:
        return _failed(error=exc, database="ok", schema="unreadable")
    if not applied:  # an empty or wrong database: no migration record at all
        return JsonResponse({"status": "error", "database": "ok", "schema": "missing"}, status=503)
    if not _expected_migrations() <= applied:
        return JsonResponse({"status": "error", "database": "ok", "schema": "outdated"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok", "schema": "ok"})


def _failed(*, error: Exception, **parts: str) -> JsonResponse:
    return JsonResponse({"status": "error", **parts, "error": type(error).__name__}, status=503)
