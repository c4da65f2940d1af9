"""Where messages to people go. Services call `message_send` after their transaction commits.

Channels (KOTALIVE_NOTIFICATION_CHANNEL):
- "log": write the message to the server log and the DEBUG-only outbox page (development and demos);
- "email": e-mail through Django's EMAIL_BACKEND (SMTP in production); SMS is logged without its body until an
  SMS/WhatsApp gateway is configured (see docs/how-to/notification-channels.md).
"""

import logging
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail

from kotalive.notifications.models import DevOutboxMessage

logger = logging.getLogger("kotalive.notifications")
SMS, EMAIL = "sms", "email"


class Channel(Protocol):
    def send(self, *, medium: str, destination: str, subject: str, body: str) -> None: ...


class LogChannel:
    def send(self, *, medium: str, destination: str, subject: str, body: str) -> None:
        logger.info("[%s to %s] %s: %s", medium, destination, subject, body)
        DevOutboxMessage.objects.create(channel=medium, destination=destination, subject=subject, body=body)


class EmailChannel:
    def send(self, *, medium: str, destination: str, subject: str, body: str) -> None:
        if medium == EMAIL:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [destination])
        else:
            # No SMS gateway is wired yet: say so loudly, without the code itself.
            logger.warning("SMS to %s not sent: no SMS gateway configured", destination[:4] + "***")


CHANNELS: dict[str, type[Channel]] = {"log": LogChannel, "email": EmailChannel}


def message_send(*, medium: str, destination: str, subject: str, body: str) -> None:
    """Send one message through the configured channel. Call it after commit (transaction.on_commit)."""
    channel_class = CHANNELS.get(settings.NOTIFICATION_CHANNEL)
    if channel_class is None:
        raise LookupError(f"KOTALIVE_NOTIFICATION_CHANNEL={settings.NOTIFICATION_CHANNEL!r} is not a channel")
    channel_class().send(medium=medium, destination=destination, subject=subject, body=body)
