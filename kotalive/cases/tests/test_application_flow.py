import pytest
from django.test import Client

from kotalive.accounts.models import User
from kotalive.cases.models import Case, CaseOutput
from kotalive.cases.tests.fixtures import birth_certificate_data, submit_birth_certificate, upload
from kotalive.conftest import bearer_client
from kotalive.events.models import OutboxEvent

pytestmark = pytest.mark.django_db


def _act(client: Client, tracking: str, action: str, version: int, **extra: object) -> tuple[int, dict]:
    response = client.post(
        f"/api/v1/cases/{tracking}/transitions",
        {"action": action, "version": version, **extra},
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )
    return response.status_code, response.json()


def test_a_citizen_applies_and_reads_the_case_back(warga1: User) -> None:
    client, case = submit_birth_certificate(warga1)

    assert case["tracking"].startswith("DISDUKCAPIL-")
    assert case["state"] == "submitted"
    assert case["public_status"] == "menunggu"
    assert case["due_date"] is not None
    assert case["timeline"][0]["action"] == "submit"
    assert {d["requirement"] for d in case["documents"]} == {"surat-kelahiran", "buku-nikah", "kk"}
    assert [a["action"] for a in case["actions"]] == ["cancel"]
    listed = client.get("/api/v1/cases").json()
    assert [c["tracking"] for c in listed] == [case["tracking"]]


def test_officers_move_the_case_to_completion(warga1: User, verifier: User, personas: dict) -> None:
    _client, case = submit_birth_certificate(warga1)
    tracking = case["tracking"]
    officer, head = bearer_client(verifier), bearer_client(personas["dukcapil.kadis"])

    inbox = officer.get("/api/v1/agency/cases").json()
    assert tracking in [c["tracking"] for c in inbox["items"]]

    version = case["version"]
    for client, action in [
        (officer, "start_verification"),
        (officer, "verify"),
        (officer, "submit_for_approval"),
        (head, "approve"),
    ]:
        status, body = _act(client, tracking, action, version)
        assert status == 200, body
        version = body["version"]

    assert body["state"] == "completed"
    assert body["public_status"] == "selesai"
    assert body["output"]["number"].startswith("AKTA-KELAHIRAN/")
    assert CaseOutput.objects.get(case__tracking=tracking).issued_by == personas["dukcapil.kadis"]
    events = list(OutboxEvent.objects.filter(subject=tracking).values_list("type", "sequence"))
    assert events == [
        ("id.kotalive.case.submitted", 1),
        ("id.kotalive.case.verification_started", 2),
        ("id.kotalive.case.verified", 3),
        ("id.kotalive.case.submitted_for_approval", 4),
        ("id.kotalive.case.completed", 5),
        ("id.kotalive.case.output_issued", 6),  # the completing transition's declared effect
        ("id.kotalive.case.bundle_offered", 7),  # a birth recorded on its own: the rest of the life event offered
    ]


def test_a_stale_version_is_a_409_naming_the_current_one(warga1: User, verifier: User) -> None:
    _client, case = submit_birth_certificate(warga1)
    officer = bearer_client(verifier)
    assert _act(officer, case["tracking"], "start_verification", case["version"])[0] == 200

    status, body = _act(officer, case["tracking"], "verify", case["version"])

    assert status == 409
    assert body["code"] == "stale_version"
    assert str(case["version"] + 1) in body["detail"]


def test_another_agency_s_officer_cannot_read_the_case(warga1: User, dinsos_officer: User) -> None:
    _client, case = submit_birth_certificate(warga1)

    response = bearer_client(dinsos_officer).get(f"/api/v1/cases/{case['tracking']}")

    assert response.status_code == 404
    assert _act(bearer_client(dinsos_officer), case["tracking"], "start_verification", 1)[0] == 404


def test_another_family_s_citizen_cannot_read_the_case(warga1: User, warga3: User) -> None:
    _client, case = submit_birth_certificate(warga1)

    assert bearer_client(warga3).get(f"/api/v1/cases/{case['tracking']}").status_code == 404
    assert bearer_client(warga3).get("/api/v1/cases").json() == []


def test_invalid_data_is_refused_field_by_field_and_creates_nothing(warga1: User) -> None:
    client = bearer_client(warga1)

    response = client.post(
        "/api/v1/cases",
        {
            "service": "akta-kelahiran",
            "data": birth_certificate_data(child_sex="X", child_birth_date="20-11-2026", child_name=""),
            "documents": {},
        },
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )

    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"data.child_sex", "data.child_birth_date", "data.child_name", "documents.kk"} <= fields
    assert Case.objects.count() == 0
    assert OutboxEvent.objects.count() == 0


