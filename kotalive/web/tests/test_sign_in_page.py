"""The sign-in page as people meet it: a citizen sees no staff field; a staff member whose role needs a second factor
is asked for the code on a second step; a wrong entry is summarised at the top; a locked-out person is told when to
try again and how to get back in now."""

import re

import pyotp
import pytest
from django.test import Client, override_settings

from kotalive.accounts.models import User
from kotalive.accounts.services import staff_account_create
from kotalive.agencies.models import StaffRole
from kotalive.agencies.services import staff_role_grant
from kotalive.core import crypto

pytestmark = pytest.mark.django_db

EN = {"Accept-Language": "en"}


def _code_field(page: str) -> bool:
    return 'name="totp"' in page


def test_a_citizen_signs_in_without_ever_seeing_a_staff_field(client: Client, warga1: User) -> None:
    page = client.get("/masuk/", headers=EN).content.decode()
    assert not _code_field(page)
    assert "authenticator" not in page.lower()


def test_a_wrong_password_is_summarised_at_the_top_with_a_link_to_the_field(client: Client, warga1: User) -> None:
    response = client.post("/masuk/", {"login": "warga1", "password": "salah-sandi"}, headers=EN)
    page = response.content.decode()

    assert response.status_code == 422
    summary = re.search(r'<div class="error-summary".*?</div>', page, re.S)
    assert summary is not None
    assert "There is a problem" in summary.group(0)
    assert "The login or the password is wrong." in summary.group(0)
    assert not _code_field(page)


def test_an_empty_form_lists_every_missing_field_at_once(client: Client, reference: None) -> None:
    page = client.post("/masuk/", {}, headers=EN).content.decode()
    summary = re.search(r'<div class="error-summary".*?</div>', page, re.S)
    assert summary is not None
    assert '<a href="#id_login">NIK, e-mail, phone or username: ' in summary.group(0)
    assert '<a href="#id_password">Password: ' in summary.group(0)


@override_settings(STAFF_TOTP_REQUIRED=True)
def test_staff_with_a_second_factor_are_asked_for_the_code_on_a_second_step(
    client: Client, platform_admin: User
) -> None:
    # Given an operator whose role needs an authenticator code
    account = staff_account_create(
        actor=platform_admin, username="op.dua", full_name="Operator Dua", password="operator-kuat-2026", with_totp=True
    )
    staff_role_grant(actor=platform_admin, user=account.user, role=StaffRole.OPERATOR)
    secret = crypto.decrypt(User.objects.get(username="op.dua").totp_secret_encrypted)

    # When they sign in with their password, the next page asks for the code, with no error, and is not cached
    first = client.post("/masuk/", {"login": "op.dua", "password": "operator-kuat-2026"}, headers=EN)
    page = first.content.decode()
    assert first.status_code == 200
    assert _code_field(page)
    assert "error-summary" not in page
    assert "no-store" in first.headers["Cache-Control"]
    assert "operator-kuat-2026" not in page  # the password waits on the server, not in the page
    assert 'name="login"' not in page

    # And a wrong code sends them back to the first step with one sentence, the login kept
    wrong = client.post("/masuk/", {"login": "op.dua", "password": "operator-kuat-2026", "totp": "000000"}, headers=EN)
    assert wrong.status_code == 422
    assert "The password or the code is wrong. Enter them again." in wrong.content.decode()
    assert not _code_field(wrong.content.decode())
    assert 'value="op.dua"' in wrong.content.decode()

    # And the right code, after the password once more, signs them in
    client.post("/masuk/", {"login": "op.dua", "password": "operator-kuat-2026"}, headers=EN)
    code = pyotp.TOTP(secret).now()
    done = client.post("/masuk/", {"totp": code}, headers=EN)
    assert (done.status_code, done.headers["Location"]) == (302, "/kantor/")


@override_settings(STAFF_TOTP_REQUIRED=True)
def test_a_code_without_a_recent_first_step_asks_for_the_password_again(client: Client, platform_admin: User) -> None:
    account = staff_account_create(
        actor=platform_admin,
        username="op.tiga",
        full_name="Operator Tiga",
        password="operator-kuat-2026",
        with_totp=True,
    )
    staff_role_grant(actor=platform_admin, user=account.user, role=StaffRole.OPERATOR)
    secret = crypto.decrypt(User.objects.get(username="op.tiga").totp_secret_encrypted)

    alone = client.post("/masuk/", {"totp": pyotp.TOTP(secret).now()}, headers=EN)

    assert alone.status_code == 422
    assert "Your sign-in took too long. Enter your login and password again." in alone.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_locked_out_citizen_is_told_when_to_try_again_and_how_to_reset(client: Client, warga1: User) -> None:
    for _attempt in range(12):
        response = client.post("/masuk/", {"login": "warga1", "password": "salah-sandi"}, headers=EN)
        if response.status_code == 429:
            break
    page = response.content.decode()

    assert response.status_code == 429
    assert re.search(r"Try again in \d+ minutes?\.", page)
    assert 'href="/lupa-sandi/"' in page
    assert "Reset my password" in page


def test_the_favicon_is_the_app_icon(client: Client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response.headers["Location"].endswith(".png")
