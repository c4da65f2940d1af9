"""Agency systems on the API: clients and keys, scopes, rate limits and idempotent writes."""

import io
from typing import Any

import pytest
from django.test import Client

from kotalive.accounts.models import User
from kotalive.cases.models import Case
from kotalive.cases.tests.fixtures import submit_birth_certificate
from kotalive.conftest import bearer_client
from kotalive.documents.services import documents_sign_due
from kotalive.workflow.models import WorkflowStep

pytestmark = pytest.mark.django_db


def _create(admin: User, agency: str = "DISDUKCAPIL", **overrides: Any) -> Any:
    body = {"name": "SIAK", "scopes": ["cases:read", "cases:write"], "roles": ["verifier", "processor"], **overrides}
    return bearer_client(admin).post(
        f"/api/v1/agencies/{agency}/api-clients",
        body,
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )


def _system(key: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {key}"})


def test_an_agency_system_pulls_its_inbox_and_moves_a_case(dukcapil_admin: User, warga1: User) -> None:
    _client, case = submit_birth_certificate(warga1)
    created = _create(dukcapil_admin)
    assert created.status_code == 201, created.content
    key = created.json()["key"]
    assert key.startswith("klk_live_")
    listed = bearer_client(dukcapil_admin).get("/api/v1/agencies/DISDUKCAPIL/api-clients").json()
    assert "key" not in listed[0]
    assert listed[0]["keys"][0]["prefix"] == key[:17]

    system = _system(key)
    inbox = system.get("/api/v1/agency/cases").json()
    assert [c["tracking"] for c in inbox["items"]] == [case["tracking"]]
    moved = system.post(
        f"/api/v1/cases/{case['tracking']}/transitions",
        {"action": "start_verification", "version": case["version"]},
        content_type="application/json",
    )
    assert moved.status_code == 200, moved.content
    assert moved.json()["state"] == "verification"


def test_a_repeated_idempotency_key_returns_the_first_answer_and_changes_nothing(
    dukcapil_admin: User, warga1: User
) -> None:
    _client, case = submit_birth_certificate(warga1)
    system = _system(_create(dukcapil_admin).json()["key"])
    request = {"action": "start_verification", "version": case["version"]}
    path = f"/api/v1/cases/{case['tracking']}/transitions"

    first = system.post(path, request, content_type="application/json", headers={"Idempotency-Key": "abc-1"})
    again = system.post(path, request, content_type="application/json", headers={"Idempotency-Key": "abc-1"})

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Case.objects.get(tracking=case["tracking"]).version == case["version"] + 1
    assert WorkflowStep.objects.filter(action="start_verification").count() == 1

    other = system.post(
        path,
        {"action": "verify", "version": first.json()["version"]},
        content_type="application/json",
        headers={"Idempotency-Key": "abc-1", "Accept-Language": "en"},
    )
    assert other.status_code == 422
    assert other.json()["errors"][0]["field"] == "Idempotency-Key"


def test_a_key_calls_only_what_its_scopes_allow(dukcapil_admin: User) -> None:
    system = _system(_create(dukcapil_admin, name="dashboard", scopes=["events:read"], roles=[]).json()["key"])
    assert system.get("/api/v1/events").status_code == 200
    refused = system.get("/api/v1/agency/cases")
    assert refused.status_code == 403
    assert refused.json()["code"] == "scope"
    assert system.get("/api/v1/me").status_code == 403  # a person's endpoints are not for systems


def test_rotation_and_revocation(dukcapil_admin: User) -> None:
    admin = bearer_client(dukcapil_admin)
    created = _create(dukcapil_admin).json()
    old = created["key"]
    new = admin.post(f"/api/v1/agencies/DISDUKCAPIL/api-clients/{created['id']}/keys").json()["key"]
    assert _system(old).get("/api/v1/agency/cases").status_code == 200  # both work during the switch
    assert _system(new).get("/api/v1/agency/cases").status_code == 200

    revoked = admin.post(f"/api/v1/agencies/DISDUKCAPIL/api-clients/{created['id']}/keys/{old[:17]}/revoke")
    assert revoked.status_code == 204
    assert _system(old).get("/api/v1/agency/cases").status_code == 401
    assert _system(new).get("/api/v1/agency/cases").status_code == 200

    admin.post(f"/api/v1/agencies/DISDUKCAPIL/api-clients/{created['id']}/revoke")
    assert _system(new).get("/api/v1/agency/cases").status_code == 401


def test_requests_per_minute_are_limited(dukcapil_admin: User) -> None:
    system = _system(_create(dukcapil_admin, requests_per_minute=2).json()["key"])
    assert [system.get("/api/v1/agency/cases").status_code for _ in range(3)] == [200, 200, 429]


def test_a_dinsos_system_looks_residents_up_through_its_agreement(platform_admin: User) -> None:
    key = _create(platform_admin, agency="DINSOS", name="SIKS-NG", scopes=["registry:lookup"], roles=[]).json()["key"]
    from kotalive.demo.data import BUDI

    found = _system(key).post(
        "/api/v1/registry/lookup", {"nik": BUDI.nik, "purpose": "verifikasi-bansos"}, content_type="application/json"
    )
    assert found.status_code == 200, found.content
    assert set(found.json()["fields"]) == {"full_name", "birth_date", "kk_number", "address"}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [({"scopes": ["everything"]}, "scopes"), ({"roles": ["agency_admin"]}, "roles"), ({"name": ""}, "name")],
)
def test_a_bad_client_names_the_field(dukcapil_admin: User, overrides: dict, field: str) -> None:
    response = _create(dukcapil_admin, **overrides)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field


