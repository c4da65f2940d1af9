"""Writes to the population registry: loading synthetic residents and the demo families.

In production the registry is fed by DISDUKCAPIL's own system (SIAK); here it is filled with synthetic people so
that every check of a NIK runs against a realistic registry.
"""

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from django.db import IntegrityError, connection, transaction

from kotalive.core import crypto
from kotalive.core.audit import audit_record
from kotalive.regions.codes import KELURAHAN
from kotalive.regions.models import Region
from kotalive.registry.identity import format_nik
from kotalive.registry.models import Family, Person
from kotalive.registry.synthetic import PopulationGenerator, SyntheticFamily, SyntheticPerson

BATCH_FAMILIES = 5000


@dataclass(frozen=True)
class SeedResult:
    families: int
    people: int
    skipped_families: int


def _batches(items: Iterable[SyntheticFamily], size: int) -> Iterator[list[SyntheticFamily]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _kelurahan_codes(region_code: str) -> list[str]:
    return list(
        Region.objects.filter(code__startswith=region_code + ".", level=KELURAHAN).values_list("code", flat=True)
    )


def _person_row(family_id: int, p: SyntheticPerson) -> tuple[object, ...]:
    return (
        crypto.blind_index(p.nik),
        crypto.encrypt(p.nik),
        family_id,
        p.full_name,
        p.birth_place,
        p.birth_date,
        p.sex,
        p.religion,
        p.marital_status,
        p.relationship,
        p.education,
        p.occupation,
        "WNI",
        p.father_name,
        p.mother_name,
    )


PERSON_COLUMNS = (
    "nik_index",
    "nik_encrypted",
    "family_id",
    "full_name",
    "birth_place",
    "birth_date",
    "sex",
    "religion",
    "marital_status",
    "relationship",
    "education",
    "occupation",
    "citizenship",
    "father_name",
    "mother_name",
)
FAMILY_COLUMNS = ("id", "kk_number", "address", "rt", "rw", "kelurahan_id", "issued_on")


def _insert_postgresql(batch: list[SyntheticFamily]) -> None:
    """COPY both tables; family ids are reserved from the sequence first so persons can point at them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('registry_family', 'id')) FROM generate_series(1, %s)",
            [len(batch)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        raw = cursor.cursor  # psycopg 3 cursor underneath Django's wrapper
        with raw.copy(f"COPY registry_family ({', '.join(FAMILY_COLUMNS)}) FROM STDIN") as copy:
            for family_id, fam in zip(ids, batch, strict=True):
                copy.write_row(
                    (family_id, fam.kk_number, fam.address, fam.rt, fam.rw, fam.kelurahan_code, fam.issued_on)
                )
        with raw.copy(f"COPY registry_person ({', '.join(PERSON_COLUMNS)}) FROM STDIN") as copy:
            for family_id, fam in zip(ids, batch, strict=True):
                for person in fam.members:
                    copy.write_row(_person_row(family_id, person))


def _insert_generic(batch: list[SyntheticFamily]) -> None:
    families = Family.objects.bulk_create(
        [
            Family(
                kk_number=f.kk_number,
                address=f.address,
                rt=f.rt,
                rw=f.rw,
                kelurahan_id=f.kelurahan_code,
                issued_on=f.issued_on,
            )
            for f in batch
        ]
    )
    people = []
    for family, fam in zip(families, batch, strict=True):
        for row in (_person_row(family.pk, p) for p in fam.members):
            people.append(Person(**dict(zip(PERSON_COLUMNS, row, strict=True))))
    Person.objects.bulk_create(people, batch_size=2000)


def registry_seed_synthetic(*, actor: object, people: int, seed: int, region_code: str) -> SeedResult:
    """Add `people` synthetic residents of `region_code` generated from `seed`.

    Idempotent: the same seed generates the same families, and a family whose KK number is already in the
    registry is skipped with its members, so a second run adds nothing.
    """
    kelurahan = _kelurahan_codes(region_code)
    generator = PopulationGenerator(kelurahan_codes=kelurahan, seed=seed)
    registry_empty = not Family.objects.exists()
    insert = _insert_postgresql if connection.vendor == "postgresql" else _insert_generic
    families = persons = skipped = 0
    with transaction.atomic():
        for batch in _batches(generator.families(people), BATCH_FAMILIES):
            if not registry_empty:
                existing = set(
                    Family.objects.filter(kk_number__in=[f.kk_number for f in batch]).values_list(
                        "kk_number", flat=True
                    )
                )
                skipped += len(existing)
                batch = [f for f in batch if f.kk_number not in existing]
            if batch:
                insert(batch)
                families += len(batch)
                persons += sum(len(f.members) for f in batch)
        audit_record(
            actor=actor,
            action="registry.seeded",
            object_type="registry.person",
            data={"people": persons, "families": families, "seed": seed, "region": region_code},
        )
    return SeedResult(families=families, people=persons, skipped_families=skipped)


@dataclass(frozen=True)
class DemoPerson:
    nik: str
    full_name: str
    birth_date: dt.date
    sex: str
    relationship: str
    marital_status: str
    occupation: str


def registry_add_family(
    *,
    actor: object,
    kk_number: str,
    address: str,
    rt: str,
    rw: str,
    kelurahan_code: str,
    members: list[DemoPerson],
    father_name: str = "",
    mother_name: str = "",
) -> Family:
    """Add one family card and its members unless the KK number is already registered (demo data)."""
    with transaction.atomic():
        family = Family.objects.filter(kk_number=kk_number).first()
        if family is not None:
            return family
        family = Family.objects.create(
            kk_number=kk_number,
            address=address,
            rt=rt,
            rw=rw,
            kelurahan_id=kelurahan_code,
            issued_on=dt.date(2020, 1, 15),
        )
        for member in members:
            person = Person(
                family=family,
                full_name=member.full_name,
                birth_place="TANGERANG",
                birth_date=member.birth_date,
                sex=member.sex,
                religion="ISLAM",
                marital_status=member.marital_status,
                relationship=member.relationship,
                education="SLTA/SEDERAJAT",
                occupation=member.occupation,
                father_name=father_name if member.relationship == "ANAK" else "",
                mother_name=mother_name if member.relationship == "ANAK" else "",
            )
            person.set_nik(member.nik)
            person.save()
        audit_record(actor=actor, action="registry.family_added", obj=family, data={"members": len(members)})
    return family


# How many NIK serials one look-up tries at a time when a newborn gets a number (a serial counts per region and
# birth date, so the first batch almost always has a free one).
_SERIAL_BATCH = 50


def _free_nik(*, region6: str, birth_date: dt.date, sex: str) -> str:
    """The first NIK of this region, birth date and sex that nobody holds (found through the blind index)."""
    for start in range(1, 10000, _SERIAL_BATCH):
        candidates = {
            crypto.blind_index(nik): nik
            for serial in range(start, min(start + _SERIAL_BATCH, 10000))
            for nik in [format_nik(region6=region6, birth_date=birth_date, sex=sex, serial=serial)]
        }
        taken = set(Person.objects.filter(nik_index__in=candidates).values_list("nik_index", flat=True))
        for index, nik in candidates.items():  # dicts keep the serials' order
            if index not in taken:
                return nik
    raise ValueError(f"no free NIK serial left for {region6} on {birth_date}")


def registry_birth_record(
    *,
    actor: object,
    family: Family,
    full_name: str,
    sex: str,
    birth_date: dt.date,
    birth_place: str,
    father_name: str,
    mother_name: str,
) -> Person:
    """Add a newborn to the family card with a new NIK (region of the family's kecamatan, birth date, sex, the next
    free serial), as DISDUKCAPIL does when it issues the birth certificate. Recording the same child again (same
    family, name and birth date) returns the person already recorded. Inside the caller's transaction."""
    name = " ".join(full_name.split()).upper()
    found = Person.objects.filter(family=family, full_name=name, birth_date=birth_date).first()
    if found is not None:
        return found
    region6 = family.kelurahan_id.replace(".", "")[:6]
    person = Person(
        family=family,
        full_name=name,
        birth_place=" ".join(birth_place.split()).upper(),
        birth_date=birth_date,
        sex=sex,
        religion=family.members.values_list("religion", flat=True).first() or "",
        marital_status="BELUM KAWIN",
        relationship="ANAK",
        education="TIDAK/BELUM SEKOLAH",
        occupation="BELUM/TIDAK BEKERJA",
        father_name=" ".join(father_name.split()).upper(),
        mother_name=" ".join(mother_name.split()).upper(),
    )
    for attempt in range(5):
        person.set_nik(_free_nik(region6=region6, birth_date=birth_date, sex=sex))
        try:
            with transaction.atomic():  # a savepoint: a birth recorded at the same moment may take the same NIK
                person.save(force_insert=True)
            break
        except IntegrityError:
            person.pk = None
            if attempt == 4:
                raise
    audit_record(actor=actor, action="registry.birth_recorded", obj=person, data={"family": family.pk})
    return person


def registry_death_record(*, actor: object, person: Person, died_on: dt.date) -> Person:
    """Record a resident's death (the death certificate was issued); recording it again changes nothing."""
    if person.died_on is None:
        person.died_on = died_on
        person.save(update_fields=["died_on"])
        audit_record(actor=actor, action="registry.death_recorded", obj=person, data={"died_on": died_on.isoformat()})
    return person
