"""Writes for applications: submit, act on, talk about, attach to, assign, rate.

Every use case is one transaction with its audit entry and outbox event (case.*), so agency systems and the
citizen's notifications see exactly what committed.
"""

import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kotalive.accounts.models import User
from kotalive.agencies.models import StaffRole
from kotalive.cases.models import Case, CaseDocument, CaseDraft, CaseOutput
from kotalive.cases.presenters import CaseParts
from kotalive.cases.selectors import OPEN_CATEGORIES, TimelineEntry, case_get_for_actor, case_roles, staff_roles_for
from kotalive.cases.snapshots import case_snapshot_build, case_snapshot_refresh
from kotalive.catalogue.forms import form_errors
from kotalive.catalogue.models import Service, ServiceVersion, localised
from kotalive.catalogue.prefill import PREFILL_LEGAL_BASIS, form_prefill, resolve_subject
from kotalive.core.audit import audit_record
from kotalive.core.calendar import local_date
from kotalive.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from kotalive.core.models import Upload
from kotalive.core.numbering import tracking_number
from kotalive.registry.mediation import registry_access_record
from kotalive.registry.models import Person, RegistryAccess
from kotalive.workflow.definitions import APPLICANT, TERMINAL
from kotalive.workflow.holders import holding_close, holding_open
from kotalive.workflow.messages import message_body_clean, subject_message_post
from kotalive.workflow.models import Holding, Message, Rating
from kotalive.workflow.services import subject_event_write, subject_rate, transition, workflow_record_step
from kotalive.workflow.sla import sla_start


def _check_eligibility(*, user: User, version: ServiceVersion, person: Person | None) -> None:
    if user.kind != User.CITIZEN:
        raise PermissionDenied(_("Only citizens apply for services."))
    if not user.has_verified_contact:
        raise DomainError(_("Verify your phone number or e-mail address before applying."), code="contact_unverified")
    rules = version.eligibility
    if rules.get("registry_verified") and person is None:
        raise DomainError(
            _("This service needs your data in the population registry; your NIK is not in this city's registry."),
            code="registry_required",
        )
    if person is not None:
        age = person.age_on(timezone.localdate())
        if rules.get("min_age") is not None and age < rules["min_age"]:
            raise ValidationFailed({"subject": [_("must be at least %(age)s years old") % {"age": rules["min_age"]}]})
        if rules.get("max_age") is not None and age > rules["max_age"]:
            raise ValidationFailed({"subject": [_("must be at most %(age)s years old") % {"age": rules["max_age"]}]})


def _check_documents(
    *, user: User, version: ServiceVersion, documents: dict[str, str], require_all: bool
) -> dict[str, Upload]:
    errors: dict[str, list[str]] = {}
    known = {r["code"]: r for r in version.requirements}
    for code in documents:
        if code not in known:
            errors.setdefault(f"documents.{code}", []).append(_("is not a requirement of this service"))
    uploads = {
        str(u.pk): u for u in Upload.objects.filter(pk__in=[v for v in documents.values() if _is_uuid(v)], owner=user)
    }
    chosen: dict[str, Upload] = {}
    for code, requirement in known.items():
        upload_id = documents.get(code)
        if not upload_id:
            if requirement.get("required") and require_all:
                errors.setdefault(f"documents.{code}", []).append(
                    _("is required: %(name)s") % {"name": localised(requirement["name"])}
                )
            continue
        upload = uploads.get(str(upload_id))
        if upload is None:
            errors.setdefault(f"documents.{code}", []).append(_("names no upload of yours"))
            continue
        if upload.kind not in requirement.get("types", []):
            errors.setdefault(f"documents.{code}", []).append(
                _("must be %(types)s") % {"types": ", ".join(requirement["types"]).upper()}
            )
        if upload.size > requirement.get("max_mb", 5) * 1024 * 1024:
            errors.setdefault(f"documents.{code}", []).append(
                _("is larger than %(mb)s MB") % {"mb": requirement["max_mb"]}
            )
        chosen[code] = upload
    if errors:
        raise ValidationFailed(errors)
    return chosen


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def _open_case(*, service: Service, scope: dict[str, Any]) -> Case | None:
    # Synthetic test cases (`kotalive seed-cases`) never stand in a live application's way.
    return (
        Case.objects.filter(service=service, state_category__in=OPEN_CATEGORIES, is_test=False, **scope)
        .order_by("submitted_at", "id")
        .first()
    )


def _duplicate_open_case(first: Case) -> Conflict:
    return Conflict(
        _("An application for this service and this person is already open: %(tracking)s.")
        % {"tracking": first.tracking},
        field="service",
        code="duplicate_open_case",
        extra={
            "existing": {
                "tracking": first.tracking,
                "url": f"/api/v1/cases/{first.tracking}",
                "page": f"/kasus/{first.tracking}/",
            }
        },
    )


