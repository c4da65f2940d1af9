"""Small typed helpers that read configuration from the environment and fail loudly on bad values."""

import json
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no, on/off)")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_rate(name: str, default: tuple[int, int]) -> tuple[int, int]:
    """A rate limit written as `count/seconds` (e.g. `5/900`): how many hits a subject may make in that window."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    count, _slash, seconds = raw.partition("/")
    try:
        rate = (int(count), int(seconds))
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be written as count/seconds, e.g. 5/900, not {raw!r}") from None
    if rate[0] < 1 or rate[1] < 1:
        raise ImproperlyConfigured(f"{name} needs a count and a number of seconds of at least 1, not {raw!r}")
    return rate


def env_secret(name: str, default: str | None = None) -> str | None:
    """A secret from NAME, or from the file named by NAME_FILE (for Docker/Kubernetes secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_name!r} cannot be read: {exc}") from None
    return os.environ.get(name, default)


def env_region_pack(name: str, default: Path, *, base_dir: Path) -> tuple[Path, dict[str, Any]]:
    """The region data pack named by NAME (a directory holding pack.json; a relative path is taken from the project
    directory) and its manifest, which must name the region. The pack's files are checked by `load-region-pack`."""
    raw = os.environ.get(name, "").strip()
    directory = (base_dir / raw if raw else default).resolve()
    manifest_path = directory / "pack.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ImproperlyConfigured(f"{name}: {manifest_path} cannot be read: {exc}") from None
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}: {manifest_path} is not valid JSON: {exc}") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("region"), str) or not manifest["region"]:
        raise ImproperlyConfigured(f"{name}: {manifest_path} must be a JSON object naming the pack's region")
    return directory, manifest


_ENV_LINE = re.compile(r"^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$")


def read_env_file(path: Path) -> dict[str, str]:
    """NAME=value lines of a `.env` file: blank lines and # comments skipped, `export ` and one pair of matching
    quotes around a value allowed, nothing expanded. A line of another shape is an error naming its number."""
    values: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _ENV_LINE.match(stripped)
        if match is None:
            raise ImproperlyConfigured(f"{path}, line {number}: expected NAME=value, not {stripped!r}")
        key, value = match.group(1), match.group(2).strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key] = value
    return values


def load_env_file(path: Path) -> None:
    """Put the file's values into the environment where it has none: a variable set in the environment wins."""
    if path.is_file():
        for key, value in read_env_file(path).items():
            os.environ.setdefault(key, value)


def parse_database_url(url: str, *, base_dir: Path) -> dict[str, object]:
    """Turn `sqlite:///path` or `postgres://user:pass@host:port/name?opt=v` into a Django DATABASES entry.

    Written here rather than taken from a package: two schemes, twenty lines, no dependency to track.
    """
    parts = urlsplit(url)
    options = dict(parse_qsl(parts.query))
    if parts.scheme == "sqlite":
        # sqlite:///relative.db and sqlite:////absolute/path.db, as in SQLAlchemy and dj-database-url.
        raw_path = unquote(parts.path)[1:] if parts.path.startswith("/") else unquote(parts.path)
        path = Path(raw_path) if raw_path.startswith("/") else base_dir / raw_path
        path.parent.mkdir(parents=True, exist_ok=True)  # var/ on a fresh clone
        return {
            "ENGINE": "kotalive.core.sqlite",  # Django's, minus creating a missing file
            "NAME": str(path),
            "OPTIONS": {
                # WAL lets the web server and the worker read while one of them writes; IMMEDIATE takes the
                # write lock at BEGIN so two writers queue instead of failing with "database is locked".
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            "TEST": {"NAME": str(path.with_name(path.stem + "-test.db"))},
        }
    if parts.scheme in {"postgres", "postgresql", "pgsql"}:
        # Server-side binding lets psycopg prepare repeated statements: the case read's joins are then planned once
        # per connection, not per request (docs/adr/0005). Turn it off (?server_side_binding=false) behind a
        # transaction-pooling PgBouncer.
        binding = options.pop("server_side_binding", "true").lower() not in {"false", "0", "no", "off"}
        # Prepare a statement from its second execution (psycopg's default of 5 left the hot reads unprepared).
        prepare_threshold = int(options.pop("prepare_threshold", "1"))
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {**options, "server_side_binding": binding, "prepare_threshold": prepare_threshold},
        }
    raise ImproperlyConfigured(f"DATABASE_URL scheme {parts.scheme!r} is not supported (use sqlite or postgres)")
