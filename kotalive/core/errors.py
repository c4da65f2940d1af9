"""Domain errors that services raise and the web and API layers turn into answers (422, 403, 404, 409)."""

from django.utils.functional import Promise


class DomainError(Exception):
    """A refusal with a reason that a person can read, optionally tied to one input field."""

    status = 422

    def __init__(
        self,
        message: str | Promise,
        *,
        field: str | None = None,
        code: str = "invalid",
        extra: dict[str, object] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.code = code
        self.extra = extra or {}  # more for programs, e.g. {"existing": {...}} of a duplicate


class ValidationFailed(DomainError):
    """Several field errors at once: {"field": ["reason", ...]}."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        first_field, reasons = next(iter(errors.items()))
        super().__init__(reasons[0], field=first_field)
        self.errors = errors


class PermissionDenied(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class TooManyAttempts(DomainError):
    """Refused for now: `retry_after` seconds until a retry may succeed (sent as the Retry-After header)."""

    status = 429

    def __init__(self, message: str | Promise, *, code: str = "throttled", retry_after: int | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after
