"""The API keeps the promises of its own OpenAPI document under generated input (schemathesis, every check on): no
server error, every status and body documented, valid input accepted and invalid input refused. As a citizen, an
officer, an agency system's key and with no credentials. Runs in-process over WSGI against the test database."""

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.config import PositiveDataAcceptanceConfig
from schemathesis.generation.meta import negated_parameters
from schemathesis.specs.openapi.checks import negative_data_rejection

from kotalive.accounts.models import User
from kotalive.accounts.services import api_token_issue
from kotalive.agencies.machine import api_client_create
from kotalive.agencies.models import Agency, ApiClient

app = WSGIHandler()
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
# Every check on. "Schema-valid input is accepted" holds with the answers a schema cannot foresee: a business rule
# (a NIK with month 13, a name that does not match the registry: 422), a duplicate (409), a caller's rights (401,
# 403), a missing thing (404), and a limit (429); each of those is documented on the operation.
schema.config.checks.positive_data_acceptance = PositiveDataAcceptanceConfig(
    expected_statuses=["2xx", "401", "403", "404", "409", "422", "429"]
)
# Generous limits, set by the test: the fuzzer sends hundreds of sign-ins, resets and registrations in seconds,
# and the limits themselves are tested on their own (accounts/tests/test_throttling.py).
FUZZ_RATES = {name: (100_000, 60) for name in dir(django_settings) if name.startswith("KOTALIVE_RATE_")}


@pytest.fixture
def _keep_the_test_connection() -> Iterator[None]:
    """A real WSGI request ends by closing the database connection; the test's transaction needs it open (Django's
    test client does the same)."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def _fuzz_rates(settings: Any) -> None:
    for name, rate in FUZZ_RATES.items():
        setattr(settings, name, rate)


def _call(case: Any, authorization: str | None) -> None:
    # A made-up Host header is refused by Django before any view (400, ALLOWED_HOSTS): not this API's contract.
    case.headers = {name: value for name, value in (case.headers or {}).items() if name.lower() != "host"}
    excluded = []
    if authorization and any(name.lower() == "authorization" for name, _where in negated_parameters(case.meta)):
        # A negative case that spoils the Authorization header is made whole again by the credential sent here,
        # so its acceptance says nothing about the API (the refusals without one run as the anonymous caller).
        excluded.append(negative_data_rejection)
    headers = {"Authorization": authorization} if authorization else {}
    case.call_and_validate(headers=headers, excluded_checks=excluded)


_RAW_KEYS: dict[int, str] = {}  # client id -> its key, shown once at creation


def _agency_key(admin: User) -> str:
    """A live key of a DISDUKCAPIL system with every scope its agency may hold. The examples of one operation share
    the test's database, so the first example's client serves the rest."""
    client = ApiClient.objects.filter(name="SIAK fuzz").first()
    if client is None:
        scopes = [scope for scope in ApiClient.SCOPES if scope != ApiClient.LAPOR_SCOPE]
        agency = Agency.objects.get(code="DISDUKCAPIL")
        client, raw = api_client_create(actor=admin, agency=agency, name="SIAK fuzz", scopes=scopes, roles=["verifier"])
        _RAW_KEYS[client.pk] = raw
    return _RAW_KEYS[client.pk]


CALLERS = pytest.mark.usefixtures("_keep_the_test_connection", "_fuzz_rates")
# derandomize: the same examples on every run, so CI is repeatable; a new finding shows up when the API changes.
FUZZ = settings(deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


@pytest.mark.django_db
@CALLERS
@schema.parametrize()
@settings(
    FUZZ,
    max_examples=25,
)
def test_every_operation_answers_a_citizen_as_documented(case: Any, warga1: User) -> None:
    _call(case, f"Bearer {api_token_issue(user=warga1).raw}")


@pytest.mark.django_db
@CALLERS
@schema.parametrize()
@settings(
    FUZZ,
    max_examples=8,
)
def test_every_operation_answers_an_officer_as_documented(case: Any, verifier: User) -> None:
    _call(case, f"Bearer {api_token_issue(user=verifier).raw}")


@pytest.mark.django_db
@CALLERS
@schema.parametrize()
@settings(
    FUZZ,
    max_examples=8,
)
def test_every_operation_answers_an_agency_system_as_documented(case: Any, dukcapil_admin: User) -> None:
    _call(case, f"Bearer {_agency_key(dukcapil_admin)}")


@pytest.mark.django_db
@CALLERS
@schema.parametrize()
@settings(
    FUZZ,
    max_examples=8,
)
def test_every_operation_answers_without_credentials_as_documented(case: Any, personas: dict[str, User]) -> None:
    _call(case, None)


@pytest.mark.django_db
def test_a_nul_character_is_refused_as_bad_input_not_a_server_error(reference: None) -> None:
    """PostgreSQL refuses NUL in text and SQLite stores it: the API refuses it on both, naming the field."""
    response = Client().get("/api/v1/regions", {"parent": "36\x0071"}, headers={"Accept-Language": "en"})

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "parent", "message": "contains a NUL character, which is not allowed"}
    ]
