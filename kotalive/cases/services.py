"""Writes for applications: submit, act on, talk about, attach to, assign, rate.

Every use case is one transaction with its audit entry and outbox event (case.*), so agency systems and the
citizen's notifications see exactly what committed.
"""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kotalive.accounts.models import User
from kotalive.agencies.models import StaffRole
from kotalive.cases.bundles import bundle_offer_make, bundle_part_finished, bundle_parts_release
from kotalive.cases.filing import case_file, case_submission_check, case_submit, documents_check, is_uuid
from kotalive.cases.models import Case, CaseDocument, CaseDraft, CaseOutput
from kotalive.cases.outputs import output_registry_facts
from kotalive.cases.registry_effects import registry_effect_apply
from kotalive.cases.selectors import (
    case_changed_since,
    case_get_for_actor,
    case_revision_request,
    case_roles,
    staff_roles_for,
)
from kotalive.catalogue.models import Service, localised
from kotalive.core.audit import audit_record
from kotalive.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from kotalive.core.models import Upload
from kotalive.workflow.definitions import APPLICANT, AWAITING_CITIZEN, TERMINAL
from kotalive.workflow.holders import holding_close, holding_open
from kotalive.workflow.messages import message_body_clean, subject_message_post
from kotalive.workflow.models import Holding, Message, Rating
from kotalive.workflow.services import subject_event_write, subject_rate, transition

__all__ = [
    "case_file",
    "case_submission_check",
    "case_submit",
]  # filed in cases.filing, offered here beside the other writes


def case_transition(
    *, actor: User, tracking: str, action: str, version: int, reason: str = "", requirements: list[str] | None = None
) -> Case:
    """Take workflow action `action` on the case, as the applicant or as staff of its agency."""
    with transaction.atomic():
        case = case_get_for_actor(user=actor, tracking=tracking, for_update=True)
        data: dict[str, Any] = {}
        if requirements:
            unknown = [code for code in requirements if case.service_version.requirement(code) is None]
            if unknown:
                raise ValidationFailed(
                    {"requirements": [_("unknown requirement: %(codes)s") % {"codes": ", ".join(unknown)}]}
                )
            data["requirements"] = requirements
        _check_answered(case=case, action=action, reason=reason)
        current_codes = set(CaseDocument.objects.filter(case=case, current=True).values_list("requirement", flat=True))
        current_codes |= set(case.documents_reused)  # held already: an earlier part's output (once-only)
        required = {r["code"] for r in case.service_version.requirements if r.get("required")}
        chosen, _step = transition(
            actor=actor,
            subject=case,
            action=action,
            version=version,
            roles=case_roles(user=actor, case=case),
            reason=reason,
            data=data,
            guards={"documents_complete": required <= current_codes},
        )
        recorded = None
        if case.state_category == "completed":  # the output was issued by the transition's declared effect
            recorded = registry_effect_apply(case=case, actor=actor)
            if recorded is not None and recorded.pk != case.subject_person_id:  # a new person: their NIK is news
                output_registry_facts(case, recorded.nik)
        if case.bundle_id is not None and case.state_category in TERMINAL:
            bundle_part_finished(case=case, actor=actor, recorded=recorded, reason=reason)
        elif recorded is not None:
            bundle_offer_make(case=case, person=recorded)
        if case.state_category in TERMINAL:
            bundle_parts_release(case=case, actor=actor)
    return case


