"""A report's kelurahan from its map pin (regions.locate): a pin without a kelurahan gets the kelurahan that holds it
(and so the routing rules of its kecamatan); a kelurahan that does not hold the pin is refused naming the field,
unless the pin lies within PIN_SLACK_M of it; the city's northern tip, outside the bounds box, is in the city.
Through the API, as the native app and partner systems file."""

import pytest

from kotalive.accounts.models import User
from kotalive.complaints.models import Complaint
from kotalive.complaints.selectors import routing_suggestion
from kotalive.complaints.services import PIN_SLACK_M
from kotalive.complaints.tests.helpers import PIN, file_report, street_light_report
from kotalive.conftest import bearer_client
from kotalive.regions.locate import distance_to_kelurahan_m

pytestmark = pytest.mark.django_db

IN_KARAWACI = {"lat": -6.18994, "lon": 106.62483}  # centroid of Kelurahan Karawaci, Kecamatan Karawaci (36.71.07)
IN_BENDA_NORTH = {"lat": -6.100, "lon": 106.685}  # Kelurahan Benda, north of the complaint bounds box


def test_a_pin_without_a_kelurahan_gets_the_kelurahan_that_holds_it(warga1: User) -> None:
    _client, filed = file_report(warga1, location=IN_KARAWACI, kelurahan="")

    assert (filed["kelurahan"], filed["kelurahan_name"]) == ("36.71.07.1001", "Karawaci")
    assert Complaint.objects.get(tracking=filed["tracking"]).kelurahan_id == "36.71.07.1001"


def test_a_pin_in_a_kecamatan_with_a_routing_rule_routes_to_its_agency(warga1: User, operator: User) -> None:
    """The data file routes public order in Kecamatan Karawaci to KEC-07 (the category's default is SATPOLPP)."""
    _client, filed = file_report(
        warga1, category="public-order", title="PKL di trotoar", location=IN_KARAWACI, kelurahan=""
    )
    complaint = Complaint.objects.get(tracking=filed["tracking"])

    assert routing_suggestion(complaint=complaint).code == "KEC-07"
    seen = bearer_client(operator).get(f"/api/v1/complaints/{filed['tracking']}").json()
    assert seen["routing_suggestion"] == "KEC-07"


def test_a_pin_in_the_city_s_northern_tip_is_in_the_city(warga1: User) -> None:
    _client, filed = file_report(warga1, location=IN_BENDA_NORTH, kelurahan="")

    assert filed["kelurahan"] == "36.71.04.1003"


def test_a_kelurahan_that_does_not_hold_the_pin_is_refused_naming_the_field_and_the_pin_s_kelurahan(
    warga1: User,
) -> None:
    body = street_light_report(location=IN_KARAWACI, kelurahan="36.71.13.1001")  # Larangan Utara, 13 km away

    response = bearer_client(warga1).post(
        "/api/v1/complaints", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 422, response.content
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert set(errors) == {"kelurahan"}
    assert "Larangan Utara" in errors["kelurahan"]
    assert "Karawaci" in errors["kelurahan"]  # where the pin is
    assert not Complaint.objects.exists()


def test_a_kelurahan_beside_the_pin_stands_when_the_pin_is_within_the_slack(warga1: User) -> None:
    """The tests' pin lies in Sukasari, 24 m from Sukarasa: a border street, the reporter's choice stands."""
    assert 0 < (distance_to_kelurahan_m("36.71.01.1001", PIN["lat"], PIN["lon"]) or 0) < PIN_SLACK_M

    _client, filed = file_report(warga1, location=PIN, kelurahan="36.71.01.1001")

    assert filed["kelurahan"] == "36.71.01.1001"


def test_a_kelurahan_without_a_pin_is_taken_as_given(warga1: User) -> None:
    _client, filed = file_report(warga1, location=None, kelurahan="36.71.13.1001")

    assert filed["kelurahan"] == "36.71.13.1001"


def test_another_family_s_citizen_does_not_see_the_report_or_its_place(warga1: User, warga3: User) -> None:
    _client, filed = file_report(warga1, location=IN_KARAWACI, kelurahan="")

    response = bearer_client(warga3).get(f"/api/v1/complaints/{filed['tracking']}")

    assert response.status_code == 404
