"""The guard against server-side request forgery: every URL the platform calls on someone's behalf (webhooks,
reconciliation, partner bridges) must point outside our own network unless the operator allow-listed it."""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from kotalive.core.errors import ValidationFailed


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
