"""A follower of a report (Charlie: another family's citizen, whose report was merged into Alice's) hears what changed
and nothing more: his in-app notices, his e-mails and his event feed hold the report's new status and its public facts,
never an officer's reason, an agency's update, a message or who Alice is. Alice, the reporter, still gets the
reasons. Through the real paths: the API, the worker's dispatch and notice consumer, a local SMTP server."""

import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kotalive.accounts.models import User
from kotalive.complaints.events import COMPLAINT_PUBLIC_KEYS
from kotalive.complaints.tests.helpers import PIN, act_ok, file_report
from kotalive.conftest import Mailbox, bearer_client
from kotalive.events.tests.helpers import drain
from kotalive.notifications.models import ContactPreference, DeliveryAttempt, Notification
from kotalive.workflow.delivery import deliveries_run

pytestmark = pytest.mark.django_db

PREFIX = "id.kotalive.complaint."
TITLE = "Lampu padam depan rumah Bu Siti"
ADDRESS = "Jl. Kisamaun Gg. Melati No. 12"
RETURNED = "Mohon lengkapi nomor tiang; Ibu Siti bisa dihubungi di rumah nomor 12."
ASKED = "Mohon kirim foto tiang lampu dari dekat, Bu."
UPDATE = "Teknisi datang ke rumah nomor 12 besok pagi."
SECRETS = [TITLE, ADDRESS, RETURNED, ASKED, UPDATE]


@pytest.fixture
def merged(warga1: User, warga3: User, operator: User) -> dict[str, Any]:
    """Alice (warga1) files an anonymous report; Charlie (warga3) files the same problem 30 m away; the Live Room
    merges Charlie's into Alice's, which waits in triage. Both want their notices by e-mail too."""
    for citizen in (warga1, warga3):
        ContactPreference.objects.update_or_create(user=citizen, defaults={"ranking": ["email"], "language": "id"})
    _alice, filed = file_report(warga1, title=TITLE, address=ADDRESS, anonymous=True)
    _charlie, duplicate = file_report(warga3, location={"lat": PIN["lat"] + 0.0003, "lon": PIN["lon"]})
    act_ok(bearer_client(operator), duplicate["tracking"], "merge", into=filed["tracking"], reason="Laporan sama")
    return {"tracking": filed["tracking"], "duplicate": duplicate["tracking"]}


def _deliver() -> None:
    """The worker: dispatch, notices, and every e-mail owed sent now (no quiet hours, no pauses)."""
    for _ in range(6):
        drain()
        DeliveryAttempt.objects.filter(state=DeliveryAttempt.QUEUED).update(not_before=timezone.now())
        if not deliveries_run():
            return


def _notice(user: User, tracking: str, kind: str) -> Notification:
    return Notification.objects.get(user=user, subject=tracking, kind=kind)


def _feed(user: User) -> tuple[list[dict[str, Any]], str]:
    response = bearer_client(user).get("/api/v1/events?limit=500")
    assert response.status_code == 200, response.content
    return response.json()["items"], response.content.decode()


def _of(items: list[dict[str, Any]], tracking: str) -> dict[str, dict[str, Any]]:
    """The report's events in a feed, by short type."""
    return {e["type"].removeprefix(PREFIX): e for e in items if e["subject"] == tracking}


def _signed_in(user: User) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def test_a_return_to_the_reporter_tells_the_reporter_why_and_the_follower_only_the_new_status(
    merged: dict[str, Any], mailbox: Mailbox, warga1: User, warga3: User, operator: User
) -> None:
    # Given Charlie following Alice's report
    tracking = merged["tracking"]

    # When the Live Room returns it to Alice with a reason, and the worker runs
    act_ok(bearer_client(operator), tracking, "return_to_reporter", reason=RETURNED)
    _deliver()

    # Then Alice's notice and e-mail give the reason
    alice = _notice(warga1, tracking, "complaint.returned_to_reporter")
    assert alice.data["reason"] == RETURNED
    assert RETURNED in mailbox.to(warga1)
    # And Charlie's say only that the report he follows is now returned: no reason, no text of anyone's
    charlie = _notice(warga3, tracking, "complaint.returned_to_reporter")
    assert "reason" not in charlie.data
    assert charlie.data["public_only"] is True
    assert charlie.data["to_state"] == "returned"
    assert charlie.data["what"]["id"].startswith("Laporan yang Anda ikuti kini: ")
    assert charlie.delivered_at is not None  # the e-mail went out
    mail = mailbox.to(warga3)
    assert tracking in mail
    assert charlie.data["what"]["id"] in mail
    for secret in SECRETS:
        assert secret not in mail, secret
        assert secret not in json.dumps(charlie.data), secret
    # And the bell's page shows Charlie no reason either
    page = _signed_in(warga3).get("/notifikasi/").content.decode()
    assert charlie.data["what"]["id"] in page
    assert RETURNED not in page


def test_an_agency_update_reaches_the_follower_without_its_text(
    merged: dict[str, Any], mailbox: Mailbox, personas: dict[str, User], warga1: User, warga3: User, operator: User
) -> None:
    tracking = merged["tracking"]
    act_ok(bearer_client(operator), tracking, "dispose", agency="DISHUB")
    agency = bearer_client(personas["dishub.penghubung"])
    act_ok(agency, tracking, "accept")

    act_ok(agency, tracking, "update", reason=UPDATE)
    _deliver()

    assert _notice(warga1, tracking, "complaint.updated").data["reason"] == UPDATE
    assert UPDATE in mailbox.to(warga1)
    charlie = _notice(warga3, tracking, "complaint.updated")
    assert "reason" not in charlie.data
    assert (charlie.data["to_state"], charlie.data["action"]) == ("in_progress", "update")
    assert mailbox.to(warga3)
    assert UPDATE not in mailbox.to(warga3)
    for notice in Notification.objects.filter(user=warga3, subject=tracking):
        assert "reason" not in notice.data, notice.kind


