"""Reads of complaints, always scoped to who asks. Anything outside the scope is "not found" (no existence leak).

Who sees a report: its reporter and followers (merged duplicates); the Live Room (operators, platform admins) and
leadership; staff of every agency that holds or held it (a hand-off keeps the trail readable to the agency that
handed it on). Agencies never see an anonymous reporter's identity.

How much they see: everyone above the whole report, except a follower (another citizen, whose own report was merged
into this one): they see what the public sees of it, its status and its public steps, never its title, text,
address, exact place, photos, messages or reporter (complaint_follower_only; presenters.follower_detail).
"""

import datetime as dt
import math
from dataclasses import dataclass

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from kotalive.accounts.models import User
from kotalive.agencies.models import Agency, StaffRole
from kotalive.complaints.models import (
    OPEN_CATEGORY_LIST,
    Category,
    Complaint,
    Follower,
    Photo,
    RoutingRule,
)
from kotalive.core.errors import NotFound
from kotalive.workflow.definitions import CANCELLED, COMPLETED, REJECTED, Transition
from kotalive.workflow.holders import helper_agencies, holdings
from kotalive.workflow.messages import subject_messages
from kotalive.workflow.models import Holding, Message, WorkflowStep
from kotalive.workflow.selectors import subject_rating_scores, subject_rating_scores_get

REPORTER, OPERATOR, LIAISON, HEAD, SUPPORT = "reporter", "operator", "liaison", "head", "support"
LIVE_ROOM_ROLES = (StaffRole.OPERATOR, StaffRole.PLATFORM_ADMIN)
READ_ONLY_PLATFORM_ROLES = (StaffRole.LEADERSHIP, StaffRole.AUDITOR)
AGENCY_ACTING_ROLES = (StaffRole.LIAISON, StaffRole.HEAD)
# Actions the API names differently or hides: `hand_off` without an agency is the definition's `hand_back`; the
# sweep's automatic close and the merge (its own fields) are not offered as plain buttons.
HIDDEN_ACTIONS = {"hand_back", "close_unconfirmed"}
DUPLICATE_RADIUS_M = 200
DUPLICATE_DAYS = 14
PAGE_SIZE = 25


def categories_active() -> QuerySet[Category]:
    return Category.objects.filter(active=True).select_related("default_agency")


def category_get(*, code: str) -> Category | None:
    return categories_active().filter(code=code).first()


def complaint_queryset() -> QuerySet[Complaint]:
    """One report with everything its page shows."""
    return Complaint.objects.select_related(
        "category", "agency", "reporter", "kelurahan", "kelurahan__parent", "workflow", "merged_into"
    ).annotate(rating_scores=subject_rating_scores("complaint"))


def complaint_list_queryset() -> QuerySet[Complaint]:
    """Reports for lists (queues, inboxes): only the joins a summary needs. Fewer joins also keep PostgreSQL's
    planning time (which grows with every join) well under the query's own."""
    return Complaint.objects.select_related("category", "agency", "kelurahan", "workflow").defer(
        "description", "attributes", "contact_encrypted"
    )


def complaint_handling_finished(complaint: Complaint) -> bool:
    """The handling is done as far as the reporter is concerned (the public status says "selesai": verified by the
    Live Room, or closed), and the report was not rejected or merged away: it may be rated."""
    state = complaint.workflow.parsed.states[complaint.state]
    return state.public_status == "selesai" and state.category not in (REJECTED, CANCELLED)


def complaint_rating(complaint: Complaint) -> int | None:
    """The reporter's score (1-5) of the handling, or None before they rated it (workflow.Rating)."""
    scores = subject_rating_scores_get(complaint)
    return scores[0] if scores else None


def platform_roles(user: User) -> set[str]:
    if user.kind != User.STAFF:
        return set()
    return set(StaffRole.objects.filter(user=user, agency__isnull=True).values_list("role", flat=True))


def is_live_room(user: User) -> bool:
    return bool(platform_roles(user) & set(LIVE_ROOM_ROLES))


def _agency_roles(user: User) -> dict[int, set[str]]:
    roles: dict[int, set[str]] = {}
    for agency_id, role in StaffRole.objects.filter(user=user, agency__isnull=False).values_list("agency_id", "role"):
        roles.setdefault(agency_id, set()).add(role)
    return roles


