import json

import pytest
from django.test import Client

from kotalive.accounts.models import User
from kotalive.catalogue.models import Service
from kotalive.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_the_operator_publishes_a_new_version_and_running_cases_keep_theirs(client: Client, operator: User) -> None:
    client.force_login(operator)
    page = client.get("/kantor/DISDUKCAPIL/layanan/kk-hilang/")
    assert page.status_code == 200

    form = dict(page.context["values"])
    form["sla_working_days"] = "4"
    response = client.post("/kantor/DISDUKCAPIL/layanan/kk-hilang/", form)

    service = Service.objects.get(code="kk-hilang")
    assert response.status_code == 302
    assert service.current is not None
    assert (service.current.version, service.current.sla_working_days) == (2, 4)
    assert AuditEntry.objects.filter(
        action="catalogue.service_published", data__service="kk-hilang", data__version=2
    ).exists()


def test_a_broken_schema_publishes_nothing_and_says_why(client: Client, operator: User) -> None:
    client.force_login(operator)
    form = dict(client.get("/kantor/DISDUKCAPIL/layanan/kk-hilang/").context["values"])
    form["form_schema"] = json.dumps({"type": "object", "properties": {"x": {"type": "nonsense"}}})

    response = client.post("/kantor/DISDUKCAPIL/layanan/kk-hilang/", form, headers={"Accept-Language": "en"})

    assert response.status_code == 422
    assert "form_schema" in response.content.decode()
    assert Service.objects.get(code="kk-hilang").current.version == 1  # type: ignore[union-attr]


def test_an_officer_cannot_edit_services(client: Client, verifier: User) -> None:
    client.force_login(verifier)

    refused = client.get("/kantor/DISDUKCAPIL/layanan/")
    assert refused.status_code == 403  # staff are told the page exists and who grants it
    assert "administrator" in refused.content.decode().lower()
    assert client.post("/kantor/DISDUKCAPIL/layanan/baru/", {"code": "palsu"}).status_code == 403
    assert not Service.objects.filter(code="palsu").exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("escalation", ""),  # emptied: read as null
        ("escalation", "5"),
        ("escalation", '["x"]'),
        ("escalation", '[{"when": {}, "notify": "head"}]'),
        ("requirements", '[{"code": "kk", "types": 5}]'),
        ("requirements", '[{"code": "kk", "types": [{}]}]'),
        ("requirements", '[{"code": ["kk"]}]'),
        ("ui_hints", "[1]"),
        ("standard", '"x"'),
    ],
)
def test_json_of_the_wrong_shape_is_named_with_the_other_problems_never_a_server_error(
    client: Client, operator: User, field: str, value: str
) -> None:
    client.force_login(operator)
    form = dict(client.get("/kantor/DISDUKCAPIL/layanan/kk-hilang/").context["values"])
    form.update({field: value, "name_en": ""})  # and a second problem, named in the same answer

    response = client.post("/kantor/DISDUKCAPIL/layanan/kk-hilang/", form, headers={"Accept-Language": "en"})

    assert response.status_code == 422
    summary = response.content.decode().split("data-error-summary>", 1)[1].split("</div>", 1)[0]
    assert f'href="#{field}"' in summary
    assert 'href="#name_en"' in summary
    assert Service.objects.get(code="kk-hilang").current.version == 1  # type: ignore[union-attr]
