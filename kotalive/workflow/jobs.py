"""The kernel's worker jobs: delivering notices on their external channels (kotalive/workflow/delivery.py)."""

from kotalive.core.jobs import periodic
from kotalive.workflow.delivery import deliveries_run

DELIVER_EVERY_SECONDS = 2


@periodic("notifications.deliver", every=DELIVER_EVERY_SECONDS)
def notifications_deliver() -> int:
    return deliveries_run()
