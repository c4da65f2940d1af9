"""The fields every workflow step's event carries, whatever the subject kind, and the step schema each kind
registers: the event catalogue (kotalive.events.catalogue) lists `<kind>.<event>` for every transition of every
stored definition with its kind's schema."""

from typing import Any

from kotalive.events.catalogue import event_type_source, event_types_register
from kotalive.workflow.definitions import CATEGORIES

STEP_PROPERTIES: dict[str, Any] = {
    "action": {"type": "string"},
    "from_state": {"type": "string"},
    "to_state": {"type": "string"},
    "state_category": {"enum": list(CATEGORIES)},
    "reason": {"type": "string"},
    "actor_role": {"type": "string"},
    "version": {"type": "integer", "minimum": 1},
    "requirements": {"type": "array", "items": {"type": "string"}},
}
STEP_REQUIRED = ["action", "from_state", "to_state", "state_category", "reason", "actor_role", "version"]
# What anyone following a subject may read of its steps' events (kotalive/events/audience.py): the move and the role
# that made it, as a follower's timeline shows them; never the reason nor what a step adds.
STEP_PUBLIC_KEYS = ("action", "from_state", "to_state", "state_category", "actor_role", "version")


STEP_SCHEMAS: dict[str, dict[str, Any]] = {}


def step_schema_register(kind: str, schema: dict[str, Any]) -> None:
    """Set the JSON Schema of `kind`'s step events (called from the kind's AppConfig.ready())."""
    STEP_SCHEMAS[kind] = schema


@event_type_source
def workflow_event_types() -> dict[str, dict[str, Any]]:
    """`<subject>.<event>` for every transition event of every stored workflow definition, with its kind's schema."""
    from kotalive.workflow.models import WorkflowDefinition  # noqa: PLC0415 (models are ready only at call time)

    found: dict[str, dict[str, Any]] = {}
    for definition in WorkflowDefinition.objects.all():
        parsed = definition.parsed
        schema = STEP_SCHEMAS.get(parsed.subject)
        if schema is not None:
            found.update({f"{parsed.subject}.{t.event}": schema for t in parsed.transitions})
            # The kernel's own moves of every kind: waiting on another agency and back (workflow.waiting).
            found.update({f"{parsed.subject}.{event}": schema for event in ("awaiting_agency", "resumed")})
    return found


_NOTIFICATION = {
    "notification_id": {"type": "integer"},
    "kind": {"type": "string"},  # the notice's kind: the event it tells of (case.verified)
    "subject": {"type": "string"},  # the tracking number it is about
}


def _notification_schema(extra: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {**_NOTIFICATION, **extra},
        "required": ["notification_id", "kind", "subject", *required],
    }


_ATTEMPT = {
    "channel": {"enum": ["email", "sms", "whatsapp"]},
    "gateway": {"type": "string"},
    "attempt": {"type": "integer"},
    "error": {"type": "string"},
}
# The delivery contract's outcomes (kotalive/workflow/delivery.py): one event per attempt's end, and one when no
# channel is left.
event_types_register(
    {
        "notification.delivered": _notification_schema(_ATTEMPT, ["channel", "gateway", "attempt"]),
        "notification.failed": _notification_schema(_ATTEMPT, ["channel", "gateway", "attempt", "error"]),
        "notification.undetermined": _notification_schema(_ATTEMPT, ["channel", "gateway", "attempt"]),
        "notification.unreachable": _notification_schema(
            {"channels": {"type": "array", "items": {"type": "string"}}}, ["channels"]
        ),
    }
)
