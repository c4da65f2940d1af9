"""The JSON Schemas of document events, registered in the event catalogue (docs/events.md)."""

from typing import Any

from kotalive.events.catalogue import event_types_register

_DOCUMENT = {
    "document_id": {"type": "string", "format": "uuid"},
    "kind": {"type": "string"},  # the document type: the service code
    "number": {"type": "string"},
    "subject": {"type": "string"},  # what it was issued for: a tracking number
}


def _schema(extra: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {**_DOCUMENT, **extra},
        "required": ["document_id", "kind", "number", "subject", *required],
    }


DOCUMENT_TYPES: dict[str, dict[str, Any]] = {
    # Rendered, sealed and signed: the holder can download it.
    "document.signed": _schema({"sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"}}, ["sha256"]),
    # Revoked by the issuing agency: verification answers "revoked" from now on.
    "document.revoked": _schema(
        {"reason": {"enum": ["error", "superseded", "court_order", "fraud"]}, "revoked_at": {"type": "string"}},
        ["reason", "revoked_at"],
    ),
}

event_types_register(DOCUMENT_TYPES)