def case_submit(
    *, actor: User, service_code: str, subject: str = "self", data: Any, documents: dict[str, str] | None = None
) -> Case:
    """Validate and file an application; start its workflow and SLA clock; give it a tracking number.

    Nothing is created when anything is wrong. A second open case for the same service and person is a 409 that
    names the first.
    """
    service = (
        Service.objects.select_related("current__workflow", "agency").filter(code=service_code, active=True).first()
    )
    if service is None or service.current is None:
        raise ValidationFailed({"service": [_("no such service")]})
    version = service.current
    person = resolve_subject(user=actor, subject=subject, version=version)
    _check_eligibility(user=actor, version=version, person=person)
    if not isinstance(data, dict):
        raise ValidationFailed({"data": [_("must be a JSON object of the form's fields")]})
    errors = form_errors(version.form_schema, data)
    try:
        chosen = _check_documents(user=actor, version=version, documents=documents or {}, require_all=True)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    prefill = form_prefill(version, person)
    now = timezone.now()
    # Before the transaction (core.numbering): the agency's counter row is locked for one statement, not for the
    # whole submission. A submission that fails after this leaves a gap, as a database sequence would.
    tracking = tracking_number(prefix=service.agency.code, day=local_date(now))
    duplicate_scope = (
        {"subject_person": person} if person is not None else {"applicant": actor, "subject_person__isnull": True}
    )
    with transaction.atomic():
        # The friendly check names the first case in the common case (a second try days later). It cannot see a
        # submission another transaction has not committed yet: the partial unique constraints on Case
        # (case_one_open_per_person, case_one_open_per_unregistered_applicant) decide that race, below.
        first = _open_case(service=service, scope=duplicate_scope)
        if first is not None:
            raise _duplicate_open_case(first)
        definition = version.workflow.parsed
        case = Case(
            tracking=tracking,
            service=service,
            service_version=version,
            agency=service.agency,
            applicant=actor,
            subject_person=person,
            subject_name=person.full_name.title() if person else actor.full_name,
            data=data,
            prefilled={
                name: version.form_schema["properties"][name].get("x-prefill")
                for name in prefill
                if data.get(name) == prefill[name]
            },
            submitted_at=now,
            workflow=version.workflow,
            state=definition.initial,
            state_category=definition.category(definition.initial),
        )
        sla_start(case, now=now, working_days=version.sla_working_days)
        step_data = {"due_at": case.due_at.isoformat() if case.due_at else None}
        given = sorted(
            (CaseDocument(case=case, requirement=code, upload=upload, added_at=now) for code, upload in chosen.items()),
            key=lambda d: d.requirement,
        )
        # The applicant's stored view goes in with the row, built from what is in hand (ADR 0006): nothing to read
        # back, no second write of the row.
        case.snapshot = case_snapshot_build(
            case,
            CaseParts(
                documents=given,
                timeline=[
                    TimelineEntry(
                        at=now, kind="step", action="submit", from_state="", to_state=case.state,
                        actor=actor.full_name, actor_role=APPLICANT, text="", data=step_data,
                    )
                ],
            ),
        )  # fmt: skip
        try:
            with transaction.atomic():  # a savepoint: after a refused insert the transaction can still read
                case.save()
        except IntegrityError:
            # On PostgreSQL a simultaneous submission's insert waits for the first one's commit, then fails here.
            first = _open_case(service=service, scope=duplicate_scope)
            if first is None:
                raise  # not the one-open-case rule (or the first case closed meanwhile): a real error
            raise _duplicate_open_case(first) from None
        CaseDocument.objects.bulk_create(given)
        holding_open(case, agency_id=case.agency_id, now=now)  # the agency's stretch (workflow.holders)
        workflow_record_step(
            subject=case,
            actor=actor,
            action="submit",
            from_state="",
            role=APPLICANT,
            event="submitted",
            data=step_data,
            at=now,
            created=True,  # its first event; the stored view above already shows this step
        )
        if case.prefilled and person is not None:  # once-only: recorded where the resident can see it
            registry_access_record(
                person=person,
                actor=actor,
                agency=service.agency.code,
                channel=RegistryAccess.PREFILL,
                purpose=f"pre-fill of {service.code} ({case.tracking})",
                legal_basis=PREFILL_LEGAL_BASIS,
                fields=sorted(set(case.prefilled.values())),
            )
    return case


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
        current_codes = set(CaseDocument.objects.filter(case=case, current=True).values_list("requirement", flat=True))
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
        if case.state_category == "completed":
            _issue_output(case=case, officer=actor)
    return case


def _issue_output(*, case: Case, officer: User) -> CaseOutput:
    today = timezone.localdate()
    number = f"{case.service.code.upper()}/{today:%Y%m%d}/{case.tracking.rsplit('-', 1)[-1]}-{case.pk}"
    output = CaseOutput.objects.create(case=case, number=number, issued_on=today, issued_by=officer)
    case_snapshot_refresh(case=case)
    audit_record(actor=officer, action="case.output_issued", obj=case, data={"number": number})
    return output


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
        chosen = _check_documents(
            user=actor, version=case.service_version, documents={requirement: upload_id}, require_all=False
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
        upload = Upload.objects.filter(pk=upload_id, owner=actor).first() if _is_uuid(upload_id) else None
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
        for pk in Upload.objects.filter(owner=actor, pk__in=[v for v in documents.values() if _is_uuid(v)]).values_list(
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
