"""The SSRF guard: which addresses count as internal (IPv6 forms that carry an IPv4 address included), what a URL must
look like, and that the operator's allow-list still wins."""

import ipaddress
from typing import Any

import pytest
from django.utils import translation

from kotalive.core.errors import ValidationFailed
from kotalive.core.ssrf import address_internal, destination_check, destination_vet


@pytest.mark.parametrize(
    ("address", "carrying"),
    [
        ("127.0.0.1", "loopback"),
        ("10.0.0.1", "private"),
        ("169.254.169.254", "link-local (cloud metadata)"),
        ("100.64.0.1", "shared address space"),
        ("0.0.0.0", "this network"),  # noqa: S104 (an address under test, not a bind)
        ("224.0.0.1", "multicast"),
        ("::1", "IPv6 loopback"),
        ("fd00::1", "IPv6 unique local"),
        ("fe80::1", "IPv6 link-local"),
        ("64:ff9b::7f00:1", "NAT64 of 127.0.0.1"),
        ("64:ff9b::a9fe:a9fe", "NAT64 of 169.254.169.254"),
        ("64:ff9b::a00:1", "NAT64 of 10.0.0.1"),
        ("64:ff9b:1::7f00:1", "local-use NAT64 (RFC 8215)"),
        ("64:ff9b:1:808:8:800::", "local-use NAT64 even of a public address"),
        ("2002:7f00:1::", "6to4 of 127.0.0.1"),
        ("2002:a00:1::1", "6to4 of 10.0.0.1"),
        ("::127.0.0.1", "IPv4-compatible 127.0.0.1"),
        ("::10.0.0.1", "IPv4-compatible 10.0.0.1"),
        ("::ffff:10.0.0.1", "IPv4-mapped 10.0.0.1"),
        ("::ffff:127.0.0.1", "IPv4-mapped 127.0.0.1"),
        ("::ffff:0:127.0.0.1", "IPv4-translated (SIIT) 127.0.0.1"),
        ("2001:0:808:808:8000:0:80ff:fffe", "Teredo: public server, client 127.0.0.1 (obfuscated)"),
        ("2001:0:7f00:1::1", "Teredo with server 127.0.0.1"),
        ("2a00:1450:4001::5efe:a00:1", "ISATAP interface identifier of 10.0.0.1"),
    ],
)
def test_internal_addresses_and_ipv6_forms_carrying_one_are_internal(address: str, carrying: str) -> None:
    assert address_internal(ipaddress.ip_address(address)), carrying


@pytest.mark.parametrize(
    "address",
    [
        "8.8.8.8",
        "2a00:1450:4001:81b::200e",
        "64:ff9b::808:808",  # NAT64 of a public address
        "2002:808:808::1",  # 6to4 of a public address
    ],
)
def test_public_addresses_and_forms_carrying_a_public_ipv4_are_not(address: str) -> None:
    assert not address_internal(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "url",
    [
        "https://[64:ff9b::7f00:1]/hook",
        "https://[2002:7f00:1::]/hook",
        "https://[::127.0.0.1]/hook",
        "https://[::ffff:10.0.0.1]/hook",
        "https://[2001:0:808:808:8000:0:80ff:fffe]/hook",
    ],
)
def test_a_url_whose_address_carries_an_internal_ipv4_is_refused(url: str, settings: Any) -> None:
    settings.KOTALIVE_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.0/8", "10.0.0.0/8"]  # IPv4 networks do not cover IPv6 forms
    with translation.override("en"), pytest.raises(ValidationFailed) as refused:
        destination_vet(url)
    (message,) = refused.value.errors["url"]
    assert message.startswith("points to an internal address (")
    assert str(ipaddress.ip_address(url.split("[")[1].split("]")[0])) in message


def test_the_allow_list_still_wins_over_an_embedded_address(settings: Any) -> None:
    settings.KOTALIVE_WEBHOOK_ALLOWED_HOSTS = ["64:ff9b::/96"]
    destination = destination_vet("https://[64:ff9b::7f00:1]:8443/hook")
    assert destination.host == "64:ff9b::7f00:1"
    assert destination.port == 8443
    assert [sockaddr[0] for _family, sockaddr in destination.addresses] == ["64:ff9b::7f00:1"]


def test_a_public_address_is_vetted_with_the_addresses_it_checked(settings: Any) -> None:
    settings.KOTALIVE_WEBHOOK_ALLOWED_HOSTS = []
    assert destination_check("https://[64:ff9b::808:808]/hook") == ["64:ff9b::808:808"]
    destination = destination_vet("https://8.8.8.8/hook?x=1")
    assert (destination.scheme, destination.host, destination.port) == ("https", "8.8.8.8", 443)
    assert destination.url == "https://8.8.8.8/hook?x=1"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://8.8.8.8/hook", "must be an absolute https:// address"),
        ("https://8.8.8.8:99999/hook", "must be an absolute https:// address"),
        ("https://user:pw@8.8.8.8/hook", "must not contain a user name or password"),
        ("https:///hook", "must be an absolute https:// address"),
    ],
)
def test_odd_urls_are_refused_with_a_reason_for_the_field(url: str, reason: str, settings: Any) -> None:
    settings.KOTALIVE_WEBHOOK_ALLOWED_HOSTS = []
    with translation.override("en"), pytest.raises(ValidationFailed) as refused:
        destination_vet(url)
    assert refused.value.errors == {"url": [reason]}
