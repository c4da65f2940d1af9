"""Citizen pages for services and applications: the catalogue, the service standard, the application form
rendered from the service's JSON Schema (works without JavaScript), and the case page."""

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kotalive.accounts.models import User
from kotalive.agencies.labels import agency_name
from kotalive.cases import services as case_services
from kotalive.cases.bundle_selectors import bundle_kind_summaries, bundle_summary, bundles_of_citizen
from kotalive.cases.documents import document_response
from kotalive.cases.models import CaseDraft
from kotalive.cases.presenters import ikm_questions
from kotalive.cases.selectors import (
    case_actions,
    case_changed_since,
    case_document_get,
    case_documents,
    case_draft_get,
    case_draft_uploads,
    case_drafts_of_citizen,
    case_get_for_actor,
    case_is_rated,
    case_is_staff_view,
    case_revision_request,
    case_timeline,
    cases_of_citizen,
    public_status,
    sla_verdict,
    status_label,
    visited_states,
)
from kotalive.catalogue.forms import FormField, coerce_form_post, date_shown, form_fields
from kotalive.catalogue.labels import form_answer
from kotalive.catalogue.models import Service, localised
from kotalive.catalogue.prefill import form_prefill
from kotalive.catalogue.selectors import service_get, service_list
from kotalive.catalogue.subjects import (
    CHILD,
    NEWBORN,
    prefill_person,
    resolve_subject,
    subject_candidates,
    subject_default,
    subject_field,
    subject_kind,
)
from kotalive.core.errors import DomainError, NotFound, ValidationFailed
from kotalive.core.models import Upload
from kotalive.core.uploads import upload_create
from kotalive.registry.labels import relationship_label
from kotalive.web.access import signed_in_user
from kotalive.web.confirm import confirmation_page, confirmed, transition_confirmation
from kotalive.web.feedback import field_label, posted_int
from kotalive.web.steps import application_steps
from kotalive.workflow.labels import sla_label


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
        (str(m.pk), f"{m.full_name.title()} ({relationship_label(m.relationship)})")
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


def field_sentence(field: FormField, reason: str) -> str:
    """A reason the service gave for a form field ("is required", "must have at least 16 characters"), as a full
    sentence that names the field; a reason that already is one (the date rules') stays as it is. A choice is never
    refused with its stored values."""
    reason = str(reason).strip()
    if reason[:1].isupper() and reason.endswith("."):
        return reason
    words = {"field": field.label, "reason": reason}
    if field.kind == "select":
        return _("Choose an answer for %(field)s.") % words
    if reason == _("is required"):
        return _("%(field)s is required.") % words
    if field.kind == "date" and reason == _("must be a date written as YYYY-MM-DD"):
        return _("Enter %(field)s as a real date: day, month and year.") % words
    if field.kind == "integer" and reason.startswith(_("must be of type %(type)s") % {"type": ""}):
        return _("Enter %(field)s as a whole number.") % words
    return _("%(field)s %(reason)s.") % words


def document_sentence(name: str, reason: str, *, given: bool, required: bool) -> str:
    """A reason a document was refused, as a full sentence that names the document."""
    reason = str(reason).strip()
    if reason[:1].isupper() and reason.endswith("."):
        return reason
    if not given and required and reason == _("is required: %(name)s") % {"name": name}:
        return _("Upload %(document)s: it is required.") % {"document": name}
    return _("The file for %(document)s %(reason)s.") % {"document": name, "reason": reason}


def form_items(
    schema: dict[str, Any],
    ui_hints: dict[str, Any],
    *,
    values: dict[str, Any],
    errors: dict[str, list[str]],
    prefill: dict[str, Any],
) -> list[dict[str, Any]]:
    """The fields of a JSON Schema form as the template `_form_fields.html` shows them, each error a sentence that
    names its field."""
    items = []
    for field in form_fields(schema, ui_hints):
        value = values.get(field.name, "")
        shown = date_shown(value) if field.kind == "date" else value  # typed and shown as DD-MM-YYYY
        items.append(
            {
                "field": field,
                "value": "\n".join(value) if isinstance(value, list) else shown,
                "errors": list(dict.fromkeys(field_sentence(field, r) for r in errors.get(field.name, []))),
                "from_registry": field.name in prefill and value == prefill[field.name],
            }
        )
    return items


