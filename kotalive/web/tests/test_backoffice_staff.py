import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from kotalive.accounts.models import User
from kotalive.agencies.models import StaffRole
from kotalive.agencies.selectors import agency_get
from kotalive.agencies.services import staff_role_grant
from kotalive.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_the_platform_admin_adds_an_officer_who_can_then_sign_in(client: Client, platform_admin: User) -> None:
    client.force_login(platform_admin)

    response = client.post(
        "/kantor/DISDUKCAPIL/petugas/",
        {"username": "dukcapil.loket2", "full_name": "Petugas Loket", "email": "", "role": "verifier"},
    )

    assert response.status_code == 200
    password = re.search(r"<code>([^<]+)</code>", response.content.decode())
    assert password is not None
    new = User.objects.get(username="dukcapil.loket2")
    assert new.kind == User.STAFF
    assert StaffRole.objects.filter(user=new, agency__code="DISDUKCAPIL", role="verifier").exists()
    assert AuditEntry.objects.filter(action="staff.role_granted", data__user="dukcapil.loket2").exists()
    assert Client().post("/masuk/", {"login": "dukcapil.loket2", "password": password.group(1)}).status_code == 302


def test_an_agency_admin_manages_only_their_own_agency(
    client: Client, platform_admin: User, warga3: User, dinsos_officer: User
) -> None:
    staff_role_grant(
        actor=platform_admin, user=dinsos_officer, role=StaffRole.AGENCY_ADMIN, agency=agency_get(code="DINSOS")
    )
    client.force_login(dinsos_officer)

    assert client.get("/kantor/DINSOS/petugas/").status_code == 200
    assert client.get("/kantor/DISDUKCAPIL/petugas/").status_code == 403  # a 403 page naming who grants the role


def test_an_officer_cannot_manage_staff(client: Client, verifier: User) -> None:
    client.force_login(verifier)

    assert client.get("/kantor/DISDUKCAPIL/petugas/").status_code == 403
    assert (
        client.post("/kantor/DISDUKCAPIL/petugas/", {"username": "x.y", "full_name": "X", "role": "head"}).status_code
        == 403
    )
    assert not User.objects.filter(username="x.y").exists()


def test_a_taken_username_is_refused_beside_the_field(client: Client, platform_admin: User) -> None:
    client.force_login(platform_admin)

    response = client.post(
        "/kantor/DISDUKCAPIL/petugas/",
        {"username": "warga1", "full_name": "Dup", "role": "verifier"},
        headers={"Accept-Language": "en"},
    )

    assert response.status_code == 422
    assert "is already taken" in response.content.decode()


def test_revoking_a_role_removes_it(client: Client, platform_admin: User, verifier: User) -> None:
    client.force_login(platform_admin)
    grant = StaffRole.objects.get(user=verifier, role="verifier")

    response = client.post(f"/kantor/DISDUKCAPIL/petugas/{grant.pk}/cabut/", {"confirmed": "1"})

    assert response.status_code == 302
    assert not StaffRole.objects.filter(pk=grant.pk).exists()
    assert AuditEntry.objects.filter(action="staff.role_revoked").exists()


def test_the_command_creates_an_administrator_with_a_second_factor(reference: None) -> None:
    out = io.StringIO()

    call_command(
        "staff-create", "dinsos.admin", full_name="Admin Dinsos", role="agency_admin", agency="DINSOS", stdout=out
    )

    assert "one-time password" in out.getvalue()
    assert "otpauth://totp/" in out.getvalue()
    assert User.objects.get(username="dinsos.admin").totp_secret_encrypted


def test_the_command_refuses_a_role_outside_its_scope(reference: None) -> None:
    with pytest.raises(CommandError, match="role"):
        call_command("staff-create", "salah", full_name="Salah", role="operator", agency="DINSOS")
    assert not User.objects.filter(username="salah").exists()
