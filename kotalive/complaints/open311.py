"""Open311 GeoReport v2 under /open311/v2/, in JSON and XML (the file suffix chooses), so that existing Open311
clients work unchanged.

Services are the complaint categories; requests are the reports. Reading is public and shows what the public feed
shows (no confidential report, no person; location rounded), plus the description to the partner that filed the
request (its api_key). Filing needs an `api_key` issued to an agency or partner system with the complaints:write
scope. Statuses are the spec's `open` and `closed`; the richer state goes in `status_notes`. Errors are the spec's
list of {code, description}.
"""

import datetime as dt
import math
import uuid
from typing import Any
from xml.etree import ElementTree as ET

from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from kotalive.accounts.models import User
from kotalive.agencies.machine import machine_authenticate, machine_rate_take
from kotalive.agencies.models import ApiClient
from kotalive.complaints.models import Category, Complaint
from kotalive.complaints.presenters import category_name, public_status, state_label
from kotalive.complaints.reference import jurisdiction_id
from kotalive.complaints.selectors import categories_active
from kotalive.complaints.services import complaint_submit
from kotalive.core.errors import DomainError, TooManyAttempts, ValidationFailed

MAX_RESULTS = 1000
DEFAULT_DAYS = 90
CLOSED_STATES = {"closed", "rejected", "merged"}


class Open311Error(Exception):
    def __init__(self, status: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after  # seconds, sent as Retry-After with a 429


# --- rendering ------------------------------------------------------------------------------------------------


def _xml_value(parent: ET.Element, name: str, value: Any) -> None:
    element = ET.SubElement(parent, name)
    if isinstance(value, list):
        child_name = {"attributes": "attribute", "values": "value"}.get(name, "item")
        for item in value:
            _xml_dict(ET.SubElement(element, child_name), item)
    elif isinstance(value, dict):
        _xml_dict(element, value)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)


def _xml_dict(element: ET.Element, data: dict[str, Any]) -> None:
    for key, value in data.items():
        _xml_value(element, key, value)


def _render(fmt: str, data: Any, *, root: str, item: str | None, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        top = ET.Element(root)
        if item is None:
            _xml_dict(top, data)
        else:
            for entry in data:
                _xml_dict(ET.SubElement(top, item), entry)
        body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="utf-8")
        return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def _error(fmt: str, status: int, description: str) -> HttpResponse:
    return _render(fmt, [{"code": status, "description": description}], root="errors", item="error", status=status)


