"""The rate-limit mechanism (core.ratelimit): one count shared by every process, exact under simultaneous requests,
sliding across window boundaries, and a refusal that says when to try again."""

from typing import Any

import pytest
from django.test import Client

from kotalive.core.errors import TooManyAttempts
from kotalive.core.models import RateCounter
from kotalive.core.ratelimit import Limit, limit_check, limit_hit, limit_take, rate_counters_prune
from kotalive.core.tests.simultaneous import at_once


@pytest.mark.django_db(transaction=True)
def test_simultaneous_requests_get_exactly_the_allowance(reference: None) -> None:
    """Ten password-reset requests for one login at the same moment: the three the limit allows, not more."""

    def ask() -> int:
        response = Client().post(
            "/api/v1/accounts/password-reset", {"login": "same-login"}, content_type="application/json"
        )
        return response.status_code

    answers = at_once([ask] * 10)

    assert sorted(answers) == [202] * 3 + [429] * 7


@pytest.mark.django_db
def test_the_previous_window_still_counts_in_proportion(monkeypatch: Any) -> None:
    limit = Limit("test", 4, 60)
    clock = [600.0 + 50]  # near the end of one window
    monkeypatch.setattr("kotalive.core.ratelimit.time.time", lambda: clock[0])
    for _hit in range(5):
        limit_hit(limit, "someone")

    clock[0] = 660.0 + 6  # 10% into the next window: 90% of the 5 earlier hits (4.5) still count
    with pytest.raises(TooManyAttempts) as refused:
        limit_check(limit, "someone")
    assert refused.value.retry_after is not None
    assert 0 < refused.value.retry_after <= 60

    clock[0] = 660.0 + 40  # two thirds in: a third of them (1.7) counts, room for more
    limit_check(limit, "someone")
    limit_take(limit, "someone")


@pytest.mark.django_db
def test_old_windows_are_pruned_and_current_ones_kept(monkeypatch: Any) -> None:
    monkeypatch.setattr("kotalive.core.ratelimit.time.time", lambda: 1_000.0)
    limit_hit(Limit("old", 5, 60), "someone")
    monkeypatch.undo()
    limit_hit(Limit("new", 5, 60), "someone")

    assert rate_counters_prune() == 1
    assert list(RateCounter.objects.values_list("bucket", flat=True)) == ["new:someone"]