def _check_answered(*, case: Case, action: str, reason: str) -> None:
    """An applicant's move out of a revision request (resubmit) needs an answer to it: a document it names replaced,
    or, when it names none, any document, a message or a note with the move. Cancelling needs none."""
    definition = case.workflow.parsed
    move = definition.find(action=action, state=case.state)
    if move is None or case.state_category != AWAITING_CITIZEN or APPLICANT not in move.roles:
        return
    if definition.category(move.target) in TERMINAL:
        return
    asked = case_revision_request(case=case)
    if asked is None or case_changed_since(case=case, request=asked):
        return
    if not asked.requirements:
        if reason.strip():
            return
        raise DomainError(
            _("Change something before you resubmit: replace a document, or say what you corrected in the note."),
            field="documents",
            code="nothing_changed",
        )
    names = [localised((case.service_version.requirement(code) or {}).get("name", code)) for code in asked.requirements]
    raise DomainError(
        _("Replace %(documents)s before you resubmit: the agency asked you to fix it.")
        % {"documents": ", ".join(names)},
        field="documents",
        code="nothing_changed",
    )


def case_message_post(*, actor: User, tracking: str, body: str, internal: bool = False) -> Message:
    """A message between the citizen and the agency, or (staff only) an internal note (workflow.messages)."""
    message_body_clean(body)  # before the lock: a refusal names the field and changes nothing
    with transaction.atomic():
        case = case_get_for_actor(user=actor, tracking=tracking, for_update=True)
        is_staff = bool(staff_roles_for(user=actor, agency=case.agency_id))
        if internal and not is_staff:
            raise PermissionDenied(_("Only the agency's staff write internal notes."))
        return subject_message_post(
            subject=case, actor=actor, author_role="staff" if is_staff else "citizen", body=body, internal=internal
        )


def case_resubmit(
    *,
    actor: User,
    tracking: str,
    version: int,
    replacements: dict[str, str],
    reason: str = "",
    action: str = "resubmit",
) -> Case:
    """The applicant's answer to a revision request, all or nothing: the corrected documents (`replacements`,
    requirement -> upload id), then the move back to the agency. A refused move (a stale version, nothing changed)
    leaves every document as it was."""
    with transaction.atomic():
        for requirement, upload_id in replacements.items():
            case_document_replace(actor=actor, tracking=tracking, requirement=requirement, upload_id=upload_id)
        return case_transition(actor=actor, tracking=tracking, action=action, version=version, reason=reason)


def case_document_replace(*, actor: User, tracking: str, requirement: str, upload_id: str) -> CaseDocument:
    """The applicant gives a (new) document for one requirement while the case is open."""
    with transaction.atomic():
        case = case_get_for_actor(user=actor, tracking=tracking, for_update=True)
        if case.applicant_id != actor.pk:
            raise PermissionDenied(_("Only the applicant adds documents."))
        if case.state_category not in {"submitted", "awaiting_citizen"}:
            raise DomainError(
                _("Documents can be changed only before verification or when a revision is asked."),
                code="documents_locked",
            )
        chosen = documents_check(
            user=actor,
            requirements=case.service_version.requirements,
            documents={requirement: upload_id},
            require_all=False,
        )
        CaseDocument.objects.filter(case=case, requirement=requirement, current=True).update(current=False)
        document = CaseDocument.objects.create(case=case, requirement=requirement, upload=chosen[requirement])
        subject_event_write(
            subject=case,
            event="document_added",
            data={"requirement": requirement},
        )
        audit_record(actor=actor, action="case.document_added", obj=case, data={"requirement": requirement})
    return document


