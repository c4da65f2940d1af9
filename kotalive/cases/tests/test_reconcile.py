"""`kotalive reconcile` against a real HTTP fake of an agency system."""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from kotalive.accounts.models import User
from kotalive.cases.models import Case
from kotalive.cases.tests.fixtures import submit_birth_certificate
from kotalive.conftest import bearer_client
from kotalive.core.models import AuditEntry
from kotalive.events.models import WebhookDelivery
from kotalive.events.tests.helpers import drain, subscribe, three_steps
from kotalive.events.tests.receiver import Receiver

pytestmark = pytest.mark.django_db


class FakeAgencySystem:
    """Answers the reconcile question from `states` ({tracking: (state, version)}); records what it was asked."""

    def __init__(self) -> None:
        self.states: dict[str, tuple[str, int]] = {}
        self.asked: list[dict[str, Any]] = []
        system = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
                question = json.loads(self.rfile.read(int(self.headers["content-length"])))
                system.asked.append(question)
                body = json.dumps(
                    {"cases": [{"tracking": t, "state": s, "version": v} for t, (s, v) in system.states.items()]}
                ).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/reconcile"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def system() -> Iterator[FakeAgencySystem]:
    fake = FakeAgencySystem()
    yield fake
    fake.stop()


def _run(url: str, *extra: str) -> dict[str, Any]:
    out = StringIO()
    call_command("reconcile", "--agency", "DISDUKCAPIL", "--url", url, *extra, stdout=out)
    return dict(json.loads(out.getvalue()))


def test_drifts_are_reported_and_the_safe_ones_repaired(
    system: FakeAgencySystem, warga1: User, verifier: User, dukcapil_admin: User, personas: dict
) -> None:
    receiver = Receiver().start()
    try:
        subscribe(bearer_client(dukcapil_admin), receiver.url)
        in_step = three_steps(warga1, verifier)
        _c, behind_case = submit_birth_certificate(personas["warga2"])  # submitted, version 1
        _c, missing_case = submit_birth_certificate(personas["warga3"])
        drain()
        system.states = {
            in_step: (Case.objects.get(tracking=in_step).state, 3),  # in step: no drift
            behind_case["tracking"]: ("submitted", 0),  # older than ours: events are sent again
            "DISDUKCAPIL-20260101-99999": ("processing", 2),  # not ours
        }
        deliveries_before = WebhookDelivery.objects.count()

        report = _run(system.url)

        assert system.asked[0]["agency"] == "DISDUKCAPIL"
        assert set(system.asked[0]["cases"]) == {in_step, behind_case["tracking"], missing_case["tracking"]}
        drifts = {d["tracking"]: d for d in report["drifts"]}
        assert report["checked"] == 3
        assert in_step not in drifts
        assert (drifts[behind_case["tracking"]]["kind"], drifts[behind_case["tracking"]]["repaired"]) == (
            "behind",
            True,
        )
        assert (drifts[missing_case["tracking"]]["kind"], drifts[missing_case["tracking"]]["repaired"]) == (
            "missing",
            True,
        )
        assert drifts["DISDUKCAPIL-20260101-99999"]["kind"] == "unknown"
        assert WebhookDelivery.objects.count() == deliveries_before + 2  # one event each, queued again
        drain()
        assert len(receiver.accepted()) == deliveries_before + 2
        assert AuditEntry.objects.filter(action="integration.reconciled").exists()
    finally:
        receiver.stop()


def test_a_system_ahead_of_us_is_reported_not_repaired(
    system: FakeAgencySystem, warga1: User, dukcapil_admin: User
) -> None:
    _c, case = submit_birth_certificate(warga1)
    system.states = {case["tracking"]: ("completed", 9)}
    report = _run(system.url)
    assert report["drifts"] == [
        {
            "tracking": case["tracking"],
            "kind": "ahead",
            "ours": "submitted v1",
            "theirs": "completed v9",
            "repaired": False,
        }
    ]


def test_a_dry_run_repairs_nothing(system: FakeAgencySystem, warga1: User, dukcapil_admin: User) -> None:
    receiver = Receiver().start()
    try:
        subscribe(bearer_client(dukcapil_admin), receiver.url)
        submit_birth_certificate(warga1)
        drain()
        count = WebhookDelivery.objects.count()
        report = _run(system.url, "--dry-run")
        assert [d["kind"] for d in report["drifts"]] == ["missing"]
        assert WebhookDelivery.objects.count() == count
    finally:
        receiver.stop()


def test_an_unreachable_system_is_a_clear_error(warga1: User) -> None:
    submit_birth_certificate(warga1)
    with pytest.raises(CommandError, match="could not be asked"):
        _run("http://127.0.0.1:9/reconcile")
