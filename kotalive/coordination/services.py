"""Writes for coordination between agencies: ask another agency (within a cooperation agreement), and the moves of a
request (accept, answer, ask back, reply, decline, withdraw); the operator's agreements.

A request is filed from its parent (a case or a report) by staff of the agency that holds the parent. A blocking
request parks the parent in the kernel's waiting state (workflow.waiting) until its last blocking request closes.
The request and its answer reach the parent's internal notes (staff only), never the citizen's view.
"""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kotalive.accounts.models import User
from kotalive.agencies.models import Agency, StaffRole
from kotalive.agencies.selectors import user_is_platform_operator
from kotalive.coordination.models import (
    KINDS,
    OPEN_CATEGORY_LIST,
    Attachment,
    CooperationAgreement,
    CoordinationRequest,
)
from kotalive.coordination.selectors import (
    RECEIVER,
    REQUESTER,
    coordination_get_for_actor,
    request_roles,
)
from kotalive.core.audit import audit_record
from kotalive.core.calendar import local_date
from kotalive.core.errors import DomainError, PermissionDenied, ValidationFailed
from kotalive.core.numbering import tracking_number
from kotalive.core.uploads import uploads_owned
from kotalive.workflow.definitions import AWAITING_CITIZEN, TERMINAL
from kotalive.workflow.holders import holding_open
from kotalive.workflow.messages import subject_message_post
from kotalive.workflow.models import WorkflowDefinition, WorkflowSubject
from kotalive.workflow.services import StaleVersion, transition, workflow_record_step
from kotalive.workflow.sla import sla_start
from kotalive.workflow.subjects import subject_find, subject_get
from kotalive.workflow.waiting import subject_resume, subject_wait_for_agency

WORKFLOW_CODE = "coordination-standard"
TRACKING_PREFIX = "KOORD"
PARENT_KINDS = ("case", "complaint")
MESSAGE_MAX = 4000
DEFAULT_ESCALATION = [
    {"when": "at_risk", "target": "liaison"},
    {"when": "breached", "after_working_days": 0, "target": "head"},
    {"when": "breached", "after_working_days": 2, "target": "operator"},
]


# The agency roles that work subjects (not its administrators, who manage staff and keys).
ASKING_ROLES = [StaffRole.VERIFIER, StaffRole.PROCESSOR, StaffRole.APPROVER, StaffRole.HEAD, StaffRole.LIAISON]


def _may_ask(user: User, agency: Agency) -> bool:
    if agency.role == Agency.OPERATOR and user_is_platform_operator(user):
        return True
    return StaffRole.objects.filter(user=user, agency=agency, role__in=ASKING_ROLES).exists()


