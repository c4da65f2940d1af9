"""The move of cases' and complaints' escalation rows into the kernel's one model (cases 0008, complaints 0004),
run for real on the test database: rows of both old tables survive, with their clock and holder, both ways."""

import datetime as dt
from typing import Any

import pytest

from kotalive.accounts.models import User
from kotalive.cases.models import Case
from kotalive.cases.tests.fixtures import submit_birth_certificate
from kotalive.complaints.models import Complaint
from kotalive.complaints.sweep import complaint_sweep
from kotalive.complaints.tests.helpers import act_ok, file_report
from kotalive.conftest import bearer_client
from kotalive.workflow.models import Escalation
from kotalive.workflow.sweep import sla_sweep
from kotalive.workflow.tests.migrating import latest as latest_migrations
from kotalive.workflow.tests.migrating import migrate

BEFORE = [
    ("cases", "0007_applicants_in_event_audiences"),
    ("complaints", "0003_photos_are_core_uploads"),
    ("workflow", "0001_initial"),
]


def _rows() -> set[tuple[Any, ...]]:
    return set(
        Escalation.objects.values_list(
            "subject_type", "subject_id", "clock_started_at", "rule", "when", "target", "holder", "notified_id", "at"
        )
    )


@pytest.mark.django_db(transaction=True)  # the schema changes: no test transaction around it
def test_escalations_of_both_old_tables_move_into_the_kernel_and_back(
    warga1: User, verifier: User, operator: User, personas: dict[str, User]
) -> None:
    _client, body = submit_birth_certificate(warga1)
    case = Case.objects.get(tracking=body["tracking"])
    Case.objects.filter(pk=case.pk).update(assignee=verifier)
    _citizen, filed = file_report(warga1)
    act_ok(bearer_client(operator), filed["tracking"], "dispose", agency="DISHUB")
    report = Complaint.objects.get(tracking=filed["tracking"])
    assert case.due_at is not None
    assert report.due_at is not None
    sla_sweep("case", now=case.due_at + dt.timedelta(days=10))
    complaint_sweep(now=report.due_at + dt.timedelta(days=14))
    swept = _rows()
    assert {row[0] for row in swept} == {"case", "complaint"}
    latest = latest_migrations()
    try:
        # Back to before the move: the rows are in the old tables again.
        old = migrate(BEFORE)
        cases_rows = old.get_model("cases", "Escalation").objects
        complaint_rows = old.get_model("complaints", "Escalation").objects
        assert sorted(cases_rows.values_list("target", flat=True)) == ["assignee", "head", "operator"]
        assert set(complaint_rows.values_list("assignment__agency__code", flat=True)) == {"DISHUB"}
        assert cases_rows.count() + complaint_rows.count() == len(swept)
        # A database deployed before the move also holds rows from before clocks were recorded, and rows of the
        # Live Room (no assignment).
        lead = old.get_model("complaints", "Assignment").objects.get(complaint_id=report.pk, role="lead")
        complaint_rows.filter(rule=0).update(clock_started_at=None)
        complaint_rows.create(
            complaint_id=report.pk, assignment=None, clock_started_at=report.submitted_at, rule=0, when="at_risk",
            target="liaison", notified_id=operator.pk, at=report.submitted_at + dt.timedelta(days=3),
        )  # fmt: skip

        migrate(latest)

        moved = _rows()
        assert len(moved) == len(swept) + 1
        at_dishub = {row for row in moved if row[0] == "complaint" and row[6] == "DISHUB"}
        assert {row[2] for row in at_dishub} == {report.started_at, None}
        assert ("complaint", report.pk, report.submitted_at, 0, "at_risk", "liaison", "", operator.pk) in {
            row[:8] for row in moved
        }
        assert {row for row in moved if row[0] == "case"} == {row for row in swept if row[0] == "case"}
        assert lead.agency.code == "DISHUB"  # and the stretch came back from the kernel when going back
        assert sla_sweep("case", now=case.due_at + dt.timedelta(days=10)).escalations == 0  # still once per rule
    finally:
        migrate(latest)
