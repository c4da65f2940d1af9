"""Reads of cases, always scoped to who asks. Anything outside the scope is "not found" (no existence leak)."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from kotalive.accounts.models import User
from kotalive.agencies.models import Agency, StaffRole
from kotalive.cases.models import OPEN_CATEGORY_LIST, Case, CaseDocument, CaseDraft
from kotalive.core.errors import NotFound
from kotalive.core.models import Upload
from kotalive.registry.models import Person
from kotalive.workflow.definitions import (
    APPLICANT,
    AWAITING_CITIZEN,
    CANCELLED,
    CATEGORIES,
    COMPLETED,
    PUBLIC_STATUS,
    REJECTED,
    Transition,
)
from kotalive.workflow.labels import public_status_label
from kotalive.workflow.messages import subject_messages
from kotalive.workflow.models import WorkflowStep
from kotalive.workflow.selectors import subject_rating_scores, subject_rating_scores_get

OPEN_CATEGORIES = OPEN_CATEGORY_LIST


def case_queryset() -> QuerySet[Case]:
    """Cases with everything a case page shows, in one query (not the stored snapshot, which repeats it)."""
    return Case.objects.defer("snapshot").select_related(
        "service", "service_version", "agency", "applicant", "subject_person", "assignee", "workflow"
    )


def citizen_person(user: User) -> Person | None:
    """The registry record of a citizen's account (None for staff, or a citizen outside the registry)."""
    profile = getattr(user, "citizen", None)
    return profile.person if profile is not None else None


def _citizen_scope(user: User) -> Q:
    scope = Q(applicant=user)
    person_id = getattr(getattr(user, "citizen", None), "person_id", None)
    if person_id:
        scope |= Q(subject_person_id=person_id)  # a case a family member filed for them
    return scope


def staff_roles_for(*, user: User, agency: Agency | int) -> set[str]:
    agency_id = agency if isinstance(agency, int) else agency.pk
    return set(StaffRole.objects.filter(user=user, agency_id=agency_id).values_list("role", flat=True))


def case_roles(*, user: User, case: Case) -> set[str]:
    """The workflow roles `user` holds on `case`: applicant, and their staff roles in the case's agency."""
    roles = staff_roles_for(user=user, agency=case.agency_id) if user.kind == User.STAFF else set()
    if case.applicant_id == user.pk:
        roles.add(APPLICANT)
    return roles


def test_data_only(user: User) -> bool | None:
    """For an agency system's key: True when it may act only on test cases, False only on live ones. None for
    people (officers see both; test cases are the synthetic ones of `kotalive seed-cases`)."""
    client = getattr(user, "machine_client", None)
    return None if client is None else client.environment == "test"


def case_get_for_actor(*, user: User, tracking: str, for_update: bool = False) -> Case:
    """The case `tracking` if `user` may see it: the applicant or the subject, or staff of the case's agency."""
    cases = case_queryset()
    if for_update:
        cases = cases.select_for_update(of=("self",))
    case = cases.filter(tracking=tracking).first()
    if case is None:
        raise NotFound("case not found", code="not_found")
    fence = test_data_only(user)
    if fence is not None and case.is_test != fence:
        raise NotFound("case not found", code="not_found")  # a test key never sees a live case, nor the reverse
    if user.kind == User.STAFF and StaffRole.objects.filter(user=user, agency_id=case.agency_id).exists():
        return case
    if user.kind == User.CITIZEN and case.applicant_id == user.pk:
        return case  # the common case needs no further query
    if user.kind == User.CITIZEN and Case.objects.filter(_citizen_scope(user), pk=case.pk).exists():
        return case
    raise NotFound("case not found", code="not_found")


def cases_of_citizen(*, user: User) -> QuerySet[Case]:
    return case_queryset().filter(_citizen_scope(user)).order_by("-submitted_at")


def case_is_staff_view(*, user: User, case: Case) -> bool:
    return user.kind == User.STAFF and bool(staff_roles_for(user=user, agency=case.agency_id))


def case_output(case: Case) -> Any:
    """The output record of a completed case, or None (loaded with the case, no query)."""
    try:
        return case.output
    except Case.output.RelatedObjectDoesNotExist:  # type: ignore[attr-defined]
        return None


def case_is_rated(case: Case) -> bool:
    """Whether the applicant has rated the case (workflow.Rating)."""
    return subject_rating_scores_get(case) is not None


