"""Reference data every deployment loads, and the demo accounts `make run` shows.

Every step is idempotent: running the seed twice neither fails nor duplicates anything.
"""

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kotalive.accounts.models import CitizenProfile, User
from kotalive.accounts.services import staff_account_create
from kotalive.agencies.machine import api_client_create, api_key_adopt
from kotalive.agencies.models import Agency, ApiClient, StaffRole
from kotalive.agencies.selectors import agency_get
from kotalive.agencies.services import staff_role_grant
from kotalive.core import crypto
from kotalive.core.audit import audit_record
from kotalive.demo.history import demo_history_load
from kotalive.demo.region_pack import RegionPackLoaded, region_pack_load
from kotalive.registry.identity import FEMALE, MALE
from kotalive.registry.mediation import agreement_save
from kotalive.registry.selectors import person_find_by_nik
from kotalive.registry.services import DemoPerson, registry_add_family, registry_seed_synthetic

DEMO_SYNTHETIC_PEOPLE = 5000
DEMO_SEED = 1


@dataclass(frozen=True)
class DemoCitizen:
    username: str
    nik: str
    phone: str
    email: str


# Two citizens of one family (warga1 and warga2, with two children) and a citizen of another family (warga3).
BUDI = DemoPerson(
    "3671051204859001",
    "BUDI SANTOSO",
    dt.date(1985, 4, 12),
    MALE,
    "KEPALA KELUARGA",
    "KAWIN",
    "KARYAWAN SWASTA",
)
SITI = DemoPerson("3671054309889002", "SITI RAHMAWATI", dt.date(1988, 9, 3), FEMALE, "ISTRI", "KAWIN", "WIRASWASTA")
ANDI = DemoPerson(
    "3671052006129003", "ANDI PRATAMA", dt.date(2012, 6, 20), MALE, "ANAK", "BELUM KAWIN", "PELAJAR/MAHASISWA"
)
PUTRI = DemoPerson(
    "3671055402199004",
    "PUTRI LESTARI",
    dt.date(2019, 2, 14),
    FEMALE,
    "ANAK",
    "BELUM KAWIN",
    "BELUM/TIDAK BEKERJA",
)
DEWI = DemoPerson(
    "3671076511929001",
    "DEWI LESTARI",
    dt.date(1992, 11, 25),
    FEMALE,
    "KEPALA KELUARGA",
    "BELUM KAWIN",
    "KARYAWAN SWASTA",
)

DEMO_CITIZENS = [
    DemoCitizen("warga1", BUDI.nik, "+6281200000001", "warga1@example.id"),
    DemoCitizen("warga2", SITI.nik, "+6281200000002", "warga2@example.id"),
    DemoCitizen("warga3", DEWI.nik, "+6281200000003", "warga3@example.id"),
]

# username, full name, [(agency code or None for platform-wide, role)], may open Django admin
DEMO_STAFF: list[tuple[str, str, list[tuple[str | None, str]], bool]] = [
    (
        "dukcapil.verifikator",
        "Rina Verifikator",
        [("DISDUKCAPIL", StaffRole.VERIFIER), ("DISDUKCAPIL", StaffRole.PROCESSOR)],
        False,
    ),
    (
        "dukcapil.kadis",
        "Kepala Dinas Dukcapil",
        [("DISDUKCAPIL", StaffRole.HEAD), ("DISDUKCAPIL", StaffRole.APPROVER)],
        False,
    ),
    ("dukcapil.admin", "Admin Sistem Dukcapil", [("DISDUKCAPIL", StaffRole.AGENCY_ADMIN)], False),
    (
        "dinsos.petugas",
        "Petugas Dinas Sosial",
        [("DINSOS", StaffRole.VERIFIER), ("DINSOS", StaffRole.PROCESSOR), ("DINSOS", StaffRole.APPROVER)],
        False,
    ),
    (
        "dinkes.petugas",
        "Petugas Dinas Kesehatan",
        [
            ("DINKES", StaffRole.LIAISON),
            ("DINKES", StaffRole.VERIFIER),
            ("DINKES", StaffRole.PROCESSOR),
            ("DINKES", StaffRole.APPROVER),
        ],
        False,
    ),
    (
        "kominfo.operator",
        "Operator Live Room",
        [(None, StaffRole.OPERATOR), ("DISKOMINFO", StaffRole.LIAISON)],
        False,
    ),
    ("admin", "Administrator Platform", [(None, StaffRole.PLATFORM_ADMIN)], True),
]


def reference_data_load() -> RegionPackLoaded:
    """The deployment's region pack (`KOTALIVE_REGION_PACK`; by default Kota Tangerang's, with the regions of
    Banten): its regions, agencies, services with the platform's workflows, life-event bundles, complaint categories
    and cooperation agreements. Raises RegionPackInvalid, loading nothing, when the pack has problems."""
    return region_pack_load(actor=None, directory=Path(settings.KOTALIVE_REGION_PACK))


