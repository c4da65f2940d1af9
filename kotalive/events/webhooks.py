"""Webhook secrets and Standard Webhooks signatures (the check that a destination is not inside our network is
kotalive.core.ssrf).

Signatures follow https://www.standardwebhooks.com/: `webhook-id` (the CloudEvent id, the same on every retry so
receivers can deduplicate), `webhook-timestamp` (Unix seconds) and `webhook-signature` ("v1,<base64 HMAC-SHA256 of
id.timestamp.body>"; during a secret rotation one signature per live secret, space separated).
"""

import base64
import datetime as dt
import secrets

from standardwebhooks.webhooks import Webhook

from kotalive.core import crypto
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
