"""Life-event bundles: one citizen form that becomes applications at several agencies (a birth: the birth
certificate, the family card, the child ID card and health insurance; a death: the death certificate, the family
card and the end of social aid), with data flowing from one part's output into the next and one timeline.

A bundle kind is data (a region pack's bundles file, docs/how-to/add-a-life-event-bundle.md): its form, the
documents it asks for once, and its parts, each a service of the catalogue with where every field and document comes
from. A bundle is a subject of the kernel (kind "bundle", definition `bundle-standard`); each part is an ordinary
case (`Case.bundle`) in its agency's inbox with its own workflow and clock. A part that waits for another's output
(the newborn's NIK exists once the birth certificate is issued) is filed, inside the transaction that completed the
part it waited for, under the tracking number it was given when the bundle was filed.
"""

import logging
import re
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kotalive.accounts.models import User
from kotalive.cases.filing import case_file, documents_check
from kotalive.cases.models import Bundle, BundleKind, BundleOffer, BundlePart, Case
from kotalive.cases.selectors import citizen_person
from kotalive.catalogue.forms import FormFacts, form_errors
from kotalive.catalogue.models import Service, localised
from kotalive.catalogue.prefill import schema_prefill
from kotalive.catalogue.subjects import NEWBORN, prefill_person, subject_kind
from kotalive.core.calendar import local_date
from kotalive.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from kotalive.core.numbering import tracking_number
from kotalive.registry.models import Person
from kotalive.registry.selectors import family_members, registry_values
from kotalive.workflow.definitions import APPLICANT, CANCELLED, COMPLETED, REJECTED, TERMINAL
from kotalive.workflow.models import WorkflowDefinition
from kotalive.workflow.services import subject_event_write, transition, workflow_record_step
from kotalive.workflow.sla import sla_start

logger = logging.getLogger(__name__)
BUNDLE_PREFIX = "PH"  # peristiwa hidup (life event): PH-20261204-00001
WORKFLOW = "bundle-standard"
KIND_SUBJECTS = frozenset({"newborn", "family_member"})  # whom a kind's event is about
PART_SUBJECTS = frozenset({"applicant", "subject"})  # whom a part's application is about
SOURCES = ("form", "subject", "applicant", "output")  # where a part's value comes from: `<source>.<name>`
_PLACEHOLDER = re.compile(r"\{(form|subject|applicant|output)\.([a-z0-9_-]+)\}")


# ---- bundle kinds as data ----------------------------------------------------------------------------------------


def _source_problems(where: str, source: Any, *, fields: set[str], earlier: set[str]) -> list[str]:
    if isinstance(source, dict) and set(source) == {"const"}:
        return []
    if isinstance(source, dict) and set(source) == {"template"}:
        found = _PLACEHOLDER.findall(str(source["template"]))
        return [
            p for kind, name in found for p in _source_problems(where, f"{kind}.{name}", fields=fields, earlier=earlier)
        ]
    kind, _dot, name = str(source).partition(".")
    if kind not in SOURCES or not name:
        return [f"{where}: {source!r} is not form.<field>, subject.<key>, applicant.<key> or output.<service>"]
    if kind == "form" and name not in fields:
        return [f"{where}: the bundle has no field or document {name}"]
    if kind == "output" and name not in earlier:
        return [f"{where}: {name} is not a part this part waits for"]
    return []


