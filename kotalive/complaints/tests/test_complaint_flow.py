"""The life of a report through the API: filed by a citizen, disposed by the Live Room, handed on by the wrong agency,
resolved by the right one, verified, confirmed; with the time spent at each agency."""

import datetime as dt
import io

import pytest
from PIL import Image

from kotalive.complaints.models import Complaint
from kotalive.complaints.tests.helpers import PIN, act, act_ok, file_report
from kotalive.conftest import bearer_client
from kotalive.events.models import OutboxEvent
from kotalive.workflow.holders import holdings

pytestmark = pytest.mark.django_db


def test_the_whole_life_of_a_report_shows_every_step_and_the_time_at_each_agency(personas, warga1, operator):
    citizen, filed = file_report(warga1, photo=True)
    tracking = filed["tracking"]
    assert tracking.startswith("LAKSA-")
    assert (filed["state"], filed["public_status"], filed["agency"]) == ("triage", "menunggu", None)
    assert [a["action"] for a in filed["actions"]] == []  # nothing for the reporter while the Live Room verifies

    live_room = bearer_client(operator)
    seen = live_room.get(f"/api/v1/complaints/{tracking}").json()
    assert seen["routing_suggestion"] == "DISHUB"  # street lights go to transport by the category's default
    assert {a["action"] for a in seen["actions"]} >= {"dispose", "return_to_reporter", "reject", "merge"}
    act_ok(live_room, tracking, "dispose", agency="PUPR")  # the wrong agency, on purpose

    pupr = bearer_client(personas["pupr.penghubung"])
    handed = act_ok(pupr, tracking, "hand_off", agency="DISHUB", reason="PJU dikelola Dinas Perhubungan")
    assert handed["agency"] == "DISHUB"
    assert pupr.get(f"/api/v1/complaints/{tracking}").json()["actions"] == []  # PUPR may still read, not act

    dishub = bearer_client(personas["dishub.penghubung"])
    act_ok(dishub, tracking, "accept")
    after_photo = dishub.post("/api/v1/uploads", {"file": _named(_png_bytes(), "sesudah.png")}).json()["id"]
    act_ok(dishub, tracking, "update", reason="Tim menuju lokasi")
    resolved = act_ok(dishub, tracking, "resolve", reason="Tiga lampu diganti", photos=[after_photo])
    assert resolved["state"] == "resolved"
    assert resolved["public_status"] == "proses"  # not done until the Live Room checks

    verified = act_ok(live_room, tracking, "verify_completion")
    assert verified["public_status"] == "selesai"
    assert verified["confirm_by"] is not None
    confirmed = act_ok(citizen, tracking, "confirm")
    assert (confirmed["state"], confirmed["public_status"]) == ("closed", "selesai")

    actions = [step["action"] for step in confirmed["timeline"]]
    assert actions == ["submit", "dispose", "hand_off", "accept", "update", "resolve", "verify_completion", "confirm"]
    stints = confirmed["time_at_agencies"]
    assert [(s["agency"], s["outcome"]) for s in stints] == [("PUPR", "handed_off"), ("DISHUB", "resolved")]
    assert stints[0]["reason"] == "PJU dikelola Dinas Perhubungan"
    assert all(s["seconds"] >= 0 and s["left_at"] is not None for s in stints)
    hand_off = next(step for step in confirmed["timeline"] if step["action"] == "hand_off")
    assert hand_off["data"]["from_agency"] == "PUPR"
    assert hand_off["data"]["to_agency"] == "DISHUB"
    assert "seconds_at_agency" in hand_off["data"]
    assert {p["stage"] for p in confirmed["photos"]} == {"report", "after"}

    events = list(OutboxEvent.objects.filter(subject=tracking).order_by("sequence").values_list("type", flat=True))
    assert [e.removeprefix("id.kotalive.complaint.") for e in events] == [
        "submitted",
        "disposed",
        "handed_off",
        "accepted",
        "updated",
        "resolved",
        "completion_verified",
        "confirmed",
    ]


