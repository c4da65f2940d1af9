"""Every destructive action asks first, beyond applications and reports: declining or withdrawing a coordination
request, and "Not now" on a life event's offer. Each shows an "are you sure?" page that changes nothing, carries
what was typed along, and acts only on "yes"; its button is the lesser one, listed last. And "My documents" names
its documents in a fixed number of queries."""

import re
from typing import Any

import pytest
from django.test import Client

from kotalive.accounts.models import User
from kotalive.cases.models import BundleOffer
from kotalive.cases.tests.fixtures import submit_birth_certificate
from kotalive.conftest import bearer_client
from kotalive.coordination.models import CoordinationRequest
from kotalive.coordination.services import coordination_request
from kotalive.documents.models import Document
from kotalive.events.tests.helpers import drain

pytestmark = pytest.mark.django_db

EN = {"Accept-Language": "en"}
REASON = "Bukan kewenangan kami"


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _asked(warga1: User, verifier: User) -> CoordinationRequest:
    """DISDUKCAPIL's verifier asks DINKES about warga1's birth certificate."""
    _api, case = submit_birth_certificate(warga1)
    return coordination_request(
        actor=verifier,
        parent=case["tracking"],
        to_agency="DINKES",
        kind="verify_document",
        message="Mohon cek surat keterangan lahir.",
        due_working_days=3,
    )


def _buttons(page: str) -> list[tuple[str, bool]]:
    """The request's action buttons in page order, as (label, danger)."""
    actions = page.split("<h2>Actions</h2>", 1)[1].split("<h2>", 1)[0]
    found = re.findall(r'<button type="submit"( class="danger")?>([^<]+)</button>', actions)
    return [(label, bool(danger)) for danger, label in found]


# --- coordination ------------------------------------------------------------------------------------------------


def test_declining_a_request_asks_first_and_changes_nothing_until_yes(
    warga1: User, verifier: User, personas: dict[str, User]
) -> None:
    request = _asked(warga1, verifier)
    dinkes = _client(personas["dinkes.petugas"])
    url = f"/kantor/DINKES/koordinasi/{request.tracking}/"
    fields = {"action": "decline", "version": str(request.version), "reason": REASON}

    # When the asked agency declines with a reason, the page asks first and the request is untouched
    asked = dinkes.post(url, fields, headers=EN)
    page = asked.content.decode()
    assert asked.status_code == 200
    assert f"Coordination request {request.tracking} will end as “Declined”. This cannot be undone." in page
    assert f'name="reason" value="{REASON}"' in page
    assert 'name="confirmed" value="1"' in page
    assert f'href="{url}"' in page  # No, go back
    assert CoordinationRequest.objects.get().state == "requested"

    # And "yes" declines it with the reason typed the first time
    done = dinkes.post(url, {**fields, "confirmed": "1"})
    assert done.status_code == 302
    declined = CoordinationRequest.objects.get()
    assert declined.state == "declined"


def test_withdrawing_a_request_asks_the_requesting_agency_first(
    warga1: User, verifier: User, personas: dict[str, User]
) -> None:
    request = _asked(warga1, verifier)
    officer = _client(verifier)
    url = f"/kantor/DISDUKCAPIL/koordinasi/{request.tracking}/"
    fields = {"action": "withdraw", "version": str(request.version), "reason": "Sudah jelas dari berkas"}

    asked = officer.post(url, fields, headers=EN)
    assert "will end as “Withdrawn”" in asked.content.decode()
    assert CoordinationRequest.objects.get().state == "requested"

    assert officer.post(url, {**fields, "confirmed": "1"}).status_code == 302
    assert CoordinationRequest.objects.get().state == "withdrawn"


def test_a_decline_without_its_reason_is_refused_before_any_confirmation(
    warga1: User, verifier: User, personas: dict[str, User]
) -> None:
    request = _asked(warga1, verifier)
    dinkes = _client(personas["dinkes.petugas"])

    refused = dinkes.post(
        f"/kantor/DINKES/koordinasi/{request.tracking}/",
        {"action": "decline", "version": str(request.version), "reason": ""},
        headers=EN,
    )

    assert refused.status_code == 422
    assert "This cannot be undone." not in refused.content.decode()
    assert CoordinationRequest.objects.get().state == "requested"


def test_the_requesting_agency_is_not_asked_to_confirm_a_decline_it_may_not_make(warga1: User, verifier: User) -> None:
    request = _asked(warga1, verifier)

    refused = _client(verifier).post(
        f"/kantor/DISDUKCAPIL/koordinasi/{request.tracking}/",
        {"action": "decline", "version": str(request.version), "reason": REASON, "confirmed": ""},
        headers=EN,
    )

    assert "This cannot be undone." not in refused.content.decode()
    assert refused.status_code >= 400
    assert CoordinationRequest.objects.get().state == "requested"


