"""Revoking a signed document from the officer's case page asks first: the "are you sure?" page names the document
and the reason, changes nothing, carries the reason and the note along, and revokes only on "yes". A revocation
without its reason is refused before any confirmation; another agency's officer finds no such page."""

from typing import Any

import pytest
from django.test import Client

from kotalive.accounts.models import User
from kotalive.cases.tests.test_output_documents import _complete
from kotalive.documents.models import Document
from kotalive.documents.services import documents_sign_due

pytestmark = pytest.mark.django_db

EN = {"Accept-Language": "en"}


@pytest.fixture
def signed(warga1: User, verifier: User, personas: dict[str, User]) -> dict[str, Any]:
    case = _complete(warga1, verifier, personas["dukcapil.kadis"])
    documents_sign_due()
    return case


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_revocation_asks_for_confirmation_and_revokes_only_on_yes(
    signed: dict[str, Any], personas: dict[str, User]
) -> None:
    document = Document.objects.get(pk=signed["output"]["document_id"])
    url = f"/kantor/dokumen/{document.pk}/cabut/"
    head = _signed_in(personas["dukcapil.kadis"])
    fields = {"reason": "superseded", "note": "Diganti akta baru"}

    asked = head.post(url, fields, headers=EN)
    page = asked.content.decode()
    assert asked.status_code == 200
    assert f"Document {document.number} will be revoked as “replaced by a newer document”" in page
    assert "This cannot be undone." in page
    assert 'name="note" value="Diganti akta baru"' in page
    assert 'name="confirmed" value="1"' in page
    assert f'href="/kantor/DISDUKCAPIL/kasus/{signed["tracking"]}/"' in page  # No, go back
    assert Document.objects.get(pk=document.pk).revoked_at is None

    done = head.post(url, {**fields, "confirmed": "1"})
    assert done.status_code == 302
    revoked = Document.objects.get(pk=document.pk)
    assert revoked.revoked_at is not None
    assert (revoked.revocation_reason, revoked.revocation_note) == ("superseded", "Diganti akta baru")


def test_a_revocation_without_its_reason_is_refused_before_any_confirmation(
    signed: dict[str, Any], personas: dict[str, User]
) -> None:
    document_id = signed["output"]["document_id"]
    head = _signed_in(personas["dukcapil.kadis"])

    refused = head.post(f"/kantor/dokumen/{document_id}/cabut/", {"reason": ""}, headers=EN, follow=True)

    assert "This cannot be undone." not in refused.content.decode()
    assert "Choose why the document is revoked." in refused.content.decode()
    assert Document.objects.get(pk=document_id).revoked_at is None


def test_another_agency_s_officer_gets_no_confirmation_page(signed: dict[str, Any], dinsos_officer: User) -> None:
    document_id = signed["output"]["document_id"]

    refused = _signed_in(dinsos_officer).post(f"/kantor/dokumen/{document_id}/cabut/", {"reason": "error"})

    assert refused.status_code == 404
    assert Document.objects.get(pk=document_id).revoked_at is None
