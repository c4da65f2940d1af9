"""Every URL needs authentication unless it is on the explicit public list below."""

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

# Pages and endpoints anyone may open. Adding to this list is a security decision: say why in the review.
PUBLIC = {
    "healthz",
    "favicon.ico",  # redirects to the app's icon (browsers ask for it at the root)
    "",  # home
    "daftar/",
    "masuk/",
    "lupa-sandi/",
    "lupa-sandi/kode/",
    "i18n/setlang/",
    "dev/outbox/",  # answers 404 unless DEBUG is on
    "api/v1/regions",
    "api/v1/agencies",
    "api/v1/accounts/register",
    "api/v1/auth/token",
    "api/v1/accounts/password-reset",
    "api/v1/accounts/password-reset/confirm",
    "api/v1/openapi.json",
    "api/v1/docs",
    "api/v1/services",  # the published catalogue
    "api/v1/services/DISDUKCAPIL",  # (DISDUKCAPIL stands for any code)
    "api/v1/calendar/due-date",
    "api/v1/complaints/categories",  # complaint categories (what a citizen may report)
    "api/v1/complaints/public",  # the public feed: no confidential report, no person
    "api/v1/audit/public-key",  # the key that verifies the audit log's signed checkpoints
    "open311/v2/discovery.DISDUKCAPIL",  # Open311 GeoReport v2: reading is public as the spec intends; filing
    "open311/v2/services.DISDUKCAPIL",  # needs an api_key (checked in complaints/tests/test_open311.py)
    "open311/v2/services/DISDUKCAPIL.DISDUKCAPIL",
    "open311/v2/requests.DISDUKCAPIL",
    "open311/v2/requests/DISDUKCAPIL.DISDUKCAPIL",
    "open311/v2/tokens/DISDUKCAPIL.DISDUKCAPIL",
    "laporan/publik/",  # the public page of reports (list and map)
    "kinerja/",  # the public performance page: aggregates only, no person (issue 11)
    "data/",  # the open data behind it, and its files
    "data/DISDUKCAPIL.DISDUKCAPIL",
    "layanan/",  # the catalogue and each service's published standard
    "layanan/DISDUKCAPIL/",
    # Output documents (issue 12): anyone verifies a document without signing in; only type, number, agency, date
    # and a masked name are disclosed (cases/tests/test_output_documents.py).
    "v/1",
    "v/offline",
    "v/sw.js",
    "api/v1/documents/1/verification",
    ".well-known/kotalive-keys.json",
    ".well-known/kotalive-revocations.jws",
    "admin/login/",  # redirects to the platform's own sign-in
    "keluar/",
    "admin/logout/",  # signing out needs no account
}
NEEDS_AUTH_STATUSES = {302, 401, 403, 404, 405}


def _walk(patterns: list, prefix: str = "") -> list[str]:
    routes = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes += _walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            routes.append(route)
    return routes


def _concrete(route: str) -> str:
    route = route.lstrip("^").rstrip("$").replace("\\Z", "").replace("\\/", "/")
    route = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "1" if m.group(1).endswith("id") else "DISDUKCAPIL", route)
    return re.sub(r"\(\?P<\w+>[^)]*\)", "1", route)


@pytest.mark.django_db
def test_every_url_outside_the_public_list_needs_authentication(personas: dict, client: Client) -> None:
    routes = sorted({_concrete(route) for route in _walk(get_resolver().url_patterns)})
    assert len(routes) > 20
    checked = []
    for route in routes:
        if route in PUBLIC or route.startswith("static/") or "(" in route:
            continue
        for method in ("get", "post"):
            response = getattr(client, method)("/" + route)
            location = response.headers.get("Location", "")
            if response.status_code == 302:
                assert "/masuk/" in location or "/admin/login/" in location, (method, route, location)
            else:
                assert response.status_code in NEEDS_AUTH_STATUSES, (method, route, response.status_code)
        checked.append(route)
    assert {"profil/", "verifikasi/", "kantor/", "api/v1/me", "admin/"} <= set(checked)


@pytest.mark.django_db
def test_a_citizen_cannot_open_the_back_office(personas: dict, client: Client) -> None:
    client.force_login(personas["warga1"])

    assert client.get("/kantor/").status_code == 404
    assert client.get("/kantor/DISDUKCAPIL/").status_code == 404


@pytest.mark.django_db
def test_an_officer_cannot_open_another_agency_s_back_office(personas: dict, client: Client) -> None:
    client.force_login(personas["dinsos.petugas"])

    assert client.get("/kantor/DINSOS/").status_code == 200
    assert client.get("/kantor/DISDUKCAPIL/").status_code == 403  # staff are told why (test_access_pages.py)


@pytest.mark.django_db
def test_the_code_outbox_answers_only_a_browser_on_this_machine(settings: Any, reference: None) -> None:
    settings.DEBUG = True
    client = Client()

    local = client.get("/dev/outbox/", REMOTE_ADDR="127.0.0.1")
    remote = client.get("/dev/outbox/", REMOTE_ADDR="203.0.113.7")
    through_a_proxy = client.get("/dev/outbox/", REMOTE_ADDR="127.0.0.1", headers={"X-Forwarded-For": "203.0.113.7"})

    assert local.status_code == 200
    assert remote.status_code == through_a_proxy.status_code == 404
