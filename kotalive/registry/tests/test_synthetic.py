import datetime as dt

import pytest
from django.core.management import call_command

from kotalive.registry.identity import parse_nik
from kotalive.registry.models import Family, Person
from kotalive.registry.services import registry_seed_synthetic
from kotalive.registry.synthetic import REFERENCE_DATE, PopulationGenerator

KELURAHAN = ["36.71.05.1001", "36.71.05.1005", "36.71.04.1003", "36.71.07.1001"]


def _people(seed: int, count: int) -> list[tuple[str, object]]:
    generator = PopulationGenerator(kelurahan_codes=KELURAHAN, seed=seed)
    return [(p.nik, fam) for fam in generator.families(count) for p in fam.members]


def test_the_same_seed_makes_the_same_people_and_another_seed_others() -> None:
    first = [nik for nik, _f in _people(7, 500)]

    assert first == [nik for nik, _f in _people(7, 500)]
    assert first != [nik for nik, _f in _people(8, 500)]
    assert len(first) == 500


def test_every_nik_is_valid_unique_and_agrees_with_birth_date_sex_and_kecamatan() -> None:
    generator = PopulationGenerator(kelurahan_codes=KELURAHAN, seed=3)
    seen = set()
    for family in generator.families(3000):
        for person in family.members:
            nik = parse_nik(person.nik)
            assert person.birth_date in nik.birth_date_candidates()
            assert nik.sex_hint == person.sex
            assert nik.region_code == family.kelurahan_code[:8]
            seen.add(person.nik)
    assert len(seen) == 3000


def test_families_are_plausible_parents_older_than_their_children() -> None:
    generator = PopulationGenerator(kelurahan_codes=KELURAHAN, seed=5)
    for family in generator.families(2000):
        heads = [p for p in family.members if p.relationship == "KEPALA KELUARGA"]
        assert len(heads) == 1
        assert heads[0].birth_date <= REFERENCE_DATE.replace(year=REFERENCE_DATE.year - 19)
        for child in (p for p in family.members if p.relationship == "ANAK"):
            for parent in (p for p in family.members if p.relationship in {"KEPALA KELUARGA", "ISTRI"}):
                assert (child.birth_date - parent.birth_date) > dt.timedelta(days=365 * 18)
            assert child.father_name == heads[0].full_name


@pytest.mark.django_db
def test_seeding_twice_with_one_seed_adds_nobody_the_second_time(reference: None) -> None:
    first = registry_seed_synthetic(actor=None, people=300, seed=11, region_code="36.71")
    second = registry_seed_synthetic(actor=None, people=300, seed=11, region_code="36.71")

    assert first.people == 300
    assert second.people == 0
    assert second.skipped_families == first.families
    assert Person.objects.count() == 300
    assert Family.objects.count() == first.families


@pytest.mark.django_db
def test_the_seed_command_stores_niks_encrypted_and_findable_by_blind_index(reference: None) -> None:
    call_command("seed-registry", people=50, seed=2)

    person = Person.objects.order_by("id").first()
    assert person is not None
    assert person.nik not in person.nik_encrypted
    assert Person.objects.filter(nik_index=person.nik_index).count() == 1
    assert parse_nik(person.nik)
