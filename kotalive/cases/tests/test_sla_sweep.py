import datetime as dt

import pytest
from django.core.management import call_command

from kotalive.accounts.models import User
from kotalive.cases.models import Case
from kotalive.cases.tests.fixtures import submit_birth_certificate
from kotalive.conftest import bearer_client
from kotalive.core.calendar import add_working_days, end_of_office_day, local_date
from kotalive.events.models import OutboxEvent
from kotalive.events.tests.helpers import drain
from kotalive.notifications.models import Notification
from kotalive.workflow.models import Escalation
from kotalive.workflow.sla import state_overdue
from kotalive.workflow.sweep import sla_sweep

pytestmark = pytest.mark.django_db


def _after(case: Case, working_days: int) -> dt.datetime:
    """A moment `working_days` working days after the case's due date (noon, Jakarta)."""
    assert case.due_at is not None
    day = add_working_days(local_date(case.due_at), working_days)
    return end_of_office_day(day) - dt.timedelta(hours=4)


def test_a_fresh_case_is_on_track_and_nothing_escalates(warga1: User) -> None:
    submit_birth_certificate(warga1)

    result = sla_sweep("case")

    assert result.escalations == 0
    assert Case.objects.get().sla_status in {"on_track", "at_risk"}


def test_the_chain_escalates_step_by_step_and_once_each(warga1: User, verifier: User, personas: dict) -> None:
    _client, body = submit_birth_certificate(warga1)
    case = Case.objects.get(tracking=body["tracking"])
    case.assignee = verifier
    case.save(update_fields=["assignee"])

    sla_sweep("case", now=_after(case, 0) - dt.timedelta(hours=1))  # due today: at risk
    assert list(Escalation.objects.values_list("target", flat=True)) == ["assignee"]

    sla_sweep("case", now=_after(case, 1))  # one working day late: breached -> head
    sla_sweep("case", now=_after(case, 1))
    assert list(Escalation.objects.order_by("rule").values_list("target", flat=True)) == ["assignee", "head"]
    assert Escalation.objects.get(target="head").notified == personas["dukcapil.kadis"]

    sla_sweep("case", now=_after(case, 3))  # two more working days: the operator
    escalations = list(Escalation.objects.order_by("rule").values_list("target", "notified__username"))
    assert escalations == [
        ("assignee", "dukcapil.verifikator"),
        ("head", "dukcapil.kadis"),
        ("operator", "kominfo.operator"),
    ]
    case.refresh_from_db()
    assert case.sla_status == "breached"
    assert OutboxEvent.objects.filter(subject=case.tracking, type="id.kotalive.case.escalated").count() == 3


def test_the_person_a_rule_names_is_notified_in_app_and_nobody_else(
    warga1: User, warga2: User, verifier: User, personas: dict
) -> None:
    """A case one working day past due escalates to the agency head (the service's chain): the head's notifications
    show it, once; the applicant, the officers and other agencies' heads hear nothing of it."""
    _client, body = submit_birth_certificate(warga1)
    case = Case.objects.get(tracking=body["tracking"])
    head = personas["dukcapil.kadis"]

    # Breached by one working day: at risk -> nobody is assigned; breached -> head.
    sla_sweep("case", now=_after(case, 1))
    sla_sweep("case", now=_after(case, 1))
    drain()  # the worker's fan-out of case.escalated adds nobody

    notices = bearer_client(head).get("/api/v1/me/notifications").json()
    assert [(n["kind"], n["subject"]) for n in notices] == [("case.escalated", case.tracking)]
    assert notices[0]["data"]["target"] == "head"
    assert notices[0]["data"]["when"] == "breached"
    assert notices[0]["data"]["working_days_overdue"] == 1
    assert case.tracking in notices[0]["data"]["message"]
    assert set(Notification.objects.filter(kind="case.escalated").values_list("user", flat=True)) == {head.pk}
    for someone in (warga1, warga2, verifier, personas["dinsos.petugas"], personas["kominfo.operator"]):
        assert bearer_client(someone).get("/api/v1/me/notifications").json() == []


def test_a_paused_case_does_not_escalate(warga1: User, verifier: User) -> None:
    _client, body = submit_birth_certificate(warga1)
    officer = bearer_client(verifier)
    version = officer.post(
        f"/api/v1/cases/{body['tracking']}/transitions",
        {"action": "start_verification", "version": body["version"]},
        content_type="application/json",
    ).json()["version"]
    officer.post(
        f"/api/v1/cases/{body['tracking']}/transitions",
        {"action": "request_revision", "version": version, "reason": "KK buram"},
        content_type="application/json",
    )
    case = Case.objects.get()

    sla_sweep("case", now=_after(case, 5))

    assert not Escalation.objects.exists()


def test_the_command_reports_what_it_did(warga1: User, capsys: pytest.CaptureFixture[str]) -> None:
    submit_birth_certificate(warga1)

    call_command("sla-sweep")

    assert "checked" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)  # the worker closes stale connections between passes, as in production
def test_the_worker_runs_the_sweep(warga1: User) -> None:
    _client, body = submit_birth_certificate(warga1)
    case = Case.objects.get(tracking=body["tracking"])
    Case.objects.filter(pk=case.pk).update(due_at=case.submitted_at - dt.timedelta(days=10))

    call_command("worker", once=True)

    case.refresh_from_db()
    assert case.sla_status == "breached"
    assert Escalation.objects.filter(subject_type="case", subject_id=case.pk).exists()


def test_a_state_with_its_own_sla_gets_its_own_deadline(warga1: User, verifier: User) -> None:
    _client, body = submit_birth_certificate(warga1)
    officer = bearer_client(verifier)
    case = Case.objects.get(tracking=body["tracking"])
    assert case.state_due_at is not None  # "submitted" has 1 working day in the standard workflow
    assert case.state_due_at <= case.due_at  # type: ignore[operator]

    moved = officer.post(
        f"/api/v1/cases/{case.tracking}/transitions",
        {"action": "start_verification", "version": case.version},
        content_type="application/json",
    ).json()
    revised = officer.post(
        f"/api/v1/cases/{case.tracking}/transitions",
        {"action": "request_revision", "version": moved["version"], "reason": "KK buram"},
        content_type="application/json",
    ).json()

    assert moved["state_due_at"] is not None
    assert revised["state_due_at"] is None  # waiting for the citizen has no state deadline
    case.refresh_from_db()
    assert not state_overdue(case, now=case.submitted_at + dt.timedelta(days=30))
