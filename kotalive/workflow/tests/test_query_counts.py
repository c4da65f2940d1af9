"""Pinned query counts of the kernel's hot paths (a behaviour, not a timing): submission, transition, hand-off and
the inbox page (the SLA sweep's per-subject cost is pinned beside the sweep). A count that grows is an N+1 or a lost
batch; change a pin only with the reason in the commit. Tokens are issued and warmed before counting, so the counts
are of the request's own work."""

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kotalive.accounts.models import User
from kotalive.cases.models import Case
from kotalive.cases.synthetic import cases_seed_synthetic
from kotalive.cases.tests.fixtures import birth_certificate_data, submit_birth_certificate, upload
from kotalive.complaints.tests.helpers import act_ok, file_report
from kotalive.conftest import bearer_client

pytestmark = pytest.mark.django_db


def _queries(call: Callable[[], Any]) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as captured:
        result = call()
    return len(captured), result


def _warm(client: Client) -> Client:
    assert client.get("/api/v1/me").status_code == 200  # the token is verified and cached before counting
    return client


def test_an_application_submission_costs_a_fixed_number_of_queries(warga1: User) -> None:
    client = _warm(bearer_client(warga1))
    documents = {"surat-kelahiran": upload(client), "buku-nikah": upload(client), "kk": upload(client)}
    body = {"service": "akta-kelahiran", "subject": "self", "data": birth_certificate_data(), "documents": documents}

    count, response = _queries(lambda: client.post("/api/v1/cases", body, content_type="application/json"))

    assert response.status_code == 201, response.content
    assert count == SUBMISSION


def test_a_transition_costs_a_fixed_number_of_queries(warga1: User, verifier: User) -> None:
    _client, case = submit_birth_certificate(warga1)
    officer = _warm(bearer_client(verifier))
    body = {"action": "start_verification", "version": case["version"]}

    count, response = _queries(
        lambda: officer.post(f"/api/v1/cases/{case['tracking']}/transitions", body, content_type="application/json")
    )

    assert response.status_code == 200, response.content
    assert count == TRANSITION


def test_a_hand_off_costs_a_fixed_number_of_queries(personas: dict[str, User], warga1: User, operator: User) -> None:
    _client, filed = file_report(warga1)
    tracking = filed["tracking"]
    act_ok(bearer_client(operator), tracking, "dispose", agency="PUPR", supports=["BPBD"])
    pupr = _warm(bearer_client(personas["pupr.penghubung"]))
    version = pupr.get(f"/api/v1/complaints/{tracking}").json()["version"]
    body = {"action": "hand_off", "version": version, "agency": "DISHUB", "reason": "PJU"}

    count, response = _queries(
        lambda: pupr.post(f"/api/v1/complaints/{tracking}/transitions", body, content_type="application/json")
    )

    assert response.status_code == 200, response.content
    assert count == HAND_OFF


def test_an_inbox_page_costs_the_same_with_3_or_30_cases(verifier: User) -> None:
    officer = _warm(bearer_client(verifier))
    cases_seed_synthetic(count=3, seed=1)
    Case.objects.update(is_test=False)  # the inbox shows live cases
    few, response = _queries(lambda: officer.get("/api/v1/agency/cases?agency=DISDUKCAPIL"))
    assert response.status_code == 200, response.content
    cases_seed_synthetic(count=27, seed=2)
    Case.objects.update(is_test=False)

    many, response = _queries(lambda: officer.get("/api/v1/agency/cases?agency=DISDUKCAPIL"))

    assert response.status_code == 200
    assert (few, many) == (INBOX_PAGE, INBOX_PAGE)


# The pins (measured 2026-12-01).
# The stored view goes in with the row; the first event needs no sequence read; 2 for the per-citizen limit.
SUBMISSION = 26
TRANSITION = 28
HAND_OFF = 33  # with the followers and helpers read for the event's audience
INBOX_PAGE = 5
