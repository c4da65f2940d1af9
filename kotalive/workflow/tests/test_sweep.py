"""The kernel's one SLA sweep (kotalive/workflow/sweep.py) over every subject kind: batched reads, one short
transaction per subject that changes, a subject that moved meanwhile left for the next pass, and a per-subject
query cost that does not grow with the batch."""

import datetime as dt
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kotalive.accounts.models import User
from kotalive.agencies.models import Agency, StaffRole
from kotalive.cases.models import Case
from kotalive.cases.services import case_message_post
from kotalive.cases.tests.fixtures import submit_birth_certificate
from kotalive.complaints.models import Complaint
from kotalive.complaints.sweep import complaint_sweep
from kotalive.complaints.tests.helpers import act_ok, file_report
from kotalive.conftest import bearer_client
from kotalive.core.calendar import add_working_days, end_of_office_day, local_date
from kotalive.notifications.models import Notification
from kotalive.workflow import sweep
from kotalive.workflow.holders import holding_open, holdings
from kotalive.workflow.models import Escalation, Holding
from kotalive.workflow.sweep import sla_sweep, sweep_kinds

pytestmark = pytest.mark.django_db


def _after(subject: Any, working_days: int) -> dt.datetime:
    """Noon (Jakarta) `working_days` working days after the subject's due date."""
    assert subject.due_at is not None
    return end_of_office_day(add_working_days(local_date(subject.due_at), working_days)) - dt.timedelta(hours=4)


def _overdue_cases(applicant: User, assignee: User, count: int) -> list[Case]:
    """`count` open cases of one service due on the same day: a real submission and copies of it (synthetic,
    is_test, so the one-open-case-per-person constraint lets them be)."""
    _client, body = submit_birth_certificate(applicant)
    case = Case.objects.get(tracking=body["tracking"])
    Case.objects.filter(pk=case.pk).update(assignee=assignee)
    case.refresh_from_db()
    fields = [f.attname for f in Case._meta.concrete_fields if f.attname != "id"]
    Case.objects.bulk_create(
        [
            Case(
                **{
                    **{name: getattr(case, name) for name in fields},
                    "tracking": f"{case.tracking}-{n}",
                    "is_test": True,
                }
            )
            for n in range(count - 1)
        ]
    )
    return list(Case.objects.filter(pk__gte=case.pk).order_by("id"))


def _reports_held_by_dishub(reporter: User, operator: User, count: int) -> list[Complaint]:
    _citizen, filed = file_report(reporter)
    act_ok(bearer_client(operator), filed["tracking"], "dispose", agency="DISHUB")
    report = Complaint.objects.get(tracking=filed["tracking"])
    lead = holdings(report).get(role=Holding.LEAD)
    fields = [f.attname for f in Complaint._meta.concrete_fields if f.attname not in {"id", "open311_token"}]
    for n in range(count - 1):
        copy = Complaint.objects.create(
            **{**{name: getattr(report, name) for name in fields}, "tracking": f"{report.tracking}-{n}"},
            open311_token=uuid.uuid4(),
        )
        holding_open(copy, agency_id=lead.agency_id, now=lead.received_at)
    return list(Complaint.objects.filter(pk__gte=report.pk).order_by("id"))


def _queries(call: Callable[[], Any]) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as captured:
        result = call()
    return len(captured), result


def test_every_kind_registered_its_adapter() -> None:
    assert set(sweep_kinds()) >= {"case", "complaint"}


def test_the_command_sweeps_every_kind(
    warga1: User, verifier: User, operator: User, capsys: pytest.CaptureFixture[str]
) -> None:
    _overdue_cases(warga1, verifier, 1)
    _reports_held_by_dishub(warga1, operator, 1)
    Case.objects.update(due_at=dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC))
    Complaint.objects.update(due_at=dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC))

    call_command("sla-sweep")

    out = capsys.readouterr().out
    assert "checked 1 cases, 1 changed status, 3 escalations" in out
    assert "checked 1 complaints, 1 changed status, 3 escalations" in out
    assert set(Escalation.objects.values_list("subject_type", flat=True)) == {"case", "complaint"}


