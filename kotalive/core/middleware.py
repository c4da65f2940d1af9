"""The API's answers are JSON in the documented error shape (`detail`, `code`, `errors`), whatever went wrong and
wherever: an unknown path (404), a wrong method (405), a body over the limit (413) and a server error (500) come
from Django or django-ninja as HTML or empty bodies, and are rewritten here. Pages keep their HTML error pages."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: ("bad_request", _("The request could not be understood.")),
        403: ("forbidden", _("You may not do this.")),
        404: ("not_found", _("There is nothing at this address.")),
        405: ("method_not_allowed", _("This address does not accept that method.")),
        413: ("too_large", _("The request body is larger than this address accepts.")),
        500: ("server_error", _("Something went wrong on our side. It has been logged; please try again later.")),
    }


def body_limit(request: HttpRequest) -> int:
    """The largest body an API request may carry: a file upload's limit for multipart bodies, Django's limit on
    in-memory bodies (DATA_UPLOAD_MAX_MEMORY_SIZE) for everything else."""
    if request.content_type == "multipart/form-data":
        largest_file = max(settings.KOTALIVE_UPLOAD_MAX_BYTES, settings.KOTALIVE_VERIFY_UPLOAD_MAX_BYTES)
        return largest_file + 1024 * 1024  # room for the form's other fields and the multipart framing
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0) or 2_621_440


def api_error(status: int, *, allow: str | None = None) -> JsonResponse:
    code, detail = _messages().get(status, ("error", _("The request failed.")))
    errors = [{"field": "body", "message": _("is larger than this address accepts")}] if status == 413 else []
    response = JsonResponse({"detail": detail, "code": code, "errors": errors}, status=status)
    if allow:
        response["Allow"] = allow
    return response


class ApiErrorsAsJson:
    """Refuses an oversize API body before anything reads it, and turns any non-JSON error answer of the API into
    the error shape. Placed after LocaleMiddleware, so the words are in the caller's language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return api_error(400)
        if length > body_limit(request):
            return api_error(413)
        response = self.get_response(request)
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith("application/json"):
            return api_error(response.status_code, allow=response.get("Allow"))
        return response
