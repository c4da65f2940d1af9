"""Whom an application is about is service data (catalogue.subjects): a birth certificate is the newborn's, so a
parent files one per child and the same child only once; a child ID card (KIA) is only for a child of the family
card. The form's date rules are checked on the server, each refusal a sentence naming the field. An application
refused or withdrawn never reads as completed."""

import functools
import importlib
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client

from kotalive.accounts.models import User
from kotalive.cases.filing import newborn_key
from kotalive.cases.models import Case
from kotalive.cases.tests.fixtures import birth_certificate_data, submit_birth_certificate, upload
from kotalive.catalogue.models import Service
from kotalive.catalogue.services import service_publish
from kotalive.conftest import bearer_client
from kotalive.core.errors import ValidationFailed
from kotalive.core.tests.simultaneous import at_once
from kotalive.demo.data import ANDI, BUDI, PUTRI, SITI
from kotalive.registry.models import Person
from kotalive.registry.selectors import person_find_by_nik

pytestmark = pytest.mark.django_db


def _person(nik: str) -> Person:
    person = person_find_by_nik(nik=nik)
    assert person is not None
    return person


def _birth(client: Client, **data: Any) -> Any:
    documents = {"surat-kelahiran": upload(client), "buku-nikah": upload(client), "kk": upload(client)}
    return client.post(
        "/api/v1/cases",
        {"service": "akta-kelahiran", "data": birth_certificate_data(**data), "documents": documents},
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )


def _kia(client: Client, subject: str, **data: Any) -> Any:
    documents = {"akta-kelahiran": upload(client), "kk": upload(client), "ktp-el": upload(client)}
    values = {
        "full_name": "Andi Pratama",
        "nik": ANDI.nik,
        "birth_date": ANDI.birth_date.isoformat(),
        "mother_name": "Siti Rahmawati",
        **data,
    }
    return client.post(
        "/api/v1/cases",
        {"service": "kia", "subject": subject, "data": values, "documents": documents},
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )


def _errors(response: Any) -> dict[str, str]:
    return {e["field"]: e["message"] for e in response.json()["errors"]}


# ---- a newborn is the subject of their birth certificate ----------------------------------------------------------


def test_a_birth_certificate_is_for_the_child_not_the_parent(warga1: User) -> None:
    client, body = submit_birth_certificate(warga1, child_name="Bayu Santoso")

    case = Case.objects.get(tracking=body["tracking"])
    assert body["subject_name"] == "Bayu Santoso"
    assert case.subject_person is None
    assert case.subject_key == newborn_key(name="bayu santoso", birth_date="2026-11-20")
    client.force_login(warga1)
    page = client.get(f"/kasus/{body['tracking']}/", headers={"Accept-Language": "en"}).content.decode()
    facts = page.split('<dl class="facts">', 1)[1].split("</dl>", 1)[0]  # the father's name is among the answers
    assert "<dd>Bayu Santoso</dd>" in facts
    assert "<dd>Budi Santoso</dd>" not in facts


def test_twins_and_a_sibling_of_one_parent_are_separate_applications(warga1: User) -> None:
    client = bearer_client(warga1)

    twin_one = _birth(client, child_name="Bayu Santoso", child_birth_date="2026-11-20")
    twin_two = _birth(client, child_name="Bima Santoso", child_birth_date="2026-11-20", birth_order=4)
    sibling = _birth(client, child_name="Bayu Santoso", child_birth_date="2025-10-01")

    assert [r.status_code for r in (twin_one, twin_two, sibling)] == [201, 201, 201]
    assert [r.json()["subject_name"] for r in (twin_one, twin_two, sibling)] == [
        "Bayu Santoso",
        "Bima Santoso",
        "Bayu Santoso",
    ]
    listed = {c["tracking"]: c["subject_name"] for c in client.get("/api/v1/cases").json()}
    assert sorted(listed.values()) == ["Bayu Santoso", "Bayu Santoso", "Bima Santoso"]


def test_the_same_child_twice_is_refused_naming_the_first(warga1: User) -> None:
    client = bearer_client(warga1)
    first = _birth(client, child_name="Bayu Santoso").json()

    again = _birth(client, child_name="  bayu   SANTOSO ")  # the same child, written differently

    assert again.status_code == 409, again.content
    assert again.json()["code"] == "duplicate_open_case"
    assert again.json()["existing"]["tracking"] == first["tracking"]
    assert first["tracking"] in again.json()["detail"]
    assert Case.objects.count() == 1


