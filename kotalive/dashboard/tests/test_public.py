"""The public performance page's numbers, recomputed from the open-data files alone with the published formulas
(docs/coordination-metrics.md), as an outside reader would; and no personal data in either."""

import csv
import io
import re
from typing import Any

from django.test import Client

from kotalive.accounts.models import User
from kotalive.catalogue.models import Service
from kotalive.dashboard import public
from kotalive.dashboard.tests.test_city import _history
from kotalive.events.tests.helpers import drain


def _csv(client: Client, name: str) -> list[dict[str, str]]:
    response = client.get(f"/data/{name}.csv")
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def _shown(page: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}">([^<]*)<', page)
    assert found, element_id
    return found.group(1).strip()


def test_every_number_on_the_public_page_is_recomputed_from_the_open_data(
    warga1: User, warga2: User, verifier: User, operator: User, personas: dict[str, User]
) -> None:
    _history(warga1, warga2, verifier, operator, personas)
    rater = Client()
    rater.force_login(warga1)
    anyone = Client()
    page = anyone.get("/kinerja/").content.decode()

    services, complaints, ikm = _csv(anyone, "services"), _csv(anyone, "complaints"), _csv(anyone, "ikm")

    assert int(_shown(page, "applications-submitted")) == sum(int(r["submitted"]) for r in services) == 2
    assert int(_shown(page, "applications-closed")) == sum(int(r["closed"]) for r in services)
    met, missed = sum(int(r["met"]) for r in services), sum(int(r["missed"]) for r in services)
    assert _shown(page, "sla-compliance") == (f"{round(100 * met / (met + missed))}%" if met + missed else "-")
    assert int(_shown(page, "reports-submitted")) == sum(int(r["submitted"]) for r in complaints) == 2
    assert int(_shown(page, "reports-closed")) == sum(int(r["closed"]) for r in complaints)
    assert int(_shown(page, "reports-open")) == sum(int(r["open"]) for r in complaints)
    assert ikm == []  # nobody rated yet
    kelurahan = _csv(anyone, "kelurahan")
    assert sum(int(r["submitted"]) for r in kelurahan) == 2  # both reports named their kelurahan
    assert page.count('<path class="kel shade-') == 104  # every kelurahan of the city, from the region's boundary data
    shaded = r'<path class="kel shade-[1-4]" data-code="[\d.]+" data-count="2" d="M[^"]+"><title>[^<]+: 2</title>'
    assert re.search(shaded, page)  # where the two reports are
    for text in (page, anyone.get("/data/complaints.json").content.decode()):
        assert "Budi" not in text
        assert "3671051204859001" not in text  # no NIK, no name: aggregates only


def test_the_ikm_value_and_grade_follow_the_regulation_s_formula(
    warga1: User, verifier: User, personas: dict[str, User], monkeypatch: Any
) -> None:
    from kotalive.cases.tests.fixtures import submit_birth_certificate
    from kotalive.conftest import bearer_client
    from kotalive.dashboard.public import ikm_grade, ikm_value
    from kotalive.dashboard.tests.test_city import _act

    citizen, case = submit_birth_certificate(warga1)
    version = case["version"]
    for client, action in [
        (bearer_client(verifier), "start_verification"),
        (bearer_client(verifier), "verify"),
        (bearer_client(verifier), "submit_for_approval"),
        (bearer_client(personas["dukcapil.kadis"]), "approve"),
    ]:
        version = _act(client, case["tracking"], action, version)
    scores = [4, 4, 3, 4, 4, 3, 4, 4, 3]
    assert (
        citizen.post(f"/api/v1/cases/{case['tracking']}/rating", {"scores": scores}, "application/json").status_code
        == 201
    )
    drain()  # the worker's pass counts the answer into the day rollups

    assert _csv(Client(), "ikm") == []  # one answer is too few to publish (MIN_ANSWERS)
    monkeypatch.setattr(public, "MIN_ANSWERS", 1)
    rows = _csv(Client(), "ikm")

    assert [(r["service"], int(r["answers"])) for r in rows] == [("akta-kelahiran", 1)]
    means = [float(rows[0][f"u{i}"]) for i in range(1, 10)]
    assert means == [float(s) for s in scores]
    value = round(sum(m / 9 for m in means) * 25, 2)  # the regulation's formula, written out again here
    assert value == ikm_value(means) == 91.67
    assert ikm_grade(value) == "A"
    assert ikm_grade(88.30) == "B"
    assert ikm_grade(64.99) == "D"
    page = Client().get("/kinerja/").content.decode()
    assert "91.67" in page or "91,67" in page
    current = Service.objects.get(code="akta-kelahiran").current
    assert current is not None
    name = current.name
    assert f'<th scope="row">{name}</th>' in page  # the service by its name, not its code
    assert "akta-kelahiran" not in page
