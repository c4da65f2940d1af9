"""A follower of a report (Charlie: another family's citizen, whose own report was merged into Alice's) sees what the
public sees of it, its status and its steps by role; never its title, text, address, exact place, photos, messages or
reporter. Alice (the reporter) and those handling the report keep seeing everything; Bob (Alice's family, no report
of his own in it) sees nothing. Through the API and the web pages."""

from typing import Any

import pytest
from django.test import Client

from kotalive.accounts.models import User
from kotalive.complaints.tests.helpers import PIN, act_ok, file_report
from kotalive.conftest import bearer_client

pytestmark = pytest.mark.django_db

# What only Alice and those handling her report may read: each string appears nowhere a follower looks.
TITLE = "Lampu padam depan rumah Bu Siti"
DESCRIPTION = "Lampu PJU depan rumah saya nomor 12 padam; saya di rumah setiap sore, hubungi saya."
ADDRESS = "Jl. Kisamaun Gg. Melati No. 12"
EXACT = {"lat": -6.17813, "lon": 106.63187}
OPERATOR_ASKS = "Mohon kirim foto tiang lampu dari dekat, Bu."
ALICE_ANSWERS = "Tiangnya di samping pagar hijau rumah saya."
AGENCY_UPDATE = "Teknisi datang ke rumah nomor 12 besok pagi."
SECRETS = [TITLE, DESCRIPTION, ADDRESS, "106.63187", "-6.17813", OPERATOR_ASKS, ALICE_ANSWERS, AGENCY_UPDATE]


@pytest.fixture
def merged(personas: dict[str, User], warga1: User, warga3: User, operator: User) -> dict[str, Any]:
    """Alice (warga1) files an anonymous report with a photo; Charlie (warga3) files the same problem 30 m away; the
    Live Room merges Charlie's into Alice's, talks with Alice, and an agency posts an update on it."""
    alice, filed = file_report(
        warga1, photo=True, title=TITLE, description=DESCRIPTION, address=ADDRESS, location=EXACT, anonymous=True
    )
    tracking = filed["tracking"]
    _charlie, duplicate = file_report(warga3, location={"lat": PIN["lat"] + 0.0003, "lon": PIN["lon"]})
    live_room = bearer_client(operator)
    act_ok(live_room, duplicate["tracking"], "merge", into=tracking, reason="Laporan sama")
    for client, body in ((live_room, OPERATOR_ASKS), (alice, ALICE_ANSWERS)):
        posted = client.post(f"/api/v1/complaints/{tracking}/messages", {"body": body}, content_type="application/json")
        assert posted.status_code == 201, posted.content
    act_ok(live_room, tracking, "dispose", agency="DISHUB")
    agency = bearer_client(personas["dishub.penghubung"])
    act_ok(agency, tracking, "accept")
    act_ok(agency, tracking, "update", reason=AGENCY_UPDATE)
    return {"tracking": tracking, "photo": filed["photos"][0]["url"], "duplicate": duplicate["tracking"]}


def _people(personas: dict[str, User]) -> list[str]:
    """The names of those who took part: Alice (the anonymous reporter), the Live Room's operator, the agency's
    liaison."""
    return [personas[name].full_name for name in ("warga1", "kominfo.operator", "dishub.penghubung")]


def _signed_in(user: User) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def test_a_follower_gets_the_public_facts_and_the_status_of_the_report_over_the_api(merged, personas, warga3):
    """Charlie reads the category, kelurahan, place rounded to ~100 m, agency, state and the steps by role."""
    # Given Charlie's report merged into Alice's anonymous one
    charlie = bearer_client(warga3)

    # When Charlie reads the report he follows
    response = charlie.get(f"/api/v1/complaints/{merged['tracking']}")

    # Then he sees its status and what anyone may see of it, and nothing of Alice's
    assert response.status_code == 200
    seen = response.json()
    assert seen["follower"] is True
    assert (seen["state"], seen["public_status"], seen["agency"]) == ("in_progress", "proses", "DISHUB")
    assert seen["location"] == {"lat": -6.178, "lon": 106.632}
    assert (seen["title"], seen["description"], seen["address"], seen["reporter"]) == (None, None, None, None)
    assert (seen["photos"], seen["time_at_agencies"], seen["actions"]) == ([], [], [])
    assert [s["action"] for s in seen["timeline"]] == [
        "submit",
        "duplicate_merged",
        "dispose",
        "accept",
        "update",
    ]  # no message, no note
    assert {s["text"] for s in seen["timeline"]} == {""}
    body = response.content.decode()
    for secret in [*SECRETS, *_people(personas)]:
        assert secret not in body, secret


