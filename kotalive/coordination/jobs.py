"""Coordination's worker job (kotalive/core/jobs.py): the kernel's SLA sweep over open requests."""

import logging

from kotalive.coordination.models import CoordinationRequest
from kotalive.core.jobs import periodic
from kotalive.workflow.sweep import sla_sweep

logger = logging.getLogger("kotalive.worker")


@periodic("coordination.sla-sweep")
def coordination_sla_sweep() -> int:
    result = sla_sweep(CoordinationRequest.event_kind)
    if result.checked:
        logger.info(
            "coordination sweep: %s checked, %s changed, %s escalations",
            result.checked,
            result.status_changed,
            result.escalations,
        )
    return result.checked
