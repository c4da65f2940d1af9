import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from kotalive.accounts.models import OneTimeCode, User
from kotalive.accounts.services import (
    citizen_register,
    contact_verify,
    password_reset_confirm,
    password_reset_request,
)
from kotalive.accounts.tests.helpers import last_code_sent_to
from kotalive.conftest import bearer_client
from kotalive.core.errors import DomainError

pytestmark = pytest.mark.django_db(transaction=True)  # codes leave after commit, as in production


@pytest.fixture
def newcomer(reference: None) -> User:
    return citizen_register(
        nik="3201011501900001",
        full_name="Pendatang Baru",
        birth_date="1990-01-15",
        password="taman-kota-2026!",
        phone="081234567890",
        email="baru@example.id",
    ).user


def test_the_sent_code_verifies_the_phone(newcomer: User) -> None:
    response = bearer_client(newcomer).post(
        "/api/v1/accounts/verify",
        {"channel": "phone", "code": last_code_sent_to("+6281234567890")},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json() == {"phone_verified": True, "email_verified": False}


def test_a_wrong_code_counts_and_five_lock_the_code(newcomer: User) -> None:
    right = last_code_sent_to("baru@example.id")
    wrong = "000000" if right != "000000" else "111111"
    for _attempt in range(5):
        with pytest.raises(DomainError) as wrong_try:
            contact_verify(user=newcomer, channel="email", code=wrong)
        assert wrong_try.value.code == "code_wrong"

    with pytest.raises(DomainError) as raised:
        contact_verify(user=newcomer, channel="email", code=right)

    assert raised.value.code == "code_locked"
    assert OneTimeCode.objects.get(user=newcomer, purpose=OneTimeCode.VERIFY_EMAIL).attempts == 5


def test_an_expired_code_is_refused(newcomer: User) -> None:
    OneTimeCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    with pytest.raises(DomainError) as raised:
        contact_verify(user=newcomer, channel="phone", code=last_code_sent_to("+6281234567890"))

    assert raised.value.code == "code_expired"


def test_a_resent_code_replaces_the_old_one(newcomer: User) -> None:
    old = last_code_sent_to("+6281234567890")
    bearer_client(newcomer).post("/api/v1/accounts/verify/resend")
    new = last_code_sent_to("+6281234567890")

    if old != new:
        with pytest.raises(DomainError):
            contact_verify(user=newcomer, channel="phone", code=old)
    contact_verify(user=newcomer, channel="phone", code=new)
    newcomer.refresh_from_db()
    assert newcomer.phone_verified_at is not None


def test_a_password_is_reset_with_the_code_and_old_tokens_stop_working(newcomer: User) -> None:
    old_token_client = bearer_client(newcomer)
    password_reset_request(login="081234567890")

    password_reset_confirm(
        login="081234567890", code=last_code_sent_to("+6281234567890"), new_password="sandi-baru-2026!"
    )

    newcomer.refresh_from_db()
    assert newcomer.check_password("sandi-baru-2026!")
    assert old_token_client.get("/api/v1/me").status_code == 401


def test_a_reset_request_for_an_unknown_login_answers_the_same(client: Client, reference: None) -> None:
    response = client.post(
        "/api/v1/accounts/password-reset", {"login": "nobody@example.id"}, content_type="application/json"
    )

    assert response.status_code == 202


def test_asking_for_new_codes_again_and_again_is_throttled(newcomer: User) -> None:
    client = bearer_client(newcomer)
    statuses = [client.post("/api/v1/accounts/verify/resend").status_code for _attempt in range(6)]

    assert statuses == [200] * 5 + [429]
