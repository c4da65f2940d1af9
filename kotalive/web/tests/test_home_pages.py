"""Home pages: the citizen lands on what needs them now (a revision request naming its documents, a report to
confirm or rate), then their open applications, reports, drafts and documents; the officer on their agency's queue
with counts, what is late or at risk, what is theirs and what other agencies wait for; the operator on triage and
the health of the integrations. Each in a fixed number of queries, whatever the number of items."""

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kotalive.accounts.models import User
from kotalive.agencies.models import StaffRole
from kotalive.agencies.services import staff_role_grant
from kotalive.cases.models import Case
from kotalive.cases.services import case_draft_save, case_rate
from kotalive.cases.tests.fixtures import birth_certificate_data, submit_birth_certificate
from kotalive.complaints.models import Complaint
from kotalive.complaints.tests.helpers import act_ok, file_report
from kotalive.conftest import DEMO_PASSWORD, bearer_client
from kotalive.coordination.services import coordination_request
from kotalive.events.tests.helpers import drain, subscribe, three_steps
from kotalive.events.tests.receiver import Receiver

pytestmark = pytest.mark.django_db

EN = {"Accept-Language": "en"}
# Session, user and the bell's count, then the page's own reads (the citizen's: cases, revision steps, the states
# an application waiting for them went through, cases to rate, reports, offers, drafts, documents; the officer's:
# roles, agencies, counts, late, assigned, coordination, the agencies whose reports they act on): the same for one
# item as for many.
CITIZEN_HOME_QUERIES = 12
OFFICER_HOME_QUERIES = 17


def _page(user: User, path: str = "/") -> str:
    client = Client()
    client.force_login(user)
    response = client.get(path, headers=EN)
    assert response.status_code == 200
    return response.content.decode()