def test_the_followers_feed_has_the_public_facts_only_and_the_reporters_everything(
    merged: dict[str, Any], personas: dict[str, User], warga1: User, warga3: User, operator: User
) -> None:
    """Charlie's feed lists the report's moves with its public keys only (an allow-list): no reason, no officer, no
    agency it passed through, no tracking number of another duplicate; and no message, since none is addressed to
    him. Alice's feed has all of it."""
    # Given the Live Room talking with Alice, handing the report to an agency with a helper, and the agency's update
    tracking = merged["tracking"]
    live_room = bearer_client(operator)
    posted = live_room.post(f"/api/v1/complaints/{tracking}/messages", {"body": ASKED}, content_type="application/json")
    assert posted.status_code == 201, posted.content
    act_ok(live_room, tracking, "dispose", agency="DISHUB", supports=["BPBD"])
    agency = bearer_client(personas["dishub.penghubung"])
    act_ok(agency, tracking, "accept")
    act_ok(agency, tracking, "update", reason=UPDATE)
    drain()

    # When each reads their feed
    alices, alice_body = _feed(warga1)
    charlies, charlie_body = _feed(warga3)

    # Then Alice reads every event whole
    alice = _of(alices, tracking)
    assert alice["updated"]["data"]["reason"] == UPDATE
    assert alice["disposed"]["data"]["supports"] == ["BPBD"]
    assert "message_posted" in alice
    assert ASKED not in alice_body  # a message event names the message, never its text
    # And Charlie the same moves, with only the report's public keys in their data
    charlie = _of(charlies, tracking)
    assert list(charlie) == ["duplicate_merged", "disposed", "accepted", "updated"]
    for event in charlie.values():
        assert set(event["data"]) <= set(COMPLAINT_PUBLIC_KEYS), event["type"]
        assert "reason" not in event["data"]
    assert charlie["updated"]["data"]["to_state"] == alice["updated"]["data"]["to_state"] == "in_progress"
    assert charlie["updated"]["data"]["agency"] == "DISHUB"
    assert charlie["updated"]["id"] == alice["updated"]["id"]  # the same events, less what is not his
    for secret in SECRETS:
        assert secret not in charlie_body, secret
    assert merged["duplicate"] in charlie_body  # his own report, which he filed, in full
    assert _of(charlies, merged["duplicate"])["merged"]["data"]["reason"] == "Laporan sama"


def test_an_anonymous_reporter_is_never_revealed_to_the_follower(
    merged: dict[str, Any], mailbox: Mailbox, personas: dict[str, User], warga1: User, warga3: User, operator: User
) -> None:
    """Alice filed anonymously: whatever happens to her report, nothing Charlie is told names her."""
    tracking = merged["tracking"]
    live_room = bearer_client(operator)
    act_ok(live_room, tracking, "return_to_reporter", reason=RETURNED)
    act_ok(bearer_client(warga1), tracking, "resubmit")
    act_ok(live_room, tracking, "dispose", agency="DISHUB")
    agency = bearer_client(personas["dishub.penghubung"])
    act_ok(agency, tracking, "accept")
    act_ok(agency, tracking, "resolve", reason=UPDATE)
    _deliver()

    items, feed = _feed(warga3)
    notices = json.dumps(list(Notification.objects.filter(user=warga3).values("kind", "subject", "data")))
    told = "\n".join([feed, notices, mailbox.to(warga3)])
    assert _of(items, tracking)  # he was told of the report
    assert Notification.objects.filter(user=warga3, subject=tracking).exists()
    for trace in (warga1.full_name, warga1.username, warga1.email, warga1.phone, *SECRETS):
        assert trace
        assert trace not in told, trace
    for event in _of(items, tracking).values():
        assert not {"reporter", "reporter_name", "actor", "assignee", "notified"} & set(event["data"])


def test_the_reporters_rating_is_not_news_to_the_follower(
    merged: dict[str, Any], personas: dict[str, User], warga1: User, warga3: User, operator: User
) -> None:
    # Given Alice's report, which Charlie follows, handled and verified
    tracking = merged["tracking"]
    live_room, dishub = bearer_client(operator), bearer_client(personas["dishub.penghubung"])
    act_ok(live_room, tracking, "dispose", agency="DISHUB")
    act_ok(dishub, tracking, "accept")
    act_ok(dishub, tracking, "resolve", reason="Lampu diganti")
    act_ok(live_room, tracking, "verify_completion")

    # When Alice rates the handling and the worker runs
    rated = bearer_client(warga1).post(
        f"/api/v1/complaints/{tracking}/rating", {"score": 2}, content_type="application/json"
    )
    assert rated.status_code == 201, rated.content
    _deliver()

    # Then Alice's feed has her rating, Charlie's feed and notices have the report's moves but not the rating
    assert _of(_feed(warga1)[0], tracking)["rated"]["data"]["score"] == 2
    charlie = _of(_feed(warga3)[0], tracking)
    assert list(charlie) == ["duplicate_merged", "disposed", "accepted", "resolved", "completion_verified"]
    assert not Notification.objects.filter(user=warga3, subject=tracking, kind="complaint.rated").exists()
