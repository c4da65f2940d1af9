"""The day rollups the worker keeps equal a recomputation from the raw rows, also for a day in the past that a later
change touches; and the median and p90 read from their histograms follow the published nearest-rank formula."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from kotalive.accounts.models import User
from kotalive.agencies.models import Agency
from kotalive.cases.models import Case
from kotalive.cases.synthetic import cases_seed_synthetic
from kotalive.complaints.models import Complaint
from kotalive.complaints.tests.helpers import act_ok, file_report
from kotalive.conftest import bearer_client
from kotalive.core.calendar import local_date
from kotalive.dashboard.city import city_performance
from kotalive.dashboard.models import DURATION_BOUNDS, HandoffDayRollup, KelurahanDayRollup, SubjectDayRollup
from kotalive.dashboard.rollups import bucket, rollups_rebuild
from kotalive.dashboard.spread import percentile
from kotalive.dashboard.tests.test_city import _history
from kotalive.events.tests.helpers import drain
from kotalive.workflow.models import WorkflowStep


def _rollups() -> list[tuple[Any, ...]]:
    """Every rollup row's key and figures, in a fixed order (the ids are left out: a rebuild renumbers rows)."""
    subject_rows = [
        tuple(v for k, v in row.items() if k != "id")
        for row in SubjectDayRollup.objects.order_by(
            "kind", "day", "agency_id", "service_id", "category_id", "kecamatan"
        ).values()
    ]
    place_rows = list(KelurahanDayRollup.objects.order_by("day", "agency_id", "kelurahan").values_list(
        "day", "agency_id", "kelurahan", "submitted"))  # fmt: skip
    ledger_rows = [
        tuple(v for k, v in row.items() if k != "id")
        for row in HandoffDayRollup.objects.order_by("kind", "day", "from_agency", "to_agency").values()
    ]
    return subject_rows + place_rows + ledger_rows


def test_the_rollups_the_worker_keeps_equal_a_recomputation_from_the_raw_rows(
    warga1: User, warga2: User, verifier: User, operator: User, personas: dict[str, User]
) -> None:
    _history(warga1, warga2, verifier, operator, personas)  # applications and reports worked through the API
    completed = Case.objects.get(state="completed")
    rated = bearer_client(warga1).post(
        f"/api/v1/cases/{completed.tracking}/rating", {"scores": [4, 4, 3, 4, 4, 3, 4, 4, 3]}, "application/json"
    )
    assert rated.status_code == 201
    drain()
    kept = _rollups()
    assert kept, "the worker's pass counted the history"
    assert HandoffDayRollup.objects.filter(transfers__gt=0).exists(), "the history's hand-offs are in the ledger rows"

    SubjectDayRollup.objects.all().delete()
    KelurahanDayRollup.objects.all().delete()
    HandoffDayRollup.objects.all().delete()
    rollups_rebuild()

    assert _rollups() == kept
    today = SubjectDayRollup.objects.filter(day=local_date(timezone.now()))
    assert sum(r.submitted for r in today) == Case.objects.count() + Complaint.objects.count() == 4
    assert sum(r.ikm_u3 for r in today) == 3  # type: ignore[attr-defined]


def test_a_report_handed_on_later_moves_on_its_submission_day_and_closes_today(
    warga1: User, operator: User, personas: dict[str, User]
) -> None:
    _client, report = file_report(warga1)
    # As if it had been filed three days ago: the Live Room holds it on that day's row.
    three_days = dt.timedelta(days=3)
    complaint = Complaint.objects.get(tracking=report["tracking"])
    Complaint.objects.filter(pk=complaint.pk).update(submitted_at=complaint.submitted_at - three_days)
    for step in WorkflowStep.objects.filter(subject_type="complaint", subject_id=complaint.pk):
        WorkflowStep.objects.filter(pk=step.pk).update(at=step.at - three_days)
    rollups_rebuild()
    filed_on, today = local_date(complaint.submitted_at - three_days), local_date(timezone.now())
    assert SubjectDayRollup.objects.get(kind="complaint", day=filed_on, submitted=1).agency_id is None

    live_room, pupr = bearer_client(operator), bearer_client(personas["pupr.penghubung"])
    act_ok(live_room, report["tracking"], "dispose", agency="PUPR")
    act_ok(pupr, report["tracking"], "accept")
    act_ok(pupr, report["tracking"], "resolve", reason="Diganti")
    act_ok(live_room, report["tracking"], "verify_completion")
    act_ok(bearer_client(warga1), report["tracking"], "reopen", reason="Masih mati")
    act_ok(pupr, report["tracking"], "resolve", reason="Diganti lagi")
    act_ok(live_room, report["tracking"], "verify_completion")
    act_ok(bearer_client(warga1), report["tracking"], "confirm")
    drain()  # the worker's pass

    pupr_id = Agency.objects.get(code="PUPR").pk
    submitted = SubjectDayRollup.objects.get(kind="complaint", day=filed_on, submitted=1)
    assert submitted.agency_id == pupr_id  # the day it was filed now counts it for the agency that holds it
    assert submitted.responded == 1
    closed = SubjectDayRollup.objects.get(kind="complaint", closed=1)
    assert (closed.day, closed.agency_id, closed.reopened) == (today, pupr_id, 1)
    kept = _rollups()
    rollups_rebuild()
    assert _rollups() == kept


@pytest.mark.usefixtures("personas")
def test_the_median_and_p90_are_the_bounds_of_the_buckets_their_ranks_fall_in() -> None:
    cases_seed_synthetic(count=7, seed=3)
    hours = [5, 1, 30, 2, 8, 13, 3]  # sorted: 1 2 3 5 8 13 30 -> median (rank 4) 5 h, p90 (rank 7) 30 h
    start = timezone.now() - dt.timedelta(days=10)
    for case, took in zip(Case.objects.order_by("pk"), hours, strict=True):
        Case.objects.filter(pk=case.pk).update(
            is_test=False, state_category="completed", submitted_at=start, closed_at=start + dt.timedelta(hours=took)
        )
    rollups_rebuild()
    today = local_date(timezone.now())

    figures = city_performance(start=today - dt.timedelta(days=30), end=today)["kinds"]["case"]["city"]

    seconds = [h * 3600.0 for h in hours]
    assert figures["completion_seconds"] == {
        "median": DURATION_BOUNDS[bucket(percentile(seconds, 0.5) or 0)],
        "p90": DURATION_BOUNDS[bucket(percentile(seconds, 0.9) or 0)],
        "n": 7,
    }
    assert figures["completion_seconds"]["median"] == 6 * 3600  # 5 h lies in the bucket (4 h, 6 h]
    assert figures["completion_seconds"]["p90"] == 36 * 3600  # 30 h lies in (24 h, 36 h]
    assert bucket(4 * 3600) == bucket(3 * 3600 + 1)  # an upper bound belongs to its own bucket
