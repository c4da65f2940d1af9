"""Benchmark: the weight of the pages that draw the city map (the report form, the public reports, the operator's
dashboard), how much of it is the map's drawing, and how long the server takes to render each (Django's test client
in this process, the demo's data on SQLite; no network, no compression).

    uv run python bench/map_pages.py [--requests 20]

Prints one JSON object (docs/performance.md).
"""

import argparse
import io
import json
import re
import statistics
import tempfile
import time
from pathlib import Path

from common import machine, percentiles, setup_django

PAGES = [("warga1", "/laporan/baru/"), ("warga1", "/laporan/publik/"), ("kominfo.operator", "/kantor/dasbor/")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        setup_django(f"sqlite:///{Path(folder) / 'map.db'}", fresh=True)
        from django.core.management import call_command
        from django.test import Client

        from kotalive.accounts.models import User

        call_command("migrate", verbosity=0)
        call_command("seed", demo=True, verbosity=0, stdout=io.StringIO())  # stdout is for the JSON
        pages = []
        for login, path in PAGES:
            client = Client(HTTP_HOST="127.0.0.1")
            client.force_login(User.objects.get(username=login))
            client.get(path)  # warm: the region's drawing is computed once per process
            samples, body = [], b""
            for _ in range(args.requests):
                started = time.perf_counter()
                response = client.get(path)
                samples.append((time.perf_counter() - started) * 1000)
                body = response.content
            drawing = sum(len(d) for d in re.findall(rb' d="([^"]*)"', body))
            pages.append(
                {
                    "path": path,
                    "status": response.status_code,
                    "bytes": len(body),
                    "path_data_bytes": drawing,
                    "render_ms": {**percentiles(samples), "mean": round(statistics.mean(samples), 3)},
                }
            )
    print(json.dumps({"machine": machine(), "requests": args.requests, "pages": pages}, indent=2))


if __name__ == "__main__":
    main()
