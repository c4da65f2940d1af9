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
from kotalive.cases.tests.fixtures import submit_birth_certificate
from kotalive.complaints.models import Complaint
from kotalive.complaints.tests.helpers import act_ok, file_report
from kotalive.conftest import bearer_client
from kotalive.core.calendar import local_date
from kotalive.dashboard.city import city_performance
from kotalive.dashboard.models import (
    DURATION_BOUNDS,
    HANDOFF_KEYS,
    KELURAHAN_KEYS,
    SUBJECT_MONTH_KEYS,
    HandoffDayRollup,
    HandoffMonthRollup,
    KelurahanDayRollup,
    KelurahanMonthRollup,
    SubjectDayRollup,
    SubjectMonthRollup,
)
from kotalive.dashboard.rollups import bucket, rollups_rebuild
from kotalive.dashboard.spread import percentile
from kotalive.dashboard.sums import rollup_sums
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
    month_rows = [
        tuple(v for k, v in row.items() if k != "id")
        for model, keys in ((SubjectMonthRollup, SUBJECT_MONTH_KEYS), (KelurahanMonthRollup, KELURAHAN_KEYS),
                            (HandoffMonthRollup, HANDOFF_KEYS))
        for row in model.objects.order_by("day", *keys).values()  # type: ignore[attr-defined]
    ]  # fmt: skip
    return subject_rows + place_rows + ledger_rows + month_rows


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

    for model in (SubjectDayRollup, KelurahanDayRollup, HandoffDayRollup):
        model.objects.all().delete()  # type: ignore[attr-defined]
    for twin in (SubjectMonthRollup, KelurahanMonthRollup, HandoffMonthRollup):
        twin.objects.all().delete()  # type: ignore[attr-defined]
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


@pytest.mark.usefixtures("personas")
def test_a_period_sums_whole_months_from_the_month_rows_and_its_ends_from_the_days() -> None:
    cases_seed_synthetic(count=60, seed=5)
    now = timezone.now()
    for n, case in enumerate(Case.objects.order_by("pk")):  # one every other day over four months
        filed = now - dt.timedelta(days=2 * n, hours=1)
        Case.objects.filter(pk=case.pk).update(
            is_test=False, submitted_at=filed, closed_at=filed + dt.timedelta(days=1)
        )
    rollups_rebuild()
    today = local_date(now)
    assert SubjectMonthRollup.objects.values("day").distinct().count() >= 4

    for start, end in [
        (today - dt.timedelta(days=100), today),  # ragged at both ends, whole months between
        (today.replace(day=1) - dt.timedelta(days=1), today),  # the last day of a month, then this month
        ((today.replace(day=1) - dt.timedelta(days=40)).replace(day=1), today.replace(day=1) - dt.timedelta(days=1)),
        (today - dt.timedelta(days=3), today - dt.timedelta(days=3)),  # one day
    ]:
        summed = rollup_sums("case", start=start, end=end, fields=["submitted", "closed"])[0]
        days = SubjectDayRollup.objects.filter(kind="case", day__gte=start, day__lte=end)
        assert summed["submitted"] == sum(r.submitted for r in days), (start, end)
        assert summed["closed"] == sum(r.closed for r in days), (start, end)
        filing_days = [local_date(c.submitted_at) for c in Case.objects.all() if c.submitted_at]
        assert summed["submitted"] == sum(start <= day <= end for day in filing_days), (start, end)  # the raw rows


def test_a_day_marked_again_while_it_is_recounted_is_recounted_once_more(
    warga1: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kotalive.dashboard import rollups
    from kotalive.dashboard.models import RollupDirtyDay

    file_report(warga1)
    drain()
    assert not RollupDirtyDay.objects.exists()  # the worker's pass marked today and recounted it
    today = local_date(timezone.now())
    RollupDirtyDay.objects.create(kind="complaint", day=today, marked_at=timezone.now() - dt.timedelta(seconds=1))
    recount, calls = rollups.rollup_days, []

    def an_event_lands_during_the_first_recount(kind: str, days: Any) -> int:
        calls.append(list(days))
        done = recount(kind, days)
        if len(calls) == 1:  # the consumer marks the day again before this recount commits
            RollupDirtyDay.objects.filter(kind=kind, day=today).update(marked_at=timezone.now())
        return done

    monkeypatch.setattr(rollups, "rollup_days", an_event_lands_during_the_first_recount)

    assert rollups.rollups_catch_up() == 2  # the moved mark stayed and was taken again
    assert calls == [[today], [today]]
    assert not RollupDirtyDay.objects.exists()


def test_an_upload_first_held_by_an_older_application_moves_the_newer_one_s_count(warga1: User, warga2: User) -> None:
    from kotalive.cases.models import CaseDocument
    from kotalive.workflow.services import subject_event_write

    _c1, older = submit_birth_certificate(warga1)
    _c2, newer = submit_birth_certificate(warga2)
    older_case = Case.objects.get(tracking=older["tracking"])
    for tracking, days in ((older["tracking"], 5), (newer["tracking"], 2)):  # filed five and two days ago
        case = Case.objects.get(tracking=tracking)
        Case.objects.filter(pk=case.pk).update(submitted_at=case.submitted_at - dt.timedelta(days=days))  # type: ignore[operator]
        for step in WorkflowStep.objects.filter(subject_type="case", subject_id=case.pk):
            WorkflowStep.objects.filter(pk=step.pk).update(at=step.at - dt.timedelta(days=days))
    drain()  # the submissions' events are behind us
    rollups_rebuild()
    shared = CaseDocument.objects.filter(case__tracking=newer["tracking"]).first()
    assert shared is not None

    # The older application is given the newer one's upload (as case_document_replace does): the newer
    # application's day now counts it as held already, and only the older one's event says so.
    CaseDocument.objects.create(case=older_case, requirement=shared.requirement, upload=shared.upload)
    subject_event_write(subject=Case.objects.get(pk=older_case.pk), event="document_added", data={})
    drain()
    kept = _rollups()
    rollups_rebuild()

    assert _rollups() == kept
    two_days_ago = local_date(timezone.now() - dt.timedelta(days=2))
    assert SubjectDayRollup.objects.get(kind="case", day=two_days_ago).documents_shared == 1


def test_an_unknown_agency_has_no_figures_not_the_live_room_s(warga1: User) -> None:
    file_report(warga1)  # the Live Room holds it: agency None on its rollup row
    drain()
    today = local_date(timezone.now())
    assert rollup_sums("complaint", start=today, end=today, fields=["submitted"])[0]["submitted"] == 1
    assert rollup_sums("complaint", start=today, end=today, fields=["submitted"], agency="NOPE") == []


def test_a_withdrawn_application_closes_but_is_neither_met_nor_missed(warga1: User) -> None:
    client, case = submit_birth_certificate(warga1)
    cancelled = client.post(
        f"/api/v1/cases/{case['tracking']}/transitions",
        {"action": "cancel", "version": case["version"], "reason": "Salah pilih layanan"},
        content_type="application/json",
    )
    assert cancelled.status_code == 200, cancelled.content
    assert Case.objects.get(tracking=case["tracking"]).sla_status == "met"  # the stored clock stopped in time
    drain()

    closed = SubjectDayRollup.objects.get(kind="case", closed=1)
    assert (closed.met, closed.missed) == (0, 0)
