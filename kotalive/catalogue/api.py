from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from kotalive.accounts.models import User
from kotalive.agencies.auth import BearerToken, actor
from kotalive.catalogue.models import Service, localised
from kotalive.catalogue.prefill import form_prefill
from kotalive.catalogue.selectors import service_get, service_list
from kotalive.catalogue.subjects import prefill_person, resolve_subject, subject_default
from kotalive.core.api import AUTH_ERRORS, COMMON_ERRORS, ErrorOut
from kotalive.core.errors import NotFound

router = Router(tags=["services"])


class RequirementOut(Schema):
    code: str
    name: str
    required: bool
    types: list[str]
    max_mb: int


class ServiceSummaryOut(Schema):
    code: str
    name: str
    agency: str
    category: str
    output_kind: str
    sla_working_days: int
    fee: int
    version: int


class StandardOut(Schema):
    requirements: str
    procedure: str
    time: str
    cost: str
    product: str
    complaint_channel: str


class ServiceOut(ServiceSummaryOut):
    description: str
    requirements: list[RequirementOut]
    form_schema: dict[str, Any]
    ui_hints: dict[str, Any]
    eligibility: dict[str, Any]
    workflow: str
    standard: StandardOut


def _summary(service: Service) -> dict[str, Any]:
    version = service.current
    assert version is not None  # noqa: S101 (service_list only returns published services)
    return {
        "code": service.code,
        "name": version.name,
        "agency": service.agency.code,
        "category": service.category,
        "output_kind": version.output_kind,
        "sla_working_days": version.sla_working_days,
        "fee": version.fee,
        "version": version.version,
    }


@router.get("/services", response={200: list[ServiceSummaryOut], 422: ErrorOut}, auth=None, summary="List services")
def list_services(request: HttpRequest, agency: str | None = None, q: str | None = None) -> list[dict[str, Any]]:
    """Published services, filtered by agency code and/or a search text."""
    return [_summary(s) for s in service_list(agency=agency, q=q)]


def _found(code: str) -> Service:
    service = service_get(code=code)
    if service is None or service.current is None:
        raise NotFound("service not found", code="not_found")
    return service


@router.get(
    "/services/{code}",
    response={200: ServiceOut, 404: ErrorOut, 422: ErrorOut},
    auth=None,
    summary="A service, its form and its standard",
)
def get_service(request: HttpRequest, code: str) -> dict[str, Any]:
    service = _found(code)
    version = service.current
    assert version is not None  # noqa: S101
    return {
        **_summary(service),
        "description": version.description,
        "requirements": [{**r, "name": localised(r["name"])} for r in version.requirements],
        "form_schema": version.form_schema,
        "ui_hints": version.ui_hints,
        "eligibility": version.eligibility,
        "workflow": version.workflow.code,
        "standard": {key: localised(version.standard.get(key, "")) for key in StandardOut.model_fields},
    }


@router.get(
    "/services/{code}/form",
    response={200: dict[str, Any], 404: ErrorOut, **AUTH_ERRORS, **COMMON_ERRORS},
    auth=BearerToken(),
    summary="The form, pre-filled from the registry",
)
def get_form(request: HttpRequest, code: str, subject: str = "") -> dict[str, Any]:
    """`{"schema", "subject", "prefill"}`: the JSON Schema and, for `subject` (self or a family member id from /me;
    by default the applicant, or for a service for children their first eligible child), the values the registry
    already knows (once-only); `subject` says whom the pre-fill is for (null: a service for children and no child
    to apply for). Reading the pre-fill is recorded with its legal basis when the application is submitted."""
    user: User = actor(request)
    service = _found(code)
    version = service.current
    assert version is not None  # noqa: S101
    chosen = subject or subject_default(user=user, version=version)
    person = resolve_subject(user=user, subject=chosen, version=version) if chosen else None
    source = prefill_person(user=user, version=version, person=person)
    return {
        "schema": version.form_schema,
        "subject": chosen or None,
        "prefill": form_prefill(version, source),
        "prefill_source": "DISDUKCAPIL",
    }
