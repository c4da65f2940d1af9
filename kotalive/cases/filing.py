"""Filing an application: the checks every new case passes (eligibility, the form and its date rules, the documents,
one open case per service and subject) and the one function that creates it, for a citizen's submission and for a
part of a life-event bundle (cases.bundles)."""

import hashlib
import unicodedata
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kotalive.accounts.models import User
from kotalive.cases.models import Bundle, Case, CaseDocument
from kotalive.cases.presenters import CaseParts
from kotalive.cases.selectors import OPEN_CATEGORIES, TimelineEntry, citizen_person, is_uuid
from kotalive.cases.snapshots import case_snapshot_build
from kotalive.catalogue.forms import FormFacts, form_errors
from kotalive.catalogue.models import Service, ServiceVersion, localised
from kotalive.catalogue.prefill import PREFILL_LEGAL_BASIS, form_prefill
from kotalive.catalogue.subjects import NEWBORN, prefill_person, resolve_subject, subject_field, subject_kind
from kotalive.core.calendar import local_date
from kotalive.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from kotalive.core.models import Upload
from kotalive.core.numbering import tracking_number
from kotalive.core.ratelimit import citizen_take
from kotalive.registry.mediation import registry_access_record
from kotalive.registry.models import Person, RegistryAccess
from kotalive.workflow.definitions import APPLICANT
from kotalive.workflow.holders import holding_open
from kotalive.workflow.services import workflow_record_step
from kotalive.workflow.sla import sla_start


def _check_eligibility(*, user: User, version: ServiceVersion, person: Person | None, own: Person | None) -> None:
    if user.kind != User.CITIZEN:
        raise PermissionDenied(_("Only citizens apply for services."))
    if not user.has_verified_contact:
        raise DomainError(_("Verify your phone number or e-mail address before applying."), code="contact_unverified")
    rules = version.eligibility
    newborn = subject_kind(rules) == NEWBORN
    if newborn and person is not None:  # a caller's mistake (a bundle part naming a registry person): refuse it
        raise ValidationFailed(
            {"subject": [_("This service is for a child not yet in the registry: the form describes the child.")]}
        )
    # A newborn is not in the registry: the applicant (the parent) must be.
    if rules.get("registry_verified") and (own if newborn else person) is None:
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


def _form_facts(version: ServiceVersion, *, own: Person | None, person: Person | None) -> FormFacts:
    """What the form's date rules hold the data against: the applicant's and the subject's dates of birth in the
    registry, and the service's age limits."""
    dates = {}
    if own is not None:
        dates["applicant.birth_date"] = own.birth_date
    if person is not None:
        dates["subject.birth_date"] = person.birth_date
    rules = version.eligibility
    return FormFacts(dates=dates, min_age=rules.get("min_age"), max_age=rules.get("max_age"))


def newborn_key(*, name: Any, birth_date: Any) -> str:
    """Who a newborn is for the one-open-case rule (Case.subject_key): the child's name (Unicode-normalised, case
    and spacing ignored) and date of birth. The same child twice is one key; twins (same date) and siblings differ.
    Migration cases/0018 computes the same key for the applications filed before it."""
    name = " ".join(unicodedata.normalize("NFKC", str(name or "")).casefold().split())
    return hashlib.sha256(f"newborn|{str(birth_date or '').strip()}|{name}".encode()).hexdigest()


def _newborn(version: ServiceVersion, data: dict[str, Any]) -> tuple[str, str]:
    """(subject_name, subject_key) of the child a newborn service's form describes."""
    schema = version.form_schema
    name = str(data.get(subject_field(schema, "name") or "") or "").strip()
    born = data.get(subject_field(schema, "birth_date") or "")
    return " ".join(name.split()), newborn_key(name=name, birth_date=born)


def documents_check(
    *,
    user: User,
    requirements: list[dict[str, Any]],
    documents: dict[str, str],
    require_all: bool,
    reused: frozenset[str] = frozenset(),
) -> dict[str, Upload]:
    """The uploads `documents` names ({requirement code: upload id}), each the citizen's own, of an allowed type and
    size. With `require_all`, every required document must be given, but for those in `reused` (held already)."""
    errors: dict[str, list[str]] = {}
    known = {r["code"]: r for r in requirements}
    for code in documents:
        if code not in known:
            errors.setdefault(f"documents.{code}", []).append(_("is not a requirement of this service"))
    uploads = {
        str(u.pk): u for u in Upload.objects.filter(pk__in=[v for v in documents.values() if is_uuid(v)], owner=user)
    }
    chosen: dict[str, Upload] = {}
    for code, requirement in known.items():
        upload_id = documents.get(code)
        if not upload_id:
            if requirement.get("required") and require_all and code not in reused:
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
                _("must be %(types)s") % {"types": _either([t.upper() for t in requirement["types"]])}
            )
        if upload.size > requirement.get("max_mb", 5) * 1024 * 1024:
            errors.setdefault(f"documents.{code}", []).append(
                _("is larger than %(mb)s MB") % {"mb": requirement["max_mb"]}
            )
        chosen[code] = upload
    if errors:
        raise ValidationFailed(errors)
    return chosen


