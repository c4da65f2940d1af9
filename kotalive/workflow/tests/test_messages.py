"""One message mechanism for every kind (workflow.messages): messages between the citizen and those handling the
subject are events; internal notes are for the handling staff only, on reports as on applications."""

from typing import Any

import pytest

from kotalive.accounts.models import User
from kotalive.cases.tests.fixtures import submit_birth_certificate
from kotalive.complaints.models import Complaint
from kotalive.complaints.tests.helpers import act_ok, file_report
from kotalive.conftest import bearer_client
from kotalive.events.models import OutboxEvent
from kotalive.workflow.models import Message, WorkflowStep
from kotalive.workflow.tests.migrating import latest as latest_migrations
from kotalive.workflow.tests.migrating import migrate


def _post(client: Any, path: str, **body: Any) -> Any:
    return client.post(path, body, content_type="application/json")


def test_an_internal_note_on_a_report_is_for_the_agencies_not_the_reporter_and_no_event(
    warga1: User, operator: User, personas: dict[str, User]
) -> None:
    reporter, filed = file_report(warga1)
    tracking = filed["tracking"]
    act_ok(bearer_client(operator), tracking, "dispose", agency="PUPR")
    agency = bearer_client(personas["pupr.penghubung"])
    events_before = OutboxEvent.objects.filter(subject=tracking).count()

    response = _post(agency, f"/api/v1/complaints/{tracking}/messages", body="Cek ke lokasi besok pagi", internal=True)

    assert response.status_code == 201, response.content
    assert [e["text"] for e in response.json()["timeline"] if e["action"] == "note"] == ["Cek ke lokasi besok pagi"]
    assert OutboxEvent.objects.filter(subject=tracking).count() == events_before
    seen = reporter.get(f"/api/v1/complaints/{tracking}").json()
    assert "Cek ke lokasi besok pagi" not in str(seen)
    refused = _post(reporter, f"/api/v1/complaints/{tracking}/messages", body="Catatan saya", internal=True)
    assert refused.status_code == 403
    assert not Message.objects.filter(body="Catatan saya").exists()


def test_a_message_is_checked_the_same_way_on_both_kinds(warga1: User) -> None:
    reporter, filed = file_report(warga1)
    applicant, body = submit_birth_certificate(warga1)
    long = "x" * 4001

    refusals = [
        _post(reporter, f"/api/v1/complaints/{filed['tracking']}/messages", body=long).json(),
        _post(applicant, f"/api/v1/cases/{body['tracking']}/messages", body=long).json(),
    ]

    assert refusals[0]["errors"] == refusals[1]["errors"]
    assert refusals[0]["errors"][0]["field"] == "body"
    assert not Message.objects.exists()


@pytest.mark.django_db(transaction=True)  # the schema changes: no test transaction around it
def test_messages_of_both_old_tables_move_into_the_kernel_with_their_timeline_steps(
    warga1: User, verifier: User
) -> None:
    reporter, filed = file_report(warga1)
    assert _post(reporter, f"/api/v1/complaints/{filed['tracking']}/messages", body="Sudah seminggu").status_code == 201
    applicant, body = submit_birth_certificate(warga1)
    assert _post(applicant, f"/api/v1/cases/{body['tracking']}/messages", body="Kapan selesai?").status_code == 201
    officer = bearer_client(verifier)
    assert (
        _post(officer, f"/api/v1/cases/{body['tracking']}/messages", body="Berkas dicek", internal=True).status_code
        == 201
    )
    latest = latest_migrations()
    try:
        old = migrate([("cases", "0010_holdings_and_timeouts"), ("complaints", "0006_holdings_in_workflow")])
        assert list(old.get_model("complaints", "Message").objects.values_list("body", flat=True)) == ["Sudah seminggu"]
        assert sorted(old.get_model("cases", "CaseMessage").objects.values_list("body", "internal")) == [
            ("Berkas dicek", True),
            ("Kapan selesai?", False),
        ]
        # Make the old ids differ from the kernel's, as on a database with messages of both kinds.
        old.get_model("complaints", "Message").objects.create(
            complaint_id=old.get_model("complaints", "Complaint").objects.get().pk,
            author_id=warga1.pk,
            author_role="reporter",
            body="pad",
        )

        migrate(latest)

        moved = {m.body: m for m in Message.objects.all()}
        assert (moved["Berkas dicek"].internal, moved["Berkas dicek"].author_role) == (True, "staff")
        assert (moved["Kapan selesai?"].subject_type, moved["Kapan selesai?"].author_role) == ("case", "citizen")
        step = WorkflowStep.objects.get(subject_type="complaint", action="message")
        assert step.data["message_id"] == moved["Sudah seminggu"].pk  # the timeline still shows its text
        shown = reporter.get(f"/api/v1/complaints/{filed['tracking']}").json()["timeline"]
        assert [e["text"] for e in shown if e["action"] == "message"] == ["Sudah seminggu"]
    finally:
        migrate(latest)


def test_a_note_is_for_those_handling_the_report_now_and_moves_no_public_date(
    warga1: User, operator: User, personas: dict[str, User]
) -> None:
    _reporter, filed = file_report(warga1)
    tracking = filed["tracking"]
    live_room = bearer_client(operator)
    act_ok(live_room, tracking, "dispose", agency="PUPR")
    updated = Complaint.objects.get(tracking=tracking).updated_at
    assert _post(live_room, f"/api/v1/complaints/{tracking}/messages", body="Cek PJU", internal=True).status_code == 201
    assert Complaint.objects.get(tracking=tracking).updated_at == updated
    pupr = bearer_client(personas["pupr.penghubung"])
    assert "Cek PJU" in str(pupr.get(f"/api/v1/complaints/{tracking}").json()["timeline"])
    act_ok(pupr, tracking, "hand_off", agency="DISHUB", reason="Bukan kami")

    after = pupr.get(f"/api/v1/complaints/{tracking}")

    assert after.status_code == 200  # PUPR still reads the trail of a report it held ...
    assert "Cek PJU" not in str(after.json()["timeline"])  # ... but no longer the notes of those handling it
