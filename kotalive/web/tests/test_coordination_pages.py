"""Coordination in the back office, as officers use it: DISDUKCAPIL asks DINKES from the case's page; DINKES finds
the request in its coordination inbox and answers it there; the case page shows the answer as an internal note."""

from django.test import Client

from kotalive.accounts.models import User
from kotalive.cases.tests.fixtures import submit_birth_certificate
from kotalive.coordination.models import CoordinationRequest


def test_an_officer_asks_from_the_case_page_and_the_other_agency_answers_from_its_inbox(
    warga1: User, verifier: User, personas: dict[str, User]
) -> None:
    _applicant, case = submit_birth_certificate(warga1)
    case_page = f"/kantor/DISDUKCAPIL/kasus/{case['tracking']}/"
    officer = Client()
    officer.force_login(verifier)
    page = officer.get(case_page)
    assert page.status_code == 200
    assert "Dinas Kesehatan" in page.content.decode()  # an agency the agreements allow

    sent = officer.post(
        f"/kantor/DISDUKCAPIL/koordinasi-minta/{case['tracking']}/",
        {
            "to_agency": "DINKES",
            "kind": "verify_document",
            "message": "Mohon cek surat keterangan lahir.",
            "due_working_days": "3",
            "blocking": "1",
            "back": case_page,
        },
        follow=True,
    )
    assert sent.redirect_chain[-1][0] == case_page
    request = CoordinationRequest.objects.get()
    assert request.tracking in sent.content.decode()

    dinkes = Client()
    dinkes.force_login(personas["dinkes.petugas"])
    inbox = dinkes.get("/kantor/DINKES/koordinasi/")
    assert request.tracking in inbox.content.decode()
    assert dinkes.get("/kantor/DISDUKCAPIL/koordinasi/").status_code == 403  # not their agency: told so
    request_page = f"/kantor/DINKES/koordinasi/{request.tracking}/"
    answered = dinkes.post(
        request_page,
        {"action": "answer", "version": request.version, "reason": "Surat sah, terdaftar di RSU."},
        follow=True,
    )
    assert answered.status_code == 200
    assert CoordinationRequest.objects.get().state == "answered"

    assert "terdaftar di RSU" in officer.get(case_page).content.decode()


def test_a_refused_request_says_why_on_the_page_it_came_from(warga1: User, verifier: User) -> None:
    _applicant, case = submit_birth_certificate(warga1)
    case_page = f"/kantor/DISDUKCAPIL/kasus/{case['tracking']}/"
    officer = Client()
    officer.force_login(verifier)

    sent = officer.post(
        f"/kantor/DISDUKCAPIL/koordinasi-minta/{case['tracking']}/",
        {"to_agency": "DINKES", "kind": "verify_document", "message": "", "due_working_days": "x", "back": case_page},
        follow=True,
    )

    assert sent.redirect_chain[-1][0] == case_page
    text = sent.content.decode()
    assert "message" in text
    assert "due_working_days" in text
    assert not CoordinationRequest.objects.exists()


def test_files_go_with_the_request_and_the_answer_and_only_the_two_agencies_download_them(
    warga1: User, verifier: User, personas: dict[str, User]
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kotalive.cases.tests.fixtures import PDF, PNG

    _applicant, case = submit_birth_certificate(warga1)
    officer = Client()
    officer.force_login(verifier)
    officer.post(
        f"/kantor/DISDUKCAPIL/koordinasi-minta/{case['tracking']}/",
        {
            "to_agency": "DINKES",
            "kind": "verify_document",
            "message": "Mohon cek surat terlampir.",
            "due_working_days": "3",
            "attachments": [SimpleUploadedFile("surat.pdf", PDF)],
        },
    )
    request = CoordinationRequest.objects.get()
    dinkes = Client()
    dinkes.force_login(personas["dinkes.petugas"])
    page = f"/kantor/DINKES/koordinasi/{request.tracking}/"
    dinkes.post(
        page,
        {
            "action": "answer",
            "version": request.version,
            "reason": "Sah.",
            "attachments": [SimpleUploadedFile("a.png", PNG)],
        },
    )

    stages = dict(request.attachments.values_list("stage", "upload__kind"))
    assert stages == {"request": "pdf", "answer": "png"}
    links = [a.upload_id for a in request.attachments.order_by("added_at")]
    shown = dinkes.get(page).content.decode()
    assert all(str(link) in shown for link in links)
    download = officer.get(f"/kantor/DISDUKCAPIL/koordinasi/{request.tracking}/lampiran/{links[1]}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"\x89PNG")  # type: ignore[attr-defined]
    outsider = Client()
    outsider.force_login(personas["dinsos.petugas"])
    assert outsider.get(f"/kantor/DINSOS/koordinasi/{request.tracking}/lampiran/{links[0]}/").status_code == 404
    # A file that is not a PDF, JPEG or PNG is refused with its reason, and nothing is sent.
    refused = officer.post(
        f"/kantor/DISDUKCAPIL/koordinasi-minta/{case['tracking']}/",
        {
            "to_agency": "DINKES",
            "kind": "opinion",
            "message": "Pendapat?",
            "due_working_days": "3",
            "attachments": [SimpleUploadedFile("x.exe", b"MZ\x90\x00not a document")],
        },
        follow=True,
    )
    assert CoordinationRequest.objects.count() == 1
    assert refused.status_code == 200
