import os
from pathlib import Path

from django.core.wsgi import get_wsgi_application

from config.env import load_env_file

# A production server has no .env: its configuration is the environment's. The demo (`make run`) names its .env in
# KOTALIVE_ENV_FILE, so the web processes read the same settings as `uv run kotalive ...` (variables set in the
# environment still win).
if env_file := os.environ.get("KOTALIVE_ENV_FILE"):
    load_env_file(Path(env_file))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
