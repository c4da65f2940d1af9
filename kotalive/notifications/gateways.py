"""Where an external notice goes: Django's mailer for e-mail (SMTP in production), and a generic HTTP gateway for
SMS and WhatsApp (docs/how-to/notification-channels.md has the contract).

Every send answers one of: delivered (e-mail: the SMTP server took it; nothing more is ever known), sent (the gateway
took it: its delivery receipt comes later on the signed callback), or raises `PermanentFailure` (the address or
number is refused: trying again is useless) or `TemporaryFailure` (try again later).
"""

import hashlib
import hmac
import json
import smtplib
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, mailers

from kotalive.notifications.models import DevOutboxMessage

MAX_ANSWER = 64 * 1024


class PermanentFailure(Exception):
    """The channel refused this destination or message for good."""


class TemporaryFailure(Exception):
    """The channel could not take it now."""


@dataclass(frozen=True)
class Sent:
    state: str  # "delivered" (nothing more will be known) or "sent" (a receipt will come)
    gateway: str
    provider_id: str = ""


def gateway_url(channel: str) -> str:
    return str({"sms": settings.KOTALIVE_SMS_GATEWAY_URL, "whatsapp": settings.KOTALIVE_WHATSAPP_GATEWAY_URL}[channel])


def gateway_name(channel: str) -> str:
    """What sends on `channel` here: smtp, the channel's HTTP gateway, or the development log."""
    if channel == "email":
        return "smtp"
    return f"{channel}-gateway" if gateway_url(channel) else "log"


def channel_available(channel: str) -> bool:
    """Whether this deployment can send on `channel` at all (a gateway configured, or the development log)."""
    if channel == "email":
        return True
    return bool(gateway_url(channel)) or settings.NOTIFICATION_CHANNEL == "log"


def send_email(*, destination: str, subject: str, body: str) -> Sent:
    try:
        mailer = mailers.create_connection("default")  # a fresh one, from the settings of this moment
        mailer.send_messages([EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [destination])])
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _message in error.recipients.values()]
        if all(500 <= code < 600 for code in codes):
            raise PermanentFailure(f"SMTP refused the address ({codes[0]})") from error
        raise TemporaryFailure(f"SMTP deferred the address ({codes[0] if codes else '?'})") from error
    except smtplib.SMTPResponseException as error:
        if 500 <= error.smtp_code < 600:
            raise PermanentFailure(f"SMTP refused the message ({error.smtp_code})") from error
        raise TemporaryFailure(f"SMTP answered {error.smtp_code}") from error
    except (smtplib.SMTPException, OSError) as error:
        raise TemporaryFailure(f"SMTP unreachable: {type(error).__name__}") from error
    return Sent("delivered", "smtp")


def send_text(*, channel: str, destination: str, body: str, reference: str) -> Sent:
    """SMS or WhatsApp: through the configured gateway, or the development log (DEBUG's outbox page)."""
    url = gateway_url(channel)
    if not url:
        DevOutboxMessage.objects.create(channel=channel[:10], destination=destination, body=body)
        return Sent("delivered", "log")
    payload = json.dumps(
        {
            "channel": channel,
            "to": destination,
            "body": body,
            "reference": reference,
            "callback_url": f"{settings.KOTALIVE_PUBLIC_URL}/api/v1/notifications/receipts",
        }
    ).encode()
    request = urllib.request.Request(  # noqa: S310 (the configured gateway's URL)
        url,
        data=payload,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {settings.KOTALIVE_GATEWAY_TOKEN}",
            "X-KotaLIVE-Signature": signature(payload),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.KOTALIVE_NOTIFY_TIMEOUT_SECONDS) as answer:  # noqa: S310
            body_bytes = answer.read(MAX_ANSWER)
    except urllib.error.HTTPError as error:
        if 400 <= error.code < 500 and error.code not in (408, 429):
            raise PermanentFailure(f"gateway refused the message ({error.code})") from error
        raise TemporaryFailure(f"gateway answered {error.code}") from error
    except (TimeoutError, OSError) as error:
        raise TemporaryFailure(f"gateway unreachable: {type(error).__name__}") from error
    try:
        provider_id = str(json.loads(body_bytes or b"{}").get("id") or "")
    except (ValueError, AttributeError):
        provider_id = ""
    return Sent("sent", f"{channel}-gateway", provider_id[:100])


def signature(body: bytes) -> str:
    """`sha256=<hex>`: HMAC-SHA256 of the exact body with the shared gateway secret (both directions)."""
    digest = hmac.new(settings.KOTALIVE_GATEWAY_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def signature_valid(body: bytes, header: str) -> bool:
    return bool(settings.KOTALIVE_GATEWAY_SECRET) and hmac.compare_digest(signature(body), header or "")