def _text(value: Any, field: str, *, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationFailed({field: [_("is required")]})
    if len(text) > MESSAGE_MAX:
        raise ValidationFailed({field: [_("must be at most %(limit)d characters") % {"limit": MESSAGE_MAX}]})
    return text


def _parent_note(parent: WorkflowSubject, actor: User, body: str) -> None:
    """What happened on a request, as an internal note on its parent (the handling staff see it, the citizen not)."""
    body = body if len(body) <= MESSAGE_MAX else body[: MESSAGE_MAX - 1] + "…"  # the full text is on the request
    subject_message_post(subject=parent, actor=actor, author_role="staff", body=body, internal=True)


def coordination_request(
    *,
    actor: User,
    parent: str,
    to_agency: str,
    kind: str,
    message: str,
    due_working_days: Any,
    blocking: bool = True,
    attachments: list[str] | None = None,
) -> CoordinationRequest:
    """Ask `to_agency` for an input on `parent` (a case or report tracking number) on behalf of the agency holding
    it. Nothing is written when anything is wrong."""
    errors: dict[str, list[str]] = {}
    if kind not in KINDS:
        errors["kind"] = [_("must be one of %(all)s") % {"all": ", ".join(KINDS)}]
    try:
        text = _text(message, "message")
    except ValidationFailed as exc:
        errors.update(exc.errors)
        text = ""
    if not isinstance(due_working_days, int) or isinstance(due_working_days, bool) or due_working_days < 1:
        errors["due_working_days"] = [_("must be a whole number of working days, 1 or more")]
    target = Agency.objects.filter(code=str(to_agency or ""), active=True).first()
    if target is None:
        errors["to_agency"] = [_("is not an agency of this platform")]
    found = subject_find(str(parent or ""), kinds=PARENT_KINDS)
    holder = found.holder_agency() if found is not None else None
    if (
        found is not None and holder is None and user_is_platform_operator(actor)
    ):  # the Live Room holds a report: it may ask too
        holder = Agency.objects.filter(role=Agency.OPERATOR).order_by("id").first()
    if found is None or holder is None or not _may_ask(actor, holder):
        # The same answer for a parent that does not exist and one of another agency: no existence leak.
        errors["parent"] = [_("is not a case or report your agency holds")]
    if errors:
        raise ValidationFailed(errors)
    if found is None or holder is None or target is None:  # for the type checker: refused above
        raise ValidationFailed({"parent": [_("is not a case or report your agency holds")]})
    if found.state_category in TERMINAL:
        raise ValidationFailed({"parent": [_("is finished: there is nothing to ask for any more")]})
    if blocking and found.state_category == AWAITING_CITIZEN:
        raise ValidationFailed(
            {"parent": [_("waits for the citizen now: ask once it is back with your agency, or do not let it wait")]}
        )
    if target.pk == holder.pk:
        raise ValidationFailed({"to_agency": [_("is your own agency")]})
    agreement = CooperationAgreement.objects.filter(from_agency=holder, to_agency=target, active=True).first()
    if agreement is None:
        raise ValidationFailed(
            {"to_agency": [_("has no cooperation agreement with your agency: the platform operator keeps them")]}
        )
    if kind not in agreement.kinds:
        raise ValidationFailed({"kind": [_("is not a request the cooperation agreement with this agency allows")]})
    if due_working_days > agreement.max_working_days:
        raise ValidationFailed(
            {
                "due_working_days": [
                    _("is longer than the agreement allows (at most %(n)d working days)")
                    % {"n": agreement.max_working_days}
                ]
            }
        )
    files = uploads_owned(actor=actor, upload_ids=attachments or [], field="attachments")
    workflow = WorkflowDefinition.objects.filter(code=WORKFLOW_CODE).order_by("-version").first()
    if workflow is None:
        raise DomainError(_("Coordination is not set up on this platform yet."), code="not_configured")
    now = timezone.now()
    tracking = tracking_number(prefix=TRACKING_PREFIX, day=local_date(now))  # before the transaction
    with transaction.atomic():
        parent_subject = subject_get(found.event_kind, found.pk, for_update=True)
        # Checked again under the lock: the parent may have moved on since it was read above.
        if parent_subject.version != found.version:
            raise StaleVersion(parent_subject.version)
        request = CoordinationRequest(
            tracking=tracking,
            kind=kind,
            parent_kind=parent_subject.event_kind,
            parent_id=parent_subject.pk,
            parent_tracking=parent_subject.event_subject(),
            from_agency=holder,
            to_agency=target,
            requested_by=actor,
            message=text,
            blocking=bool(blocking),
            agreement=agreement,
            workflow=workflow,
            state=workflow.parsed.initial,
            state_category=workflow.parsed.category(workflow.parsed.initial),
            submitted_at=now,
        )
        sla_start(request, now=now, working_days=due_working_days)
        request.save()
        Attachment.objects.bulk_create(
            [
                Attachment(request=request, upload=u, stage=Attachment.REQUEST, added_by=actor, added_at=now)
                for u in files
            ]
        )
        holding_open(request, agency_id=target.pk, now=now)
        workflow_record_step(
            subject=request,
            actor=actor,
            action="submit",
            from_state="",
            role=REQUESTER,
            event="requested",
            data={"due_at": request.due_at.isoformat() if request.due_at else None, "attachments": len(files)},
            at=now,
            created=True,
        )
        _parent_note(
            parent_subject,
            actor,
            _("Coordination request %(tracking)s to %(agency)s: %(message)s")
            % {"tracking": tracking, "agency": target.name, "message": text},
        )
        if request.blocking:
            subject_wait_for_agency(
                subject=parent_subject, actor=actor, role="staff", data={"request": tracking, "agency": target.code}
            )
    return request


def coordination_transition(
    *,
    actor: User,
    tracking: str,
    action: str,
    version: int,
    reason: str = "",
    attachments: list[str] | None = None,
) -> CoordinationRequest:
    """Take `action` on the request. An answer, a refusal or a withdrawal ends it: its parent hears of it in an
    internal note and, when no other blocking request is open, resumes."""
    reason = _text(reason, "reason", required=False)
    files = uploads_owned(actor=actor, upload_ids=attachments or [], field="attachments")
    with transaction.atomic():
        request = coordination_get_for_actor(user=actor, tracking=tracking, for_update=True)
        roles = request_roles(user=actor, request=request)
        chosen, _step = transition(
            actor=actor,
            subject=request,
            action=action,
            version=version,
            roles=roles,
            reason=reason,
            data={"attachments": [str(u.pk) for u in files]} if files else None,
        )
        if chosen.action == "answer":
            request.answer = reason
            request.save(update_fields=["answer"])
        now = timezone.now()
        stage = Attachment.ANSWER if RECEIVER in roles & chosen.roles else Attachment.REQUEST
        Attachment.objects.bulk_create(
            [Attachment(request=request, upload=u, stage=stage, added_by=actor, added_at=now) for u in files]
        )
        if request.state_category in TERMINAL:
            _parent_hears_the_end(request, actor, reason)
    return request


def _parent_hears_the_end(request: CoordinationRequest, actor: User, reason: str) -> None:
    parent = subject_get(request.parent_kind, request.parent_id, for_update=True)
    state = request.workflow.parsed.states[request.state]
    label = state.label.get("id") or request.state  # internal notes are written in the platform's language
    _parent_note(
        parent,
        actor,
        _("Coordination request %(tracking)s (%(agency)s): %(state)s. %(answer)s")
        % {"tracking": request.tracking, "agency": request.to_agency.name, "state": label, "answer": reason},
    )
    still_open = CoordinationRequest.objects.filter(
        parent_kind=request.parent_kind,
        parent_id=request.parent_id,
        blocking=True,
        state_category__in=OPEN_CATEGORY_LIST,
    ).exists()
    if request.blocking and not still_open:
        subject_resume(subject=parent, actor=actor, role="staff", data={"request": request.tracking})


def _agency(code: str, field: str) -> Agency:
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        raise ValidationFailed({field: [_("is not an agency of this platform")]})
    return agency


def agreement_save(
    *,
    actor: User | None,
    from_agency: str,
    to_agency: str,
    kinds: list[str],
    max_working_days: int = 10,
    basis: str = "",
    active: bool = True,
    escalation: list[dict[str, Any]] | None = None,
) -> CooperationAgreement:
    """Create or change the agreement between two agencies (the platform operator; None: reference data)."""
    if (
        actor is not None
        and not StaffRole.objects.filter(
            user=actor, agency__isnull=True, role__in=[StaffRole.OPERATOR, StaffRole.PLATFORM_ADMIN]
        ).exists()
    ):
        raise PermissionDenied(_("Only the platform operator keeps the cooperation agreements."))
    source, target = _agency(from_agency, "from_agency"), _agency(to_agency, "to_agency")
    if source.pk == target.pk:
        raise ValidationFailed({"to_agency": [_("must be another agency")]})
    unknown = [k for k in kinds if k not in KINDS]
    if not kinds or unknown:
        raise ValidationFailed({"kinds": [_("must be one or more of %(all)s") % {"all": ", ".join(KINDS)}]})
    if not isinstance(max_working_days, int) or not 1 <= max_working_days <= 60:
        raise ValidationFailed({"max_working_days": [_("must be a whole number from 1 to 60")]})
    with transaction.atomic():
        agreement, _created = CooperationAgreement.objects.update_or_create(
            from_agency=source,
            to_agency=target,
            defaults={
                "kinds": list(dict.fromkeys(kinds)),
                "max_working_days": max_working_days,
                "basis": basis.strip()[:300],
                "active": active,
                "escalation": escalation if escalation is not None else DEFAULT_ESCALATION,
                "updated_by": actor,
                "updated_at": timezone.now(),
            },
        )
        audit_record(
            actor=actor,
            action="coordination.agreement_saved",
            obj=agreement,
            data={"from": source.code, "to": target.code, "kinds": agreement.kinds, "active": active},
        )
    return agreement


def coordination_load(*, document: dict[str, Any]) -> int:
    """The cooperation agreements of a region pack's agreements file (idempotent; the pack's agencies are loaded
    first); an agreement the operator changed since is left as it is."""
    loaded = 0
    for entry in document["agreements"]:
        existing = CooperationAgreement.objects.filter(
            from_agency__code=entry["from"], to_agency__code=entry["to"]
        ).first()
        if existing is not None and existing.updated_by_id is not None:
            continue
        agreement_save(
            actor=None,
            from_agency=entry["from"],
            to_agency=entry["to"],
            kinds=entry["kinds"],
            max_working_days=entry.get("max_working_days", 10),
            basis=entry.get("basis", ""),
            escalation=document.get("escalation"),
        )
        loaded += 1
    return loaded
