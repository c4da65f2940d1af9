from typing import Any

from django.conf import settings
from django.http import HttpRequest

from kotalive.notifications.models import Notification


def platform(request: HttpRequest) -> dict[str, Any]:
    """Names every page shows (consumed by web/templates/web/base.html)."""
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    # The bell's count: one indexed count (notification_unread_idx) per page for a signed-in person.
    unread = Notification.objects.filter(user=user, read_at__isnull=True).count() if signed_in else 0
    return {
        "unread_notifications": unread,
        "platform_name": settings.KOTALIVE_PLATFORM_NAME,
        "demo_mode": settings.DEMO,
        "is_staff_member": bool(user and user.is_authenticated and getattr(user, "kind", "") == "staff"),
    }
