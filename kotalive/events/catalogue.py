"""The event catalogue: every event type the platform emits and the JSON Schema of its `data`.

docs/events.md documents the same types; a test checks that every outbox row a full case life writes validates
against its schema, and that every type here is documented. The backbone knows no subject kind: each kind
registers its fixed types (`event_types_register`, from its AppConfig.ready()), and the workflow registers a
source that names the transition events of the stored definitions (`event_type_source`).
"""

import datetime as dt
from collections.abc import Callable
from typing import Any

from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent

from kotalive.events.models import OutboxEvent
from kotalive.events.services import TYPE_PREFIX

_TYPES: dict[str, dict[str, Any]] = {}
_SOURCES: list[Callable[[], dict[str, dict[str, Any]]]] = []


def event_types_register(types: dict[str, dict[str, Any]]) -> None:
    """Add fixed event types (short name, e.g. case.rated -> JSON Schema of its data)."""
    _TYPES.update(types)


def event_type_source(
    source: Callable[[], dict[str, dict[str, Any]]],
) -> Callable[[], dict[str, dict[str, Any]]]:
    """Register a function that names further types at call time (the workflow's transition events)."""
    _SOURCES.append(source)
    return source


def event_types() -> dict[str, dict[str, Any]]:
    """Every event type (full name, e.g. id.kotalive.case.completed) -> the JSON Schema of its data."""
    found: dict[str, dict[str, Any]] = {}
    for source in _SOURCES:
        found.update({TYPE_PREFIX + name: schema for name, schema in source().items()})
    found.update({TYPE_PREFIX + name: schema for name, schema in _TYPES.items()})
    return dict(sorted(found.items()))


def cloudevent(event: OutboxEvent) -> CloudEvent:
    """The row as a validated CloudEvent of the SDK (extensions: `sequence`, `agency`)."""
    return cloudevent_of(event.as_cloudevent(), event.time)


def cloudevent_of(attributes: dict[str, Any], time: dt.datetime) -> CloudEvent:
    """A CloudEvent of the SDK from the JSON form's attributes (the SDK wants `time` as a datetime)."""
    fields = {**attributes, "time": time}
    data = fields.pop("data")
    return CloudEvent(fields, data)


def cloudevent_json(event: OutboxEvent) -> bytes:
    """Structured-mode JSON of the event, written by the CloudEvents SDK."""
    return JSONFormat().write(cloudevent(event))


def cloudevent_json_of(attributes: dict[str, Any], time: dt.datetime) -> bytes:
    return JSONFormat().write(cloudevent_of(attributes, time))
