"""Applications' worker job (kotalive/core/jobs.py)."""

import logging

from kotalive.cases.sla_sweep import sla_sweep
from kotalive.core.jobs import periodic

logger = logging.getLogger("kotalive.worker")


@periodic("cases.sla-sweep")
def cases_sla_sweep() -> int:
    result = sla_sweep()
    if result.checked:
        logger.info(
            "sla sweep: %s checked, %s changed, %s escalations",
            result.checked,
            result.status_changed,
            result.escalations,
        )
    return result.checked
