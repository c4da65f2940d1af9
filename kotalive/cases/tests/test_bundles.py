"""Life-event bundles: one form fans out into applications at several agencies, the newborn's NIK flows from the
birth certificate into the later parts, and the bundle ends when its parts do."""

import datetime as dt
import functools
import threading
import time
from typing import Any

import jsonschema
import pytest
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from kotalive.accounts.models import User
from kotalive.cases.models import Bundle, BundleOffer, Case
from kotalive.cases.services import case_transition
from kotalive.cases.tests.fixtures import birth_certificate_data, submit_birth_certificate, upload
from kotalive.conftest import bearer_client
from kotalive.core.tests.simultaneous import at_once
from kotalive.events.catalogue import event_types
from kotalive.events.models import OutboxEvent
from kotalive.events.tests.helpers import drain
from kotalive.notifications.models import Notification
from kotalive.registry.identity import parse_nik
from kotalive.registry.models import Person
from kotalive.workflow.models import WorkflowStep

APPROVE = ["start_verification", "verify", "submit_for_approval", "approve"]


def birth_data(**overrides: Any) -> dict[str, Any]:
    data = birth_certificate_data(child_name="Bayu Santoso", child_sex="L", child_birth_date="2026-11-20")
    return {**data, "faskes": "Puskesmas Cipondoh", **overrides}


def file_birth(client: Client, **data: Any) -> Any:
    documents = {"buku-nikah": upload(client), "kk": upload(client), "ktp-el": upload(client)}
    return client.post(
        "/api/v1/bundles",
        {"kind": "kelahiran", "data": birth_data(**data), "documents": documents},
        content_type="application/json",
    )


