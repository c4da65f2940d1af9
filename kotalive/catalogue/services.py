"""Publishing services: every change is a new validated version, audited."""

import json
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kotalive.accounts.models import User
from kotalive.agencies.models import Agency, StaffRole
from kotalive.agencies.selectors import user_has_platform_role, user_roles_in
from kotalive.catalogue.forms import schema_problems
from kotalive.catalogue.models import Service, ServiceVersion
from kotalive.catalogue.subjects import eligibility_problems
from kotalive.core.audit import audit_record
from kotalive.core.errors import PermissionDenied, ValidationFailed
from kotalive.workflow.models import WorkflowDefinition
from kotalive.workflow.services import workflow_definition_save

# The platform's workflow definitions: code, not regional data (a region pack's services name them).
WORKFLOW_DIR = Path(__file__).parent.parent / "workflow" / "data"
FILE_TYPES = frozenset({"pdf", "jpeg", "png"})
ESCALATION_TARGETS = frozenset({"assignee", "head", "operator", "leadership"})
_DEFAULTS: dict[str, Any] = {
    "description_id": "",
    "description_en": "",
    "requirements": [],
    "ui_hints": {},
    "eligibility": {},
    "fee": 0,
    "escalation": [],
    "standard": {},
    "registry_effect": "",
}
# What a completed case may record in the registry (the names kotalive/cases/registry_effects.py implements), and
# the form fields each one reads: a service naming an effect must ask for them.
REGISTRY_EFFECT_FIELDS: dict[str, tuple[str, ...]] = {
    "": (),
    "record_birth": ("child_name", "child_sex", "child_birth_date", "child_birth_place"),
    "record_death": ("date_of_death",),
}
REGISTRY_EFFECTS = frozenset(REGISTRY_EFFECT_FIELDS)
CONTENT_FIELDS = (
    "name_id",
    "name_en",
    "description_id",
    "description_en",
    "output_kind",
    "requirements",
    "form_schema",
    "ui_hints",
    "eligibility",
    "sla_working_days",
    "fee",
    "escalation",
    "standard",
    "registry_effect",
)


def may_edit_services(*, user: User, agency: Agency) -> bool:
    """The operator and platform administrators edit every agency's catalogue; an agency administrator their own."""
    if user_has_platform_role(user=user, role=StaffRole.OPERATOR) or user_has_platform_role(
        user=user, role=StaffRole.PLATFORM_ADMIN
    ):
        return True
    return StaffRole.AGENCY_ADMIN in user_roles_in(user=user, agency=agency)


