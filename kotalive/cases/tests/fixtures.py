"""Small real files and helpers shared by the application tests."""

from typing import Any

from django.test import Client

from kotalive.accounts.models import User
from kotalive.conftest import bearer_client

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


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
