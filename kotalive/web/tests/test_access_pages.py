"""Refusals and dead ends read as pages: a member of staff whose roles do not open a page gets a 403 page that says
so in a sentence, names the roles that open it and whom to ask (their agency's administrator, by role and name); a
citizen still gets "not found" (no hint that back-office pages exist); a broken link gets the site's 404 page with
ways on. Revoking a role or a data-sharing agreement is a lesser (outlined) button that asks first. A console with
nothing to draw says "nothing yet" instead of drawing empty chart areas."""

import datetime as dt
import re
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation

from kotalive.accounts.models import User
from kotalive.agencies.models import StaffRole
from kotalive.conftest import bearer_client
from kotalive.registry.models import DataSharingAgreement
from kotalive.web.charts import line_chart

pytestmark = pytest.mark.django_db

EN = {"Accept-Language": "en"}


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_officer_without_the_role_is_told_which_roles_open_the_page_and_whom_to_ask(verifier: User) -> None:
    response = _signed_in(verifier).get("/kantor/DISDUKCAPIL/petugas/", headers=EN)

    page = response.content.decode()
    assert response.status_code == 403
    assert "You do not have access to this page" in page
    assert "The staff page of DISDUKCAPIL is open only to staff with one of these roles:" in page
    assert "agency administrator, platform administrator" in page
    assert "ask the agency's administrator (the role “agency administrator”)" in page
    assert "Administrators of DISDUKCAPIL: Admin Sistem Dukcapil." in page  # the demo's DISDUKCAPIL administrator
    assert 'href="/kantor/"' in page  # back to the back office


def test_an_officer_of_another_agency_is_told_the_page_is_for_that_agency_s_staff(dinsos_officer: User) -> None:
    response = _signed_in(dinsos_officer).get("/kantor/DISDUKCAPIL/", headers=EN)

    assert response.status_code == 403
    assert "open only to the staff of DISDUKCAPIL, and you hold no role there" in response.content.decode()


def test_platform_pages_name_the_platform_administrator_as_the_one_to_ask(dinsos_officer: User) -> None:
    console = _signed_in(dinsos_officer).get("/kantor/integrasi/", headers=EN)
    agreements = _signed_in(dinsos_officer).get("/kantor/perjanjian-data/", headers=EN)

    assert console.status_code == agreements.status_code == 403
    text = console.content.decode()
    assert "The integration console is open only to staff with one of these roles:" in text
    assert "operator (Live Room)" in text
    assert "auditor / data protection officer" in text
    assert "ask the agency's administrator" in agreements.content.decode()  # DISDUKCAPIL's, who own them


def test_the_403_page_speaks_indonesian_by_default(verifier: User) -> None:
    response = _signed_in(verifier).get("/kantor/integrasi/")

    assert response.status_code == 403
    assert '<html lang="id">' in response.content.decode()


def test_a_citizen_still_gets_not_found_for_back_office_pages(warga1: User) -> None:
    for path in ("/kantor/integrasi/", "/kantor/perjanjian-data/", "/kantor/DISDUKCAPIL/petugas/"):
        response = _signed_in(warga1).get(path, headers=EN)
        assert response.status_code == 404, path
        assert "You do not have access" not in response.content.decode()


def test_a_broken_link_gets_the_site_s_404_page_with_ways_on(operator: User) -> None:
    response = _signed_in(operator).get("/kantor/tidak/ada/sama/sekali/", headers=EN)

    page = response.content.decode()
    assert response.status_code == 404
    assert '<header class="top">' in page  # the site's header and menu
    assert "Page not found" in page
    assert "There is no page at this address" in page
    assert 'action="/layanan/"' in page
    assert 'name="q"' in page
    assert 'href="/kantor/"' in page  # staff go back to the back office


