from typing import Any

import pytest
from django.test import Client

from kotalive.accounts.models import CitizenProfile, OneTimeCode, User
from kotalive.accounts.tests.helpers import last_code_sent_to
from kotalive.core.models import AuditEntry
from kotalive.notifications.models import DevOutboxMessage
from kotalive.registry.models import Person
from kotalive.registry.services import registry_seed_synthetic

pytestmark = pytest.mark.django_db

PASSWORD = "taman-kota-2026!"


@pytest.fixture
def resident(reference: None) -> Person:
    """An adult of the synthetic registry who has no account yet."""
    registry_seed_synthetic(actor=None, people=60, seed=21, region_code="36.71")
    person = Person.objects.filter(relationship="KEPALA KELUARGA").order_by("id").first()
    assert person is not None
    return person


def _register(client: Client, **fields: object) -> tuple[int, dict]:
    response = client.post(
        "/api/v1/accounts/register",
        fields,
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )
    return response.status_code, response.json()


def test_a_registry_resident_registers_and_is_confirmed(client: Client, resident: Person) -> None:
    status, body = _register(
        client,
        nik=resident.nik,
        full_name=resident.full_name.lower(),
        birth_date=resident.birth_date.isoformat(),
        phone="0812-3456-7890",
        password=PASSWORD,
    )

    assert status == 201, body
    assert body["registry_verified"] is True
    assert body["verification_codes_sent_to"] == [{"channel": "phone", "destination": "+628*******890"}]
    profile = CitizenProfile.objects.get(user_id=body["id"])
    assert profile.person == resident
    assert profile.user.phone == "+6281234567890"
    assert profile.user.password.startswith("md5$") or profile.user.password.startswith("argon2")


def test_the_same_nik_again_gets_the_answer_of_a_mismatch_and_no_account(client: Client, resident: Person) -> None:
    """Whoever types a NIK that has an account learns nothing more than from a wrong name: one answer for both."""
    fields = {
        "nik": resident.nik,
        "full_name": resident.full_name,
        "birth_date": resident.birth_date.isoformat(),
        "password": PASSWORD,
    }
    assert _register(client, **fields, email="satu@example.id")[0] == 201
    mismatch = _register(client, **{**fields, "full_name": "Orang Lain"}, email="tiga@example.id")

    status, body = _register(client, **fields, email="dua@example.id")

    assert (status, body) == mismatch
    assert body["code"] == "identity_not_confirmed"
    assert User.objects.filter(email="dua@example.id").count() == 0


def test_a_nik_with_month_13_is_refused_naming_the_field(client: Client, reference: None) -> None:
    status, body = _register(
        client,
        nik="3671051513900001",
        full_name="Budi",
        birth_date="1990-01-15",
        phone="081234567890",
        password=PASSWORD,
    )

    assert status == 422
    assert body["errors"][0]["field"] == "nik"
    assert "month" in body["errors"][0]["message"]
    assert User.objects.count() == 0


def test_a_wrong_name_for_a_registry_nik_reveals_nothing(client: Client, resident: Person) -> None:
    status, body = _register(
        client,
        nik=resident.nik,
        full_name="Nama Keliru",
        birth_date=resident.birth_date.isoformat(),
        phone="081234567890",
        password=PASSWORD,
    )

    assert status == 422
    assert body["code"] == "identity_not_confirmed"
    text = str(body).lower()
    for first_name in resident.full_name.lower().split():
        assert first_name not in text
    assert resident.birth_date.isoformat() not in text
    assert User.objects.count() == 0
    assert AuditEntry.objects.filter(action="accounts.registration_refused").count() == 1


def test_a_wrong_birth_date_is_refused_the_same_way(client: Client, resident: Person) -> None:
    status, body = _register(
        client,
        nik=resident.nik,
        full_name=resident.full_name,
        birth_date="1901-01-01",
        phone="081234567890",
        password=PASSWORD,
    )

    assert (status, body["code"]) == (422, "identity_not_confirmed")