def case_actions(*, user: User, case: Case) -> list[Transition]:
    """The transitions `user` may take on `case` now (guards are checked when taken)."""
    return case.workflow.parsed.available(state=case.state, roles=case_roles(user=user, case=case))


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # step | message | note
    action: str
    from_state: str
    to_state: str
    actor: str
    actor_role: str
    text: str
    data: dict[str, Any]


def case_timeline(*, case: Case, staff_view: bool) -> list[TimelineEntry]:
    """Every step and message in time order; internal notes only for the agency's staff."""
    entries = [
        TimelineEntry(
            at=s.at,
            kind="step",
            action=s.action,
            from_state=s.from_state,
            to_state=s.to_state,
            actor=(s.actor.full_name if s.actor else "system"),
            actor_role=s.actor_role,
            text=s.reason,
            # What another agency was asked is the agency's business (its internal notes), not the applicant's.
            data={} if s.action in ("await_agency", "resume") and not staff_view else s.data,
        )
        for s in WorkflowStep.objects.filter(subject_type="case", subject_id=case.pk).select_related("actor")
    ]
    messages = subject_messages(case, with_notes=staff_view)
    entries += [
        TimelineEntry(
            at=m.created_at,
            kind="note" if m.internal else "message",
            action="",
            from_state="",
            to_state="",
            actor=m.author.full_name,
            actor_role=m.author_role,
            text=m.body,
            data={},
        )
        for m in messages
    ]
    return sorted(entries, key=lambda e: e.at)


def case_document_get(*, case: Case, upload_id: str) -> CaseDocument:
    """One current document of a case the caller may already see; NotFound otherwise."""
    document = next((d for d in case_documents(case=case) if str(d.upload_id) == upload_id), None)
    if document is None:
        raise NotFound("document not found", code="not_found")
    return document


def case_documents(*, case: Case) -> list[CaseDocument]:
    return list(CaseDocument.objects.filter(case=case, current=True).select_related("upload"))


# An application or a life event that ended without what was asked never reads as done: "selesai", the kernel's
# word for every terminal category, stays for the completed ones; refused and withdrawn ones have their own word
# (issue 14). Complaints keep the kernel's words: a report closed as rejected or merged was handled.
CASE_PUBLIC_STATUS = {**PUBLIC_STATUS, REJECTED: "ditolak", CANCELLED: "dibatalkan"}
ENDED_UNDONE = frozenset({REJECTED, CANCELLED})


def public_status(case: Case) -> str:
    """The word the citizen sees for where `case` stands (menunggu, proses, selesai, ditolak, dibatalkan)."""
    return status_word(case.state_category)


def status_word(category: str) -> str:
    """The citizen's word for a state category of an application or a life event."""
    return CASE_PUBLIC_STATUS.get(category, "proses")


def status_label(word: str) -> str:
    """The public status `word` in the active language, for pages (labels show words, never stored codes)."""
    return public_status_label(word)


def sla_verdict(case: Case) -> str | None:
    """The SLA status to show for `case`: none for one that ended refused or withdrawn (its clock stopped without a
    service delivered, so "met" would read as done in time); the stored status for the rest. The stored column is
    untouched: the dashboards count it."""
    return None if case.state_category in ENDED_UNDONE else case.sla_status


# An inbox row needs names, not forms: leave the service version's large JSON documents in the database.
INBOX_DEFERRED = (
    "data",
    "prefilled",
    *(
        f"service_version__{name}"
        for name in (
            "form_schema",
            "requirements",
            "standard",
            "ui_hints",
            "eligibility",
            "escalation",
            "description_id",
            "description_en",
        )
    ),
)


@dataclass(frozen=True)
class InboxPage:
    cases: list[Case]
    page: int
    pages: int
    total: int
    counts: dict[str, int]