def _png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (0, 200, 0)).save(buffer, format="PNG")
    return buffer.getvalue()


def _named(content: bytes, name: str):  # noqa: ANN202
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_a_photo_loses_its_gps_position_and_is_served_only_to_those_who_see_the_report(personas, warga1, warga2):
    citizen, filed = file_report(warga1, photo=True)
    photo = filed["photos"][0]
    response = citizen.get(photo["url"])
    assert response.status_code == 200
    stored = response.getvalue()
    image = Image.open(io.BytesIO(stored))
    image.load()  # still a picture
    assert dict(image.getexif()) == {}  # no GPS, no camera model
    assert b"KotaPhone" not in stored
    assert bearer_client(warga2).get(photo["url"]).status_code == 404


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"category": "ufo"}, "category"),
        ({"kind": "rumour"}, "kind"),
        ({"title": "x"}, "title"),
        ({"description": "short"}, "description"),
        ({"location": {"lat": -6.9, "lon": 107.6}}, "location"),  # Bandung
        ({"kelurahan": "36.03.01.2001"}, "kelurahan"),  # outside the city
        ({"location": None, "kelurahan": "", "address": ""}, "location"),
        ({"photos": ["00000000-0000-0000-0000-000000000000"]}, "photos"),
    ],
)
def test_bad_reports_are_refused_naming_the_field_and_change_nothing(warga1, overrides, field):
    client = bearer_client(warga1)
    from kotalive.complaints.tests.helpers import street_light_report

    response = client.post("/api/v1/complaints", street_light_report(**overrides), content_type="application/json")
    assert response.status_code == 422, response.content
    assert field in {e["field"] for e in response.json()["errors"]}
    assert Complaint.objects.count() == 0


def test_errors_come_in_indonesian_by_default_and_english_on_request(warga1):
    client = bearer_client(warga1)
    from kotalive.complaints.tests.helpers import street_light_report

    body = street_light_report(title="x")
    indonesian = client.post("/api/v1/complaints", body, content_type="application/json").json()
    english = client.post(
        "/api/v1/complaints", body, content_type="application/json", headers={"Accept-Language": "en"}
    ).json()
    assert english["errors"][0]["message"] == "must be 5 to 150 characters"
    assert indonesian["errors"][0]["message"] != english["errors"][0]["message"]


def test_an_anonymous_reporter_is_never_shown_to_the_agency(personas, warga1, operator):
    _citizen, filed = file_report(warga1, anonymous=True)
    tracking = filed["tracking"]
    live_room = bearer_client(operator)
    assert live_room.get(f"/api/v1/complaints/{tracking}").json()["reporter"] == warga1.full_name
    act_ok(live_room, tracking, "dispose", agency="DISHUB")
    agency_view = bearer_client(personas["dishub.penghubung"]).get(f"/api/v1/complaints/{tracking}")
    assert agency_view.status_code == 200
    body = agency_view.content.decode()
    assert agency_view.json()["reporter"] is None
    assert warga1.full_name not in body
    assert warga1.username not in body
    events = OutboxEvent.objects.filter(subject=tracking)
    assert all(warga1.full_name not in str(e.data) for e in events)


