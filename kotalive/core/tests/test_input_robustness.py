"""No request crashes the server: malformed text, out-of-range numbers, huge page numbers, broken multipart bodies
and oversize bodies each answer a 4xx in the JSON error shape, naming the field and the reason; with DEBUG off
(as in these tests) every API error, 404 and 405 included, is JSON too."""

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import include, path

from kotalive.accounts.models import User
from kotalive.complaints.models import Complaint
from kotalive.conftest import bearer_client

SURROGATE = '"\\ud800"'  # a lone UTF-16 surrogate, valid JSON, not valid Unicode text


@pytest.fixture(autouse=True)
def _no_traceback_in_the_log(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Each of these requests is the caller's fault: the server log must not show a traceback for it."""
    yield
    tracebacks = [record for record in caplog.records if record.exc_info]
    assert not tracebacks, tracebacks[0].getMessage()


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


urlpatterns = [path("api/v1/boom", boom), path("", include("config.urls"))]


def _raw_json(client: Client, path: str, body: str) -> Any:
    return client.post(path, body, content_type="application/json", headers={"Accept-Language": "en"})


def _assert_error_shape(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["detail"]
    assert body["code"]
    if field is not None:
        assert field in [error["field"] for error in body["errors"]], body
    return body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/auth/token", '{"login": ' + SURROGATE + ', "password": "x"}', "login"),
        ("/api/v1/auth/token", '{"login": "warga1", "password": ' + SURROGATE + "}", "password"),
        ("/api/v1/accounts/password-reset", '{"login": ' + SURROGATE + "}", "login"),
        ("/api/v1/auth/token", '{"login": "a\\u0000b", "password": "x"}', "login"),
    ],
)
def test_malformed_text_is_refused_without_sign_in(reference: None, path: str, body: str, field: str) -> None:
    response = _raw_json(Client(), path, body)

    error = _assert_error_shape(response, 422, field)
    assert "not allowed" in error["errors"][0]["message"]


@pytest.mark.django_db
def test_malformed_text_in_a_complaint_or_message_changes_nothing(warga1: User) -> None:
    client = bearer_client(warga1)
    count = Complaint.objects.count()

    response = _raw_json(client, "/api/v1/complaints", '{"title": ' + SURROGATE + ', "description": "x"}')

    _assert_error_shape(response, 422, "title")
    assert Complaint.objects.count() == count


@pytest.mark.django_db
def test_invalid_utf8_in_a_body_is_a_clear_error(reference: None) -> None:
    response = Client().post(
        "/api/v1/auth/token", b'{"login": "\xff\xfe", "password": "x"}', content_type="application/json"
    )

    _assert_error_shape(response, 422, "body")


@pytest.mark.django_db
def test_a_due_date_beyond_the_calendar_is_a_clear_error(reference: None) -> None:
    response = Client().get("/api/v1/calendar/due-date", {"start": "9999-12-31", "working_days": "5"})

    _assert_error_shape(response, 422, "start")


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["9" * 40, "0", "-1", "100001"])
def test_a_page_number_out_of_range_is_a_clear_error(reference: None, page: str) -> None:
    response = Client().get("/api/v1/complaints/public", {"page": page})

    _assert_error_shape(response, 422, "page")


@pytest.mark.django_db
def test_a_multipart_body_without_a_boundary_is_a_clear_error(warga1: User) -> None:
    response = bearer_client(warga1).post("/api/v1/uploads", b"--x\r\n\r\n--x--", content_type="multipart/form-data")

    _assert_error_shape(response, 400, "body")


@pytest.mark.django_db
def test_a_body_over_the_limit_is_413_in_the_error_shape(reference: None) -> None:
    body = json.dumps({"login": "x" * (3 * 1024 * 1024), "password": "x"})

    response = _raw_json(Client(), "/api/v1/auth/token", body)

    _assert_error_shape(response, 413, "body")


@pytest.mark.django_db
def test_an_unknown_api_path_is_404_in_the_error_shape(reference: None) -> None:
    body = _assert_error_shape(Client().get("/api/v1/no-such-thing"), 404)

    assert body["code"] == "not_found"


@pytest.mark.django_db
def test_a_wrong_method_is_405_in_the_error_shape(reference: None) -> None:
    body = _assert_error_shape(Client().delete("/api/v1/regions"), 405)

    assert body["code"] == "method_not_allowed"


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_in_the_api_is_500_in_the_error_shape(reference: None, caplog: pytest.LogCaptureFixture) -> None:
    response = Client(raise_request_exception=False).get("/api/v1/boom", headers={"Accept-Language": "en"})

    body = _assert_error_shape(response, 500)
    assert body["code"] == "server_error"
    assert "a bug" not in response.content.decode()
    caplog.clear()  # this one is the server's fault: its traceback belongs in the log


@pytest.mark.django_db
def test_pages_keep_their_html_error_pages(reference: None) -> None:
    response = Client().get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
