"""Counting failed attempts (sign-in, registry matching, one-time codes) in the database, so the limit holds
across every web and worker process without a shared cache."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from kotalive.accounts.models import SignInFailure
from kotalive.core import crypto
from kotalive.core.errors import TooManyAttempts

# One address (a school's or an office's NAT) may carry many people: allow it more failures than one login.
ADDRESS_FACTOR = 4


def login_key(scope: str, login: str) -> str:
    return f"{scope}:{crypto.blind_index(login.strip().lower())}"


def address_key(address: str | None) -> str | None:
    return f"ip:{address}" if address else None


def _since() -> object:
    return timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def throttle_check(*, key: str, address: str | None) -> None:
    """Refuse (429) when `key` or the address has failed too often inside the window."""
    since = _since()
    limit = settings.LOGIN_FAILURE_LIMIT
    if SignInFailure.objects.filter(key=key, at__gte=since).count() >= limit:
        raise TooManyAttempts(_("Too many failed attempts. Wait 15 minutes and try again."), code="throttled")
    ip = address_key(address)
    if ip and SignInFailure.objects.filter(key=ip, at__gte=since).count() >= limit * ADDRESS_FACTOR:
        raise TooManyAttempts(
            _("Too many failed attempts from this address. Wait 15 minutes and try again."), code="throttled"
        )


def throttle_fail(*, key: str, address: str | None) -> None:
    rows = [SignInFailure(key=key)]
    ip = address_key(address)
    if ip:
        rows.append(SignInFailure(key=ip))
    SignInFailure.objects.bulk_create(rows)


def throttle_clear(*, key: str) -> None:
    SignInFailure.objects.filter(key=key).delete()
