"""The move of case ratings (cases.CaseRating) and report ratings (Complaint.rating) into the kernel's one model
(cases 0009, complaints 0005), run for real on the test database: ratings of both kinds survive, both ways."""

from typing import Any

import pytest

from kotalive.accounts.models import User
from kotalive.cases.models import Case
from kotalive.cases.tests.fixtures import submit_birth_certificate
from kotalive.complaints.models import Complaint
from kotalive.complaints.tests.helpers import file_report
from kotalive.workflow.models import Rating, WorkflowStep
from kotalive.workflow.tests.migrating import latest as latest_migrations
from kotalive.workflow.tests.migrating import migrate

BEFORE = [
    ("cases", "0008_escalations_in_workflow"),
    ("complaints", "0004_escalations_in_workflow"),
    ("workflow", "0002_escalation"),
]


def _rows() -> set[tuple[Any, ...]]:
    return {
        (kind, pk, scale, tuple(scores), comment, by, at)
        for kind, pk, scale, scores, comment, by, at in Rating.objects.values_list(
            "subject_type", "subject_id", "scale", "scores", "comment", "by", "at"
        )
    }


@pytest.mark.django_db(transaction=True)  # the schema changes: no test transaction around it
def test_ratings_of_cases_and_reports_move_into_the_kernel_and_back(warga1: User, warga2: User) -> None:
    citizen, body = submit_birth_certificate(warga1)
    case = Case.objects.get(tracking=body["tracking"])
    Case.objects.filter(pk=case.pk).update(state="completed", state_category="completed")
    reporter, filed = file_report(warga1)
    report = Complaint.objects.get(tracking=filed["tracking"])
    Complaint.objects.filter(pk=report.pk).update(state="awaiting_confirmation")
    scores = [4, 3, 4, 4, 3, 4, 4, 4, 2]
    json = "application/json"
    rate_case = citizen.post(f"/api/v1/cases/{case.tracking}/rating", {"scores": scores, "comment": "Cepat"}, json)
    rate_report = reporter.post(f"/api/v1/complaints/{report.tracking}/rating", {"score": 4, "comment": "Beres"}, json)
    assert (rate_case.status_code, rate_report.status_code) == (201, 201)
    rated = _rows()
    assert {row[:6] for row in rated} == {
        ("case", case.pk, "ikm", tuple(scores), "Cepat", warga1.pk),
        ("complaint", report.pk, "stars", (4,), "Beres", warga1.pk),
    }
    _client, other_filed = file_report(warga2, title="Lampu taman mati")
    other = Complaint.objects.get(tracking=other_filed["tracking"])
    latest = latest_migrations()
    try:
        # Back to before the move: the ratings are in the old table and fields again.
        old = migrate(BEFORE)
        old_ratings = old.get_model("cases", "CaseRating").objects
        old_reports = old.get_model("complaints", "Complaint").objects
        assert list(old_ratings.values_list("case_id", "scores", "comment")) == [(case.pk, scores, "Cepat")]
        assert old_reports.get(pk=report.pk).rating == 4
        assert old_reports.get(pk=report.pk).rating_comment == "Beres"
        assert old_reports.get(pk=other.pk).rating is None
        # A database deployed before the move also holds a report rated without a "rate" step on its timeline.
        old_reports.filter(pk=other.pk).update(rating=2, rating_comment="")
        other_changed = old_reports.get(pk=other.pk).updated_at

        migrate(latest)

        moved = _rows()
        assert len(moved) == 3
        assert {row for row in moved if row[0] == "case"} == {row for row in rated if row[0] == "case"}
        # A report's rating is dated by its "rate" step, or by the report's last change when it has none.
        step_at = WorkflowStep.objects.get(subject_type="complaint", subject_id=report.pk, action="rate").at
        assert ("complaint", report.pk, "stars", (4,), "Beres", warga1.pk, step_at) in moved
        assert ("complaint", other.pk, "stars", (2,), "", warga2.pk, other_changed) in moved
        assert reporter.get(f"/api/v1/complaints/{report.tracking}").json()["rating"] == 4
        assert citizen.get(f"/api/v1/cases/{case.tracking}").json()["rated"] is True
    finally:
        migrate(latest)
