"""The kernel's holders and declared transition effects, the same for applications and reports: each holder's
stretch is a workflow.Holding row, "time with each agency" is one query for any kind, and what a move does
besides its state comes from the definition, checked before it is saved."""

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from kotalive.accounts.models import User
from kotalive.cases.models import Case
from kotalive.cases.tests.fixtures import submit_birth_certificate
from kotalive.complaints.models import Complaint
from kotalive.complaints.tests.helpers import act_ok, file_report
from kotalive.conftest import bearer_client
from kotalive.workflow.definitions import validate_definition
from kotalive.workflow.holders import holdings, time_with_agencies
from kotalive.workflow.models import Holding

DEFINITION = Path(__file__).parents[1] / "data" / "complaint-standard.json"


def _document() -> dict[str, Any]:
    return copy.deepcopy(json.loads(DEFINITION.read_text())["document"])


def test_a_report_handed_on_leaves_one_closed_stretch_per_agency_and_helpers_of_their_own(
    warga1: User, operator: User, personas: dict[str, User]
) -> None:
    _client, filed = file_report(warga1)
    tracking = filed["tracking"]
    act_ok(bearer_client(operator), tracking, "dispose", agency="PUPR", supports=["DLH"])
    act_ok(bearer_client(personas["pupr.penghubung"]), tracking, "hand_off", agency="DISHUB", reason="Lampu PJU")
    report = Complaint.objects.get(tracking=tracking)

    stretches = list(holdings(report).select_related("agency").order_by("id"))

    assert [(h.agency.code, h.role, h.outcome) for h in stretches] == [
        ("PUPR", Holding.LEAD, "handed_off"),
        ("DLH", Holding.SUPPORT, ""),
        ("DISHUB", Holding.LEAD, ""),
    ]
    assert stretches[0].left_at == stretches[2].received_at  # one clock ends where the next begins
    assert stretches[0].reason == "Lampu PJU"


def test_the_end_of_a_subject_ends_every_stretch_without_an_effect_saying_so(warga1: User, operator: User) -> None:
    _client, filed = file_report(warga1)
    act_ok(bearer_client(operator), filed["tracking"], "dispose", agency="PUPR", supports=["DLH"])
    survivor = file_report(warga1)[1]["tracking"]
    act_ok(bearer_client(operator), filed["tracking"], "merge", into=survivor, reason="Laporan yang sama")

    report = Complaint.objects.get(tracking=filed["tracking"])

    assert not holdings(report).filter(left_at__isnull=True).exists()
    assert set(holdings(report).values_list("outcome", flat=True)) == {"closed"}


def test_an_application_has_its_agency_stretch_and_one_per_officer_who_held_it(
    warga1: User, verifier: User, personas: dict[str, User]
) -> None:
    _client, body = submit_birth_certificate(warga1)
    tracking = body["tracking"]
    officer = bearer_client(verifier)
    for assignee in (verifier.username, None):
        response = officer.post(f"/api/v1/cases/{tracking}/assign", {"assignee": assignee}, "application/json")
        assert response.status_code == 200, response.content
    case = Case.objects.get(tracking=tracking)

    stretches = list(holdings(case).order_by("id"))

    assert [(h.holder, h.agency_id, h.person_id) for h in stretches] == [
        (Holding.AGENCY, case.agency_id, None),
        (Holding.PERSON, case.agency_id, verifier.pk),
    ]
    assert stretches[0].left_at is None  # the agency still holds it
    assert stretches[1].left_at is not None
    assert stretches[1].outcome == "reassigned"


def test_time_with_each_agency_is_one_query_for_either_kind(
    warga1: User, operator: User, personas: dict[str, User]
) -> None:
    submit_birth_certificate(warga1)
    _client, filed = file_report(warga1)
    act_ok(bearer_client(operator), filed["tracking"], "dispose", agency="PUPR")
    act_ok(bearer_client(personas["pupr.penghubung"]), filed["tracking"], "hand_off", agency="DISHUB", reason="x")
    later = timezone.now() + dt.timedelta(hours=2)

    with CaptureQueriesContext(connection) as captured:
        reports = time_with_agencies("complaint", now=later)
        cases = time_with_agencies("case", now=later)

    assert len(captured) == 2
    assert set(reports) == {"PUPR", "DISHUB"}
    assert reports["DISHUB"] >= dt.timedelta(hours=2) > reports["PUPR"]  # DISHUB's stretch is still open
    assert set(cases) == {"DISDUKCAPIL"}
    assert cases["DISDUKCAPIL"] >= dt.timedelta(hours=2)


def test_the_shipped_definition_declares_what_the_services_used_to_decide_by_action_name() -> None:
    document = _document()
    effects = {t["action"]: [e["effect"] for e in t.get("effects", [])] for t in document["transitions"]}

    assert validate_definition(document) == []
    assert effects["hand_off"] == ["holder_leave", "holder_take", "clock_start"]
    assert effects["resolve"] == ["holder_leave", "clock_stop"]
    assert [s["timeout"]["action"] for s in document["states"] if s.get("timeout")] == ["close_unconfirmed"]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda d: d["transitions"][0].update(effects=[{"effect": "teleport"}]), "unknown effect teleport"),
        (lambda d: d["transitions"][0].update(effects=[{"effect": "clock_start"}]), "clock_start needs working_days"),
        (lambda d: d["transitions"][0].update(effects={"effect": "clock_stop"}), "effects must be a list"),
        (
            lambda d: d["states"][0].update(timeout={"days": 3, "action": "reject"}),
            "the timeout action reject is not a transition the system may take",
        ),
        (lambda d: d["states"][0].update(timeout={"days": 0, "action": "x"}), "the timeout needs days"),
    ],
)
def test_a_definition_with_an_effect_or_timeout_the_engine_cannot_apply_is_refused(change: Any, reason: str) -> None:
    document = _document()
    change(document)

    with translation.override("en"):
        errors = validate_definition(document)

    assert any(reason in error for error in errors), errors


def test_a_finished_application_takes_no_new_officer(warga1: User, verifier: User) -> None:
    applicant, body = submit_birth_certificate(warga1)
    cancel = applicant.post(
        f"/api/v1/cases/{body['tracking']}/transitions",
        {"action": "cancel", "version": body["version"], "reason": "Salah isi"},
        content_type="application/json",
    )
    assert cancel.status_code == 200, cancel.content

    response = bearer_client(verifier).post(
        f"/api/v1/cases/{body['tracking']}/assign", {"assignee": verifier.username}, content_type="application/json"
    )

    assert response.status_code == 409
    assert not holdings(Case.objects.get(tracking=body["tracking"])).filter(left_at__isnull=True).exists()


def test_a_report_resolved_in_time_stays_met_when_the_live_room_checks_it_late(
    warga1: User, operator: User, personas: dict[str, User]
) -> None:
    _client, filed = file_report(warga1)
    tracking = filed["tracking"]
    act_ok(bearer_client(operator), tracking, "dispose", agency="PUPR")
    agency = bearer_client(personas["pupr.penghubung"])
    act_ok(agency, tracking, "accept")
    act_ok(agency, tracking, "resolve", reason="Lampu diganti")
    report = Complaint.objects.get(tracking=tracking)
    assert report.sla_status == "met"
    assert report.due_at is not None
    Complaint.objects.filter(pk=report.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))  # checked late

    act_ok(bearer_client(operator), tracking, "verify_completion")
    assert Complaint.objects.get(pk=report.pk).sla_status == "met"
    act_ok(bearer_client(warga1), tracking, "confirm")
    assert Complaint.objects.get(pk=report.pk).sla_status == "met"