def requirement_items(
    requirements: list[dict[str, Any]], *, documents: dict[str, str], errors: dict[str, list[str]]
) -> list[dict[str, Any]]:
    """The documents a form asks for, as the template `_form_documents.html` shows them, each error a sentence that
    names its document."""
    items = []
    for r in requirements:
        label = localised(r["name"])
        reasons = errors.get(r["code"], [])
        # A refused file is not "already uploaded": the citizen chooses another, and the refused one is not sent back.
        kept = documents.get(r["code"], "") if not reasons else ""
        items.append(
            {
                **r,
                "label": label,
                "kept": kept,
                "errors": list(
                    dict.fromkeys(
                        document_sentence(label, e, given=bool(kept), required=bool(r.get("required"))) for e in reasons
                    )
                ),
                "accept": ",".join(
                    {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}[t] for t in r["types"]
                ),
            }
        )
    return items


def form_problems(
    fields: list[dict[str, Any]], requirements: list[dict[str, Any]], general: list[str]
) -> list[dict[str, str]]:
    """Every problem of a failed application form, in the form's order, for the error summary at its top
    (web_forms.error_summary): each line links to its field or document."""
    found = [{"href": "#application-form", "text": text} for text in general]
    for item in fields:
        found += [{"href": f"#f_{item['field'].name}", "text": text} for text in item["errors"]]
    for item in requirements:
        found += [{"href": f"#doc_{item['code']}", "text": text} for text in item["errors"]]
    return found


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
            general += [_general_sentence(key, str(r)) for r in reasons]
    return fields, documents, general


def _general_sentence(key: str, reason: str) -> str:
    reason = reason.strip()
    if reason[:1].isupper() and reason.endswith("."):
        return reason
    if key == "subject":
        return _("The person this application is for %(reason)s.") % {"reason": reason}
    if key.startswith("u") and key[1:].isdigit():  # a rating's answers, u1..u9 (the IKM elements)
        return _("Each rating %(reason)s.") % {"reason": reason}
    label = field_label(key)
    if label:
        return _("%(field)s %(reason)s.") % {"field": label, "reason": reason}
    return reason[:1].upper() + reason[1:] + ("" if reason.endswith(".") else ".")


CHECK_STEP = "periksa"  # ?langkah=periksa: the "check your answers" page of the answers saved on the way
SENT = "terkirim"  # /kasus/<tracking>/?terkirim=1: the confirmation page right after a submission


def _answer_or_none(schema: dict[str, Any], name: str, value: Any) -> str:
    """The answer in words (catalogue.labels.form_answer), or that none was given."""
    if value is None or value == "" or value == []:
        return str(_("Not given"))
    return form_answer(schema, name, value)


def answer_rows(schema: dict[str, Any], ui_hints: dict[str, Any], data: dict[str, Any]) -> list[dict[str, Any]]:
    """Every question of a form with its answer in words, in the form's order (check your answers, the case page)."""
    return [
        {"name": field.name, "label": field.label, "value": _answer_or_none(schema, field.name, data.get(field.name))}
        for field in form_fields(schema, ui_hints)
    ]


def document_rows(requirements: list[dict[str, Any]], given: dict[str, Upload]) -> list[dict[str, Any]]:
    """Every document a form asks for, with the file given for it (or none)."""
    return [
        {
            "code": r["code"],
            "label": localised(r["name"]),
            "required": bool(r.get("required")),
            "file": given.get(r["code"]),
        }
        for r in requirements
    ]


