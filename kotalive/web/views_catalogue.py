"""Back-office editing of an agency's services: every save publishes a validated, audited new version."""

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kotalive.accounts.models import User
from kotalive.agencies.models import Agency, StaffRole
from kotalive.agencies.selectors import agency_get
from kotalive.catalogue.labels import OUTPUT_KIND_LABELS
from kotalive.catalogue.models import Service, ServiceVersion
from kotalive.catalogue.services import may_edit_services, service_draft_problems, service_publish
from kotalive.core.errors import DomainError, ValidationFailed
from kotalive.web.access import refuse, staff_user
from kotalive.web.feedback import error_sentence, field_label, summary_items
from kotalive.workflow.labels import workflow_name
from kotalive.workflow.models import WorkflowDefinition

JSON_FIELDS = ("requirements", "form_schema", "ui_hints", "eligibility", "escalation", "standard")
TEXT_FIELDS = ("name_id", "name_en", "description_id", "description_en", "output_kind")
NUMBER_FIELDS = ("sla_working_days", "fee")
# The fields above the JSON ones, as the page shows them.
FORM_ORDER = (
    "code", "name_id", "name_en", "description_id", "description_en", "category", "output_kind", "workflow",
    "sla_working_days", "fee",
)  # fmt: skip


def _editable_agency(request: HttpRequest, code: str) -> tuple[User, Agency]:
    user = staff_user(request)
    agency = agency_get(code=code)
    if agency is None:
        raise Http404
    if not may_edit_services(user=user, agency=agency):
        refuse(
            page=_("The services of %(agency)s") % {"agency": agency.code},
            roles=[StaffRole.AGENCY_ADMIN, StaffRole.OPERATOR, StaffRole.PLATFORM_ADMIN],
            agency=agency,
        )
    return user, agency


@login_required
def services_list(request: HttpRequest, code: str) -> HttpResponse:
    _user, agency = _editable_agency(request, code)
    services = Service.objects.filter(agency=agency).select_related("current")
    return render(request, "web/backoffice_services.html", {"agency": agency, "services": services})


def _initial(version: ServiceVersion | None, service: Service | None) -> dict[str, Any]:
    if version is None:
        return {
            "sla_working_days": 5,
            "fee": 0,
            "output_kind": "signed_pdf",
            "requirements": "[]",
            "form_schema": json.dumps(
                {
                    "$schema": "https://json-schema.org/draft/2020-12/schema",
                    "type": "object",
                    "properties": {},
                    "required": [],
                },
                indent=1,
            ),
            "ui_hints": "{}",
            "eligibility": json.dumps({"registry_verified": True, "subject": "self"}),
            "escalation": json.dumps(
                [{"when": "at_risk", "notify": "assignee"}, {"when": "breached", "notify": "head"}]
            ),
            "standard": "{}",
            "workflow": "standard-approval",
        }
    values: dict[str, Any] = {name: getattr(version, name) for name in TEXT_FIELDS + NUMBER_FIELDS}
    values.update({name: json.dumps(getattr(version, name), indent=1, ensure_ascii=False) for name in JSON_FIELDS})
    values.update(
        {
            "workflow": version.workflow.code,
            "category": service.category if service else "",
            "code": service.code if service else "",
        }
    )
    return values


@login_required
@require_http_methods(["GET", "POST"])
def service_edit(request: HttpRequest, code: str, service_code: str | None = None) -> HttpResponse:
    user, agency = _editable_agency(request, code)
    service = Service.objects.filter(agency=agency, code=service_code).first() if service_code else None
    if service_code and service is None:
        raise Http404
    values = _initial(service.current if service else None, service)
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        values = {
            name: request.POST.get(name, "")
            for name in (*TEXT_FIELDS, *NUMBER_FIELDS, *JSON_FIELDS, "workflow", "category", "code")
        }
        content: dict[str, Any] = {name: values[name].strip() for name in TEXT_FIELDS}
        for name in NUMBER_FIELDS:
            try:
                number = int(values[name])
            except ValueError:
                number = None
            if number is None or not -(2**31) < number < 2**31:  # beyond what the database holds, too
                errors.setdefault(name, []).append(_("must be a whole number"))
            else:
                content[name] = number
        for name in JSON_FIELDS:
            try:
                content[name] = json.loads(values[name] or "null")
            except json.JSONDecodeError as exc:
                # The parser's own words are English: the place of the mistake is what helps in either language.
                errors.setdefault(name, []).append(
                    _("is not valid JSON (line %(line)s, column %(column)s)")
                    % {"line": exc.lineno, "column": exc.colno}
                )
        code = service.code if service else values["code"].strip()
        if errors:
            # Every problem of the submit at once: what did parse is checked as publishing would check it. A rule
            # that reads the form (the registry effect, eligibility) waits for a form schema that parses.
            unchecked = set(errors) | ({"registry_effect", "eligibility"} if "form_schema" in errors else set())
            problems = service_draft_problems(code=code, workflow_code=values["workflow"], content=content)
            for key, reasons in problems.items():
                if key not in unchecked:
                    errors.setdefault(key, []).extend(reasons)
        if not errors:
            try:
                published = service_publish(
                    actor=user,
                    code=code,
                    agency=agency,
                    category=values["category"].strip() or "lainnya",
                    workflow_code=values["workflow"],
                    content=content,
                )
            except DomainError as exc:
                errors = exc.errors if isinstance(exc, ValidationFailed) else {exc.field or "": [str(exc.message)]}
                status = exc.status
            else:
                messages.success(request, _("Published version %(version)s.") % {"version": published.version})
                return redirect("web:backoffice-service-edit", code=agency.code, service_code=published.service.code)
        else:
            status = 422
    # In the form's order, so the summary reads from the top of the page down.
    order = [*FORM_ORDER, *JSON_FIELDS]
    ranked = sorted(errors.items(), key=lambda item: order.index(item[0]) if item[0] in order else len(order))
    sentences = {key: [error_sentence(key, r) for r in reasons] for key, reasons in ranked}
    return render(
        request,
        "web/backoffice_service_edit.html",
        {
            "agency": agency,
            "service": service,
            "values": values,
            "errors": sentences,
            "problems": summary_items(
                [(key, text) for key, texts in sentences.items() for text in texts],
                {name: name for name in (*TEXT_FIELDS, *NUMBER_FIELDS, *JSON_FIELDS, "workflow", "category", "code")},
                "name_id",
            ),
            "workflows": sorted(
                {
                    code: workflow_name(code, name)
                    for code, name in WorkflowDefinition.objects.values_list("code", "name")
                }.items()
            ),
            "json_fields": [
                {"name": name, "label": field_label(name), "value": values.get(name, ""), "errors": sentences.get(name)}
                for name in JSON_FIELDS
            ],
            "output_kinds": [
                (code, OUTPUT_KIND_LABELS.get(code, code)) for code, _label in ServiceVersion.OUTPUT_KINDS
            ],
            "versions": service.versions.all()[:10] if service else [],
        },
        status=status,
    )