def test_the_api_keeps_its_json_not_found() -> None:
    response = Client().get("/api/v1/tidak-ada")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_revoking_a_role_is_a_lesser_button_that_asks_first(dukcapil_admin: User, verifier: User) -> None:
    client = _signed_in(dukcapil_admin)
    grant = StaffRole.objects.get(user=verifier, role=StaffRole.VERIFIER)
    url = f"/kantor/DISDUKCAPIL/petugas/{grant.pk}/cabut/"

    staff_page = client.get("/kantor/DISDUKCAPIL/petugas/", headers=EN).content.decode()
    assert re.search(rf'action="{url}" class="inline">.*?<button type="submit" class="danger">Revoke', staff_page, re.S)

    asked = client.post(url, headers=EN)
    assert asked.status_code == 200
    page = asked.content.decode()
    assert "Revoke the role: are you sure?" in page
    assert "Rina Verifikator will no longer work as verifier in DISDUKCAPIL" in page
    assert 'href="/kantor/DISDUKCAPIL/petugas/"' in page  # No, go back
    assert StaffRole.objects.filter(pk=grant.pk).exists()

    done = client.post(url, {"confirmed": "1"})
    assert done.status_code == 302
    assert not StaffRole.objects.filter(pk=grant.pk).exists()


def test_revoking_an_agreement_asks_first(dukcapil_admin: User) -> None:
    client = _signed_in(dukcapil_admin)
    agreement = DataSharingAgreement.objects.filter(revoked_at__isnull=True).select_related("consumer").first()
    assert agreement is not None  # the demo's agreements
    fields = {"intent": "revoke", "agreement": str(agreement.pk)}

    listing = client.get("/kantor/perjanjian-data/", headers=EN).content.decode()
    assert '<button type="submit" class="danger">Revoke' in listing

    asked = client.post("/kantor/perjanjian-data/", fields, headers=EN)
    assert asked.status_code == 200
    assert "Revoke the agreement: are you sure?" in asked.content.decode()
    assert f"{agreement.consumer.code} will no longer look residents up" in asked.content.decode()
    agreement.refresh_from_db()
    assert agreement.revoked_at is None

    done = client.post("/kantor/perjanjian-data/", {**fields, "confirmed": "1"})
    assert done.status_code == 302
    agreement.refresh_from_db()
    assert agreement.revoked_at is not None


def test_the_integration_console_says_nothing_yet_instead_of_empty_charts(platform_admin: User) -> None:
    page = _signed_in(platform_admin).get("/kantor/integrasi/", headers=EN).content.decode()

    assert "Nothing yet: no webhook delivery was attempted in the last 24 hours" in page
    assert 'aria-label="Success rate per hour"' not in page


def test_a_line_chart_without_numbers_says_nothing_yet(reference: None) -> None:
    series = [("delivered", "delivered"), ("failed", "failed")]
    zeros = [{"day": dt.date(2026, 12, d), "delivered": 0, "failed": 0} for d in (1, 2, 3)]
    some = [*zeros[:2], {"day": dt.date(2026, 12, 3), "delivered": 4, "failed": 1}]

    with translation.override("en"):
        empty = render_to_string("web/_linechart.html", {"chart": line_chart(zeros, series, x_key="day")})
        none = render_to_string("web/_linechart.html", {"chart": line_chart([], series, x_key="day")})
        drawn = render_to_string("web/_linechart.html", {"chart": line_chart(some, series, x_key="day")})

    for page in (empty, none):
        assert "Nothing yet: there are no numbers to draw for this period." in page
        assert "<svg" not in page
    assert "<polyline" in drawn
    assert "Nothing yet" not in drawn


def test_a_page_s_not_found_is_the_site_s_page_also_with_debug_on_as_in_the_demo(operator: User, settings: Any) -> None:
    settings.DEBUG = True  # `make run` serves the demo with DEBUG on

    response = _signed_in(operator).get("/laporan/LAKSA-20260101-99999/", headers=EN)
    api = bearer_client(operator).get("/api/v1/complaints/LAKSA-20260101-99999")

    assert response.status_code == 404
    assert "There is no page at this address" in response.content.decode()
    assert "URLconf" not in response.content.decode()  # not Django's technical page
    assert (api.status_code, api.json()["code"]) == (404, "not_found")