def complaint_roles(*, user: User, complaint: Complaint) -> set[str]:
    """The workflow roles `user` holds on `complaint` now: reporter; operator (the Live Room); liaison or head of
    the agency holding it; support (a liaison of an agency asked to help)."""
    roles: set[str] = set()
    if complaint.reporter_id == user.pk and user.kind == User.CITIZEN:
        roles.add(REPORTER)
    if user.kind != User.STAFF:
        return roles
    if is_live_room(user):
        roles.add(OPERATOR)
    by_agency = _agency_roles(user)
    if complaint.agency_id and complaint.agency_id in by_agency:
        roles |= by_agency[complaint.agency_id] & set(AGENCY_ACTING_ROLES)
    supporting = helper_agencies(complaint).filter(agency_id__in=list(by_agency)).exists()
    if supporting:
        roles.add(SUPPORT)
    return roles


def complaint_get_for_actor(*, user: User, tracking: str, for_update: bool = False) -> Complaint:
    complaints = complaint_queryset()
    if for_update:
        complaints = complaints.select_for_update(of=("self",))
    complaint = complaints.filter(tracking=tracking).first()
    if complaint is None or not complaint_visible(user=user, complaint=complaint):
        raise NotFound("complaint not found", code="not_found")
    return complaint


def complaint_from_lapor(*, lapor_id: str, source: str | None = None, for_update: bool = False) -> Complaint | None:
    """The report SP4N-LAPOR! knows by `lapor_id` (one it sent, or one the bridge forwarded and LAPOR! numbered; only
    those from `source` when given), or None; a blank id names none. For the LAPOR! client only
    (complaints.lapor.lapor_client_check)."""
    lapor_id = lapor_id.strip()
    if not lapor_id:
        return None
    complaints = Complaint.objects.select_related("workflow", "agency", "category")
    if source is not None:
        complaints = complaints.filter(source=source)
    if for_update:
        complaints = complaints.select_for_update(of=("self",))
    return complaints.filter(lapor_id=lapor_id).order_by("id").first()


def complaint_handles(roles: set[str]) -> bool:
    """Whether roles held on a report are those of someone handling it now: the Live Room, the holding agency's
    liaison or head, or a helper agency (who may write and read its internal notes)."""
    return bool(roles & {OPERATOR, LIAISON, HEAD, SUPPORT})


def complaint_visible(*, user: User, complaint: Complaint) -> bool:
    if user.kind == User.CITIZEN:
        return complaint.reporter_id == user.pk or Follower.objects.filter(complaint=complaint, user=user).exists()
    if user.kind != User.STAFF:
        return False
    if complaint.reporter_id == user.pk:  # a partner system reading what it posted
        return True
    if platform_roles(user) & {*LIVE_ROOM_ROLES, *READ_ONLY_PLATFORM_ROLES}:
        return True
    agencies = list(_agency_roles(user))
    return complaint.agency_id in agencies or holdings(complaint).filter(agency_id__in=agencies).exists()


def complaint_follower_only(*, user: User, complaint: Complaint) -> bool:
    """Whether `user` sees `complaint` only as a follower: a citizen who did not file it (whom complaint_visible
    admits only because their own report was merged into it). The reporter and staff see the whole report."""
    return user.kind == User.CITIZEN and complaint.reporter_id != user.pk


def reporter_visible_to(*, user: User, complaint: Complaint, roles: set[str]) -> bool:
    """Whether `user` (holding `roles` on the report) may see who filed it: the reporter, the Live Room, and other
    staff only when the report is not anonymous."""
    if REPORTER in roles or OPERATOR in roles:
        return True
    return not complaint.anonymous and user.kind == User.STAFF


def complaint_actions(*, complaint: Complaint, roles: set[str]) -> list[Transition]:
    """What the holder of `roles` may do now (complaint_roles)."""
    available = complaint.workflow.parsed.available(state=complaint.state, roles=roles)
    return [t for t in available if t.action not in HIDDEN_ACTIONS]


