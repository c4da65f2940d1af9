import re

from kotalive.notifications.models import DevOutboxMessage


def last_code_sent_to(destination: str) -> str:
    """The 6-digit code in the newest message the log channel kept for `destination`."""
    message = DevOutboxMessage.objects.filter(destination=destination).order_by("-id").first()
    assert message is not None, f"nothing was sent to {destination}"
    found = re.search(r"\b(\d{6})\b", message.body)
    assert found is not None
    return found.group(1)
