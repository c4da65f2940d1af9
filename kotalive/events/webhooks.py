"""Webhook secrets, Standard Webhooks signatures, and the check that a destination is not inside our network.

Signatures follow https://www.standardwebhooks.com/: `webhook-id` (the CloudEvent id, the same on every retry so
receivers can deduplicate), `webhook-timestamp` (Unix seconds) and `webhook-signature` ("v1,<base64 HMAC-SHA256 of
id.timestamp.body>"; during a secret rotation one signature per live secret, space separated).
"""

import base64
import datetime as dt
import ipaddress
import secrets
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _
from standardwebhooks.webhooks import Webhook

from kotalive.core import crypto
from kotalive.core.errors import ValidationFailed
from kotalive.events.models import WebhookSubscription

SECRET_PREFIX = "whsec_"  # noqa: S105 (the format's prefix, not a secret)


def secret_new() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def live_secrets(subscription: WebhookSubscription, now: dt.datetime) -> list[str]:
    """The current secret, and the previous one while its overlap lasts."""
    found = [crypto.decrypt(subscription.secret_encrypted)]
    if (
        subscription.previous_secret_encrypted
        and subscription.previous_secret_until
        and (subscription.previous_secret_until > now)
    ):
        found.append(crypto.decrypt(subscription.previous_secret_encrypted))
    return found


def signature_headers(*, secrets_: list[str], message_id: str, at: dt.datetime, body: str) -> dict[str, str]:
    signatures = " ".join(Webhook(secret).sign(message_id, at, body) for secret in secrets_)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signatures,
    }


def _allow_listed(host: str, addresses: list[ipaddress.IPv4Address | ipaddress.IPv6Address]) -> bool:
    for entry in settings.KOTALIVE_WEBHOOK_ALLOWED_HOSTS:
        if entry == host:
            return True
        try:
            network = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            continue
        if addresses and all(address in network for address in addresses):
            return True
    return False


def destination_check(url: str) -> list[str]:
    """Refuse a URL that is not HTTPS or that resolves to a private, loopback, link-local or otherwise internal
    address (server-side request forgery), unless its host is allow-listed in KOTALIVE_WEBHOOK_ALLOWED_HOSTS.
    Returns the addresses the host resolves to. Checked when subscribing and again before every request, because
    a name can be pointed elsewhere after it was accepted."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in {"https", "http"} or not host:
        raise ValidationFailed({"url": [_("must be an absolute https:// address")]})
    if parts.username or parts.password:
        raise ValidationFailed({"url": [_("must not contain a user name or password")]})
    try:
        infos = socket.getaddrinfo(
            host, parts.port or (443 if parts.scheme == "https" else 80), type=socket.SOCK_STREAM
        )
    except (socket.gaierror, UnicodeError):
        raise ValidationFailed({"url": [_("the host name does not resolve")]}) from None
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    if _allow_listed(host, addresses):
        return [str(a) for a in addresses]
    if parts.scheme != "https":
        raise ValidationFailed({"url": [_("must be an absolute https:// address")]})
    for address in addresses:
        if not address.is_global or address.is_multicast:
            raise ValidationFailed(
                {"url": [_("points to an internal address (%(address)s), which is not allowed") % {"address": address}]}
            )
    return [str(a) for a in addresses]
