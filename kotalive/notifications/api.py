"""The signed-in person's in-app notifications."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from kotalive.agencies.auth import BearerToken, actor
from kotalive.core.api import AUTH_ERRORS
from kotalive.notifications.models import Notification

router = Router(tags=["notifications"], auth=BearerToken())


class NotificationOut(Schema):
    id: int
    kind: str
    subject: str
    data: dict[str, Any]
    created_at: datetime
    read_at: datetime | None


class ReadOut(Schema):
    marked: int


@router.get("/me/notifications", response={200: list[NotificationOut], **AUTH_ERRORS}, summary="My notifications")
def my_notifications(request: HttpRequest) -> list[Any]:
    """Newest first (at most 100): each change to one of my cases made by the agency."""
    return list(Notification.objects.filter(user=actor(request))[:100])


@router.get(
    "/me/notifications/unread", response={200: list[NotificationOut], **AUTH_ERRORS}, summary="My unread notifications"
)
def my_unread_notifications(request: HttpRequest) -> list[Any]:
    return list(Notification.objects.filter(user=actor(request), read_at__isnull=True)[:100])


@router.post("/me/notifications/read", response={200: ReadOut, **AUTH_ERRORS}, summary="Mark all as read")
def mark_read(request: HttpRequest) -> dict[str, int]:
    marked = Notification.objects.filter(user=actor(request), read_at__isnull=True).update(read_at=timezone.now())
    return {"marked": marked}
