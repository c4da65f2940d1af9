"""The SP4N-LAPOR! bridge against a real HTTP fake of the national system, the reporter's notices, and the sweep's
escalations and automatic close."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from kotalive.agencies.machine import api_client_create
from kotalive.agencies.models import Agency
from kotalive.complaints.lapor import lapor_send_due
from kotalive.complaints.models import Complaint, LaporMessage
from kotalive.complaints.sweep import complaint_sweep
from kotalive.complaints.tests.fake_lapor import FakeLapor
from kotalive.complaints.tests.helpers import act_ok, file_report
from kotalive.conftest import bearer_client
from kotalive.events.tests.helpers import drain
from kotalive.notifications.models import Notification
from kotalive.workflow.models import Escalation

pytestmark = pytest.mark.django_db


@pytest.fixture
def lapor(settings):
    fake = FakeLapor().start()
    settings.KOTALIVE_LAPOR_URL = fake.url
    settings.KOTALIVE_LAPOR_TOKEN = fake.token
    yield fake
    fake.stop()


def test_reports_and_answers_reach_lapor_once_and_in_order_even_when_it_is_down(personas, warga1, operator, lapor):
    _citizen, filed = file_report(warga1)
    tracking = filed["tracking"]
    live_room, dishub = bearer_client(operator), bearer_client(personas["dishub.penghubung"])
    act_ok(live_room, tracking, "dispose", agency="DISHUB")
    lapor.failing = True
    drain()
    assert lapor_send_due() == 0  # LAPOR! is down: nothing is lost, the messages wait
    assert LaporMessage.objects.filter(sent_at__isnull=True).count() == 2
    lapor.failing = False
    LaporMessage.objects.update(next_attempt_at=timezone.now())  # the backoff has passed
    act_ok(dishub, tracking, "accept")
    act_ok(dishub, tracking, "resolve", reason="Lampu diganti")
    drain()
    lapor_send_due()
    lapor_send_due()  # replies follow once the report has its LAPOR! id
    assert list(lapor.reports) == ["LAPOR-1"]
    assert lapor.reports["LAPOR-1"]["reference"] == tracking
    assert warga1.full_name not in str(lapor.reports)  # the reporter's identity stays in the city
    assert [(lapor_id, body["status"]) for lapor_id, body in lapor.responses] == [
        ("LAPOR-1", "disposed"),
        ("LAPOR-1", "resolved"),
    ]
    assert Complaint.objects.get(tracking=tracking).lapor_id == "LAPOR-1"
    LaporMessage.objects.update(sent_at=None)  # as if the worker died before recording: sent again ...
    lapor_send_due()
    lapor_send_due()
    assert len(lapor.responses) == 2  # ... and LAPOR! drops the repeats by their Idempotency-Key


def test_off_unless_configured(personas, warga1, operator):
    file_report(warga1)
    drain()
    assert LaporMessage.objects.count() == 0
    assert lapor_send_due() == 0


def _lapor_system(admin):
    _client, key = api_client_create(
        actor=admin,
        agency=Agency.objects.get(code="DISKOMINFO"),
        name="SP4N-LAPOR!",
        scopes=["lapor"],
        roles=[],
    )
    return Client(headers={"Authorization": f"Bearer {key}"})


def test_lapor_sends_reports_and_replies_in(personas, platform_admin, operator):
    system = _lapor_system(platform_admin)
    report = {
        "lapor_id": "LAPOR-9001",
        "category": "roads",
        "title": "Jalan berlubang",
        "content": "Lubang besar di Jl. Daan Mogot dekat halte.",
        "address": "Jl. Daan Mogot",
        "reporter": {"name": "Rahmat", "phone": "+628111"},
    }
    first = system.post("/api/v1/lapor/reports", report, content_type="application/json")
    assert first.status_code == 201, first.content
    again = system.post("/api/v1/lapor/reports", report, content_type="application/json")
    assert (again.status_code, again.json()["tracking"]) == (200, first.json()["tracking"])
    complaint = Complaint.objects.get()
    assert (complaint.source, complaint.lapor_id, complaint.state) == ("lapor", "LAPOR-9001", "triage")
    reply = system.post(
        "/api/v1/lapor/replies",
        {"lapor_id": "LAPOR-9001", "body": "Mohon ditindaklanjuti"},
        content_type="application/json",
    )
    assert reply.status_code == 201
    seen = bearer_client(operator).get(f"/api/v1/complaints/{complaint.tracking}").json()
    assert seen["timeline"][-1]["text"] == "Mohon ditindaklanjuti"
    missing = system.post("/api/v1/lapor/replies", {"lapor_id": "nope", "body": "x"}, content_type="application/json")
    assert missing.status_code == 404
    assert system.get(f"/api/v1/complaints/{complaint.tracking}").status_code == 403  # its key only sends


def test_the_reporter_hears_of_the_live_room_and_agency_steps(personas, warga1, operator):
    _citizen, filed = file_report(warga1)
    act_ok(bearer_client(operator), filed["tracking"], "dispose", agency="DISHUB")
    drain()
    kinds = list(Notification.objects.filter(user=warga1).values_list("kind", flat=True))
    assert kinds == ["complaint.disposed"]


def test_the_sweep_escalates_along_the_chain_once_per_rule_and_holder(personas, warga1, operator):
    _citizen, filed = file_report(warga1)
    tracking = filed["tracking"]
    act_ok(bearer_client(operator), tracking, "dispose", agency="DISHUB")
    complaint = Complaint.objects.get(tracking=tracking)
    assert complaint.due_at is not None
    late = complaint.due_at + dt.timedelta(days=14)  # two weeks past the follow-up deadline
    first = complaint_sweep(now=late)
    assert first.escalations == 3  # liaison (at risk), head (breached), leadership (breached further)
    escalated = Escalation.objects.filter(subject_type="complaint", subject_id=complaint.pk).order_by("rule")
    assert list(escalated.values_list("target", "holder")) == [
        ("liaison", "DISHUB"),
        ("head", "DISHUB"),
        ("leadership", "DISHUB"),
    ]
    assert complaint_sweep(now=late).escalations == 0  # once per rule
    notice = Notification.objects.get(user=personas["dishub.penghubung"], kind="complaint.escalated")
    assert notice.subject == tracking
    assert Complaint.objects.get(pk=complaint.pk).sla_status == "breached"
    act_ok(bearer_client(personas["dishub.penghubung"]), tracking, "hand_off", agency="PUPR", reason="Jalan")
    fresh = Complaint.objects.get(pk=complaint.pk)
    assert fresh.sla_status == "on_track"  # the new holder starts its own clock ...
    assert fresh.due_at is not None
    assert complaint_sweep(now=fresh.due_at + dt.timedelta(days=14)).escalations == 3  # ... and its own chain


def test_silence_after_verification_closes_the_report(personas, warga1, operator):
    _citizen, filed = file_report(warga1)
    tracking = filed["tracking"]
    live_room, dishub = bearer_client(operator), bearer_client(personas["dishub.penghubung"])
    act_ok(live_room, tracking, "dispose", agency="DISHUB")
    act_ok(dishub, tracking, "accept")
    act_ok(dishub, tracking, "resolve", reason="Beres")
    act_ok(live_room, tracking, "verify_completion")
    assert complaint_sweep(now=timezone.now() + dt.timedelta(days=9)).timeouts == 0
    assert complaint_sweep(now=timezone.now() + dt.timedelta(days=11)).timeouts == 1
    closed = Complaint.objects.get(tracking=tracking)
    assert (closed.state, closed.workflow.parsed.states[closed.state].public_status) == ("closed", "selesai")


def test_a_report_back_in_the_live_room_escalates_on_its_new_clock(personas, warga1, operator):
    _citizen, filed = file_report(warga1)
    tracking = filed["tracking"]
    complaint = Complaint.objects.get(tracking=tracking)
    assert complaint.due_at is not None
    assert complaint_sweep(now=complaint.due_at + dt.timedelta(days=1)).escalations >= 1  # the Live Room is late
    act_ok(bearer_client(operator), tracking, "dispose", agency="DLH")
    act_ok(bearer_client(personas["dlh.penghubung"]), tracking, "hand_off", reason="Bukan kewenangan kami")
    back = Complaint.objects.get(pk=complaint.pk)
    assert (back.state, back.agency_id) == ("triage", None)
    assert back.due_at is not None
    again = complaint_sweep(now=back.due_at + dt.timedelta(days=1))
    assert again.escalations >= 1  # a new clock: escalated again, not refused as a repeat
