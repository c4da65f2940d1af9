"""Reads of life-event bundles, scoped to who asks (anything outside the scope is "not found"), and the one shape
the API and the pages show: the parts with their state at each agency, and one timeline for the citizen."""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kotalive.accounts.models import User
from kotalive.agencies.labels import agency_name
from kotalive.agencies.models import StaffRole
from kotalive.agencies.selectors import user_is_platform_operator
from kotalive.cases.bundles import bundle_kind_name, bundle_kind_services
from kotalive.cases.models import Bundle, BundleKind, BundleOffer, BundlePart
from kotalive.cases.selectors import case_timeline, status_word
from kotalive.catalogue.models import localised
from kotalive.core.calendar import local_date
from kotalive.core.errors import NotFound
from kotalive.workflow.models import WorkflowStep


def bundle_kinds() -> QuerySet[BundleKind]:
    return BundleKind.objects.filter(active=True)


def bundle_kind_summaries() -> list[dict[str, Any]]:
    """Every life event on offer, with the services (and agencies) its one form files."""
    offered = [(kind, bundle_kind_services(kind)) for kind in bundle_kinds()]
    return [
        {
            "kind": kind.code,
            "name": bundle_kind_name(kind),
            "description": localised(kind.document.get("description", "")),
            "parts": [
                {
                    "service": part["service"],
                    "service_name": services[part["service"]].current.name,  # type: ignore[union-attr]
                    "agency": services[part["service"]].agency.code,
                    "agency_name": agency_name(services[part["service"]].agency),
                }
                for part in kind.document["parts"]
            ],
        }
        for kind, services in offered
        if services is not None  # a kind whose service was withdrawn is not offered
    ]


def _staff_agencies(user: User) -> set[int] | None:
    """The agencies whose parts a member of staff sees; None for the platform's operators (every part)."""
    if user_is_platform_operator(user):
        return None
    return set(StaffRole.objects.filter(user=user, agency__isnull=False).values_list("agency_id", flat=True))


def bundle_get_for_actor(*, user: User, tracking: str) -> Bundle:
    """The bundle `tracking` if `user` may see it: its applicant, the person it is about, staff of an agency that
    holds one of its filed parts (who then see only those parts), or the platform's operators."""
    bundle = Bundle.objects.select_related("kind", "workflow", "applicant").filter(tracking=tracking).first()
    if bundle is None:
        raise NotFound(_("There is no such life event of yours."), code="not_found")
    if user.kind == User.CITIZEN:
        person_id = getattr(getattr(user, "citizen", None), "person_id", None)
        if bundle.applicant_id == user.pk or (person_id and bundle.subject_person_id == person_id):
            return bundle
    elif user.kind == User.STAFF:
        agencies = _staff_agencies(user)
        filed = bundle.parts.filter(case__isnull=False)
        if agencies is None or filed.filter(case__agency_id__in=agencies).exists():
            return bundle
    raise NotFound(_("There is no such life event of yours."), code="not_found")


def bundles_of_citizen(*, user: User) -> QuerySet[Bundle]:
    return Bundle.objects.select_related("kind", "workflow").filter(applicant=user).order_by("-submitted_at")


def bundle_offers_open(*, user: User) -> list[BundleOffer]:
    """The life events `user` may still file as a bundle (their single application recorded the event)."""
    return list(
        BundleOffer.objects.select_related("kind", "case__service_version", "person").filter(
            applicant=user, taken__isnull=True, dismissed_at__isnull=True
        )
    )


def _state_label(workflow_document: dict[str, Any], state: str) -> str:
    found = next((s for s in workflow_document["states"] if s["code"] == state), None)
    return localised(found["label"]) if found else state


