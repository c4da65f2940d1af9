"""Rate limits, one mechanism for every app (docs/adr/0015-rate-limits.md).

A limit is a number of hits per window for one subject (an account, an address, a citizen, an API key). Hits are
counted in the database (`RateCounter`), one row per subject and window, with one atomic upsert per hit: every web
process and the worker share the count, on SQLite and PostgreSQL alike, with no cache server to run. The estimate
slides: the previous window's hits count in proportion to how much of it still lies within the last `seconds`, so
a window boundary never doubles the allowance.

Who counts what lives with the domain (accounts: sign-in failures per account and per address, reset requests;
complaints and cases: per-citizen writes; agencies: API keys' requests per minute); the mechanism lives here.
"""

import ipaddress
import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kotalive.core import crypto
from kotalive.core.errors import TooManyAttempts
from kotalive.core.models import RateCounter


@dataclass(frozen=True)
class Limit:
    """`count` hits per `seconds` for each subject of the bucket `name`."""

    name: str
    count: int
    seconds: int


def limit_from_setting(name: str, setting: str) -> Limit:
    """The limit a setting (count, seconds) names; read when used, so tests and deployments can change it."""
    count, seconds = getattr(settings, setting)
    return Limit(name=name, count=int(count), seconds=int(seconds))


def subject_of_login(login: str) -> str:
    """A subject for a login that names no account: the keyed hash of what was typed (never the text itself)."""
    return "login:" + crypto.blind_index(login.strip().lower())


def _key(limit: Limit, subject: str) -> str:
    return f"{limit.name}:{subject}"[:160]


def _slot(limit: Limit, now: float) -> int:
    return int(now // limit.seconds)


# One statement counts and reads back, atomically on PostgreSQL and SQLite (3.35+): two processes counting at once
# both land in the row, and each sees its own total.
_UPSERT = (
    "INSERT INTO core_ratecounter (bucket, slot, hits, expires_at) VALUES (%s, %s, 1, %s) "
    "ON CONFLICT (bucket, slot) DO UPDATE SET hits = core_ratecounter.hits + 1 RETURNING hits"
)


def _estimate(limit: Limit, current: int, previous: int, now: float) -> float:
    elapsed = (now % limit.seconds) / limit.seconds
    return current + previous * (1 - elapsed)


def _retry_after(limit: Limit, current: int, previous: int, now: float) -> int:
    """Seconds until the estimate falls below the limit again, if nothing more is counted."""
    elapsed = now % limit.seconds
    if current >= limit.count:  # this window's hits alone are too many: wait until they decay in the next one
        wait = (limit.seconds - elapsed) + limit.seconds * (1 - (limit.count - 1) / current)
    else:  # the previous window's share decays through this one
        needed = 1 - (limit.count - 1 - current) / previous if previous else 0
        wait = max(0.0, needed * limit.seconds - elapsed)
    return max(1, math.ceil(wait))


def _counts(limit: Limit, subject: str, now: float) -> tuple[int, int]:
    key, slot = _key(limit, subject), _slot(limit, now)
    rows = dict(RateCounter.objects.filter(bucket=key, slot__in=[slot, slot - 1]).values_list("slot", "hits"))
    return rows.get(slot, 0), rows.get(slot - 1, 0)


def refusal(limit: Limit, retry_after: int, message: str | None = None) -> TooManyAttempts:
    minutes = max(1, math.ceil(retry_after / 60))
    wait = ngettext("Try again in %(n)d minute.", "Try again in %(n)d minutes.", minutes) % {"n": minutes}
    lead = message or _("Too many attempts.")
    return TooManyAttempts(f"{lead} {wait}", code="throttled", retry_after=retry_after)


def limit_check(limit: Limit, subject: str, *, message: str | None = None) -> None:
    """Refuse (429, with when to try again) when `subject` has used up `limit`; counts nothing."""
    now = time.time()
    current, previous = _counts(limit, subject, now)
    if _estimate(limit, current, previous, now) >= limit.count:
        raise refusal(limit, _retry_after(limit, current, previous, now), message)


def limit_hit(limit: Limit, subject: str) -> None:
    """Count one hit for `subject` (a failure, a request). Commits on its own: a refusal rolled back with the work
    it refused must still count."""
    now = time.time()
    slot = _slot(limit, now)
    expires = datetime.fromtimestamp((slot + 2) * limit.seconds, tz=UTC)
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT, [_key(limit, subject), slot, expires])
        cursor.fetchone()


def limit_take(limit: Limit, subject: str, *, message: str | None = None) -> None:
    """Count this request and refuse it (429) when it goes over `limit`: for writes limited per citizen or key."""
    now = time.time()
    slot = _slot(limit, now)
    expires = datetime.fromtimestamp((slot + 2) * limit.seconds, tz=UTC)
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT, [_key(limit, subject), slot, expires])
        current = int(cursor.fetchone()[0])
    previous = 0
    if current <= limit.count:  # only then can the previous window tip the balance
        previous = _counts(limit, subject, now)[1]
    if _estimate(limit, current, previous, now) > limit.count:
        raise refusal(limit, _retry_after(limit, current, previous, now), message)


def citizen_take(actor: object, name: str, setting: str) -> None:
    """Count one write (an upload, a report, a message, an application) of a citizen against their own limit of
    that kind, and refuse it (429) past the limit. Staff act under their agency's audit and agency systems under
    their key's limit, so only citizens are counted here."""
    if getattr(actor, "kind", None) != "citizen":
        return
    limit_take(limit_from_setting(name, setting), f"user:{getattr(actor, 'pk', '')}")


def limit_clear(limit: Limit, subject: str) -> None:
    """Forget `subject`'s hits (a successful sign-in clears the account's failures)."""
    RateCounter.objects.filter(bucket=_key(limit, subject)).delete()


def rate_counters_prune() -> int:
    """Delete the windows no estimate reads any more (the worker, periodically)."""
    deleted, _rows = RateCounter.objects.filter(expires_at__lt=timezone.now()).delete()
    return deleted


def client_address(request: HttpRequest) -> str | None:
    """The caller's address. Taken from X-Forwarded-For only when the request came through a proxy listed in
    KOTALIVE_TRUSTED_PROXIES, and then the nearest address that is not itself a trusted proxy: anyone can send the
    header, so an untrusted one is ignored (otherwise every client could pick the address it is counted as)."""
    remote = request.META.get("REMOTE_ADDR") or None
    if not remote or not _trusted(remote):
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    for address in reversed(forwarded):
        if not _valid(address):
            return remote  # a forged or garbled chain: count it as the proxy itself
        if not _trusted(address):
            return address
    return remote


def _valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(proxy, strict=False) for proxy in settings.KOTALIVE_TRUSTED_PROXIES)
