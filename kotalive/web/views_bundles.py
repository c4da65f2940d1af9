"""Citizen pages for life events: the one form of a bundle (rendered from its JSON Schema like a service's, works
without JavaScript), the bundle's page with every part and one timeline, and the offer of the rest of a life event
that a single application recorded."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kotalive.cases import bundles
from kotalive.cases.bundle_selectors import (
    bundle_detail,
    bundle_get_for_actor,
    bundle_kind_summaries,
    bundle_kinds,
    bundle_offers_open,
)
from kotalive.catalogue.forms import coerce_form_post, form_errors
from kotalive.catalogue.models import localised
from kotalive.core.errors import DomainError, NotFound
from kotalive.registry.labels import relationship_label
from kotalive.web.access import signed_in_user
from kotalive.web.confirm import confirmation_page, confirmed
from kotalive.web.views_services import (
    documents_from_post,
    form_items,
    form_problems,
    requirement_items,
    split_errors,
)


@login_required
@require_http_methods(["GET", "POST"])
def bundle_apply(request: HttpRequest, kind: str) -> HttpResponse:
    user = signed_in_user(request)
    found = bundle_kinds().filter(code=kind).first()
    if found is None or bundles.bundle_kind_services(found) is None:
        raise Http404
    document = found.document
    from_case = request.POST.get("from_case") or request.GET.get("dari") or ""
    offer = bundles.bundle_offer_open(user=user, kind=found, tracking=from_case)
    subjects = bundles.bundle_subjects(user=user, kind=found)
    prefill = bundles.bundle_prefill(user=user, kind=found, offer=offer)
    subject = request.POST.get("subject", "")
    asked = bundles.bundle_documents_asked(kind=found, offer=offer)  # with an offer, not what it already has
    field_errors: dict[str, list[str]] = {}
    document_errors: dict[str, list[str]] = {}
    general: list[str] = []
    documents: dict[str, str] = {}
    status = 200
    values: dict[str, Any] = prefill
    if request.method == "POST":
        values = coerce_form_post(document["form_schema"], request.POST)
        document_errors = documents_from_post(request, user, asked, documents)
        if not document_errors:
            try:
                bundle = bundles.bundle_submit(
                    actor=user,
                    kind_code=kind,
                    data=values,
                    documents=documents,
                    subject=subject,
                    from_case=offer.case.tracking if offer is not None else "",
                )
            except DomainError as exc:
                field_errors, more, general = split_errors(exc)
                document_errors.update(more)
                status = exc.status
            else:
                messages.success(
                    request, _("Life event filed. Its tracking number is %(tracking)s.") % {"tracking": bundle.tracking}
                )
                return redirect("web:bundle", tracking=bundle.tracking)
        else:
            # An upload failed: the form's own answers are still checked, so every problem shows at once.
            answers = form_errors(document["form_schema"], values)
            field_errors = {key.removeprefix("data."): why for key, why in answers.items() if key.startswith("data.")}
            status = 422
    fields = form_items(document["form_schema"], {}, values=values, errors=field_errors, prefill=prefill)
    requirement_rows = requirement_items(asked, documents=documents, errors=document_errors)
    return render(
        request,
        "web/bundle_apply.html",
        {
            "kind": found,
            "name": bundles.bundle_kind_name(found),
            "description": localised(document.get("description", "")),
            "parts": next(k["parts"] for k in bundle_kind_summaries() if k["kind"] == found.code),
            "fields": fields,
            "requirements": requirement_rows,
            "problems": form_problems(fields, requirement_rows, general),
            "subjects": [
                (str(p.pk), f"{p.full_name.title()} ({relationship_label(p.relationship)})") for p in subjects
            ],
            "subject": subject,
            "general_errors": general,
            "offer": offer,
            "verified_contact": user.has_verified_contact,
        },
        status=status,
    )


@login_required
def bundle_page(request: HttpRequest, tracking: str) -> HttpResponse:
    user = signed_in_user(request)
    try:
        bundle = bundle_get_for_actor(user=user, tracking=tracking)
    except NotFound:
        raise Http404 from None
    return render(request, "web/bundle.html", {"bundle": bundle_detail(bundle, user)})


@login_required
@require_POST
def offer_dismiss(request: HttpRequest, offer_id: int) -> HttpResponse:
    """The home page's "Not now" on an offer: asked first (the offer does not come back), then hidden."""
    user = signed_in_user(request)
    offer = next((o for o in bundle_offers_open(user=user) if o.pk == offer_id), None)
    if offer is not None and not confirmed(request):  # an offer that is not open: the service's refusal says so
        return confirmation_page(
            request,
            title=_("Hide this offer: are you sure?"),
            consequence=_(
                "The offer to file the rest of the life event of %(name)s (%(event)s) with one form leaves your "
                "home page and does not come back. You can still apply for each service on its own."
            )
            % {"name": offer.person.full_name.title(), "event": bundles.bundle_kind_name(offer.kind)},
            confirm_label=_("Yes: hide the offer"),
            back_url=reverse("web:home"),
        )
    try:
        bundles.bundle_offer_dismiss(actor=user, offer_id=offer_id)
        messages.info(request, _("Offer hidden. You can still apply for each service on its own."))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("web:home")