def test_only_the_agency_s_administrators_create_clients(verifier: User, dukcapil_admin: User) -> None:
    assert _create(verifier).status_code == 403
    assert _create(dukcapil_admin, agency="DINSOS").status_code == 403


def test_test_keys_work_test_cases_and_live_keys_live_ones(dukcapil_admin: User, warga1: User) -> None:
    from django.core.management import call_command

    _client, live_case = submit_birth_certificate(warga1)
    call_command("seed-cases", "--count", "200", stdout=io.StringIO())
    test = _system(
        _create(dukcapil_admin, name="SIAK sandbox", environment="test", roles=["verifier", "processor"]).json()["key"]
    )
    live = _system(_create(dukcapil_admin, name="SIAK").json()["key"])

    test_inbox = test.get("/api/v1/agency/cases?state=submitted").json()["items"]
    live_inbox = live.get("/api/v1/agency/cases?state=submitted").json()["items"]
    assert test_inbox
    assert all(Case.objects.get(tracking=c["tracking"]).is_test for c in test_inbox)
    assert [c["tracking"] for c in live_inbox] == [live_case["tracking"]]
    assert test.get(f"/api/v1/cases/{live_case['tracking']}").status_code == 404
    assert live.get(f"/api/v1/cases/{test_inbox[0]['tracking']}").status_code == 404

    synthetic = test.get(f"/api/v1/cases/{test_inbox[0]['tracking']}").json()
    moved = test.post(
        f"/api/v1/cases/{synthetic['tracking']}/transitions",
        {"action": "start_verification", "version": synthetic["version"]},
        content_type="application/json",
    )
    assert moved.status_code == 200, moved.content


@pytest.mark.usefixtures("app_only_notices")  # the subjects' events only, not deliveries'
def test_test_events_go_only_to_test_subscriptions_and_test_keys(
    dukcapil_admin: User, verifier: User, warga1: User
) -> None:
    from django.core.management import call_command

    from kotalive.events.tests.helpers import drain, three_steps
    from kotalive.events.tests.receiver import Receiver

    call_command("seed-cases", "--count", "200", stdout=io.StringIO())
    scopes = ["cases:read", "cases:write", "events:read", "webhooks:manage"]
    test = _system(
        _create(dukcapil_admin, name="sandbox", environment="test", scopes=scopes, roles=["verifier"]).json()["key"]
    )
    live = _system(_create(dukcapil_admin, name="SIAK", scopes=scopes, roles=["verifier"]).json()["key"])
    live_receiver, test_receiver = Receiver().start(), Receiver().start()
    try:
        for client, receiver in ((live, live_receiver), (test, test_receiver)):
            response = client.post(
                "/api/v1/webhooks/subscriptions", {"url": receiver.url}, content_type="application/json"
            )
            assert response.status_code == 201, response.content
        synthetic = test.get("/api/v1/agency/cases?state=submitted").json()["items"][0]
        moved = test.post(
            f"/api/v1/cases/{synthetic['tracking']}/transitions",
            {"action": "start_verification", "version": synthetic["version"]},
            content_type="application/json",
        )
        assert moved.status_code == 200, moved.content
        live_tracking = three_steps(warga1, verifier)
        drain()

        def subjects(receiver: Receiver) -> set[str]:
            import json

            return {json.loads(r.body)["subject"] for r in receiver.accepted()}

        assert subjects(test_receiver) == {synthetic["tracking"]}
        assert subjects(live_receiver) == {live_tracking}
        assert {e["subject"] for e in test.get("/api/v1/events").json()["items"]} == {synthetic["tracking"]}
        assert {e["subject"] for e in live.get("/api/v1/events").json()["items"]} == {live_tracking}
        assert {e["subject"] for e in bearer_client(verifier).get("/api/v1/events").json()["items"]} == {live_tracking}
        assert len(test.get("/api/v1/webhooks/subscriptions").json()) == 1  # its own environment's only
    finally:
        live_receiver.stop()
        test_receiver.stop()