def _demo_registry(synthetic_people: int) -> None:
    registry_add_family(
        actor=None,
        kk_number="3671051501209001",
        address="Jl. Kenanga Raya No. 17",
        rt="003",
        rw="005",
        kelurahan_code="36.71.05.1005",
        members=[BUDI, SITI, ANDI, PUTRI],
        father_name=BUDI.full_name,
        mother_name=SITI.full_name,
    )
    registry_add_family(
        actor=None,
        kk_number="3671071003189001",
        address="Jl. Imam Bonjol No. 8",
        rt="001",
        rw="002",
        kelurahan_code="36.71.07.1001",
        members=[DEWI],
    )
    if synthetic_people:
        registry_seed_synthetic(
            actor=None, people=synthetic_people, seed=DEMO_SEED, region_code=settings.KOTALIVE_REGION_CODE
        )


def _demo_citizen(citizen: DemoCitizen, password: str) -> None:
    if User.objects.filter(username=citizen.username).exists():
        return
    person = person_find_by_nik(nik=citizen.nik)
    assert person is not None, f"demo registry is missing {citizen.username}"  # noqa: S101 (seed invariant)
    now = timezone.now()
    with transaction.atomic():
        user = User(
            username=citizen.username,
            full_name=person.full_name.title(),
            kind=User.CITIZEN,
            phone=citizen.phone,
            email=citizen.email,
            phone_verified_at=now,
            email_verified_at=now,
        )
        user.set_password(password)
        user.save()
        CitizenProfile.objects.create(
            user=user,
            nik_index=crypto.blind_index(citizen.nik),
            nik_encrypted=crypto.encrypt(citizen.nik),
            birth_date=person.birth_date,
            person=person,
            registry_verified_at=now,
        )
        audit_record(actor=None, action="demo.citizen_created", obj=user, data={"username": citizen.username})


def _demo_staff(password: str) -> None:
    for username, full_name, roles, superuser in DEMO_STAFF:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = staff_account_create(
                actor=None,
                username=username,
                full_name=full_name,
                password=password,
                email=f"{username}@example.id",
            ).user
            if superuser:
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
        for agency_code, role in roles:
            staff_role_grant(
                actor=None, user=user, role=role, agency=agency_get(code=agency_code) if agency_code else None
            )


def demo_data_load(*, synthetic_people: int = DEMO_SYNTHETIC_PEOPLE, history: bool = True) -> None:
    """The demo: a small registry, citizens warga1-3, one staff account per persona and (with `history`) a few
    months of synthetic activity for the dashboards; the tests' personas leave the history out."""
    password = settings.DEMO_PASSWORD
    _demo_registry(synthetic_people)
    for citizen in DEMO_CITIZENS:
        _demo_citizen(citizen, password)
    _demo_staff(password)
    _demo_liaisons(password)
    _demo_agreements()
    _demo_open311_partner()
    if history:
        demo_history_load()  # a few months of synthetic activity for the dashboards (kotalive/demo/history.py)


def liaison_username(agency_code: str) -> str:
    return f"{agency_code.lower()}.penghubung"


def _demo_liaisons(password: str) -> None:
    """A liaison officer (pejabat penghubung) for every agency that handles complaints: `<code>.penghubung`."""
    for agency in Agency.objects.filter(handles_complaints=True, active=True).order_by("code"):
        username = liaison_username(agency.code)
        user = User.objects.filter(username=username).first()
        if user is None:
            user = staff_account_create(
                actor=None,
                username=username,
                full_name=f"Penghubung {agency.code}",
                password=password,
                email=f"{username}@example.id",
            ).user
        staff_role_grant(actor=None, user=user, role=StaffRole.LIAISON, agency=agency)


DEMO_OPEN311_CLIENT = "Mitra Open311 (demo)"


def _demo_open311_partner() -> None:
    """A partner system that files reports through Open311 with the key KOTALIVE_DEMO_OPEN311_KEY."""
    agency = Agency.objects.get(code="DISKOMINFO")
    client = ApiClient.objects.filter(agency=agency, name=DEMO_OPEN311_CLIENT).first()
    if client is None:
        admin = User.objects.get(username="admin")
        client, _raw = api_client_create(
            actor=admin,
            agency=agency,
            name=DEMO_OPEN311_CLIENT,
            scopes=["complaints:read", "complaints:write"],
            roles=[],
        )
    api_key_adopt(client=client, raw=settings.KOTALIVE_DEMO_OPEN311_KEY)


def _demo_agreements() -> None:
    """DINSOS may look up name, birth date, KK number and address to verify social-aid registrations."""
    agreement_save(
        actor=None,
        consumer_code="DINSOS",
        purpose="verifikasi-bansos",
        purpose_name="Verifikasi calon penerima bantuan sosial (DTKS)",
        purpose_name_en="Verifying social-aid applicants (DTKS)",
        fields=["full_name", "birth_date", "kk_number", "address"],
        legal_basis="UU 24/2013 Pasal 79 dan Permendagri 102/2019 (pemanfaatan data kependudukan); Permensos 3/2021",
        valid_from=dt.date(2026, 1, 1),
        valid_until=dt.date(2027, 12, 31),
    )
