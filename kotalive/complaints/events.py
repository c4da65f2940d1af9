"""The JSON Schemas of complaint (LAKSA) events, registered in the event catalogue (docs/events.md)."""

from typing import Any

from kotalive.events.audience import public_keys_register
from kotalive.events.catalogue import event_types_register
from kotalive.workflow.events import STEP_PROPERTIES, STEP_PUBLIC_KEYS, STEP_REQUIRED, step_schema_register

_COMPLAINT = {
    "tracking": {"type": "string", "pattern": "^LAKSA-[0-9]{8}-[0-9]+$"},
    "kind": {"enum": ["complaint", "aspiration", "information", "appreciation"]},
    "category": {"type": "string"},
    "agency": {"type": ["string", "null"]},  # the agency holding the report; null while the Live Room holds it
    "kelurahan": {"type": ["string", "null"]},
}


def _complaint_schema(extra: dict[str, Any], required: list[str]) -> dict[str, Any]:
    # Never the reporter: complaint events reach agencies, and an anonymous reporter must stay unknown to them.
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {**_COMPLAINT, **STEP_PROPERTIES, **extra},
        "required": ["tracking", "kind", "category", "agency", "kelurahan", *STEP_REQUIRED, *required],
        "not": {"anyOf": [{"required": ["reporter"]}, {"required": ["reporter_name"]}]},
    }


# A complaint's workflow step; hand-offs add from_agency, to_agency and seconds_at_agency.
COMPLAINT_STEP_SCHEMA = _complaint_schema(
    {
        "from_agency": {"type": ["string", "null"]},
        "to_agency": {"type": "string"},
        "seconds_at_agency": {"type": "integer", "minimum": 0},
        "supports": {"type": "array", "items": {"type": "string"}},
        "into": {"type": "string"},
        "confirm_by": {"type": "string"},
        "photos": {"type": "array", "items": {"type": "string"}},
        "stage": {"enum": ["before", "after"]},
    },
    [],
)

COMPLAINT_TYPES: dict[str, dict[str, Any]] = {
    "complaint.submitted": _complaint_schema(
        {
            "source": {"enum": ["app", "open311", "lapor"]},
            "photos": {"type": "integer", "minimum": 0},
            "due_at": {"type": ["string", "null"]},
        },
        ["source", "photos", "due_at"],
    ),
    "complaint.escalated": _complaint_schema(
        {
            "rule": {"type": "integer", "minimum": 0},
            "when": {"type": "string"},
            "target": {"enum": ["liaison", "head", "operator", "leadership"]},
            "notified": {"type": ["string", "null"]},
            "working_days_overdue": {"type": "integer"},
        },
        ["rule", "when", "target", "notified"],
    ),
    "complaint.message_posted": _complaint_schema(
        {"message_id": {"type": "integer"}, "author_role": {"enum": ["reporter", "operator", "agency"]}},
        ["message_id", "author_role"],
    ),
    "complaint.rated": _complaint_schema({"score": {"type": "integer", "minimum": 1, "maximum": 5}}, ["score"]),
    "complaint.emergency_handover": _complaint_schema({"to": {"const": "112"}}, ["to"]),
    "complaint.duplicate_merged": _complaint_schema(
        {"duplicate": {"type": "string"}, "followers_added": {"type": "integer", "minimum": 0}},
        ["duplicate", "followers_added"],
    ),
    "complaint.lapor_reply": _complaint_schema({"lapor_id": {"type": "string"}}, ["lapor_id"]),
}


# What a report's followers may read of its events' data (the event feed, their notices): what the public feed and
# follower_detail show of a report (its number, kind, category, holder and kelurahan) and the move of each step.
# Never a reason, a message, the reporter, an officer's name, the agencies it passed through, photos or a rating.
COMPLAINT_PUBLIC_KEYS = (*_COMPLAINT, *STEP_PUBLIC_KEYS)


def register() -> None:
    step_schema_register("complaint", COMPLAINT_STEP_SCHEMA)
    event_types_register(COMPLAINT_TYPES)
    public_keys_register("complaint", COMPLAINT_PUBLIC_KEYS)
