"""Coordination requests between agencies, through the API as officers and agency systems use it: DISDUKCAPIL asks
DINKES about a birth-certificate application; the case waits; DINKES's inbox and webhook get the request; the
answer reaches the case's internal timeline and the case resumes."""

import datetime as dt
import functools
import json
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
from django.db import connection
from django.test import Client

from kotalive.accounts.models import User
from kotalive.cases.models import Case
from kotalive.cases.tests.fixtures import submit_birth_certificate
from kotalive.conftest import bearer_client
from kotalive.coordination.models import CoordinationRequest
from kotalive.core.tests.simultaneous import at_once
from kotalive.events.catalogue import event_types
from kotalive.events.models import OutboxEvent
from kotalive.events.tests.helpers import drain, subscribe
from kotalive.events.tests.receiver import Receiver
from kotalive.notifications.models import Notification
from kotalive.workflow.models import Escalation, WorkflowStep
from kotalive.workflow.sweep import sla_sweep

REQUESTS = "/api/v1/coordination/requests"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver().start()
    yield running
    running.stop()


@pytest.fixture
def dinkes(personas: dict[str, User]) -> Client:
    return bearer_client(personas["dinkes.petugas"])


def _ask(officer: Client, parent_tracking: str, **overrides: Any) -> Any:
    body = {
        "parent": parent_tracking,
        "to_agency": "DINKES",
        "kind": "verify_document",
        "message": "Mohon verifikasi surat keterangan lahir dari RS Umum Kota Tangerang.",
        "due_working_days": 3,
        "blocking": True,
        **overrides,
    }
    return officer.post(REQUESTS, body, content_type="application/json")


def _move(client: Client, tracking: str, action: str, **fields: Any) -> Any:
    version = client.get(f"{REQUESTS}/{tracking}").json()["version"]
    return client.post(
        f"{REQUESTS}/{tracking}/transitions", {"action": action, "version": version, **fields}, "application/json"
    )


def test_a_request_reaches_the_asked_agency_the_case_waits_and_resumes_with_the_answer(
    warga1: User, verifier: User, operator: User, dinkes: Client, receiver: Receiver
) -> None:
    subscribe(bearer_client(operator), receiver.url, agency="DINKES")
    applicant, case = submit_birth_certificate(warga1)
    officer = bearer_client(verifier)

    asked = _ask(officer, case["tracking"])

    assert asked.status_code == 201, asked.content
    tracking = asked.json()["tracking"]
    assert tracking.startswith("KOORD-")
    assert (asked.json()["from_agency"], asked.json()["to_agency"], asked.json()["state"]) == (
        "DISDUKCAPIL",
        "DINKES",
        "requested",
    )
    waiting = Case.objects.get(tracking=case["tracking"])
    assert (waiting.state, waiting.state_category, waiting.resume_state) == (
        "awaiting_agency",
        "awaiting_agency",
        "submitted",
    )
    inbox = dinkes.get("/api/v1/agency/coordination?direction=incoming").json()
    assert [r["tracking"] for r in inbox] == [tracking]
    drain()
    delivered = [json.loads(r.body) for r in receiver.accepted()]
    assert ("id.kotalive.coordination.requested", tracking) in {(e["type"], e["subject"]) for e in delivered}
    # The citizen sees that the case waits, not what was asked.
    seen = applicant.get(f"/api/v1/cases/{case['tracking']}").json()
    assert seen["state"] == "awaiting_agency"
    assert "RS Umum" not in json.dumps(seen)

    answered = _move(dinkes, tracking, "answer", reason="Surat keterangan lahir sah, terdaftar di RSU.")

    assert answered.status_code == 200, answered.content
    assert answered.json()["state"] == "answered"
    resumed = Case.objects.get(tracking=case["tracking"])
    assert (resumed.state, resumed.resume_state) == ("submitted", "")
    staff_view = officer.get(f"/api/v1/cases/{case['tracking']}").json()["timeline"]
    notes = [e["text"] for e in staff_view if e["kind"] == "note"]
    assert any("RS Umum" in n for n in notes)
    assert any("terdaftar di RSU" in n for n in notes)
    assert "terdaftar di RSU" not in json.dumps(applicant.get(f"/api/v1/cases/{case['tracking']}").json())
    drain()
    assert Notification.objects.filter(user=verifier, kind="coordination.answered", subject=tracking).exists()
    catalogue = event_types()
    written = OutboxEvent.objects.filter(subject__in=[tracking, case["tracking"]])
    assert {"id.kotalive.coordination.answered", "id.kotalive.case.awaiting_agency", "id.kotalive.case.resumed"} <= {
        e.type for e in written
    }
    for event in written:  # every event matches the schema the catalogue publishes for its type
        jsonschema.Draft202012Validator(catalogue[event.type]).validate(event.data)


