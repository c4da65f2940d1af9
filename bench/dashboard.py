"""Benchmark: the dashboards and the public page over a million applications and a million reports in PostgreSQL.

Budget (issue 11, docs/performance.md): every dashboard and public page view under 500 ms. Measured in-process
(middleware, authentication, queries, template or JSON): the Live Room's page, an agency head's page, the city API,
the hand-off API, the public performance page and one open-data file, over the default period (the last 90 days), and
the Live Room's and the public page over two years; and what the worker pays to recount one busy day.

The synthetic applications (`kotalive seed-cases`) are test data, which the dashboards leave out: in this throwaway
database they are turned live, and the one-open-case unique indexes are dropped first because the synthetic applicants
repeat. 100,000 IKM answers are added on completed applications, holders' stretches for every subject (a tenth of
the reports handed on once: `_holdings`), timelines of two or three steps (`_steps`), and the day rollups are
counted (as `kotalive rollups-rebuild` does after a bulk load; the load's time includes them). Prints one JSON
object.

    uv run python bench/dashboard.py [--cases 1000000] [--reports 1000000] [--requests 20] [--reuse]
"""

import argparse
import datetime as dt
import io
import json
import os
import time

from common import machine, percentiles, setup_django

URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kotalive_bench_dashboard")


def _load(cases: int, reports: int) -> dict[str, float]:
    from django.db import connection

    from kotalive.cases.models import Case
    from kotalive.cases.synthetic import cases_seed_synthetic
    from kotalive.complaints.models import Complaint
    from kotalive.complaints.synthetic import complaints_seed_synthetic
    from kotalive.demo.data import demo_data_load

    took: dict[str, float] = {}
    if Case.objects.count() >= cases and Complaint.objects.count() >= reports:
        return took | _holdings() | _steps() | _rollups()
    demo_data_load(synthetic_people=20_000, history=False)
    started = time.perf_counter()
    with connection.cursor() as cursor:  # synthetic applicants repeat: this database does without the rule
        cursor.execute("DROP INDEX IF EXISTS case_one_open_per_person")  # partial unique indexes
        cursor.execute("DROP INDEX IF EXISTS case_one_open_per_unregistered_applicant")
    cases_seed_synthetic(count=cases - Case.objects.count())
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_case SET is_test = false")
        cursor.execute(
            "INSERT INTO workflow_rating (subject_type, subject_id, scale, scores, comment, by_id, at) "
            "SELECT 'case', id, 'ikm', '[4, 3, 4, 3, 4, 3, 4, 4, 3]', '', applicant_id, closed_at "
            "FROM cases_case WHERE state_category = 'completed' ORDER BY id LIMIT 100000"
        )
    took["cases_seconds"] = round(time.perf_counter() - started, 1)
    took["reports_seconds"] = round(complaints_seed_synthetic(count=reports - Complaint.objects.count(), years=2), 1)
    with connection.cursor() as cursor:
        for table in ("cases_case", "complaints_complaint", "workflow_rating", "workflow_workflowstep"):
            cursor.execute(f"VACUUM ANALYZE {table}")  # what autovacuum does after a bulk load
    return took | _holdings() | _steps() | _rollups()


HOLDINGS_SQL = [  # every application: one stretch at its agency, from filing to closing
    "INSERT INTO workflow_holding (subject_type, subject_id, holder, agency_id, role, received_at, accepted_at, "
    "left_at, outcome, reason) SELECT 'case', id, 'agency', agency_id, 'lead', submitted_at, "
    "submitted_at + interval '2 hours', closed_at, CASE WHEN closed_at IS NULL THEN '' ELSE 'closed' END, '' "
    "FROM cases_case WHERE submitted_at IS NOT NULL",
    # one report in ten: a first day at another complaint handler, which hands it on
    "WITH handlers AS (SELECT array_agg(id ORDER BY id) AS ids FROM agencies_agency WHERE role = 'complaint_handler') "
    "INSERT INTO workflow_holding (subject_type, subject_id, holder, agency_id, role, received_at, accepted_at, "
    "left_at, outcome, reason) SELECT 'complaint', c.id, 'agency', "
    "h.ids[1 + (c.agency_id + c.id / 10) % cardinality(h.ids)], 'lead', c.submitted_at + interval '1 hour', "
    "c.submitted_at + interval '3 hours', c.submitted_at + interval '1 day', 'handed_off', '' "
    "FROM complaints_complaint c, handlers h WHERE c.agency_id IS NOT NULL AND c.id % 10 = 0",
    # every report an agency holds: its stretch there, from the disposition (or the hand-on) to closing
    "INSERT INTO workflow_holding (subject_type, subject_id, holder, agency_id, role, received_at, accepted_at, "
    "left_at, outcome, reason) SELECT 'complaint', id, 'agency', agency_id, 'lead', "
    "submitted_at + CASE WHEN id % 10 = 0 THEN interval '1 day' ELSE interval '1 hour' END, "
    "submitted_at + interval '1 day 4 hours', closed_at, CASE WHEN closed_at IS NULL THEN '' ELSE 'closed' END, '' "
    "FROM complaints_complaint WHERE agency_id IS NOT NULL",
]