def _apply_form(
    request: HttpRequest,
    *,
    service: Service,
    subjects: list[tuple[str, str]],
    subject: str,
    has_draft: bool,
    values: dict[str, Any],
    documents: dict[str, str],
    prefill: dict[str, Any],
    field_errors: dict[str, list[str]] | None = None,
    document_errors: dict[str, list[str]] | None = None,
    general: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    version = service.current
    assert version is not None  # noqa: S101
    user = signed_in_user(request)
    fields = form_items(
        version.form_schema, version.ui_hints, values=values, errors=field_errors or {}, prefill=prefill
    )
    requirements = requirement_items(version.requirements, documents=documents, errors=document_errors or {})
    general = general or []
    return render(
        request,
        "web/service_apply.html",
        {
            "service": service,
            "version": version,
            "fields": fields,
            "requirements": requirements,
            "problems": form_problems(fields, requirements, general),
            "subjects": subjects,
            "subject": subject,
            "for_children": subject_kind(version.eligibility) == CHILD,
            "max_age": version.eligibility.get("max_age"),
            "general_errors": general,
            "has_draft": has_draft,
            "verified_contact": user.has_verified_contact,
        },
        status=status,
    )


def _apply_url(code: str, subject: str, *, check: bool = False) -> str:
    query = {"subject": subject, **({"langkah": CHECK_STEP} if check else {})}
    return f"{reverse('web:service-apply', args=[code])}?{urlencode(query)}"


@login_required
@require_http_methods(["GET", "POST"])
def service_apply(request: HttpRequest, code: str) -> HttpResponse:
    """The application form; "Continue" checks every answer and document at once and keeps them (as the citizen's
    draft, uploads included) for the "check your answers" page; "Submit application" there files the case."""
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
    draft = case_draft_get(user=user, service=service, subject=subject)
    try:
        person = resolve_subject(user=user, subject=subject, version=version) if subject else None
    except DomainError:
        person = None
    prefill = form_prefill(version, prefill_person(user=user, version=version, person=person) if subject else None)
    documents: dict[str, str] = dict(draft.documents) if draft else {}
    form: dict[str, Any] = {
        "service": service,
        "subjects": subjects,
        "subject": subject,
        "has_draft": draft is not None,
    }
    intent = request.POST.get("intent", "")

    if request.method == "POST" and intent == "submit":
        return _submit(request, user=user, draft=draft, prefill=prefill, form=form)
    if request.method == "POST":
        data = coerce_form_post(version.form_schema, request.POST)
        upload_errors = documents_from_post(request, user, version.requirements, documents)
        if intent == "draft":
            case_services.case_draft_save(
                actor=user, service_code=code, subject=subject, data=data, documents=documents
            )
            messages.success(request, _("Draft saved. You can finish it later."))
            return redirect(_apply_url(service.code, subject))
        field_errors: dict[str, list[str]] = {}
        document_errors: dict[str, list[str]] = {}
        general: list[str] = []
        status = 422
        try:
            case_services.case_submission_check(
                actor=user, service_code=code, subject=subject, data=data, documents=documents
            )
        except DomainError as exc:
            field_errors, document_errors, general = split_errors(exc)
            status = exc.status
        # A file refused on the way in says why; the check's "is required" for the same document would repeat it.
        document_errors.update(upload_errors)
        if not (field_errors or document_errors or general):
            case_services.case_draft_save(
                actor=user, service_code=code, subject=subject, data=data, documents=documents
            )
            return redirect(_apply_url(service.code, subject, check=True))
        return _apply_form(
            request,
            **form,
            values=data,
            documents=documents,
            prefill=prefill,
            field_errors=field_errors,
            document_errors=document_errors,
            general=general,
            status=status,
        )
    if request.GET.get("langkah") == CHECK_STEP and draft is not None:
        try:
            case_services.case_submission_check(
                actor=user, service_code=code, subject=subject, data=draft.data, documents=documents
            )
        except DomainError as exc:
            field_errors, document_errors, general = split_errors(exc)
            return _apply_form(
                request,
                **form,
                values=draft.data,
                documents=documents,
                prefill=prefill,
                field_errors=field_errors,
                document_errors=document_errors,
                general=general,
                status=exc.status,
            )
        return _check_page(request, service=service, subject=subject, subjects=subjects, draft=draft)
    return _apply_form(
        request, **form, values={**prefill, **(draft.data if draft else {})}, documents=documents, prefill=prefill
    )


def _check_page(
    request: HttpRequest, *, service: Service, subject: str, subjects: list[tuple[str, str]], draft: CaseDraft
) -> HttpResponse:
    version = service.current
    assert version is not None  # noqa: S101
    given = case_draft_uploads(draft=draft)
    subject_label = dict(subjects).get(subject, "")
    if subject_kind(version.eligibility) == NEWBORN:  # the child the form describes, not the parent who applies
        subject_label = str(draft.data.get(subject_field(version.form_schema, "name") or "", ""))
    return render(
        request,
        "web/service_check.html",
        {
            "service": service,
            "version": version,
            "subject": subject,
            "subject_label": subject_label,
            "can_change_subject": len(subjects) > 1 and subject_kind(version.eligibility) != NEWBORN,
            "answers": answer_rows(version.form_schema, version.ui_hints, draft.data),
            "documents": document_rows(version.requirements, given),
            "change_url": _apply_url(service.code, subject),
        },
    )


def _submit(
    request: HttpRequest, *, user: User, draft: CaseDraft | None, prefill: dict[str, Any], form: dict[str, Any]
) -> HttpResponse:
    service: Service = form["service"]
    subject: str = form["subject"]
    if draft is None:  # the answers are kept between the check and the submission: gone, or another tab sent them
        messages.error(request, _("Your answers were not found. Fill in the form again; nothing was sent."))
        return redirect(_apply_url(service.code, subject))
    try:
        case = case_services.case_submit(
            actor=user, service_code=service.code, subject=subject, data=draft.data, documents=dict(draft.documents)
        )
    except DomainError as exc:
        field_errors, document_errors, general = split_errors(exc)
        return _apply_form(
            request,
            **form,
            values=draft.data,
            documents=dict(draft.documents),
            prefill=prefill,
            field_errors=field_errors,
            document_errors=document_errors,
            general=general,
            status=exc.status,
        )
    case_services.case_draft_discard(actor=user, service_code=service.code, subject=subject)
    return redirect(f"{reverse('web:case', args=[case.tracking])}?{SENT}=1")


@login_required
def my_cases(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    rows = list(cases_of_citizen(user=user)[:200])
    visited = visited_states(rows)  # a rejected one's steps stop where its own page says they stopped
    cases = [
        (c, public_status(c), status_label(public_status(c)), application_steps(c, visited=visited.get(c.pk)))
        for c in rows
    ]
    life_events = [bundle_summary(b) for b in bundles_of_citizen(user=user)[:50]]
    drafts = [
        {
            "draft": d,
            "name": d.service.current.name if d.service.current else d.service.code,
            "subject": d.subject,
            "url": _apply_url(d.service.code, d.subject),
        }
        for d in case_drafts_of_citizen(user=user)[:50]
    ]
    return render(request, "web/cases.html", {"cases": cases, "life_events": life_events, "drafts": drafts})


def _case_or_404(user: User, tracking: str) -> Any:
    try:
        return case_get_for_actor(user=user, tracking=tracking)
    except NotFound:
        raise Http404 from None


def _resubmit(request: HttpRequest, *, user: User, case: Any) -> None:
    """The answer to a revision request: every file chosen (all refused files named at once, none attached then),
    then the applicant's move back to the agency. The service refuses a move that changes nothing."""
    version = case.service_version
    stored: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for requirement in version.requirements:
        uploaded = request.FILES.get(f"doc_{requirement['code']}")
        if uploaded is None:
            continue
        try:
            upload = upload_create(
                actor=user, stream=uploaded.open("rb"), name=uploaded.name or "", size=uploaded.size or 0
            )
        except ValidationFailed as exc:
            errors[f"documents.{requirement['code']}"] = [r for reasons in exc.errors.values() for r in reasons]
        else:
            stored[requirement["code"]] = str(upload.pk)
    if errors:
        raise ValidationFailed(errors)
    case_services.case_resubmit(
        actor=user,
        tracking=case.tracking,
        version=posted_int(request, "version"),
        replacements=stored,
        reason=request.POST.get("reason", ""),
        action=request.POST.get("action", ""),
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_page(request: HttpRequest, tracking: str) -> HttpResponse:
    user = signed_in_user(request)
    case = _case_or_404(user, tracking)
    status = 200
    resubmit_errors: dict[str, list[str]] = {}
    resubmit_general: list[str] = []
    if request.method == "POST":
        intent = request.POST.get("intent")
        try:
            if intent == "message":
                case_services.case_message_post(actor=user, tracking=tracking, body=request.POST.get("body", ""))
                messages.success(request, _("Message sent."))
            elif intent == "document":
                requirement = request.POST.get("requirement", "")
                uploaded = request.FILES.get("file")
                if uploaded is None:
                    raise ValidationFailed({"file": [_("Choose a file to upload.")]})
                stored = upload_create(
                    actor=user, stream=uploaded.open("rb"), name=uploaded.name or "", size=uploaded.size or 0
                )
                case_services.case_document_replace(
                    actor=user, tracking=tracking, requirement=requirement, upload_id=str(stored.pk)
                )
                messages.success(request, _("Document added."))
            elif intent == "rating":
                scores = [posted_int(request, f"u{i}") for i in range(1, 10)]
                case_services.case_rate(
                    actor=user, tracking=tracking, scores=scores, comment=request.POST.get("comment", "")
                )
                messages.success(request, _("Thank you for rating this service."))
            elif intent == "resubmit":
                _resubmit(request, user=user, case=case)
                messages.success(request, _("Sent back to the agency. They will check it again."))
            else:
                asked = transition_confirmation(
                    request,
                    definition=case.workflow.parsed,
                    state=case.state,
                    what=_("Application %(tracking)s") % {"tracking": case.tracking},
                    back_url=request.path,
                )
                if asked is not None:
                    return asked
                moved = case_services.case_transition(
                    actor=user,
                    tracking=tracking,
                    action=request.POST.get("action", ""),
                    version=posted_int(request, "version"),
                    reason=request.POST.get("reason", ""),
                )
                # The state it is in now, in the workflow's words: never a bare "done" after a cancellation.
                now = localised(moved.workflow.parsed.states[moved.state].label) or moved.state
                messages.success(request, _("The application is now: %(state)s.") % {"state": now})
            return redirect("web:case", tracking=tracking)
        except DomainError as exc:
            _fields, _docs, general = split_errors(exc)
            if intent == "resubmit":
                resubmit_errors, resubmit_general = _docs, general + [r for rs in _fields.values() for r in rs]
            else:
                for reason in (
                    general + [r for rs in _fields.values() for r in rs] + [r for rs in _docs.values() for r in rs]
                ):
                    messages.error(request, reason)
            status = exc.status
            case = _case_or_404(user, tracking)
    if request.GET.get(SENT) and case.applicant_id == user.pk:
        return _sent_page(request, case)
    return render(request, "web/case.html", _case_context(user, case, resubmit_errors, resubmit_general), status=status)


def _sent_page(request: HttpRequest, case: Any) -> HttpResponse:
    """The confirmation after a submission: the tracking number, what happens next and by when."""
    steps = application_steps(case)
    return render(
        request,
        "web/case_sent.html",
        {
            "case": case,
            "agency": agency_name(case.agency),
            "steps": steps,
            "working_days": case.sla_working_days,
            "first_step": steps[1].label if len(steps) > 1 else "",
        },
    )


def _case_context(
    user: User, case: Any, resubmit_errors: dict[str, list[str]], resubmit_general: list[str]
) -> dict[str, Any]:
    version = case.service_version
    definition = case.workflow.parsed
    staff_view = case_is_staff_view(user=user, case=case)
    names = {r["code"]: localised(r["name"]) for r in version.requirements}
    timeline = case_timeline(case=case, staff_view=staff_view)  # _timeline.html names the documents to fix
    current = case_documents(case=case)
    documents = [(d, localised((version.requirement(d.requirement) or {}).get("name", d.requirement))) for d in current]
    label = {t.action: localised(t.label) or t.action for t in definition.transitions}
    state_labels = {code: localised(s.label) or code for code, s in definition.states.items()}
    actions = case_actions(user=user, case=case)
    is_applicant = case.applicant_id == user.pk
    revision = case_revision_request(case=case) if is_applicant else None
    answers = [
        t
        for t in actions
        if revision is not None and not definition.destructive(t) and case.state_category == "awaiting_citizen"
    ]
    destructive = [t for t in actions if definition.destructive(t)]
    others = [t for t in actions if t not in answers and t not in destructive]
    asked = revision.requirements if revision is not None else []
    resubmit_documents = [
        {
            "code": code,
            "label": names[code],
            "asked": code in asked,
            "accept": ",".join(
                {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}[t]
                for t in (version.requirement(code) or {}).get("types", [])
            ),
            "errors": [
                document_sentence(names[code], e, given=True, required=False) for e in resubmit_errors.get(code, [])
            ],
        }
        for code in [c for c in asked if c in names] + [c for c in names if c not in asked]
    ]
    return {
        "case": case,
        "public_status": public_status(case),
        "status_label": status_label(public_status(case)),
        "sla_status": sla_label(sla_verdict(case)),
        "state_label": state_labels.get(case.state, case.state),
        "steps": application_steps(case, visited=[e.to_state for e in timeline if e.kind == "step"]),
        "timeline": timeline,
        "actions": [(t, label.get(t.action) or t.action) for t in others],
        "destructive_actions": [(t, label.get(t.action) or t.action) for t in destructive],
        "revision": revision,
        "revision_documents": [names.get(code, code) for code in asked],
        "resubmit_action": (answers[0], label.get(answers[0].action)) if answers else None,
        "resubmit_documents": resubmit_documents,
        "resubmit_problems": [{"href": "#resubmit", "text": t} for t in resubmit_general]
        + [{"href": f"#re_{d['code']}", "text": e} for d in resubmit_documents for e in d["errors"]],
        "resubmit_changed": revision is not None and case_changed_since(case=case, request=revision),
        "answers": answer_rows(version.form_schema, version.ui_hints, case.data),
        "documents": documents,
        "requirements": [(r["code"], localised(r["name"])) for r in version.requirements],
        # Before verification; while a revision is asked, the banner's form takes the files (else this one does).
        "can_add_documents": is_applicant
        and (case.state_category == "submitted" or (case.state_category == "awaiting_citizen" and not answers)),
        "can_rate": is_applicant and case.state_category == "completed" and not case_is_rated(case),
        "ikm_elements": ikm_questions(),
        "output": getattr(case, "output", None),
        "state_labels": state_labels,
    }


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
    """Discard a saved form, after a confirmation page; back to "My applications" when asked from there."""
    user = signed_in_user(request)
    subject = request.POST.get("subject", "")
    from_list = request.POST.get("back") == "cases"
    back_url = reverse("web:cases") if from_list else _apply_url(code, subject)
    if not confirmed(request):
        return confirmation_page(
            request,
            title=_("Discard this draft?"),
            consequence=_("Your saved answers and files for this application will be deleted. This cannot be undone."),
            confirm_label=_("Yes, discard the draft"),
            back_url=back_url,
        )
    case_services.case_draft_discard(actor=user, service_code=code, subject=subject)
    messages.info(request, _("Draft discarded."))
    return redirect("web:cases" if from_list else "web:service-apply", *([] if from_list else [code]))
