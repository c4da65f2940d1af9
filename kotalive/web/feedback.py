"""Telling the person what a service refused, as flash messages on the next page."""

from django.contrib import messages
from django.http import HttpRequest

from kotalive.core.errors import DomainError, ValidationFailed


def flash_refusal(request: HttpRequest, exc: DomainError) -> None:
    """One message per reason, prefixed with its field when the service named one per field."""
    if isinstance(exc, ValidationFailed):
        for field, reasons in exc.errors.items():
            for reason in reasons:
                messages.error(request, f"{field}: {reason}")
    else:
        messages.error(request, str(exc.message))
