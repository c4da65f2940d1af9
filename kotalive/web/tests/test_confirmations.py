"""A destructive action asks first: the officer's rejection shows an "are you sure?" page that changes nothing,
carries the typed reason along, and acts only on "yes"; its button is the lesser one, listed last."""

import re

import pytest
from django.test import Client

from kotalive.accounts.models import User
from kotalive.cases.models import Case
from kotalive.cases.tests.fixtures import submit_birth_certificate

pytestmark = pytest.mark.django_db

EN = {"Accept-Language": "en"}
REASON = "Buku nikah tidak terbaca sama sekali"


def _in_verification(warga1: User, verifier: User) -> tuple[Client, str, int]:
    _api, body = submit_birth_certificate(warga1)
    officer = Client()
    officer.force_login(verifier)
    url = f"/kantor/DISDUKCAPIL/kasus/{body['tracking']}/"
    started = officer.post(url, {"action": "start_verification", "version": str(body["version"])})
    assert started.status_code == 302
    return officer, url, Case.objects.get(tracking=body["tracking"]).version


def test_a_rejection_asks_for_confirmation_and_changes_nothing_until_yes(warga1: User, verifier: User) -> None:
    officer, url, version = _in_verification(warga1, verifier)

    # When the officer rejects with a reason, the page asks first and the case is untouched
    asked = officer.post(url, {"action": "reject", "version": str(version), "reason": REASON}, headers=EN)
    page = asked.content.decode()
    assert asked.status_code == 200
    assert "This cannot be undone." in page
    assert f'name="reason" value="{REASON}"' in page
    assert 'name="confirmed" value="1"' in page
    assert f'href="{url}"' in page  # No, go back
    assert Case.objects.get().state == "verification"

    # And "yes" rejects it with the reason typed the first time
    done = officer.post(url, {"action": "reject", "version": str(version), "reason": REASON, "confirmed": "1"})
    assert done.status_code == 302
    case = Case.objects.get()
    assert case.state == "rejected"


def test_a_rejection_without_its_reason_is_refused_before_any_confirmation(warga1: User, verifier: User) -> None:
    officer, url, version = _in_verification(warga1, verifier)

    refused = officer.post(url, {"action": "reject", "version": str(version), "reason": ""}, headers=EN)

    assert refused.status_code == 422
    assert "This cannot be undone." not in refused.content.decode()
    assert Case.objects.get().state == "verification"


def test_a_forward_move_needs_no_confirmation_and_the_destructive_button_comes_last(
    warga1: User, verifier: User
) -> None:
    officer, url, version = _in_verification(warga1, verifier)

    page = officer.get(url, headers=EN).content.decode()
    buttons = re.findall(r'<button type="submit"( class="danger")?>([^<]+)</button>', page)
    moves = [(label, bool(danger)) for danger, label in buttons if label in ("Verify", "Request a revision", "Reject")]
    assert moves[-1] == ("Reject", True)
    assert all(not danger for label, danger in moves[:-1])

    verified = officer.post(url, {"action": "verify", "version": str(version)})
    assert verified.status_code == 302
    assert Case.objects.get().state == "processing"