def test_a_test_key_stays_out_of_the_registry(dukcapil_admin: User) -> None:
    key = _create(dukcapil_admin, name="sandbox", environment="test", scopes=["registry:lookup"], roles=[]).json()[
        "key"
    ]
    assert key.startswith("klk_test_")
    refused = _system(key).get("/api/v1/registry/purposes")
    assert refused.status_code == 403
    assert refused.json()["code"] == "test_key"
    assert _system(key).get("/api/v1/services").status_code == 200  # public reference data


def test_the_agency_s_system_attaches_the_output_and_the_citizen_downloads_it(
    dukcapil_admin: User, warga1: User, personas: dict
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kotalive.cases.tests.fixtures import PDF

    citizen, case = submit_birth_certificate(warga1)
    tracking = case["tracking"]
    system = _system(_create(dukcapil_admin, roles=["verifier", "processor", "approver", "head"]).json()["key"])
    not_yet = system.post(f"/api/v1/cases/{tracking}/output", {"upload": "x"}, content_type="application/json")
    assert not_yet.status_code == 422  # not completed yet
    version = case["version"]
    for action in ("start_verification", "verify", "submit_for_approval", "approve"):
        moved = system.post(
            f"/api/v1/cases/{tracking}/transitions",
            {"action": action, "version": version},
            content_type="application/json",
        )
        assert moved.status_code == 200, moved.content
        version = moved.json()["version"]
    upload = system.post("/api/v1/uploads", {"file": SimpleUploadedFile("akta.pdf", PDF)})
    assert upload.status_code == 201, upload.content

    attached = system.post(
        f"/api/v1/cases/{tracking}/output", {"upload": upload.json()["id"]}, content_type="application/json"
    )

    assert attached.status_code == 200, attached.content
    documents_sign_due()  # a birth certificate is also a document KotaLIVE signs: that one is served first
    link = citizen.get(f"/api/v1/cases/{tracking}").json()["output"]["document"]
    assert link == f"/api/v1/cases/{tracking}/output/document"
    download = citizen.get(link)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    assert bearer_client(personas["warga3"]).get(link).status_code == 404
    someone_elses = bearer_client(warga1).post("/api/v1/uploads", {"file": SimpleUploadedFile("x.pdf", PDF)})
    refused = system.post(
        f"/api/v1/cases/{tracking}/output", {"upload": someone_elses.json()["id"]}, content_type="application/json"
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "upload"


def test_idempotency_keys_are_forgotten_after_a_day(dukcapil_admin: User, warga1: User) -> None:
    import datetime as dt

    from django.utils import timezone

    from kotalive.agencies.idempotency import idempotency_forget_old
    from kotalive.agencies.models import IdempotentRequest

    _client, case = submit_birth_certificate(warga1)
    system = _system(_create(dukcapil_admin).json()["key"])
    system.post(
        f"/api/v1/cases/{case['tracking']}/messages",
        {"body": "Berkas sedang diperiksa"},
        content_type="application/json",
        headers={"Idempotency-Key": "m-1"},
    )
    assert IdempotentRequest.objects.count() == 1
    assert idempotency_forget_old() == 0
    assert idempotency_forget_old(now=timezone.now() + dt.timedelta(hours=25)) == 1