def routing_suggestion(*, complaint: Complaint) -> Agency:
    """The agency the routing rules send this report to: a rule for its kelurahan, else for its kecamatan, else the
    category's default agency."""
    category = complaint.category
    if complaint.kelurahan is not None:
        regions = [complaint.kelurahan.pk, complaint.kelurahan.parent_id]
        rules = {r.region_id: r for r in RoutingRule.objects.filter(category=category, region_id__in=regions)}
        for region in regions:
            if region in rules:
                return rules[region].agency
    return category.default_agency


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine; exact enough at city scale)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


def duplicates_suggest(*, complaint: Complaint, limit: int = 10) -> list[tuple[Complaint, float]]:
    """Other live reports of the same category within 200 m and 14 days of this one, nearest first.

    One index range (category, submitted_at) narrowed by a box around the pin; the exact distance is computed on
    the few rows left."""
    if complaint.lat is None or complaint.lon is None:
        return []
    window = dt.timedelta(days=DUPLICATE_DAYS)
    dlat = DUPLICATE_RADIUS_M / 111_320
    dlon = DUPLICATE_RADIUS_M / (111_320 * max(math.cos(math.radians(complaint.lat)), 0.01))
    nearby = (
        Complaint.objects.filter(
            category_id=complaint.category_id,
            submitted_at__gte=complaint.submitted_at - window,
            submitted_at__lte=complaint.submitted_at + window,
            lat__range=(complaint.lat - dlat, complaint.lat + dlat),
            lon__range=(complaint.lon - dlon, complaint.lon + dlon),
            merged_into__isnull=True,
        )
        .exclude(pk=complaint.pk)
        .exclude(state="rejected")
        .only("tracking", "lat", "lon", "title", "state", "submitted_at", "category_id")[:200]
    )
    found = []
    for other in nearby:
        if other.lat is None or other.lon is None:
            continue
        metres = distance_m(complaint.lat, complaint.lon, other.lat, other.lon)
        if metres <= DUPLICATE_RADIUS_M:
            found.append((other, metres))
    return sorted(found, key=lambda pair: pair[1])[:limit]


@dataclass
class Page:
    items: list[Complaint]
    page: int
    pages: int
    total: int