def bundle_kind_problems(document: Any, services: dict[str, Service]) -> list[str]:
    """Every reason a bundle kind's document cannot run (empty when it can): parts that name no published service,
    wait for a later part, or take values from fields, documents or outputs that do not exist."""
    if not isinstance(document, dict):
        return ["the bundle kind must be a JSON object"]
    problems = []
    if document.get("subject") not in KIND_SUBJECTS:
        problems.append(f"subject must be one of {', '.join(sorted(KIND_SUBJECTS))}")
    days = document.get("sla_working_days")
    if not isinstance(days, int) or isinstance(days, bool) or not 0 < days <= 365:
        problems.append("sla_working_days must be a whole number of working days from 1 to 365")
    schema = document.get("form_schema")
    if not isinstance(schema, dict) or not isinstance(schema.get("properties"), dict):
        return [*problems, "form_schema must be a JSON Schema object with properties"]
    requirements = {str(r.get("code")) for r in document.get("requirements", []) if isinstance(r, dict)}
    fields = set(schema["properties"]) | requirements
    parts = document.get("parts")
    if not isinstance(parts, list) or not parts:
        return [*problems, "parts must be a non-empty list"]
    seen: list[str] = []
    for position, spec in enumerate(parts):
        code = spec.get("service") if isinstance(spec, dict) else None
        where = f"part {position + 1} ({code})"
        service = services.get(str(code))
        if service is None or service.current is None:
            problems.append(f"{where}: no published service {code}")
            continue
        if spec.get("subject") not in PART_SUBJECTS:
            problems.append(f"{where}: subject must be applicant or subject")
        elif subject_kind(service.current.eligibility) == NEWBORN and (
            spec["subject"] != "subject" or document.get("subject") != "newborn"
        ):
            problems.append(f"{where}: a service for a newborn is the subject's part of a newborn's bundle")
        after = spec.get("after", [])
        problems += [f"{where}: waits for {name}, which is not an earlier part" for name in after if name not in seen]
        when = spec.get("when")
        if when is not None and not (str(when).startswith("form.") and str(when)[5:] in schema["properties"]):
            problems.append(f"{where}: when must name a field of the bundle's form (form.<field>)")
        form = service.current.form_schema.get("properties", {})
        for field, source in spec.get("data", {}).items():
            if field not in form:
                problems.append(f"{where}: the service's form has no field {field}")
            problems += _source_problems(where, source, fields=fields, earlier=set(after))
        own = {r["code"] for r in service.current.requirements}
        for requirement, source in spec.get("documents", {}).items():
            if requirement not in own:
                problems.append(f"{where}: the service has no requirement {requirement}")
            problems += _source_problems(where, source, fields=requirements, earlier=set(after))
        seen.append(str(code))
    return problems


def bundle_kinds_load(*, document: dict[str, Any]) -> int:
    """Load the bundle kinds of a region pack's bundles file (idempotent; a pack without one has no bundles). A
    kind that cannot run stops the load with every reason, before anything is written."""
    entries = document["bundles"]
    services = {s.code: s for s in Service.objects.select_related("current").filter(active=True)}
    problems = [f"{e.get('code')}: {p}" for e in entries for p in bundle_kind_problems(e, services)]
    if problems:
        raise ValueError("the bundle kinds cannot be loaded: " + "; ".join(problems))
    with transaction.atomic():
        for entry in entries:
            document = {k: v for k, v in entry.items() if k not in {"code", "name"}}
            BundleKind.objects.update_or_create(
                code=entry["code"],
                defaults={"name_id": entry["name"]["id"], "name_en": entry["name"]["en"], "document": document},
            )
    return len(entries)


def bundle_kind_name(kind: BundleKind) -> str:
    return localised({"id": kind.name_id, "en": kind.name_en})


# ---- the form ----------------------------------------------------------------------------------------------------


def bundle_subjects(*, user: User, kind: BundleKind) -> list[Person]:
    """Whom `user` may file a bundle of `kind` about: the living members of their family card but themself for a
    death; nobody to choose for a birth (the child is not in the registry yet)."""
    person = citizen_person(user)
    if kind.document["subject"] != "family_member" or person is None:
        return []
    return [m for m in family_members(person=person) if m.pk != person.pk and m.died_on is None]


def bundle_prefill(*, user: User, kind: BundleKind, offer: BundleOffer | None = None) -> dict[str, Any]:
    """The form's values the platform already has: the applicant's registry data (`x-prefill`), and with an offer
    what the single application already said."""
    schema = kind.document["form_schema"]
    values = schema_prefill(schema, citizen_person(user))
    if offer is not None:
        values.update({k: v for k, v in offer.case.data.items() if k in schema["properties"]})
    return values


