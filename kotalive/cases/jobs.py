"""Applications' worker job (kotalive/core/jobs.py): the kernel's SLA sweep over cases."""

import logging

from kotalive.cases.models import Case
from kotalive.core.jobs import periodic
from kotalive.workflow.sweep import sla_sweep

logger = logging.getLogger("kotalive.worker")


@periodic("cases.sla-sweep")
def cases_sla_sweep() -> int:
    result = sla_sweep(Case.event_kind)
    if result.checked:
        logger.info(
            "sla sweep: %s checked, %s changed, %s escalations",
            result.checked,
            result.status_changed,
            result.escalations,
        )
    return result.checked
