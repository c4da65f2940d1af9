"""Citizen pages for services and applications: the catalogue, the service standard, the application form
rendered from the service's JSON Schema (works without JavaScript), and the case page."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kotalive.accounts.models import User
from kotalive.cases import services as case_services
from kotalive.cases.bundle_selectors import bundle_kind_summaries, bundle_summary, bundles_of_citizen
from kotalive.cases.documents import document_response
from kotalive.cases.models import IKM_ELEMENTS, CaseDraft
from kotalive.cases.selectors import (
    case_actions,
    case_document_get,
    case_documents,
    case_get_for_actor,
    case_is_rated,
    case_is_staff_view,
    case_timeline,
    cases_of_citizen,
    public_status,
    sla_verdict,
    status_label,
)
from kotalive.catalogue.forms import coerce_form_post, form_fields
from kotalive.catalogue.models import Service, localised
from kotalive.catalogue.prefill import form_prefill
from kotalive.catalogue.selectors import service_get, service_list
from kotalive.catalogue.subjects import (
    CHILD,
    prefill_person,
    resolve_subject,
    subject_candidates,
    subject_default,
    subject_kind,
)
from kotalive.core.errors import DomainError, NotFound, ValidationFailed
from kotalive.core.uploads import upload_create
from kotalive.web.access import signed_in_user


def services_index(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    services = list(service_list(q=q or None))
    life_events = [] if q else bundle_kind_summaries()
    return render(request, "web/services.html", {"services": services, "q": q, "life_events": life_events})


def _published(code: str) -> Service:
    service = service_get(code=code)
    if service is None or service.current is None:
        raise Http404
    return service


def service_detail(request: HttpRequest, code: str) -> HttpResponse:
    service = _published(code)
    version = service.current
    assert version is not None  # noqa: S101
    standard = [
        (key, localised(version.standard.get(key, "")))
        for key in ("requirements", "procedure", "time", "cost", "product", "complaint_channel")
    ]
    requirements = [{**r, "label": localised(r["name"])} for r in version.requirements]
    return render(
        request,
        "web/service_detail.html",
        {"service": service, "version": version, "standard": standard, "requirements": requirements},
    )


def _subjects(user: User, service: Service) -> list[tuple[str, str]]:
    """Whom the form may be for, as the service's subject kind allows: the applicant and their family, or for a
    service for children only the children of their family card within its age limits."""
    version = service.current
    if version is None:
        return []
    choices = [] if subject_kind(version.eligibility) == CHILD else [("self", _("Myself"))]
    return choices + [
        (str(m.pk), f"{m.full_name.title()} ({m.relationship.lower()})")
        for m in subject_candidates(user=user, version=version)
    ]


def documents_from_post(
    request: HttpRequest, user: User, requirements: list[dict[str, Any]], documents: dict[str, str]
) -> dict[str, list[str]]:
    """Add to `documents` the uploads kept from an earlier try and the files of this post (stored, checked by
    content); the reasons a file was refused, by requirement."""
    errors: dict[str, list[str]] = {}
    documents.update(
        {r["code"]: request.POST[f"keep_{r['code']}"] for r in requirements if request.POST.get(f"keep_{r['code']}")}
    )
    for requirement in requirements:
        uploaded = request.FILES.get(f"doc_{requirement['code']}")
        if uploaded is None:
            continue
        try:
            stored = upload_create(
                actor=user, stream=uploaded.open("rb"), name=uploaded.name or "", size=uploaded.size or 0
            )
            documents[requirement["code"]] = str(stored.pk)
        except ValidationFailed as exc:
            errors[requirement["code"]] = [r for reasons in exc.errors.values() for r in reasons]
    return errors


def form_items(
    schema: dict[str, Any],
    ui_hints: dict[str, Any],
    *,
    values: dict[str, Any],
    errors: dict[str, list[str]],
    prefill: dict[str, Any],
) -> list[dict[str, Any]]:
    """The fields of a JSON Schema form as the template `_form_fields.html` shows them."""
    items = []
    for field in form_fields(schema, ui_hints):
        value = values.get(field.name, "")
        items.append(
            {
                "field": field,
                "value": "\n".join(value) if isinstance(value, list) else value,
                "errors": errors.get(field.name, []),
                "from_registry": field.name in prefill and value == prefill[field.name],
            }
        )
    return items


def requirement_items(
    requirements: list[dict[str, Any]], *, documents: dict[str, str], errors: dict[str, list[str]]
) -> list[dict[str, Any]]:
    """The documents a form asks for, as the template `_form_documents.html` shows them."""
    return [
        {
            **r,
            "label": localised(r["name"]),
            "kept": documents.get(r["code"], ""),
            "errors": errors.get(r["code"], []),
            "accept": ",".join(
                {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}[t] for t in r["types"]
            ),
        }
        for r in requirements
    ]


def split_errors(exc: DomainError) -> tuple[dict[str, list[str]], dict[str, list[str]], list[str]]:
    """Service errors by form field, by document requirement, and the rest."""
    fields: dict[str, list[str]] = {}
    documents: dict[str, list[str]] = {}
    general: list[str] = []
    items = exc.errors.items() if isinstance(exc, ValidationFailed) else [(exc.field or "", [str(exc.message)])]
    for key, reasons in items:
        if key.startswith("data."):
            fields.setdefault(key[5:], []).extend(reasons)
        elif key.startswith("documents."):
            documents.setdefault(key[10:], []).extend(reasons)
        else:
            general += [f"{key}: {r}" if key and key not in {"data", "service", "subject"} else r for r in reasons]
    return fields, documents, general


@login_required
@require_http_methods(["GET", "POST"])
def service_apply(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in_user(request)
    service = _published(code)
    version = service.current
    assert version is not None  # noqa: S101
    subjects = _subjects(user, service)
    subject = request.POST.get("subject") or request.GET.get("subject") or ""
    if request.method != "POST" and subject not in {value for value, _label in subjects}:
        subject = subject_default(user=user, version=version)  # a post keeps its choice: the service judges it
    elif not subject and subject_kind(version.eligibility) != CHILD:
        subject = "self"
    draft = CaseDraft.objects.filter(applicant=user, service=service, subject=subject).first()
    field_errors: dict[str, list[str]] = {}
    document_errors: dict[str, list[str]] = {}
    general: list[str] = []
    status = 200
    try:
        person = resolve_subject(user=user, subject=subject, version=version) if subject else None
    except DomainError:
        person = None
    prefill = form_prefill(version, prefill_person(user=user, version=version, person=person) if subject else None)
    documents: dict[str, str] = dict(draft.documents) if draft else {}

    if request.method == "POST":
        data = coerce_form_post(version.form_schema, request.POST)
        document_errors = documents_from_post(request, user, version.requirements, documents)
        if request.POST.get("intent") == "draft":
            case_services.case_draft_save(
                actor=user, service_code=code, subject=subject, data=data, documents=documents
            )
            messages.success(request, _("Draft saved. You can finish it later."))
            return redirect(f"{request.path}?subject={subject}")
        if not document_errors:
            try:
                case = case_services.case_submit(
                    actor=user, service_code=code, subject=subject, data=data, documents=documents
                )
            except DomainError as exc:
                field_errors, more, general = split_errors(exc)
                document_errors.update(more)
                status = exc.status
            else:
                case_services.case_draft_discard(actor=user, service_code=code, subject=subject)
                messages.success(
                    request, _("Application sent. Your tracking number is %(tracking)s.") % {"tracking": case.tracking}
                )
                return redirect("web:case", tracking=case.tracking)
        else:
            status = 422
        values = data
    else:
        values = {**prefill, **(draft.data if draft else {})}

    fields = form_items(version.form_schema, version.ui_hints, values=values, errors=field_errors, prefill=prefill)
    requirements = requirement_items(version.requirements, documents=documents, errors=document_errors)
    return render(
        request,
        "web/service_apply.html",
        {
            "service": service,
            "version": version,
            "fields": fields,
            "requirements": requirements,
            "subjects": subjects,
            "subject": subject,
            "for_children": subject_kind(version.eligibility) == CHILD,
            "max_age": version.eligibility.get("max_age"),
            "general_errors": general,
            "has_draft": draft is not None,
            "verified_contact": user.has_verified_contact,
        },
        status=status,
    )


@login_required
def my_cases(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    cases = [(c, public_status(c), status_label(public_status(c))) for c in cases_of_citizen(user=user)[:200]]
    life_events = [bundle_summary(b) for b in bundles_of_citizen(user=user)[:50]]
    return render(request, "web/cases.html", {"cases": cases, "life_events": life_events})


def _case_or_404(user: User, tracking: str) -> Any:
    try:
        return case_get_for_actor(user=user, tracking=tracking)
    except NotFound:
        raise Http404 from None


@login_required
@require_http_methods(["GET", "POST"])
def case_page(request: HttpRequest, tracking: str) -> HttpResponse:
    user = signed_in_user(request)
    case = _case_or_404(user, tracking)
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("intent") == "message":
                case_services.case_message_post(actor=user, tracking=tracking, body=request.POST.get("body", ""))
                messages.success(request, _("Message sent."))
            elif request.POST.get("intent") == "document":
                requirement = request.POST.get("requirement", "")
                uploaded = request.FILES.get("file")
                if uploaded is None:
                    raise ValidationFailed({"file": [_("choose a file")]})
                stored = upload_create(
                    actor=user, stream=uploaded.open("rb"), name=uploaded.name or "", size=uploaded.size or 0
                )
                case_services.case_document_replace(
                    actor=user, tracking=tracking, requirement=requirement, upload_id=str(stored.pk)
                )
                messages.success(request, _("Document added."))
            elif request.POST.get("intent") == "rating":
                scores = [int(request.POST.get(f"u{i}", "0") or 0) for i in range(1, 10)]
                case_services.case_rate(
                    actor=user, tracking=tracking, scores=scores, comment=request.POST.get("comment", "")
                )
                messages.success(request, _("Thank you for rating this service."))
            else:
                case_services.case_transition(
                    actor=user,
                    tracking=tracking,
                    action=request.POST.get("action", ""),
                    version=int(request.POST.get("version", "0") or 0),
                    reason=request.POST.get("reason", ""),
                )
                messages.success(request, _("Done."))
            return redirect("web:case", tracking=tracking)
        except DomainError as exc:
            _fields, _docs, general = split_errors(exc)
            for reason in (
                general + [r for rs in _fields.values() for r in rs] + [r for rs in _docs.values() for r in rs]
            ):
                messages.error(request, reason)
            status = exc.status
            case = _case_or_404(user, tracking)
    version = case.service_version
    documents = [
        (d, localised((version.requirement(d.requirement) or {}).get("name", d.requirement)))
        for d in case_documents(case=case)
    ]
    label = {t["action"]: localised(t.get("label", {})) for t in case.workflow.document["transitions"]}
    state_labels = {s["code"]: localised(s.get("label", {})) for s in case.workflow.document["states"]}
    return render(
        request,
        "web/case.html",
        {
            "case": case,
            "public_status": public_status(case),
            "status_label": status_label(public_status(case)),
            "sla_status": sla_verdict(case),
            "state_label": state_labels.get(case.state, case.state),
            "timeline": case_timeline(case=case, staff_view=case_is_staff_view(user=user, case=case)),
            "actions": [(t, label.get(t.action) or t.action) for t in case_actions(user=user, case=case)],
            "documents": documents,
            "requirements": [(r["code"], localised(r["name"])) for r in version.requirements],
            "can_add_documents": case.applicant_id == user.pk
            and case.state_category in {"submitted", "awaiting_citizen"},
            "can_rate": case.applicant_id == user.pk and case.state_category == "completed" and not case_is_rated(case),
            "ikm_elements": list(enumerate(IKM_ELEMENTS, start=1)),
            "output": getattr(case, "output", None),
            "state_labels": state_labels,
        },
        status=status,
    )


@login_required
def case_document(request: HttpRequest, tracking: str, upload_id: str) -> FileResponse:
    case = _case_or_404(signed_in_user(request), tracking)
    try:
        return document_response(case_document_get(case=case, upload_id=upload_id))
    except NotFound:
        raise Http404 from None


@login_required
@require_POST
def case_cancel_draft(request: HttpRequest, code: str) -> HttpResponse:
    case_services.case_draft_discard(
        actor=signed_in_user(request), service_code=code, subject=request.POST.get("subject", "")
    )
    messages.info(request, _("Draft discarded."))
    return redirect("web:service-apply", code=code)