def _part_view(part: BundlePart, names: dict[str, str]) -> dict[str, Any]:
    case = part.case
    version = part.service.current
    view: dict[str, Any] = {
        "service": part.service.code,
        "service_name": version.name if version else part.service.code,
        "agency": part.service.agency.code,
        "agency_name": agency_name(part.service.agency),
        "tracking": part.tracking,
        "reason": part.reason,
        "waits_for": None,
        "waits_for_about": "",
    }
    if case is not None:
        return {
            **view,
            "state": case.state,
            "state_category": case.state_category,
            "state_label": _state_label(case.workflow.document, case.state),
            "public_status": status_word(case.state_category),
            "due_date": local_date(case.due_at) if case.due_at else None,
            "output": case.output.number if hasattr(case, "output") else None,
            "documents_reused": sorted(case.documents_reused),
        }
    labels = {
        BundlePart.WAITING: _("Waiting for an earlier part"),
        BundlePart.FAILED: _("Could not be filed"),
        BundlePart.SKIPPED: _("Not needed"),
    }
    reason, waits_for, about = part.reason, None, ""
    if part.state == BundlePart.WAITING and part.waits_for is not None:
        # Not a refusal: one application per person and service at a time, so this one follows the open one (named
        # by its own life event where it has one: "Kelahiran: Bayu Santoso", the first twin's).
        waits_for = part.waits_for.tracking
        other = part.waits_for.bundle
        if other is not None:
            about = f"{bundle_kind_name(other.kind)}: {other.subject_name}" if other.subject_name else ""
        labels[BundlePart.WAITING] = _("Waiting for your other application")
    if part.blocked_by:
        reason = _("Not filed because the part it needs (%(service)s) was not completed.") % {
            "service": names.get(part.blocked_by, part.blocked_by)
        }
    return {
        **view,
        "state": part.state,
        "state_category": part.state,
        "state_label": labels[part.state],
        # A part that could not be filed never reads as done (selesai): it was called off (dibatalkan).
        "public_status": {BundlePart.WAITING: "menunggu", BundlePart.FAILED: "dibatalkan"}.get(part.state, "selesai"),
        "due_date": None,
        "output": None,
        "documents_reused": [],
        "reason": reason,
        "waits_for": waits_for,
        "waits_for_about": about,
    }


def bundle_parts(bundle: Bundle) -> list[BundlePart]:
    return list(
        bundle.parts.select_related(
            "service__agency", "service__current", "case__workflow", "case__output", "waits_for__bundle__kind"
        ).order_by("position")
    )


def _part_names(parts: list[BundlePart]) -> dict[str, str]:
    return {p.service.code: (p.service.current.name if p.service.current else p.service.code) for p in parts}


def bundle_timeline(bundle: Bundle, parts: list[BundlePart], *, with_messages: bool = True) -> list[dict[str, Any]]:
    """The bundle's own steps and every step (and, `with_messages`, message) of the given parts' applications that
    the citizen sees, in time order, each with the part it belongs to."""
    step_labels = {
        "submit": _("Life event filed"),
        "complete": _("Every part completed"),
        "complete_partly": _("Some parts completed"),
        "close_rejected": _("No part could be completed"),
    }
    names = _part_names(parts)
    entries: list[dict[str, Any]] = [
        {
            "at": s.at,
            "part": s.data.get("part"),
            "part_name": names.get(s.data.get("part", ""), ""),
            "tracking": s.data.get("part_tracking", bundle.tracking),
            "kind": "step",
            "action": s.action,
            "label": step_labels.get(s.action, s.action),
            "state": s.to_state,
            "text": s.reason,
        }
        # A part's filing shows as its application's own first step below.
        for s in WorkflowStep.objects.filter(subject_type="bundle", subject_id=bundle.pk).exclude(action="file_part")
    ]
    for part in parts:
        if part.case is None:
            continue
        labels = {t["action"]: localised(t.get("label", {})) for t in part.case.workflow.document["transitions"]}
        labels["submit"] = _("Application filed")
        for entry in case_timeline(case=part.case, staff_view=False):
            if entry.kind != "step" and not with_messages:
                continue
            entries.append(
                {
                    "at": entry.at,
                    "part": part.service.code,
                    "part_name": names[part.service.code],
                    "tracking": part.tracking,
                    "kind": entry.kind,
                    "action": entry.action,
                    "label": labels.get(entry.action, "") if entry.kind == "step" else _("Message"),
                    "state": entry.to_state,
                    "text": entry.text,
                }
            )
    return sorted(entries, key=lambda e: e["at"])


def bundle_summary(bundle: Bundle) -> dict[str, Any]:
    return {
        "tracking": bundle.tracking,
        "kind": bundle.kind.code,
        "kind_name": bundle_kind_name(bundle.kind),
        "subject_name": bundle.subject_name,
        "state": bundle.state,
        "state_category": bundle.state_category,
        "state_label": _state_label(bundle.workflow.document, bundle.state),
        "public_status": status_word(bundle.state_category),
        "submitted_at": bundle.submitted_at,
    }


def bundle_detail(bundle: Bundle, user: User) -> dict[str, Any]:
    """The bundle as `user` may see it (bundle_get_for_actor let them): the citizen every part and one timeline
    with the messages; an agency's staff only the parts their agency holds and their steps (another agency's work and
    the citizen's messages with it are not theirs to read); the platform's operators every part, steps only."""
    parts = bundle_parts(bundle)
    staff = user.kind == User.STAFF
    if staff:
        agencies = _staff_agencies(user)
        parts = [p for p in parts if agencies is None or (p.case is not None and p.case.agency_id in agencies)]
    return {
        **bundle_summary(bundle),
        "due_date": local_date(bundle.due_at) if bundle.due_at else None,
        "parts": [_part_view(p, _part_names(parts)) for p in parts],
        "timeline": bundle_timeline(bundle, parts, with_messages=not staff),
    }
