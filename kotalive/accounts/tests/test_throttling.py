"""Sign-in throttling: failures count per account across all its logins, per address only on failures and far
more leniently, password-reset requests on buckets of their own; a refusal says when to try again. The client
address comes from X-Forwarded-For only through a configured proxy."""

from typing import Any

import pyotp
import pytest
from django.test import Client, override_settings

from kotalive.accounts.models import User
from kotalive.accounts.services import staff_account_create
from kotalive.accounts.tests.helpers import last_code_sent_to
from kotalive.agencies.models import StaffRole
from kotalive.agencies.services import staff_role_grant
from kotalive.conftest import DEMO_PASSWORD
from kotalive.core import crypto
from kotalive.demo.data import BUDI

pytestmark = pytest.mark.django_db
NAT = "203.0.113.7"  # one address many people share (a school, an office, a mobile carrier's NAT)


def _post(client: Client, path: str, body: dict[str, str], address: str = NAT, **headers: str) -> Any:
    return client.post(
        path, body, content_type="application/json", REMOTE_ADDR=address, headers={"Accept-Language": "en", **headers}
    )


def _sign_in(client: Client, login: str, password: str = DEMO_PASSWORD, address: str = NAT, **extra: str) -> Any:
    return _post(client, "/api/v1/auth/token", {"login": login, "password": password, **extra}, address)


def test_twenty_failures_from_one_address_do_not_stop_another_account(client: Client, warga2: User) -> None:
    for attempt in range(4):
        assert _sign_in(client, f"nobody{attempt}", "salah-sandi-123").status_code == 422
    for _attempt in range(16):  # always answered alike, and never counted against sign-in
        assert _post(client, "/api/v1/accounts/password-reset", {"login": "warga1"}).status_code in {202, 429}

    assert _sign_in(client, "warga2").status_code == 200


def test_a_failed_account_is_locked_whichever_of_its_logins_is_typed(client: Client, warga1: User) -> None:
    for login in ["warga1", "warga1@example.id", BUDI.nik, "081200000001", "warga1"]:
        assert _sign_in(client, login, "salah-sandi-123").status_code == 422

    for login in ["warga1", "warga1@example.id", BUDI.nik, "+62 812-0000-0001"]:
        response = _sign_in(client, login, address="198.51.100.9")
        assert response.status_code == 429
        assert int(response["Retry-After"]) > 0
        assert "Try again in" in response.json()["detail"]


def test_password_reset_requests_never_lock_sign_in(client: Client, warga1: User) -> None:
    answers = [_post(client, "/api/v1/accounts/password-reset", {"login": "warga1"}).status_code for _ in range(6)]

    assert answers == [202, 202, 202, 429, 429, 429]
    assert _sign_in(client, "warga1").status_code == 200


@override_settings(KOTALIVE_RATE_SIGN_IN_ADDRESS_FAILURES=(8, 900))
def test_an_address_with_many_failures_is_stopped_and_other_addresses_are_not(
    client: Client, warga1: User, warga2: User
) -> None:
    for attempt in range(8):
        _sign_in(client, f"nobody{attempt}", "salah-sandi-123")

    assert _sign_in(client, "warga2").status_code == 429
    assert _sign_in(client, "warga2", address="198.51.100.9").status_code == 200


def test_x_forwarded_for_is_ignored_unless_it_comes_through_a_trusted_proxy(client: Client, warga1: User) -> None:
    for attempt in range(5):
        _post(client, "/api/v1/accounts/password-reset", {"login": f"x{attempt}"}, X_Forwarded_For=f"10.9.9.{attempt}")
    # 5 requests from NAT in its own reset-address bucket (30): a forged header did not spread them over 5 addresses
    # nor move them elsewhere; the proof is that the NAT's own bucket counted them.
    with override_settings(KOTALIVE_RATE_RESET_ADDRESS_REQUESTS=(5, 900)):
        refused = _post(client, "/api/v1/accounts/password-reset", {"login": "x9"}, X_Forwarded_For="10.9.9.99")
        assert refused.status_code == 429

        with override_settings(KOTALIVE_TRUSTED_PROXIES=[NAT]):
            through_proxy = _post(
                client, "/api/v1/accounts/password-reset", {"login": "x9"}, X_Forwarded_For="192.0.2.50"
            )
            assert through_proxy.status_code == 202  # counted as 192.0.2.50, the address the proxy saw


@override_settings(STAFF_TOTP_REQUIRED=True)
def test_a_totp_code_is_accepted_once_and_a_missing_code_never_tells_the_password(
    client: Client, platform_admin: User
) -> None:
    account = staff_account_create(
        actor=platform_admin,
        username="op.baru",
        full_name="Operator Baru",
        password="operator-kuat-2026",
        with_totp=True,
    )
    staff_role_grant(actor=platform_admin, user=account.user, role=StaffRole.OPERATOR)
    code = pyotp.TOTP(crypto.decrypt(User.objects.get(username="op.baru").totp_secret_encrypted)).now()

    right_password = _sign_in(client, "op.baru", "operator-kuat-2026")
    wrong_password = _sign_in(client, "op.baru", "salah-sandi-123")
    first = _sign_in(client, "op.baru", "operator-kuat-2026", totp=code)
    replay = _sign_in(client, "op.baru", "operator-kuat-2026", totp=code)

    assert right_password.status_code == wrong_password.status_code == 422
    assert right_password.json() == wrong_password.json()
    assert right_password.json()["code"] == "totp_required"
    assert first.status_code == 200
    assert replay.status_code == 422
    assert replay.json()["code"] == "sign_in_failed"


def test_a_reset_confirmation_answers_alike_for_unknown_and_known_logins(client: Client, warga1: User) -> None:
    body = {"code": "123456", "new_password": "sandi-baru-yang-kuat-2026"}
    unknown = _post(client, "/api/v1/accounts/password-reset/confirm", {**body, "login": "nobody"})
    _post(client, "/api/v1/accounts/password-reset", {"login": "warga1"})
    known = _post(client, "/api/v1/accounts/password-reset/confirm", {**body, "login": "warga1"})

    assert unknown.status_code == known.status_code == 422
    assert unknown.json() == known.json()


def test_a_burned_reset_code_does_not_stop_its_owner(
    client: Client, warga1: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, "/api/v1/accounts/password-reset", {"login": "warga1"}, address="192.0.2.66")
    for _attempt in range(6):  # someone else guesses until the code is spent
        _post(
            client,
            "/api/v1/accounts/password-reset/confirm",
            {"login": "warga1", "code": "000000", "new_password": "sandi-penyerang-2026"},
            address="192.0.2.66",
        )

    with django_capture_on_commit_callbacks(execute=True):
        assert _post(client, "/api/v1/accounts/password-reset", {"login": "warga1"}).status_code == 202
    code = last_code_sent_to(warga1.phone or "")
    done = _post(
        client,
        "/api/v1/accounts/password-reset/confirm",
        {"login": "warga1", "code": code, "new_password": "sandi-baru-yang-kuat-2026"},
    )

    assert done.status_code == 200
    assert _sign_in(client, "warga1", "sandi-baru-yang-kuat-2026").status_code == 200
