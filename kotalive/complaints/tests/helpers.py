"""Shared steps of the complaint tests: file a report, act on it through the API."""

import itertools
from typing import Any

from django.test import Client

from kotalive.accounts.models import User
from kotalive.cases.tests.fixtures import jpeg_with_gps, upload
from kotalive.conftest import bearer_client

# A point in Kelurahan Sukasari, Kecamatan Tangerang (inside the city's bounds).
PIN = {"lat": -6.1781, "lon": 106.6319}


def street_light_report(**overrides: Any) -> dict[str, Any]:
    return {
        "kind": "complaint",
        "category": "street-lights",
        "title": "Lampu jalan mati",
        "description": "Tiga lampu PJU di depan sekolah mati sejak seminggu, jalan gelap malam hari.",
        "location": PIN,
        "kelurahan": "36.71.01.1001",
        "address": "Jl. Kisamaun depan SDN 1",
        **overrides,
    }


_filed = itertools.count(1)


def file_report(user: User, *, photo: bool = False, **overrides: Any) -> tuple[Client, dict[str, Any]]:
    """File a report through the API. Each call's description differs (unless given), so a test filing several
    reports is not refused as sending the same report twice (complaints.services._same_report_once)."""
    client = bearer_client(user)
    if "description" not in overrides:
        overrides["description"] = street_light_report()["description"] + f" (laporan {next(_filed)})"
    payload = street_light_report(**overrides)
    if photo:
        payload["photos"] = [upload(client, jpeg_with_gps(), "lampu.jpg")]
    response = client.post("/api/v1/complaints", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    return client, response.json()


def act(client: Client, tracking: str, action: str, **fields: Any) -> Any:
    """Take `action` at the report's current version; returns the response."""
    current = client.get(f"/api/v1/complaints/{tracking}").json()
    return client.post(
        f"/api/v1/complaints/{tracking}/transitions",
        {"action": action, "version": current["version"], **fields},
        content_type="application/json",
    )


def act_ok(client: Client, tracking: str, action: str, **fields: Any) -> dict[str, Any]:
    response = act(client, tracking, action, **fields)
    assert response.status_code == 200, response.content
    return dict(response.json())
