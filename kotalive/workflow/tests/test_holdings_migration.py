"""The move of holders, clocks and timeouts into the kernel (workflow 0004, cases 0010, complaints 0006), run for real
on the test database: reports' assignments become holdings and come back, applications get their stretches, stored
definitions get the effects the services used to apply, and only a waiting report keeps its timeout."""

from typing import Any

import pytest

from kotalive.accounts.models import User
from kotalive.cases.models import Case
from kotalive.cases.tests.fixtures import submit_birth_certificate
from kotalive.complaints.models import Complaint
from kotalive.complaints.tests.helpers import act_ok, file_report
from kotalive.conftest import bearer_client
from kotalive.workflow.holders import holdings
from kotalive.workflow.models import Holding, WorkflowDefinition
from kotalive.workflow.tests.migrating import latest as latest_migrations
from kotalive.workflow.tests.migrating import migrate

BEFORE = [
    ("cases", "0009_ratings_in_workflow"),
    ("complaints", "0005_ratings_in_workflow"),
    ("workflow", "0003_rating"),
]


def _stretches(subject: Any) -> list[tuple[Any, ...]]:
    return list(
        holdings(subject)
        .order_by("id")
        .values_list("holder", "agency_id", "person_id", "role", "received_at", "accepted_at", "left_at", "outcome")
    )


@pytest.mark.django_db(transaction=True)  # the schema changes: no test transaction around it
def test_holders_move_into_the_kernel_and_back(
    warga1: User, verifier: User, operator: User, personas: dict[str, User]
) -> None:
    _client, filed = file_report(warga1)
    act_ok(bearer_client(operator), filed["tracking"], "dispose", agency="PUPR", supports=["DLH"])
    act_ok(bearer_client(personas["pupr.penghubung"]), filed["tracking"], "hand_off", agency="DISHUB", reason="PJU")
    report = Complaint.objects.get(tracking=filed["tracking"])
    before = _stretches(report)
    _client, body = submit_birth_certificate(warga1)
    Case.objects.filter(tracking=body["tracking"]).update(assignee=verifier)
    case = Case.objects.get(tracking=body["tracking"])
    latest = latest_migrations()
    try:
        old = migrate(BEFORE)
        assignments = old.get_model("complaints", "Assignment").objects.filter(complaint_id=report.pk)
        assert sorted(assignments.values_list("agency__code", "role", "outcome")) == [
            ("DISHUB", "lead", ""),
            ("DLH", "support", ""),
            ("PUPR", "lead", "handed_off"),
        ]
        # A database of before the move: definitions without effects, a confirmation date left behind.
        for definition in old.get_model("workflow", "WorkflowDefinition").objects.filter(code="complaint-standard"):
            for t in definition.document["transitions"]:
                t.pop("effects", None)
            definition.save()
        old.get_model("complaints", "Complaint").objects.filter(pk=report.pk).update(confirm_by=report.submitted_at)

        migrate(latest)

        assert _stretches(report) == before
        assert Complaint.objects.get(pk=report.pk).timeout_at is None  # not waiting for its reporter
        assert [(h[0], h[2], h[6]) for h in _stretches(case)] == [
            (Holding.AGENCY, None, None),
            (Holding.PERSON, verifier.pk, None),
        ]
        for definition in WorkflowDefinition.objects.filter(code="complaint-standard"):
            assert definition.parsed.find(action="hand_off", state="disposed").has("holder_take")  # type: ignore[union-attr]
            assert definition.parsed.states["awaiting_confirmation"].timeout is not None
    finally:
        migrate(latest)
