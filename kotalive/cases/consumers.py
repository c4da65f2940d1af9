"""In-process consumer of application events (run by the worker from its own feed cursor:
kotalive/events/consumers.py): the applicant's in-app notices."""

from django.utils.translation import gettext_lazy as _

from kotalive.events.consumers import consumer
from kotalive.events.models import OutboxEvent, audience_people
from kotalive.notifications.models import Notification

# What the applicant hears about: every step of their case, and what the agency says or does for them.
CITIZEN_TYPES_EXCLUDED = {"id.kotalive.case.submitted", "id.kotalive.case.rated", "id.kotalive.case.escalated"}


# The name predates the move from the notifications app; it is the key of the consumer's cursor (keep it).
@consumer("notifications.applicant-notices", label=_("In-app notices to applicants"))
def notify_applicants(events: list[OutboxEvent]) -> None:
    """A notice to the people the event concerns (the applicant) for each change of their case made by someone
    else (not their own actions)."""
    relevant = [
        e
        for e in events
        if e.type.startswith("id.kotalive.case.")
        and e.type not in CITIZEN_TYPES_EXCLUDED
        and e.data.get("actor_role") != "applicant"
        and e.data.get("author_role") != "citizen"
    ]
    if not relevant:
        return
    people = audience_people(relevant)  # the event's audience says whom it concerns (Case.event_audience)
    Notification.objects.bulk_create(
        [
            Notification(
                user_id=user_id,
                event_id=e.event_id,
                kind=e.type.removeprefix("id.kotalive.case."),
                subject=e.subject,
                data={k: e.data[k] for k in ("to_state", "state_category", "reason", "action") if k in e.data},
            )
            for e in relevant
            for user_id in people.get(e.pk, ())
        ],
        ignore_conflicts=True,  # a replayed dead letter, or a cursor set back, hands an event over again
    )
