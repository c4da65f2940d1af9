"""`Idempotency-Key` for API writes: the same key (from the same credential) returns the first answer again and
changes nothing more. Agency systems retry after timeouts; without this a retried transition could apply twice.

The first request's row is written before it runs (so a concurrent repeat gets 409 instead of running too), and
gets the answer after. A row left unanswered by a crashed process is taken over after PENDING_TIMEOUT.
"""

import datetime as dt
import hashlib
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from kotalive.agencies.models import IdempotentRequest

HEADER = "HTTP_IDEMPOTENCY_KEY"
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
PENDING_TIMEOUT = dt.timedelta(seconds=60)
NOT_KEPT = {401, 409, 429}  # answers a retry should not get again: it may succeed later


def _error(status: int, message: str, code: str) -> JsonResponse:
    field = "Idempotency-Key"
    return JsonResponse(
        {"detail": f"{field}: {message}", "code": code, "errors": [{"field": field, "message": message}]},
        status=status,
    )


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.META.get(HEADER)
        credential = request.META.get("HTTP_AUTHORIZATION", "")
        if not key or request.method not in WRITES or not request.path.startswith("/api/") or not credential:
            return self.get_response(request)
        if len(key) > 200:
            return _error(422, _("must be at most 200 characters"), "invalid")
        principal = hashlib.sha256(credential.encode()).hexdigest()
        fingerprint = hashlib.sha256(b"%s %s\n" % (request.method.encode(), request.path.encode()) + request.body)
        claimed = self._claim(principal, key, fingerprint.hexdigest())
        if isinstance(claimed, HttpResponse):
            return claimed
        response = self.get_response(request)
        if response.status_code >= 500 or response.status_code in NOT_KEPT or response.streaming:
            IdempotentRequest.objects.filter(pk=claimed.pk).delete()  # the client may retry for real
            return response
        claimed.status = response.status_code
        claimed.body = response.content
        claimed.content_type = response.get("Content-Type", "")
        claimed.save(update_fields=["status", "body", "content_type"])
        return response

    def _claim(self, principal: str, key: str, fingerprint: str) -> IdempotentRequest | HttpResponse:
        try:
            with transaction.atomic():
                return IdempotentRequest.objects.create(principal=principal, key=key, fingerprint=fingerprint)
        except IntegrityError:
            pass
        first = IdempotentRequest.objects.get(principal=principal, key=key)
        if first.fingerprint != fingerprint:
            return _error(422, _("was already used for a different request"), "idempotency_key_reused")
        if first.status is None:
            if timezone.now() - first.created_at < PENDING_TIMEOUT:
                return _error(409, _("the first request with this key is still running"), "idempotency_in_progress")
            first.created_at = timezone.now()  # abandoned by a crashed process: this request takes it over
            first.save(update_fields=["created_at"])
            return first
        replay = HttpResponse(bytes(first.body), status=first.status, content_type=first.content_type)
        replay["Idempotent-Replayed"] = "true"
        return replay


KEEP_FOR = dt.timedelta(hours=24)


def idempotency_forget_old(*, now: dt.datetime | None = None) -> int:
    """Drop answers older than KEEP_FOR (the worker runs this every minute); a key is unique for a day."""
    deleted, _by_model = IdempotentRequest.objects.filter(created_at__lt=(now or timezone.now()) - KEEP_FOR).delete()
    return deleted
