"""Shared personas, the same roles as the demo accounts (README): warga1 and warga2 of one family, warga3 of
another, a DISDUKCAPIL verifier and head, a DINSOS officer, the DISKOMINFO operator and the platform admin."""

from collections.abc import Iterator
from email import message_from_bytes
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.test import Client

from kotalive.accounts import token_cache
from kotalive.accounts.models import User
from kotalive.accounts.services import api_token_issue
from kotalive.demo.data import demo_data_load, reference_data_load

DEMO_PASSWORD = "kotalive-demo"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Argon2 costs ~50 ms a hash by design; tests that are not about hashing use a fast one."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ]


@pytest.fixture(autouse=True)
def _empty_token_cache() -> None:
    """Each test starts with no token cached by an earlier one (rows behind them were rolled back)."""
    token_cache._entries.clear()


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Each test starts with an empty process cache (the public complaint feed keeps pages for a few seconds)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def reference(db: None) -> None:
    """Regions of Banten (Kota Tangerang in full) and the agencies of Kota Tangerang."""
    reference_data_load()


@pytest.fixture
def personas(reference: None) -> dict[str, User]:
    """The demo families and staff, without the synthetic population."""
    demo_data_load(synthetic_people=0, history=False)
    return {user.username or "": user for user in User.objects.exclude(username__isnull=True)}


@pytest.fixture
def warga1(personas: dict[str, User]) -> User:
    return personas["warga1"]


@pytest.fixture
def warga2(personas: dict[str, User]) -> User:
    return personas["warga2"]


@pytest.fixture
def warga3(personas: dict[str, User]) -> User:
    return personas["warga3"]


@pytest.fixture
def verifier(personas: dict[str, User]) -> User:
    return personas["dukcapil.verifikator"]


@pytest.fixture
def dukcapil_admin(personas: dict[str, User]) -> User:
    return personas["dukcapil.admin"]


@pytest.fixture
def operator(personas: dict[str, User]) -> User:
    return personas["kominfo.operator"]


@pytest.fixture
def platform_admin(personas: dict[str, User]) -> User:
    return personas["admin"]


@pytest.fixture
def dinsos_officer(personas: dict[str, User]) -> User:
    return personas["dinsos.petugas"]


def bearer_client(user: User) -> Client:
    """A test client that sends a fresh API token of `user` on every request."""
    raw = api_token_issue(user=user).raw
    return Client(headers={"Authorization": f"Bearer {raw}"})


@pytest.fixture
def app_only_notices(settings: Any) -> None:
    """Citizens who never chose a channel are told in the app only: for tests that follow the subjects' own events
    on the feed and the webhooks (the delivery contract's events are tested in
    kotalive/cases/tests/test_notification_delivery.py)."""
    settings.KOTALIVE_NOTIFY_DEFAULT_CHANNELS = []


class Mailbox:
    """A local SMTP server's inbox (aiosmtpd): every e-mail it took; `refuse` makes it refuse every recipient."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.refuse = False

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:  # noqa: N802
        if self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's hook)
        self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def to(self, user: User) -> str:
        """Every e-mail `user` got, subjects and bodies, as one text."""
        mails = [m for m in self.messages if m["To"] == user.email]
        return "\n".join(f"{m['Subject']}\n{m.get_payload(decode=True).decode()}" for m in mails)


@pytest.fixture
def mailbox(settings: Any, free_tcp_port: int) -> Iterator[Mailbox]:
    """The platform's e-mail goes to a real SMTP server on this machine for the test."""
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_tcp_port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_tcp_port, "timeout": 5},
        }
    }
    yield box
    controller.stop()
