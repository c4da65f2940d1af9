"""The city's performance figures, recomputed by hand from a small known history: volumes, backlog, SLA compliance,
time to first response and completion, the reopened share; the agency's page beside the city; CSV equals JSON."""

import csv
import datetime as dt
import io
from typing import Any

from django.test import Client
from django.utils import timezone

from kotalive.accounts.models import User
from kotalive.cases.models import Case
from kotalive.cases.tests.fixtures import submit_birth_certificate
from kotalive.complaints.models import Complaint
from kotalive.complaints.tests.helpers import act_ok, file_report
from kotalive.conftest import bearer_client
from kotalive.core.calendar import local_date
from kotalive.dashboard.models import DURATION_BOUNDS
from kotalive.dashboard.rollups import bucket, registry_lookups_follow
from kotalive.dashboard.spread import ratio
from kotalive.events.tests.helpers import drain
from kotalive.registry.models import RegistryAccess
from kotalive.workflow.models import WorkflowStep


def _act(client: Client, tracking: str, action: str, version: int) -> int:
    response = client.post(
        f"/api/v1/cases/{tracking}/transitions", {"action": action, "version": version}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return int(response.json()["version"])


def _history(warga1: User, warga2: User, verifier: User, operator: User, personas: dict[str, User]) -> None:
    """Two applications (one completed, one open) and two reports (one closed after a reopening, one open)."""
    _c, done = submit_birth_certificate(warga1)
    version = done["version"]
    for client, action in [
        (bearer_client(verifier), "start_verification"),
        (bearer_client(verifier), "verify"),
        (bearer_client(verifier), "submit_for_approval"),
        (bearer_client(personas["dukcapil.kadis"]), "approve"),
    ]:
        version = _act(client, done["tracking"], action, version)
    submit_birth_certificate(warga2)
    _r, report = file_report(warga1)
    live_room, pupr = bearer_client(operator), bearer_client(personas["pupr.penghubung"])
    act_ok(live_room, report["tracking"], "dispose", agency="PUPR")
    act_ok(pupr, report["tracking"], "accept")
    act_ok(pupr, report["tracking"], "resolve", reason="Diganti")
    act_ok(live_room, report["tracking"], "verify_completion")
    act_ok(bearer_client(warga1), report["tracking"], "reopen", reason="Masih mati")
    act_ok(pupr, report["tracking"], "resolve", reason="Diganti lagi")
    act_ok(live_room, report["tracking"], "verify_completion")
    act_ok(bearer_client(warga1), report["tracking"], "confirm")
    file_report(warga2)
    drain()  # the worker's pass: events out, the dashboards' day rollups counted


def test_the_city_figures_are_what_the_rows_say(
    warga1: User, warga2: User, verifier: User, operator: User, personas: dict[str, User]
) -> None:
    _history(warga1, warga2, verifier, operator, personas)
    live_room = bearer_client(operator)

    figures = live_room.get("/api/v1/dashboard/city").json()["kinds"]

    cases, reports = figures["case"]["city"], figures["complaint"]["city"]
    assert (cases["submitted"], cases["backlog"], cases["closed"]) == (2, 1, 1)
    completed = Case.objects.get(state="completed")
    assert completed.closed_at is not None
    took = (completed.closed_at - completed.submitted_at).total_seconds()
    assert cases["completion_seconds"]["median"] == DURATION_BOUNDS[bucket(took)]  # the bound of its bucket
    first = WorkflowStep.objects.filter(subject_type="case", subject_id=completed.pk, action="start_verification").get()
    assert cases["first_response_seconds"]["n"] == 1  # the open case has had no answer yet
    answered = (first.at - completed.submitted_at).total_seconds()
    assert cases["first_response_seconds"]["median"] == DURATION_BOUNDS[bucket(answered)]
    assert (reports["submitted"], reports["backlog"], reports["closed"], reports["reopened"]) == (2, 1, 1, 1)
    assert reports["reopened_share"] == 1.0  # "closed is not fixed": the one closed report was reopened first
    closed = Complaint.objects.get(state="closed")
    assert reports["sla_compliance"] == (1.0 if closed.sla_status == "met" else 0.0)
    by_agency = {row["agency"]: row for row in figures["complaint"]["agencies"]}
    assert by_agency["DISKOMINFO"]["backlog"] == 1  # the Live Room still holds the second report
    assert by_agency["PUPR"]["closed"] == 1
    exported = list(csv.DictReader(io.StringIO(live_room.get("/api/v1/dashboard/city?format=csv").content.decode())))
    city_rows = {row["kind"]: row for row in exported if row["agency"] == "*"}
    for kind, row in city_rows.items():
        for name in ("submitted", "backlog", "closed", "reopened", "escalations"):
            assert int(row[name]) == figures[kind]["city"][name], (kind, name)
    for kind in ("case", "complaint"):  # the agencies' rows add up to the city's
        assert sum(int(r["submitted"]) for r in exported if r["kind"] == kind and r["agency"] != "*") == int(
            city_rows[kind]["submitted"]
        )


def test_an_agency_head_sees_their_agency_beside_the_city_and_not_another_agency(
    warga1: User, warga2: User, verifier: User, operator: User, personas: dict[str, User]
) -> None:
    _history(warga1, warga2, verifier, operator, personas)
    head = bearer_client(personas["dukcapil.kadis"])

    own: dict[str, Any] = head.get("/api/v1/dashboard/agencies/DISDUKCAPIL").json()

    assert own["own"]["case"]["city"]["submitted"] == 2
    assert own["own"]["complaint"]["city"]["submitted"] == 0
    assert own["city"]["complaint"]["submitted"] == 2
    assert head.get("/api/v1/dashboard/agencies/PUPR").status_code == 403
    assert bearer_client(warga1).get("/api/v1/dashboard/city").status_code == 403
    today = local_date(timezone.now())
    empty = bearer_client(operator).get(
        f"/api/v1/dashboard/city?from={today + dt.timedelta(days=5)}&to={today + dt.timedelta(days=6)}"
    )
    assert empty.json()["kinds"]["case"]["city"]["submitted"] == 0


def test_the_dashboard_pages_show_the_figures_and_link_their_exports(
    warga1: User, warga2: User, verifier: User, operator: User, personas: dict[str, User]
) -> None:
    _history(warga1, warga2, verifier, operator, personas)
    live_room = Client()
    live_room.force_login(operator)
    head = Client()
    head.force_login(personas["dukcapil.kadis"])

    city = live_room.get("/kantor/dasbor/").content.decode()
    own = head.get("/kantor/DISDUKCAPIL/dasbor/")

    assert "PUPR" in city
    assert "format=csv" in city
    assert own.status_code == 200
    assert "The whole city" in own.content.decode() or "Seluruh kota" in own.content.decode()
    exported = head.get("/kantor/DISDUKCAPIL/dasbor/?format=csv")
    assert exported["Content-Type"].startswith("text/csv")
    assert "submitted" in exported.content.decode()
    assert head.get("/kantor/PUPR/dasbor/").status_code == 403  # staff: told whose page it is and who grants access
    assert head.get("/kantor/dasbor/").status_code == 403  # the city's is the Live Room's and leadership's


def test_the_scorecard_measures_each_element_from_the_records(
    warga1: User, warga2: User, verifier: User, operator: User, personas: dict[str, User]
) -> None:
    _history(warga1, warga2, verifier, operator, personas)
    RegistryAccess.objects.create(actor=verifier, actor_label="v", agency="DISDUKCAPIL", channel="api", purpose="x")
    registry_lookups_follow()  # the worker's minute job counts the day's look-ups

    figures = bearer_client(operator).get("/api/v1/dashboard/city", headers={"Accept-Language": "en"}).json()
    card = figures["scorecard"]

    elements = ["communication", "integration", "synchronization", "simplification", "mechanism"]
    assert [e["element"] for e in card] == elements
    assert all(m["formula"] for e in card for m in e["measures"])  # every number says how it is computed
    by_name = {m["name"]: m["value"] for e in card for m in e["measures"]}
    reports = figures["kinds"]["complaint"]["city"]
    assert by_name["Reports closed after a reopening"] == reports["reopened_share"] == 1.0
    assert by_name["Applications within the service standard"] == figures["kinds"]["case"]["city"]["sla_compliance"]
    assert by_name["Escalations"] == reports["escalations"] + figures["kinds"]["case"]["city"]["escalations"]
    assert by_name["Registry look-ups and pre-fills served"] == RegistryAccess.objects.count() > 0
    staff = WorkflowStep.objects.filter(subject_type="case").exclude(actor_role__in=["applicant", "system", ""])
    by_systems = staff.filter(actor__api_client__isnull=False).count()
    assert staff.count() == 4  # the verifier's three steps and the head's approval, none by a system's key
    assert by_name["Application steps taken by agency systems"] == ratio(by_systems, staff.count()) == 0.0
    page = Client()
    page.force_login(operator)
    assert "sinkronisasi" in page.get("/kantor/dasbor/").content.decode().lower()


def test_filters_narrow_the_figures_to_a_service_category_or_kecamatan(
    warga1: User, warga2: User, verifier: User, operator: User, personas: dict[str, User]
) -> None:
    _history(warga1, warga2, verifier, operator, personas)
    live_room = bearer_client(operator)

    def submitted(query: str) -> tuple[int, int]:
        kinds = live_room.get(f"/api/v1/dashboard/city?{query}").json()["kinds"]
        return kinds["case"]["city"]["submitted"], kinds["complaint"]["city"]["submitted"]

    assert submitted("") == (2, 2)
    assert submitted("service=akta-kelahiran") == (2, 0)  # a service is about applications only
    assert submitted("service=kk-hilang") == (0, 0)
    assert submitted("category=street-lights") == (0, 2)
    assert submitted("kecamatan=36.71.01") == (0, 2)  # both reports lie in Kelurahan Sukasari, Kec. Tangerang
    assert submitted("kecamatan=36.71.02") == (0, 0)
    assert submitted("agency=PUPR") == (0, 1)  # the Live Room still holds the other report


def test_the_live_room_filters_its_dashboard_and_its_download(
    warga1: User, warga2: User, verifier: User, operator: User, personas: dict[str, User]
) -> None:
    _history(warga1, warga2, verifier, operator, personas)
    page = Client()
    page.force_login(operator)

    filtered = page.get("/kantor/dasbor/?category=street-lights").content.decode()
    exported = page.get("/kantor/dasbor/?category=street-lights&format=csv").content.decode()

    assert 'value="street-lights" selected' in filtered
    assert "category=street-lights" in filtered  # the download links keep the filter
    rows = {(r["kind"], r["agency"]): r for r in csv.DictReader(io.StringIO(exported))}
    assert rows[("complaint", "*")]["submitted"] == "2"
    assert rows[("case", "*")]["submitted"] == "0"


def test_the_weeks_and_the_kelurahan_add_up_to_the_period_s_totals_in_every_export(
    warga1: User, warga2: User, verifier: User, operator: User, personas: dict[str, User]
) -> None:
    _history(warga1, warga2, verifier, operator, personas)
    figures = bearer_client(operator).get("/api/v1/dashboard/city").json()
    cases, reports = figures["kinds"]["case"]["city"], figures["kinds"]["complaint"]["city"]
    page = Client()
    page.force_login(operator)

    weeks = list(csv.DictReader(io.StringIO(page.get("/kantor/dasbor/?format=trend-csv").content.decode())))
    kelurahan = list(csv.DictReader(io.StringIO(page.get("/kantor/dasbor/?format=kelurahan-csv").content.decode())))
    shown = page.get("/kantor/dasbor/?format=json").json()

    assert sum(int(w["applications_submitted"]) for w in weeks) == cases["submitted"] == 2
    assert sum(int(w["applications_closed"]) for w in weeks) == cases["closed"] == 1
    assert sum(int(w["reports_submitted"]) for w in weeks) == reports["submitted"] == 2
    assert sum(int(w["reports_closed"]) for w in weeks) == reports["closed"] == 1
    assert [dt.date.fromisoformat(w["week"]).weekday() for w in weeks] == [0] * len(weeks)  # Mondays
    assert figures["trend"] == shown["trend"]
    assert [w["week"] for w in shown["trend"]] == [w["week"] for w in weeks]
    with_kelurahan = Complaint.objects.filter(kelurahan__isnull=False).count()
    assert sum(int(k["submitted"]) for k in kelurahan) == with_kelurahan
    assert shown["kinds"] == figures["kinds"]
    # The page's filters narrow the weeks as they narrow the figures.
    narrowed = page.get("/kantor/dasbor/?format=trend-csv&category=street-lights").content.decode()
    only_reports = list(csv.DictReader(io.StringIO(narrowed)))
    assert sum(int(w["applications_submitted"]) for w in only_reports) == 0  # a category is about reports
    lights = Complaint.objects.filter(category__code="street-lights").count()
    assert sum(int(w["reports_submitted"]) for w in only_reports) == lights
    # The chart is drawn from the same weeks, with the table beside it.
    html = page.get("/kantor/dasbor/").content.decode()
    assert html.count("<polyline") == 4
    assert 'role="img"' in html