def test_asking_back_pauses_the_clock_and_the_reply_resumes_it(warga1: User, verifier: User, dinkes: Client) -> None:
    _applicant, case = submit_birth_certificate(warga1)
    officer = bearer_client(verifier)
    tracking = _ask(officer, case["tracking"]).json()["tracking"]
    assert _move(dinkes, tracking, "accept").status_code == 200

    asked_back = _move(dinkes, tracking, "ask_back", reason="Lampirkan nomor register RS.")

    assert asked_back.json()["state"] == "asked_back"
    paused = CoordinationRequest.objects.get(tracking=tracking)
    assert paused.sla_status == "paused"
    assert paused.paused_at is not None
    assert _move(dinkes, tracking, "reply", reason="x").status_code == 403  # only the asking agency replies
    replied = _move(officer, tracking, "reply", reason="Nomor register 123/RSU/2026.")
    assert replied.json()["state"] == "accepted"
    again = CoordinationRequest.objects.get(tracking=tracking)
    assert again.sla_status == "on_track"
    assert again.paused_at is None
    assert again.due_at is not None
    assert paused.due_at is not None
    assert again.due_at >= paused.due_at  # the due date moved by the paused working days (none, in one day)
    assert Case.objects.get(tracking=case["tracking"]).state == "awaiting_agency"  # still waiting for the answer


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"to_agency": "NOPE"}, "to_agency"),
        ({"to_agency": "DINDIK"}, "to_agency"),  # no cooperation agreement DISDUKCAPIL -> DINDIK
        ({"to_agency": "DISDUKCAPIL"}, "to_agency"),  # its own agency
        ({"kind": "gossip"}, "kind"),
        ({"due_working_days": 0}, "due_working_days"),
        ({"due_working_days": 30}, "due_working_days"),  # longer than the agreement allows
        ({"message": "  "}, "message"),
        ({"parent": "DISDUKCAPIL-20990101-1"}, "parent"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(
    warga1: User, verifier: User, overrides: dict[str, Any], field: str
) -> None:
    _applicant, case = submit_birth_certificate(warga1)

    refused = _ask(bearer_client(verifier), case["tracking"], **overrides)

    assert refused.status_code == 422, refused.content
    assert field in {e["field"] for e in refused.json()["errors"]}
    assert not CoordinationRequest.objects.exists()
    assert Case.objects.get(tracking=case["tracking"]).state == "submitted"


def test_only_the_agency_holding_the_parent_asks_and_only_the_two_agencies_read(
    warga1: User, verifier: User, dinsos_officer: User, dinkes: Client
) -> None:
    _applicant, case = submit_birth_certificate(warga1)
    refused = _ask(bearer_client(dinsos_officer), case["tracking"])
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "parent"
    assert _ask(bearer_client(warga1), case["tracking"]).status_code == 422  # a citizen holds nothing
    tracking = _ask(bearer_client(verifier), case["tracking"]).json()["tracking"]

    assert bearer_client(dinsos_officer).get(f"{REQUESTS}/{tracking}").status_code == 404
    assert bearer_client(warga1).get(f"{REQUESTS}/{tracking}").status_code == 404
    assert dinkes.get(f"{REQUESTS}/{tracking}").status_code == 200


def test_a_closed_request_takes_no_answer_and_a_stale_version_is_refused(
    warga1: User, verifier: User, dinkes: Client
) -> None:
    _applicant, case = submit_birth_certificate(warga1)
    tracking = _ask(bearer_client(verifier), case["tracking"]).json()["tracking"]
    version = dinkes.get(f"{REQUESTS}/{tracking}").json()["version"]
    assert _move(dinkes, tracking, "decline", reason="Bukan kewenangan kami").status_code == 200
    assert Case.objects.get(tracking=case["tracking"]).state == "submitted"  # resumed: nothing left to wait for

    stale = dinkes.post(
        f"{REQUESTS}/{tracking}/transitions",
        {"action": "answer", "version": version, "reason": "x"},
        "application/json",
    )
    late = _move(dinkes, tracking, "answer", reason="Ternyata bisa")

    assert stale.status_code == 409
    assert late.status_code == 422
    assert late.json()["code"] == "action_not_available"
    assert CoordinationRequest.objects.get(tracking=tracking).answer == ""


def test_an_overdue_request_reminds_the_asked_agency_and_escalates_to_its_head(
    warga1: User, verifier: User, personas: dict[str, User]
) -> None:
    _applicant, case = submit_birth_certificate(warga1)
    tracking = _ask(bearer_client(verifier), case["tracking"]).json()["tracking"]
    request = CoordinationRequest.objects.get(tracking=tracking)
    assert request.due_at is not None

    swept = sla_sweep("coordination", now=request.due_at + dt.timedelta(days=7))

    assert swept.escalations == 3
    rules = dict(Escalation.objects.filter(subject_type="coordination").values_list("target", "notified__username"))
    assert rules["liaison"] in {"dinkes.petugas", "dinkes.penghubung"}
    assert rules["operator"] == "kominfo.operator"
    assert Notification.objects.filter(kind="coordination.escalated", subject=tracking).exists()


@pytest.mark.django_db(transaction=True)  # each thread has its own connection: the answers must really commit
def test_two_blocking_requests_answered_at_once_resume_the_case_once_after_both(
    warga1: User, verifier: User, personas: dict[str, User]
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("simultaneous writers are a PostgreSQL deployment; SQLite queues writers (BEGIN IMMEDIATE)")
    _applicant, case = submit_birth_certificate(warga1)
    officer = bearer_client(verifier)
    first = _ask(officer, case["tracking"]).json()["tracking"]
    second = _ask(officer, case["tracking"], to_agency="DINSOS", kind="provide_data").json()["tracking"]
    answerers = {first: personas["dinkes.petugas"], second: personas["dinsos.petugas"]}
    versions = {t: bearer_client(u).get(f"{REQUESTS}/{t}").json()["version"] for t, u in answerers.items()}

    def answer(tracking: str) -> int:
        response = bearer_client(answerers[tracking]).post(
            f"{REQUESTS}/{tracking}/transitions",
            {"action": "answer", "version": versions[tracking], "reason": "Sudah dicek."},
            content_type="application/json",
        )
        return int(response.status_code)

    answers = at_once([functools.partial(answer, t) for t in answerers])

    assert answers == [200, 200]
    parent = Case.objects.get(tracking=case["tracking"])
    assert (parent.state, parent.resume_state) == ("submitted", "")
    moves = list(
        WorkflowStep.objects.filter(subject_type="case", subject_id=parent.pk, action__in=["await_agency", "resume"])
        .order_by("at", "id")
        .values_list("action", flat=True)
    )
    assert moves == ["await_agency", "resume"]  # waited once (the second request found it waiting), resumed once


def test_agency_systems_ask_and_answer_with_their_keys_and_scopes(
    warga1: User, dukcapil_admin: User, platform_admin: User
) -> None:
    def key(admin: User, agency: str, scopes: list[str], roles: list[str]) -> Client:
        made = bearer_client(admin).post(
            f"/api/v1/agencies/{agency}/api-clients",
            {"name": f"Sistem {agency} {' '.join(scopes)}", "scopes": scopes, "roles": roles},
            content_type="application/json",
        )
        assert made.status_code == 201, made.content
        return Client(headers={"Authorization": f"Bearer {made.json()['key']}"})

    _applicant, case = submit_birth_certificate(warga1)
    siak = key(dukcapil_admin, "DISDUKCAPIL", ["coordination:write", "coordination:read"], ["verifier"])
    simrs = key(platform_admin, "DINKES", ["coordination:read", "coordination:write"], ["liaison"])
    cases_only = key(dukcapil_admin, "DISDUKCAPIL", ["cases:read"], ["verifier"])

    assert _ask(cases_only, case["tracking"]).status_code == 403  # no coordination scope
    asked = _ask(siak, case["tracking"])
    assert asked.status_code == 201, asked.content
    tracking = asked.json()["tracking"]
    incoming = simrs.get("/api/v1/agency/coordination?direction=incoming")
    assert [r["tracking"] for r in incoming.json()] == [tracking]
    answered = _move(simrs, tracking, "answer", reason="Terverifikasi di SIMRS.")
    assert answered.status_code == 200, answered.content
    assert Case.objects.get(tracking=case["tracking"]).state == "submitted"


def test_a_report_waiting_for_its_reporter_is_not_parked_and_a_refusal_s_reason_reaches_the_parent(
    warga1: User, verifier: User, operator: User, personas: dict[str, User], dinkes: Client
) -> None:
    from kotalive.complaints.tests.helpers import act_ok, file_report

    _reporter, filed = file_report(warga1)
    tracking = filed["tracking"]
    live_room = bearer_client(operator)
    act_ok(live_room, tracking, "dispose", agency="PUPR")
    pupr = bearer_client(personas["pupr.penghubung"])
    act_ok(pupr, tracking, "accept")
    act_ok(pupr, tracking, "resolve", reason="Selesai")
    act_ok(live_room, tracking, "verify_completion")
    refused = pupr.post(
        REQUESTS,
        {"parent": tracking, "to_agency": "DISHUB", "kind": "opinion", "message": "?", "due_working_days": 2},
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "parent"
    assert "waits for the citizen" in refused.json()["errors"][0]["message"]

    _applicant, case = submit_birth_certificate(warga1)
    asked = _ask(bearer_client(verifier), case["tracking"]).json()["tracking"]
    assert _move(dinkes, asked, "decline", reason="Di luar kewenangan DINKES").status_code == 200
    notes = [e["text"] for e in bearer_client(verifier).get(f"/api/v1/cases/{case['tracking']}").json()["timeline"]]
    assert any("Di luar kewenangan DINKES" in n for n in notes)