def test_guessing_a_registry_identity_is_throttled(client: Client, resident: Person) -> None:
    for attempt in range(5):
        status, _body = _register(
            client,
            nik=resident.nik,
            full_name=f"Tebakan {attempt}",
            birth_date=resident.birth_date.isoformat(),
            phone="081234567890",
            password=PASSWORD,
        )
        assert status == 422

    status, body = _register(
        client,
        nik=resident.nik,
        full_name=resident.full_name,
        birth_date=resident.birth_date.isoformat(),
        phone="081234567890",
        password=PASSWORD,
    )

    assert status == 429
    assert body["code"] == "throttled"


def test_a_nik_outside_the_registry_gets_an_unverified_account(client: Client, reference: None) -> None:
    status, body = _register(
        client,
        nik="3201011501900001",
        full_name="Pendatang Baru",
        birth_date="1990-01-15",
        email="pendatang@example.id",
        password=PASSWORD,
    )

    assert status == 201
    assert body["registry_verified"] is False
    assert CitizenProfile.objects.get(user_id=body["id"]).person is None


@pytest.mark.parametrize(
    ("fields", "field", "reason"),
    [
        ({"phone": "12345"}, "phone", "Indonesian mobile number"),
        ({"email": "not-an-address"}, "email", "e-mail address"),
        ({}, "phone", "phone number or an e-mail address"),
        ({"phone": "081234567890", "birth_date": "15-01-1990"}, "birth_date", "YYYY-MM-DD"),
        ({"phone": "081234567890", "birth_date": "2999-01-01"}, "birth_date", "future"),
        ({"phone": "081234567890", "password": "short"}, "password", "too short"),
        ({"phone": "081234567890", "full_name": "   "}, "full_name", "required"),
    ],
)
def test_bad_fields_are_named_with_their_reason_and_change_nothing(
    client: Client, reference: None, fields: dict, field: str, reason: str
) -> None:
    base = {
        "nik": "3201011501900001",
        "full_name": "Pendatang Baru",
        "birth_date": "1990-01-15",
        "password": PASSWORD,
    }

    status, body = _register(client, **{**base, **fields})

    assert status == 422
    assert any(e["field"] == field and reason in e["message"] for e in body["errors"]), body
    assert User.objects.count() == 0


def test_a_missing_field_is_named(client: Client, reference: None) -> None:
    status, body = _register(client, full_name="Tanpa NIK", birth_date="1990-01-15", password=PASSWORD)

    assert status == 422
    assert {"field": "nik", "message": "is required"} in body["errors"]


def test_errors_are_in_indonesian_by_default(client: Client, reference: None) -> None:
    response = client.post(
        "/api/v1/accounts/register",
        {
            "nik": "3671051513900001",
            "full_name": "Budi",
            "birth_date": "1990-01-15",
            "phone": "081234567890",
            "password": PASSWORD,
        },
        content_type="application/json",
    )

    assert "bulan" in response.json()["errors"][0]["message"]


def test_a_contact_already_used_is_refused_alike_and_its_owner_is_told(
    client: Client, warga1: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        status, body = _register(
            client,
            nik="3201011501900001",
            full_name="Pendatang Baru",
            birth_date="1990-01-15",
            email="WARGA1@example.id",
            password=PASSWORD,
        )

    assert status == 422
    assert body["code"] == "identity_not_confirmed"
    assert body["errors"] == []  # no field singled out: the form does not say which detail is in use
    contact = warga1.phone if warga1.phone_verified_at else warga1.email
    notice = DevOutboxMessage.objects.filter(destination=contact).order_by("-id").first()
    assert notice is not None
    assert "register" in notice.subject.lower() or "daftar" in notice.subject.lower()


def test_codes_are_never_stored_in_clear(
    client: Client, resident: Person, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _status, body = _register(
            client,
            nik=resident.nik,
            full_name=resident.full_name,
            birth_date=resident.birth_date.isoformat(),
            phone="081234567890",
            password=PASSWORD,
        )
    code = last_code_sent_to("+6281234567890")
    stored = OneTimeCode.objects.get(user_id=body["id"])
    assert code not in stored.code_hash
    assert len(stored.code_hash) == 64
