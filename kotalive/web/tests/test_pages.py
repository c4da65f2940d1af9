import pytest
from django.test import Client

from kotalive.accounts.models import User
from kotalive.conftest import DEMO_PASSWORD
from kotalive.registry.models import Person
from kotalive.registry.services import registry_seed_synthetic

pytestmark = pytest.mark.django_db


def test_the_home_page_speaks_indonesian_by_default(client: Client, reference: None) -> None:
    page = client.get("/").content.decode()

    assert '<html lang="id">' in page
    assert "Dinas Kependudukan dan Pencatatan Sipil" in page
    assert "Daftar" in page


def test_english_is_one_switch_away(client: Client, reference: None) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(response.headers["Location"]).content.decode()

    assert '<html lang="en">' in page
    assert "Population and Civil Registration Agency" in page


def test_sign_up_works_without_javascript(client: Client, reference: None) -> None:
    registry_seed_synthetic(actor=None, people=30, seed=9, region_code="36.71")
    person = Person.objects.filter(relationship="KEPALA KELUARGA").first()
    assert person is not None

    response = client.post(
        "/daftar/",
        {
            "nik": person.nik,
            "full_name": person.full_name,
            "birth_date": person.birth_date.isoformat(),
            "phone": "081234567891",
            "email": "",
            "password": "taman-kota-2026!",
        },
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/verifikasi/"
    assert client.get("/profil/").status_code == 200


def test_sign_up_errors_are_shown_beside_their_field(client: Client, reference: None) -> None:
    response = client.post(
        "/daftar/",
        {
            "nik": "3671051513900001",
            "full_name": "Budi",
            "birth_date": "1990-01-15",
            "phone": "081234567891",
            "password": "taman-kota-2026!",
        },
        headers={"Accept-Language": "en"},
    )

    assert response.status_code == 422
    assert 'id="id_nik-error"' in response.content.decode()
    assert User.objects.count() == 0


def test_sign_in_leads_a_citizen_home_and_their_profile_shows_their_family(client: Client, personas: dict) -> None:
    response = client.post("/masuk/", {"login": "warga2", "password": DEMO_PASSWORD})
    assert response.headers["Location"] == "/"  # the citizen's home page: what needs them now

    page = client.get("/profil/").content.decode()

    assert "Siti Rahmawati" in page
    assert "Putri Lestari" in page
    assert "3671********9002" in page
    assert "3671054309889002" not in page


def test_sign_in_sends_staff_to_the_back_office(client: Client, personas: dict) -> None:
    response = client.post("/masuk/", {"login": "dukcapil.kadis", "password": DEMO_PASSWORD})

    assert response.headers["Location"] == "/kantor/"
    assert "DISDUKCAPIL" in client.get("/kantor/").content.decode()


def test_sign_in_refuses_an_outside_next_address(client: Client, personas: dict) -> None:
    response = client.post("/masuk/", {"login": "warga1", "password": DEMO_PASSWORD, "next": "https://evil.example/"})

    assert response.headers["Location"] == "/"


def test_a_wrong_password_shows_an_error_and_no_session(client: Client, personas: dict) -> None:
    response = client.post("/masuk/", {"login": "warga1", "password": "salah-sandi"})

    assert response.status_code == 422
    assert client.get("/profil/").status_code == 302


def test_pages_send_a_content_security_policy(client: Client, reference: None) -> None:
    response = client.get("/")

    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
