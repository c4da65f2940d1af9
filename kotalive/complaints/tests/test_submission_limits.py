"""Per-citizen limits on writes (reports, messages, uploads, applications) and one report for identical copies sent
at once: each refusal is a 4xx that says why (and when to try again), and changes nothing."""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from kotalive.accounts.models import User
from kotalive.cases.tests.fixtures import jpeg_with_gps
from kotalive.complaints.models import Complaint
from kotalive.complaints.tests.helpers import file_report, street_light_report
from kotalive.conftest import bearer_client
from kotalive.core.models import Upload
from kotalive.core.tests.simultaneous import at_once


@pytest.mark.django_db(transaction=True)
def test_identical_reports_sent_at_once_are_filed_once(warga1: User) -> None:
    payload = street_light_report()

    def send() -> int:
        return bearer_client(warga1).post("/api/v1/complaints", payload, content_type="application/json").status_code

    answers = at_once([send] * 3)

    assert sorted(answers) == [201, 409, 409]
    assert Complaint.objects.filter(reporter=warga1).count() == 1


@pytest.mark.django_db
@override_settings(KOTALIVE_RATE_COMPLAINTS=(2, 3600))
def test_a_citizen_s_reports_are_limited_and_the_refusal_says_when(warga1: User, warga3: User) -> None:
    file_report(warga1, title="Lampu jalan mati satu")
    client, _first = file_report(warga1, title="Lampu jalan mati dua")

    refused = client.post(
        "/api/v1/complaints", street_light_report(title="Lampu jalan mati tiga"), content_type="application/json"
    )

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert Complaint.objects.filter(reporter=warga1).count() == 2
    file_report(warga3, title="Lampu jalan mati tiga")  # another citizen is not held back


@pytest.mark.django_db
@override_settings(KOTALIVE_RATE_UPLOADS=(3, 300))
def test_a_citizen_s_uploads_are_limited(warga1: User) -> None:
    client = bearer_client(warga1)

    def send(index: int) -> Any:
        return client.post("/api/v1/uploads", {"file": _photo(index)})

    answers = [send(i).status_code for i in range(5)]

    assert answers == [201, 201, 201, 429, 429]
    assert Upload.objects.filter(owner=warga1).count() == 3


@pytest.mark.django_db
@override_settings(KOTALIVE_RATE_MESSAGES=(2, 600))
def test_a_citizen_s_messages_are_limited(warga1: User) -> None:
    client, report = file_report(warga1)
    path = f"/api/v1/complaints/{report['tracking']}/messages"

    answers = [
        client.post(path, {"body": f"Pesan ke-{i}"}, content_type="application/json").status_code for i in range(3)
    ]

    assert answers == [201, 201, 429]


def _photo(index: int) -> Any:
    return SimpleUploadedFile(f"foto{index}.jpg", jpeg_with_gps(), content_type="image/jpeg")