def _page(query: QuerySet[Complaint], page: int) -> Page:
    total = query.count()
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(1, page), pages)
    items = list(query[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
    return Page(items=items, page=page, pages=pages, total=total)


def triage_queue(*, page: int = 1) -> Page:
    """The Live Room's queue: reports waiting for verification, soonest due first (partial index on due_at)."""
    return _page(complaint_list_queryset().filter(state="triage").order_by("due_at", "id"), page)


def agency_complaint_inbox(*, agency: Agency, page: int = 1) -> Page:
    """The reports an agency holds (as lead), soonest due first."""
    query = (
        complaint_list_queryset().filter(agency=agency, state_category__in=OPEN_CATEGORY_LIST).order_by("due_at", "id")
    )
    return _page(query, page)


def agency_supporting(*, agency: Agency) -> list[Complaint]:
    """Open reports another agency leads on which this one was asked to help."""
    ids = Holding.objects.filter(
        subject_type=Complaint.event_kind, agency=agency, role=Holding.SUPPORT, left_at__isnull=True
    ).values("subject_id")
    return list(
        complaint_list_queryset().filter(pk__in=ids, state_category__in=OPEN_CATEGORY_LIST).order_by("due_at")[:100]
    )


def complaints_of_citizen(*, user: User) -> QuerySet[Complaint]:
    followed = Follower.objects.filter(user=user).values("complaint_id")
    return complaint_list_queryset().filter(Q(reporter=user) | Q(pk__in=followed)).order_by("-submitted_at")


def public_complaints(*, page: int = 1, per_page: int = 50) -> tuple[list[Complaint], int]:
    """Reports the public may see: not confidential, not merged away; newest first."""
    query = (
        Complaint.objects.filter(confidential=False, merged_into__isnull=True)
        .select_related("category", "kelurahan", "agency", "workflow")
        .only(
            "tracking",
            "kind",
            "state",
            "state_category",
            "submitted_at",
            "updated_at",
            "closed_at",
            "lat",
            "lon",
            "category__code",
            "category__name",
            "category__name_en",
            "kelurahan__name",
            "kelurahan__code",
            "agency__code",
            "agency__name",
            "workflow__code",  # the parsed definition is cached by id, code and version
            "workflow__version",
            "workflow__document",
        )
        .order_by("-submitted_at", "-id")
    )
    page = max(1, page)
    items = list(query[(page - 1) * per_page : page * per_page + 1])
    return items[:per_page], (page + 1 if len(items) > per_page else 0)


def complaint_timeline(*, complaint: Complaint) -> list[WorkflowStep]:
    return list(WorkflowStep.objects.filter(subject_type="complaint", subject_id=complaint.pk).select_related("actor"))


def complaint_messages(*, complaint: Complaint, with_notes: bool) -> list[Message]:
    return list(subject_messages(complaint, with_notes=with_notes))


def complaint_photos(*, complaint: Complaint) -> list[Photo]:
    return list(Photo.objects.filter(complaint=complaint).select_related("upload"))


def complaint_holdings(*, complaint: Complaint) -> list[Holding]:
    """Every agency's stretches with the report, in order (workflow.Holding)."""
    return list(holdings(complaint).select_related("agency"))


def complaint_photo_get(*, user: User, complaint: Complaint, upload_id: str) -> Photo:
    """One photo of a report `user` sees (complaint_get_for_actor), or not found: a follower sees none of the report's
    photos, and is answered as for a photo that does not exist."""
    photos = [] if complaint_follower_only(user=user, complaint=complaint) else complaint_photos(complaint=complaint)
    photo = next((p for p in photos if str(p.upload_id) == upload_id), None)
    if photo is None:
        raise NotFound("photo not found", code="not_found")
    return photo


def reports_for_home(*, user: User, rated_within_days: int = 30, limit: int = 50) -> list[Complaint]:
    """The citizen's own reports for their home page: every open one, and those closed in the last
    `rated_within_days` days that they have not rated yet, newest first, each with its rating loaded. One query."""
    since = timezone.now() - dt.timedelta(days=rated_within_days)
    rows = (
        complaint_list_queryset()
        .filter(reporter=user)
        .annotate(rating_scores=subject_rating_scores(Complaint.event_kind))
        .filter(
            Q(state_category__in=OPEN_CATEGORY_LIST)
            | Q(state_category=COMPLETED, closed_at__gte=since, rating_scores__isnull=True)
        )
        .order_by("-submitted_at", "-id")
    )
    return list(rows[:limit])


@dataclass(frozen=True)
class TriageSummary:
    waiting: int
    oldest_submitted_at: dt.datetime | None


def triage_summary(*, user: User) -> TriageSummary | None:
    """How many reports wait for the Live Room's verification and since when the oldest waits (operator home page);
    None for anyone outside the Live Room. One aggregate query (after the Live Room check)."""
    if not is_live_room(user):
        return None
    found = Complaint.objects.filter(state="triage").aggregate(n=Count("id"), oldest=Min("submitted_at"))
    return TriageSummary(waiting=found["n"] or 0, oldest_submitted_at=found["oldest"])


@dataclass(frozen=True)
class AgencyReports:
    """The open reports an agency leads, by workflow state, and how many are past their due time (officer home)."""

    agency: Agency
    by_state: dict[str, int]
    late: int

    @property
    def total(self) -> int:
        return sum(self.by_state.values())


def agency_report_queues(*, user: User) -> list[AgencyReports]:
    """For each complaint-handling agency where `user` acts on reports (liaison or head), the open reports it
    leads. One aggregate query, whatever the number of agencies."""
    agencies = list(
        Agency.objects.filter(
            handles_complaints=True, staff_roles__user=user, staff_roles__role__in=AGENCY_ACTING_ROLES
        )
        .distinct()
        .order_by("code")
    )
    if not agencies:
        return []
    counts: dict[int, dict[str, int]] = {a.pk: {} for a in agencies}
    late: dict[int, int] = dict.fromkeys(counts, 0)
    now = timezone.now()
    rows = (
        Complaint.objects.filter(agency__in=agencies, state_category__in=OPEN_CATEGORY_LIST)
        .order_by()
        .values("agency_id", "state")
        .annotate(n=Count("id"), overdue=Count("id", filter=Q(due_at__lt=now)))
    )
    for row in rows:
        counts[row["agency_id"]][row["state"]] = row["n"]
        late[row["agency_id"]] += row["overdue"]
    return [AgencyReports(agency=a, by_state=counts[a.pk], late=late[a.pk]) for a in agencies]