def _w3(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


# --- the pieces -------------------------------------------------------------------------------------------------


def _check_jurisdiction(request: HttpRequest) -> None:
    given = request.GET.get("jurisdiction_id") or request.POST.get("jurisdiction_id")
    if given and given != jurisdiction_id():
        raise Open311Error(404, _("jurisdiction_id %(given)s is not served here") % {"given": given})


def _service(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category_name(category),
        "description": category.description or category_name(category),
        "metadata": bool(category.attributes),
        "type": "realtime",
        "keywords": category.keywords,
        "group": category.group,
    }


def _attribute(attribute: dict[str, Any]) -> dict[str, Any]:
    values = attribute.get("values", [])
    return {
        "variable": True,
        "code": attribute["code"],
        "datatype": "singlevaluelist" if values else attribute.get("datatype", "string"),
        "required": bool(attribute.get("required")),
        "datatype_description": attribute.get("datatype_description", ""),
        "order": attribute.get("order", 1),
        "description": attribute.get("description", attribute["code"]),
        "values": [{"key": v["key"], "name": v.get("name", v["key"])} for v in values],
    }


def _partner(api_key: str | None) -> ApiClient | None:
    """The live, unrevoked client behind `api_key`, or None."""
    if not api_key:
        return None
    principal = machine_authenticate(api_key)
    return principal.client if principal is not None else None


def _request_item(complaint: Complaint, *, partner: ApiClient | None) -> dict[str, Any]:
    own = partner is not None and complaint.reporter_id == partner.account_id
    notes = f"{state_label(complaint)} ({public_status(complaint)})"
    if complaint.state == "merged" and complaint.merged_into is not None:
        notes += " " + _("duplicate of %(tracking)s") % {"tracking": complaint.merged_into.tracking}
    return {
        "service_request_id": complaint.tracking,
        "status": "closed" if complaint.state in CLOSED_STATES else "open",
        "status_notes": notes,
        "service_name": category_name(complaint.category),
        "service_code": complaint.category.code,
        "description": complaint.description if own else "",
        "agency_responsible": complaint.agency.name if complaint.agency else _("Live Room (DISKOMINFO)"),
        "service_notice": "",
        "requested_datetime": _w3(complaint.submitted_at),
        "updated_datetime": _w3(complaint.updated_at),
        "expected_datetime": _w3(complaint.due_at),
        "address": complaint.address if own else "",
        "address_id": "",
        "zipcode": "",
        "lat": round(complaint.lat, 3) if complaint.lat is not None else None,
        "long": round(complaint.lon, 3) if complaint.lon is not None else None,
        "media_url": "",
    }


def _public_requests() -> Any:
    return (
        Complaint.objects.filter(confidential=False)
        .select_related("category", "agency", "workflow", "merged_into")
        .order_by("-submitted_at", "-id")
    )


def _date(request: HttpRequest, name: str) -> dt.datetime | None:
    value = request.GET.get(name)
    if not value:
        return None
    parsed = parse_datetime(value.replace(" ", "+"))
    if parsed is None:
        raise Open311Error(400, _("%(name)s must be a W3C date and time, e.g. 2026-01-01T00:00:00Z") % {"name": name})
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def _search(request: HttpRequest, partner: ApiClient | None) -> list[dict[str, Any]]:
    query = _public_requests()
    ids = [i for i in (request.GET.get("service_request_id") or "").split(",") if i]
    if ids:  # overrides every other filter (the spec)
        return [_request_item(c, partner=partner) for c in query.filter(tracking__in=ids[:MAX_RESULTS])]
    codes = [c for c in (request.GET.get("service_code") or "").split(",") if c]
    if codes:
        query = query.filter(category__code__in=codes)
    start, end = _date(request, "start_date"), _date(request, "end_date")
    if start and end and end - start > dt.timedelta(days=DEFAULT_DAYS):
        raise Open311Error(400, _("start_date and end_date may be at most 90 days apart"))
    if start is None and end is None:
        start = timezone.now() - dt.timedelta(days=DEFAULT_DAYS)
    if start:
        query = query.filter(submitted_at__gte=start)
    if end:
        query = query.filter(submitted_at__lte=end)
    statuses = {s for s in (request.GET.get("status") or "").split(",") if s}
    if statuses - {"open", "closed"}:
        raise Open311Error(400, _("status must be open or closed"))
    if statuses == {"open"}:
        query = query.exclude(state__in=CLOSED_STATES)
    elif statuses == {"closed"}:
        query = query.filter(state__in=CLOSED_STATES)
    return [_request_item(c, partner=partner) for c in query[:MAX_RESULTS]]


def _file(request: HttpRequest) -> dict[str, Any]:
    principal = machine_authenticate(request.POST.get("api_key") or "")
    if principal is None:
        raise Open311Error(403, _("api_key is missing or not valid"))
    client = principal.client
    if "complaints:write" not in client.scopes or client.environment != ApiClient.LIVE:
        raise Open311Error(403, _("this api_key may not file requests (it needs the complaints:write scope)"))
    try:
        machine_rate_take(principal)
    except TooManyAttempts as exc:
        raise Open311Error(
            429, _("this api_key's requests per minute are used up; retry next minute"), retry_after=exc.retry_after
        ) from exc
    form = request.POST
    category = form.get("service_code", "")
    if not category:
        raise Open311Error(400, _("service_code is required"))

    def number(name: str) -> float | None:
        value = form.get(name)
        if not value:
            return None
        try:
            parsed = float(value)
        except ValueError:
            raise Open311Error(400, _("%(name)s must be a number") % {"name": name}) from None
        if not math.isfinite(parsed):
            raise Open311Error(400, _("%(name)s must be a number") % {"name": name})
        return parsed

    description = form.get("description", "").strip()
    names = " ".join(p for p in (form.get("first_name", ""), form.get("last_name", "")) if p).strip()
    contact = {
        k: v for k, v in {"name": names, "email": form.get("email", ""), "phone": form.get("phone", "")}.items() if v
    }
    attributes = {
        key[10:-1]: str(form.get(key, "")) for key in form if key.startswith("attribute[") and key.endswith("]")
    }
    account: User = client.account
    account.machine_client = client  # type: ignore[attr-defined]  # complaints accept partner systems' reports
    chosen = Category.objects.filter(code=category, active=True).first()
    title = (description.split("\n")[0][:80] or (category_name(chosen) if chosen else category)).strip()
    complaint = complaint_submit(
        actor=account,
        kind=Complaint.COMPLAINT,
        category=category,
        title=title if len(title) >= 5 else f"{title} - {category}",
        description=description,
        lat=number("lat"),
        lon=number("long"),
        address=form.get("address_string", ""),
        source=Complaint.OPEN311,
        contact=contact or None,
        attributes=attributes,
    )
    return {
        "service_request_id": complaint.tracking,
        "token": str(complaint.open311_token),
        "service_notice": _("The Live Room verifies reports within 3 working days."),
        "account_id": None,
    }


def _domain_error(error: DomainError) -> str:
    if isinstance(error, ValidationFailed):
        return "; ".join(f"{field}: {', '.join(str(r) for r in reasons)}" for field, reasons in error.errors.items())
    return f"{error.field}: {error.message}" if error.field else str(error.message)


# --- views ----------------------------------------------------------------------------------------------------


def _run(request: HttpRequest, fmt: str, work: Any, *, root: str, item: str | None) -> HttpResponse:
    if fmt not in ("json", "xml"):
        return _error("json", 404, _("format must be json or xml"))
    try:
        _check_jurisdiction(request)
        return _render(fmt, work(), root=root, item=item)
    except Open311Error as exc:
        refused = _error(fmt, exc.status, exc.description)
        if exc.retry_after is not None:
            refused["Retry-After"] = str(exc.retry_after)
        return refused
    except DomainError as exc:
        status = 404 if exc.status == 404 else (403 if exc.status == 403 else 400)
        return _error(fmt, status, _domain_error(exc))


@require_http_methods(["GET"])
def discovery(request: HttpRequest, fmt: str = "json") -> HttpResponse:
    base = request.build_absolute_uri("/open311/v2/")
    data = {
        "changeset": "2026-11-28T00:00:00Z",
        "contact": "Live Room DISKOMINFO",
        "key_service": _("API keys are issued by the Live Room (DISKOMINFO)"),
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": base,
                "changeset": "2026-11-28T00:00:00Z",
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return _run(request, fmt, lambda: data, root="discovery", item=None)


@require_http_methods(["GET"])
def services(request: HttpRequest, fmt: str = "json") -> HttpResponse:
    return _run(request, fmt, lambda: [_service(c) for c in categories_active()], root="services", item="service")


@require_http_methods(["GET"])
def service_definition(request: HttpRequest, code: str, fmt: str = "json") -> HttpResponse:
    def work() -> dict[str, Any]:
        category = categories_active().filter(code=code).first()
        if category is None:
            raise Open311Error(404, _("service_code %(code)s not found") % {"code": code})
        return {"service_code": category.code, "attributes": [_attribute(a) for a in category.attributes]}

    return _run(request, fmt, work, root="service_definition", item=None)


@csrf_exempt  # machine clients with an api_key, no cookies: CSRF does not apply
@require_http_methods(["GET", "POST"])
def requests_view(request: HttpRequest, fmt: str = "json") -> HttpResponse:
    if request.method == "POST":
        return _run(request, fmt, lambda: [_file(request)], root="service_requests", item="request")
    partner = _partner(request.GET.get("api_key"))
    return _run(request, fmt, lambda: _search(request, partner), root="service_requests", item="request")


@require_http_methods(["GET"])
def request_detail(request: HttpRequest, request_id: str, fmt: str = "json") -> HttpResponse:
    partner = _partner(request.GET.get("api_key"))

    def work() -> list[dict[str, Any]]:
        complaint = _public_requests().filter(tracking=request_id).first()
        if complaint is None:
            raise Open311Error(404, _("service_request_id %(id)s not found") % {"id": request_id})
        return [_request_item(complaint, partner=partner)]

    return _run(request, fmt, work, root="service_requests", item="request")


@require_http_methods(["GET"])
def token(request: HttpRequest, token_id: str, fmt: str = "json") -> HttpResponse:
    def work() -> list[dict[str, Any]]:
        try:
            value = uuid.UUID(token_id)
        except ValueError:
            raise Open311Error(404, _("token %(token)s not found") % {"token": token_id}) from None
        complaint = Complaint.objects.filter(Q(open311_token=value)).only("tracking").first()
        if complaint is None:
            raise Open311Error(404, _("token %(token)s not found") % {"token": token_id})
        return [{"service_request_id": complaint.tracking, "token": token_id}]

    return _run(request, fmt, work, root="service_requests", item="request")
