"""The lists meant for staff (agency inboxes, the Live Room's queue, agreements, announcements, webhooks, registry
purposes, dashboards, the audit log, API clients) refuse a citizen with 403 and the API's error shape, as the OpenAPI
document says, instead of an empty list. Staff of the agency (Bob) still read them; another agency's officer
(Charlie) does not read the first one's inbox."""

import pytest

from kotalive.accounts.models import User
from kotalive.conftest import bearer_client

pytestmark = pytest.mark.django_db

# (path as the OpenAPI document names it, the path called)
STAFF_LISTS = [
    ("/api/v1/agency/cases", "/api/v1/agency/cases"),
    ("/api/v1/agency/complaints", "/api/v1/agency/complaints"),
    ("/api/v1/liveroom/triage", "/api/v1/liveroom/triage"),
    ("/api/v1/agency/coordination", "/api/v1/agency/coordination"),
    ("/api/v1/coordination/agreements", "/api/v1/coordination/agreements"),
    ("/api/v1/announcements", "/api/v1/announcements"),
    ("/api/v1/webhooks/subscriptions", "/api/v1/webhooks/subscriptions"),
    (
        "/api/v1/webhooks/subscriptions/{subscription_id}/deliveries",
        "/api/v1/webhooks/subscriptions/1/deliveries",
    ),
    ("/api/v1/registry/purposes", "/api/v1/registry/purposes"),
    ("/api/v1/dashboard/city", "/api/v1/dashboard/city"),
    ("/api/v1/dashboard/handoffs", "/api/v1/dashboard/handoffs"),
    ("/api/v1/dashboard/agencies/{code}", "/api/v1/dashboard/agencies/DISDUKCAPIL"),
    ("/api/v1/audit/checkpoint", "/api/v1/audit/checkpoint"),
    ("/api/v1/agencies/{code}/api-clients", "/api/v1/agencies/DISDUKCAPIL/api-clients"),
]


@pytest.mark.parametrize(("documented", "path"), STAFF_LISTS)
def test_a_citizen_is_refused_a_staff_list(warga1: User, documented: str, path: str) -> None:
    # Given a signed-in citizen
    citizen = bearer_client(warga1)

    # When they ask for a list meant for staff
    response = citizen.get(path)

    # Then they are refused with the API's error shape, as the OpenAPI document says
    assert response.status_code == 403, response.content
    body = response.json()
    assert set(body) >= {"detail", "code", "errors"}
    assert body["detail"]
    spec = citizen.get("/api/v1/openapi.json").json()
    assert "403" in spec["paths"][documented]["get"]["responses"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/agency/cases",
        "/api/v1/agency/complaints",
        "/api/v1/agency/coordination",
        "/api/v1/coordination/agreements",
        "/api/v1/announcements",
        "/api/v1/webhooks/subscriptions",
        "/api/v1/registry/purposes",
    ],
)
def test_the_agency_s_staff_still_read_their_lists(verifier: User, path: str) -> None:
    """Bob, a DISDUKCAPIL verifier, reads his agency's lists."""
    assert bearer_client(verifier).get(path).status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/agency/cases", "/api/v1/agency/coordination"])
def test_another_agency_s_officer_does_not_read_the_inbox(dinsos_officer: User, path: str) -> None:
    """Charlie, a DINSOS officer, asking for DISDUKCAPIL's inbox, is answered as for an agency that is not his."""
    response = bearer_client(dinsos_officer).get(path, {"agency": "DISDUKCAPIL"})

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
