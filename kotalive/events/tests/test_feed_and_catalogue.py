"""The pull-based event feed and the event catalogue."""

import re
from pathlib import Path

import jsonschema
import pytest
from django.conf import settings
from django.db import transaction

from kotalive.accounts.models import User
from kotalive.cases.tests.fixtures import submit_birth_certificate
from kotalive.conftest import bearer_client
from kotalive.events.catalogue import cloudevent_json, event_types
from kotalive.events.models import OutboxEvent
from kotalive.events.services import outbox_write
from kotalive.events.tests.helpers import drain, three_steps

pytestmark = pytest.mark.django_db


def _read_all(client: object, limit: int, types: str = "") -> list[dict]:
    items, cursor = [], ""
    for _ in range(100):
        response = client.get(f"/api/v1/events?after={cursor}&limit={limit}&types={types}")  # type: ignore[attr-defined]
        assert response.status_code == 200, response.content
        page = response.json()
        items += page["items"]
        if not page["items"]:
            assert page["next_cursor"] == cursor or cursor == ""  # nothing new: ask again with the same cursor
            return items
        cursor = page["next_cursor"]
    raise AssertionError("the feed never ended")


def test_the_feed_pages_through_every_event_exactly_once(
    verifier: User, operator: User, personas: dict[str, User]
) -> None:
    for citizen in ("warga1", "warga2"):
        three_steps(personas[citizen], verifier)
        with transaction.atomic():  # and an event of another agency between them
            outbox_write(event="case.assigned", subject=f"DINSOS-20261127-{citizen}", agency="DINSOS", data={})
    drain()
    for limit in (1, 2, 7):
        items = _read_all(bearer_client(operator), limit)
        ids = [item["id"] for item in items]
        assert len(ids) == len(set(ids)) == OutboxEvent.objects.count() == 8
        assert [item["position"] for item in items] == sorted(item["position"] for item in items)


def test_the_feed_shows_only_what_the_reader_may_see(
    warga1: User, verifier: User, dinsos_officer: User, personas: dict
) -> None:
    tracking = three_steps(warga1, verifier)
    drain()
    assert len(_read_all(bearer_client(verifier), 50)) == 3
    assert _read_all(bearer_client(dinsos_officer), 50) == []
    assert {e["subject"] for e in _read_all(bearer_client(warga1), 50)} == {tracking}
    assert _read_all(bearer_client(personas["warga3"]), 50) == []


def test_the_feed_filters_by_type(warga1: User, verifier: User) -> None:
    three_steps(warga1, verifier)
    drain()
    items = _read_all(bearer_client(verifier), 50, types="id.kotalive.case.verified")
    assert [e["type"] for e in items] == ["id.kotalive.case.verified"]


def test_events_not_yet_fanned_out_wait_for_their_position(warga1: User, verifier: User) -> None:
    three_steps(warga1, verifier)
    assert _read_all(bearer_client(verifier), 50) == []  # positions are given by the worker
    drain()
    assert len(_read_all(bearer_client(verifier), 50)) == 3


@pytest.mark.parametrize(("query", "field"), [("after=abc", "after"), ("after=-3", "after"), ("limit=0", "limit")])
def test_a_bad_cursor_or_limit_is_named(verifier: User, query: str, field: str) -> None:
    response = bearer_client(verifier).get(f"/api/v1/events?{query}", headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field


def test_every_event_of_a_case_s_life_matches_its_schema(warga1: User, verifier: User, personas: dict) -> None:
    client, case = submit_birth_certificate(warga1)
    tracking, officer, head = case["tracking"], bearer_client(verifier), bearer_client(personas["dukcapil.kadis"])
    officer.post(
        f"/api/v1/cases/{tracking}/assign", {"assignee": "dukcapil.verifikator"}, content_type="application/json"
    )
    client.post(f"/api/v1/cases/{tracking}/messages", {"body": "Mohon dipercepat"}, content_type="application/json")
    version = client.get(f"/api/v1/cases/{tracking}").json()["version"]
    for who, action in [
        (officer, "start_verification"),
        (officer, "verify"),
        (officer, "submit_for_approval"),
        (head, "approve"),
    ]:
        response = who.post(
            f"/api/v1/cases/{tracking}/transitions",
            {"action": action, "version": version},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        version = response.json()["version"]
    client.post(
        f"/api/v1/cases/{tracking}/rating",
        {"scores": [4] * 9},
        content_type="application/json",
    )
    catalogue = event_types()
    written = list(OutboxEvent.objects.filter(subject=tracking))
    assert {
        "id.kotalive.case.assigned",
        "id.kotalive.case.message_posted",
        "id.kotalive.case.completed",
        "id.kotalive.case.rated",
    } <= {e.type for e in written}
    for event in written:
        jsonschema.Draft202012Validator(catalogue[event.type]).validate(event.data)
        assert cloudevent_json(event).startswith(b"{")


def test_every_event_type_is_documented() -> None:
    documented = (Path(settings.BASE_DIR) / "docs" / "events.md").read_text()
    for name in event_types():
        # Case types are named by their last part in the case table; complaint types in full (complaint.<event>).
        short = name.removeprefix("id.kotalive.case.").removeprefix("id.kotalive.")
        assert re.search(rf"`{re.escape(short)}`", documented), f"{name} is missing from docs/events.md"


def test_the_applicant_is_notified_of_the_agency_s_steps_not_their_own(warga1: User, verifier: User) -> None:
    tracking = three_steps(warga1, verifier)
    drain()
    notices = bearer_client(warga1).get("/api/v1/me/notifications").json()
    assert [(n["kind"], n["subject"]) for n in notices] == [
        ("case.verified", tracking),
        ("case.verification_started", tracking),
    ]
    assert bearer_client(warga1).post("/api/v1/me/notifications/read").json() == {"marked": 2}
    assert bearer_client(warga1).get("/api/v1/me/notifications/unread").json() == []
    assert bearer_client(verifier).get("/api/v1/me/notifications").json() == []
