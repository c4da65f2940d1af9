"""The `kotalive` console command: Django's management commands under a name users remember."""

import os
import sys
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from config.env import load_env_file

# `make run` writes the demo configuration into this git-ignored file, so that `uv run kotalive ...` typed in a fresh
# shell runs as the demo does. This console entry point reads it, and the demo's gunicorn (config/wsgi.py, only when
# KOTALIVE_ENV_FILE names it); never the test suite.
DEFAULT_ENV_FILE = Path(__file__).resolve().parent.parent / ".env"


def main() -> None:
    # A variable set in the environment wins over the file. KOTALIVE_ENV_FILE names another file, or none when set
    # empty (config/testenv.py does, so that the tests' subprocesses never read a developer's .env).
    env_file = os.environ.get("KOTALIVE_ENV_FILE", str(DEFAULT_ENV_FILE))
    if env_file:
        try:
            load_env_file(Path(env_file))
        except (ImproperlyConfigured, OSError, UnicodeDecodeError) as exc:
            sys.exit(f"kotalive: {exc}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