@pytest.mark.parametrize("kind", ["case", "complaint"])
def test_the_cost_per_subject_is_the_same_for_4_and_8_overdue_subjects(
    kind: str, warga1: User, verifier: User, operator: User
) -> None:
    """Reads are batched: each overdue subject adds the same queries (its own lock and writes) however many share
    the batch, and a second pass over the same subjects, with nothing left to do, costs nothing per subject."""
    costs = []
    idle = []
    for count in (4, 8):
        subjects = (
            _overdue_cases(warga1, verifier, count)
            if kind == "case"
            else _reports_held_by_dishub(warga1, operator, count)
        )
        late = _after(subjects[-1], 3)
        queries, result = _queries(lambda: sla_sweep(kind, now=late))  # noqa: B023 (called at once)
        assert (result.checked, result.status_changed, result.escalations) == (count, count, 3 * count)
        costs.append(queries)
        again, result = _queries(lambda: sla_sweep(kind, now=late))  # noqa: B023 (called at once)
        assert (result.checked, result.status_changed, result.escalations) == (count, 0, 0)
        idle.append(again)
        # Finished, they are no longer candidates: the next round sweeps only its own subjects.
        Case.objects.update(state_category="completed") if kind == "case" else Complaint.objects.update(
            state="closed", state_category="completed"
        )

    fixed, per_subject = SWEEP_PINS[kind]  # pinned (measured 2026-12-01); change only with the reason in the commit
    assert costs == [fixed + 4 * per_subject, fixed + 8 * per_subject]
    assert idle[0] == idle[1]  # subjects with nothing to do cost no query of their own


# Queries of one sweep pass: a fixed part per pass, and per subject that changes (its row lock and re-check, the
# status, its escalation rows, three escalation steps with events, audit and notices, its stored views once).
# Tests run inside a transaction, so each subject's transaction counts a SAVEPOINT and a RELEASE here.
# Since 2026-12-05 each escalation notice also gets its first delivery attempt (the person's channel preference read,
# the attempt written): two more per notice (three notices per case, one per report here).
SWEEP_PINS = {"case": (5, 36), "complaint": (6, 29)}  # a kind with timeouts reads the passed ones once a pass