def _documents_held(kind: BundleKind, offer: BundleOffer | None) -> dict[str, str]:
    """{bundle requirement: upload id} of what the offer's single application already has, through the first
    part's mapping: the citizen does not upload it again."""
    if offer is None:
        return {}
    first = kind.document["parts"][0].get("documents", {})
    return {
        str(first[doc.requirement])[5:]: str(doc.upload_id)
        for doc in offer.case.documents.filter(current=True)
        if str(first.get(doc.requirement, "")).startswith("form.")
    }


def bundle_documents_asked(*, kind: BundleKind, offer: BundleOffer | None = None) -> list[dict[str, Any]]:
    """The documents the bundle's form asks for: those its parts use, but (with an offer) not those of the part
    already done nor those its single application already has."""
    specs = kind.document["parts"][1:] if offer is not None else kind.document["parts"]
    used = {str(s)[5:] for spec in specs for s in spec.get("documents", {}).values() if str(s).startswith("form.")}
    held = _documents_held(kind, offer)
    return [r for r in kind.document["requirements"] if r["code"] in used and r["code"] not in held]


# ---- filing ------------------------------------------------------------------------------------------------------


def _value(source: Any, context: dict[str, dict[str, Any]]) -> Any:
    if isinstance(source, dict) and "const" in source:
        return source["const"]
    if isinstance(source, dict) and "template" in source:
        return _PLACEHOLDER.sub(lambda m: str(context[m.group(1)].get(m.group(2), "")), str(source["template"]))
    kind, _dot, name = str(source).partition(".")
    return context[kind].get(name)


def _part_file(*, bundle: Bundle, part: BundlePart, spec: dict[str, Any], done: dict[str, Case]) -> Case:
    """File one part as a case of the bundle's applicant, its data from the registry, the bundle's form and the
    outputs of the parts it waited for; documents given once for the bundle or held already as an output."""
    applicant = citizen_person(bundle.applicant)
    person = applicant if spec["subject"] == "applicant" else bundle.subject_person
    context: dict[str, dict[str, Any]] = {
        "form": bundle.data,
        "subject": registry_values(bundle.subject_person) if bundle.subject_person else {},
        "applicant": registry_values(applicant) if applicant else {},
        "output": {code: case.output.number for code, case in done.items()},
    }
    version = part.service.current
    assert version is not None  # noqa: S101 (bundle kinds name only published services)
    data = schema_prefill(version.form_schema, prefill_person(user=bundle.applicant, version=version, person=person))
    for field, source in spec.get("data", {}).items():
        value = _value(source, context)
        if value not in (None, ""):
            data[field] = value
    documents, reused = {}, {}
    for requirement, source in spec.get("documents", {}).items():
        kind, _dot, name = str(source).partition(".")
        if kind == "form" and bundle.documents.get(name):
            documents[requirement] = bundle.documents[name]
        elif kind == "output":
            reused[requirement] = {"case": done[name].tracking, "number": done[name].output.number}
    return case_file(
        actor=bundle.applicant,
        service=part.service,
        person=person,
        data=data,
        documents=documents,
        tracking=part.tracking,
        bundle=bundle,
        documents_reused=reused,
    )


def _as_bundle_error(exc: DomainError, spec: dict[str, Any], version: Any) -> DomainError:
    """A part's refusal at filing time, named by the bundle's own fields where the value came from one of them."""
    if not isinstance(exc, ValidationFailed):
        return exc
    fields = {f"data.{k}": f"data.{v[5:]}" for k, v in spec.get("data", {}).items() if str(v).startswith("form.")}
    docs = {
        f"documents.{k}": f"documents.{v[5:]}" for k, v in spec.get("documents", {}).items() if v.startswith("form.")
    }
    errors: dict[str, list[str]] = {}
    for key, reasons in exc.errors.items():
        mapped = fields.get(key) or docs.get(key)
        if mapped:
            errors.setdefault(mapped, []).extend(reasons)
        else:  # a value the registry gave: say which part and field could not take it, by their names
            name = key.removeprefix("data.").removeprefix("documents.")
            prop = version.form_schema.get("properties", {}).get(name) or version.requirement(name) or {}
            label = localised(prop.get("x-label") or prop.get("name") or prop.get("title") or name)
            errors.setdefault("data", []).extend(
                _("%(service)s, %(field)s: %(reason)s") % {"service": version.name, "field": label, "reason": r}
                for r in reasons
            )
    return ValidationFailed(errors)


