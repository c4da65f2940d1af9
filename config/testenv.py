"""Loaded by pytest before Django (addopts `-p config.testenv`): tests run with DEBUG and the demo secrets, which
settings refuse otherwise. pytest-django still turns DEBUG off at run time, after settings are read."""

import os

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("KOTALIVE_DEMO", "1")
# Never the developer's .env (config/manage.py), not even in the `kotalive` subprocesses some tests start: each test
# states the environment it runs in.
os.environ["KOTALIVE_ENV_FILE"] = ""
