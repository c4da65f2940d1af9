"""Tokens this process verified in the last few seconds, so a busy client is not looked up on every request.

Why: the token query is half the work of the citizen's status read (docs/performance.md). The price is a bounded
delay: a token revoked or a user deactivated through another process stays usable here for at most
`KOTALIVE_TOKEN_CACHE_SECONDS` (15 by default; 0 turns the cache off). Revocation through this process takes effect
at once. A token is only cached when it stays valid for the whole period, so expiry is never extended.
See docs/adr/0007-api-token-cache.md.
"""

import copy
import threading
import time

from django.conf import settings

from kotalive.accounts.models import User

_MAX_ENTRIES = 10_000  # a burst of distinct tokens empties the cache instead of growing it without bound

_entries: dict[str, tuple[float, User]] = {}
_lock = threading.Lock()


def seconds() -> int:
    return int(settings.KOTALIVE_TOKEN_CACHE_SECONDS)


def token_cache_get(digest: str) -> User | None:
    entry = _entries.get(digest)
    if entry is None:
        return None
    deadline, user = entry
    if time.monotonic() >= deadline:
        _entries.pop(digest, None)
        return None
    # Each request gets its own copy: a handler may set attributes on its user.
    return copy.copy(user)


def token_cache_put(digest: str, user: User) -> None:
    if seconds() <= 0:
        return
    with _lock:
        if len(_entries) >= _MAX_ENTRIES:
            _entries.clear()
        _entries[digest] = (time.monotonic() + seconds(), copy.copy(user))


def token_cache_forget(*, user_id: int) -> None:
    """Drop every cached token of `user_id` (after a revocation, a password reset, a deactivation)."""
    with _lock:
        for digest in [d for d, (_deadline, user) in _entries.items() if user.pk == user_id]:
            del _entries[digest]
