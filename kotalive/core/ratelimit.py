"""Rate limits, one place for every app.

- Failed attempts (sign-in, registry matching, one-time codes, password resets) are counted in the database
  (`AttemptFailure`), per key and per address, so the limit holds across every web and worker process without a
  shared cache.
- Requests per key and minute (agency systems' API keys, Open311 partners) are counted in the process
  (`MinuteWindow`): each web process counts its own share (docs/api.md).
"""

import threading
import time
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from kotalive.core import crypto
from kotalive.core.errors import TooManyAttempts
from kotalive.core.models import AttemptFailure

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
    if AttemptFailure.objects.filter(key=key, at__gte=since).count() >= limit:
        raise TooManyAttempts(_("Too many failed attempts. Wait 15 minutes and try again."), code="throttled")
    ip = address_key(address)
    if ip and AttemptFailure.objects.filter(key=ip, at__gte=since).count() >= limit * ADDRESS_FACTOR:
        raise TooManyAttempts(
            _("Too many failed attempts from this address. Wait 15 minutes and try again."), code="throttled"
        )


def throttle_fail(*, key: str, address: str | None) -> None:
    rows = [AttemptFailure(key=key)]
    ip = address_key(address)
    if ip:
        rows.append(AttemptFailure(key=ip))
    AttemptFailure.objects.bulk_create(rows)


def throttle_clear(*, key: str) -> None:
    AttemptFailure.objects.filter(key=key).delete()


class MinuteWindow:
    """Requests per key in the current minute, in this process (each web process counts its own share)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.minute = 0
        self.counts: dict[int, int] = {}

    def allow(self, key_id: int, limit: int) -> bool:
        minute = int(time.time() // 60)
        with self.lock:
            if minute != self.minute:
                self.minute, self.counts = minute, {}
            self.counts[key_id] = self.counts.get(key_id, 0) + 1
            return self.counts[key_id] <= limit