def case_assign(*, actor: User, tracking: str, assignee_username: str | None) -> Case:
    """Claim (assign to oneself), assign or reassign within the agency; None unassigns."""
    with transaction.atomic():
        case = case_get_for_actor(user=actor, tracking=tracking, for_update=True)
        roles = staff_roles_for(user=actor, agency=case.agency_id)
        if not roles:
            raise NotFound("case not found", code="not_found")
        if case.state_category in TERMINAL:
            raise Conflict(_("This application is finished: nobody is assigned to it any more."), code="finished")
        assignee = None
        if assignee_username:
            assignee = User.objects.filter(username=assignee_username, is_active=True).first()
            if assignee is None or not staff_roles_for(user=assignee, agency=case.agency_id):
                raise ValidationFailed({"assignee": [_("is not a member of staff of this agency")]})
            leads = {StaffRole.HEAD, StaffRole.APPROVER, StaffRole.AGENCY_ADMIN}
            if assignee.pk != actor.pk and not roles & leads and case.assignee_id not in (None, actor.pk):
                raise PermissionDenied(_("Only a section head reassigns a case someone else holds."))
        previous = case.assignee.username if case.assignee else None
        if assignee != case.assignee:  # the officer's stretch with the case (workflow.holders)
            now = timezone.now()
            holding_close(case, now=now, outcome="reassigned", holder=Holding.PERSON)
            if assignee is not None:
                holding_open(case, agency_id=case.agency_id, now=now, person=assignee)
        case.assignee = assignee
        case.save(update_fields=["assignee"])
        subject_event_write(
            subject=case,
            event="assigned",
            data={"assignee": assignee_username, "previous": previous},
        )
        audit_record(actor=actor, action="case.assigned", obj=case, data={"from": previous, "to": assignee_username})
    return case


def case_rate(*, actor: User, tracking: str, scores: list[int], comment: str = "") -> Rating:
    """The applicant rates a completed case once, on the nine IKM elements (1-4 each)."""
    with transaction.atomic():
        case = case_get_for_actor(user=actor, tracking=tracking, for_update=True)
        if case.applicant_id != actor.pk:
            raise PermissionDenied(_("Only the applicant rates the service."))
        if case.state_category != "completed":
            raise DomainError(_("A service can be rated once it is completed."), code="not_completed")
        rating = subject_rate(subject=case, actor=actor, scale=Rating.IKM, scores=scores, comment=comment)
        subject_event_write(
            subject=case,
            event="rated",
            data={"scores": scores},
        )
        audit_record(actor=actor, action="case.rated", obj=case, data={"scores": scores})
    return rating


def case_output_attach(*, actor: User, tracking: str, upload_id: str) -> CaseOutput:
    """The agency (an officer or its system) attaches the output document of a completed case; a later one
    replaces it. The applicant can download it from the case."""
    with transaction.atomic():
        case = case_get_for_actor(user=actor, tracking=tracking, for_update=True)
        if not staff_roles_for(user=actor, agency=case.agency_id):
            raise PermissionDenied(_("Only the agency's staff attach the output."))
        output = CaseOutput.objects.filter(case=case).first()
        if output is None:
            raise DomainError(_("The output is attached once the case is completed."), code="not_completed")
        upload = Upload.objects.filter(pk=upload_id, owner=actor).first() if is_uuid(upload_id) else None
        if upload is None:
            raise ValidationFailed({"upload": [_("is not a file you uploaded")]})
        output.document = upload
        output.save(update_fields=["document"])
        subject_event_write(
            subject=case,
            event="output_attached",
            data={"number": output.number, "kind": upload.kind},
        )
        audit_record(actor=actor, action="case.output_attached", obj=case, data={"number": output.number})
    return output


def case_draft_save(
    *, actor: User, service_code: str, subject: str, data: dict[str, Any], documents: dict[str, str]
) -> None:
    """Keep an unfinished form (data and already uploaded documents) to finish later."""
    service = Service.objects.filter(code=service_code, active=True).first()
    if service is None:
        raise ValidationFailed({"service": [_("no such service")]})
    owned = {
        str(pk)
        for pk in Upload.objects.filter(owner=actor, pk__in=[v for v in documents.values() if is_uuid(v)]).values_list(
            "pk", flat=True
        )
    }
    with transaction.atomic():
        CaseDraft.objects.update_or_create(
            applicant=actor,
            service=service,
            subject=subject or "self",
            defaults={"data": data, "documents": {k: v for k, v in documents.items() if v in owned}},
        )


def case_draft_discard(*, actor: User, service_code: str, subject: str) -> None:
    CaseDraft.objects.filter(applicant=actor, service__code=service_code, subject=subject or "self").delete()