def test_the_other_parent_files_the_same_child_separately(warga1: User, warga2: User) -> None:
    """The rule compares the applicant, the service and the child: each parent's own application stands."""
    assert _birth(bearer_client(warga1)).status_code == 201

    assert _birth(bearer_client(warga2)).status_code == 201


def test_a_birth_certificate_is_not_for_a_registry_person(warga1: User) -> None:
    client = bearer_client(warga1)
    documents = {"surat-kelahiran": upload(client), "buku-nikah": upload(client), "kk": upload(client)}

    response = client.post(
        "/api/v1/cases",
        {
            "service": "akta-kelahiran",
            "subject": str(_person(ANDI.nik).pk),
            "data": birth_certificate_data(),
            "documents": documents,
        },
        content_type="application/json",
    )

    assert response.status_code == 422
    assert set(_errors(response)) == {"subject"}


# ---- date rules of the form ---------------------------------------------------------------------------------------


def test_a_child_born_in_the_future_is_refused_naming_the_field(warga1: User) -> None:
    response = _birth(bearer_client(warga1), child_birth_date="2027-05-20")

    assert response.status_code == 422
    assert _errors(response) == {"data.child_birth_date": "Child's date of birth cannot be in the future."}
    assert not Case.objects.exists()


def test_a_child_born_before_the_parent_is_refused_naming_the_field(warga1: User) -> None:
    before_budi = BUDI.birth_date.replace(year=BUDI.birth_date.year - 1).isoformat()

    response = _birth(bearer_client(warga1), child_birth_date=before_budi)

    assert response.status_code == 422
    assert _errors(response) == {
        "data.child_birth_date": "Child's date of birth cannot be before your own date of birth."
    }


def test_date_errors_are_in_the_user_s_language(warga1: User) -> None:
    client = bearer_client(warga1)
    documents = {"surat-kelahiran": upload(client), "buku-nikah": upload(client), "kk": upload(client)}

    response = client.post(
        "/api/v1/cases",
        {
            "service": "akta-kelahiran",
            "data": birth_certificate_data(child_birth_date="2027-05-20"),
            "documents": documents,
        },
        content_type="application/json",
        headers={"Accept-Language": "id"},
    )

    assert response.status_code == 422
    assert _errors(response)["data.child_birth_date"].startswith("Tanggal lahir anak")


def test_the_web_form_shows_a_future_birth_beside_its_field(client: Client, warga1: User) -> None:
    client.force_login(warga1)
    post = {f"f_{name}": str(value) for name, value in birth_certificate_data(child_birth_date="2027-05-20").items()}

    response = client.post(
        "/layanan/akta-kelahiran/ajukan/",
        {"subject": "self", "intent": "check", **post},
        headers={"Accept-Language": "en"},
    )

    assert response.status_code == 422
    assert "Child&#x27;s date of birth cannot be in the future." in response.content.decode()
    assert not Case.objects.exists()


# ---- a service for children ---------------------------------------------------------------------------------------


def test_kia_for_the_applicant_himself_is_refused_naming_subject(warga1: User) -> None:
    client = bearer_client(warga1)

    for subject in ("self", str(_person(BUDI.nik).pk)):
        response = _kia(client, subject, full_name="Budi Santoso", nik=BUDI.nik, birth_date="1985-04-12")

        assert response.status_code == 422, response.content
        errors = _errors(response)
        assert set(errors) == {"subject"}
        assert errors["subject"].startswith("Choose who this application is for")
        assert "not for yourself" in errors["subject"]
    assert not Case.objects.exists()


def test_kia_for_an_adult_member_is_refused_naming_subject(warga1: User) -> None:
    response = _kia(bearer_client(warga1), str(_person(SITI.nik).pk), full_name="Siti Rahmawati", nik=SITI.nik)

    assert response.status_code == 422
    assert _errors(response) == {
        "subject": "Choose who this application is for: Siti Rahmawati is not a child aged 16 or under, "
        "and this service is for children."
    }


def test_kia_for_a_child_is_accepted(warga1: User) -> None:
    response = _kia(bearer_client(warga1), str(_person(ANDI.nik).pk))

    assert response.status_code == 201, response.content
    assert response.json()["subject_name"] == "Andi Pratama"
    assert Case.objects.get().subject_person == _person(ANDI.nik)


def test_kia_refuses_a_birth_date_past_its_age_limit_naming_the_field(warga1: User) -> None:
    response = _kia(bearer_client(warga1), str(_person(ANDI.nik).pk), birth_date="2000-01-01")

    assert response.status_code == 422
    assert _errors(response) == {
        "data.birth_date": "Date of birth makes the person 26 years old; this service is for those aged 16 or under."
    }


