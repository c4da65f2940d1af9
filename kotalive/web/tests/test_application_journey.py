"""The citizen's application journey (issue 14): the form, "check your answers", the confirmation page, the step
indicator, the notification banner of a revision request with its resubmission, the submitted answers on the case
page, and drafts in "My applications". Without JavaScript throughout."""

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from kotalive.accounts.models import User
from kotalive.cases.models import Case, CaseDocument, CaseDraft
from kotalive.cases.tests.fixtures import PDF, birth_certificate_data, submit_birth_certificate
from kotalive.conftest import bearer_client
from kotalive.web.steps import application_steps

pytestmark = pytest.mark.django_db

EN = {"Accept-Language": "en"}
APPLY = "/layanan/akta-kelahiran/ajukan/"


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _birth_form(**overrides: Any) -> dict[str, Any]:
    data = birth_certificate_data()
    form: dict[str, Any] = {"subject": "self", "intent": "check"}
    form.update({f"f_{name}": str(value) for name, value in data.items()})
    form.update({"doc_buku-nikah": _pdf("buku-nikah.pdf"), "doc_kk": _pdf("kartu-keluarga.pdf")})
    form.update(overrides)
    return form


def _citizen(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _act(officer: Client, tracking: str, action: str, **more: Any) -> dict[str, Any]:
    version = Case.objects.get(tracking=tracking).version
    response = officer.post(
        f"/api/v1/cases/{tracking}/transitions",
        {"action": action, "version": version, **more},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return dict(response.json())


def _revision_asked(warga1: User, verifier: User, **more: Any) -> str:
    _api, body = submit_birth_certificate(warga1)
    officer = bearer_client(verifier)
    _act(officer, body["tracking"], "start_verification")
    _act(officer, body["tracking"], "request_revision", reason="Buku nikah tidak terbaca", **more)
    return str(body["tracking"])


# --- the step indicator -------------------------------------------------------------------------------------------


def test_the_steps_are_the_service_s_own_road_from_submission_to_issue(warga1: User) -> None:
    _api, body = submit_birth_certificate(warga1)
    case = Case.objects.get(tracking=body["tracking"])

    steps = application_steps(case)

    assert [s.label for s in steps] == ["Diajukan", "Verifikasi berkas", "Diproses", "Menunggu persetujuan", "Selesai"]
    assert [s.status for s in steps] == ["current", "upcoming", "upcoming", "upcoming", "upcoming"]


def test_the_steps_come_from_any_definition_and_a_wait_for_another_agency_stays_on_its_step() -> None:
    from types import SimpleNamespace

    from kotalive.workflow.definitions import WAITING_STATE, Definition

    definition = Definition(
        {
            "initial": "masuk",
            "states": [
                {"code": "masuk", "category": "submitted", "label": {"id": "Masuk", "en": "Received"}},
                {"code": "cek", "category": "in_progress", "label": {"id": "Pengecekan lapangan", "en": "Site check"}},
                {"code": "tolak", "category": "rejected", "label": {"id": "Ditolak", "en": "Refused"}},
                {"code": "izin", "category": "completed", "label": {"id": "Izin terbit", "en": "Permit issued"}},
            ],
            "transitions": [
                {"action": "tolak", "from": ["masuk", "cek"], "to": "tolak", "roles": ["verifier"]},
                {"action": "cek", "from": ["masuk"], "to": "cek", "roles": ["verifier"]},
                {"action": "terbit", "from": ["cek"], "to": "izin", "roles": ["approver"]},
            ],
        }
    )
    waiting = SimpleNamespace(workflow=SimpleNamespace(parsed=definition), state=WAITING_STATE, resume_state="cek")
    refused = SimpleNamespace(workflow=SimpleNamespace(parsed=definition), state="tolak", resume_state="")

    steps = application_steps(waiting)
    ended = application_steps(refused, visited=["masuk", "cek", "tolak"])

    assert [(s.label, s.status) for s in steps] == [
        ("Masuk", "done"),
        ("Pengecekan lapangan", "current"),
        ("Izin terbit", "upcoming"),
    ]
    assert steps[1].note == "Menunggu jawaban instansi lain"
    assert [(s.label, s.status) for s in ended] == [
        ("Masuk", "done"),
        ("Pengecekan lapangan", "done"),
        ("Ditolak", "ended"),
    ]


def test_a_revision_keeps_the_application_at_the_step_that_asked_with_what_it_waits_for(
    warga1: User, verifier: User
) -> None:
    tracking = _revision_asked(warga1, verifier, requirements=["buku-nikah"])
    case = Case.objects.get(tracking=tracking)

    steps = application_steps(case)

    assert [s.status for s in steps] == ["done", "current", "upcoming", "upcoming", "upcoming"]
    assert steps[1].note == "Perlu perbaikan dari pemohon"


def test_a_cancelled_application_ends_with_its_own_end_state_never_as_completed(warga1: User) -> None:
    _api, body = submit_birth_certificate(warga1)
    citizen = _citizen(warga1)
    url = f"/kasus/{body['tracking']}/"

    asked = citizen.post(url, {"action": "cancel", "version": str(body["version"]), "reason": "Salah layanan"})
    assert asked.status_code == 200  # "are you sure?" first
    assert Case.objects.get().state == "submitted"
    done = citizen.post(
        url, {"action": "cancel", "version": str(body["version"]), "reason": "Salah layanan", "confirmed": "1"}
    )

    assert done.status_code == 302
    steps = application_steps(Case.objects.get())
    assert [(s.label, s.status) for s in steps] == [("Diajukan", "done"), ("Dibatalkan", "ended")]
    page = citizen.get(url).content.decode()
    assert "step-ended" in page
    assert "Selesai" not in page
    assert "badge-dibatalkan" in page


def test_a_rejected_application_s_steps_in_my_applications_match_its_own_page(warga1: User, verifier: User) -> None:
    _api, body = submit_birth_certificate(warga1)
    officer = bearer_client(verifier)
    _act(officer, body["tracking"], "start_verification")
    _act(officer, body["tracking"], "verify")
    _act(officer, body["tracking"], "submit_for_approval")
    _act(officer, body["tracking"], "reject", reason="Data orang tua tidak sesuai")
    citizen = _citizen(warga1)

    def steps_of(html: str) -> list[str]:
        road = html.split('<ol class="steps', 1)[1].split("</ol>", 1)[0]
        return re.findall(r'class="step step-(\w+)"', road)

    own = steps_of(citizen.get(f"/kasus/{body['tracking']}/").content.decode())
    assert own == ["done", "done", "done", "done", "ended"]  # submitted, verification, processing, approval, rejected
    assert steps_of(citizen.get("/kasus/").content.decode()) == own


def test_the_cancel_button_is_the_lesser_one_behind_a_confirmation(warga1: User) -> None:
    _api, body = submit_birth_certificate(warga1)

    page = _citizen(warga1).get(f"/kasus/{body['tracking']}/", headers=EN).content.decode()

    assert '<button type="submit" class="danger">Cancel the application</button>' in page
    assert "You will be asked to confirm." in page


# --- check your answers and the confirmation ----------------------------------------------------------------------


def test_the_check_page_shows_every_answer_in_words_and_keeps_the_uploads(warga1: User) -> None:
    citizen = _citizen(warga1)

    checked = citizen.post(APPLY, _birth_form())

    assert checked.status_code == 302
    assert not Case.objects.exists()  # nothing sent before the citizen says so
    page = citizen.get(checked.headers["Location"]).content.decode()
    assert "Laki-laki" in page  # the option's label, never its stored value "L"
    assert "Rumah sakit" in page
    assert "rumah-sakit" not in page
    assert "20-11-2026" in page  # day-month-year
    assert "<dd>Bayu Santoso</dd>" in page.split("<h2>", 2)[1]  # for the newborn, not "Myself"
    assert "buku-nikah.pdf" in page
    assert "kartu-keluarga.pdf" in page
    assert 'href="/layanan/akta-kelahiran/ajukan/?subject=self#f_child_sex"' in page  # "Change"
    assert 'name="intent" value="submit"' in page
    # "Change" goes back to the form with the answers and the files kept
    form = citizen.get("/layanan/akta-kelahiran/ajukan/?subject=self").content.decode()
    assert 'value="Bayu Santoso"' in form
    assert 'name="keep_buku-nikah"' in form


def test_the_check_page_speaks_english_on_request(warga1: User) -> None:
    citizen = _citizen(warga1)
    checked = citizen.post(APPLY, _birth_form())

    page = citizen.get(checked.headers["Location"], headers=EN).content.decode()

    assert "Check your answers" in page
    assert "Male" in page
    assert "Hospital" in page


def test_submitting_from_the_check_page_files_the_case_and_confirms_what_happens_next(warga1: User) -> None:
    citizen = _citizen(warga1)
    citizen.post(APPLY, _birth_form())

    sent = citizen.post(APPLY, {"subject": "self", "intent": "submit"})

    case = Case.objects.get()
    assert sent.status_code == 302
    assert sent.headers["Location"] == f"/kasus/{case.tracking}/?terkirim=1"
    assert not CaseDraft.objects.exists()  # the kept answers went into the case
    assert set(CaseDocument.objects.filter(case=case).values_list("requirement", flat=True)) == {"buku-nikah", "kk"}
    page = citizen.get(sent.headers["Location"], headers=EN).content.decode()
    assert case.tracking in page
    assert "What happens next" in page
    assert case.due_at is not None
    assert f"working days, by {timezone.localtime(case.due_at).strftime('%d-%m-%Y')}." in page
    assert f'href="/kasus/{case.tracking}/"' in page


def test_a_submit_without_kept_answers_sends_nothing(warga1: User) -> None:
    citizen = _citizen(warga1)

    response = citizen.post(APPLY, {"subject": "self", "intent": "submit"})

    assert response.status_code == 302
    assert not Case.objects.exists()


# --- errors -------------------------------------------------------------------------------------------------------


def test_every_error_of_a_submit_is_shown_at_once_uploads_included(warga1: User) -> None:
    citizen = _citizen(warga1)
    broken = SimpleUploadedFile("buku-nikah.pdf", b"not a pdf at all", content_type="application/pdf")

    response = citizen.post(APPLY, _birth_form(f_child_name="", **{"doc_buku-nikah": broken}), headers=EN)

    page = response.content.decode()
    assert response.status_code == 422
    summary = page.split("data-error-summary>", 1)[1].split("</div>", 1)[0]
    assert '<a href="#f_child_name">Child&#x27;s name is required.</a>' in summary
    assert 'href="#doc_buku-nikah">The file for Marriage book or certificate is not a PDF' in summary
    assert 'id="f_child_name-error"' in page
    assert 'name="keep_kk"' in page  # the good upload is kept for the next try
    assert not Case.objects.exists()


def test_a_wrong_choice_is_a_sentence_naming_the_field_never_the_stored_values(warga1: User) -> None:
    citizen = _citizen(warga1)

    response = citizen.post(APPLY, _birth_form(f_birth_facility="kapal"), headers=EN)

    page = response.content.decode()
    assert response.status_code == 422
    assert "Choose an answer for Where the birth took place." in page
    assert "rumah-sakit, puskesmas" not in page


def test_a_missing_document_is_a_sentence_naming_it(warga1: User) -> None:
    citizen = _citizen(warga1)
    form = _birth_form()
    del form["doc_kk"]

    response = citizen.post(APPLY, form, headers=EN)

    assert response.status_code == 422
    assert 'href="#doc_kk">Upload Family card (KK): it is required.</a>' in response.content.decode()


# --- the revision request -----------------------------------------------------------------------------------------


def test_a_revision_request_is_a_banner_naming_the_documents_and_preselecting_them(
    warga1: User, verifier: User
) -> None:
    tracking = _revision_asked(warga1, verifier, requirements=["buku-nikah"])

    page = _citizen(warga1).get(f"/kasus/{tracking}/", headers=EN).content.decode()

    banner = page.split('id="resubmit"', 1)[1].split("</section>", 1)[0]
    assert "<strong>Marriage book or certificate</strong>" in banner
    assert "Buku nikah tidak terbaca" in banner
    first_input = re.search(r'<input type="file" id="re_([a-z-]+)"', banner)
    assert first_input is not None
    assert first_input.group(1) == "buku-nikah"  # asked first, outside "other documents"
    assert "(asked to fix)" in banner
    assert "web/resubmit" in page  # the script that keeps Resubmit disabled until a file is chosen


def test_an_unchanged_resubmit_is_refused_with_a_sentence_naming_the_document(warga1: User, verifier: User) -> None:
    tracking = _revision_asked(warga1, verifier, requirements=["buku-nikah"])
    citizen = _citizen(warga1)
    version = Case.objects.get().version

    response = citizen.post(
        f"/kasus/{tracking}/", {"intent": "resubmit", "action": "resubmit", "version": str(version)}, headers=EN
    )

    assert response.status_code == 422
    assert "Replace Marriage book or certificate before you resubmit" in response.content.decode()
    assert Case.objects.get().state == "revision_requested"


def test_a_resubmit_with_the_corrected_file_goes_back_to_verification(warga1: User, verifier: User) -> None:
    tracking = _revision_asked(warga1, verifier, requirements=["buku-nikah"])
    citizen = _citizen(warga1)
    version = Case.objects.get().version

    response = citizen.post(
        f"/kasus/{tracking}/",
        {"intent": "resubmit", "action": "resubmit", "version": str(version), "doc_buku-nikah": _pdf("baru.pdf")},
    )

    assert response.status_code == 302
    case = Case.objects.get()
    assert case.state == "verification"
    assert (
        CaseDocument.objects.get(case=case, requirement="buku-nikah", current=True).upload.original_name == "baru.pdf"
    )


def test_a_resubmit_refused_for_a_stale_version_replaces_no_document(warga1: User, verifier: User) -> None:
    tracking = _revision_asked(warga1, verifier, requirements=["buku-nikah"])
    citizen = _citizen(warga1)
    before = CaseDocument.objects.get(requirement="buku-nikah", current=True).upload_id
    stale = Case.objects.get().version - 1

    response = citizen.post(
        f"/kasus/{tracking}/",
        {"intent": "resubmit", "action": "resubmit", "version": str(stale), "doc_buku-nikah": _pdf("baru.pdf")},
    )

    assert response.status_code == 409
    assert Case.objects.get().state == "revision_requested"
    assert CaseDocument.objects.get(requirement="buku-nikah", current=True).upload_id == before  # all or nothing


def test_the_api_refuses_an_unchanged_resubmit_too(warga1: User, verifier: User) -> None:
    tracking = _revision_asked(warga1, verifier, requirements=["buku-nikah"])

    response = bearer_client(warga1).post(
        f"/api/v1/cases/{tracking}/transitions",
        {"action": "resubmit", "version": Case.objects.get().version},
        content_type="application/json",
    )

    assert response.status_code == 422
    assert Case.objects.get().state == "revision_requested"


def test_a_revision_naming_no_document_is_answered_by_a_note(warga1: User, verifier: User) -> None:
    tracking = _revision_asked(warga1, verifier)
    citizen = _citizen(warga1)
    version = str(Case.objects.get().version)

    refused = citizen.post(f"/kasus/{tracking}/", {"intent": "resubmit", "action": "resubmit", "version": version})
    answered = citizen.post(
        f"/kasus/{tracking}/",
        {"intent": "resubmit", "action": "resubmit", "version": version, "reason": "Alamat sudah saya perbaiki"},
    )

    assert refused.status_code == 422
    assert answered.status_code == 302
    assert Case.objects.get().state == "verification"


# --- the case page and "My applications" --------------------------------------------------------------------------


def test_the_case_page_shows_what_was_submitted_in_words(warga1: User) -> None:
    _api, body = submit_birth_certificate(warga1)

    page = _citizen(warga1).get(f"/kasus/{body['tracking']}/").content.decode()

    assert "Laki-laki" in page
    assert "20-11-2026" in page
    assert "Rumah sakit" in page
    assert "Buku nikah / akta perkawinan" in page
    assert 'class="steps' in page


def test_a_draft_is_listed_in_my_applications_to_continue_or_discard(warga1: User) -> None:
    citizen = _citizen(warga1)
    citizen.post(APPLY, _birth_form(intent="draft"))

    page = citizen.get("/kasus/").content.decode()

    assert "Akta kelahiran" in page
    assert 'href="/layanan/akta-kelahiran/ajukan/?subject=self"' in page
    assert 'action="/layanan/akta-kelahiran/hapus-draf/"' in page
    assert 'class="danger"' in page
    asked = citizen.post("/layanan/akta-kelahiran/hapus-draf/", {"subject": "self", "back": "cases"})
    assert asked.status_code == 200
    assert 'href="/kasus/"' in asked.content.decode()  # "No, go back"
    assert CaseDraft.objects.exists()
    gone = citizen.post("/layanan/akta-kelahiran/hapus-draf/", {"subject": "self", "back": "cases", "confirmed": "1"})
    assert gone.headers["Location"] == "/kasus/"
    assert not CaseDraft.objects.exists()


def test_another_family_s_citizen_sees_neither_the_case_nor_the_draft(warga1: User, warga3: User) -> None:
    _api, body = submit_birth_certificate(warga1)
    _citizen(warga1).post(APPLY, _birth_form(intent="draft"))
    other = _citizen(warga3)

    assert other.get(f"/kasus/{body['tracking']}/?terkirim=1").status_code == 404
    assert "Akta kelahiran" not in other.get("/kasus/").content.decode()
    assert other.post(APPLY, {"subject": "self", "intent": "submit"}).status_code == 302
    assert Case.objects.count() == 1


def test_the_case_page_and_the_list_read_in_a_pinned_number_of_queries(
    warga1: User, verifier: User, django_assert_num_queries: Any
) -> None:
    _api, first = submit_birth_certificate(warga1)
    citizen = _citizen(warga1)
    citizen.get("/kasus/")  # the session row is warm

    with django_assert_num_queries(8):  # session, user, case, steps, messages, documents, output, unread count
        citizen.get(f"/kasus/{first['tracking']}/")
    with django_assert_num_queries(7):
        citizen.get("/kasus/")
    submit_birth_certificate(warga1, child_name="Bunga Santoso", child_birth_date="2026-11-21")
    citizen.post(APPLY, _birth_form(intent="draft", f_child_name="Citra Santoso"))
    with django_assert_num_queries(7):  # more applications and a draft: the same queries
        citizen.get("/kasus/")
    officer = bearer_client(verifier)
    _act(officer, first["tracking"], "start_verification")
    _act(officer, first["tracking"], "request_revision", reason="Buram", requirements=["kk"])
    with django_assert_num_queries(10):  # and the revision request, and whether it was answered
        citizen.get(f"/kasus/{first['tracking']}/")


# --- in a real browser --------------------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_resubmit_stays_disabled_until_a_corrected_file_is_chosen_in_a_phone_browser(
    live_server: Any, personas: dict[str, User]
) -> None:
    import os

    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import FilePayload, sync_playwright

    from kotalive.conftest import DEMO_PASSWORD

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the ORM below runs beside Playwright's loop
    tracking = _revision_asked(personas["warga1"], personas["dukcapil.verifikator"], requirements=["buku-nikah"])
    flags = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=flags, headless=True)
        page = browser.new_context(viewport={"width": 360, "height": 740}, locale="id-ID").new_page()
        page.goto(f"{live_server.url}/masuk/")
        page.fill("#id_login", "warga1")
        page.fill("#id_password", DEMO_PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_load_state()
        page.goto(f"{live_server.url}/kasus/{tracking}/")

        button = page.locator("#resubmit button[type=submit]")
        assert button.is_disabled()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        violations = [v["id"] for v in Axe().run(page).response["violations"] if v["impact"] in {"serious", "critical"}]
        assert violations == []
        corrected: FilePayload = {"name": "baru.pdf", "mimeType": "application/pdf", "buffer": PDF}
        page.set_input_files("#re_buku-nikah", files=[corrected])
        assert button.is_enabled()
        button.click()
        page.wait_for_load_state()
        browser.close()

    assert Case.objects.get(tracking=tracking).state == "verification"


# --- dates as people type them, and the life-event form's errors -------------------------------------------------


def test_a_date_is_typed_and_shown_day_month_year_and_kept_as_an_iso_date(warga1: User) -> None:
    citizen = _citizen(warga1)

    checked = citizen.post(APPLY, _birth_form(f_child_birth_date="20-11-2026"))

    assert checked.status_code == 302, checked.content
    assert CaseDraft.objects.get().data["child_birth_date"] == "2026-11-20"
    form = citizen.get("/layanan/akta-kelahiran/ajukan/?subject=self").content.decode()
    assert 'value="20-11-2026"' in form  # shown back the way it was typed
    assert 'placeholder="DD-MM-YYYY"' in form


def test_a_date_that_is_no_date_is_a_sentence_naming_the_field(warga1: User) -> None:
    citizen = _citizen(warga1)

    response = citizen.post(APPLY, _birth_form(f_child_birth_date="31-02-2026"), headers=EN)

    assert response.status_code == 422
    assert "Enter Child&#x27;s date of birth as a real date: day, month and year." in response.content.decode()
    assert not CaseDraft.objects.exists()


def test_the_life_event_form_shows_every_problem_at_once_in_its_summary(warga1: User) -> None:
    citizen = _citizen(warga1)
    broken = SimpleUploadedFile("kk.pdf", b"not a pdf at all", content_type="application/pdf")

    response = citizen.post("/layanan/peristiwa/kelahiran/", {"f_child_name": "", "doc_kk": broken}, headers=EN)

    page = response.content.decode()
    assert response.status_code == 422
    summary = page.split("data-error-summary>", 1)[1].split("</div>", 1)[0]
    assert 'href="#f_child_name"' in summary  # the form's answers are checked although an upload failed
    assert 'href="#doc_kk"' in summary
    assert not Case.objects.exists()
