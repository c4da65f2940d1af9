"""Reads of coordination requests, scoped to who asks."""

import datetime as dt

from django.db.models import QuerySet

from kotalive.accounts.models import User
from kotalive.agencies.models import Agency, StaffRole
from kotalive.coordination.models import OPEN_CATEGORY_LIST, CoordinationRequest
from kotalive.core.calendar import local_date
from kotalive.core.errors import NotFound

INCOMING, OUTGOING = "incoming", "outgoing"
RECEIVER, REQUESTER = "receiver", "requester"


def agency_ids_of(user: User) -> set[int]:
    """The agencies `user` works for (any agency role)."""
    if user.kind != User.STAFF:
        return set()
    return set(StaffRole.objects.filter(user=user, agency__isnull=False).values_list("agency_id", flat=True))


def request_roles(*, user: User, request: CoordinationRequest) -> set[str]:
    """`receiver` for staff of the asked agency, `requester` for staff of the asking one."""
    agencies = agency_ids_of(user)
    roles = set()
    if request.to_agency_id in agencies:
        roles.add(RECEIVER)
    if request.from_agency_id in agencies:
        roles.add(REQUESTER)
    return roles


def coordination_get_for_actor(*, user: User, tracking: str, for_update: bool = False) -> CoordinationRequest:
    """A request the user may see: staff of the asking or the asked agency, and the platform's operators."""
    rows = CoordinationRequest.objects.select_related("workflow", "from_agency", "to_agency", "requested_by")
    if for_update:
        rows = rows.select_for_update(of=("self",))
    request = rows.filter(tracking=tracking).first()
    if request is None or not coordination_visible(user=user, request=request):
        raise NotFound("coordination request not found", code="not_found")
    return request


def coordination_visible(*, user: User, request: CoordinationRequest) -> bool:
    if request_roles(user=user, request=request):
        return True
    platform = {StaffRole.OPERATOR, StaffRole.PLATFORM_ADMIN, StaffRole.LEADERSHIP, StaffRole.AUDITOR}
    platform_staff = StaffRole.objects.filter(user=user, agency__isnull=True, role__in=platform)
    return user.kind == User.STAFF and platform_staff.exists()


def due_date(request: CoordinationRequest) -> dt.date | None:
    return local_date(request.due_at) if request.due_at else None


def coordination_inbox(*, agency: Agency, direction: str, open_only: bool = False) -> QuerySet[CoordinationRequest]:
    """An agency's requests: those it was asked (incoming, soonest due first) or those it asked (outgoing, newest
    first)."""
    rows = CoordinationRequest.objects.select_related("workflow", "from_agency", "to_agency")
    if direction == INCOMING:
        rows = rows.filter(to_agency=agency).order_by("due_at", "id")
    else:
        rows = rows.filter(from_agency=agency).order_by("-submitted_at", "-id")
    if open_only:
        rows = rows.filter(state_category__in=OPEN_CATEGORY_LIST)
    return rows


def coordination_of_parent(*, kind: str, parent_id: int) -> list[CoordinationRequest]:
    return list(
        CoordinationRequest.objects.filter(parent_kind=kind, parent_id=parent_id)
        .select_related("workflow", "from_agency", "to_agency")
        .order_by("submitted_at", "id")
    )


def staff_agency_for(user: User, code: str | None) -> Agency | None:
    """The agency whose inbox `user` opens: the one named (if they work there), else their first."""
    ids = agency_ids_of(user)
    rows = Agency.objects.filter(pk__in=ids).order_by("code")
    if code:
        rows = rows.filter(code=code)
    return rows.first()


def coordination_waiting_for(*, user: User, limit: int = 10) -> tuple[int, list[CoordinationRequest]]:
    """Open requests other agencies sent to the agencies `user` works for (officer home page): how many, and the
    `limit` soonest due. Three queries (the agencies, the count, the rows)."""
    rows = CoordinationRequest.objects.filter(
        to_agency_id__in=agency_ids_of(user), state_category__in=OPEN_CATEGORY_LIST
    ).select_related("workflow", "from_agency", "to_agency")
    return rows.count(), list(rows.order_by("due_at", "id")[:limit])
