"""Benchmark: filing a report (complaints) and reading the public feed under load, next to the bare hello view.

Issue 5 asks for both next to hello (no budget of their own; the case submission's >= 25% of hello is the yardstick
for writes). gunicorn on PostgreSQL, wrk on the same machine, as bench/load.py. Prints one JSON object.

    uv run python bench/complaints_load.py [--seconds 15] [--connections 32] [--citizens 12000] [--reports 20000]
"""

import argparse
import json
import tempfile
from pathlib import Path

from common import machine, setup_django
from load import LUA_SUBMIT, URL, citizens_with_tokens, ensure_wrk, gunicorn_serving, measure


def report_bodies(tokens: list[str], workdir: Path) -> Path:
    """One report body per citizen token (wrk's submit script reads token<TAB>body lines)."""
    lines = []
    for index, token in enumerate(tokens):
        body = {
            "kind": "complaint",
            "category": ["street-lights", "roads", "waste", "drainage-floods"][index % 4],
            "title": "Lampu jalan mati",
            "description": "Lampu PJU di depan gang mati sejak tiga hari, jalan gelap pada malam hari.",
            "location": {"lat": -6.15 - (index % 97) / 1000, "lon": 106.60 + (index % 89) / 1000},  # inside the city
            "address": f"Gang Uji {index}",
        }
        lines.append(f"{token}\t{json.dumps(body)}")
    bodies = workdir / "complaints.tsv"
    bodies.write_text("\n".join(lines) + "\n")
    return bodies


def prepare(citizens: int, reports: int, workdir: Path) -> Path:
    """Citizens with tokens, one report body each, and `reports` earlier reports for the feed to page through."""
    from django.db import connection

    from kotalive.complaints.synthetic import complaints_seed_synthetic

    _users, tokens = citizens_with_tokens(citizens)
    complaints_seed_synthetic(count=reports, years=1)
    bodies = report_bodies(tokens, workdir)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return bodies


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--citizens", type=int, default=12_000)
    parser.add_argument("--reports", type=int, default=20_000)
    args = parser.parse_args()
    wrk = ensure_wrk()
    setup_django(URL, fresh=True)
    workdir = Path(tempfile.mkdtemp(prefix="kotalive-bench-"))
    bodies = prepare(args.citizens, args.reports, workdir)
    lua = workdir / "submit.lua"
    lua.write_text(LUA_SUBMIT)
    with gunicorn_serving() as (server, base):
        common = [wrk, "-t2", f"-c{args.connections}", f"-d{args.seconds}s", "--latency"]
        runs = {
            "hello": common + [f"{base}/bench/hello"],
            "public_feed": common + [f"{base}/api/v1/complaints/public"],
            "complaint_submission": common + ["-s", str(lua), f"{base}/", "--", str(bodies), "2", "/api/v1/complaints"],
        }
        results, rss = measure(runs, server, args.seconds)
    print(
        json.dumps(
            {
                "benchmark": "complaints_load",
                "machine": machine(),
                "database": "postgresql",
                "server": "gunicorn --workers 2 --threads 4 (gthread)",
                "seconds": args.seconds,
                "connections": args.connections,
                "earlier_reports": args.reports,
                "results": results,
                "worker_rss_mb_max": rss,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
