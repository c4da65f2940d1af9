"""Process-wide locks held by the database: one mechanism for every job that must run one at a time."""

from django.db import connection


def advisory_xact_lock(key: int, *, wait: bool = True) -> bool:
    """Take the PostgreSQL advisory lock `key` until the end of the current transaction (False: another process
    holds it and `wait` is off). On SQLite, BEGIN IMMEDIATE already makes every writer the only one."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
            return True
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [key])
        return bool(cursor.fetchone()[0])
