"""Pieces every app's API shares: the error schema and the error handlers (authentication: agencies.auth)."""

import json
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db import DataError
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from kotalive.core.errors import DomainError, TooManyAttempts, ValidationFailed


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


# The highest page number a list accepts: far beyond any real list, low enough that no arithmetic overflows.
MAX_PAGE = 100_000


def text_fault(value: str) -> str | None:
    """Why `value` cannot be taken as text, or None: a NUL (PostgreSQL refuses it, and no person types one) or a
    lone UTF-16 surrogate (valid in JSON, yet not Unicode text: it cannot be encoded, stored or hashed)."""
    if "\x00" in value:
        return _("contains a NUL character, which is not allowed")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return _("contains an unpaired surrogate character, which is not allowed")
    return None


def _text_faults(value: Any, path: str, found: dict[str, list[str]]) -> None:
    if isinstance(value, str):
        fault = text_fault(value)
        if fault:
            found.setdefault(path or "body", []).append(fault)
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and text_fault(key):
                found.setdefault(path or "body", []).append(_("has a field name that is not valid text"))
            else:
                _text_faults(item, name, found)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _text_faults(item, f"{path}.{index}" if path else str(index), found)


class TextParser(Parser):
    """JSON bodies, query strings and forms that are text: strict UTF-8, no NUL, no lone surrogate. A fault is
    refused here, naming the field, before any handler could trip over it in a hash, a key or the database."""

    def parse_body(self, request: HttpRequest) -> Any:
        try:
            text = request.body.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationFailed({"body": [_("is not valid UTF-8 text")]}) from None
        data = json.loads(text)
        found: dict[str, list[str]] = {}
        _text_faults(data, "", found)
        if found:
            raise ValidationFailed(found)
        return data

    def parse_querydict(self, data: Any, list_fields: list[str], request: HttpRequest) -> dict[str, Any]:
        result = super().parse_querydict(data, list_fields, request)
        found: dict[str, list[str]] = {}
        for key, value in result.items():
            _text_faults(value, key, found)
        if found:
            raise ValidationFailed(found)
        return result


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
        response = error(request, exc.status, detail, exc.code, errors, exc.extra)
        if isinstance(exc, TooManyAttempts) and exc.retry_after:
            response["Retry-After"] = str(exc.retry_after)
        return response

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
        if isinstance(exc.__cause__, ValidationFailed):  # the parser's verdict on text (TextParser)
            return on_validation_failed(request, exc.__cause__)
        if exc.status_code == 400:  # django-ninja's answer to a body it cannot parse
            message = _("the request body is not valid JSON")
            return error(request, 422, f"body: {message}", "invalid", [{"field": "body", "message": message}])
        return error(request, exc.status_code, str(exc), "error")

    @api.exception_handler(RequestDataTooBig)
    def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        message = _("is larger than this address accepts")
        return error(request, 413, f"body: {message}", "too_large", [{"field": "body", "message": message}])

    @api.exception_handler(MultiPartParserError)
    def on_bad_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
        message = _("is not a well-formed multipart/form-data body (with its boundary)")
        return error(request, 400, f"body: {message}", "bad_request", [{"field": "body", "message": message}])

    @api.exception_handler(OverflowError)
    def on_overflow(request: HttpRequest, exc: OverflowError) -> HttpResponse:
        # A date or number so far out that arithmetic on it overflows (year 9999 plus a few days): the input's fault.
        message = _("the request contains a date or number outside the range this service handles")
        return error(request, 422, message, "out_of_range")

    @api.exception_handler(AuthenticationError)
    def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return error(
            request,
            401,
            _("Sign in first: send an API token as 'Authorization: Bearer <token>'."),
            "unauthenticated",
        )