def test_a_second_open_case_for_the_same_service_and_person_is_refused(warga1: User) -> None:
    client, first = submit_birth_certificate(warga1)

    response = client.post(
        "/api/v1/cases",
        {
            "service": "akta-kelahiran",
            "data": birth_certificate_data(),
            "documents": {"surat-kelahiran": upload(client), "buku-nikah": upload(client), "kk": upload(client)},
        },
        content_type="application/json",
    )

    assert response.status_code == 409
    assert response.json()["existing"]["tracking"] == first["tracking"]


def test_a_revision_names_the_wrong_requirement_and_pauses_the_clock(warga1: User, verifier: User) -> None:
    citizen, case = submit_birth_certificate(warga1)
    officer = bearer_client(verifier)
    _s, body = _act(officer, case["tracking"], "start_verification", case["version"])

    status, body = _act(
        officer,
        case["tracking"],
        "request_revision",
        body["version"],
        reason="Buku nikah tidak terbaca",
        requirements=["buku-nikah"],
    )

    assert status == 200
    assert body["sla_status"] == "paused"
    assert body["timeline"][-1]["data"]["requirements"] == ["buku-nikah"]
    replaced = citizen.post(
        f"/api/v1/cases/{case['tracking']}/documents",
        {"requirement": "buku-nikah", "upload": upload(citizen)},
        content_type="application/json",
    )
    assert replaced.status_code == 201
    status, body = _act(citizen, case["tracking"], "resubmit", body["version"])
    assert status == 200
    assert body["state"] == "verification"
    assert body["sla_status"] in {"on_track", "at_risk"}


def test_a_reason_is_required_to_reject(warga1: User, verifier: User) -> None:
    _client, case = submit_birth_certificate(warga1)
    officer = bearer_client(verifier)
    _s, body = _act(officer, case["tracking"], "start_verification", case["version"])

    status, body = _act(officer, case["tracking"], "reject", body["version"])

    assert status == 422
    assert body["errors"][0]["field"] == "reason"


def test_the_citizen_cannot_take_an_officer_s_action(warga1: User) -> None:
    client, case = submit_birth_certificate(warga1)

    status, body = _act(client, case["tracking"], "start_verification", case["version"])

    assert status == 403
    assert body["code"] == "role_not_allowed"


def test_the_applicant_cancels_before_processing(warga1: User) -> None:
    client, case = submit_birth_certificate(warga1)

    status, body = _act(client, case["tracking"], "cancel", case["version"], reason="Salah pilih layanan")

    assert status == 200
    assert body["state"] == "cancelled"
    assert body["actions"] == []


def test_a_completed_case_is_rated_once(warga1: User, verifier: User, personas: dict) -> None:
    citizen, case = submit_birth_certificate(warga1)
    version = case["version"]
    for client, action in [
        (bearer_client(verifier), "start_verification"),
        (bearer_client(verifier), "verify"),
        (bearer_client(verifier), "submit_for_approval"),
        (bearer_client(personas["dukcapil.kadis"]), "approve"),
    ]:
        version = _act(client, case["tracking"], action, version)[1]["version"]

    first = citizen.post(
        f"/api/v1/cases/{case['tracking']}/rating",
        {"scores": [4, 4, 3, 4, 4, 3, 4, 4, 3]},
        content_type="application/json",
    )
    again = citizen.post(
        f"/api/v1/cases/{case['tracking']}/rating", {"scores": [1] * 9}, content_type="application/json"
    )
    bad = citizen.post(f"/api/v1/cases/{case['tracking']}/rating", {"scores": [5] * 9}, content_type="application/json")

    assert first.status_code == 201
    assert again.status_code == 409
    assert bad.status_code == 422


def test_messages_and_internal_notes_are_audited_and_only_messages_are_events(warga1: User, verifier: User) -> None:
    from kotalive.core.models import AuditEntry

    _client, body = submit_birth_certificate(warga1)
    officer, tracking = bearer_client(verifier), body["tracking"]
    for payload in ({"body": "Mohon tunggu"}, {"body": "catatan rahasia", "internal": True}):
        response = officer.post(f"/api/v1/cases/{tracking}/messages", payload, content_type="application/json")
        assert response.status_code in (200, 201), response.content

    case = Case.objects.get(tracking=tracking)
    audited = set(AuditEntry.objects.filter(object_id=str(case.pk)).values_list("action", flat=True))
    assert {"case.message_posted", "case.note_added"} <= audited
    events = OutboxEvent.objects.filter(subject=tracking, type="id.kotalive.case.message_posted")
    assert events.count() == 1  # the internal note is no event: other parties' systems must not see it
