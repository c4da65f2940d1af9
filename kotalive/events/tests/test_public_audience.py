"""The people an event concerns are of two sorts: those who see its subject whole, and those who see only its public
face (a report's followers). The feed gives the second sort the data keys the subject's kind allows, nothing else; a
kind that allows none shows them no data. Someone of both sorts sees the whole."""

from typing import Any

import pytest
from django.db import transaction

from kotalive.accounts.models import User
from kotalive.conftest import bearer_client
from kotalive.events import audience as audiences
from kotalive.events.audience import Audience, public_data
from kotalive.events.models import EventAudience, OutboxEvent, audience_people
from kotalive.events.services import outbox_write
from kotalive.events.tests.helpers import drain

pytestmark = pytest.mark.django_db

DATA = {"to_state": "verified", "reason": "NIK ibu tidak cocok dengan KK", "officer": "Budi"}


def _write(kind: str, audience: Audience) -> None:
    with transaction.atomic():
        outbox_write(
            event=f"{kind}.verified", subject=f"{kind.upper()}-1", agency="DISDUKCAPIL", data=DATA, audience=audience
        )


def _data_seen_by(user: User) -> list[dict[str, object]]:
    response = bearer_client(user).get("/api/v1/events")
    assert response.status_code == 200, response.content
    return [item["data"] for item in response.json()["items"]]


def test_someone_named_among_both_sorts_is_written_once_as_seeing_the_whole(warga1: User, warga3: User) -> None:
    _write("case", Audience(people=frozenset({warga1.pk}), public_people=frozenset({warga1.pk, warga3.pk})))

    rows = set(EventAudience.objects.values_list("person_id", "public_only"))
    assert rows == {(warga1.pk, False), (warga3.pk, True)}
    [audience] = audience_people(list(OutboxEvent.objects.all())).values()
    assert audience == Audience(people=frozenset({warga1.pk}), public_people=frozenset({warga3.pk}))


def test_joining_audiences_keeps_the_whole_view_of_whoever_has_it() -> None:
    public = Audience(agencies=frozenset({"PUPR"}), public_people=frozenset({1, 2}))
    whole = Audience(people=frozenset({2}))

    assert public | whole == whole | public == Audience(frozenset({"PUPR"}), frozenset({2}), frozenset({1}))
    assert (public | whole).without_public() == Audience(frozenset({"PUPR"}), frozenset({2}))


def test_the_feed_gives_the_public_only_reader_the_keys_the_kind_allows(
    warga1: User, warga3: User, monkeypatch: Any
) -> None:
    # Given an event of a kind that allows its new state to be read by anyone following it
    monkeypatch.setitem(audiences._PUBLIC_KEYS, "probe", frozenset({"to_state"}))  # as public_keys_register would
    _write("probe", Audience(people=frozenset({warga1.pk}), public_people=frozenset({warga3.pk})))
    drain()

    # Then the whole-view reader gets the whole data, the public-only reader the state alone
    assert _data_seen_by(warga1) == [DATA]
    assert _data_seen_by(warga3) == [{"to_state": "verified"}]


def test_a_kind_that_allows_nothing_shows_the_public_only_reader_no_data(warga1: User, warga3: User) -> None:
    _write("unlisted", Audience(people=frozenset({warga1.pk}), public_people=frozenset({warga3.pk})))
    drain()

    assert _data_seen_by(warga3) == [{}]
    assert public_data("unlisted.verified", DATA) == {}
    assert _data_seen_by(warga1) == [DATA]