def _parts_loaded(bundle: Bundle) -> list[BundlePart]:
    return list(
        bundle.parts.select_related(
            "service__current__workflow", "service__agency", "case__output", "waits_for"
        ).order_by("position")
    )


def _open_elsewhere(exc: DomainError, spec: dict[str, Any], bundle: Bundle) -> Case | None:
    """The applicant's own open application that keeps a part about them from being filed now (a twin's family-card
    update while the first twin's is open), locked, or None when the refusal is anything else. Only a part about the
    applicant waits, and only for an application of theirs: a part about the event's subject that is open already
    is the same event filed twice."""
    if spec["subject"] != "applicant" or not isinstance(exc, Conflict) or exc.code != "duplicate_open_case":
        return None
    existing = exc.extra.get("existing")
    tracking = existing.get("tracking") if isinstance(existing, dict) else None
    # Locked: a transaction ending that application right now is waited for, and its end is seen here (it looked
    # for parts waiting on it before this one could say so: bundle_parts_release).
    rows = Case.objects.select_for_update(of=("self",)).filter(tracking=tracking, applicant_id=bundle.applicant_id)
    return rows.first() if tracking else None


def _file_or_wait(
    *, bundle: Bundle, part: BundlePart, spec: dict[str, Any], done: dict[str, Case]
) -> tuple[Case | None, Case | None]:
    """File the part: (its case, None); or (None, the applicant's open application it must wait for). An
    application that ended while this one was being filed is no reason to wait: the part is filed once more."""
    for _attempt in range(2):
        try:
            with transaction.atomic():  # a savepoint: a part that cannot be filed leaves the others as they are
                return _part_file(bundle=bundle, part=part, spec=spec, done=done), None
        except DomainError as exc:
            other = _open_elsewhere(exc, spec, bundle)
            if other is None:
                raise
            if other.state_category not in TERMINAL:
                return None, other
    raise Conflict(_("It could not be filed automatically; apply for this service on its own."), code="busy")


