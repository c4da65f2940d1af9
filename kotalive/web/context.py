from typing import Any

from django.conf import settings
from django.http import HttpRequest


def platform(request: HttpRequest) -> dict[str, Any]:
    """Names every page shows (consumed by web/templates/web/base.html)."""
    user = getattr(request, "user", None)
    return {
        "platform_name": settings.KOTALIVE_PLATFORM_NAME,
        "demo_mode": settings.DEMO,
        "is_staff_member": bool(user and user.is_authenticated and getattr(user, "kind", "") == "staff"),
    }
