"""What a completed application records in the population registry, named by its service version's
`registry_effect` (data in the catalogue): a birth certificate adds the child to the family card with a new NIK, a
death certificate records the death. The fields each effect reads are those of the service's form in the reference
catalogue (a region pack's services file, packs/kota-tangerang/services-3671.json): a region's own service
must keep their names."""

import datetime as dt
from collections.abc import Callable

from kotalive.accounts.models import User
from kotalive.cases.models import Case
from kotalive.cases.selectors import citizen_person
from kotalive.registry.models import Person
from kotalive.registry.services import registry_birth_record, registry_death_record


def _record_birth(case: Case, actor: User) -> Person | None:
    parent = citizen_person(case.applicant)
    if parent is None:  # a citizen outside the registry: DISDUKCAPIL records the family first, by hand
        return None
    data = case.data
    return registry_birth_record(
        actor=actor,
        family=parent.family,
        full_name=str(data["child_name"]),
        sex=str(data["child_sex"]),
        birth_date=dt.date.fromisoformat(str(data["child_birth_date"])),
        birth_place=str(data["child_birth_place"]),
        father_name=str(data.get("father_name") or ""),
        mother_name=str(data.get("mother_name") or ""),
    )


def _record_death(case: Case, actor: User) -> Person | None:
    if case.subject_person is None:
        return None
    return registry_death_record(
        actor=actor, person=case.subject_person, died_on=dt.date.fromisoformat(str(case.data["date_of_death"]))
    )


_EFFECTS: dict[str, Callable[[Case, User], Person | None]] = {
    "record_birth": _record_birth,
    "record_death": _record_death,
}


def registry_effect_apply(*, case: Case, actor: User) -> Person | None:
    """Record what the completed `case` established (inside its transaction); the person recorded, or None when
    its service records nothing."""
    effect = case.service_version.registry_effect
    return _EFFECTS[effect](case, actor) if effect else None
