"""One rating per subject for every kind (workflow.subject_rate): an application's IKM rating and a report's score
land in workflow.Rating; a second rating is refused alike for both, by the database's unique constraint."""

from typing import Any

import pytest
from django.db import IntegrityError, transaction

from kotalive.accounts.models import User
from kotalive.cases.models import Case
from kotalive.cases.tests.fixtures import submit_birth_certificate
from kotalive.complaints.models import Complaint
from kotalive.complaints.tests.helpers import file_report
from kotalive.core.errors import ValidationFailed
from kotalive.workflow.models import Rating
from kotalive.workflow.services import subject_rate

EN = {"Accept-Language": "en"}


def _completed_case(user: User) -> tuple[Any, str]:
    client, body = submit_birth_certificate(user)
    Case.objects.filter(tracking=body["tracking"]).update(state="completed", state_category="completed")
    return client, body["tracking"]


def _finished_report(user: User) -> tuple[Any, str]:
    client, filed = file_report(user)
    Complaint.objects.filter(tracking=filed["tracking"]).update(state="awaiting_confirmation")
    return client, filed["tracking"]


def test_a_second_rating_of_a_case_and_of_a_report_is_the_same_refusal(warga1: User) -> None:
    # Given a completed application and a finished report, each rated once
    citizen, case = _completed_case(warga1)
    reporter, report = _finished_report(warga1)
    nine = {"scores": [4] * 9}
    first_case = citizen.post(f"/api/v1/cases/{case}/rating", nine, content_type="application/json")
    first_report = reporter.post(f"/api/v1/complaints/{report}/rating", {"score": 4}, content_type="application/json")
    assert (first_case.status_code, first_report.status_code) == (201, 201)
    assert first_report.json()["rating"] == 4
    assert first_case.json()["rated"] is True

    # When each is rated again
    again_case = citizen.post(f"/api/v1/cases/{case}/rating", nine, content_type="application/json", headers=EN)
    again_report = reporter.post(
        f"/api/v1/complaints/{report}/rating", {"score": 1}, content_type="application/json", headers=EN
    )

    # Then both are refused with the same status, code and sentence, and the first ratings stand
    assert (again_case.status_code, again_case.json()["code"]) == (409, "already_rated")
    assert (again_report.status_code, again_report.json()["code"]) == (409, "already_rated")
    assert again_case.json()["detail"] == again_report.json()["detail"]
    assert sorted(Rating.objects.values_list("subject_type", "scale", "scores")) == [
        ("case", "ikm", [4] * 9),
        ("complaint", "stars", [4]),
    ]
    assert set(Rating.objects.values_list("by", flat=True)) == {warga1.pk}


@pytest.mark.parametrize(
    ("scale", "scores", "field"),
    [
        ("ikm", [5] * 9, "scores"),
        ("ikm", [4] * 8, "scores"),
        ("ikm", [0, 1, 2, 3, 4, 4, 4, 4, 4], "scores"),
        ("stars", [6], "score"),
        ("stars", [0], "score"),
        ("stars", [3, 3], "score"),
    ],
)
def test_scores_outside_the_scale_are_refused_naming_the_field(
    warga1: User, scale: str, scores: list[int], field: str
) -> None:
    _client, tracking = _completed_case(warga1)
    case = Case.objects.get(tracking=tracking)
    with pytest.raises(ValidationFailed) as refused:
        subject_rate(subject=case, actor=warga1, scale=scale, scores=scores, comment="")
    assert list(refused.value.errors) == [field]
    assert not Rating.objects.exists()


def test_bad_scores_through_the_api_name_the_field(warga1: User) -> None:
    citizen, case = _completed_case(warga1)
    reporter, report = _finished_report(warga1)
    bad_case = citizen.post(f"/api/v1/cases/{case}/rating", {"scores": [5] * 9}, content_type="application/json")
    bad_report = reporter.post(f"/api/v1/complaints/{report}/rating", {"score": 9}, content_type="application/json")
    assert bad_case.status_code == bad_report.status_code == 422
    assert [e["field"] for e in bad_case.json()["errors"]] == ["scores"]
    assert [e["field"] for e in bad_report.json()["errors"]] == ["score"]


def test_the_database_refuses_a_second_rating_behind_the_services_back(warga1: User) -> None:
    _client, tracking = _completed_case(warga1)
    case = Case.objects.get(tracking=tracking)
    subject_rate(subject=case, actor=warga1, scale="ikm", scores=[3] * 9, comment="Baik")
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(subject_type="case", subject_id=case.pk, scale="ikm", scores=[1] * 9, by=warga1)
    assert Rating.objects.get().comment == "Baik"
