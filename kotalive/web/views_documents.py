"""Pages of output documents: the holder's documents and downloads, public verification (`/v/<id>`, with a PDF
upload), the offline verifier, the published key and revocation lists, and revocation by the issuing agency."""

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from kotalive.agencies.labels import agency_name
from kotalive.agencies.selectors import user_roles_in
from kotalive.cases.selectors import case_get_for_actor, case_output
from kotalive.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from kotalive.documents.api import REVOKERS
from kotalive.documents.selectors import (
    document_file_response,
    document_get,
    documents_of,
    key_set,
    public_view,
    revocation_list,
    status_of,
)
from kotalive.documents.services import document_revoke, verification_count, verify_upload
from kotalive.web.access import signed_in_user, staff_user
from kotalive.web.confirm import confirmation_page, confirmed
from kotalive.web.labels import document_title, document_titles

REASONS = {
    "error": gettext_lazy("issued in error"),
    "superseded": gettext_lazy("replaced by a newer document"),
    "court_order": gettext_lazy("cancelled by a court order"),
    "fraud": gettext_lazy("obtained by fraud"),
}
PUBLIC_CACHE = "public, max-age=300"


def _public(response: HttpResponse) -> HttpResponse:
    """Lists anyone may fetch from anywhere (an offline verifier on another origin)."""
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = PUBLIC_CACHE
    return response


def keys(request: HttpRequest) -> HttpResponse:
    """/.well-known/kotalive-keys.json: the seal keys (JWK set) and the issuing CA's certificates."""
    return _public(JsonResponse(key_set()))


def revocations(request: HttpRequest) -> HttpResponse:
    """/.well-known/kotalive-revocations.jws: the signed, timestamped list of revoked documents."""
    return _public(HttpResponse(revocation_list(), content_type="application/jose"))


@require_http_methods(["GET", "POST"])
def verify_page(request: HttpRequest, document_id: str) -> HttpResponse:
    """What the QR opens: valid, revoked or unknown, with minimal disclosure; a PDF can be checked against it."""
    document = document_get(document_id)
    checked: dict[str, Any] | None = None
    error = ""
    status_code = 200
    if request.method == "POST":
        uploaded = request.FILES.get("file")
        limit = settings.KOTALIVE_VERIFY_UPLOAD_MAX_BYTES
        try:
            checked = verify_upload(document, uploaded.read(limit + 1) if uploaded is not None else b"")
        except ValidationFailed as exc:
            error, status_code = str(exc.errors["file"][0]), 422
    else:
        verification_count(kind=document.kind if document else "", via="page", status=status_of(document))
    view = public_view(document)
    return render(
        request,
        "web/document_verify.html",
        {
            "view": view,
            # What it is and who issued it, in the reader's language (the printed title stays the official one).
            "kind_name": document_title(document) if document else "",
            "issuer": agency_name(document.agency) if document else "",
            "document_id": document_id,
            "reason": REASONS.get(view["revocation_reason"] or "", ""),
            "checked": checked,
            "error": error,
        },
        status=status_code,
    )


def offline_verifier(request: HttpRequest) -> HttpResponse:
    """Checks a QR's seal in the browser against the cached key and revocation lists; works without a network once
    loaded (the page and the lists are kept by the browser)."""
    return render(
        request,
        "web/document_offline.html",
        {
            "max_age_hours": settings.KOTALIVE_VERIFIER_MAX_AGE_HOURS,
            "reasons_json": json.dumps({code: str(label) for code, label in REASONS.items()}),
        },
    )


def offline_worker(request: HttpRequest) -> HttpResponse:
    """The offline verifier's service worker, served under /v/ so that it may keep /v/offline."""
    path = finders.find("web/service-worker-verifier.js")
    if not path:
        raise Http404
    with open(str(path), "rb") as source:
        response = HttpResponse(source.read(), content_type="text/javascript")
    response["Service-Worker-Allowed"] = "/v/"
    response["Cache-Control"] = "no-cache"
    return response


@login_required
def my_documents(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    documents = document_titles(documents_of(user)[:200])  # named in one query, not one per document
    return render(request, "web/documents.html", {"documents": documents, "reasons": REASONS})


@login_required
def output_download(request: HttpRequest, tracking: str) -> HttpResponse | FileResponse:
    """The case's signed document (or the file the agency attached), for those who may see the case."""
    try:
        case = case_get_for_actor(user=signed_in_user(request), tracking=tracking)
    except NotFound:
        raise Http404 from None
    output = case_output(case)
    if output is None or (output.signed_document is None and output.document is None):
        raise Http404
    name = f"{case.service.code}-{output.number.replace('/', '-')}"
    if output.signed_document is None:
        from kotalive.core.uploads import upload_response  # noqa: PLC0415

        return upload_response(output.document, name)
    try:
        return document_file_response(output.signed_document, name)
    except Conflict as exc:
        messages.error(request, str(exc.message))
        return redirect("web:case", tracking=tracking)


@login_required
@require_POST
def revoke(request: HttpRequest, document_id: str) -> HttpResponse:
    """The issuing agency revokes a document from the officer's case page."""
    user = staff_user(request)
    document = document_get(document_id)
    if document is None or not user_roles_in(user=user, agency=document.agency) & REVOKERS:
        raise Http404
    back_url = reverse("web:backoffice-case", args=[document.agency.code, document.subject_ref])
    reason = request.POST.get("reason", "")
    # Asked first, once the reason is one the service takes (otherwise its refusal says what is missing).
    if reason in REASONS and document.revoked_at is None and not confirmed(request):
        return confirmation_page(
            request,
            title=_("Revoke document %(number)s: are you sure?") % {"number": document.number},
            consequence=_(
                "Document %(number)s will be revoked as “%(reason)s”: whoever checks it from then on is told it is "
                "no longer valid, and its holder can no longer download it. This cannot be undone."
            )
            % {"number": document.number, "reason": REASONS[reason]},
            confirm_label=_("Yes: revoke the document"),
            back_url=back_url,
        )
    try:
        document_revoke(actor=user, document=document, reason=reason, note=request.POST.get("note", ""))
        messages.success(request, _("The document is revoked. Verification now says so."))
    except DomainError as exc:
        for refusals in getattr(exc, "errors", {}).values():
            for refusal in refusals:
                messages.error(request, refusal)
        if not getattr(exc, "errors", None):
            messages.error(request, str(exc.message))
    return redirect(back_url)
