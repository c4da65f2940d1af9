"""The integration console reads every subscription's deliveries (counts by status, the newest dead letters and the
newest deliveries) in the same number of queries for one subscription as for many."""

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kotalive.accounts.models import User
from kotalive.events.console import subscription_deliveries
from kotalive.events.dispatch import dispatch_once
from kotalive.events.models import WebhookDelivery, WebhookSubscription
from kotalive.events.services import subscription_create
from kotalive.events.tests.helpers import three_steps

pytestmark = pytest.mark.django_db


def _subscribe(operator: User, count: int) -> list[WebhookSubscription]:
    return [
        subscription_create(actor=operator, agency=None, url=f"http://127.0.0.1:9/hook-{n}", event_types=[])[0]
        for n in range(count)
    ]


def _console_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/kantor/integrasi/").status_code == 200
    return len(queries)


def test_the_console_reads_one_subscription_and_many_in_the_same_number_of_queries(
    settings: Any, operator: User, warga1: User, warga2: User, verifier: User
) -> None:
    settings.KOTALIVE_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.0/8"]
    client = Client()
    client.force_login(operator)
    _subscribe(operator, 1)
    three_steps(warga1, verifier)
    dispatch_once()  # fan-out: one delivery per event and subscription (port 9 refuses: they wait to retry)
    client.get("/kantor/integrasi/")  # the session row is warm
    one = _console_queries(client)

    more = _subscribe(operator, 2)
    three_steps(warga2, verifier)  # another citizen's application: three more events, for all three
    dispatch_once()
    WebhookDelivery.objects.filter(subscription=more[0]).update(status=WebhookDelivery.DEAD)

    assert _console_queries(client) == one
    found = subscription_deliveries(subscriptions=list(WebhookSubscription.objects.all()), recent=2)
    assert sum(found[more[0].pk].counts.values()) == 3
    assert [d.pk for d in found[more[0].pk].dead] == sorted(
        WebhookDelivery.objects.filter(subscription=more[0]).values_list("pk", flat=True), reverse=True
    )
    newest = WebhookDelivery.objects.filter(subscription=more[1]).order_by("-id").values_list("pk", flat=True)[:2]
    assert [d.pk for d in found[more[1].pk].recent] == list(newest)
