import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import translation

from kotalive.accounts.models import User
from kotalive.cases.models import Case
from kotalive.cases.presenters import case_detail
from kotalive.cases.selectors import case_queryset
from kotalive.cases.tests.fixtures import submit_birth_certificate
from kotalive.conftest import bearer_client

pytestmark = pytest.mark.django_db


def _live(tracking: str, language: str) -> dict:
    case = case_queryset().get(tracking=tracking)
    with translation.override(language):
        return json.loads(json.dumps(case_detail(case, case.applicant), cls=DjangoJSONEncoder))


def test_the_applicant_reads_the_same_view_the_live_query_builds(warga1: User, verifier: User) -> None:
    citizen, body = submit_birth_certificate(warga1)
    officer = bearer_client(verifier)
    tracking = body["tracking"]
    version = officer.post(
        f"/api/v1/cases/{tracking}/transitions",
        {"action": "start_verification", "version": body["version"]},
        content_type="application/json",
    ).json()["version"]
    officer.post(f"/api/v1/cases/{tracking}/messages", {"body": "Mohon tunggu"}, content_type="application/json")
    officer.post(
        f"/api/v1/cases/{tracking}/messages",
        {"body": "catatan rahasia", "internal": True},
        content_type="application/json",
    )
    officer.post(
        f"/api/v1/cases/{tracking}/assign", {"assignee": "dukcapil.verifikator"}, content_type="application/json"
    )

    assert set(Case.objects.get(tracking=tracking).snapshot) == {"id", "en"}  # the read below uses the stored view
    stored = citizen.get(f"/api/v1/cases/{tracking}").json()
    english = citizen.get(f"/api/v1/cases/{tracking}", headers={"Accept-Language": "en"}).json()

    assert stored == _live(tracking, "id")
    assert english == _live(tracking, "en")
    assert stored["version"] == version
    assert stored["assignee"] == "dukcapil.verifikator"
    assert "catatan rahasia" not in json.dumps(stored)
    assert [t["text"] for t in stored["timeline"] if t["kind"] == "message"] == ["Mohon tunggu"]
    assert stored["actions"][0]["label"] != english["actions"][0]["label"]


def test_a_synthetic_case_without_a_snapshot_is_read_live(warga1: User) -> None:
    _client, body = submit_birth_certificate(warga1)
    Case.objects.filter(tracking=body["tracking"]).update(snapshot={})

    response = bearer_client(warga1).get(f"/api/v1/cases/{body['tracking']}")

    assert response.status_code == 200
    assert response.json() == _live(body["tracking"], "id")


def test_every_kind_of_change_refreshes_the_stored_view(warga1: User, verifier: User) -> None:
    citizen, body = submit_birth_certificate(warga1)
    tracking = body["tracking"]
    assert Case.objects.get(tracking=tracking).snapshot["id"] == _live(tracking, "id")  # submission

    bearer_client(verifier).post(
        f"/api/v1/cases/{tracking}/assign", {"assignee": "dukcapil.verifikator"}, content_type="application/json"
    )
    assert Case.objects.get(tracking=tracking).snapshot["id"]["assignee"] == "dukcapil.verifikator"

    citizen.post(f"/api/v1/cases/{tracking}/messages", {"body": "Halo"}, content_type="application/json")
    assert Case.objects.get(tracking=tracking).snapshot["id"]["timeline"][-1]["text"] == "Halo"


def test_the_view_stored_at_submission_from_what_was_in_hand_is_the_one_the_database_gives(warga1: User) -> None:
    """The submission builds its stored view before the insert (no read back): it must not drift from the view
    built from the rows, in either language, nor from what the submission answered."""
    citizen, body = submit_birth_certificate(warga1)
    stored = Case.objects.get(tracking=body["tracking"]).snapshot

    for language in ("id", "en"):
        assert stored[language] == _live(body["tracking"], language)
    assert body == stored["id"]
    assert citizen.get(f"/api/v1/cases/{body['tracking']}").json() == stored["id"]
