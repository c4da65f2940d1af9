"""Writes to the working-day calendar (operator only)."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kotalive.core.audit import audit_record
from kotalive.core.errors import PermissionDenied, ValidationFailed
from kotalive.core.models import CalendarOverride


def calendar_override_set(
    *, actor: Any, may_manage: bool, date: dt.date, working: bool, reason: str
) -> CalendarOverride:
    """Declare `date` open or closed for every SLA clock. `may_manage` is the caller's role check (operator)."""
    if not may_manage:
        raise PermissionDenied(_("Only the operator manages the working-day calendar."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": [_("is required")]})
    with transaction.atomic():
        override, _created = CalendarOverride.objects.update_or_create(
            date=date, defaults={"working": working, "reason": reason}
        )
        audit_record(
            actor=actor,
            action="calendar.override_set",
            obj=override,
            data={"date": date.isoformat(), "working": working, "reason": reason},
        )
    return override


def calendar_override_remove(*, actor: Any, may_manage: bool, date: dt.date) -> None:
    if not may_manage:
        raise PermissionDenied(_("Only the operator manages the working-day calendar."))
    with transaction.atomic():
        deleted, _rows = CalendarOverride.objects.filter(date=date).delete()
        if deleted:
            audit_record(
                actor=actor,
                action="calendar.override_removed",
                object_type="core.calendaroverride",
                object_id=date.isoformat(),
            )
