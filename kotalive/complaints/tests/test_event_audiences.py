"""Who hears about a report: its holder, the helper agencies working with it, the agency that handed it on (for the
hand-off itself), and its reporter; through webhooks and the event feed alike."""

import json
from collections.abc import Iterator

import pytest
from django.test import Client

from kotalive.accounts.models import User
from kotalive.complaints.tests.helpers import act_ok, file_report
from kotalive.conftest import bearer_client
from kotalive.events.tests.helpers import drain
from kotalive.events.tests.receiver import Receiver

pytestmark = pytest.mark.django_db

PREFIX = "id.kotalive.complaint."


@pytest.fixture
def receivers() -> Iterator[dict[str, Receiver]]:
    running = {code: Receiver().start() for code in ("PUPR", "DISHUB", "BPBD", "DLH")}
    yield running
    for receiver in running.values():
        receiver.stop()


def _subscribe(operator: Client, agency: str, url: str) -> None:
    response = operator.post(
        "/api/v1/webhooks/subscriptions", {"url": url, "agency": agency}, content_type="application/json"
    )
    assert response.status_code == 201, response.content


def _subscribed(operator: User, receivers: dict[str, Receiver]) -> Client:
    """The Live Room's client, after subscribing each agency's receiver to that agency's events."""
    live_room = bearer_client(operator)
    for agency, receiver in receivers.items():
        _subscribe(live_room, agency, receiver.url)
    return live_room


def _types(receiver: Receiver) -> list[str]:
    return [json.loads(r.body)["type"].removeprefix(PREFIX) for r in receiver.accepted()]


@pytest.mark.usefixtures("app_only_notices")  # the subjects' events only, not deliveries'
def test_the_agency_that_hands_a_report_on_hears_of_the_hand_off_and_helpers_hear_everything(
    personas: dict[str, User], warga1: User, operator: User, receivers: dict[str, Receiver]
) -> None:
    live_room = _subscribed(operator, receivers)
    _client, filed = file_report(warga1)
    tracking = filed["tracking"]

    act_ok(live_room, tracking, "dispose", agency="PUPR", supports=["BPBD"])
    act_ok(bearer_client(personas["pupr.penghubung"]), tracking, "hand_off", agency="DISHUB", reason="PJU")
    act_ok(bearer_client(personas["dishub.penghubung"]), tracking, "accept")
    drain()

    assert _types(receivers["PUPR"]) == ["disposed", "handed_off"]  # not what DISHUB does after it
    assert _types(receivers["DISHUB"]) == ["handed_off", "accepted"]
    assert _types(receivers["BPBD"]) == ["disposed", "handed_off", "accepted"]  # the helper, all along
    assert _types(receivers["DLH"]) == []  # nobody else


def test_the_feeds_follow_the_same_audience(
    personas: dict[str, User], warga1: User, warga3: User, operator: User
) -> None:
    live_room = bearer_client(operator)
    _client, filed = file_report(warga1)
    tracking = filed["tracking"]
    act_ok(live_room, tracking, "dispose", agency="PUPR", supports=["BPBD"])
    act_ok(bearer_client(personas["pupr.penghubung"]), tracking, "hand_off", agency="DISHUB", reason="PJU")
    drain()

    def feed(user: User) -> list[str]:
        response = bearer_client(user).get("/api/v1/events?limit=100")
        assert response.status_code == 200, response.content
        return [e["type"].removeprefix(PREFIX) for e in response.json()["items"] if e["subject"] == tracking]

    assert feed(personas["pupr.penghubung"]) == ["disposed", "handed_off"]
    assert feed(personas["dishub.penghubung"]) == ["handed_off"]
    assert feed(personas["bpbd.penghubung"]) == ["disposed", "handed_off"]
    assert feed(warga1) == ["submitted", "disposed", "handed_off"]  # the reporter follows their own report
    assert feed(warga3) == []  # another citizen sees nothing of it
    assert feed(personas["dlh.penghubung"]) == []


@pytest.mark.usefixtures("app_only_notices")  # the subjects' events only, not deliveries'
def test_helpers_released_by_a_hand_back_hear_of_the_hand_back(
    personas: dict[str, User], warga1: User, operator: User, receivers: dict[str, Receiver]
) -> None:
    live_room = _subscribed(operator, receivers)
    _client, filed = file_report(warga1)
    tracking = filed["tracking"]

    act_ok(live_room, tracking, "dispose", agency="PUPR", supports=["BPBD"])
    act_ok(bearer_client(personas["pupr.penghubung"]), tracking, "hand_off", reason="Bukan urusan kami")  # no agency
    act_ok(live_room, tracking, "dispose", agency="DLH")
    drain()

    assert _types(receivers["BPBD"]) == ["disposed", "handed_back"]  # released, then no longer told
    assert _types(receivers["PUPR"]) == ["disposed", "handed_back"]
    assert _types(receivers["DLH"]) == ["disposed"]


def test_a_follower_is_in_the_audience_so_feed_and_notices_agree(
    personas: dict[str, User], warga1: User, warga2: User, operator: User
) -> None:
    """The reporter of a duplicate merged into a report follows it: later events name them, so their feed shows
    them and their in-app notices come from the same audience."""
    from kotalive.complaints.tests.helpers import PIN
    from kotalive.notifications.models import Notification

    live_room = bearer_client(operator)
    _client, first = file_report(warga1)
    _client, second = file_report(warga2, location={"lat": PIN["lat"] + 0.0009, "lon": PIN["lon"]})
    act_ok(live_room, second["tracking"], "merge", into=first["tracking"], reason="Laporan sama")
    act_ok(live_room, first["tracking"], "dispose", agency="DISHUB")
    drain()

    feed = bearer_client(warga2).get("/api/v1/events?limit=100").json()["items"]
    assert [e["type"].removeprefix(PREFIX) for e in feed if e["subject"] == first["tracking"]] == [
        "duplicate_merged",
        "disposed",
    ]
    notices = set(Notification.objects.filter(subject=first["tracking"]).values_list("user__username", "kind"))
    assert {("warga1", "complaint.disposed"), ("warga2", "complaint.disposed")} <= notices
    assert {user for user, _kind in notices} == {"warga1", "warga2"}
