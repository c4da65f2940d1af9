"""The guard against server-side request forgery: every URL the platform calls on someone's behalf (webhooks,
reconciliation, partner bridges) must point outside our own network unless the operator allow-listed it.

`destination_vet` resolves a URL's host once and returns the addresses it checked; kotalive.core.httpclient connects
only to those, so a name that answers differently a moment later (DNS rebinding) cannot send a request inside.
"""

import ipaddress
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from kotalive.core.errors import ValidationFailed

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# IPv6 prefixes whose addresses carry an IPv4 address in their last 32 bits: NAT64's well-known prefix (RFC 6052),
# IPv4-compatible (deprecated, RFC 4291) and IPv4-translated (SIIT, RFC 2765) addresses. IPv4-mapped (::ffff:0:0/96),
# 6to4 and Teredo have their own accessors in ipaddress.
_LAST_32_BITS = (
    ipaddress.IPv6Network("64:ff9b::/96"),
    ipaddress.IPv6Network("::/96"),
    ipaddress.IPv6Network("::ffff:0:0:0/96"),
)
# NAT64's local-use prefix (RFC 8215): where the IPv4 address sits depends on the prefix length a network chose, so it
# cannot be read back; it only ever leads into some operator's own network, so all of it counts as internal.
_LOCAL_NAT64 = ipaddress.IPv6Network("64:ff9b:1::/48")


@dataclass(frozen=True)
class Destination:
    """A URL that passed the guard, with the socket addresses its host resolved to when it was checked: the only
    addresses a request to it may connect to."""

    url: str
    scheme: str
    host: str
    port: int
    addresses: tuple[tuple[int, Any], ...]  # (address family, socket address) as getaddrinfo answered


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries (a translator, tunnel or dual-stack socket would reach them)."""
    found: list[ipaddress.IPv4Address] = []
    if address.ipv4_mapped is not None:
        found.append(address.ipv4_mapped)
    if address.sixtofour is not None:
        found.append(address.sixtofour)
    if address.teredo is not None:
        found.extend(address.teredo)  # (server, client): a relay reaches either
    if any(address in prefix for prefix in _LAST_32_BITS):
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    interface = int(address) & 0xFFFFFFFFFFFFFFFF
    if interface >> 32 in (0x00005EFE, 0x02005EFE):  # ISATAP: the IPv4 address in the interface identifier
        found.append(ipaddress.IPv4Address(interface & 0xFFFFFFFF))
    return found


def address_internal(address: Address) -> bool:
    """Whether a request to `address` could reach inside a network rather than the public internet: not global,
    multicast, or an IPv6 form that carries such an IPv4 address (NAT64, 6to4, Teredo, IPv4-mapped/-compatible)."""
    if not address.is_global or address.is_multicast:
        return True
    if isinstance(address, ipaddress.IPv6Address):
        if address in _LOCAL_NAT64:
            return True
        return any(address_internal(embedded) for embedded in _embedded_ipv4(address))
    return False


def _address_of(sockaddr: Any) -> Address:
    return ipaddress.ip_address(str(sockaddr[0]).split("%")[0])  # without an IPv6 zone ("fe80::1%eth0")


def _allow_listed(host: str, addresses: list[Address]) -> bool:
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


def destination_vet(url: str) -> Destination:
    """Refuse a URL that is not HTTPS or that resolves to a private, loopback, link-local or otherwise internal
    address (server-side request forgery), unless its host is allow-listed in KOTALIVE_WEBHOOK_ALLOWED_HOSTS.
    Returns the destination with the addresses it checked, which kotalive.core.httpclient connects to (the name is
    not resolved a second time). Checked when subscribing and again before sending, because a name can be pointed
    elsewhere after it was accepted."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in {"https", "http"} or not host:
        raise ValidationFailed({"url": [_("must be an absolute https:// address")]})
    if parts.username or parts.password:
        raise ValidationFailed({"url": [_("must not contain a user name or password")]})
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:  # a port that is not a number or out of range
        raise ValidationFailed({"url": [_("must be an absolute https:// address")]}) from None
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise ValidationFailed({"url": [_("the host name does not resolve")]}) from None
    addresses = [_address_of(info[4]) for info in infos]
    destination = Destination(url, parts.scheme, host, port, tuple((info[0], info[4]) for info in infos))
    if _allow_listed(host, addresses):
        return destination
    if parts.scheme != "https":
        raise ValidationFailed({"url": [_("must be an absolute https:// address")]})
    for address in addresses:
        if address_internal(address):
            raise ValidationFailed(
                {"url": [_("points to an internal address (%(address)s), which is not allowed") % {"address": address}]}
            )
    return destination


def destination_check(url: str) -> list[str]:
    """destination_vet for callers that only validate a URL they store (a subscription, a reconcile URL): returns
    the addresses the host resolves to now."""
    return [str(_address_of(sockaddr)) for _family, sockaddr in destination_vet(url).addresses]
