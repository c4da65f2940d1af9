"""In-process consumers of complaint events (run by the worker from their own feed cursors:
kotalive/events/consumers.py): the reporter's and followers' in-app notices, and the SP4N-LAPOR! bridge's outbox."""

from django.utils.translation import gettext_lazy as _

from kotalive.complaints.lapor import lapor_enqueue
from kotalive.events.consumers import consumer
from kotalive.events.models import OutboxEvent, audience_people
from kotalive.notifications.models import Notification

PREFIX = "id.kotalive.complaint."
# Not worth a notice to the reporter: what they did themselves, and the Live Room's internal bookkeeping.
QUIET = {"submitted", "rated", "escalated", "resubmitted", "confirmed", "reopened"}


@consumer("complaints.reporter-notices", label=_("In-app notices to reporters and followers"))
def notify_reporters(events: list[OutboxEvent]) -> None:
    """A notice to the reporter and to every follower (merged duplicates) for each change made by someone else."""
    relevant = [
        e
        for e in events
        if e.type.startswith(PREFIX)
        and e.type.removeprefix(PREFIX) not in QUIET
        and e.data.get("actor_role") != "reporter"
        and e.data.get("author_role") != "reporter"
    ]
    if not relevant:
        return
    people = audience_people(relevant)  # the event's audience: the reporter and followers (Complaint.event_audience)
    Notification.objects.bulk_create(
        [
            Notification(
                user_id=user_id,
                event_id=e.event_id,
                kind="complaint." + e.type.removeprefix(PREFIX),
                subject=e.subject,
                data={k: e.data[k] for k in ("to_state", "state_category", "reason", "action") if k in e.data},
            )
            for e in relevant
            for user_id in people.get(e.pk, ())
        ],
        ignore_conflicts=True,  # a replayed dead letter, or a cursor set back, hands an event over again
    )


@consumer("complaints.lapor-outbox", label=_("Outbox to SP4N-LAPOR!"))
def forward_to_lapor(events: list[OutboxEvent]) -> None:
    lapor_enqueue([e for e in events if e.type.startswith(PREFIX)])
