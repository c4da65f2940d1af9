"""The hand-off matrix from the kernel's ledger: transfers, bounce-backs and ping-pong per ordered pair, with the
coordination requests asked along it; JSON and CSV tell the same."""

import csv
import io

from django.utils import timezone

from kotalive.accounts.models import User
from kotalive.cases.tests.fixtures import submit_birth_certificate
from kotalive.complaints.tests.helpers import act_ok, file_report
from kotalive.conftest import bearer_client
from kotalive.core.calendar import local_date
from kotalive.events.tests.helpers import drain


def test_a_report_handed_pupr_dishub_pupr_is_ping_pong_for_that_pair(
    warga1: User, operator: User, verifier: User, personas: dict[str, User]
) -> None:
    _client, filed = file_report(warga1)
    tracking = filed["tracking"]
    act_ok(bearer_client(operator), tracking, "dispose", agency="PUPR")
    act_ok(bearer_client(personas["pupr.penghubung"]), tracking, "hand_off", agency="DISHUB", reason="PJU")
    act_ok(bearer_client(personas["dishub.penghubung"]), tracking, "hand_off", agency="PUPR", reason="Jalan")
    _applicant, case = submit_birth_certificate(warga1)
    asked = bearer_client(verifier).post(
        "/api/v1/coordination/requests",
        {"parent": case["tracking"], "to_agency": "DINKES", "kind": "opinion", "message": "?", "due_working_days": 2},
        content_type="application/json",
    )
    assert asked.status_code == 201, asked.content
    live_room = bearer_client(operator)
    drain()  # the worker's pass counts the ledger into the day rollups

    matrix = live_room.get("/api/v1/dashboard/handoffs").json()

    pairs = {(p["from_agency"], p["to_agency"]): p for p in matrix["pairs"]}
    assert pairs[("DISKOMINFO", "PUPR")]["transfers"] == 1  # the disposition
    assert pairs[("PUPR", "DISHUB")]["transfers"] == 1
    assert pairs[("PUPR", "DISHUB")]["bounced"] == 1  # DISHUB handed it on: "not ours"
    assert pairs[("PUPR", "DISHUB")]["ping_pong"] == 1
    assert pairs[("DISHUB", "PUPR")]["transfers"] == 1
    assert pairs[("DISHUB", "PUPR")]["bounced"] == 0  # PUPR still holds it
    assert pairs[("DISDUKCAPIL", "DINKES")]["requests"] == 1
    assert set(matrix["wrong_agency_seconds"]) == {"PUPR", "DISHUB"}  # held it before the last holder
    exported = list(
        csv.DictReader(io.StringIO(live_room.get("/api/v1/dashboard/handoffs?format=csv").content.decode()))
    )
    assert {(r["from_agency"], r["to_agency"], int(r["transfers"]), int(r["ping_pong"])) for r in exported} == {
        (p["from_agency"], p["to_agency"], p["transfers"], p["ping_pong"]) for p in matrix["pairs"]
    }


def test_only_the_live_room_leadership_auditors_and_heads_read_it_and_bad_dates_are_named(
    warga1: User, operator: User, verifier: User
) -> None:
    assert bearer_client(warga1).get("/api/v1/dashboard/handoffs").status_code == 403
    assert bearer_client(verifier).get("/api/v1/dashboard/handoffs").status_code == 403
    live_room = bearer_client(operator)
    refused = live_room.get("/api/v1/dashboard/handoffs?from=2026-13-01")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "from"
    assert live_room.get("/api/v1/dashboard/handoffs?from=2026-12-10&to=2026-12-01").status_code == 422
    assert live_room.get("/api/v1/dashboard/handoffs?format=xml").json()["errors"][0]["field"] == "format"


def test_a_subject_counts_in_the_period_of_its_first_stretch_and_bad_dates_never_break_a_page(
    warga1: User, operator: User, personas: dict[str, User]
) -> None:
    import datetime as dt

    from django.db.models import F
    from django.test import Client

    from kotalive.complaints.models import Complaint
    from kotalive.workflow.models import Holding

    _client, filed = file_report(warga1)
    act_ok(bearer_client(operator), filed["tracking"], "dispose", agency="PUPR")
    report = Complaint.objects.get(tracking=filed["tracking"])
    old = dt.timedelta(days=300)  # disposed long ago ...
    Holding.objects.filter(subject_type="complaint", subject_id=report.pk).update(received_at=F("received_at") - old)
    act_ok(bearer_client(personas["pupr.penghubung"]), filed["tracking"], "hand_off", agency="DISHUB", reason="x")

    drain()  # the worker recounts the day of its first stretch too
    pairs = bearer_client(operator).get("/api/v1/dashboard/handoffs").json()["pairs"]

    assert pairs == []  # ... so it belongs to that old period, not to the last 90 days
    then = local_date(timezone.now() - old)
    back_then = bearer_client(operator).get(f"/api/v1/dashboard/handoffs?from={then}&to={then}").json()["pairs"]
    assert {(p["from_agency"], p["to_agency"]): p["transfers"] for p in back_then} == {
        ("DISKOMINFO", "PUPR"): 1,
        ("PUPR", "DISHUB"): 1,
    }
    for path in ("/kinerja/?to=9999-12-31", "/data/ikm.json?from=0001-01-01&to=0001-01-02"):
        assert Client().get(path).status_code == 200, path
    for path in ("/api/v1/dashboard/handoffs?to=9999-12-31", "/api/v1/dashboard/city?from=0001-01-01&to=0001-01-05"):
        refused = bearer_client(operator).get(path)
        assert refused.status_code == 422, path
