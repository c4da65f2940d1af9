"""Only SP4N-LAPOR! calls /api/v1/lapor/*: the API client of the platform operator agency (DISKOMINFO) holding the
`lapor` scope. Another agency's key (DISDUKCAPIL's, even with complaints:write), the operator's other clients and
people's tokens are refused before any LAPOR! id is looked at: the answer is the same for an id that exists and one
that does not, and nothing changes."""

from typing import Any

import pytest
from django.test import Client

from kotalive.accounts.models import User
from kotalive.agencies.machine import api_client_create
from kotalive.agencies.models import Agency, ApiClient
from kotalive.complaints.models import Complaint
from kotalive.conftest import bearer_client
from kotalive.workflow.models import WorkflowStep

pytestmark = pytest.mark.django_db

KNOWN, UNKNOWN = "LAPOR-9001", "LAPOR-0000"


def _system(admin: User, agency: str, scopes: list[str], name: str = "Sistem") -> Client:
    _client, key = api_client_create(
        actor=admin, agency=Agency.objects.get(code=agency), name=name, scopes=scopes, roles=[]
    )
    return Client(headers={"Authorization": f"Bearer {key}"})


def _report(lapor_id: str) -> dict[str, Any]:
    return {
        "lapor_id": lapor_id,
        "category": "roads",
        "title": "Jalan berlubang",
        "content": "Lubang besar di Jl. Daan Mogot dekat halte.",
        "address": "Jl. Daan Mogot",
        "reporter": {"name": "Rahmat", "phone": "+628111"},
    }


def _reply(client: Client, lapor_id: str) -> Any:
    return client.post(
        "/api/v1/lapor/replies", {"lapor_id": lapor_id, "body": "Catatan"}, content_type="application/json"
    )


def _file(client: Client, lapor_id: str) -> Any:
    return client.post("/api/v1/lapor/reports", _report(lapor_id), content_type="application/json")


@pytest.fixture
def lapor(personas: dict[str, User], platform_admin: User) -> Client:
    """SP4N-LAPOR!'s client (DISKOMINFO, scope `lapor`), which has sent one report, KNOWN."""
    client = _system(platform_admin, "DISKOMINFO", ["lapor"], name="SP4N-LAPOR!")
    assert _file(client, KNOWN).status_code == 201
    return client


def _answer(send: Any, client: Client, lapor_id: str) -> tuple[int, bytes]:
    """What `send` (_reply or _file) answers `client` for `lapor_id`, checking that it wrote nothing."""
    complaints, steps = Complaint.objects.count(), WorkflowStep.objects.count()
    response = send(client, lapor_id)
    assert (Complaint.objects.count(), WorkflowStep.objects.count()) == (complaints, steps)
    return response.status_code, response.content


def test_the_lapor_client_files_and_replies(lapor):
    """The operator's LAPOR! client: a known id gets its note on the timeline, an unknown one is 404."""
    assert _reply(lapor, KNOWN).status_code == 201
    missing = _reply(lapor, UNKNOWN)
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    assert (_reply(lapor, "").status_code, _reply(lapor, "").json()) == (404, missing.json())


@pytest.mark.parametrize(
    ("agency", "scopes"),
    [
        ("DISDUKCAPIL", ["complaints:read", "complaints:write"]),  # another agency's system
        ("DISKOMINFO", ["complaints:read", "complaints:write"]),  # the operator's Open311 partner, not LAPOR!
    ],
)
def test_another_key_is_refused_alike_for_a_known_and_an_unknown_id(lapor, platform_admin, agency, scopes):
    # Given a key that is not SP4N-LAPOR!'s, and a report LAPOR! sent
    other = _system(platform_admin, agency, scopes)

    # When it posts a reply, or a report, naming the known id and an unknown one
    replies = [_answer(_reply, other, lapor_id) for lapor_id in (KNOWN, UNKNOWN)]
    reports = [_answer(_file, other, lapor_id) for lapor_id in (KNOWN, UNKNOWN)]

    # Then the answers are the same refusal, and nothing was written
    assert replies[0] == replies[1]
    assert reports[0][0] == reports[1][0] == replies[0][0] == 403
    assert reports[0] == reports[1]
    assert b"LAKSA-" not in reports[0][1]  # no tracking number of the known report


def test_a_person_s_token_is_refused_alike(lapor, warga1, operator):
    """Neither a citizen nor the Live Room's operator speaks for LAPOR!."""
    for user in (warga1, operator):
        client = bearer_client(user)
        known, unknown = (_answer(_reply, client, lapor_id) for lapor_id in (KNOWN, UNKNOWN))
        assert known == unknown
        assert known[0] == 403
        filed = [_answer(_file, client, lapor_id) for lapor_id in (KNOWN, UNKNOWN)]
        assert filed[0] == filed[1]
        assert filed[0][0] == 403


def test_only_the_platform_operator_agency_may_hold_the_lapor_scope(dukcapil_admin):
    response = bearer_client(dukcapil_admin).post(
        "/api/v1/agencies/DISDUKCAPIL/api-clients",
        {"name": "Jembatan LAPOR", "scopes": ["lapor"]},
        content_type="application/json",
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "scopes"
    assert not ApiClient.objects.filter(name="Jembatan LAPOR").exists()


def test_a_scope_granted_to_another_agency_before_the_rule_is_refused_alike(lapor, platform_admin):
    """A DISDUKCAPIL client that holds `lapor` from before the rule still does not speak for LAPOR!."""
    old = _system(platform_admin, "DISDUKCAPIL", ["complaints:write"], name="Jembatan lama")
    ApiClient.objects.filter(name="Jembatan lama").update(scopes=["lapor"])

    known = _answer(_reply, old, KNOWN)
    unknown = _answer(_reply, old, UNKNOWN)

    assert known == unknown
    assert known[0] == 403