def test_the_destructive_moves_come_last_in_the_lesser_style_and_forward_moves_need_no_confirmation(
    warga1: User, verifier: User, personas: dict[str, User]
) -> None:
    request = _asked(warga1, verifier)
    dinkes = _client(personas["dinkes.petugas"])
    url = f"/kantor/DINKES/koordinasi/{request.tracking}/"

    asked_agency = _buttons(dinkes.get(url, headers=EN).content.decode())
    assert asked_agency[-1] == ("Decline", True)
    assert all(not danger for _label, danger in asked_agency[:-1])
    assert {"Accept", "Answer", "Ask back"} <= {label for label, _danger in asked_agency}
    asking = _client(verifier).get(f"/kantor/DISDUKCAPIL/koordinasi/{request.tracking}/", headers=EN)
    asking_agency = _buttons(asking.content.decode())
    assert asking_agency == [("Withdraw", True)]

    accepted = dinkes.post(url, {"action": "accept", "version": str(request.version)})
    assert accepted.status_code == 302
    assert CoordinationRequest.objects.get().state == "accepted"


# --- the life event's offer --------------------------------------------------------------------------------------


def _issued(warga1: User, personas: dict[str, User], **child: Any) -> str:
    """warga1's birth certificate, filed and approved (its document is signed by the worker)."""
    _api, body = submit_birth_certificate(warga1, **child)
    for user, action in (
        (personas["dukcapil.verifikator"], "start_verification"),
        (personas["dukcapil.verifikator"], "verify"),
        (personas["dukcapil.verifikator"], "submit_for_approval"),
        (personas["dukcapil.kadis"], "approve"),
    ):
        client = bearer_client(user)
        version = client.get(f"/api/v1/cases/{body['tracking']}").json()["version"]
        moved = client.post(
            f"/api/v1/cases/{body['tracking']}/transitions",
            {"action": action, "version": version},
            content_type="application/json",
        )
        assert moved.status_code == 200, moved.content
    return str(body["tracking"])


def _offered(warga1: User, personas: dict[str, User]) -> BundleOffer:
    """warga1's birth certificate issued: the rest of the birth is offered on the home page."""
    _issued(warga1, personas)
    return BundleOffer.objects.get(applicant=warga1)


def test_not_now_on_an_offer_asks_first_and_hides_it_only_on_yes(warga1: User, personas: dict[str, User]) -> None:
    offer = _offered(warga1, personas)
    citizen = _client(warga1)
    url = f"/tawaran/{offer.pk}/tutup/"

    # The offer's "Not now" is the lesser button, after "Continue"
    home = citizen.get("/", headers=EN).content.decode()
    card = home.split(f'id="offer-{offer.pk}"', 1)[1].split("</form>", 1)[0]
    assert card.index("Continue") < card.index("Not now")
    assert re.search(r'<button type="submit" class="danger"[^>]*>Not now</button>', card)

    # When the citizen says "Not now", the page asks first and the offer stays
    asked = citizen.post(url, headers=EN)
    page = asked.content.decode()
    assert asked.status_code == 200
    assert "Hide this offer: are you sure?" in page
    assert "does not come back" in page
    assert 'href="/"' in page  # No, go back
    assert 'name="confirmed" value="1"' in page
    assert BundleOffer.objects.get(pk=offer.pk).dismissed_at is None
    assert "Continue the life event of" in citizen.get("/", headers=EN).content.decode()

    # And "yes" hides it
    done = citizen.post(url, {"confirmed": "1"})
    assert done.status_code == 302
    assert BundleOffer.objects.get(pk=offer.pk).dismissed_at is not None
    assert "Continue the life event of" not in citizen.get("/", headers=EN).content.decode()


def test_another_family_s_offer_is_neither_confirmed_nor_hidden(
    warga1: User, warga3: User, personas: dict[str, User]
) -> None:
    offer = _offered(warga1, personas)

    answer = _client(warga3).post(f"/tawaran/{offer.pk}/tutup/", {"confirmed": "1"}, headers=EN, follow=True)

    assert "are you sure?" not in answer.content.decode()
    assert BundleOffer.objects.get(pk=offer.pk).dismissed_at is None


# --- "My documents" ----------------------------------------------------------------------------------------------

# Session, user and the bell's count, the documents with their agencies, the services that name them.
DOCUMENTS_PAGE_QUERIES = 5


def test_my_documents_names_every_document_in_a_fixed_number_of_queries(
    warga1: User, personas: dict[str, User], django_assert_num_queries: Any
) -> None:
    _issued(warga1, personas)
    drain()  # the worker signs the document
    citizen = _client(warga1)
    with django_assert_num_queries(DOCUMENTS_PAGE_QUERIES):
        one = citizen.get("/dokumen/", headers=EN).content.decode()
    assert one.count("<h2>Birth certificate</h2>") == 1

    for n in range(2):  # two more documents: the count stays
        _issued(warga1, personas, child_name=f"Anak Lain {n}", child_birth_date=f"2026-11-1{n}")
    drain()
    assert Document.objects.filter(holder=warga1).count() == 3
    with django_assert_num_queries(DOCUMENTS_PAGE_QUERIES):
        three = citizen.get("/dokumen/", headers=EN).content.decode()
    assert three.count("<h2>Birth certificate</h2>") == 3