def test_a_subject_that_moved_between_the_read_and_the_lock_is_left_for_the_next_pass(
    warga1: User, verifier: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An officer takes a step on one case after the sweep read its batch: the sweep writes nothing on that case
    (no status, no escalation, no notice), goes on with the others, and the next pass escalates it as it is then."""
    first, second = _overdue_cases(warga1, verifier, 2)
    late = _after(first, 1)  # breached by a working day: the assignee (at risk) and the head (breached)
    decide = sweep._plans

    def officer_steps_in(adapter: Any, subjects: list[Any], now: dt.datetime) -> Any:
        plans = decide(adapter, subjects, now)
        moved = bearer_client(verifier).post(
            f"/api/v1/cases/{first.tracking}/transitions",
            {"action": "start_verification", "version": first.version},
            content_type="application/json",
        )
        assert moved.status_code == 200, moved.content
        return plans

    monkeypatch.setattr(sweep, "_plans", officer_steps_in)
    result = sla_sweep("case", now=late)

    assert (result.checked, result.skipped, result.escalations) == (2, 1, 2)
    assert not Escalation.objects.filter(subject_id=first.pk).exists()
    assert Escalation.objects.filter(subject_id=second.pk).count() == 2
    first.refresh_from_db()
    assert (first.state, first.sla_status) == ("verification", "on_track")  # what the officer's step left

    monkeypatch.setattr(sweep, "_plans", decide)
    again = sla_sweep("case", now=late)

    assert (again.checked, again.skipped, again.escalations) == (2, 0, 2)
    first.refresh_from_db()
    assert first.sla_status == "breached"
    assert list(Escalation.objects.filter(subject_id=first.pk).order_by("rule").values_list("target", flat=True)) == [
        "assignee",
        "head",
    ]


def test_a_report_in_the_live_room_names_the_operators_and_the_operating_agencys_head(
    warga1: User, operator: User, personas: dict[str, User]
) -> None:
    _citizen, filed = file_report(warga1)
    report = Complaint.objects.get(tracking=filed["tracking"])  # in triage: the Live Room holds it
    operating = Agency.objects.filter(role=Agency.OPERATOR).order_by("id").first()
    assert operating is not None
    head = personas["dukcapil.kadis"]  # made head of the operating agency too, for this test
    StaffRole.objects.create(user=head, agency=operating, role=StaffRole.HEAD)

    assert report.due_at is not None

    swept = complaint_sweep(now=report.due_at + dt.timedelta(days=3))

    assert swept.escalations >= 2
    rows = Escalation.objects.filter(subject_type="complaint", subject_id=report.pk).order_by("rule")
    named = {target: (holder, user) for target, holder, user in rows.values_list("target", "holder", "notified")}
    first_operator = StaffRole.objects.filter(role=StaffRole.OPERATOR, agency__isnull=True).order_by("id").first()
    assert first_operator is not None
    assert named["liaison"] == ("", first_operator.user_id)  # the Live Room holds it: no agency code
    assert named["head"] == ("", head.pk)
    assert Notification.objects.filter(user=head, kind="complaint.escalated", subject=report.tracking).exists()


@pytest.mark.django_db(transaction=True)  # the sweep and the other writer each have their own connection
def test_a_write_on_a_case_the_sweep_has_not_reached_is_not_held_up(
    warga1: User, verifier: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the sweep works through many overdue cases, the applicant posts messages on the last of them from
    another connection that gives up on any lock wait over one second: every post goes through at once, long
    before the sweep ends (a sweep holding its batch's rows in one transaction would hold them until it ends)."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent writers are a PostgreSQL deployment; SQLite queues writers")
    cases = _overdue_cases(warga1, verifier, 150)
    late = _after(cases[0], 3)
    swept: dict[str, Any] = {}
    written: dict[str, Any] = {"waits": []}
    failures: list[BaseException] = []
    under_way = threading.Event()
    apply = sweep._apply

    def apply_and_signal(*args: Any, **kwargs: Any) -> None:
        apply(*args, **kwargs)
        under_way.set()  # one subject written: the sweep is at work on the rest

    monkeypatch.setattr(sweep, "_apply", apply_and_signal)

    def run_sweep() -> None:
        try:
            swept["result"] = sla_sweep("case", now=late)
        except BaseException as exc:  # reported by the test below
            failures.append(exc)
        finally:
            swept["done_at"] = time.monotonic()
            connection.close()

    def write_meanwhile() -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '1s'")  # a longer wait on a row lock fails the post
            assert under_way.wait(timeout=60), "the sweep never started"
            for case in cases[-3:]:  # the sweep reaches these last
                started = time.monotonic()
                case_message_post(actor=warga1, tracking=case.tracking, body="Bagaimana perkembangannya?")
                written["waits"].append(time.monotonic() - started)
            written["done_at"] = time.monotonic()
        except BaseException as exc:
            failures.append(exc)
        finally:
            connection.close()

    sweeper, writer = threading.Thread(target=run_sweep), threading.Thread(target=write_meanwhile)
    sweeper.start()
    writer.start()
    writer.join(timeout=120)
    sweeper.join(timeout=300)

    assert not failures
    assert len(written["waits"]) == 3
    assert written["done_at"] < swept["done_at"]  # all three went through while the sweep was still at work
    result = swept["result"]
    assert result.checked == 150
    assert sla_sweep("case", now=late).escalations == 450 - result.escalations  # the next pass does what is left
    assert set(Case.objects.values_list("sla_status", flat=True)) == {"breached"}
