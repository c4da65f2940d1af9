import pytest
from django.test import Client

from kotalive.accounts.models import User
from kotalive.agencies.models import Agency, StaffRole
from kotalive.agencies.selectors import agency_get, user_agencies
from kotalive.agencies.services import agencies_load, staff_role_grant
from kotalive.core.errors import PermissionDenied, ValidationFailed


@pytest.mark.django_db
def test_the_api_lists_every_agency_with_its_role(reference: None, client: Client) -> None:
    response = client.get("/api/v1/agencies")

    assert response.status_code == 200
    roles = {item["code"]: item["role"] for item in response.json()}
    assert roles["DISKOMINFO"] == "operator"
    assert roles["DISDUKCAPIL"] == "service_provider"
    assert roles["PUPR"] == "complaint_handler"
    assert roles["KEC-05"] == "kecamatan_office"
    assert len(roles) == 14 + 13


@pytest.mark.django_db
def test_a_document_with_a_bad_row_loads_nothing(reference: None) -> None:
    document = {
        "agencies": [
            {"code": "NEW", "name": "New agency", "role": "service_provider", "region": "36.71"},
            {"code": "BAD", "name": "Bad agency", "role": "emperor", "region": "36.99"},
        ]
    }

    with pytest.raises(ValidationFailed) as raised:
        agencies_load(actor=None, document=document)

    assert list(raised.value.errors) == ["agencies[2] BAD"]
    assert not Agency.objects.filter(code="NEW").exists()


@pytest.mark.django_db
def test_an_officer_cannot_grant_roles(verifier: User, warga1: User) -> None:
    with pytest.raises(PermissionDenied):
        staff_role_grant(actor=verifier, user=warga1, role=StaffRole.VERIFIER, agency=agency_get(code="DISDUKCAPIL"))


@pytest.mark.django_db
def test_an_agency_admin_grants_roles_in_their_own_agency_only(
    platform_admin: User, warga3: User, dinsos_officer: User
) -> None:
    dukcapil, dinsos = agency_get(code="DISDUKCAPIL"), agency_get(code="DINSOS")
    staff_role_grant(actor=platform_admin, user=warga3, role=StaffRole.AGENCY_ADMIN, agency=dukcapil)

    staff_role_grant(actor=warga3, user=dinsos_officer, role=StaffRole.VERIFIER, agency=dukcapil)

    with pytest.raises(PermissionDenied):
        staff_role_grant(actor=warga3, user=dinsos_officer, role=StaffRole.HEAD, agency=dinsos)
    with pytest.raises(PermissionDenied):
        staff_role_grant(actor=warga3, user=dinsos_officer, role=StaffRole.OPERATOR)


@pytest.mark.django_db
def test_a_platform_role_cannot_be_held_inside_an_agency(platform_admin: User, warga3: User) -> None:
    with pytest.raises(ValidationFailed):
        staff_role_grant(actor=platform_admin, user=warga3, role=StaffRole.OPERATOR, agency=agency_get(code="DINSOS"))


@pytest.mark.django_db
def test_officers_see_their_own_agencies_and_the_operator_sees_all(verifier: User, operator: User) -> None:
    assert [a.code for a in user_agencies(user=verifier)] == ["DISDUKCAPIL"]
    assert len(user_agencies(user=operator)) == Agency.objects.count()