def agency_inbox(
    *,
    user: User,
    agency: Agency,
    service: str | None = None,
    state: str | None = None,
    sla: str | None = None,
    assigned: str | None = None,
    page: int = 1,
    per_page: int = 25,
) -> InboxPage:
    """The agency's open work (or the cases in `state`), soonest due first. `assigned`: me, unassigned or all.

    Two queries: one aggregate for the counts per assignment filter (which also gives the total), one page of rows.
    Every filter is an equality or IN on columns of the inbox indexes (agency, ..., due_at).
    """
    if not staff_roles_for(user=user, agency=agency):
        raise NotFound("agency not found", code="not_found")
    cases = Case.objects.filter(agency=agency)
    fence = test_data_only(user)
    if fence is not None:  # agency systems: test keys see test cases only, live keys live ones only
        cases = cases.filter(is_test=fence)
    if state in CATEGORIES:
        cases = cases.filter(state_category=state)
    elif state:
        cases = cases.filter(state=state)
    else:
        cases = cases.filter(state_category__in=OPEN_CATEGORIES)  # IN, not NOT IN: the inbox index serves it
    if service:
        cases = cases.filter(service__code=service)
    if sla:
        cases = cases.filter(sla_status=sla)
    # Only columns of the partial assignee index (not id): PostgreSQL answers from the index alone.
    found = cases.aggregate(all=Count("*"), assigned=Count("assignee"), me=Count("assignee", filter=Q(assignee=user)))
    counts = {
        "all": found["all"] or 0,
        "me": found["me"] or 0,
        "unassigned": (found["all"] or 0) - (found["assigned"] or 0),
    }
    if assigned == "me":
        cases, total = cases.filter(assignee=user), counts["me"]
    elif assigned == "unassigned":
        cases, total = cases.filter(assignee__isnull=True), counts["unassigned"]
    else:
        total = counts["all"]
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = list(
        cases.order_by("due_at", "id").select_related("service", "service_version", "assignee", "agency")[
            (page - 1) * per_page : page * per_page
        ]
    )
    return InboxPage(cases=rows, page=page, pages=pages, total=total, counts=counts)


# --- home pages (web.views.home, web.views.backoffice) --------------------------------------------------------------


def citizen_open_cases(*, user: User, limit: int = 50) -> list[Case]:
    """The citizen's open applications (their own and those filed for them), those waiting for them first, then
    soonest due. One query."""
    rows = list(case_queryset().filter(_citizen_scope(user), state_category__in=OPEN_CATEGORIES).order_by("due_at"))
    rows.sort(key=lambda c: c.state_category != "awaiting_citizen")  # stable: due order kept within each group
    return rows[:limit]


def revision_requests(cases: list[Case]) -> dict[int, "RevisionRequest"]:
    """case_revision_request for many cases at once (the citizen's home page): for each case waiting for its
    applicant, the latest step into the state it waits in. One query for all of them."""
    waiting = {c.pk: c for c in cases if c.state_category == AWAITING_CITIZEN}
    if not waiting:
        return {}
    asked: dict[int, RevisionRequest] = {}
    steps = WorkflowStep.objects.filter(subject_type="case", subject_id__in=list(waiting)).order_by("at", "pk")
    for step in steps.only("subject_id", "to_state", "at", "reason", "data"):
        if step.to_state == waiting[step.subject_id].state:  # the latest one wins
            requirements = (step.data or {}).get("requirements") or []
            asked[step.subject_id] = RevisionRequest(
                at=step.at, reason=step.reason, requirements=[str(code) for code in requirements]
            )
    return asked


def visited_states(cases: list[Case]) -> dict[int, set[str]]:
    """The states each application's timeline went through, for the step indicator of many at once (lists and home
    pages: web.steps.application_steps). Only those off the main road need them: waiting for their applicant,
    rejected or cancelled. One query for all of them, none when there are none."""
    off_road = [c.pk for c in cases if c.state_category in (AWAITING_CITIZEN, REJECTED, CANCELLED)]
    if not off_road:
        return {}
    visited: dict[int, set[str]] = {}
    steps = WorkflowStep.objects.filter(subject_type="case", subject_id__in=off_road)
    for subject_id, state in steps.values_list("subject_id", "to_state"):
        visited.setdefault(subject_id, set()).add(state)
    return visited


def cases_to_rate(*, user: User, within_days: int = 30, limit: int = 10) -> list[Case]:
    """The citizen's applications completed in the last `within_days` days that they have not rated yet (the IKM
    survey on the case page), newest first. One query."""
    since = timezone.now() - timedelta(days=within_days)
    return list(
        Case.objects.filter(applicant=user, state_category=COMPLETED, closed_at__gte=since, is_test=False)
        .annotate(rating_scores=subject_rating_scores(Case.event_kind))
        .filter(rating_scores__isnull=True)
        .defer(*INBOX_DEFERRED)
        .select_related("service_version")
        .order_by("-closed_at", "-id")[:limit]
    )


@dataclass(frozen=True)
class AgencyQueue:
    """An agency's open applications: how many in each state category and SLA status (officer home page)."""

    agency: Agency
    by_category: dict[str, int]
    late: int
    at_risk: int

    @property
    def total(self) -> int:
        return sum(self.by_category.values())