STEPS_SQL = [  # each subject's timeline: the citizen's submission, and a staff step at the first response and closing
    "INSERT INTO workflow_workflowstep (subject_type, subject_id, action, from_state, to_state, actor_role, reason, "
    "data, at, actor_id) SELECT 'case', id, 'submit', '', 'submitted', 'applicant', '', '{}', submitted_at, "
    "applicant_id FROM cases_case WHERE submitted_at IS NOT NULL",
    "INSERT INTO workflow_workflowstep (subject_type, subject_id, action, from_state, to_state, actor_role, reason, "
    "data, at, actor_id) SELECT 'case', id, 'start_verification', 'submitted', 'in_verification', 'verifier', '', "
    "'{}', submitted_at + interval '2 hours', (SELECT id FROM accounts_user WHERE username = 'dukcapil.verifikator') "
    "FROM cases_case WHERE submitted_at IS NOT NULL",
    "INSERT INTO workflow_workflowstep (subject_type, subject_id, action, from_state, to_state, actor_role, reason, "
    "data, at, actor_id) SELECT 'case', id, 'close', 'in_verification', state, 'approver', '', '{}', closed_at, "
    "(SELECT id FROM accounts_user WHERE username = 'dukcapil.kadis') FROM cases_case WHERE closed_at IS NOT NULL",
    "INSERT INTO workflow_workflowstep (subject_type, subject_id, action, from_state, to_state, actor_role, reason, "
    "data, at, actor_id) SELECT 'complaint', id, 'submit', '', 'submitted', 'applicant', '', '{}', submitted_at, "
    "reporter_id FROM complaints_complaint",
    "INSERT INTO workflow_workflowstep (subject_type, subject_id, action, from_state, to_state, actor_role, reason, "
    "data, at, actor_id) SELECT 'complaint', id, 'resolve', 'in_progress', state, 'liaison', '', '{}', closed_at, "
    "(SELECT id FROM accounts_user WHERE username = 'pupr.penghubung') FROM complaints_complaint "
    "WHERE closed_at IS NOT NULL",
]


def _steps() -> dict[str, float]:
    """The synthetic subjects come without timelines, which the worker's recount of a day reads: give each its
    submission, a staff step two hours later (applications) and its closing step, unless that was done already."""
    from django.db import connection

    from kotalive.workflow.models import WorkflowStep

    if WorkflowStep.objects.filter(subject_type="complaint").count() > 1000:
        return {}
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for statement in STEPS_SQL:
            cursor.execute(statement)
        cursor.execute("VACUUM ANALYZE workflow_workflowstep")
    return {"steps_seconds": round(time.perf_counter() - started, 1), "steps": WorkflowStep.objects.count()}


def _holdings() -> dict[str, float]:
    """The synthetic subjects come without holders' stretches, which the hand-off ledger reads: give every
    application one stretch at its agency from filing to closing, and every report held by an agency one from an
    hour after filing (the Live Room's disposition), one report in ten after a first stretch at another agency that
    handed it on a day later (a transfer, a bounce, and now and then a ping-pong), unless that was done already."""
    from django.db import connection

    from kotalive.workflow.models import Holding

    if Holding.objects.filter(subject_type="complaint").count() > 1000:
        return {}
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for statement in HOLDINGS_SQL:
            cursor.execute(statement)
        cursor.execute("VACUUM ANALYZE workflow_holding")
    return {"holdings_seconds": round(time.perf_counter() - started, 1), "holdings": Holding.objects.count()}


