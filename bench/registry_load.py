"""Benchmark: load a synthetic population into the registry, then time NIK look-ups.

Budget (docs/performance.md): 2,000,000 people into PostgreSQL in under 120 s; NIK look-up p99 under 5 ms.
Runs against its own database (dropped and created anew), prints one JSON object.

    uv run python bench/registry_load.py [--people 2000000] [--lookups 20000]
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/kotalive_bench (default)
"""

import argparse
import datetime as dt
import io
import json
import os
import platform
import random
import statistics
import time

from common import setup_django

BENCH_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kotalive_bench")


def raw_copy_seconds(tables: list[str]) -> float:
    """This host's limit for the same load: the rows just loaded, written again with a bare COPY into tables of
    the same shape and indexes (no generation, no encryption, no ORM). Only the COPY into them is timed."""
    import tempfile

    from django.db import connection

    raw = connection.connection  # psycopg's own connection: COPY streams
    assert raw is not None
    elapsed = 0.0
    with tempfile.TemporaryDirectory(prefix="kotalive-copy-") as folder:
        for table in tables:
            dump = os.path.join(folder, table)
            with raw.cursor() as cursor, open(dump, "wb") as out, cursor.copy(f"COPY {table} TO STDOUT") as copy:
                for chunk in copy:
                    out.write(chunk)
            with raw.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {table}_copy")
                cursor.execute(f"CREATE TABLE {table}_copy (LIKE {table} INCLUDING ALL)")
            raw.commit()
            started = time.perf_counter()
            with (
                raw.cursor() as cursor,
                open(dump, "rb") as source,
                cursor.copy(f"COPY {table}_copy FROM STDIN") as copy,
            ):
                while block := source.read(1 << 20):
                    copy.write(block)
            raw.commit()
            elapsed += time.perf_counter() - started
            with raw.cursor() as cursor:
                cursor.execute(f"DROP TABLE {table}_copy")
            raw.commit()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=2_000_000)
    parser.add_argument("--lookups", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    setup_django(BENCH_URL, fresh=True)
    from django.core.management import call_command
    from django.db import connection

    from kotalive.registry.models import Person
    from kotalive.registry.selectors import person_find_by_nik
    from kotalive.registry.services import registry_seed_synthetic
    from kotalive.registry.synthetic import PopulationGenerator

    call_command("migrate", verbosity=0)
    call_command("seed", verbosity=0, stdout=io.StringIO())  # stdout is for the JSON

    started = time.perf_counter()
    result = registry_seed_synthetic(actor=None, people=args.people, seed=args.seed, region_code="36.71")
    load_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE registry_person")
    copy_seconds = raw_copy_seconds(["registry_family", "registry_person"])

    # The NIKs in clear come from the generator itself (same seed, same people), not from decrypting rows.
    kelurahan = sorted(Person.objects.values_list("family__kelurahan_id", flat=True).distinct())
    generator = PopulationGenerator(kelurahan_codes=kelurahan, seed=args.seed)
    every_nik = [p.nik for family in generator.families(args.people) for p in family.members]
    rng = random.Random(99)
    sample = [rng.choice(every_nik) for _ in range(args.lookups)]
    del every_nik

    timings_ms = []
    found = 0
    for nik in sample:
        t0 = time.perf_counter()
        person = person_find_by_nik(nik=nik)
        timings_ms.append((time.perf_counter() - t0) * 1000)
        found += person is not None
    timings_ms.sort()

    def pct(p: float) -> float:
        return round(timings_ms[min(len(timings_ms) - 1, int(len(timings_ms) * p))], 3)

    print(
        json.dumps(
            {
                "benchmark": "registry_load",
                "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "machine": {
                    "cpus": os.cpu_count(),
                    "python": platform.python_version(),
                    "platform": platform.platform(),
                },
                "database": connection.vendor,
                "people": result.people,
                "families": result.families,
                "load_seconds": round(load_seconds, 1),
                "people_per_second": round(result.people / load_seconds),
                "budget_load_seconds": 120,
                # The same rows by a bare COPY into same-shaped tables: this host's limit for the load.
                "raw_copy_seconds": round(copy_seconds, 1),
                "ratio_to_raw_copy": round(copy_seconds / load_seconds, 3),
                "lookups": len(sample),
                "lookups_found": found,
                "lookup_ms": {
                    "p50": pct(0.50),
                    "p95": pct(0.95),
                    "p99": pct(0.99),
                    "max": round(timings_ms[-1], 3),
                    "mean": round(statistics.fmean(timings_ms), 3),
                },
                "budget_lookup_p99_ms": 5,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
