"""Small real files and helpers shared by the application tests."""

from typing import Any

from django.test import Client

from kotalive.accounts.models import User
from kotalive.conftest import bearer_client

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _png() -> bytes:
    """A real 2x2 PNG."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


PNG = _png()


def jpeg_with_gps(lat: float = -6.17, lon: float = 106.63) -> bytes:
    """A real JPEG photo carrying EXIF with a GPS position and a camera model, as phones write them."""
    import io

    from PIL import Image

    image = Image.new("RGB", (16, 16), (30, 120, 200))
    exif = Image.Exif()
    exif[0x0110] = "KotaPhone 9"  # Model
    gps = {1: "S", 2: (abs(lat), 0.0, 0.0), 3: "E", 4: (lon, 0.0, 0.0)}
    exif[0x8825] = gps  # GPSInfo
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def upload(client: Client, content: bytes = PDF, name: str = "surat.pdf") -> str:
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post("/api/v1/uploads", {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 201, response.content
    return str(response.json()["id"])


def birth_certificate_data(**overrides: Any) -> dict[str, Any]:
    return {
        "child_name": "Bayu Santoso",
        "child_sex": "L",
        "child_birth_date": "2026-11-20",
        "child_birth_place": "Tangerang",
        "birth_facility": "rumah-sakit",
        "birth_order": 3,
        "father_name": "Budi Santoso",
        "mother_name": "Siti Rahmawati",
        "kk_number": "3671051501209001",
        **overrides,
    }


def submit_birth_certificate(user: User, **data: Any) -> tuple[Client, dict[str, Any]]:
    client = bearer_client(user)
    documents = {"surat-kelahiran": upload(client), "buku-nikah": upload(client), "kk": upload(client)}
    response = client.post(
        "/api/v1/cases",
        {
            "service": "akta-kelahiran",
            "subject": "self",
            "data": birth_certificate_data(**data),
            "documents": documents,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return client, response.json()
