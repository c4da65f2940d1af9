"""Shared set-up for benchmarks: a fresh PostgreSQL database, Django configured against it, percentiles."""

import datetime as dt
import os
import platform
import sys
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DEBUG", "1")  # the demo keys are fine for synthetic data
os.environ.setdefault("KOTALIVE_DEMO", "1")

# A throwaway audit key: production refuses to start without one (docs/audit.md).
BENCH_AUDIT_KEY = (  # noqa: S105 (sha256 of "kotalive bench audit key" as an Ed25519 seed)
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIGxIEGNimVxUyZnqBnwV1Ar+3iYzi2ssP6MBzFXM/Lp/\n"
    "-----END PRIVATE KEY-----\n"
)


def recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str, *, fresh: bool) -> None:
    if fresh and url.startswith("postgres"):
        recreate_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)

    def at(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(len(ordered) * p))], 3)

    return {"p50": at(0.50), "p95": at(0.95), "p99": at(0.99), "max": round(ordered[-1], 3)}


def machine() -> dict[str, object]:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
