import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kotalive.accounts.models import User
from kotalive.cases.models import Case, CaseDraft
from kotalive.cases.tests.fixtures import PDF, submit_birth_certificate
from kotalive.core.models import CalendarOverride

pytestmark = pytest.mark.django_db


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def test_the_catalogue_and_a_service_standard_are_public(client: Client, reference: None) -> None:
    listing = client.get("/layanan/").content.decode()
    standard = client.get("/layanan/akta-kelahiran/").content.decode()

    assert "Akta kelahiran" in listing
    assert "Gratis" in standard
    assert "Surat keterangan lahir" in standard


def test_the_form_is_rendered_from_the_schema_with_the_registry_prefill(client: Client, warga1: User) -> None:
    client.force_login(warga1)

    page = client.get("/layanan/kk-hilang/ajukan/").content.decode()

    assert 'name="f_kk_number" value="3671051501209001"' in page
    assert "Dari data DISDUKCAPIL" in page
    assert 'name="doc_laporan-kehilangan"' in page


def test_a_citizen_applies_without_javascript(client: Client, warga1: User) -> None:
    client.force_login(warga1)

    checked = client.post(
        "/layanan/kk-hilang/ajukan/",
        {
            "subject": "self",
            "intent": "check",
            "f_full_name": "Budi Santoso",
            "f_birth_date": "1985-04-12",
            "f_kk_number": "3671051501209001",
            "f_lost_or_damaged": "hilang",
            "doc_laporan-kehilangan": _pdf("laporan.pdf"),
        },
    )
    assert checked.status_code == 302
    assert "langkah=periksa" in checked.headers["Location"]
    assert "laporan.pdf" in client.get(checked.headers["Location"]).content.decode()  # the check page
    assert not Case.objects.exists()
    response = client.post("/layanan/kk-hilang/ajukan/", {"subject": "self", "intent": "submit"})

    case = Case.objects.get()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/kasus/{case.tracking}/?terkirim=1"
    page = client.get(f"/kasus/{case.tracking}/").content.decode()
    assert case.tracking in page
    assert "menunggu" in page


def test_form_errors_are_shown_beside_their_fields_and_uploads_are_kept(client: Client, warga1: User) -> None:
    client.force_login(warga1)

    response = client.post(
        "/layanan/kk-hilang/ajukan/",
        {
            "subject": "self",
            "intent": "check",
            "f_full_name": "",
            "f_kk_number": "12",
            "f_lost_or_damaged": "hilang",
            "doc_laporan-kehilangan": _pdf("laporan.pdf"),
        },
        headers={"Accept-Language": "en"},
    )

    page = response.content.decode()
    assert response.status_code == 422
    assert 'id="f_kk_number-error"' in page
    assert 'id="f_full_name-error"' in page
    assert 'name="keep_laporan-kehilangan"' in page
    assert not Case.objects.exists()


def test_a_draft_is_saved_and_comes_back(client: Client, warga1: User) -> None:
    client.force_login(warga1)

    client.post(
        "/layanan/kk-hilang/ajukan/",
        {"subject": "self", "intent": "draft", "f_full_name": "Budi Draf", "f_lost_or_damaged": "rusak"},
    )

    assert CaseDraft.objects.get().data["full_name"] == "Budi Draf"
    assert 'value="Budi Draf"' in client.get("/layanan/kk-hilang/ajukan/").content.decode()


def test_the_officer_works_the_case_in_the_back_office(client: Client, warga1: User, verifier: User) -> None:
    _api, body = submit_birth_certificate(warga1, mother_name="Siti R.")
    client.force_login(verifier)

    inbox = client.get("/kantor/DISDUKCAPIL/kotak-masuk/").content.decode()
    page = client.get(f"/kantor/DISDUKCAPIL/kasus/{body['tracking']}/").content.decode()
    acted = client.post(
        f"/kantor/DISDUKCAPIL/kasus/{body['tracking']}/",
        {"action": "start_verification", "version": str(body["version"])},
    )
    noted = client.post(f"/kantor/DISDUKCAPIL/kasus/{body['tracking']}/", {"intent": "note", "body": "Cek akta"})

    assert body["tracking"] in inbox
    assert 'class="diff"' in page  # the mother's name differs from the registry
    assert acted.status_code == 302
    assert noted.status_code == 302
    assert Case.objects.get().state == "verification"
    citizen = Client()
    citizen.force_login(warga1)
    assert "Cek akta" not in citizen.get(f"/kasus/{body['tracking']}/").content.decode()


def test_another_agency_s_inbox_is_refused_and_its_cases_not_found(
    client: Client, warga1: User, dinsos_officer: User
) -> None:
    _api, body = submit_birth_certificate(warga1)
    client.force_login(dinsos_officer)

    refused = client.get("/kantor/DISDUKCAPIL/kotak-masuk/")
    assert refused.status_code == 403  # the page exists for staff: they are told whom to ask
    assert body["tracking"] not in refused.content.decode()
    assert client.get(f"/kantor/DISDUKCAPIL/kasus/{body['tracking']}/").status_code == 404
    assert client.get(f"/kasus/{body['tracking']}/").status_code == 404


def test_the_operator_closes_a_day(client: Client, operator: User, verifier: User) -> None:
    client.force_login(operator)

    response = client.post("/kantor/kalender/", {"date": "2026-12-28", "working": "0", "reason": "Banjir"})

    assert response.status_code == 302
    assert CalendarOverride.objects.get().working is False
    officer = Client()
    officer.force_login(verifier)
    assert officer.get("/kantor/kalender/").status_code == 403


def test_a_saved_draft_can_be_discarded_from_the_form(client: Client, warga1: User) -> None:
    client.force_login(warga1)
    client.post("/layanan/kk-hilang/ajukan/", {"subject": "self", "intent": "draft", "f_full_name": "Budi Draf"})
    page = client.get("/layanan/kk-hilang/ajukan/").content.decode()
    assert 'action="/layanan/kk-hilang/hapus-draf/"' in page

    asked = client.post("/layanan/kk-hilang/hapus-draf/", {"subject": "self"})
    assert asked.status_code == 200  # "are you sure?" first: nothing deleted yet
    assert CaseDraft.objects.exists()

    response = client.post("/layanan/kk-hilang/hapus-draf/", {"subject": "self", "confirmed": "1"})

    assert response.status_code == 302
    assert not CaseDraft.objects.exists()
