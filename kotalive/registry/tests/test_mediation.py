"""Registry mediation: look-ups only through live agreements, only the agreed fields, every use recorded and shown
to the resident."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from kotalive.accounts.models import User
from kotalive.conftest import bearer_client
from kotalive.core.models import AuditEntry
from kotalive.demo.data import BUDI
from kotalive.registry.models import DataSharingAgreement, RegistryAccess

pytestmark = pytest.mark.django_db

LOOKUP = "/api/v1/registry/lookup"


def _lookup(user: User, nik: str = BUDI.nik, purpose: str = "verifikasi-bansos") -> Any:
    return bearer_client(user).post(
        LOOKUP, {"nik": nik, "purpose": purpose}, content_type="application/json", headers={"Accept-Language": "en"}
    )


def test_dinsos_gets_only_the_agreed_fields(dinsos_officer: User) -> None:
    response = _lookup(dinsos_officer)

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body["fields"]) == {"full_name", "birth_date", "kk_number", "address"}
    assert body["fields"]["full_name"] == "Budi Santoso"
    assert body["legal_basis"].startswith("UU 24/2013")
    assert "nik" not in body["fields"]
    assert "religion" not in body["fields"]


def test_without_an_agreement_the_look_up_is_refused_and_recorded(verifier: User, personas: dict) -> None:
    # DISDUKCAPIL's own verifier holds no agreement for this purpose; nor does the operator's agency.
    for user in (verifier, personas["kominfo.operator"], personas["warga3"]):
        response = _lookup(user)
        assert response.status_code == 403
        assert response.json()["code"] == "no_agreement"
        assert response.json()["errors"][0]["field"] == "purpose"
    assert RegistryAccess.objects.count() == 0  # a refused request reads nothing


def test_an_unknown_purpose_is_refused(dinsos_officer: User) -> None:
    assert _lookup(dinsos_officer, purpose="penagihan-pajak").status_code == 403


def test_an_expired_or_revoked_agreement_is_refused(dinsos_officer: User) -> None:
    DataSharingAgreement.objects.update(valid_until=timezone.localdate() - dt.timedelta(days=1))
    assert _lookup(dinsos_officer).status_code == 403
    DataSharingAgreement.objects.update(valid_until=dt.date(2030, 1, 1), revoked_at=timezone.now())
    assert _lookup(dinsos_officer).status_code == 403


def test_the_resident_sees_each_look_up_of_their_data(dinsos_officer: User, warga1: User) -> None:
    _lookup(dinsos_officer)

    accesses = bearer_client(warga1).get("/api/v1/me/data-access").json()
    assert len(accesses) == 1
    assert accesses[0]["agency"] == "DINSOS"
    assert accesses[0]["purpose"] == "verifikasi-bansos"
    assert accesses[0]["channel"] == "lookup"
    assert accesses[0]["fields"] == ["address", "birth_date", "full_name", "kk_number"]
    assert AuditEntry.objects.filter(action="registry.read", actor=dinsos_officer).count() == 1


def test_another_resident_does_not_see_it(dinsos_officer: User, personas: dict) -> None:
    _lookup(dinsos_officer)
    assert bearer_client(personas["warga3"]).get("/api/v1/me/data-access").json() == []


def test_an_unknown_nik_is_a_404_and_still_recorded(dinsos_officer: User) -> None:
    response = _lookup(dinsos_officer, nik="3671010101900009")
    assert response.status_code == 404
    assert response.json()["errors"][0]["field"] == "nik"
    assert RegistryAccess.objects.get().found is False


def test_a_malformed_nik_is_named(dinsos_officer: User) -> None:
    response = _lookup(dinsos_officer, nik="12345")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "nik"


def test_look_ups_are_limited_per_minute(dinsos_officer: User, settings: Any) -> None:
    settings.KOTALIVE_REGISTRY_LOOKUPS_PER_MINUTE = 2
    assert [_lookup(dinsos_officer).status_code for _ in range(3)] == [200, 200, 429]


def test_purposes_lists_what_the_agency_holds(dinsos_officer: User, verifier: User) -> None:
    held = bearer_client(dinsos_officer).get("/api/v1/registry/purposes").json()
    assert [p["purpose"] for p in held] == ["verifikasi-bansos"]
    assert held[0]["fields"] == ["address", "birth_date", "full_name", "kk_number"]
    assert bearer_client(verifier).get("/api/v1/registry/purposes").json() == []


def _agreement(actor: User | None, **overrides: Any) -> Any:
    from kotalive.registry.mediation import agreement_save

    arguments: dict[str, Any] = {
        "consumer_code": "DINKES",
        "purpose": "vaksinasi",
        "purpose_name": "Pendataan sasaran imunisasi",
        "fields": ["full_name", "birth_date"],
        "legal_basis": "UU 17/2023 tentang Kesehatan",
        "valid_from": dt.date(2026, 1, 1),
        "valid_until": dt.date(2026, 12, 31),
        **overrides,
    }
    return agreement_save(actor=actor, **arguments)


def test_dukcapil_s_administrator_grants_an_agreement(dukcapil_admin: User) -> None:
    agreement = _agreement(dukcapil_admin)
    assert agreement.provider.code == "DISDUKCAPIL"
    assert AuditEntry.objects.filter(action="registry.agreement_created", actor=dukcapil_admin).exists()


def test_other_agencies_cannot_grant_themselves_access(dinsos_officer: User) -> None:
    from kotalive.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        _agreement(dinsos_officer, consumer_code="DINSOS")
    assert not DataSharingAgreement.objects.filter(purpose="vaksinasi").exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"fields": ["full_name", "salary"]}, "fields"),
        ({"fields": []}, "fields"),
        ({"legal_basis": " "}, "legal_basis"),
        ({"consumer_code": "NOPE"}, "consumer"),
        ({"valid_until": dt.date(2025, 1, 1)}, "valid_until"),
    ],
)
def test_a_bad_agreement_names_the_field(dukcapil_admin: User, overrides: dict, field: str) -> None:
    from kotalive.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as refused:
        _agreement(dukcapil_admin, **overrides)
    assert field in refused.value.errors
    assert not DataSharingAgreement.objects.filter(purpose="vaksinasi").exists()