def _either(choices: list[str]) -> str:
    """ "PDF", "JPEG or PNG", "PDF, JPEG or PNG" in the active language."""
    if len(choices) < 2:
        return "".join(choices)
    return _("%(some)s or %(last)s") % {"some": ", ".join(choices[:-1]), "last": choices[-1]}


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
    citizen_take(actor, "applications", "KOTALIVE_RATE_APPLICATIONS")
    service = (
        Service.objects.select_related("current__workflow", "agency").filter(code=service_code, active=True).first()
    )
    if service is None or service.current is None:
        raise ValidationFailed({"service": [_("no such service")]})
    person = resolve_subject(user=actor, subject=subject, version=service.current)
    return case_file(actor=actor, service=service, person=person, data=data, documents=documents or {})


def _filing_check(
    *,
    actor: User,
    version: ServiceVersion,
    person: Person | None,
    data: Any,
    documents: dict[str, str],
    reused: dict[str, dict[str, str]],
) -> dict[str, Upload]:
    """Every check a new case passes before anything is written (eligibility, the form, the documents), all the
    form's and the documents' problems at once; the uploads chosen, by requirement."""
    own = citizen_person(actor)
    _check_eligibility(user=actor, version=version, person=person, own=own)
    if not isinstance(data, dict):
        raise ValidationFailed({"data": [_("must be a JSON object of the form's fields")]})
    errors = form_errors(version.form_schema, data, _form_facts(version, own=own, person=person))
    chosen: dict[str, Upload] = {}
    try:
        chosen = documents_check(
            user=actor,
            requirements=version.requirements,
            documents=documents,
            require_all=True,
            reused=frozenset(reused),
        )
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    return chosen


def case_submission_check(
    *, actor: User, service_code: str, subject: str = "self", data: Any, documents: dict[str, str]
) -> None:
    """What `case_submit` would refuse, without filing anything: the "check your answers" page is shown only for an
    application that can be sent. Raises the same errors (a second open case included); returns None when it can."""
    service = (
        Service.objects.select_related("current__workflow", "agency").filter(code=service_code, active=True).first()
    )
    if service is None or service.current is None:
        raise ValidationFailed({"service": [_("no such service")]})
    version = service.current
    person = resolve_subject(user=actor, subject=subject, version=version)
    _filing_check(actor=actor, version=version, person=person, data=data, documents=documents, reused={})
    if subject_kind(version.eligibility) == NEWBORN:
        scope: dict[str, Any] = {
            "applicant": actor,
            "subject_person__isnull": True,
            "subject_key": _newborn(version, data)[1],
        }
    elif person is not None:
        scope = {"subject_person": person}
    else:
        scope = {"applicant": actor, "subject_person__isnull": True, "subject_key": ""}
    first = _open_case(service=service, scope=scope)
    if first is not None:
        raise _duplicate_open_case(first)


def case_file(
    *,
    actor: User,
    service: Service,
    person: Person | None,
    data: Any,
    documents: dict[str, str],
    tracking: str = "",
    bundle: Bundle | None = None,
    documents_reused: dict[str, dict[str, str]] | None = None,
) -> Case:
    """File an application of `actor` about `person` (resolved by the caller): the one way a case is created, for a
    submission and for a part of a life-event bundle (`bundle`, with the part's `tracking` taken in advance and the
    requirements an earlier part's output fulfils in `documents_reused`). Without `tracking`, a number is taken
    here, which must happen outside any transaction (core.numbering)."""
    version = service.current
    assert version is not None  # noqa: S101 (callers pass a published service)
    reused = documents_reused or {}
    chosen = _filing_check(actor=actor, version=version, person=person, data=data, documents=documents, reused=reused)
    source = prefill_person(user=actor, version=version, person=person)  # whose record filled the form
    prefill = form_prefill(version, source)
    if subject_kind(version.eligibility) == NEWBORN:
        subject_name, subject_key = _newborn(version, data)
    else:
        subject_name, subject_key = (person.full_name.title() if person else actor.full_name), ""
    now = timezone.now()
    # Before the transaction (core.numbering): the agency's counter row is locked for one statement, not for the
    # whole submission. A submission that fails after this leaves a gap, as a database sequence would.
    tracking = tracking or tracking_number(prefix=service.agency.code, day=local_date(now))
    # One open case per service and subject: a registry person, or (outside the registry: the applicant themself,
    # a newborn) the applicant and the subject's key.
    duplicate_scope = (
        {"subject_person": person}
        if person is not None
        else {"applicant": actor, "subject_person__isnull": True, "subject_key": subject_key}
    )
    with transaction.atomic():
        # The friendly check names the first case in the common case (a second try days later). It cannot see a
        # submission another transaction has not committed yet: the partial unique constraints on Case
        # (case_one_open_per_person, case_one_open_per_unregistered_subject) decide that race, below.
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
            subject_name=subject_name,
            subject_key=subject_key,
            data=data,
            prefilled={
                name: version.form_schema["properties"][name].get("x-prefill")
                for name in prefill
                if data.get(name) == prefill[name]
            },
            submitted_at=now,
            bundle=bundle,
            documents_reused=reused,
            workflow=version.workflow,
            state=definition.initial,
            state_category=definition.category(definition.initial),
        )
        sla_start(case, now=now, working_days=version.sla_working_days)
        step_data: dict[str, Any] = {"due_at": case.due_at.isoformat() if case.due_at else None}
        if bundle is not None:
            step_data["bundle"] = bundle.tracking
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
        if case.prefilled and source is not None:  # once-only: recorded where the resident can see it
            registry_access_record(
                person=source,
                actor=actor,
                agency=service.agency.code,
                channel=RegistryAccess.PREFILL,
                purpose=f"pre-fill of {service.code} ({case.tracking})",
                legal_basis=PREFILL_LEGAL_BASIS,
                fields=sorted(set(case.prefilled.values())),
            )
    return case
