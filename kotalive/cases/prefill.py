"""Once-only: fill a form from the population registry instead of asking the citizen again."""

from typing import Any

from kotalive.catalogue.models import ServiceVersion
from kotalive.registry.models import Person


def registry_values(person: Person) -> dict[str, Any]:
    """The registry data a form may ask for, by the keys of catalogue.forms.PREFILL_KEYS."""
    family = person.family
    members = list(family.members.all())
    head = next((m for m in members if m.relationship == "KEPALA KELUARGA"), None)
    spouse = next((m for m in members if m.relationship in {"ISTRI", "SUAMI"}), None)
    return {
        "full_name": person.full_name.title(),
        "nik": person.nik,
        "birth_place": person.birth_place.title(),
        "birth_date": person.birth_date.isoformat(),
        "sex": person.sex,
        "religion": person.religion,
        "marital_status": person.marital_status,
        "occupation": person.occupation,
        "education": person.education,
        "kk_number": family.kk_number,
        "address": f"{family.address} RT {family.rt}/RW {family.rw}",
        "kelurahan": family.kelurahan_id,
        "father_name": person.father_name.title(),
        "mother_name": person.mother_name.title(),
        "head_name": head.full_name.title() if head else "",
        "spouse_name": spouse.full_name.title() if spouse else "",
    }


def form_prefill(version: ServiceVersion, person: Person | None) -> dict[str, Any]:
    """{field: value} for every form field that names registry data, for `person` (nothing without one)."""
    if person is None:
        return {}
    values = registry_values(person)
    prefill = {}
    for name, prop in version.form_schema.get("properties", {}).items():
        key = prop.get("x-prefill")
        if key and values.get(key):
            prefill[name] = values[key]
    return prefill


PREFILL_LEGAL_BASIS = "UU 24/2013 art. 58 and Perpres 96/2018: population data for public services"
