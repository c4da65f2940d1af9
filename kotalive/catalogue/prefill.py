"""Once-only: fill a service's form from the population registry instead of asking the citizen again, for the
person the application is about (or, for a newborn, the applicant: catalogue.subjects.prefill_person)."""

from typing import Any

from kotalive.catalogue.models import ServiceVersion
from kotalive.registry.models import Person
from kotalive.registry.selectors import registry_values


def form_prefill(version: ServiceVersion, person: Person | None) -> dict[str, Any]:
    """{field: value} for every form field that names registry data, for `person` (nothing without one)."""
    return schema_prefill(version.form_schema, person)


def schema_prefill(schema: dict[str, Any], person: Person | None) -> dict[str, Any]:
    """{field: value} for every property of the JSON Schema `schema` whose `x-prefill` names registry data."""
    if person is None:
        return {}
    values = registry_values(person)
    prefill = {}
    for name, prop in schema.get("properties", {}).items():
        key = prop.get("x-prefill")
        if key and values.get(key):
            prefill[name] = values[key]
    return prefill


PREFILL_LEGAL_BASIS = "UU 24/2013 art. 58 and Perpres 96/2018: population data for public services"