def _advance(bundle: Bundle, *, actor: Any, strict: bool) -> list[BundlePart]:
    """File every waiting part whose parts it waits for are completed; fail those that wait for a part that ended
    without completing; close the bundle when every part has ended. `strict` (at submission): a part that cannot
    be filed refuses the whole bundle, with the reason named by the bundle's fields."""
    parts = _parts_loaded(bundle)
    specs = bundle.kind.document["parts"]
    done = {p.service.code: p.case for p in parts if p.case is not None and p.case.state_category == COMPLETED}
    ended = {
        p.service.code
        for p in parts
        if p.state in (BundlePart.FAILED, BundlePart.SKIPPED)
        or (p.case is not None and p.case.state_category in (REJECTED, CANCELLED))
    }
    for part in parts:
        if part.state != BundlePart.WAITING:
            continue
        spec = specs[part.position]
        after = spec.get("after", [])
        blocked = next((code for code in after if code in ended), None)
        if blocked is not None:
            part.state, part.blocked_by = BundlePart.FAILED, blocked
            part.save(update_fields=["state", "blocked_by"])
            ended.add(part.service.code)
            subject_event_write(
                subject=bundle,
                event="part_failed",
                data={"part": part.service.code, "part_tracking": part.tracking, "blocked_by": blocked},
            )
            continue
        if not all(code in done for code in after):
            continue
        if part.waits_for is not None and part.waits_for.state_category not in TERMINAL:
            continue  # filed when that application ends (bundle_parts_release)
        if spec.get("when") and not _value(spec["when"], {"form": bundle.data}):
            part.state = BundlePart.SKIPPED
            part.save(update_fields=["state"])
            continue
        try:
            case, other = _file_or_wait(bundle=bundle, part=part, spec=spec, done=done)
        except Exception as exc:
            if strict and isinstance(exc, DomainError):
                raise _as_bundle_error(exc, spec, part.service.current) from None
            if strict:
                raise
            # Filed inside the transaction that completed the part it waited for: whatever goes wrong here must not
            # undo that officer's approval. The part fails with its reason; anything unforeseen is logged in full.
            if isinstance(exc, DomainError):
                reason = str(exc.message)
            else:
                logger.exception("bundle %s: part %s could not be filed", bundle.tracking, part.tracking)
                reason = _("It could not be filed automatically; apply for this service on its own.")
            part.state, part.reason = BundlePart.FAILED, reason
            part.save(update_fields=["state", "reason"])
            ended.add(part.service.code)
            subject_event_write(
                subject=bundle, event="part_failed", data={"part": part.service.code, "part_tracking": part.tracking}
            )
            continue
        if case is None:  # another application of the applicant's is open: the part follows it
            assert other is not None  # noqa: S101 (_file_or_wait gives one of the two)
            part.waits_for = other
            part.save(update_fields=["waits_for"])
            subject_event_write(
                subject=bundle,
                event="part_waiting",
                data={"part": part.service.code, "part_tracking": part.tracking, "waits_for": other.tracking},
            )
            continue
        part.case, part.state, part.waits_for = case, BundlePart.FILED, None
        part.save(update_fields=["case", "state", "waits_for"])
        workflow_record_step(
            subject=bundle,
            actor=actor,
            action="file_part",
            from_state=bundle.state,
            role="system",
            event="part_filed",
            data={"part": part.service.code, "part_tracking": part.tracking, "agency": part.service.agency.code},
        )
    _close_when_finished(bundle, parts)
    return parts


def _close_when_finished(bundle: Bundle, parts: list[BundlePart]) -> None:
    def ended(part: BundlePart) -> bool:
        if part.state in (BundlePart.FAILED, BundlePart.SKIPPED):
            return True
        return part.case is not None and part.case.state_category in TERMINAL

    if bundle.state_category in TERMINAL or not all(ended(p) for p in parts):
        return
    needed = [p for p in parts if p.state != BundlePart.SKIPPED]
    completed = [p for p in needed if p.case is not None and p.case.state_category == COMPLETED]
    action = "complete" if len(completed) == len(needed) else "complete_partly" if completed else "close_rejected"
    transition(actor=None, subject=bundle, action=action, version=bundle.version, roles={"system"})


def bundle_kind_services(kind: BundleKind) -> dict[str, Service] | None:
    """The published services of the kind's parts by code, or None when one of them is no longer offered (the
    operator withdrew it): such a kind is not offered either."""
    codes = [spec["service"] for spec in kind.document["parts"]]
    found = {
        s.code: s
        for s in Service.objects.select_related("agency", "current").filter(code__in=codes, active=True)
        if s.current is not None
    }
    return found if len(found) == len(set(codes)) else None


def _kind_get(code: str) -> tuple[BundleKind, dict[str, Service]]:
    kind = BundleKind.objects.filter(code=code, active=True).first()
    services = bundle_kind_services(kind) if kind is not None else None
    if kind is None or services is None:
        raise ValidationFailed({"kind": [_("is not a life event this city offers")]})
    return kind, services


def _subject_choose(*, actor: User, kind: BundleKind, subject: str, errors: dict[str, list[str]]) -> Person | None:
    if kind.document["subject"] != "family_member":
        return None
    member = next((m for m in bundle_subjects(user=actor, kind=kind) if str(m.pk) == str(subject)), None)
    if member is None:
        errors["subject"] = [_("must be a living member of your family card other than yourself")]
    return member


