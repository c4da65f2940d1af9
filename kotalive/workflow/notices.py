"""The in-app notices of every subject kind, one consumer (kotalive/events/consumers.py runs it from its cursor):
each event of a subject tells the people its audience names (the applicant; the reporter and followers), unless
the kind's notice policy says the event is not worth a notice or the person caused it themself.

A kind registers its policy from its AppConfig.ready() with `notice_policy_register`; the notice's kind is the
event's `<subject kind>.<event>` (`case.verified`, `complaint.handed_off`), like the escalation notices'.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from kotalive.events.catalogue import TYPE_PREFIX
from kotalive.events.consumers import consumer
from kotalive.events.models import OutboxEvent, audience_people
from kotalive.notifications.models import Notification

# What a notice keeps of its event: enough to say what changed, nothing an agency wrote for itself.
NOTICE_FIELDS = ("to_state", "state_category", "reason", "action")


@dataclass(frozen=True)
class NoticePolicy:
    """Which events of a kind are worth a notice to the people they concern."""

    kind: str  # the subject's event_kind
    quiet: frozenset[str]  # events never noticed (the person's own filing, internal bookkeeping)
    # The roles in which the people a notice is for act themselves (`actor_role` of a step, `author_role` of a
    # message): what they did needs no notice.
    own_roles: frozenset[str]


_POLICIES: dict[str, NoticePolicy] = {}


def notice_policy_register(policy: NoticePolicy) -> NoticePolicy:
    """Give `policy.kind` in-app notices (called from the kind's AppConfig.ready(); registering again replaces)."""
    _POLICIES[policy.kind] = policy
    return policy


def _noticed(event: OutboxEvent) -> str | None:
    """The notice kind of `event` (`<subject kind>.<event>`), or None when no policy wants it noticed."""
    name = event.type.removeprefix(TYPE_PREFIX)
    kind, _dot, what = name.partition(".")
    policy = _POLICIES.get(kind)
    if policy is None or what in policy.quiet:
        return None
    if event.data.get("actor_role") in policy.own_roles or event.data.get("author_role") in policy.own_roles:
        return None
    return name


# The key of the consumer's cursor: keep it once deployed (workflow 0006 moved the two kinds' cursors here).
@consumer("workflow.subject-notices", label=_("In-app notices to the people an event concerns"))
def notify_people(events: list[OutboxEvent]) -> None:
    relevant = [(e, kind) for e in events if (kind := _noticed(e)) is not None]
    if not relevant:
        return
    people = audience_people([e for e, _kind in relevant])  # whom each event concerns (the kind's event_audience)
    Notification.objects.bulk_create(
        [
            Notification(
                user_id=user_id,
                event_id=e.event_id,
                kind=kind,
                subject=e.subject,
                data={k: e.data[k] for k in NOTICE_FIELDS if k in e.data},
            )
            for e, kind in relevant
            for user_id in people.get(e.pk, ())
        ],
        ignore_conflicts=True,  # a replayed dead letter, or a cursor set back, hands an event over again
    )
