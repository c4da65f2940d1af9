"""A report's photos through the endpoints a citizen uses, the report page and the upload API: an image bomb is
refused naming the field and nothing is stored; a motion photo is kept as its still image alone."""

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kotalive.accounts.models import User
from kotalive.complaints.models import Complaint
from kotalive.complaints.tests.helpers import street_light_report
from kotalive.conftest import bearer_client
from kotalive.core.models import Upload
from kotalive.core.tests.images import jpeg, motion_photo, png_bomb

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


def test_the_report_page_refuses_a_decompression_bomb_and_stores_nothing(
    client: Client, warga1: User, media_root: Path
) -> None:
    client.force_login(warga1)

    response = client.post(
        "/laporan/baru/",
        {
            "kind": "complaint",
            "category": "street-lights",
            "title": "Lampu jalan mati",
            "description": "Tiga lampu PJU di depan sekolah mati sejak seminggu, jalan gelap malam hari.",
            "kelurahan": "36.71.01.1001",
            "address": "Jl. Kisamaun depan SDN 1",
            "photos": [SimpleUploadedFile("lampu.png", png_bomb(), content_type="image/png")],
        },
    )

    page = response.content.decode()
    assert response.status_code == 422
    photos_field = page[page.index('<label for="photos">') : page.index('id="photos"')]
    assert "50000 × 50000" in photos_field  # the reason, beside the photos field
    assert not Complaint.objects.exists()
    assert not Upload.objects.exists()
    assert _stored_files(media_root) == []


def test_the_upload_api_refuses_a_decompression_bomb_naming_the_file_field(warga1: User, media_root: Path) -> None:
    response = bearer_client(warga1).post(
        "/api/v1/uploads", {"file": SimpleUploadedFile("lampu.png", png_bomb())}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "file"
    assert "50000 × 50000 pixels" in error["message"]
    assert "50 megapixels" in error["message"]
    assert not Upload.objects.exists()
    assert _stored_files(media_root) == []


def test_a_motion_photo_is_served_as_its_still_image_and_only_to_those_who_see_the_report(
    warga1: User, warga3: User
) -> None:
    citizen = bearer_client(warga1)
    uploaded = citizen.post("/api/v1/uploads", {"file": SimpleUploadedFile("PXL_motion.jpg", motion_photo())})
    assert uploaded.status_code == 201, uploaded.content
    filed = citizen.post(
        "/api/v1/complaints",
        street_light_report(photos=[uploaded.json()["id"]]),
        content_type="application/json",
    )
    assert filed.status_code == 201, filed.content
    url = filed.json()["photos"][0]["url"]

    served = b"".join(citizen.get(url).streaming_content)  # type: ignore[attr-defined]

    assert served.endswith(b"\xff\xd9")
    assert served.count(b"\xff\xd8") == 1
    assert b"ftypmp42" not in served
    assert b"MotionPhoto_Data" not in served
    assert len(served) < len(jpeg(exif=True))  # the primary image without its EXIF
    assert bearer_client(warga3).get(url).status_code == 404
