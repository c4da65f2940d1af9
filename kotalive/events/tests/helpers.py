"""Shared steps of the event tests: a case that moves three steps, draining the dispatcher, subscribing."""

from typing import Any

from django.test import Client

from kotalive.accounts.models import User
from kotalive.cases.tests.fixtures import submit_birth_certificate
from kotalive.conftest import bearer_client
from kotalive.core.jobs import PERIODIC
from kotalive.events.dispatch import dispatch_once


def three_steps(citizen: User, officer: User) -> str:
    """Submit a birth certificate and start and finish its verification: three events. Returns the tracking."""
    _client, case = submit_birth_certificate(citizen)
    client, version = bearer_client(officer), case["version"]
    for action in ("start_verification", "verify"):
        response = client.post(
            f"/api/v1/cases/{case['tracking']}/transitions",
            {"action": action, "version": version},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        version = response.json()["version"]
    return str(case["tracking"])


def drain(passes: int = 20) -> None:
    """Run the worker's dispatch until there is nothing left to do now, and the periodic jobs that keep their own
    quick pace (the dashboards' recount, signing documents, delivering notices) as the worker's second thread would,
    until neither finds work: what a job writes (a signed document's event, a delivery's outcome) is dispatched too."""
    for _ in range(passes):
        result = dispatch_once()
        if not result["fanned_out"] and not result["attempted"] and not result["consumed"]:
            worked = [bool(job.run()) for job in PERIODIC if job.every is not None]
            if not any(worked):
                return
    raise AssertionError(f"the dispatcher still had work after {passes} passes")


def subscribe(admin: Client, url: str, **extra: Any) -> dict[str, Any]:
    response = admin.post("/api/v1/webhooks/subscriptions", {"url": url, **extra}, content_type="application/json")
    assert response.status_code == 201, response.content
    return dict(response.json())
