"""Announcements from the operator to agencies: chosen or all, a read receipt per agency, one reminder to agencies
that have not read it, refusals that name the field."""

import datetime as dt

from django.test import Client
from django.utils import timezone

from kotalive.accounts.models import User
from kotalive.agencies.models import Agency
from kotalive.conftest import bearer_client
from kotalive.coordination.announcements import REMIND_AFTER, announcement_reminders
from kotalive.coordination.models import AnnouncementReceipt
from kotalive.notifications.models import Notification


def test_the_operator_announces_to_chosen_agencies_and_sees_who_has_read_it(
    operator: User, verifier: User, personas: dict[str, User]
) -> None:
    live_room = bearer_client(operator)
    sent = live_room.post(
        "/api/v1/announcements",
        {"title": "Libur nasional", "body": "Layanan tutup 25 Desember.", "agencies": ["DISDUKCAPIL", "DINKES"]},
        content_type="application/json",
    )
    assert sent.status_code == 201, sent.content
    announcement = sent.json()
    assert (announcement["sent_to"], announcement["read"]) == (2, 0)
    assert bearer_client(personas["pupr.penghubung"]).get("/api/v1/announcements").json() == []  # not sent to PUPR
    officer = bearer_client(verifier)
    assert [a["title"] for a in officer.get("/api/v1/announcements").json()] == ["Libur nasional"]

    read = officer.post(f"/api/v1/announcements/{announcement['id']}/read")

    assert read.json() == {"marked": 1}
    receipts = {r["agency"]: r["read_at"] for r in live_room.get("/api/v1/announcements").json()[0]["receipts"]}
    assert receipts["DISDUKCAPIL"] is not None
    assert receipts["DINKES"] is None
    assert (
        bearer_client(personas["pupr.penghubung"]).post(f"/api/v1/announcements/{announcement['id']}/read").status_code
        == 404
    )
    assert officer.post("/api/v1/announcements/99999999999999999999999/read").status_code in {404, 422}


def test_an_unread_announcement_is_reminded_once_to_the_agency_s_liaison_and_head(
    operator: User, personas: dict[str, User]
) -> None:
    bearer_client(operator).post(
        "/api/v1/announcements", {"title": "Rapat", "body": "Rapat koordinasi Senin.", "agencies": ["DINKES"]},
        content_type="application/json",
    )  # fmt: skip
    later = timezone.now() + REMIND_AFTER + dt.timedelta(hours=1)

    assert announcement_reminders(now=timezone.now()) == 0  # not yet
    assert announcement_reminders(now=later) == 1
    assert announcement_reminders(now=later) == 0  # once

    reminded = set(
        Notification.objects.filter(kind="coordination.announcement_unread").values_list("user__username", flat=True)
    )
    assert "dinkes.petugas" in reminded  # DINKES's liaison officer
    assert AnnouncementReceipt.objects.get().reminded_at is not None


def test_only_the_operator_announces_and_bad_input_is_named(operator: User, verifier: User) -> None:
    refused = bearer_client(verifier).post(
        "/api/v1/announcements", {"title": "x", "body": "y"}, content_type="application/json"
    )
    assert refused.status_code == 403
    bad = bearer_client(operator).post(
        "/api/v1/announcements", {"title": "", "body": "y", "agencies": ["NOPE"]}, content_type="application/json"
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"title", "agencies"}
    everyone = bearer_client(operator).post(
        "/api/v1/announcements", {"title": "Semua", "body": "Untuk semua."}, content_type="application/json"
    )
    assert everyone.json()["sent_to"] == Agency.objects.filter(active=True).count()


def test_the_announcements_page_sends_and_confirms(operator: User, verifier: User) -> None:
    live_room, officer = Client(), Client()
    live_room.force_login(operator)
    officer.force_login(verifier)

    sent = live_room.post(
        "/kantor/pengumuman/",
        {"intent": "send", "title": "Uji", "body": "Isi", "agencies": ["DISDUKCAPIL"]},
        follow=True,
    )
    assert "Uji" in sent.content.decode()
    page = officer.get("/kantor/pengumuman/").content.decode()
    assert "Uji" in page
    receipt = AnnouncementReceipt.objects.get()
    officer.post("/kantor/pengumuman/", {"intent": "read", "id": str(receipt.announcement_id)})
    receipt.refresh_from_db()
    assert receipt.read_by == verifier
