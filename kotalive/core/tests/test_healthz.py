import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.django_db
def test_health_is_ok_when_the_database_answers(client: Client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "schema": "ok"}


def test_health_is_503_naming_the_database_when_it_is_unreachable() -> None:
    """A real process pointed at a PostgreSQL port where nothing listens."""
    script = (
        "import django, json; django.setup(); from django.test import Client; "
        "r = Client().get('/healthz'); print(json.dumps([r.status_code, r.json()]))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:9/nothing?connect_timeout=2",
    }
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    status, body = json.loads(done.stdout.strip().splitlines()[-1])
    assert status == 503
    assert body["database"] == "unreachable"


def _health_in_a_process(database_url: str) -> tuple[int, dict[str, str]]:
    script = (
        "import django, json; django.setup(); from django.test import Client; "
        "r = Client().get('/healthz'); print(json.dumps([r.status_code, r.json()]))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "1", "DATABASE_URL": database_url}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    status, body = json.loads(done.stdout.strip().splitlines()[-1])
    return status, body


def test_a_missing_sqlite_file_is_503_and_is_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.db"

    status, body = _health_in_a_process(f"sqlite:///{missing}")

    assert status == 503
    assert body["database"] == "unreachable"
    assert not missing.exists()


def test_an_empty_database_is_503_naming_the_schema(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()

    status, body = _health_in_a_process(f"sqlite:///{empty}")

    assert status == 503
    assert body == {"status": "error", "database": "ok", "schema": "missing"}


def test_migrate_creates_the_sqlite_file(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.db"
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{fresh}"}

    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "--noinput", "core"],
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        cwd=ROOT,
        capture_output=True,
        timeout=120,
        check=True,
    )

    assert fresh.exists()
    status, body = _health_in_a_process(f"sqlite:///{fresh}")
    assert status == 503
    assert body["schema"] == "outdated"  # only the core app was migrated
