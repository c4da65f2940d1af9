"""Benchmark: the officer inbox over a million cases in PostgreSQL.

Budget (docs/performance.md): p95 < 50 ms per page. Measures GET /api/v1/agency/cases in-process (middleware,
token authentication, query, serialisation) for the filters officers use, on a database of --cases synthetic
cases (kotalive seed-cases). Prints one JSON object.

    uv run python bench/inbox.py [--cases 1000000] [--requests 200] [--reuse]
"""

import argparse
import io
import json
import os
import time

from common import machine, percentiles, setup_django

URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kotalive_bench_cases")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200, help="requests per filter")
    parser.add_argument("--reuse", action="store_true", help="keep an existing database of the same size")
    args = parser.parse_args()
    setup_django(URL, fresh=not args.reuse)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from kotalive.accounts.models import User
    from kotalive.accounts.services import api_token_issue
    from kotalive.cases.models import Case
    from kotalive.cases.synthetic import cases_seed_synthetic
    from kotalive.demo.data import demo_data_load

    call_command("migrate", verbosity=0)
    call_command("seed", verbosity=0, stdout=io.StringIO())  # stdout is for the JSON
    seed_seconds = None
    if Case.objects.count() < args.cases:
        demo_data_load(synthetic_people=20_000)
        seed_seconds = round(cases_seed_synthetic(count=args.cases - Case.objects.count()).seconds, 1)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE cases_case")  # what autovacuum does after a bulk load
    officer = User.objects.get(username="dukcapil.verifikator")
    client = Client(headers={"Authorization": f"Bearer {api_token_issue(user=officer).raw}"})
    filters = {
        "open, first page": "",
        "open, page 20": "page=20",
        "assigned to me": "assigned=me",
        "unassigned": "assigned=unassigned",
        "breached": "sla=breached",
        "one service": "service=kk-baru",
        "state verification": "state=verification",
    }
    results = {}
    for name, query in filters.items():
        client.get(f"/api/v1/agency/cases?{query}")  # warm the connection and plans
        samples = []
        for _ in range(args.requests):
            started = time.perf_counter()
            response = client.get(f"/api/v1/agency/cases?{query}")
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.content
        body = response.json()
        results[name] = {**percentiles(samples), "total": body["total"], "items": len(body["items"])}
    agency_cases = Case.objects.filter(agency__code="DISDUKCAPIL").count()
    print(
        json.dumps(
            {
                "benchmark": "inbox",
                "machine": machine(),
                "database": connection.vendor,
                "cases": Case.objects.count(),
                "disdukcapil_cases": agency_cases,
                "seed_seconds": seed_seconds,
                "requests_per_filter": args.requests,
                "budget_p95_ms": 50,
                "ms": results,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