def test_the_kia_form_starts_with_a_child_not_the_adult(warga1: User) -> None:
    form = bearer_client(warga1).get("/api/v1/services/kia/form").json()

    assert form["subject"] == str(_person(ANDI.nik).pk)  # the eldest eligible child
    assert form["prefill"]["nik"] == ANDI.nik
    assert BUDI.nik not in form["prefill"].values()
    assert bearer_client(warga1).get("/api/v1/services/kia/form", {"subject": "self"}).status_code == 422


def test_the_kia_page_lists_only_children_and_does_not_prefill_the_adult(client: Client, warga1: User) -> None:
    client.force_login(warga1)

    page = client.get("/layanan/kia/ajukan/", headers={"Accept-Language": "en"}).content.decode()

    choices = page.split('id="subject-choice"')[1].split("</select>")[0]
    assert f'value="{_person(ANDI.nik).pk}" selected' in choices
    assert f'value="{_person(PUTRI.nik).pk}"' in choices
    assert "Myself" not in choices
    assert "Siti" not in choices
    assert f'value="{ANDI.nik}"' in page
    assert BUDI.nik not in page
    forged = client.get("/layanan/kia/ajukan/?subject=self", headers={"Accept-Language": "en"}).content.decode()
    assert BUDI.nik not in forged


def test_the_kia_page_says_so_when_the_family_has_no_child(client: Client, warga3: User) -> None:
    client.force_login(warga3)

    page = client.get("/layanan/kia/ajukan/", headers={"Accept-Language": "en"}).content.decode()

    assert "your family card has none" in page
    assert 'name="intent"' not in page  # nothing to submit


def test_a_web_submission_for_the_adult_is_refused_with_the_sentence(client: Client, warga1: User) -> None:
    client.force_login(warga1)

    response = client.post(
        "/layanan/kia/ajukan/",
        {"subject": "self", "intent": "check", "f_full_name": "Budi Santoso", "f_nik": BUDI.nik},
        headers={"Accept-Language": "en"},
    )

    assert response.status_code == 422
    assert "Choose who this application is for" in response.content.decode()
    assert not Case.objects.exists()


# ---- the rules are checked when a service is published ------------------------------------------------------------


def test_a_service_for_children_needs_its_age_limit_and_a_newborn_service_its_fields(operator: User) -> None:
    kia = Service.objects.select_related("current", "agency").get(code="kia").current
    birth = Service.objects.select_related("current", "agency").get(code="akta-kelahiran").current
    assert kia is not None
    assert birth is not None
    unnamed = {k: v for k, v in birth.form_schema["properties"].items() if k != "child_name"}

    with pytest.raises(ValidationFailed) as no_limit:
        _republish(operator, kia, eligibility={"registry_verified": True, "subject": "child"})
    with pytest.raises(ValidationFailed) as no_name:
        _republish(
            operator,
            birth,
            form_schema={**birth.form_schema, "properties": unnamed, "required": ["child_birth_date"]},
        )
    with pytest.raises(ValidationFailed) as bad_rule:
        _republish(
            operator,
            birth,
            form_schema={
                **birth.form_schema,
                "properties": {
                    **birth.form_schema["properties"],
                    "child_name": {**birth.form_schema["properties"]["child_name"], "x-not-before": "mayor.birth"},
                },
            },
        )

    assert set(no_limit.value.errors) == {"eligibility"}
    assert set(no_name.value.errors) == {"eligibility"}
    assert set(bad_rule.value.errors) == {"form_schema"}


def _republish(actor: User, version: Any, **changes: Any) -> None:
    fields = ("name_id", "name_en", "output_kind", "requirements", "form_schema", "eligibility", "sla_working_days")
    content = {name: getattr(version, name) for name in fields} | changes
    service_publish(
        actor=actor,
        code=version.service.code,
        agency=version.service.agency,
        category=version.service.category,
        workflow_code=version.workflow.code,
        content=content,
    )


# ---- an application refused or withdrawn never reads as completed --------------------------------------------------


