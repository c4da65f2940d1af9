"""Benchmark: the Live Room's duplicate suggestion and triage queue, and an agency's complaint inbox, over a million
reports in PostgreSQL.

Budget (issue 5): p95 < 50 ms. Measured in-process: the duplicate suggestion as the selector the report page calls
(same category within 200 m and 14 days), the triage queue and the agency inbox through the API (middleware, token
authentication, queries, serialisation). Prints one JSON object.

    uv run python bench/complaints_queries.py [--reports 1000000] [--requests 200] [--reuse]
"""

import argparse
import io
import json
import os
import random
import time

from common import machine, percentiles, setup_django

URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kotalive_bench_complaints")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--reuse", action="store_true", help="keep an existing database of the same size")
    args = parser.parse_args()
    setup_django(URL, fresh=not args.reuse)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from kotalive.accounts.models import User
    from kotalive.accounts.services import api_token_issue
    from kotalive.complaints.models import Complaint
    from kotalive.complaints.selectors import duplicates_suggest
    from kotalive.complaints.synthetic import complaints_seed_synthetic
    from kotalive.demo.data import demo_data_load

    call_command("migrate", verbosity=0)
    call_command("seed", verbosity=0, stdout=io.StringIO())  # stdout is for the JSON
    seed_seconds = None
    if Complaint.objects.count() < args.reports:
        demo_data_load(synthetic_people=0)
        seed_seconds = round(complaints_seed_synthetic(count=args.reports - Complaint.objects.count()), 1)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE complaints_complaint")  # what autovacuum does after a bulk load
    rng = random.Random(7)
    ids = list(Complaint.objects.order_by("?").values_list("id", flat=True)[: args.requests])
    samples = []
    found = 0
    for complaint_id in ids:
        complaint = Complaint.objects.get(pk=complaint_id)  # not timed: the report page has it already
        started = time.perf_counter()
        found += len(duplicates_suggest(complaint=complaint))
        samples.append((time.perf_counter() - started) * 1000)
    results: dict[str, object] = {
        "duplicate_suggestion": {**percentiles(samples), "suggestions_per_report": round(found / len(ids), 2)}
    }

    def timed(client: Client, path: str) -> dict[str, float]:
        client.get(path)  # warm the connection and plans
        taken = []
        for _ in range(args.requests):
            started = time.perf_counter()
            response = client.get(path)
            taken.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.content  # noqa: S101
        return percentiles(taken)

    operator = User.objects.get(username="kominfo.operator")
    live_room = Client(headers={"Authorization": f"Bearer {api_token_issue(user=operator).raw}"})
    pages = max(1, Complaint.objects.filter(state="triage").count() // 25)
    results["triage_queue_first_page"] = timed(live_room, "/api/v1/liveroom/triage")
    results["triage_queue_last_page"] = timed(live_room, f"/api/v1/liveroom/triage?page={pages}")
    liaison = User.objects.get(username="pupr.penghubung")
    agency = Client(headers={"Authorization": f"Bearer {api_token_issue(user=liaison).raw}"})
    results["agency_inbox_first_page"] = timed(agency, "/api/v1/agency/complaints")
    rng.random()
    print(
        json.dumps(
            {
                "benchmark": "complaints_queries",
                "machine": machine(),
                "database": "postgresql",
                "reports": Complaint.objects.count(),
                "open_in_triage": Complaint.objects.filter(state="triage").count(),
                "seed_seconds": seed_seconds,
                "requests": args.requests,
                "results_ms": results,
                "budget": "p95 < 50 ms",
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
