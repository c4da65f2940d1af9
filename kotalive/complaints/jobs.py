"""Complaints' worker jobs (kotalive/core/jobs.py): the sweep and the SP4N-LAPOR! bridge."""

import logging

from kotalive.complaints.lapor import lapor_send_due
from kotalive.complaints.sweep import complaint_sweep
from kotalive.core.jobs import periodic

logger = logging.getLogger("kotalive.worker")

periodic("complaints.lapor-send")(lapor_send_due)  # unsent messages stay pending; the next minute retries


@periodic("complaints.sweep")
def complaints_sweep() -> int:
    swept = complaint_sweep()
    if swept.checked or swept.timeouts:
        logger.info(
            "complaint sweep: %s checked, %s changed, %s escalations, %s timeouts taken",
            swept.checked,
            swept.status_changed,
            swept.escalations,
            swept.timeouts,
        )
    return swept.checked