def _act(user: User, tracking: str, action: str, **fields: Any) -> None:
    client = bearer_client(user)
    current = client.get(f"/api/v1/cases/{tracking}").json()
    response = client.post(
        f"/api/v1/cases/{tracking}/transitions",
        {"action": action, "version": current["version"], **fields},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content


def _revision_asked(citizen: User, officer: User) -> str:
    _client, body = submit_birth_certificate(citizen)
    _act(officer, body["tracking"], "start_verification")
    _act(officer, body["tracking"], "request_revision", reason="Buku nikah buram", requirements=["buku-nikah"])
    return str(body["tracking"])


def _report_verified(citizen: User, operator: User, dishub: User) -> str:
    _client, filed = file_report(citizen)
    tracking = str(filed["tracking"])
    live_room, agency = bearer_client(operator), bearer_client(dishub)
    act_ok(live_room, tracking, "dispose", agency="DISHUB")
    act_ok(agency, tracking, "accept")
    act_ok(agency, tracking, "resolve", reason="Lampu sudah diganti")
    act_ok(live_room, tracking, "verify_completion")
    return tracking


# --- the citizen -------------------------------------------------------------------------------------------------


def test_a_citizen_lands_on_their_home_page_after_signing_in(client: Client, warga1: User) -> None:
    response = client.post("/masuk/", {"login": warga1.phone, "password": DEMO_PASSWORD})

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "What needs you now" in client.get("/", headers=EN).content.decode()


def test_a_revision_request_comes_first_and_names_the_documents_to_fix(warga1: User, verifier: User) -> None:
    tracking = _revision_asked(warga1, verifier)

    page = _page(warga1)

    needs, rest = page.split('id="applications-title"')
    assert "Fix your application" in needs
    assert "give these documents again: Marriage book or certificate." in needs  # the requirement's name
    assert "Buku nikah buram" in needs
    assert f'href="/kasus/{tracking}/"' in needs
    assert tracking in rest  # and again among the open applications, with its state in words
    assert "Revision requested" in rest
    assert "buku-nikah" not in page
    assert "revision_requested" not in page
    assert "awaiting_citizen" not in page


def test_a_verified_report_asks_its_reporter_to_confirm_then_to_rate_once_closed(
    personas: dict[str, User], warga1: User, operator: User
) -> None:
    tracking = _report_verified(warga1, operator, personas["dishub.penghubung"])

    asked = _page(warga1).split('id="applications-title"')[0]
    assert "Confirm your report" in asked
    assert f'href="/laporan/{tracking}/"' in asked

    act_ok(bearer_client(warga1), tracking, "confirm")
    closed = _page(warga1).split('id="applications-title"')[0]
    assert "Rate the handling of your report" in closed

    rated = bearer_client(warga1).post(
        f"/api/v1/complaints/{tracking}/rating", {"score": 5, "comment": "Cepat"}, content_type="application/json"
    )
    assert rated.status_code == 201
    assert tracking not in _page(warga1)  # rated and closed: nothing left to do, and no longer open


def test_a_completed_application_asks_for_its_rating_until_it_is_rated(
    personas: dict[str, User], warga1: User, verifier: User
) -> None:
    _client, body = submit_birth_certificate(warga1)
    tracking = body["tracking"]
    for officer, action in (
        (verifier, "start_verification"),
        (verifier, "verify"),
        (verifier, "submit_for_approval"),
        (personas["dukcapil.kadis"], "approve"),
    ):
        _act(officer, tracking, action)

    asked = _page(warga1).split('id="applications-title"')[0]
    assert "Rate the service: Birth certificate" in asked
    assert f'href="/kasus/{tracking}/"' in asked

    assert "Continue the life event of" in asked  # the rest of the birth, offered as one form

    case_rate(actor=warga1, tracking=tracking, scores=[4] * 9, comment="")
    after = _page(warga1)
    assert "Rate the service" not in after
    assert "Continue the life event of" in after  # until the citizen takes it or says "not now"


def test_open_reports_drafts_and_offers_each_link_to_where_the_citizen_acts(warga1: User, verifier: User) -> None:
    _client, filed = file_report(warga1)
    case_draft_save(
        actor=warga1, service_code="akta-kelahiran", subject="self", data=birth_certificate_data(), documents={}
    )

    page = _page(warga1)

    reports = page.split('id="reports-title"')[1].split('id="drafts-title"')[0]
    assert f'href="/laporan/{filed["tracking"]}/"' in reports
    assert "Being verified by the Live Room" in reports
    drafts = page.split('id="drafts-title"')[1].split('id="documents-title"')[0]
    assert 'href="/layanan/akta-kelahiran/ajukan/?subject=self"' in drafts


def test_an_empty_home_page_says_so_in_sentences(warga3: User) -> None:
    page = _page(warga3)

    assert "Nothing needs you now." in page
    assert "You have no open application." in page
    assert "You have no open report." in page
    assert "You have no saved draft." in page
    assert "No documents yet." in page


def test_another_family_sees_nothing_of_the_first_s_home(warga1: User, warga3: User, verifier: User) -> None:
    tracking = _revision_asked(warga1, verifier)

    assert tracking not in _page(warga3)


def test_the_citizen_home_page_takes_a_fixed_number_of_queries(
    personas: dict[str, User], warga1: User, verifier: User, operator: User, django_assert_max_num_queries: Any
) -> None:
    client = Client()
    client.force_login(warga1)
    _revision_asked(warga1, verifier)
    _report_verified(warga1, operator, personas["dishub.penghubung"])
    with django_assert_max_num_queries(CITIZEN_HOME_QUERIES):
        client.get("/", headers=EN)
    for n in range(3):  # more of everything: the count stays
        file_report(warga1)
        _client, body = submit_birth_certificate(
            warga1, child_name=f"Anak Kedua {n}", child_birth_date="2026-11-2" + str(n)
        )
        _act(verifier, body["tracking"], "start_verification")
        _act(verifier, body["tracking"], "request_revision", reason="Buram", requirements=["kk"])
    with django_assert_max_num_queries(CITIZEN_HOME_QUERIES):
        page = client.get("/", headers=EN).content.decode()
    assert page.count("Fix your application") == 4


# --- the officer -------------------------------------------------------------------------------------------------


def test_the_officer_sees_the_queue_by_state_what_is_late_and_what_is_theirs(
    warga1: User, verifier: User, dinsos_officer: User
) -> None:
    _client, first = submit_birth_certificate(warga1)
    _client, second = submit_birth_certificate(warga1, child_name="Bunga Santoso", child_birth_date="2026-11-21")
    _act(verifier, second["tracking"], "start_verification")
    # The clock ran out on the first (as the SLA sweep records it), and the second was given to the verifier.
    Case.objects.filter(tracking=first["tracking"]).update(sla_status=Case.BREACHED, due_at=timezone.now())
    Case.objects.filter(tracking=second["tracking"]).update(assignee=verifier)

    page = _page(verifier, "/kantor/")

    queue = page.split('id="queue-DISDUKCAPIL"')[1].split('id="late-title"')[0]
    assert "2 open applications." in queue
    assert "1 is late" in queue
    assert (
        'href="/kantor/DISDUKCAPIL/kotak-masuk/?state=submitted"><strong>1</strong> <span>New, not yet picked up'
        in (queue)
    )
    assert 'href="/kantor/DISDUKCAPIL/kotak-masuk/?state=in_progress"><strong>1</strong>' in queue
    late = page.split('id="late-title"')[1].split('id="mine-title"')[0]
    assert f'href="/kantor/DISDUKCAPIL/kasus/{first["tracking"]}/"' in late
    assert "Late" in late
    mine = page.split('id="mine-title"')[1].split('id="coordination-title"')[0]
    assert f'href="/kantor/DISDUKCAPIL/kasus/{second["tracking"]}/"' in mine
    assert ">breached" not in page
    assert "on_track" not in page

    other = _page(dinsos_officer, "/kantor/")
    assert first["tracking"] not in other
    assert "Applications at DISDUKCAPIL" not in other
    assert "No open application: the queue is empty." in other


def test_the_asked_agency_sees_the_coordination_request_waiting_for_it(
    warga1: User, verifier: User, dinsos_officer: User
) -> None:
    _client, body = submit_birth_certificate(warga1)
    asked = coordination_request(
        actor=verifier,
        parent=body["tracking"],
        to_agency="DINSOS",
        kind="provide_data",
        message="Mohon data DTKS keluarga ini.",
        due_working_days=2,
    )

    page = _page(dinsos_officer, "/kantor/")

    waiting = page.split('id="coordination-title"')[1]
    assert f'href="/kantor/DINSOS/koordinasi/{asked.tracking}/"' in waiting
    assert "From DISDUKCAPIL" in waiting
    assert "Provide data" in waiting
    assert "No other agency is waiting" in _page(verifier, "/kantor/")


def test_the_officer_home_page_takes_a_fixed_number_of_queries(
    warga1: User, verifier: User, django_assert_max_num_queries: Any
) -> None:
    client = Client()
    client.force_login(verifier)
    for n in range(4):
        _client, body = submit_birth_certificate(warga1, child_name=f"Anak {n}", child_birth_date=f"2026-11-1{n}")
        Case.objects.filter(tracking=body["tracking"]).update(sla_status=Case.AT_RISK, assignee=verifier)

    with django_assert_max_num_queries(OFFICER_HOME_QUERIES):
        page = client.get("/kantor/", headers=EN).content.decode()

    assert "4 are at risk of being late" in page


def test_a_liaison_s_home_page_shows_the_reports_their_agency_holds(
    warga1: User, operator: User, personas: dict[str, User], django_assert_max_num_queries: Any
) -> None:
    liaison = personas["dishub.penghubung"]
    for _n in range(3):
        _citizen, filed = file_report(warga1)
        act_ok(bearer_client(operator), filed["tracking"], "dispose", agency="DISHUB")
    Complaint.objects.filter(tracking=filed["tracking"]).update(due_at=timezone.now() - dt.timedelta(hours=1))
    client = Client()
    client.force_login(liaison)
    client.get("/kantor/")  # the session row is warm

    with django_assert_max_num_queries(OFFICER_HOME_QUERIES + 2):  # and the reports' counts and their state names
        page = client.get("/kantor/", headers=EN).content.decode()

    reports = page.split('id="reports-DISHUB"')[1].split("</section>")[0]
    assert "3 open reports." in reports
    assert "1 is past its due time" in reports
    assert 'href="/kantor/DISHUB/pengaduan/"' in reports
    assert "<strong>3</strong> <span>Forwarded to the agency</span>" in reports
    assert 'id="reports-DISHUB"' not in _page(personas["dukcapil.verifikator"], "/kantor/")  # no report roles there


# --- the operator ------------------------------------------------------------------------------------------------


def test_the_operator_sees_triage_and_the_outbox_backlog(warga1: User, operator: User) -> None:
    file_report(warga1)
    file_report(warga1)

    page = _page(operator, "/kantor/")

    triage = page.split('id="triage-title"')[1].split('id="health-title"')[0]
    assert "<strong>2</strong> reports wait for verification and routing." in triage
    assert "The oldest was sent on" in triage
    assert 'href="/kantor/live-room/"' in triage
    health = page.split('id="health-title"')[1]
    assert "wait in the outbox" in health
    assert 'href="/kantor/integrasi/"' in health

    drain()
    assert "Every integration is working" in _page(operator, "/kantor/")


def test_the_operator_sees_failing_webhooks_and_dead_deliveries(
    warga1: User, verifier: User, dukcapil_admin: User, operator: User, settings: Any
) -> None:
    settings.KOTALIVE_NOTIFY_DEFAULT_CHANNELS = []  # in-app notices only: the test is about the webhook
    settings.KOTALIVE_WEBHOOK_RETRY_HOURS = 0  # give up after the first failure
    receiver = Receiver().start()
    try:
        subscribe(bearer_client(dukcapil_admin), receiver.url)
        three_steps(warga1, verifier)
        receiver.mode = "fail"
        drain()
    finally:
        receiver.stop()

    health = _page(operator, "/kantor/").split('id="health-title"')[1].split("</section>")[0]

    assert "1 webhook subscription fails since its last success" in health
    assert "3 webhook deliveries gave up and wait to be sent again" in health
    assert "Every integration is working" not in health


def test_leadership_sees_neither_an_empty_triage_nor_the_integrations(
    platform_admin: User, dinsos_officer: User
) -> None:
    """A platform role outside the Live Room and the integration console (leadership) gets no empty sections."""
    staff_role_grant(actor=platform_admin, user=dinsos_officer, role=StaffRole.LEADERSHIP, agency=None)

    page = _page(dinsos_officer, "/kantor/")

    assert 'id="triage-title"' not in page
    assert 'id="health-title"' not in page
    assert 'href="/kantor/dasbor/"' in page  # what leadership does open


def test_an_officer_sees_no_triage_nor_integration_health(verifier: User) -> None:
    page = _page(verifier, "/kantor/")

    assert 'id="triage-title"' not in page
    assert 'id="health-title"' not in page