def agency_queues(*, user: User) -> list[AgencyQueue]:
    """The open work of each agency `user` works for, counted by state category and SLA status, live cases only.
    One aggregate query, whatever the number of agencies."""
    agencies = list(Agency.objects.filter(staff_roles__user=user).distinct().order_by("code"))
    if not agencies:
        return []
    counts: dict[int, dict[str, int]] = {a.pk: {} for a in agencies}
    late: dict[int, int] = dict.fromkeys(counts, 0)
    at_risk: dict[int, int] = dict.fromkeys(counts, 0)
    rows = (
        Case.objects.filter(agency__in=agencies, state_category__in=OPEN_CATEGORIES, is_test=False)
        .order_by()
        .values("agency_id", "state_category", "sla_status")
        .annotate(n=Count("id"))
    )
    for row in rows:
        by_category = counts[row["agency_id"]]
        by_category[row["state_category"]] = by_category.get(row["state_category"], 0) + row["n"]
        if row["sla_status"] == Case.BREACHED:
            late[row["agency_id"]] += row["n"]
        elif row["sla_status"] == Case.AT_RISK:
            at_risk[row["agency_id"]] += row["n"]
    return [AgencyQueue(agency=a, by_category=counts[a.pk], late=late[a.pk], at_risk=at_risk[a.pk]) for a in agencies]


def cases_late_or_at_risk(*, user: User, limit: int = 10) -> list[Case]:
    """Open live cases of `user`'s agencies whose SLA is breached or at risk, soonest due first. One query."""
    agencies = StaffRole.objects.filter(user=user, agency__isnull=False).values("agency_id")
    return list(
        Case.objects.filter(
            agency__in=agencies,
            state_category__in=OPEN_CATEGORIES,
            sla_status__in=[Case.BREACHED, Case.AT_RISK],
            is_test=False,
        )
        .defer(*INBOX_DEFERRED)
        .select_related("service_version", "agency", "assignee", "workflow")
        .order_by("due_at", "id")[:limit]
    )


def cases_assigned_to(*, user: User, limit: int = 10) -> list[Case]:
    """Open cases assigned to `user` in the agencies they work for, soonest due first. One query."""
    agencies = StaffRole.objects.filter(user=user, agency__isnull=False).values("agency_id")
    return list(
        Case.objects.filter(agency__in=agencies, assignee=user, state_category__in=OPEN_CATEGORIES)
        .defer(*INBOX_DEFERRED)
        .select_related("service_version", "agency", "workflow")
        .order_by("due_at", "id")[:limit]
    )


@dataclass(frozen=True)
class RevisionRequest:
    """What the agency asked the applicant to fix: when, why, and which requirements (codes), from the step that
    moved the case into the state it waits for the citizen in."""

    at: datetime
    reason: str
    requirements: list[str]


def case_revision_request(*, case: Case) -> RevisionRequest | None:
    """The request the applicant must answer now; None unless the case waits for the citizen."""
    return revision_requests([case]).get(case.pk)


def case_changed_since(*, case: Case, request: RevisionRequest) -> bool:
    """Whether the applicant answered `request`: a document it names (any document when it names none) given
    after it, or (when it names none) a message from the applicant after it."""
    documents = CaseDocument.objects.filter(case=case, added_at__gte=request.at)
    if request.requirements:
        return documents.filter(requirement__in=request.requirements).exists()
    return (
        documents.exists()
        or subject_messages(case, with_notes=False)
        .filter(author=case.applicant_id, created_at__gte=request.at)
        .exists()
    )


def case_drafts_of_citizen(*, user: User) -> QuerySet[CaseDraft]:
    """The forms `user` saved without sending, newest first, with their service's published version."""
    return CaseDraft.objects.filter(applicant=user).select_related("service__current").order_by("-updated_at")


def case_draft_get(*, user: User, service: Any, subject: str) -> CaseDraft | None:
    """The form `user` saved for `service` and `subject`, if any."""
    return CaseDraft.objects.filter(applicant=user, service=service, subject=subject or "self").first()


def case_draft_uploads(*, draft: CaseDraft) -> dict[str, Upload]:
    """The files a saved form holds, by requirement (only the applicant's own)."""
    ids = [v for v in draft.documents.values() if is_uuid(v)]
    uploads = {str(u.pk): u for u in Upload.objects.filter(owner_id=draft.applicant_id, pk__in=ids)}
    return {code: uploads[str(v)] for code, v in draft.documents.items() if str(v) in uploads}


def is_uuid(value: Any) -> bool:
    """Whether `value` reads as a UUID (an upload id), before it meets a UUID column."""
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