def test_a_follower_gets_no_photo_of_the_report(merged, warga3):
    """A photo of the report answers Charlie as a photo that does not exist would."""
    charlie = bearer_client(warga3)

    photo = charlie.get(merged["photo"])
    no_such_photo = charlie.get(f"/api/v1/complaints/{merged['tracking']}/photos/00000000-0000-0000-0000-000000000000")

    assert photo.status_code == no_such_photo.status_code == 404
    assert photo.json() == no_such_photo.json()
    assert (
        _signed_in(warga3).get(f"/laporan/{merged['tracking']}/foto/{merged['photo'].rsplit('/', 1)[1]}/").status_code
        == 404
    )


def test_a_follower_lists_the_report_without_its_title(merged, warga3):
    charlie = bearer_client(warga3)

    mine = {c["tracking"]: c for c in charlie.get("/api/v1/complaints").json()}

    assert mine[merged["tracking"]]["title"] is None
    assert mine[merged["tracking"]]["follower"] is True
    assert mine[merged["duplicate"]]["follower"] is False  # his own report, in full
    page = _signed_in(warga3).get("/laporan/")
    assert page.status_code == 200
    assert TITLE not in page.content.decode()


def test_a_follower_cannot_write_on_the_report(merged, warga3):
    """Charlie may not join Alice's conversation with the Live Room and the agency."""
    charlie = bearer_client(warga3)

    posted = charlie.post(
        f"/api/v1/complaints/{merged['tracking']}/messages", {"body": "Saya juga"}, content_type="application/json"
    )

    assert posted.status_code == 403


def test_the_web_page_shows_a_follower_the_status_and_nothing_private(merged, personas, warga3):
    # When Charlie opens the report's page
    page = _signed_in(warga3).get(f"/laporan/{merged['tracking']}/")

    # Then it shows the status, and none of Alice's report, her messages, her photo or her name
    assert page.status_code == 200
    html = page.content.decode()
    assert merged["tracking"] in html
    assert "DISHUB" in html
    for secret in [*SECRETS, *_people(personas)]:
        assert secret not in html, secret
    assert "/foto/" not in html
    assert 'name="intent" value="message"' not in html  # no message form


def test_the_reporter_and_those_handling_the_report_still_see_everything(merged, personas, warga1, operator):
    """Alice sees her report whole; the Live Room and the agency see it with her messages (the agency without her
    name: the report is anonymous)."""
    for user in (warga1, operator, personas["dishub.penghubung"]):
        seen = bearer_client(user).get(f"/api/v1/complaints/{merged['tracking']}").json()
        assert seen["follower"] is False
        assert (seen["title"], seen["description"], seen["address"]) == (TITLE, DESCRIPTION, ADDRESS)
        assert seen["location"] == EXACT
        assert len(seen["photos"]) == 1
        texts = {s["text"] for s in seen["timeline"]}
        assert {OPERATOR_ASKS, ALICE_ANSWERS, AGENCY_UPDATE} <= texts
    assert bearer_client(operator).get(f"/api/v1/complaints/{merged['tracking']}").json()["reporter"] == (
        warga1.full_name
    )
    agency = bearer_client(personas["dishub.penghubung"]).get(f"/api/v1/complaints/{merged['tracking']}").json()
    assert agency["reporter"] is None
    html = _signed_in(warga1).get(f"/laporan/{merged['tracking']}/").content.decode()
    for secret in (TITLE, ADDRESS, OPERATOR_ASKS, ALICE_ANSWERS, AGENCY_UPDATE):
        assert secret in html, secret
    assert bearer_client(warga1).get(merged["photo"]).status_code == 200


def test_another_citizen_of_the_reporters_family_sees_nothing(merged, warga2):
    """Bob (Alice's family, no report merged into hers) is answered as for a report that does not exist."""
    bob = bearer_client(warga2)

    assert bob.get(f"/api/v1/complaints/{merged['tracking']}").status_code == 404
    assert bob.get(merged["photo"]).status_code == 404
    assert _signed_in(warga2).get(f"/laporan/{merged['tracking']}/").status_code == 404
