"""The event backbone's worker job (kotalive/core/jobs.py): fan-out, webhook sends and in-process consumers."""

from kotalive.core.jobs import continuous
from kotalive.events.dispatch import dispatch_once


@continuous("events.dispatch")
def events_dispatch() -> bool:
    result = dispatch_once()
    return bool(result["fanned_out"] or result["attempted"] or result["consumed"])
