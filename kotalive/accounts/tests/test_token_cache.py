"""The per-process token cache (docs/adr/0007): what it saves and the bounded delay it costs."""

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kotalive.accounts import token_cache
from kotalive.accounts.models import ApiToken, User
from kotalive.conftest import bearer_client

pytestmark = pytest.mark.django_db


class Clock:
    """Stands in for time.monotonic so a test can step past the cache period without sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(token_cache.time, "monotonic", fake)
    return fake


def test_a_token_revoked_elsewhere_works_here_until_the_period_ends(warga1: User, clock: Clock, settings: Any) -> None:
    settings.KOTALIVE_TOKEN_CACHE_SECONDS = 15
    client = bearer_client(warga1)
    assert client.get("/api/v1/me").status_code == 200
    # Another process revokes it: this one does not hear of it.
    ApiToken.objects.update(revoked_at=timezone.now())

    clock.now += 14
    assert client.get("/api/v1/me").status_code == 200
    clock.now += 1
    assert client.get("/api/v1/me").status_code == 401


def _queries_of_second_request(user: User) -> int:
    client = bearer_client(user)
    client.get("/api/v1/cases")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/cases").status_code == 200
    return len(queries)


def test_a_cached_token_is_not_looked_up_again(warga1: User, settings: Any) -> None:
    settings.KOTALIVE_TOKEN_CACHE_SECONDS = 0
    uncached = _queries_of_second_request(warga1)
    settings.KOTALIVE_TOKEN_CACHE_SECONDS = 15
    assert _queries_of_second_request(warga1) == uncached - 1


def test_revocation_through_this_process_takes_effect_at_once(warga1: User, settings: Any) -> None:
    settings.KOTALIVE_TOKEN_CACHE_SECONDS = 15
    client = bearer_client(warga1)
    assert client.get("/api/v1/me").status_code == 200
    assert client.post("/api/v1/auth/revoke").status_code == 200
    assert client.get("/api/v1/me").status_code == 401


def test_a_token_about_to_expire_is_not_cached(warga1: User, settings: Any) -> None:
    settings.KOTALIVE_TOKEN_CACHE_SECONDS = 15
    client = bearer_client(warga1)
    ApiToken.objects.update(expires_at=timezone.now() + dt.timedelta(seconds=10))
    assert client.get("/api/v1/me").status_code == 200
    assert token_cache._entries == {}


def test_with_the_cache_off_every_request_asks_the_database(warga1: User, settings: Any) -> None:
    settings.KOTALIVE_TOKEN_CACHE_SECONDS = 0
    client = bearer_client(warga1)
    assert client.get("/api/v1/me").status_code == 200
    ApiToken.objects.update(revoked_at=timezone.now())
    assert client.get("/api/v1/me").status_code == 401


def test_each_request_gets_its_own_copy_of_the_user(warga1: User, settings: Any) -> None:
    settings.KOTALIVE_TOKEN_CACHE_SECONDS = 15
    client = bearer_client(warga1)
    client.get("/api/v1/me")
    ((_deadline, cached),) = token_cache._entries.values()
    digest = next(iter(token_cache._entries))
    first, second = token_cache.token_cache_get(digest), token_cache.token_cache_get(digest)
    assert first is not None
    assert second is not None
    first.full_name = "changed by a handler"
    assert second.full_name == cached.full_name == warga1.full_name
