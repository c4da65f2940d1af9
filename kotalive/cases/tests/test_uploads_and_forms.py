import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from kotalive.accounts.models import User
from kotalive.cases.tests.fixtures import PNG, submit_birth_certificate, upload
from kotalive.conftest import bearer_client
from kotalive.core.models import AuditEntry, Upload
from kotalive.demo.data import ANDI, PUTRI
from kotalive.registry.models import RegistryAccess
from kotalive.registry.selectors import person_find_by_nik

pytestmark = pytest.mark.django_db


def test_a_file_is_accepted_by_its_content_not_its_name(warga1: User) -> None:
    client = bearer_client(warga1)

    renamed_png = client.post("/api/v1/uploads", {"file": SimpleUploadedFile("ktp.pdf", PNG)})
    script = client.post("/api/v1/uploads", {"file": SimpleUploadedFile("scan.pdf", b"#!/bin/sh\nrm -rf /\n")})

    assert renamed_png.status_code == 201
    assert renamed_png.json()["kind"] == "png"
    assert script.status_code == 422
    assert script.json()["errors"][0]["field"] == "file"
    assert Upload.objects.count() == 1


@override_settings(KOTALIVE_UPLOAD_MAX_BYTES=1024)
def test_a_file_over_the_limit_is_refused(warga1: User) -> None:
    response = bearer_client(warga1).post(
        "/api/v1/uploads", {"file": SimpleUploadedFile("a.pdf", b"%PDF-" + b"0" * 2000)}
    )

    assert response.status_code == 422
    assert not Upload.objects.exists()


def test_uploads_are_stored_outside_the_web_root_under_a_random_name(warga1: User, settings: object) -> None:
    upload(bearer_client(warga1), name="../../etc/passwd.pdf")

    stored = Upload.objects.get()
    assert stored.file.path.startswith(str(settings.MEDIA_ROOT))  # type: ignore[attr-defined]
    assert "passwd" not in str(stored.file.name)


def test_documents_are_served_only_to_those_who_see_the_case(
    warga1: User, warga3: User, verifier: User, dinsos_officer: User
) -> None:
    _client, case = submit_birth_certificate(warga1)
    url = case["documents"][0]["url"]

    assert bearer_client(warga1).get(url).status_code == 200
    assert bearer_client(verifier).get(url).status_code == 200
    assert bearer_client(warga3).get(url).status_code == 404
    assert bearer_client(dinsos_officer).get(url).status_code == 404
    assert Client().get(url).status_code == 401


def test_someone_else_s_upload_cannot_be_attached(warga1: User, warga2: User) -> None:
    foreign = upload(bearer_client(warga2))
    client = bearer_client(warga1)

    response = client.post(
        "/api/v1/cases",
        {
            "service": "kk-hilang",
            "data": {"full_name": "Budi Santoso", "kk_number": "3671051501209001", "lost_or_damaged": "hilang"},
            "documents": {"laporan-kehilangan": foreign},
        },
        content_type="application/json",
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "documents.laporan-kehilangan"


def test_the_form_is_prefilled_from_the_registry_for_the_subject(warga1: User) -> None:
    andi = person_find_by_nik(nik=ANDI.nik)
    assert andi is not None
    client = bearer_client(warga1)

    own = client.get("/api/v1/services/kk-hilang/form").json()
    child = client.get("/api/v1/services/kia/form", {"subject": str(andi.pk)}).json()

    assert own["prefill"]["kk_number"] == "3671051501209001"
    assert own["schema"]["properties"]["kk_number"]["x-prefill"] == "kk_number"
    assert child["prefill"]["full_name"] == "Andi Pratama"
    assert child["prefill"]["mother_name"] == "Siti Rahmawati"


def test_a_person_outside_the_family_is_not_a_subject(warga1: User, warga3: User) -> None:
    dewi = warga3.citizen.person  # type: ignore[attr-defined]
    assert dewi is not None

    response = bearer_client(warga1).get("/api/v1/services/kia/form", {"subject": str(dewi.pk)})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "subject"


def test_a_parent_applies_for_a_child_and_the_prefill_is_recorded(warga1: User, warga2: User) -> None:
    putri = person_find_by_nik(nik=PUTRI.nik)
    assert putri is not None
    client = bearer_client(warga1)
    form = client.get("/api/v1/services/kia/form", {"subject": str(putri.pk)}).json()
    documents = {"akta-kelahiran": upload(client), "kk": upload(client), "ktp-el": upload(client)}

    response = client.post(
        "/api/v1/cases",
        {"service": "kia", "subject": str(putri.pk), "data": form["prefill"], "documents": documents},
        content_type="application/json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["subject_name"] == "Putri Lestari"
    assert set(body["prefilled"]) >= {"full_name", "nik", "birth_date", "mother_name"}
    read = RegistryAccess.objects.get(channel="prefill", person=putri)  # shown to Putri's family on "my data"
    assert body["tracking"] in read.purpose
    assert read.legal_basis.startswith("UU 24/2013")
    assert AuditEntry.objects.filter(action="registry.read", object_id=str(putri.pk)).exists()
    # the other parent is neither the applicant nor the subject: the case stays hidden from them
    assert bearer_client(warga2).get(f"/api/v1/cases/{body['tracking']}").status_code == 404


def test_an_unverified_contact_cannot_apply(warga1: User) -> None:
    warga1.phone_verified_at = warga1.email_verified_at = None
    warga1.save(update_fields=["phone_verified_at", "email_verified_at"])

    response = bearer_client(warga1).post(
        "/api/v1/cases", {"service": "kk-hilang", "data": {}}, content_type="application/json"
    )

    assert response.status_code == 422
    assert response.json()["code"] == "contact_unverified"


def test_services_are_listed_and_described(client: Client, reference: None) -> None:
    listed = client.get("/api/v1/services", {"agency": "DISDUKCAPIL"}).json()
    detail = client.get("/api/v1/services/akta-kelahiran").json()

    assert len(listed) == 15
    assert {s["agency"] for s in client.get("/api/v1/services").json()} == {
        "DISDUKCAPIL",
        "DINSOS",
        "DISNAKER",
        "DINKES",
    }
    assert detail["form_schema"]["$schema"].endswith("2020-12/schema")
    assert detail["sla_working_days"] == 3
    assert detail["standard"]["cost"]
    assert [s["code"] for s in client.get("/api/v1/services", {"q": "kelahiran"}).json()] == ["akta-kelahiran"]


def test_family_member_ids_from_me_are_the_subjects_of_the_form(warga1: User) -> None:
    client = bearer_client(warga1)
    andi = next(m for m in client.get("/api/v1/me").json()["family"] if m["full_name"] == "Andi Pratama")

    form = client.get("/api/v1/services/kia/form", {"subject": str(andi["id"])})

    assert form.status_code == 200
    assert form.json()["prefill"]["full_name"] == "Andi Pratama"
