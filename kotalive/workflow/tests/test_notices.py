"""One notice consumer for every kind (workflow.notices): each kind's policy says which events are worth a notice;
the audience says to whom; what the person did themself stays quiet. The upgrade moves the two old consumers'
cursors, dead letters and notice kinds to it."""

import pytest
from django.db import transaction

from kotalive.accounts.models import User
from kotalive.complaints.tests.helpers import act_ok, file_report
from kotalive.conftest import bearer_client
from kotalive.events.models import ConsumerCursor, ConsumerDeadLetter, OutboxEvent
from kotalive.events.services import outbox_write
from kotalive.events.tests.helpers import drain, three_steps
from kotalive.notifications.models import Notification
from kotalive.workflow.tests.migrating import latest as latest_migrations
from kotalive.workflow.tests.migrating import migrate


def test_applicants_and_reporters_hear_of_what_others_did_through_one_consumer(
    warga1: User, warga2: User, verifier: User, operator: User
) -> None:
    tracking = three_steps(warga1, verifier)
    reporter, filed = file_report(warga2)
    act_ok(bearer_client(operator), filed["tracking"], "dispose", agency="PUPR")
    assert reporter.post(
        f"/api/v1/complaints/{filed['tracking']}/messages", {"body": "Terima kasih"}, content_type="application/json"
    ).status_code == 201  # fmt: skip

    drain()

    notices = set(Notification.objects.values_list("user__username", "kind", "subject"))
    assert notices == {
        ("warga1", "case.verification_started", tracking),
        ("warga1", "case.verified", tracking),
        ("warga2", "complaint.disposed", filed["tracking"]),  # not their own filing, nor their own message
    }


@pytest.mark.django_db(transaction=True)  # the schema changes: no test transaction around it
def test_the_two_old_consumers_hand_over_to_the_kernel_one_without_skipping_an_event(warga1: User) -> None:
    latest = latest_migrations()
    try:
        migrate([("workflow", "0005_messages")])
        with transaction.atomic():
            event = outbox_write(event="case.verified", subject="X-1", agency="DISDUKCAPIL", data={})
        ConsumerCursor.objects.filter(name__contains="notices").delete()
        ConsumerCursor.objects.create(name="notifications.applicant-notices", position=7)
        ConsumerCursor.objects.create(name="complaints.reporter-notices", position=4)
        ConsumerDeadLetter.objects.create(consumer="complaints.reporter-notices", event=event, error="boom")
        Notification.objects.create(user=warga1, event_id=event.event_id, kind="verified", subject="X-1")

        migrate(latest)

        assert list(ConsumerCursor.objects.filter(name__contains="notices").values_list("name", "position")) == [
            ("workflow.subject-notices", 4)
        ]
        assert ConsumerDeadLetter.objects.get(event=event).consumer == "workflow.subject-notices"
        assert Notification.objects.get(event_id=event.event_id).kind == "case.verified"
        assert OutboxEvent.objects.filter(pk=event.pk).exists()
    finally:
        migrate(latest)
