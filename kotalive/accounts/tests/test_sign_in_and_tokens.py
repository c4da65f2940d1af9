import datetime as dt

import pyotp
import pytest
from django.test import Client, override_settings
from django.utils import timezone

from kotalive.accounts.models import ApiToken, User
from kotalive.accounts.services import staff_account_create
from kotalive.agencies.models import StaffRole
from kotalive.agencies.services import staff_role_grant
from kotalive.conftest import DEMO_PASSWORD, bearer_client
from kotalive.core import crypto
from kotalive.core.models import AuditEntry
from kotalive.demo.data import BUDI

pytestmark = pytest.mark.django_db


def _token(client: Client, login: str, password: str = DEMO_PASSWORD, **extra: str) -> tuple[int, dict]:
    response = client.post(
        "/api/v1/auth/token",
        {"login": login, "password": password, **extra},
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )
    return response.status_code, response.json()


@pytest.mark.parametrize("login", ["warga1", BUDI.nik, "warga1@example.id", "081200000001", "+62 812-0000-0001"])
def test_a_citizen_gets_a_token_with_any_of_their_logins(client: Client, warga1: User, login: str) -> None:
    status, body = _token(client, login)

    assert status == 200, body
    assert body["token_type"] == "bearer"
    assert body["access_token"].startswith("klv_")
    assert dt.datetime.fromisoformat(body["expires_at"]) > timezone.now()


def test_the_token_is_stored_only_as_a_hash(client: Client, warga1: User) -> None:
    _status, body = _token(client, "warga1")

    stored = ApiToken.objects.get(user=warga1)
    assert body["access_token"] not in stored.token_hash
    assert body["access_token"].startswith(stored.prefix)


def test_a_wrong_password_gets_the_same_answer_as_an_unknown_login(client: Client, warga1: User) -> None:
    wrong_password = _token(client, "warga1", "salah-sandi-123")
    unknown_login = _token(client, "nobody", "salah-sandi-123")

    assert wrong_password[0] == unknown_login[0] == 422
    assert wrong_password[1] == unknown_login[1]
    assert AuditEntry.objects.filter(action="accounts.sign_in_failed").count() == 2


def test_five_failures_lock_the_login_even_for_the_right_password(client: Client, warga1: User) -> None:
    for _attempt in range(5):
        assert _token(client, "warga1", "salah-sandi-123")[0] == 422

    status, body = _token(client, "warga1")

    assert status == 429
    assert body["code"] == "throttled"


def test_a_success_clears_earlier_failures(client: Client, warga1: User) -> None:
    for _attempt in range(4):
        _token(client, "warga1", "salah-sandi-123")
    assert _token(client, "warga1")[0] == 200

    for _attempt in range(4):
        _token(client, "warga1", "salah-sandi-123")

    assert _token(client, "warga1")[0] == 200


def test_me_shows_the_nik_masked_and_the_family(warga1: User) -> None:
    body = bearer_client(warga1).get("/api/v1/me").json()

    assert body["nik"] == "3671********9001"
    assert BUDI.nik not in str(body)
    assert [m["full_name"] for m in body["family"]] == [
        "Budi Santoso",
        "Siti Rahmawati",
        "Andi Pratama",
        "Putri Lestari",
    ]
    assert all("********" in m["nik"] for m in body["family"])
    assert body["registry_verified"] is True


def test_another_family_s_citizen_sees_only_their_own_family(warga3: User) -> None:
    body = bearer_client(warga3).get("/api/v1/me").json()

    assert [m["full_name"] for m in body["family"]] == ["Dewi Lestari"]


def test_me_needs_a_token(client: Client, warga1: User) -> None:
    response = client.get("/api/v1/me")

    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_an_expired_or_revoked_token_is_refused(warga1: User) -> None:
    expired = bearer_client(warga1)
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert expired.get("/api/v1/me").status_code == 401

    live = bearer_client(warga1)
    assert live.post("/api/v1/auth/revoke").status_code == 200
    assert live.get("/api/v1/me").status_code == 401


def test_staff_sign_in_with_their_username(client: Client, verifier: User) -> None:
    assert _token(client, "dukcapil.verifikator")[0] == 200


@override_settings(STAFF_TOTP_REQUIRED=True)
def test_an_operator_needs_a_second_factor_outside_demo_mode(client: Client, platform_admin: User) -> None:
    account = staff_account_create(
        actor=platform_admin,
        username="op.baru",
        full_name="Operator Baru",
        password="operator-kuat-2026",
        with_totp=True,
    )
    staff_role_grant(actor=platform_admin, user=account.user, role=StaffRole.OPERATOR)
    secret = crypto.decrypt(User.objects.get(username="op.baru").totp_secret_encrypted)

    without = _token(client, "op.baru", "operator-kuat-2026")
    wrong = _token(client, "op.baru", "operator-kuat-2026", totp="000000")
    right = _token(client, "op.baru", "operator-kuat-2026", totp=pyotp.TOTP(secret).now())

    assert (without[0], without[1]["errors"][0]["field"]) == (422, "totp")
    assert wrong[0] == 422
    assert right[0] == 200
    assert account.totp_uri is not None
    assert account.totp_uri.startswith("otpauth://totp/")


@override_settings(STAFF_TOTP_REQUIRED=True)
def test_a_verifier_signs_in_without_a_second_factor(client: Client, verifier: User) -> None:
    assert _token(client, "dukcapil.verifikator")[0] == 200


def test_passwords_are_hashed_with_argon2(settings: object, reference: None) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]  # type: ignore[attr-defined]
    account = staff_account_create(actor=None, username="staf.baru", full_name="Staf Baru", password="staf-kuat-2026")

    assert account.user.password.startswith("argon2$argon2id$")


def test_citizens_cannot_create_staff_accounts(warga1: User) -> None:
    from kotalive.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        staff_account_create(actor=warga1, username="palsu", full_name="Palsu", password="palsu-kuat-2026")
