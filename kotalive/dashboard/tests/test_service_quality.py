"""The Live Room's figures beside volumes and clocks, recomputed by hand from a known history: a birth filed with
the one form and worked to its end, webhooks to a real receiver that fails, IKM answers per agency."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from kotalive.accounts.models import User
from kotalive.cases.models import Bundle, Case
from kotalive.cases.tests.test_bundles import complete, file_birth, parts_by_service
from kotalive.catalogue.models import Service
from kotalive.conftest import bearer_client
from kotalive.dashboard import public
from kotalive.events.tests.helpers import drain, subscribe
from kotalive.events.tests.receiver import Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver().start()
    yield running
    running.stop()


def _birth_worked_to_its_end(personas: dict[str, User]) -> Bundle:
    verifier, kadis, dinkes = (personas[n] for n in ("dukcapil.verifikator", "dukcapil.kadis", "dinkes.petugas"))
    client = bearer_client(personas["warga1"])
    body = file_birth(client).json()
    complete(parts_by_service(body)["akta-kelahiran"]["tracking"], officer=verifier, approver=kadis)
    for part in client.get(f"/api/v1/bundles/{body['tracking']}").json()["parts"]:
        if part["state"] == "submitted":
            officer = dinkes if part["agency"] == "DINKES" else verifier
            complete(part["tracking"], officer=officer, approver=dinkes if part["agency"] == "DINKES" else kadis)
    drain()  # the worker's pass: the dashboards' day rollups counted
    return Bundle.objects.get(tracking=body["tracking"])


def _quality(operator: User) -> dict[str, Any]:
    return dict(bearer_client(operator).get("/api/v1/dashboard/city").json()["quality"])


def test_a_bundle_s_effort_is_counted_against_its_parts_one_by_one(personas: dict[str, User], operator: User) -> None:
    bundle = _birth_worked_to_its_end(personas)
    parts = list(Case.objects.filter(bundle=bundle))

    effort = _quality(operator)["bundles"]

    assert [row["kind"] for row in effort] == ["kelahiran"]
    row = effort[0]
    assert (row["bundles"], row["completed"], row["forms"], row["forms_one_by_one"]) == (1, 1, 1, 4)
    # The one form: three documents (marriage book, family card, parent's ID card), seven fields typed (the three
    # parents' fields came from the registry).
    assert row["documents_uploaded"] == 3
    assert row["fields_typed"] == 7
    # One by one: every part's own documents (the family card four times, the birth certificate three times) and
    # every field that part's registry pre-fill did not give.
    assert row["documents_one_by_one"] == sum(c.documents.count() + len(c.documents_reused) for c in parts) == 9
    assert row["fields_typed_one_by_one"] == sum(len(set(c.data) - set(c.prefilled)) for c in parts)
    assert row["fields_typed_one_by_one"] > row["fields_typed"]


def test_documents_not_asked_again_and_the_online_share(personas: dict[str, User], operator: User) -> None:
    _birth_worked_to_its_end(personas)

    quality = _quality(operator)

    reuse = quality["once_only"]
    # Held already: three parts took the birth certificate from the first part's output, three reused the family
    # card uploaded once; uploaded: the marriage book, the family card and the parent's ID card.
    assert (reuse["documents_not_asked_again"], reuse["documents_uploaded"]) == (6, 3)
    assert reuse["not_asked_again_share"] == round(6 / 9, 4)
    online = quality["online"]
    live = Service.objects.filter(active=True, current__isnull=False)
    assert online["services"] == live.count()
    assert online["services_fully_online"] == live.exclude(current__output_kind="card").count()
    # Four parts completed; the child ID card (a card) is collected at an office.
    assert (online["completed"], online["completed_without_visit"]) == (4, 3)


def test_integration_health_counts_deliveries_lag_and_dead_letters(
    personas: dict[str, User], operator: User, receiver: Receiver, settings: Any
) -> None:
    settings.KOTALIVE_WEBHOOK_RETRY_HOURS = 0  # a failed delivery is given up at once
    admin = bearer_client(personas["dukcapil.admin"])
    subscribe(admin, receiver.url)
    client = bearer_client(personas["warga1"])
    file_birth(client)
    drain()  # delivered
    receiver.mode = "fail"
    file_birth(bearer_client(personas["warga2"]))  # another birth's events: the receiver refuses them
    drain()

    health = _quality(operator)["integration"]

    assert health["owed"] == health["succeeded"] + health["dead"] + health["unfinished"]
    assert health["succeeded"] >= 1
    assert health["dead"] >= 1
    assert health["dead_letters_now"] >= health["dead"]
    assert health["success_share"] == round(health["succeeded"] / health["owed"], 4)
    assert health["lag_ms_median"] is not None


def test_ikm_per_agency_has_its_value_grade_and_answers(
    personas: dict[str, User], operator: User, monkeypatch: Any
) -> None:
    bundle = _birth_worked_to_its_end(personas)
    citizen = bearer_client(personas["warga1"])
    scores = {"DISDUKCAPIL": [4, 4, 3, 4, 4, 3, 4, 4, 3], "DINKES": [3, 3, 3, 3, 3, 3, 3, 3, 3]}
    for case in Case.objects.filter(bundle=bundle):
        rated = citizen.post(
            f"/api/v1/cases/{case.tracking}/rating", {"scores": scores[case.agency.code]}, "application/json"
        )
        assert rated.status_code == 201
    drain()
    monkeypatch.setattr(public, "MIN_ANSWERS", 1)
    from kotalive.dashboard import service_quality

    monkeypatch.setattr(service_quality, "MIN_ANSWERS", 1)

    rows = {row["agency"]: row for row in _quality(operator)["ikm_agencies"]}

    assert (rows["DISDUKCAPIL"]["answers"], rows["DINKES"]["answers"]) == (3, 1)
    assert rows["DINKES"]["ikm"] == public.ikm_value([3.0] * 9) == 75.0
    assert rows["DINKES"]["grade"] == "C"
    assert rows["DISDUKCAPIL"]["ikm"] == public.ikm_value([float(s) for s in scores["DISDUKCAPIL"]])
    page = Client()
    page.force_login(operator)
    shown = page.get("/kantor/dasbor/", headers={"Accept-Language": "en"}).content.decode()
    assert "75.00" in shown