def _rollups() -> dict[str, float]:
    """The synthetic rows came without events: count them into the day rollups as `kotalive rollups-rebuild` does
    (the worker keeps them current from then on), unless that was done already."""
    from django.db import connection

    from kotalive.dashboard.models import HandoffMonthRollup
    from kotalive.dashboard.rollups import rollups_rebuild

    if HandoffMonthRollup.objects.exists():
        return {}
    started = time.perf_counter()
    days = rollups_rebuild()
    took = {"rollups_seconds": round(time.perf_counter() - started, 1), "rollup_days": days}
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE dashboard_subjectdayrollup")
        cursor.execute("VACUUM ANALYZE dashboard_kelurahandayrollup")
        for table in ("subjectmonthrollup", "kelurahanmonthrollup", "handoffdayrollup", "handoffmonthrollup"):
            cursor.execute(f"VACUUM ANALYZE dashboard_{table}")
    return took


def _recount_day() -> dict[str, dict[str, float]]:
    """What the worker's consumer pays when an event touches a busy day: recounting one day of each kind (the
    median day of the period's load: about 1,400 subjects of each kind and their stretches)."""
    from django.utils import timezone

    from kotalive.core.calendar import local_date
    from kotalive.dashboard.rollups import rollup_days

    day = local_date(timezone.now()) - dt.timedelta(days=30)
    timings = {}
    for kind in ("case", "complaint"):
        samples = []
        for _ in range(5):
            started = time.perf_counter()
            rollup_days(kind, [day])
            samples.append((time.perf_counter() - started) * 1000)
        timings[kind] = percentiles(samples)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=20, help="requests per view")
    parser.add_argument("--reuse", action="store_true", help="keep an existing database of the same size")
    args = parser.parse_args()
    setup_django(URL, fresh=not args.reuse)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from kotalive.accounts.models import User
    from kotalive.accounts.services import api_token_issue
    from kotalive.cases.models import Case
    from kotalive.complaints.models import Complaint
    from kotalive.core.calendar import local_date

    call_command("migrate", verbosity=0)
    call_command("seed", verbosity=0, stdout=io.StringIO())  # stdout is for the JSON
    took = _load(args.cases, args.reports)
    operator = User.objects.get(username="kominfo.operator")
    head = User.objects.get(username="dukcapil.kadis")
    api = Client(headers={"Authorization": f"Bearer {api_token_issue(user=operator).raw}"})
    live_room, agency_head, public = Client(), Client(), Client()
    live_room.force_login(operator)
    agency_head.force_login(head)
    today = local_date(timezone.now())
    two_years_ago = today - dt.timedelta(days=730)
    views = {
        "Live Room page /kantor/dasbor/": (live_room, "/kantor/dasbor/"),
        "agency head page /kantor/DISDUKCAPIL/dasbor/": (agency_head, "/kantor/DISDUKCAPIL/dasbor/"),
        "city API /api/v1/dashboard/city": (api, "/api/v1/dashboard/city"),
        "hand-off API /api/v1/dashboard/handoffs": (api, "/api/v1/dashboard/handoffs"),
        "public page /kinerja/": (public, "/kinerja/"),
        "Live Room page over two years": (live_room, f"/kantor/dasbor/?from={two_years_ago}&to={today}"),
        "public page over two years": (public, f"/kinerja/?from={two_years_ago}&to={today}"),
        "open data /data/services.csv": (public, "/data/services.csv"),
    }
    results = {}
    for name, (client, path) in views.items():
        client.get(path)  # warm the connection and plans
        samples = []
        for _ in range(args.requests):
            started = time.perf_counter()
            response = client.get(path)
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        results[name] = percentiles(samples)
    recount = _recount_day()
    print(
        json.dumps(
            {
                "benchmark": "dashboard",
                "machine": machine(),
                "database": connection.vendor,
                "cases": Case.objects.count(),
                "reports": Complaint.objects.count(),
                "load": took,
                "requests_per_view": args.requests,
                "budget_ms": 500,
                "ms": results,
                "worker_recount_one_day_ms": recount,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
