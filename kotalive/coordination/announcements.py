"""Announcements from the platform operator to agencies (the communication element): to all agencies or chosen ones,
a read receipt per agency, and one reminder (an in-app notice to the agency's liaison officers and head) to those
that have not read it after REMIND_AFTER."""

import datetime as dt
import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kotalive.accounts.models import User
from kotalive.agencies.models import Agency, StaffRole
from kotalive.agencies.selectors import user_is_platform_operator
from kotalive.coordination.models import Announcement, AnnouncementReceipt
from kotalive.coordination.selectors import agency_ids_of
from kotalive.core.audit import audit_record
from kotalive.core.errors import NotFound, PermissionDenied, ValidationFailed
from kotalive.core.jobs import periodic
from kotalive.notifications.models import Notification
from kotalive.workflow.delivery import deliveries_plan

REMIND_AFTER = dt.timedelta(days=2)


def announcement_send(*, actor: User, title: Any, body: Any, agencies: list[str] | None = None) -> Announcement:
    """Send to `agencies` (codes), or to every active agency when None or empty."""
    if not user_is_platform_operator(actor):
        raise PermissionDenied(_("Only the platform operator sends announcements to agencies."))
    errors: dict[str, list[str]] = {}
    title, body = str(title or "").strip(), str(body or "").strip()
    if not title:
        errors["title"] = [_("is required")]
    elif len(title) > 150:
        errors["title"] = [_("must be at most %(limit)d characters") % {"limit": 150}]
    if not body:
        errors["body"] = [_("is required")]
    elif len(body) > 4000:
        errors["body"] = [_("must be at most %(limit)d characters") % {"limit": 4000}]
    chosen = list(Agency.objects.filter(active=True))
    if agencies:
        known = {a.code: a for a in chosen}
        unknown = [code for code in agencies if code not in known]
        if unknown:
            errors["agencies"] = [_("unknown agency: %(codes)s") % {"codes": ", ".join(unknown)}]
        chosen = [known[code] for code in dict.fromkeys(agencies) if code in known]
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        announcement = Announcement.objects.create(title=title, body=body, created_by=actor)
        AnnouncementReceipt.objects.bulk_create(
            [AnnouncementReceipt(announcement=announcement, agency=agency) for agency in chosen]
        )
        audit_record(
            actor=actor,
            action="coordination.announcement_sent",
            obj=announcement,
            data={"agencies": sorted(a.code for a in chosen)},
        )
    return announcement


def announcements_for(user: User) -> list[dict[str, Any]]:
    """The operator: every announcement with its receipts; agency staff: those sent to their agencies."""
    if user_is_platform_operator(user):
        rows = Announcement.objects.prefetch_related("receipts__agency")[:100]
        return [_shown(a, list(a.receipts.all())) for a in rows]
    agencies = agency_ids_of(user)
    receipts = AnnouncementReceipt.objects.filter(agency_id__in=agencies).select_related("announcement", "agency")
    by_announcement: dict[int, list[AnnouncementReceipt]] = {}
    for receipt in receipts.order_by("-announcement__created_at")[:200]:
        by_announcement.setdefault(receipt.announcement_id, []).append(receipt)
    return [_shown(r[0].announcement, r) for r in by_announcement.values()]


def _shown(announcement: Announcement, receipts: list[AnnouncementReceipt]) -> dict[str, Any]:
    return {
        "id": announcement.pk,
        "title": announcement.title,
        "body": announcement.body,
        "created_at": announcement.created_at,
        "receipts": [
            {"agency": r.agency.code, "read_at": r.read_at, "reminded_at": r.reminded_at}
            for r in sorted(receipts, key=lambda r: r.agency.code)
        ],
        "read": sum(1 for r in receipts if r.read_at is not None),
        "sent_to": len(receipts),
    }


def announcement_read(*, actor: User, announcement_id: int) -> int:
    """Mark the announcement read for every agency of `actor` it was sent to; returns how many receipts changed."""
    if not 0 < announcement_id < 2**63:  # an id the database cannot hold names no announcement
        raise NotFound("announcement not found", code="not_found")
    receipts = AnnouncementReceipt.objects.filter(announcement_id=announcement_id, agency_id__in=agency_ids_of(actor))
    if not receipts.exists():
        raise NotFound("announcement not found", code="not_found")
    return receipts.filter(read_at__isnull=True).update(read_at=timezone.now(), read_by=actor)


def announcement_reminders(*, now: dt.datetime | None = None) -> int:
    """One in-app reminder to the liaison officers and head of each agency that has not read an announcement after
    REMIND_AFTER; returns how many receipts were reminded."""
    now = now or timezone.now()
    due = AnnouncementReceipt.objects.filter(
        read_at__isnull=True, reminded_at__isnull=True, announcement__created_at__lt=now - REMIND_AFTER
    ).select_related("announcement")
    reminded = 0
    for receipt in list(due[:500]):
        people = StaffRole.objects.filter(
            agency_id=receipt.agency_id, role__in=[StaffRole.LIAISON, StaffRole.HEAD]
        ).values_list("user_id", flat=True)
        with transaction.atomic():
            Notification.objects.bulk_create(
                [
                    Notification(
                        user_id=user_id,
                        event_id=uuid.uuid5(uuid.NAMESPACE_URL, f"announcement-reminder:{receipt.pk}:{user_id}"),
                        kind="coordination.announcement_unread",
                        subject=str(receipt.announcement_id),
                        data={
                            "title": receipt.announcement.title,
                            "what": {
                                "id": f"Pengumuman belum dibaca: {receipt.announcement.title}",
                                "en": f"Unread announcement: {receipt.announcement.title}",
                            },
                        },
                    )
                    for user_id in set(people)
                ],
                ignore_conflicts=True,
            )
            deliveries_plan(
                list(
                    Notification.objects.filter(
                        kind="coordination.announcement_unread",
                        subject=str(receipt.announcement_id),
                        user_id__in=set(people),
                        attempts__isnull=True,
                    ).select_related("user")
                )
            )
            AnnouncementReceipt.objects.filter(pk=receipt.pk).update(reminded_at=now)
        reminded += 1
    return reminded


periodic("coordination.announcement-reminders")(announcement_reminders)
