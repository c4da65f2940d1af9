"""What complaint events feed inside the worker (kotalive/events/consumers.py): the reporter's and followers' in-app
notices (the kernel's consumer, this kind's policy) and the SP4N-LAPOR! bridge's outbox (its own consumer)."""

from django.utils.translation import gettext_lazy as _

from kotalive.complaints.lapor import lapor_enqueue
from kotalive.events.consumers import consumer
from kotalive.events.models import OutboxEvent
from kotalive.workflow.notices import NoticePolicy, notice_policy_register

PREFIX = "id.kotalive.complaint."

# The reporter and followers hear, through the kernel's notice consumer (kotalive/workflow/notices.py), of every
# change made by someone else; not of what they did themselves, nor of the Live Room's internal bookkeeping.
notice_policy_register(
    NoticePolicy(
        kind="complaint",
        quiet=frozenset({"submitted", "rated", "escalated", "resubmitted", "confirmed", "reopened"}),
        own_roles=frozenset({"reporter"}),
    )
)


@consumer("complaints.lapor-outbox", label=_("Outbox to SP4N-LAPOR!"))
def forward_to_lapor(events: list[OutboxEvent]) -> None:
    lapor_enqueue([e for e in events if e.type.startswith(PREFIX)])