def _content_problems(content: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name in ("name_id", "name_en"):
        if not str(content.get(name) or "").strip():
            errors.setdefault(name, []).append(_("is required"))
    # Every value is checked for its shape before it is looked at: the editor and a region pack may send any JSON.
    output_kind = content.get("output_kind")
    if not isinstance(output_kind, str) or output_kind not in {k for k, _label in ServiceVersion.OUTPUT_KINDS}:
        errors.setdefault("output_kind", []).append(_("must be signed_pdf, card or record"))
    sla = content.get("sla_working_days")
    if not isinstance(sla, int) or not 0 < sla <= 365:
        errors.setdefault("sla_working_days", []).append(_("must be a whole number of working days from 1 to 365"))
    effect = content.get("registry_effect", "")
    if not isinstance(effect, str) or effect not in REGISTRY_EFFECTS:
        errors.setdefault("registry_effect", []).append(_("must be empty, record_birth or record_death"))
    else:
        form = content.get("form_schema")
        asked = set(form.get("required", [])) if isinstance(form, dict) else set()
        missing = [name for name in REGISTRY_EFFECT_FIELDS[effect] if name not in asked]
        if missing:
            errors.setdefault("registry_effect", []).append(
                _("needs the form to require %(fields)s") % {"fields": ", ".join(missing)}
            )
    fee = content.get("fee", 0)
    if not isinstance(fee, int) or fee < 0:
        errors.setdefault("fee", []).append(_("must be a whole number of rupiah, 0 or more"))
    problems = schema_problems(content.get("form_schema"))
    if problems:
        errors["form_schema"] = problems
    problems = eligibility_problems(content.get("eligibility", {}), content.get("form_schema"))
    if problems:
        errors["eligibility"] = problems
    requirements = content.get("requirements")
    if not isinstance(requirements, list):
        errors.setdefault("requirements", []).append(_("must be a list"))
        requirements = []
    codes = set()
    for req in requirements:
        code = req.get("code") if isinstance(req, dict) else None
        if not isinstance(code, str) or not code or code in codes:
            errors.setdefault("requirements", []).append(_("Each requirement needs its own code."))
            continue
        codes.add(code)
        types = req.get("types")
        if not isinstance(types, list) or not types or not all(isinstance(t, str) and t in FILE_TYPES for t in types):
            errors.setdefault("requirements", []).append(
                _("Requirement %(code)s: its types must be among pdf, jpeg and png.") % {"code": code}
            )
        if not isinstance(req.get("max_mb", 5), int) or not 0 < req.get("max_mb", 5) <= 20:
            errors.setdefault("requirements", []).append(
                _("Requirement %(code)s: its max_mb must be from 1 to 20.") % {"code": code}
            )
    for name in ("ui_hints", "standard"):
        if not isinstance(content.get(name, {}), dict):
            errors.setdefault(name, []).append(_("must be a JSON object"))
    escalation = content.get("escalation", [])
    if not isinstance(escalation, list):
        errors.setdefault("escalation", []).append(_("must be a list"))
        escalation = []
    for rule in escalation:
        when, notify = (rule.get("when"), rule.get("notify")) if isinstance(rule, dict) else (None, None)
        if when not in ("at_risk", "breached") or not isinstance(notify, str) or notify not in ESCALATION_TARGETS:
            errors.setdefault("escalation", []).append(
                _(
                    "Each escalation step needs when (at_risk or breached) and notify (assignee, head, operator or "
                    "leadership)."
                )
            )
    return errors


def service_draft_problems(*, code: str, workflow_code: str, content: dict[str, Any]) -> dict[str, list[str]]:
    """Every reason service_publish would refuse this service, field by field (empty when it would publish): the
    editor shows them all at once, beside its own (a number or JSON it could not read)."""
    errors = _content_problems(content)
    if not WorkflowDefinition.objects.filter(code=workflow_code).exists():
        errors.setdefault("workflow", []).append(_("workflow %(code)s does not exist") % {"code": workflow_code})
    if not (code or "").strip():
        errors.setdefault("code", []).append(_("is required"))
    return errors


def service_publish(
    *, actor: User | None, code: str, agency: Agency, category: str, workflow_code: str, content: dict[str, Any]
) -> ServiceVersion:
    """Create the service or publish a new version of it. Nothing changes when the content is invalid or the
    same as the current version."""
    if actor is not None and not may_edit_services(user=actor, agency=agency):
        raise PermissionDenied(_("Only the operator or this agency's administrator may edit its services."))
    errors = service_draft_problems(code=code, workflow_code=workflow_code, content=content)
    workflow = WorkflowDefinition.objects.filter(code=workflow_code).order_by("-version").first()
    if errors or workflow is None:
        raise ValidationFailed(errors)
    values = {name: content.get(name, _DEFAULTS.get(name)) for name in CONTENT_FIELDS}
    with transaction.atomic():
        service, _created = Service.objects.select_for_update().get_or_create(
            code=code, defaults={"agency": agency, "category": category}
        )
        if service.agency_id != agency.pk:
            raise ValidationFailed({"code": [_("belongs to another agency")]})
        current = service.current
        if (
            current is not None
            and current.workflow_id == workflow.pk
            and all(getattr(current, name) == value for name, value in values.items())
            and service.category == category
        ):
            return current
        version = ServiceVersion.objects.create(
            service=service,
            version=(current.version + 1) if current else 1,
            workflow=workflow,
            created_by=actor,
            **values,
        )
        service.current, service.category = version, category
        service.save(update_fields=["current", "category"])
        audit_record(
            actor=actor,
            action="catalogue.service_published",
            obj=version,
            data={"service": code, "version": version.version},
        )
    return version


def workflow_reference_codes() -> set[str]:
    """The codes of the workflow definitions the platform ships (loaded with every region pack's services)."""
    return {json.loads(path.read_text(encoding="utf-8"))["code"] for path in WORKFLOW_DIR.glob("*.json")}


def service_entry_problems(entry: dict[str, Any]) -> dict[str, list[str]]:
    """What service_publish would refuse in one entry of a region pack's services file, field by field (empty when
    it would publish). The workflow and the agency are the caller's to check."""
    return _content_problems({name: entry[name] for name in CONTENT_FIELDS if name in entry})


def catalogue_load(*, actor: User | None, document: dict[str, Any]) -> int:
    """Load the platform's workflows and the services of a region pack's services file (idempotent; the pack's
    agencies are loaded first)."""
    for path in sorted(WORKFLOW_DIR.glob("*.json")):
        spec = json.loads(path.read_text(encoding="utf-8"))
        workflow_definition_save(actor=actor, code=spec["code"], name=spec["name"], document=spec["document"])
    agencies = {a.code: a for a in Agency.objects.all()}
    for entry in document["services"]:
        content = {name: entry[name] for name in CONTENT_FIELDS if name in entry}
        service_publish(
            actor=actor,
            code=entry["code"],
            agency=agencies[entry["agency"]],
            category=entry["category"],
            workflow_code=entry["workflow"],
            content=content,
        )
    return len(document["services"])