def bundle_offer_open(*, user: User, kind: BundleKind, tracking: str) -> BundleOffer | None:
    """`user`'s open offer of `kind` made by their single application `tracking`, or None."""
    if not tracking:
        return None
    return (
        BundleOffer.objects.select_related("case__service", "person", "kind")
        .filter(applicant=user, kind=kind, case__tracking=tracking, taken__isnull=True, dismissed_at__isnull=True)
        .first()
    )


def bundle_submit(
    *,
    actor: User,
    kind_code: str,
    data: Any,
    documents: dict[str, str] | None = None,
    subject: str = "",
    from_case: str = "",
) -> Bundle:
    """File a life event: every part that can start now is filed at once, the others wait for what they need.

    `subject` names the family member a death is about; `from_case` takes an offer: the single application that
    recorded the event becomes the first part and is not filed again. Nothing is created when anything is wrong;
    every reason of a refusal is named at once.
    """
    kind, services = _kind_get(kind_code)
    if actor.kind != User.CITIZEN:
        raise PermissionDenied(_("Only citizens file life events."))
    if citizen_person(actor) is None:
        raise DomainError(
            _("A life event needs your data in the population registry; your NIK is not in this city's registry."),
            code="registry_required",
        )
    document = kind.document
    if not isinstance(data, dict):
        raise ValidationFailed({"data": [_("must be a JSON object of the form's fields")]})
    own = citizen_person(actor)
    facts = FormFacts(dates={"applicant.birth_date": own.birth_date} if own is not None else {})
    errors = form_errors(document["form_schema"], data, facts)
    offer = bundle_offer_open(user=actor, kind=kind, tracking=from_case)
    if from_case and offer is None:
        errors["from_case"] = [_("names no open offer of yours for this life event")]
    person = (
        offer.person if offer is not None else _subject_choose(actor=actor, kind=kind, subject=subject, errors=errors)
    )
    held = _documents_held(kind, offer)
    asked = bundle_documents_asked(kind=kind, offer=offer)
    codes = {r["code"] for r in asked}
    given = {k: v for k, v in (documents or {}).items() if k in codes}
    for code in set(documents or {}) - codes - set(held):
        errors.setdefault(f"documents.{code}", []).append(_("is not a document this form asks for"))
    try:
        documents_check(user=actor, requirements=asked, documents=given, require_all=True)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    day = local_date(now)
    # Numbers before the transaction (core.numbering): the bundle's and every part's, shown to the citizen at once.
    tracking = tracking_number(prefix=BUNDLE_PREFIX, day=day)
    numbers = [
        offer.case.tracking
        if offer is not None and position == 0
        else tracking_number(prefix=services[spec["service"]].agency.code, day=day)
        for position, spec in enumerate(document["parts"])
    ]
    workflow = WorkflowDefinition.objects.filter(code=WORKFLOW).order_by("-version").first()
    if workflow is None:
        raise DomainError(_("Life events are not set up on this platform yet."), code="not_configured")
    with transaction.atomic():
        if offer is not None:  # taken once: a second submission at the same moment waits here, then is refused
            offer = BundleOffer.objects.select_for_update().select_related("case", "person").get(pk=offer.pk)
            if offer.taken_id is not None or offer.dismissed_at is not None:
                raise Conflict(_("This offer was taken or set aside already."), field="from_case", code="offer_closed")
        definition = workflow.parsed
        bundle = Bundle(
            tracking=tracking,
            kind=kind,
            applicant=actor,
            subject_person=person,
            subject_name=person.full_name.title() if person else str(data.get("child_name") or ""),
            data=data,
            documents={**held, **given},
            submitted_at=now,
            workflow=workflow,
            state=definition.initial,
            state_category=definition.category(definition.initial),
        )
        sla_start(bundle, now=now, working_days=int(document["sla_working_days"]))
        bundle.save()
        BundlePart.objects.bulk_create(
            BundlePart(
                bundle=bundle,
                position=position,
                service=services[spec["service"]],
                tracking=numbers[position],
                case=offer.case if offer is not None and position == 0 else None,
                state=BundlePart.FILED if offer is not None and position == 0 else BundlePart.WAITING,
            )
            for position, spec in enumerate(document["parts"])
        )
        if offer is not None:
            offer.case.bundle = bundle
            offer.case.save(update_fields=["bundle"])
            offer.taken = bundle
            offer.save(update_fields=["taken"])
        workflow_record_step(
            subject=bundle,
            actor=actor,
            action="submit",
            from_state="",
            role=APPLICANT,
            event="submitted",
            data={"parts": [spec["service"] for spec in document["parts"]], "from_case": from_case or None},
            at=now,
            created=True,
        )
        _advance(bundle, actor=actor, strict=True)
    return bundle


