from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import get_language


class Service(models.Model):
    """A public service an agency publishes. Its content lives in versions; `current` is what new cases use."""

    code = models.CharField(max_length=60, unique=True)
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="services")
    category = models.CharField(max_length=60)
    active = models.BooleanField(default=True)
    current = models.ForeignKey("ServiceVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["agency__code", "code"]

    def __str__(self) -> str:
        return self.code


class ServiceVersion(models.Model):
    """One published version of a service: form, requirements, SLA, workflow and service standard.

    A case points at the version it was submitted under, so editing a service never changes a running case.
    """

    SIGNED_PDF, CARD, RECORD = "signed_pdf", "card", "record"
    OUTPUT_KINDS = [(SIGNED_PDF, "signed PDF"), (CARD, "card to collect"), (RECORD, "record")]

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    name_id = models.CharField(max_length=150)
    name_en = models.CharField(max_length=150)
    description_id = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    output_kind = models.CharField(max_length=12, choices=OUTPUT_KINDS)
    # [{"code", "name": {"id", "en"}, "required": bool, "types": ["pdf", "jpeg", "png"], "max_mb": int}]
    requirements = models.JSONField(default=list)
    form_schema = models.JSONField()  # JSON Schema draft 2020-12; "x-prefill" on a property names registry data
    ui_hints = models.JSONField(default=dict, blank=True)  # {"field": {"widget": "textarea"}}
    # {"registry_verified": bool, "subject": "self" | "family_member" | "child" | "newborn" (catalogue.subjects),
    #  "min_age": int | None, "max_age": int | None}; older versions say "family_members": bool instead of subject.
    eligibility = models.JSONField(default=dict)
    sla_working_days = models.PositiveSmallIntegerField()
    fee = models.PositiveIntegerField(default=0)  # rupiah
    workflow = models.ForeignKey("workflow.WorkflowDefinition", on_delete=models.PROTECT, related_name="+")
    # [{"when": "at_risk" | "breached", "after_working_days": int, "notify": "assignee" | "head" | "operator"}]
    escalation = models.JSONField(default=list)
    # UU 25/2009 service standard: {"requirements", "procedure", "time", "cost", "product", "complaint_channel"},
    # each {"id": ..., "en": ...}
    standard = models.JSONField(default=dict)
    # What completing a case of this service records in the population registry (kotalive/cases/registry_effects.py):
    # "record_birth" adds the child the birth certificate names, "record_death" records the death; "" nothing.
    registry_effect = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["service", "-version"]
        constraints = [models.UniqueConstraint(fields=["service", "version"], name="service_version_unique")]

    def __str__(self) -> str:
        return f"{self.service.code} v{self.version}"

    @property
    def name(self) -> str:
        return self.name_en if get_language() == "en" and self.name_en else self.name_id

    @property
    def description(self) -> str:
        return self.description_en if get_language() == "en" and self.description_en else self.description_id

    def requirement(self, code: str) -> dict[str, Any] | None:
        return next((r for r in self.requirements if r["code"] == code), None)


def localised(text: Any) -> str:
    """Pick the active language from {"id": ..., "en": ...} (Indonesian when English is missing)."""
    if isinstance(text, dict):
        return str(text.get(get_language() or "id") or text.get("id") or "")
    return str(text or "")