def test_a_stale_version_is_refused_with_the_current_one(personas, warga1, operator):
    _citizen, filed = file_report(warga1)
    live_room = bearer_client(operator)
    response = live_room.post(
        f"/api/v1/complaints/{filed['tracking']}/transitions",
        {"action": "dispose", "version": filed["version"] + 5, "agency": "DISHUB"},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert Complaint.objects.get().state == "triage"


def test_roles_decide_who_acts(personas, warga1, operator):
    citizen, filed = file_report(warga1)
    tracking = filed["tracking"]
    assert act(citizen, tracking, "dispose", agency="DISHUB").status_code == 403  # a citizen does not dispose
    dishub = bearer_client(personas["dishub.penghubung"])
    assert dishub.get(f"/api/v1/complaints/{tracking}").status_code == 404  # not theirs yet: not even visible
    act_ok(bearer_client(operator), tracking, "dispose", agency="DISHUB")
    pupr = bearer_client(personas["pupr.penghubung"])
    assert pupr.get(f"/api/v1/complaints/{tracking}").status_code == 404
    assert act(dishub, tracking, "verify_completion").status_code == 422  # not possible in this state


def test_dispose_needs_an_agency_that_handles_complaints(personas, warga1, operator):
    _citizen, filed = file_report(warga1)
    response = act(bearer_client(operator), filed["tracking"], "dispose")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "agency"


def test_not_ours_without_an_agency_goes_back_to_the_live_room_with_its_clock(personas, warga1, operator):
    _citizen, filed = file_report(warga1)
    tracking = filed["tracking"]
    live_room = bearer_client(operator)
    act_ok(live_room, tracking, "dispose", agency="DLH")
    back = act_ok(bearer_client(personas["dlh.penghubung"]), tracking, "hand_off", reason="Bukan sampah")
    assert (back["state"], back["agency"]) == ("triage", None)
    assert back["time_at_agencies"][0]["outcome"] == "returned_to_operator"
    assert any(t["action"] == "hand_off" for t in back["timeline"])
    act_ok(live_room, tracking, "dispose", agency="DISHUB")
    assert holdings(Complaint.objects.get(tracking=tracking)).count() == 2


def test_the_live_room_can_return_reject_and_the_reporter_resubmits(personas, warga1, operator):
    citizen, filed = file_report(warga1)
    tracking = filed["tracking"]
    live_room = bearer_client(operator)
    assert act(live_room, tracking, "return_to_reporter").status_code == 422  # the reason is required
    returned = act_ok(live_room, tracking, "return_to_reporter", reason="Mohon tambahkan nomor tiang")
    assert returned["state"] == "returned"
    assert "resubmit" in {a["action"] for a in citizen.get(f"/api/v1/complaints/{tracking}").json()["actions"]}
    act_ok(citizen, tracking, "resubmit", reason="Tiang nomor 17")
    rejected = act_ok(live_room, tracking, "reject", reason="Di luar kewenangan pemerintah kota (jalan tol)")
    assert (rejected["state"], rejected["public_status"]) == ("rejected", "selesai")


def test_the_reporter_reopens_and_the_same_agency_works_again(personas, warga1, operator):
    citizen, filed = file_report(warga1)
    tracking = filed["tracking"]
    live_room, dishub = bearer_client(operator), bearer_client(personas["dishub.penghubung"])
    act_ok(live_room, tracking, "dispose", agency="DISHUB")
    act_ok(dishub, tracking, "accept")
    act_ok(dishub, tracking, "resolve", reason="Diperbaiki")
    act_ok(live_room, tracking, "verify_completion")
    reopened = act_ok(citizen, tracking, "reopen", reason="Lampu mati lagi")
    assert (reopened["state"], reopened["agency"]) == ("in_progress", "DISHUB")
    assert [s["agency"] for s in reopened["time_at_agencies"]] == ["DISHUB", "DISHUB"]


def test_a_duplicate_is_suggested_and_merged_so_both_reporters_follow_the_survivor(personas, warga1, warga2, operator):
    _first_client, first = file_report(warga1)
    second_client, second = file_report(
        warga2,
        location={"lat": PIN["lat"] + 0.0009, "lon": PIN["lon"]},  # about 100 m north
    )
    file_report(warga2, location={"lat": PIN["lat"] + 0.01, "lon": PIN["lon"]})  # about 1.1 km: not a duplicate
    file_report(warga2, category="roads")  # same place, other category: not a duplicate
    live_room = bearer_client(operator)
    seen = live_room.get(f"/api/v1/complaints/{second['tracking']}").json()
    assert [d["tracking"] for d in seen["duplicates"]] == [first["tracking"]]
    assert 80 <= seen["duplicates"][0]["metres"] <= 120
    merged = act_ok(live_room, second["tracking"], "merge", into=first["tracking"], reason="Laporan sama")
    assert (merged["state"], merged["merged_into"]) == ("merged", first["tracking"])
    follows = second_client.get("/api/v1/complaints").json()
    assert first["tracking"] in {c["tracking"] for c in follows}
    survivor = second_client.get(f"/api/v1/complaints/{first['tracking']}")
    assert survivor.status_code == 200  # warga2 follows the report that stays
    assert survivor.json()["reporter"] is None  # ... without learning who filed it
    assert survivor.json()["actions"] == []


def test_messages_go_both_ways_and_the_emergency_handover_is_recorded(personas, warga1, operator):
    citizen, filed = file_report(warga1, category="fire-animals", title="Ular kobra di rumah")
    tracking = filed["tracking"]
    live_room = bearer_client(operator)
    flagged = live_room.post(
        f"/api/v1/complaints/{tracking}/emergency",
        {"reason": "Diteruskan ke 112, regu Damkar Cipondoh"},
        content_type="application/json",
    )
    assert flagged.status_code == 200
    assert flagged.json()["emergency"] is True
    assert flagged.json()["timeline"][-1]["action"] == "emergency_handover"
    act_ok(live_room, tracking, "dispose", agency="DAMKAR")
    damkar = bearer_client(personas["damkar.penghubung"])
    asked = damkar.post(
        f"/api/v1/complaints/{tracking}/messages", {"body": "Di ruangan mana?"}, content_type="application/json"
    )
    assert asked.status_code == 201
    citizen.post(f"/api/v1/complaints/{tracking}/messages", {"body": "Dapur"}, content_type="application/json")
    texts = [(s["actor_role"], s["text"]) for s in citizen.get(f"/api/v1/complaints/{tracking}").json()["timeline"]]
    assert ("agency", "Di ruangan mana?") in texts
    assert ("reporter", "Dapur") in texts
    assert (
        citizen.post(
            f"/api/v1/complaints/{tracking}/emergency", {"reason": "x"}, content_type="application/json"
        ).status_code
        == 403
    )


def test_several_agencies_with_a_lead(personas, warga1, operator):
    _citizen, filed = file_report(warga1, category="drainage-floods", title="Banjir setinggi lutut")
    tracking = filed["tracking"]
    act_ok(bearer_client(operator), tracking, "dispose", agency="PUPR", supports=["BPBD", "DLH"])
    bpbd = bearer_client(personas["bpbd.penghubung"])
    inbox = bpbd.get("/api/v1/agency/complaints").json()
    assert tracking in {c["tracking"] for c in inbox["supporting"]}
    assert bpbd.get(f"/api/v1/complaints/{tracking}").json()["actions"] == []  # helpers talk, the lead acts
    assert (
        bpbd.post(
            f"/api/v1/complaints/{tracking}/messages", {"body": "Pompa dikirim"}, content_type="application/json"
        ).status_code
        == 201
    )
    lead = bearer_client(personas["pupr.penghubung"]).get("/api/v1/agency/complaints").json()
    assert tracking in {c["tracking"] for c in lead["items"]}


def test_rating_after_verification_once(personas, warga1, operator):
    citizen, filed = file_report(warga1)
    tracking = filed["tracking"]
    rate = {"score": 5, "comment": "Cepat"}
    assert (
        citizen.post(f"/api/v1/complaints/{tracking}/rating", rate, content_type="application/json").status_code == 422
    )
    live_room, dishub = bearer_client(operator), bearer_client(personas["dishub.penghubung"])
    act_ok(live_room, tracking, "dispose", agency="DISHUB")
    act_ok(dishub, tracking, "accept")
    act_ok(dishub, tracking, "resolve", reason="Beres")
    act_ok(live_room, tracking, "verify_completion")
    rated = citizen.post(f"/api/v1/complaints/{tracking}/rating", rate, content_type="application/json")
    assert rated.status_code == 201
    assert rated.json()["rating"] == 5
    again = citizen.post(f"/api/v1/complaints/{tracking}/rating", rate, content_type="application/json")
    assert (again.status_code, again.json()["code"]) == (409, "already_rated")  # as a second rating of a case


def test_triage_queue_is_the_live_rooms_soonest_due_first(personas, warga1, operator):
    first = file_report(warga1)[1]["tracking"]
    second = file_report(warga1, title="Lampu taman mati")[1]["tracking"]
    first_due = Complaint.objects.get(tracking=first).due_at
    assert first_due is not None
    Complaint.objects.filter(tracking=second).update(due_at=first_due - dt.timedelta(days=1))
    queue = bearer_client(operator).get("/api/v1/liveroom/triage").json()
    assert [c["tracking"] for c in queue["items"]] == [second, first]
    assert bearer_client(warga1).get("/api/v1/liveroom/triage").status_code == 403


def test_every_event_of_a_report_s_life_matches_its_schema(personas, warga1, operator):
    import jsonschema

    from kotalive.events.catalogue import cloudevent_json, event_types

    citizen, filed = file_report(warga1, photo=True)
    tracking = filed["tracking"]
    live_room = bearer_client(operator)
    live_room.post(f"/api/v1/complaints/{tracking}/emergency", {"reason": "112"}, content_type="application/json")
    act_ok(live_room, tracking, "dispose", agency="PUPR", supports=["BPBD"])
    act_ok(bearer_client(personas["pupr.penghubung"]), tracking, "hand_off", agency="DISHUB", reason="PJU")
    dishub = bearer_client(personas["dishub.penghubung"])
    act_ok(dishub, tracking, "accept")
    dishub.post(f"/api/v1/complaints/{tracking}/messages", {"body": "Kami cek"}, content_type="application/json")
    act_ok(dishub, tracking, "resolve", reason="Diganti")
    act_ok(live_room, tracking, "verify_completion")
    act_ok(citizen, tracking, "confirm")
    citizen.post(f"/api/v1/complaints/{tracking}/rating", {"score": 4}, content_type="application/json")
    catalogue = event_types()
    written = list(OutboxEvent.objects.filter(subject=tracking))
    assert len(written) == 10
    for event in written:
        jsonschema.Draft202012Validator(catalogue[event.type]).validate(event.data)
        assert cloudevent_json(event).startswith(b"{")


def test_an_unverified_account_may_file_a_report(personas, warga1):
    from kotalive.accounts.models import User

    User.objects.filter(pk=warga1.pk).update(phone_verified_at=None, email_verified_at=None)
    _client, filed = file_report(User.objects.get(pk=warga1.pk))
    assert filed["state"] == "triage"


def test_routing_rules_by_kelurahan_then_kecamatan_then_the_category_default(personas, warga1, operator):
    from kotalive.complaints.services import routing_rule_save

    live_room = bearer_client(operator)
    in_karawaci = "36.71.07.1001"  # Kecamatan Karawaci has a rule for public order (KEC-07) in the data file
    # By the kelurahan alone (no pin: the helper's pin lies in Kecamatan Tangerang, which would refuse this choice).
    _c, order = file_report(
        warga1, category="public-order", title="PKL di trotoar", kelurahan=in_karawaci, location=None
    )
    assert live_room.get(f"/api/v1/complaints/{order['tracking']}").json()["routing_suggestion"] == "KEC-07"
    routing_rule_save(actor=operator, category="public-order", region=in_karawaci, agency="SATPOLPP")
    _c, again = file_report(
        warga1, category="public-order", title="PKL di trotoar lagi", kelurahan=in_karawaci, location=None
    )
    assert live_room.get(f"/api/v1/complaints/{again['tracking']}").json()["routing_suggestion"] == "SATPOLPP"
    _c, elsewhere = file_report(warga1, category="public-order", title="PKL di trotoar pasar")
    assert live_room.get(f"/api/v1/complaints/{elsewhere['tracking']}").json()["routing_suggestion"] == "SATPOLPP"
    # (the helper's default kelurahan 36.71.01.1001 has no rule: the category's default, SATPOLPP)
