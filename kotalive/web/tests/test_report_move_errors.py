"""A move on the report page that is refused names every problem of that submit at once: a photo that is no photo
and a missing reason together, in the error summary linking to each field, with nothing moved and nothing stored."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kotalive.accounts.models import User
from kotalive.complaints.models import Complaint
from kotalive.complaints.tests.helpers import act_ok, file_report
from kotalive.conftest import bearer_client
from kotalive.core.models import AuditEntry, Upload
from kotalive.events.models import OutboxEvent
from kotalive.workflow.models import WorkflowStep

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

EN = {"Accept-Language": "en"}


@pytest.mark.parametrize("reason", ["", "Tiga lampu diganti"])
@pytest.mark.parametrize(("name", "content"), [("catatan.txt", b"bukan foto"), ("laporan.pdf", PDF)])
def test_a_refused_photo_is_named_with_the_move_s_other_problems_and_nothing_changes(
    warga1: User, operator: User, personas: dict[str, User], reason: str, name: str, content: bytes
) -> None:
    _citizen, filed = file_report(warga1)
    tracking = filed["tracking"]
    act_ok(bearer_client(operator), tracking, "dispose", agency="DISHUB")
    liaison = personas["dishub.penghubung"]
    act_ok(bearer_client(liaison), tracking, "accept")
    before = Complaint.objects.get(tracking=tracking)
    counts = [model.objects.count() for model in (Upload, OutboxEvent, AuditEntry, WorkflowStep)]
    page = Client()
    page.force_login(liaison)

    refused = page.post(
        f"/laporan/{tracking}/",
        {
            "action": "resolve",
            "version": str(before.version),
            "reason": reason,
            "stage": "after",
            "photos": SimpleUploadedFile(name, content),
        },
        headers=EN,
    )

    assert refused.status_code == 422
    summary = re.search(r'<div class="error-summary".*?</div>', refused.content.decode(), flags=re.S)
    assert summary is not None
    links = {text.strip(): href for href, text in re.findall(r'<a href="([^"]+)">([^<]+)</a>', summary[0])}
    assert f"The photo {name} is not a JPEG or PNG photo (checked by its content)." in links, links
    # Named as the form names it, beside its field, and what was typed is kept.
    assert ("What was done is required for this action." in links) == (not reason)
    html = refused.content.decode()
    form = html.split('value="resolve"', 1)[1].split("</form>", 1)[0]
    assert form.count('class="error"') == len(links)
    assert f">{reason}</textarea>" in form
    expected = {"#photos-resolve"} | ({"#reason-resolve"} if not reason else set())
    assert set(links.values()) == expected, links
    after = Complaint.objects.get(tracking=tracking)
    assert (after.state, after.version) == (before.state, before.version)
    # The move tried without the photos was undone whole: no step, event or audit entry of it is left.
    assert [model.objects.count() for model in (Upload, OutboxEvent, AuditEntry, WorkflowStep)] == counts
