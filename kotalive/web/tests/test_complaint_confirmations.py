"""A move that ends a report asks first: the Live Room's rejection and merge show an "are you sure?" page that changes
nothing, carries the typed reason (and the report to keep) along, and act only on "yes"; their buttons are the lesser
ones, listed last. A forward move, a refused move and someone who may not make the move get no such page."""

import re

import pytest
from django.test import Client

from kotalive.accounts.models import User
from kotalive.complaints.models import Complaint
from kotalive.complaints.tests.helpers import file_report
from kotalive.workflow.models import WorkflowStep

pytestmark = pytest.mark.django_db

EN = {"Accept-Language": "en"}
REASON = "Bukan kewenangan pemerintah kota"


def _live_room(operator: User) -> Client:
    client = Client()
    client.force_login(operator)
    return client


def _version(tracking: str) -> str:
    return str(Complaint.objects.get(tracking=tracking).version)


def test_a_rejection_asks_for_confirmation_and_changes_nothing_until_yes(warga1: User, operator: User) -> None:
    _citizen, filed = file_report(warga1)
    tracking, url = filed["tracking"], f"/laporan/{filed['tracking']}/"
    live_room = _live_room(operator)

    # When the Live Room rejects with a reason, the page asks first and the report is untouched
    asked = live_room.post(url, {"action": "reject", "version": _version(tracking), "reason": REASON}, headers=EN)
    page = asked.content.decode()
    assert asked.status_code == 200
    assert f"Report {tracking} will end as “Rejected”. This cannot be undone." in page
    assert f'name="reason" value="{REASON}"' in page
    assert 'name="confirmed" value="1"' in page
    assert f'href="{url}"' in page  # No, go back
    assert Complaint.objects.get(tracking=tracking).state == "triage"

    # And "yes" rejects it with the reason typed the first time
    done = live_room.post(
        url, {"action": "reject", "version": _version(tracking), "reason": REASON, "confirmed": "1"}, headers=EN
    )
    assert done.status_code == 302
    rejected = Complaint.objects.get(tracking=tracking)
    assert rejected.state == "rejected"
    assert WorkflowStep.objects.filter(subject_type="complaint", subject_id=rejected.pk, action="reject", reason=REASON)


def test_a_merge_asks_first_and_on_yes_merges_into_the_report_named(warga1: User, operator: User) -> None:
    _citizen, kept = file_report(warga1)
    _citizen, duplicate = file_report(warga1)
    tracking, url = duplicate["tracking"], f"/laporan/{duplicate['tracking']}/"
    live_room = _live_room(operator)
    fields = {"action": "merge", "version": _version(tracking), "into": kept["tracking"], "reason": "Laporan sama"}

    asked = live_room.post(url, fields, headers=EN)
    page = asked.content.decode()
    assert asked.status_code == 200
    assert "will end as “Merged into another report”" in page
    assert f'name="into" value="{kept["tracking"]}"' in page
    assert Complaint.objects.get(tracking=tracking).merged_into is None

    done = live_room.post(url, {**fields, "confirmed": "1"})
    assert done.status_code == 302
    merged = Complaint.objects.get(tracking=tracking)
    assert merged.state == "merged"
    assert merged.merged_into is not None
    assert merged.merged_into.tracking == kept["tracking"]


def test_a_rejection_or_merge_missing_what_it_needs_is_refused_before_any_confirmation(
    warga1: User, operator: User
) -> None:
    _citizen, filed = file_report(warga1)
    tracking, url = filed["tracking"], f"/laporan/{filed['tracking']}/"
    live_room = _live_room(operator)

    no_reason = live_room.post(url, {"action": "reject", "version": _version(tracking), "reason": ""}, headers=EN)
    no_report = live_room.post(
        url, {"action": "merge", "version": _version(tracking), "into": "", "reason": "Sama"}, headers=EN
    )

    for refused in (no_reason, no_report):
        assert refused.status_code == 422
        assert "This cannot be undone." not in refused.content.decode()
    assert Complaint.objects.get(tracking=tracking).state == "triage"


def test_someone_who_may_not_reject_gets_no_confirmation_page(warga1: User, warga2: User) -> None:
    _citizen, filed = file_report(warga1)
    tracking, url = filed["tracking"], f"/laporan/{filed['tracking']}/"
    reporter = Client()
    reporter.force_login(warga1)

    refused = reporter.post(url, {"action": "reject", "version": _version(tracking), "reason": REASON}, headers=EN)

    assert refused.status_code in (403, 409, 422)
    assert "This cannot be undone." not in refused.content.decode()
    assert Complaint.objects.get(tracking=tracking).state == "triage"


def test_a_forward_move_needs_no_confirmation_and_the_ending_moves_come_last_as_lesser_buttons(
    warga1: User, operator: User
) -> None:
    _citizen, filed = file_report(warga1)
    tracking, url = filed["tracking"], f"/laporan/{filed['tracking']}/"
    live_room = _live_room(operator)

    page = live_room.get(url, headers=EN).content.decode()
    # The buttons of the report's moves, in the page's order (each move is a form with its hidden `action`)
    forms = re.findall(r'<form method="post" class="action card[^"]*".*?</form>', page, flags=re.S)
    moves = [
        (label, bool(danger))
        for form in forms
        for danger, label in re.findall(r'<button type="submit"( class="danger")?>([^<]+)</button>', form)
    ]
    ending = {"Reject", "Merge into another report"}
    assert {label for label, _danger in moves} >= ending | {"Forward to an agency"}
    assert {label for label, _danger in moves[-2:]} == ending  # last
    assert all(danger == (label in ending) for label, danger in moves)  # the lesser button, and only they

    forwarded = live_room.post(url, {"action": "dispose", "version": _version(tracking), "agency": "DISHUB"})
    assert forwarded.status_code == 302
    assert Complaint.objects.get(tracking=tracking).state == "disposed"
