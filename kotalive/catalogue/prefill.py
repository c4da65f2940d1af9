"""Once-only: fill a service's form from the population registry instead of asking the citizen again, for the
person the application is about."""

from typing import Any

from django.utils.translation import gettext as _

from kotalive.accounts.models import User
from kotalive.catalogue.models import ServiceVersion
from kotalive.core.errors import ValidationFailed
from kotalive.registry.models import Person
from kotalive.registry.selectors import family_members, registry_values


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


def resolve_subject(*, user: User, subject: str, version: ServiceVersion) -> Person | None:
    """The registry person the application is about: "self", or the id of a member of the citizen's family card
    (as listed by /api/v1/me). None for a citizen outside the registry applying for themself."""
    profile = getattr(user, "citizen", None)
    own = profile.person if profile is not None else None
    if subject in ("", "self"):
        return own
    if not version.eligibility.get("family_members"):
        raise ValidationFailed({"subject": [_("this service is only for yourself")]})
    if own is None:
        raise ValidationFailed({"subject": [_("only a registry-verified citizen applies for family members")]})
    member = next((m for m in family_members(person=own) if str(m.pk) == str(subject)), None)
    if member is None:
        raise ValidationFailed({"subject": [_("is not a member of your family card")]})
    return member
