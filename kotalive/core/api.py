"""Pieces every app's API shares: the error schema and the error handlers (authentication: agencies.auth)."""

from typing import Any

from django.db import DataError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from kotalive.core.errors import DomainError, ValidationFailed


class FieldError(Schema):
    field: str
    message: str


class ExistingOut(Schema):
    tracking: str
    url: str
    page: str


class ErrorOut(Schema):
    """Every error answer: a sentence for people, a code for programs, and the fields at fault."""

    detail: str
    code: str
    errors: list[FieldError] = []
    existing: ExistingOut | None = None  # with code duplicate_open_case: the case already open


def client_address(request: HttpRequest) -> str | None:
    # Behind a proxy the deployment sets the real address in REMOTE_ADDR (gunicorn --forwarded-allow-ips).
    return request.META.get("REMOTE_ADDR")


# Errors every endpoint may answer, for the OpenAPI document.
COMMON_ERRORS: dict[int, Any] = {422: ErrorOut, 429: ErrorOut}
AUTH_ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut}


def install_error_handlers(api: NinjaAPI) -> None:
    def error(
        request: HttpRequest,
        status: int,
        detail: str,
        code: str,
        errors: list[dict[str, str]] | None = None,
        extra: dict[str, object] | None = None,
    ) -> HttpResponse:
        body = {"detail": detail, "code": code, "errors": errors or [], **(extra or {})}
        return api.create_response(request, body, status=status)

    @api.exception_handler(ValidationFailed)
    def on_validation_failed(request: HttpRequest, exc: ValidationFailed) -> HttpResponse:
        errors = [{"field": name, "message": str(reason)} for name, reasons in exc.errors.items() for reason in reasons]
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return error(request, 422, summary, "invalid", errors)

    @api.exception_handler(DomainError)
    def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        errors = [{"field": exc.field, "message": str(exc.message)}] if exc.field else []
        detail = f"{exc.field}: {exc.message}" if exc.field else str(exc.message)
        return error(request, exc.status, detail, exc.code, errors, exc.extra)

    @api.exception_handler(ValidationError)
    def on_schema_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = []
        for item in exc.errors:
            location = [str(part) for part in item.get("loc", []) if part not in ("body", "payload", "query")]
            name = ".".join(location) or "body"
            if item.get("type") == "missing":
                message = _("is required")
            elif item.get("type") in {"json_invalid", "model_attributes_type"}:
                message = _("the request body is not a JSON object")
            else:
                message = _("is not valid (%(reason)s)") % {"reason": item.get("msg", "")}
            errors.append({"field": name, "message": message})
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return error(request, 422, summary, "invalid", errors)

    @api.exception_handler(DataError)
    def on_unstorable_value(request: HttpRequest, exc: DataError) -> HttpResponse:
        # A value the database refuses as such (a NUL byte, an out-of-range number): the input's fault, and the
        # atomic block around every write has already rolled back.
        message = _("the request contains a value that cannot be stored (for example a NUL character)")
        return error(request, 422, message, "invalid_value")

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 400:  # django-ninja's answer to a body it cannot parse
            message = _("the request body is not valid JSON")
            return error(request, 422, f"body: {message}", "invalid", [{"field": "body", "message": message}])
        return error(request, exc.status_code, str(exc), "error")

    @api.exception_handler(AuthenticationError)
    def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return error(
            request,
            401,
            _("Sign in first: send an API token as 'Authorization: Bearer <token>'."),
            "unauthenticated",
        )
