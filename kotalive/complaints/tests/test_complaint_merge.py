"""The merge names the report that stays (`into`). Whoever asks, the answer tells nothing about reports they may not
see: a report that does not exist, another family's report and a confidential one are answered alike, through the
API and the web page, and nothing changes. Only the Live Room merges."""

from typing import Any

import pytest
from django.test import Client

from kotalive.accounts.models import User
from kotalive.complaints.models import Complaint
from kotalive.complaints.tests.helpers import act, act_ok, file_report
from kotalive.conftest import bearer_client

pytestmark = pytest.mark.django_db

MISSING = "LAKSA-20260101-99999"


@pytest.fixture
def reports(warga1: User, warga3: User) -> dict[str, str]:
    """Alice's report, and two of Charlie's of the same category: an ordinary one and a confidential one."""
    _alice, mine = file_report(warga1)
    _charlie, other = file_report(warga3)
    _charlie, confidential = file_report(warga3, confidential=True)
    return {"mine": mine["tracking"], "other": other["tracking"], "confidential": confidential["tracking"]}


def _merge(client: Client, tracking: str, into: str) -> tuple[int, Any]:
    response = act(client, tracking, "merge", into=into, reason="Laporan sama")
    return response.status_code, response.json()


def _unchanged(tracking: str) -> tuple[str, int, int | None]:
    complaint = Complaint.objects.get(tracking=tracking)
    return complaint.state, complaint.version, complaint.merged_into_id


def test_the_reporter_gets_one_answer_whatever_report_the_merge_names(reports, warga1):
    # Given Alice, who may not merge, and reports she may not see
    alice = bearer_client(warga1)
    before = _unchanged(reports["mine"])

    # When she asks to merge hers into a missing report, another family's and a confidential one
    answers = [_merge(alice, reports["mine"], into) for into in (MISSING, reports["other"], reports["confidential"])]

    # Then each answer is the same refusal of her role, and nothing changed
    assert answers[0] == answers[1] == answers[2]
    assert answers[0][0] == 403
    assert answers[0][1]["code"] == "role_not_allowed"
    assert _unchanged(reports["mine"]) == before


def test_the_agency_holding_a_report_gets_one_answer_too(reports, personas, operator):
    act_ok(bearer_client(operator), reports["mine"], "dispose", agency="DISHUB")
    agency = bearer_client(personas["dishub.penghubung"])

    answers = [_merge(agency, reports["mine"], into) for into in (MISSING, reports["other"], reports["confidential"])]

    assert answers[0] == answers[1] == answers[2]
    assert answers[0][0] == 403


def test_the_live_room_is_told_alike_of_a_missing_and_a_closed_report(reports, operator):
    """For the Live Room (who sees every report) a report that is gone or closed is "not an open report" alike."""
    live_room = bearer_client(operator)
    act_ok(live_room, reports["other"], "reject", reason="Bukan wewenang kota")

    missing = _merge(live_room, reports["mine"], MISSING)
    closed = _merge(live_room, reports["mine"], reports["other"])

    assert missing == closed
    assert missing[0] == 422
    assert missing[1]["errors"][0]["field"] == "into"
    merged = act_ok(live_room, reports["mine"], "merge", into=reports["confidential"], reason="Laporan sama")
    assert merged["merged_into"] == reports["confidential"]


def test_the_web_page_answers_alike(reports, warga1):
    """Alice's page, posting the merge form with each report number: the same status and the same message."""
    browser = Client()
    browser.force_login(warga1)
    version = Complaint.objects.get(tracking=reports["mine"]).version

    def post(into: str) -> tuple[int, list[str]]:
        page = browser.post(
            f"/laporan/{reports['mine']}/",
            {"action": "merge", "version": version, "into": into, "reason": "Laporan sama"},
        )
        return page.status_code, [str(m) for m in page.context["messages"]]

    answers = [post(into) for into in (MISSING, reports["other"], reports["confidential"])]

    assert answers[0] == answers[1] == answers[2]
    assert answers[0][0] == 403
