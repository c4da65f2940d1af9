"""At most one open live application per service and subject, enforced by the database (partial unique constraints
case_one_open_per_person and case_one_open_per_unregistered_subject), and answered as a 409 naming the first."""

import functools
import importlib
from typing import Any

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.test import Client

from kotalive.accounts.models import User
from kotalive.cases import filing
from kotalive.cases.models import Case
from kotalive.cases.tests.fixtures import birth_certificate_data, submit_birth_certificate, upload
from kotalive.conftest import bearer_client
from kotalive.core.tests.simultaneous import at_once

pytestmark = pytest.mark.django_db


def _documents(client: Client) -> dict[str, str]:
    return {"surat-kelahiran": upload(client), "buku-nikah": upload(client), "kk": upload(client)}


def _submit(client: Client, documents: dict[str, str]) -> Any:
    return client.post(
        "/api/v1/cases",
        {"service": "akta-kelahiran", "subject": "self", "data": birth_certificate_data(), "documents": documents},
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )


def _copy(case: Case, **changes: Any) -> Case:
    """A second case like `case`, inserted behind the service's back (as a script or a race would)."""
    copy = Case(**{f.attname: getattr(case, f.attname) for f in Case._meta.concrete_fields if f.attname != "id"})
    copy.tracking = f"{case.tracking}-copy"
    for name, value in changes.items():
        setattr(copy, name, value)
    copy.save()
    return copy


def test_the_database_refuses_a_second_open_case_for_the_same_person(warga1: User) -> None:
    _client, body = submit_birth_certificate(warga1)
    first = Case.objects.get(tracking=body["tracking"])

    with pytest.raises(IntegrityError), transaction.atomic():
        _copy(first)

    assert Case.objects.count() == 1


def test_the_database_refuses_a_second_open_case_of_a_citizen_outside_the_registry(warga1: User) -> None:
    _client, body = submit_birth_certificate(warga1)
    first = Case.objects.get(tracking=body["tracking"])
    Case.objects.filter(pk=first.pk).update(subject_person=None)  # as a citizen outside the registry files it

    with pytest.raises(IntegrityError), transaction.atomic():
        _copy(first, subject_person=None)

    assert Case.objects.count() == 1


def test_finished_synthetic_and_other_people_s_cases_do_not_block(warga1: User, warga2: User) -> None:
    _client, body = submit_birth_certificate(warga1)
    first = Case.objects.get(tracking=body["tracking"])

    _copy(first, tracking="T-SYNTHETIC", is_test=True)  # `kotalive seed-cases` rows never count
    _copy(first, tracking="T-OTHER-PERSON", subject_person=warga2.citizen.person, applicant=warga2)
    _copy(first, tracking="T-ANOTHER-CHILD", subject_key="another child")  # same parent, another newborn
    _copy(first, tracking="T-REGISTRY-SUBJECT", subject_person=warga1.citizen.person)  # a registry person instead
    for category in ("completed", "cancelled", "rejected"):
        Case.objects.filter(pk=first.pk).update(state_category=category)
        _copy(first, tracking=f"T-AFTER-{category}", state_category=category)

    Case.objects.filter(pk=first.pk).update(state_category="cancelled")
    again = _submit(bearer_client(warga1), _documents(bearer_client(warga1)))
    assert again.status_code == 201, again.content


def test_an_insert_refused_by_the_constraint_is_the_same_409_naming_the_first(
    warga1: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The friendly check cannot see a submission that has not committed yet; the constraint then refuses the
    insert and the answer is the same 409, with nothing created and the transaction rolled back cleanly."""
    client, first = submit_birth_certificate(warga1)
    real_open_case = filing._open_case
    calls: list[int] = []

    def blind_first_look(**kwargs: Any) -> Case | None:
        calls.append(1)
        return None if len(calls) == 1 else real_open_case(**kwargs)  # the first look misses, as in a race

    monkeypatch.setattr(filing, "_open_case", blind_first_look)

    response = _submit(client, _documents(client))

    assert len(calls) == 2  # the insert was tried and refused, then the existing case looked up
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "duplicate_open_case"
    assert response.json()["existing"]["tracking"] == first["tracking"]
    assert first["tracking"] in response.json()["detail"]
    assert list(Case.objects.values_list("tracking", flat=True)) == [first["tracking"]]


def test_the_migration_stops_on_existing_duplicates_and_names_them(warga1: User) -> None:
    """A database deployed before the constraint may hold duplicates: the migration changes nothing and lists each
    group's tracking numbers, oldest first, for an operator to resolve."""
    migration = importlib.import_module("kotalive.cases.migrations.0004_one_open_case_per_person")
    _client, body = submit_birth_certificate(warga1)
    first = Case.objects.get(tracking=body["tracking"])
    with connection.cursor() as cursor:  # as before the migration (rolled back with the test's transaction)
        cursor.execute("DROP INDEX case_one_open_per_person")
        cursor.execute("DROP INDEX case_one_open_per_unregistered_subject")  # a birth's subject: no registry person
    _copy(first, tracking="T-DUPLICATE")
    _copy(first, tracking="T-FINISHED", state_category="completed")

    with pytest.raises(RuntimeError) as refused:
        migration.refuse_duplicates(apps, None)

    assert f"{first.tracking}, T-DUPLICATE" in str(refused.value)
    assert "T-FINISHED" not in str(refused.value)
    assert Case.objects.filter(state_category="submitted").count() == 2  # nothing closed behind anyone's back
    Case.objects.filter(tracking="T-DUPLICATE").delete()
    migration.refuse_duplicates(apps, None)  # resolved: the migration goes on


@pytest.mark.django_db(transaction=True)  # each thread has its own connection: the first case must really commit
def test_six_simultaneous_submissions_give_one_case_and_five_409s_naming_it(warga1: User) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("simultaneous writers are a PostgreSQL deployment; SQLite queues writers (BEGIN IMMEDIATE)")
    clients = [bearer_client(warga1) for _ in range(6)]
    documents = _documents(clients[0])

    def submit(client: Client) -> tuple[int, dict[str, Any]]:
        response = _submit(client, documents)
        return response.status_code, response.json()

    answers = at_once([functools.partial(submit, c) for c in clients])

    assert sorted(status for status, _body in answers) == [201, 409, 409, 409, 409, 409]
    created = next(body for status, body in answers if status == 201)
    refused = [body for status, body in answers if status == 409]
    assert {body["code"] for body in refused} == {"duplicate_open_case"}
    assert {body["existing"]["tracking"] for body in refused} == {created["tracking"]}
    assert list(Case.objects.values_list("tracking", flat=True)) == [created["tracking"]]