def _act(client: Client, tracking: str, action: str, version: int, reason: str = "") -> dict[str, Any]:
    response = client.post(
        f"/api/v1/cases/{tracking}/transitions",
        {"action": action, "version": version, "reason": reason},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return dict(response.json())


def test_a_cancelled_application_reads_cancelled_in_the_api_and_on_the_page(warga1: User) -> None:
    client, body = submit_birth_certificate(warga1)

    cancelled = _act(client, body["tracking"], "cancel", body["version"])
    stored = client.get(f"/api/v1/cases/{body['tracking']}").json()  # the applicant's stored view
    listed = client.get("/api/v1/cases").json()

    assert cancelled["state_category"] == "cancelled"
    for view in (cancelled, stored, listed[0]):
        assert view["public_status"] == "dibatalkan"
        assert view["sla_status"] is None
    assert Case.objects.get().sla_status == "met"  # the stored clock is the dashboards' business
    client.force_login(warga1)
    page = client.get(f"/kasus/{body['tracking']}/", headers={"Accept-Language": "en"}).content.decode()
    mine = client.get("/kasus/", headers={"Accept-Language": "en"}).content.decode()
    for html in (page, mine):
        assert 'class="badge badge-dibatalkan">Cancelled<' in html
        assert "badge-selesai" not in html
    assert "(met)" not in page


def test_a_rejected_application_reads_rejected(warga1: User, verifier: User) -> None:
    client, body = submit_birth_certificate(warga1)
    officer = bearer_client(verifier)
    started = _act(officer, body["tracking"], "start_verification", body["version"])

    rejected = _act(officer, body["tracking"], "reject", started["version"], reason="Data tidak sesuai")
    stored = client.get(f"/api/v1/cases/{body['tracking']}").json()

    assert (rejected["public_status"], rejected["sla_status"]) == ("ditolak", None)
    assert (stored["public_status"], stored["sla_status"]) == ("ditolak", None)
    client.force_login(warga1)
    page = client.get(f"/kasus/{body['tracking']}/", headers={"Accept-Language": "en"}).content.decode()
    assert 'class="badge badge-ditolak">Rejected<' in page


# ---- the migration ------------------------------------------------------------------------------------------------


def test_the_migration_gives_old_birth_certificates_to_the_child_and_ended_cases_their_word(warga1: User) -> None:
    """Before it, a birth certificate named the parent and a cancelled case's stored view said selesai."""
    migration = importlib.import_module("kotalive.cases.migrations.0018_case_subject_key")
    client, body = submit_birth_certificate(warga1, child_name="Bayu  Santoso")
    _client, other = submit_birth_certificate(warga1, child_name="Bima Santoso")
    _act(client, other["tracking"], "cancel", other["version"])
    parent = _person(BUDI.nik)
    old_view = {"subject_name": "Budi Santoso", "public_status": "selesai", "sla_status": "met"}
    Case.objects.filter(tracking=body["tracking"]).update(
        subject_person=parent, subject_key="", subject_name="Budi Santoso"
    )
    Case.objects.filter(tracking=other["tracking"]).update(
        subject_person=None, subject_key="", snapshot={"id": old_view, "en": old_view}
    )

    migration.backfill(apps, None)

    birth = Case.objects.get(tracking=body["tracking"])
    assert (birth.subject_person, birth.subject_name) == (None, "Bayu Santoso")
    assert birth.subject_key == newborn_key(name="Bayu Santoso", birth_date="2026-11-20")
    assert birth.snapshot["id"]["subject_name"] == "Bayu Santoso"
    ended = Case.objects.get(tracking=other["tracking"]).snapshot
    assert ended["en"] == {"subject_name": "Bima Santoso", "public_status": "dibatalkan", "sla_status": None}


# ---- the database decides a race ----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # each thread has its own connection: the first case must really commit
def test_simultaneous_births_give_one_case_per_child(warga1: User) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("simultaneous writers are a PostgreSQL deployment; SQLite queues writers (BEGIN IMMEDIATE)")
    clients = [bearer_client(warga1) for _ in range(6)]
    documents = {"surat-kelahiran": upload(clients[0]), "buku-nikah": upload(clients[0]), "kk": upload(clients[0])}

    def submit(client: Client, name: str) -> tuple[int, dict[str, Any]]:
        response = client.post(
            "/api/v1/cases",
            {"service": "akta-kelahiran", "data": birth_certificate_data(child_name=name), "documents": documents},
            content_type="application/json",
        )
        return response.status_code, response.json()

    names = ["Bayu Santoso", "Bima Santoso"] * 3
    answers = at_once([functools.partial(submit, c, name) for c, name in zip(clients, names, strict=True)])

    assert sorted(status for status, _body in answers) == [201, 201, 409, 409, 409, 409]
    created = {body["subject_name"]: body["tracking"] for status, body in answers if status == 201}
    assert set(created) == {"Bayu Santoso", "Bima Santoso"}
    for (status, body), name in zip(answers, names, strict=True):
        if status == 409:
            assert body["existing"]["tracking"] == created[name]
    assert Case.objects.count() == 2
