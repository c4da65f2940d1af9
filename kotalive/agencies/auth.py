"""Who calls the API: a person's bearer token or an agency system's key (scopes, test fence, rate)."""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from kotalive.accounts.models import User
from kotalive.accounts.selectors import user_for_token
from kotalive.agencies.machine import KEY_PREFIX, machine_authenticate, machine_rate_take, scope_needed
from kotalive.agencies.models import ApiClient
from kotalive.core.errors import PermissionDenied

TEST_KEY_SCOPES = {"", "cases:read", "cases:write", "events:read", "webhooks:manage"}


class BearerToken(HttpBearer):
    """A person's API token, or an agency system's key (`klk_...`, checked against its scopes and rate)."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        if token.startswith(KEY_PREFIX):
            return self._machine(request, token)
        user = user_for_token(raw_token=token)
        if user is not None:
            request.user = user
        return user

    def _machine(self, request: HttpRequest, token: str) -> User | None:
        principal = machine_authenticate(token)
        if principal is None:
            return None
        client = principal.client
        needed = scope_needed(request.method or "GET", request.path)
        if needed is None or (needed and needed not in client.scopes):
            raise PermissionDenied(
                _("This API key may not call %(method)s %(path)s (its scopes: %(scopes)s).")
                % {"method": request.method, "path": request.path, "scopes": ", ".join(client.scopes)},
                code="scope",
            )
        if client.environment == ApiClient.TEST and needed not in TEST_KEY_SCOPES:
            # Test keys act only on test data: synthetic cases (`kotalive seed-cases`) and their events, fenced in the
            # case selectors, the feed and the subscriptions. The registry has no test data, so they stay out of it.
            raise PermissionDenied(
                _("Test keys act only on test data, which this endpoint does not have: use a live key."),
                code="test_key",
            )
        machine_rate_take(principal)
        client.account.machine_client = client  # type: ignore[attr-defined]  # read by the case selectors' fence
        request.user = client.account
        return client.account


def actor(request: HttpRequest) -> User:
    """The signed-in user of an authenticated endpoint."""
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)  # noqa: S101 (ninja only calls the handler after authentication)
    return user


def staff_actor(request: HttpRequest) -> User:
    """The signed-in member of staff or agency system of an endpoint meant for staff (an agency's inbox, its
    agreements, announcements, webhooks): a citizen is refused with 403 `staff_only`, never shown an empty list that
    reads as "nothing for you yet"."""
    user = actor(request)
    if user.kind != User.STAFF:
        raise PermissionDenied(
            _("Only staff of the city's agencies and their systems may use this; citizens have their own pages."),
            code="staff_only",
        )
    return user