def act(user: User, tracking: str, action: str, reason: str = "") -> dict[str, Any]:
    client = bearer_client(user)
    version = client.get(f"/api/v1/cases/{tracking}").json()["version"]
    response = client.post(
        f"/api/v1/cases/{tracking}/transitions",
        {"action": action, "version": version, "reason": reason},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()


def complete(tracking: str, *, officer: User, approver: User) -> None:
    for action in APPROVE:
        act(approver if action == "approve" else officer, tracking, action)


def parts_by_service(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["service"]: p for p in body["parts"]}


@pytest.fixture
def dinkes(personas: dict[str, User]) -> User:
    return personas["dinkes.petugas"]


@pytest.fixture
def kadis(personas: dict[str, User]) -> User:
    return personas["dukcapil.kadis"]


def test_the_kinds_and_their_one_form_are_listed(warga1: User) -> None:
    client = bearer_client(warga1)
    kinds = {k["kind"]: k for k in client.get("/api/v1/bundles").json()}
    assert [p["service"] for p in kinds["kelahiran"]["parts"]] == [
        "akta-kelahiran",
        "kk-perubahan",
        "kia",
        "jkn-pendaftaran",
    ]
    assert {p["agency"] for p in kinds["kelahiran"]["parts"]} == {"DISDUKCAPIL", "DINKES"}
    form = client.get("/api/v1/bundles/kelahiran/form").json()
    assert "child_name" in form["schema"]["properties"]
    # The parents' data comes from the registry: the citizen does not type it again.
    assert form["prefill"]["kk_number"] == "3671051501209001"
    assert form["prefill"]["mother_name"] == "Siti Rahmawati"
    death = client.get("/api/v1/bundles/kematian/form").json()
    assert {s["name"] for s in death["subjects"]} == {"Siti Rahmawati", "Andi Pratama", "Putri Lestari"}


def test_a_birth_fans_out_and_the_newborn_s_nik_reaches_the_later_parts(
    warga1: User, verifier: User, kadis: User, dinkes: User
) -> None:
    client = bearer_client(warga1)
    response = file_birth(client)
    assert response.status_code == 201, response.content
    body = response.json()
    parts = parts_by_service(body)
    # Every part has its number at once; only the birth certificate can start before the child has a NIK.
    assert parts["akta-kelahiran"]["state"] == "submitted"
    assert {parts[s]["state"] for s in ("kk-perubahan", "kia", "jkn-pendaftaran")} == {"waiting"}
    assert parts["jkn-pendaftaran"]["agency"] == "DINKES"
    assert len({p["tracking"] for p in body["parts"]}) == 4
    assert body["state"] == "in_progress"
    assert Case.objects.filter(bundle__tracking=body["tracking"]).count() == 1

    complete(parts["akta-kelahiran"]["tracking"], officer=verifier, approver=kadis)

    child = Person.objects.get(full_name="BAYU SANTOSO")
    assert child.family.kk_number == "3671051501209001"
    nik = parse_nik(child.nik)
    assert dt.date(2026, 11, 20) in nik.birth_date_candidates()
    assert child.nik[:12] == "367105201126"  # Cipondoh (36.71.05), born 20-11-26, a boy (no +40 on the day)
    after = client.get(f"/api/v1/bundles/{body['tracking']}").json()
    parts = parts_by_service(after)
    assert {parts[s]["state"] for s in ("kk-perubahan", "kia", "jkn-pendaftaran")} == {"submitted"}
    assert after["subject_name"] == "Bayu Santoso"
    kia = Case.objects.get(tracking=parts["kia"]["tracking"])
    jkn = Case.objects.get(tracking=parts["jkn-pendaftaran"]["tracking"])
    kk = Case.objects.get(tracking=parts["kk-perubahan"]["tracking"])
    assert kia.data["nik"] == child.nik
    assert jkn.data["nik"] == child.nik
    assert kia.subject_person == child
    assert jkn.subject_person == child
    assert jkn.data["faskes"] == "Puskesmas Cipondoh"
    assert child.nik in kk.data["change"]
    # The birth certificate is not asked for again: the part's output stands in for it.
    akta = Case.objects.get(tracking=parts["akta-kelahiran"]["tracking"])
    assert kia.documents_reused["akta-kelahiran"]["number"] == akta.output.number
    assert set(kia.documents.values_list("requirement", flat=True)) == {"kk", "ktp-el"}
    # DINKES sees its part in its inbox.
    inbox = bearer_client(dinkes).get("/api/v1/agency/cases?agency=DINKES").json()
    assert parts["jkn-pendaftaran"]["tracking"] in {c["tracking"] for c in inbox["items"]}

    complete(kk.tracking, officer=verifier, approver=kadis)
    complete(kia.tracking, officer=verifier, approver=kadis)
    assert client.get(f"/api/v1/bundles/{body['tracking']}").json()["state"] == "in_progress"
    complete(jkn.tracking, officer=dinkes, approver=dinkes)

    done = client.get(f"/api/v1/bundles/{body['tracking']}").json()
    assert done["state"] == "completed"
    assert done["public_status"] == "selesai"
    labels = [e["label"] for e in done["timeline"]]
    assert labels[0] in {"Life event filed", "Peristiwa hidup diajukan"}
    assert labels[-1] in {"Every part completed", "Semua bagian selesai"}
    # One timeline carries the steps of every part.
    assert {e["part"] for e in done["timeline"] if e["part"]} >= {"akta-kelahiran", "jkn-pendaftaran"}
    # Every event of the bundle carries its own number and matches its published schema.
    catalogue = event_types()
    written = list(OutboxEvent.objects.filter(subject=body["tracking"]))
    assert {"id.kotalive.bundle.submitted", "id.kotalive.bundle.part_filed", "id.kotalive.bundle.completed"} <= {
        e.type for e in written
    }
    for event in written:
        assert event.data["tracking"] == body["tracking"]
        jsonschema.Draft202012Validator(catalogue[event.type]).validate(event.data)


def test_twins_each_get_a_bundle_and_the_second_family_card_update_follows_the_first(
    warga1: User, verifier: User, kadis: User
) -> None:
    client = bearer_client(warga1)
    first = file_birth(client, child_name="Bayu Santoso", birth_order=1)
    second = file_birth(client, child_name="Bima Santoso", birth_order=2)
    assert (first.status_code, second.status_code) == (201, 201), second.content
    one, two = parts_by_service(first.json()), parts_by_service(second.json())
    complete(one["akta-kelahiran"]["tracking"], officer=verifier, approver=kadis)
    complete(two["akta-kelahiran"]["tracking"], officer=verifier, approver=kadis)

    # One family-card update per applicant is open at a time: the second twin's waits for the first's, not fails.
    two = parts_by_service(client.get(f"/api/v1/bundles/{second.json()['tracking']}").json())
    kk_first = one["kk-perubahan"]["tracking"]
    assert two["kk-perubahan"]["state"] == "waiting"
    assert two["kk-perubahan"]["waits_for"] == kk_first
    assert two["kk-perubahan"]["reason"] == ""
    assert {two[s]["state"] for s in ("kia", "jkn-pendaftaran")} == {"submitted"}
    web = Client()
    web.force_login(warga1)
    page = web.get(f"/peristiwa/{second.json()['tracking']}/").content.decode()
    assert f'href="/kasus/{kk_first}/"' in page
    assert "Bayu Santoso" in page  # the application it follows is named by its own life event, the first twin's
    waiting = OutboxEvent.objects.get(type="id.kotalive.bundle.part_waiting")
    jsonschema.Draft202012Validator(event_types()[waiting.type]).validate(waiting.data)
    assert waiting.data["waits_for"] == kk_first

    complete(kk_first, officer=verifier, approver=kadis)
    two = parts_by_service(client.get(f"/api/v1/bundles/{second.json()['tracking']}").json())
    assert two["kk-perubahan"]["state"] == "submitted"
    assert two["kk-perubahan"]["waits_for"] is None
    bima = Person.objects.get(full_name="BIMA SANTOSO")
    assert bima.nik in Case.objects.get(tracking=two["kk-perubahan"]["tracking"]).data["change"]


def _births(warga1: User, verifier: User, kadis: User, names: list[str]) -> list[tuple[str, dict[str, Any]]]:
    """File one birth per name and issue every birth certificate: each bundle's tracking number and its parts, as
    the API shows them then."""
    client = bearer_client(warga1)
    filed = [file_birth(client, child_name=name, birth_order=n + 1).json() for n, name in enumerate(names)]
    for body in filed:
        complete(parts_by_service(body)["akta-kelahiran"]["tracking"], officer=verifier, approver=kadis)
    return [(b["tracking"], parts_by_service(client.get(f"/api/v1/bundles/{b['tracking']}").json())) for b in filed]


def test_a_waiting_family_card_update_is_filed_when_the_first_is_cancelled_too(
    warga1: User, verifier: User, kadis: User
) -> None:
    (_one, first), (_two, second) = _births(warga1, verifier, kadis, ["Bayu Santoso", "Bima Santoso"])
    kk_first = first["kk-perubahan"]["tracking"]
    assert second["kk-perubahan"]["waits_for"] == kk_first

    act(warga1, kk_first, "cancel", reason="Diajukan bersama kembarannya")

    waiting = Case.objects.filter(tracking=second["kk-perubahan"]["tracking"])
    assert waiting.get().state == "submitted"


def test_triplets_family_card_updates_follow_one_another(warga1: User, verifier: User, kadis: User) -> None:
    bundles = _births(warga1, verifier, kadis, ["Bayu Santoso", "Bima Santoso", "Bagas Santoso"])
    kk = [parts["kk-perubahan"]["tracking"] for _tracking, parts in bundles]
    client = bearer_client(warga1)

    def waits_for(n: int) -> str | None:
        body = client.get(f"/api/v1/bundles/{bundles[n][0]}").json()
        return parts_by_service(body)["kk-perubahan"]["waits_for"]

    assert (waits_for(1), waits_for(2)) == (kk[0], kk[0])
    complete(kk[0], officer=verifier, approver=kadis)
    # The second is filed; the third now follows the second.
    assert Case.objects.get(tracking=kk[1]).state == "submitted"
    assert (waits_for(1), waits_for(2)) == (None, kk[1])
    complete(kk[1], officer=verifier, approver=kadis)
    assert Case.objects.get(tracking=kk[2]).state == "submitted"
    assert waits_for(2) is None


@pytest.mark.django_db(transaction=True)  # each thread has its own connection: the approvals must really commit
def test_a_family_card_update_ending_while_the_next_twin_s_is_filed_does_not_leave_it_waiting(
    warga1: User, verifier: User, kadis: User
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("simultaneous writers are a PostgreSQL deployment; SQLite queues writers (BEGIN IMMEDIATE)")
    client = bearer_client(warga1)
    first, second = (file_birth(client, child_name=n, birth_order=i + 1).json() for i, n in enumerate(["Bayu", "Bima"]))
    complete(parts_by_service(first)["akta-kelahiran"]["tracking"], officer=verifier, approver=kadis)
    kk_first = parts_by_service(client.get(f"/api/v1/bundles/{first['tracking']}").json())["kk-perubahan"]["tracking"]
    for action in APPROVE[:-1]:
        act(verifier, kk_first, action)
    birth = parts_by_service(second)["akta-kelahiran"]["tracking"]
    for action in APPROVE[:-1]:
        act(verifier, birth, action)
    ending = threading.Event()

    def end_the_first_update() -> None:
        # Approved, and the transaction kept open a moment: the second birth certificate is issued meanwhile, and
        # its family-card update meets this one still open, uncommitted.
        with transaction.atomic():
            case = Case.objects.get(tracking=kk_first)
            case_transition(actor=kadis, tracking=kk_first, action="approve", version=case.version)
            ending.set()
            time.sleep(2)

    def issue_the_second_birth_certificate() -> None:
        ending.wait(timeout=30)
        case = Case.objects.get(tracking=birth)
        case_transition(actor=kadis, tracking=birth, action="approve", version=case.version)

    at_once([end_the_first_update, issue_the_second_birth_certificate])

    part = parts_by_service(client.get(f"/api/v1/bundles/{second['tracking']}").json())["kk-perubahan"]
    assert (part["state"], part["waits_for"]) == ("submitted", None)


def test_a_rejected_part_shows_its_reason_and_the_rest_go_on(
    warga1: User, verifier: User, kadis: User, dinkes: User
) -> None:
    client = bearer_client(warga1)
    body = file_birth(client).json()
    complete(parts_by_service(body)["akta-kelahiran"]["tracking"], officer=verifier, approver=kadis)
    parts = parts_by_service(client.get(f"/api/v1/bundles/{body['tracking']}").json())
    act(verifier, parts["kia"]["tracking"], "start_verification")
    act(verifier, parts["kia"]["tracking"], "reject", reason="Foto KTP-el tidak terbaca.")
    complete(parts["kk-perubahan"]["tracking"], officer=verifier, approver=kadis)
    complete(parts["jkn-pendaftaran"]["tracking"], officer=dinkes, approver=dinkes)

    done = client.get(f"/api/v1/bundles/{body['tracking']}").json()
    assert done["state"] == "partly_completed"
    kia = parts_by_service(done)["kia"]
    assert kia["state_category"] == "rejected"
    assert kia["reason"] == "Foto KTP-el tidak terbaca."
    assert parts_by_service(done)["jkn-pendaftaran"]["state_category"] == "completed"


def test_parts_waiting_for_a_rejected_birth_certificate_fail_and_the_bundle_ends(warga1: User, verifier: User) -> None:
    client = bearer_client(warga1)
    body = file_birth(client).json()
    akta = parts_by_service(body)["akta-kelahiran"]["tracking"]
    act(verifier, akta, "start_verification")
    act(verifier, akta, "reject", reason="Buku nikah tidak sesuai.")
    done = client.get(f"/api/v1/bundles/{body['tracking']}").json()
    assert done["state"] == "rejected"
    parts = parts_by_service(done)
    assert {parts[s]["state"] for s in ("kk-perubahan", "kia", "jkn-pendaftaran")} == {"failed"}
    assert all(parts[s]["reason"] for s in ("kk-perubahan", "kia", "jkn-pendaftaran"))
    assert Case.objects.filter(bundle__tracking=body["tracking"]).count() == 1
    assert not Person.objects.filter(full_name="BAYU SANTOSO").exists()


def test_bad_input_names_the_field_and_creates_nothing(warga1: User) -> None:
    client = bearer_client(warga1)
    missing = file_birth(client, child_name="", child_birth_date="not a date")
    assert missing.status_code == 422
    fields = {e["field"] for e in missing.json()["errors"]}
    assert {"data.child_name", "data.child_birth_date"} <= fields
    unknown = client.post(
        "/api/v1/bundles", {"kind": "pernikahan", "data": {}, "documents": {}}, content_type="application/json"
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "kind"
    no_documents = client.post(
        "/api/v1/bundles", {"kind": "kelahiran", "data": birth_data(), "documents": {}}, content_type="application/json"
    )
    assert no_documents.status_code == 422
    assert {"documents.buku-nikah", "documents.kk", "documents.ktp-el"} <= {
        e["field"] for e in no_documents.json()["errors"]
    }
    stray = client.post(
        "/api/v1/bundles",
        {"kind": "kelahiran", "data": birth_data(), "documents": {"surat-nikah-kakek": upload(client)}},
        content_type="application/json",
    )
    assert "documents.surat-nikah-kakek" in {e["field"] for e in stray.json()["errors"]}
    assert not Bundle.objects.exists()
    assert not Case.objects.exists()


def test_another_family_s_citizen_and_another_agency_cannot_read_the_bundle(
    warga1: User, warga3: User, verifier: User, kadis: User, dinkes: User, personas: dict[str, User]
) -> None:
    owner = bearer_client(warga1)
    body = file_birth(owner).json()
    path = f"/api/v1/bundles/{body['tracking']}"
    assert bearer_client(warga3).get(path).status_code == 404
    assert bearer_client(personas["dinsos.petugas"]).get(path).status_code == 404  # DINSOS has no part of a birth
    assert bearer_client(dinkes).get(path).status_code == 404  # DINKES's part is not filed yet
    owner.post(
        f"/api/v1/cases/{parts_by_service(body)['akta-kelahiran']['tracking']}/messages",
        {"body": "Nama anak sudah benar."},
        content_type="application/json",
    )
    complete(parts_by_service(body)["akta-kelahiran"]["tracking"], officer=verifier, approver=kadis)

    seen_by_dinkes = bearer_client(dinkes).get(path).json()
    mine = owner.get(path).json()

    # DINKES sees its own part and steps, not DISDUKCAPIL's parts nor the citizen's messages with them.
    assert [p["service"] for p in seen_by_dinkes["parts"]] == ["jkn-pendaftaran"]
    assert {e["part"] for e in seen_by_dinkes["timeline"] if e["part"]} == {"jkn-pendaftaran"}
    assert all(e["kind"] == "step" for e in seen_by_dinkes["timeline"])
    assert len(mine["parts"]) == 4
    assert "Nama anak sudah benar." in {e["text"] for e in mine["timeline"]}
    operator = bearer_client(personas["kominfo.operator"]).get(path).json()
    assert len(operator["parts"]) == 4


def test_a_birth_in_the_future_is_refused_naming_the_field(warga1: User) -> None:
    tomorrow = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    response = file_birth(bearer_client(warga1), child_birth_date=tomorrow)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["data.child_birth_date"]
    assert not Bundle.objects.exists()


def test_an_offer_is_taken_once_and_set_aside_only_by_its_citizen(
    warga1: User, warga2: User, verifier: User, kadis: User
) -> None:
    client, case = submit_birth_certificate(warga1)
    complete(case["tracking"], officer=verifier, approver=kadis)
    offer = client.get("/api/v1/bundles/offers").json()[0]
    assert bearer_client(warga2).get("/api/v1/bundles/offers").json() == []  # same family, not their offer
    refused = bearer_client(warga2).post(f"/api/v1/bundles/offers/{offer['id']}/dismiss")
    assert refused.status_code == 422
    form = client.get(offer["form"]).json()

    def take() -> Any:
        return client.post(
            "/api/v1/bundles",
            {
                "kind": "kelahiran",
                "data": {**form["prefill"], "faskes": "Puskesmas Cipondoh"},
                "documents": {"ktp-el": upload(client)},
                "from_case": case["tracking"],
            },
            content_type="application/json",
        )

    assert take().status_code == 201
    again = take()
    assert again.status_code == 422
    assert again.json()["errors"][0]["field"] == "from_case"
    assert Bundle.objects.count() == 1
    assert client.post(f"/api/v1/bundles/offers/{offer['id']}/dismiss").status_code == 422  # taken already


def test_a_birth_recorded_on_its_own_offers_the_rest_prefilled(warga1: User, verifier: User, kadis: User) -> None:
    client, case = submit_birth_certificate(warga1)
    complete(case["tracking"], officer=verifier, approver=kadis)
    drain()

    offers = client.get("/api/v1/bundles/offers").json()
    assert [(o["kind"], o["from_case"]) for o in offers] == [("kelahiran", case["tracking"])]
    assert Notification.objects.filter(user=warga1, kind="case.bundle_offered").exists()
    form = client.get(offers[0]["form"]).json()
    assert form["prefill"]["child_name"] == "Bayu Santoso"

    # Only what the later parts need and the single application did not have is asked for: the KTP-el.
    response = client.post(
        "/api/v1/bundles",
        {
            "kind": "kelahiran",
            "data": {**form["prefill"], "faskes": "Puskesmas Cipondoh"},
            "documents": {"ktp-el": upload(client)},
            "from_case": case["tracking"],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    parts = parts_by_service(response.json())
    assert parts["akta-kelahiran"]["tracking"] == case["tracking"]
    assert parts["akta-kelahiran"]["state"] == "completed"
    assert {parts[s]["state"] for s in ("kk-perubahan", "kia", "jkn-pendaftaran")} == {"submitted"}
    child = Person.objects.get(full_name="BAYU SANTOSO")
    assert Case.objects.get(tracking=parts["kia"]["tracking"]).data["nik"] == child.nik
    assert client.get("/api/v1/bundles/offers").json() == []
    assert BundleOffer.objects.get().taken is not None


def file_death(client: Client, *, received_aid: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    """warga1's family files the death of Andi on 30 November; the family member chosen and the 201's body."""
    form = client.get("/api/v1/bundles/kematian/form").json()
    andi = next(s for s in form["subjects"] if s["name"] == "Andi Pratama")
    documents = {name: upload(client) for name in ("surat-kematian", "kk", "ktp-el-pelapor")}
    response = client.post(
        "/api/v1/bundles",
        {
            "kind": "kematian",
            "subject": andi["id"],
            "data": {
                "date_of_death": "2026-11-30",
                "place_of_death": "RSUD Kota Tangerang",
                "received_aid": received_aid,
            },
            "documents": documents,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return andi, response.json()


def test_a_death_ends_social_aid_at_dinsos(warga1: User, verifier: User, kadis: User) -> None:
    client = bearer_client(warga1)
    andi, body = file_death(client, received_aid=True)
    assert body["subject_name"] == "Andi Pratama"
    complete(parts_by_service(body)["akta-kematian"]["tracking"], officer=verifier, approver=kadis)
    assert Person.objects.get(pk=andi["id"]).died_on == dt.date(2026, 11, 30)
    parts = parts_by_service(client.get(f"/api/v1/bundles/{body['tracking']}").json())
    aid = Case.objects.get(tracking=parts["bansos-penghentian"]["tracking"])
    assert aid.agency.code == "DINSOS"
    assert aid.data["reason"] == "meninggal"
    assert aid.data["effective_date"] == "2026-11-30"
    assert "akta kematian" in Case.objects.get(tracking=parts["kk-perubahan"]["tracking"]).data["change"]


def test_a_death_without_social_aid_skips_that_part(warga1: User, verifier: User, kadis: User) -> None:
    client = bearer_client(warga1)
    _andi, body = file_death(client, received_aid=False)
    complete(parts_by_service(body)["akta-kematian"]["tracking"], officer=verifier, approver=kadis)
    parts = parts_by_service(client.get(f"/api/v1/bundles/{body['tracking']}").json())
    assert parts["bansos-penghentian"]["state"] == "skipped"
    complete(parts["kk-perubahan"]["tracking"], officer=verifier, approver=kadis)
    assert client.get(f"/api/v1/bundles/{body['tracking']}").json()["state"] == "completed"


def test_the_bundle_steps_are_audited_events(warga1: User) -> None:
    body = file_birth(bearer_client(warga1)).json()
    bundle = Bundle.objects.get(tracking=body["tracking"])
    actions = list(
        WorkflowStep.objects.filter(subject_type="bundle", subject_id=bundle.pk).values_list("action", flat=True)
    )
    assert actions == ["submit", "file_part"]


@pytest.mark.django_db(transaction=True)  # each thread has its own connection: the approvals must really commit
def test_the_last_two_parts_approved_at_once_complete_the_bundle_once(
    warga1: User, verifier: User, kadis: User, dinkes: User
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("simultaneous writers are a PostgreSQL deployment; SQLite queues writers (BEGIN IMMEDIATE)")
    client = bearer_client(warga1)
    body = file_birth(client).json()
    complete(parts_by_service(body)["akta-kelahiran"]["tracking"], officer=verifier, approver=kadis)
    parts = parts_by_service(client.get(f"/api/v1/bundles/{body['tracking']}").json())
    complete(parts["kk-perubahan"]["tracking"], officer=verifier, approver=kadis)
    last = {parts["kia"]["tracking"]: kadis, parts["jkn-pendaftaran"]["tracking"]: dinkes}
    for tracking, approver in last.items():
        for action in APPROVE[:-1]:
            act(verifier if approver == kadis else dinkes, tracking, action)
    versions = {t: bearer_client(u).get(f"/api/v1/cases/{t}").json()["version"] for t, u in last.items()}
    officers = {t: bearer_client(u) for t, u in last.items()}

    def approve(tracking: str) -> int:
        response = officers[tracking].post(
            f"/api/v1/cases/{tracking}/transitions",
            {"action": "approve", "version": versions[tracking]},
            content_type="application/json",
        )
        return int(response.status_code)

    answers = at_once([functools.partial(approve, t) for t in last])

    assert answers == [200, 200]
    bundle = Bundle.objects.get(tracking=body["tracking"])
    assert bundle.state == "completed"
    closing = WorkflowStep.objects.filter(subject_type="bundle", subject_id=bundle.pk, action="complete")
    assert closing.count() == 1
