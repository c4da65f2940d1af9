"""Benchmark: the SLA sweep over many overdue applications while other requests write.

Issue 10's budgets: while the sweep works through 10,000 overdue subjects, no other write waits more than 50 ms on a
lock; the sweep's queries per subject stay flat from 100 to 10,000. For each size the sweep runs in this process
(its queries counted) while a second process writes every 20 ms on applications the sweep is working through (an
officer's internal note: it locks the case row, as every write of a case does) and times each write; the largest
write time bounds the longest lock wait a write met, and PostgreSQL's own view of lock
waits (pg_stat_activity, sampled every 5 ms) is reported beside it. Prints one JSON object.

    uv run python bench/sweep.py [--sizes 100,1000,10000]
"""

import argparse
import datetime as dt
import io
import json
import multiprocessing
import os
import time
from typing import Any

from common import machine, percentiles, setup_django

URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kotalive_bench_sweep")


def _overdue(count: int, seed: int) -> None:
    """`count` open applications, all submitted and a month past their due date, with the same escalation chain."""
    from kotalive.cases.models import Case
    from kotalive.cases.synthetic import cases_seed_synthetic
    from kotalive.catalogue.models import Service

    before = set(Case.objects.values_list("pk", flat=True))
    cases_seed_synthetic(count=count, seed=seed)
    service = Service.objects.get(code="akta-kelahiran")
    assert service.current is not None
    Case.objects.exclude(pk__in=before).update(
        service=service,
        agency=service.agency,
        service_version=service.current,
        workflow=service.current.workflow,
        state="submitted",
        state_category="submitted",
        sla_status="on_track",
        paused_at=None,
        closed_at=None,
        assignee=None,
        due_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=30),
        state_due_at=None,
    )


def _finish_synthetic() -> None:
    """Take the swept cases out of the next round (they have escalated to the end of their chains)."""
    from kotalive.cases.models import Case

    Case.objects.filter(is_test=True).update(state_category="completed", state="completed")


def _round(size: int) -> dict[str, Any]:
    from django.db import connection, connections

    from kotalive.cases.jobs import cases_sla_sweep
    from kotalive.cases.models import Case

    _overdue(size, seed=size)
    swept = list(Case.objects.filter(is_test=True, state_category="submitted").values_list("tracking", flat=True))
    trackings = swept[:: max(1, len(swept) // 50)]  # spread over the sweep's order, first to last
    connections.close_all()
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    stop_flag = context.Value("d", time.monotonic() + 3600)
    writer = context.Process(target=_writer_loop, args=(trackings, stop_flag, results))
    waits = context.Process(target=_waits_until, args=(stop_flag, results))
    writer.start()
    waits.start()
    time.sleep(0.5)  # the writer is writing before the sweep starts
    started = time.perf_counter()
    counted = [0]

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        counted[0] += 1  # every statement (CaptureQueriesContext keeps only the last 9,000)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        checked = cases_sla_sweep()
    seconds = time.perf_counter() - started
    stop_flag.value = 0.0
    collected = [results.get(timeout=60), results.get(timeout=60)]
    writer.join(10)
    waits.join(10)
    write_times = next(r for r in collected if isinstance(r, list))
    longest_wait = next(r for r in collected if isinstance(r, float))
    _finish_synthetic()
    return {
        "subjects": size,
        "checked": checked,
        "seconds": round(seconds, 2),
        "subjects_per_second": round(size / seconds, 1),
        "queries": counted[0],
        "queries_per_subject": round(counted[0] / size, 2),
        "concurrent_writes": len(write_times),
        "concurrent_write_ms": percentiles(write_times) if write_times else None,
        "longest_lock_wait_ms_seen_by_postgresql": round(longest_wait, 1),
    }


def _writer_loop(trackings: list[str], stop_flag: Any, out: Any) -> None:
    """An officer's internal note on one of the swept applications (in turn), every 20 ms, until the flag drops:
    each write's time in ms."""
    from django.db import connections

    connections.close_all()
    from kotalive.accounts.models import User
    from kotalive.cases.services import case_message_post

    officer = User.objects.get(username="dukcapil.verifikator")
    times: list[float] = []
    while time.monotonic() < stop_flag.value:
        started = time.perf_counter()
        tracking = trackings[len(times) % len(trackings)]
        case_message_post(actor=officer, tracking=tracking, body="Sedang diperiksa.", internal=True)
        times.append((time.perf_counter() - started) * 1000)
        time.sleep(0.02)
    out.put(times)


def _waits_until(stop_flag: Any, out: Any) -> None:
    """The longest time any backend was seen waiting on a lock (pg_stat_activity sampled every 5 ms)."""
    import psycopg

    longest = 0.0
    with psycopg.connect(URL, autocommit=True) as connection:
        while time.monotonic() < stop_flag.value:
            row = connection.execute(
                "SELECT coalesce(max(extract(epoch FROM now() - state_change)), 0) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND datname = current_database()"
            ).fetchone()
            longest = max(longest, float(row[0]) * 1000 if row else 0.0)
            time.sleep(0.005)
    out.put(longest)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100,1000,10000")
    args = parser.parse_args()
    setup_django(URL, fresh=True)
    from django.conf import settings
    from django.core.management import call_command

    settings.DEBUG = False
    call_command("migrate", verbosity=0)
    call_command("seed", demo=True, verbosity=0, stdout=io.StringIO())  # stdout is for the JSON
    rounds = [_round(int(size)) for size in args.sizes.split(",")]
    print(
        json.dumps(
            {
                "benchmark": "sweep",
                "machine": machine(),
                "database": "postgresql",
                "rounds": rounds,
                "budgets": {"longest_lock_wait_ms": "< 50", "queries_per_subject": "flat from 100 to 10,000"},
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
