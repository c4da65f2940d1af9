"""Reads of the population registry. Each one is scoped: a person's own record and family, or a look-up
recorded in the audit log with its purpose (registry mediation for other agencies comes with the integration
issue)."""

import datetime as dt
import re
from typing import Any

from django.db.models import QuerySet

from kotalive.core import crypto
from kotalive.registry.models import Person


def normalise_person_name(name: str) -> str:
    """Compare names ignoring case, spacing and punctuation: 'Siti  Nur-Aisyah' == 'SITI NUR AISYAH'."""
    return re.sub(r"[^0-9a-z]", "", name.casefold())


def person_find_by_nik(*, nik: str) -> Person | None:
    """The registry person with this NIK, found through the blind index. Callers record why they looked."""
    return Person.objects.select_related("family").filter(nik_index=crypto.blind_index(nik)).first()


def family_members(*, person: Person) -> QuerySet[Person]:
    """Everyone on the same family card as `person`, oldest first."""
    return Person.objects.filter(family_id=person.family_id).order_by("birth_date", "id")


def persons_without_account(*, born_before: dt.date, unregistered: bool) -> QuerySet[Person]:
    """Registry residents born before `born_before`, optionally only those with no citizen account.

    For demos and checks only (`kotalive registry-sample`): it prints NIKs in full, so it is not exposed on the web.
    """
    from kotalive.accounts.models import CitizenProfile  # noqa: PLC0415 (accounts depends on registry)

    people = Person.objects.filter(birth_date__lt=born_before).order_by("id")
    if unregistered:
        people = people.exclude(nik_index__in=CitizenProfile.objects.values("nik_index"))
    return people


def registry_values(person: Person) -> dict[str, Any]:
    """The registry data a form may ask for, by the names of registry.models.REGISTRY_FIELDS."""
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