def bundle_part_finished(*, case: Case, actor: Any, recorded: Person | None, reason: str = "") -> None:
    """A part of a bundle ended (inside the transaction that ended it, the case locked): the newborn a birth
    certificate recorded becomes the bundle's subject, the parts that waited for it are filed (or fail with it),
    and the bundle closes once every part has ended."""
    rows = Bundle.objects.select_for_update(of=("self",)).select_related("workflow", "kind")
    bundle = rows.get(pk=case.bundle_id or 0)
    if recorded is not None and bundle.subject_person_id is None:
        bundle.subject_person, bundle.subject_name = recorded, recorded.full_name.title()
        bundle.save(update_fields=["subject_person", "subject_name"])
    if case.state_category != COMPLETED and reason:
        BundlePart.objects.filter(case=case).update(reason=reason)
    subject_event_write(
        subject=bundle,
        event="part_ended",
        data={"part": case.service.code, "part_tracking": case.tracking, "part_state_category": case.state_category},
    )
    _advance(bundle, actor=actor, strict=False)


def bundle_parts_release(*, case: Case, actor: Any) -> None:
    """An application ended (inside the transaction that ended it, the case locked): the bundle parts that waited
    for it, because it was the same service for the same applicant, are filed now (or wait for the next such
    application). The bundles are locked in id order; the application's own bundle is locked before them
    (bundle_part_finished), so two bundles each waiting on the other's part and ending at the same moment could
    meet in a deadlock, which PostgreSQL breaks by refusing one of the two moves (the officer tries again)."""
    waiting = BundlePart.objects.filter(waits_for=case, state=BundlePart.WAITING).values_list("bundle_id", flat=True)
    for bundle_id in sorted(set(waiting)):
        bundle = Bundle.objects.select_for_update(of=("self",)).select_related("workflow", "kind").get(pk=bundle_id)
        _advance(bundle, actor=actor, strict=False)


def bundle_offer_make(*, case: Case, person: Person) -> BundleOffer | None:
    """A single application recorded a life event (its registry effect ran): offer the rest of the event's bundle
    to the applicant, on their home page and as a notice (the event `case.bundle_offered`)."""
    code = case.service.code
    kind = next((k for k in BundleKind.objects.filter(active=True) if k.document["parts"][0]["service"] == code), None)
    if kind is None:
        return None
    offer, created = BundleOffer.objects.get_or_create(
        case=case, defaults={"applicant": case.applicant, "kind": kind, "person": person}
    )
    if created:
        subject_event_write(subject=case, event="bundle_offered", data={"bundle_kind": kind.code})
    return offer


def bundle_offer_dismiss(*, actor: User, offer_id: int) -> None:
    """The citizen does not want the rest of the life event now: the offer leaves their home page (a single
    conditional update: an offer being taken at the same moment is not also set aside)."""
    updated = BundleOffer.objects.filter(
        pk=offer_id, applicant=actor, taken__isnull=True, dismissed_at__isnull=True
    ).update(dismissed_at=timezone.now())
    if not updated:
        raise ValidationFailed({"offer": [_("names no open offer of yours")]})
